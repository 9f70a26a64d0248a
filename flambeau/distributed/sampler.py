"""``DistributedSampler``: each process of a group reads its own shard of a dataset.

Re-exported as :class:`flambeau.utils.data.DistributedSampler`, next to the other
samplers, as in ``torch.utils.data``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized

from ..frontend.random import Generator, randperm
from ..utils.data.sampler import Sampler
from .process_group import get_rank, get_world_size, is_initialized

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler[int]):
    """Indices of the shard of ``dataset`` that one rank reads.

    All ranks build the same list of indices (shuffled with a generator seeded with
    ``seed + epoch``, so every rank draws the same permutation), make its length a
    multiple of ``num_replicas`` — by repeating indices from the start, or with
    ``drop_last`` by cutting the tail — and rank ``r`` takes every
    ``num_replicas``-th index from position ``r``. Each rank then has the same number of
    samples, so the ranks run the same number of steps.

    Args:
        dataset: the dataset (only its length is used).
        num_replicas: how many ranks share it (default: the world size).
        rank: this rank (default: :func:`flambeau.distributed.get_rank`).
        shuffle: shuffle the indices (default ``True``).
        seed: the shuffling seed; must be the same on all ranks.
        drop_last: drop the tail so the dataset divides evenly, instead of padding.

    Call :meth:`set_epoch` at the start of every epoch, before iterating a
    ``DataLoader`` built on this sampler; otherwise every epoch uses the same order.

    Example::

        >>> sampler = DistributedSampler(train_set)
        >>> loader = DataLoader(train_set, batch_size=32, sampler=sampler)
        >>> for epoch in range(epochs):
        ...     sampler.set_epoch(epoch)
        ...     for x, y in loader:
        ...         ...
    """

    def __init__(self, dataset: Sized, num_replicas: int | None = None,
                 rank: int | None = None, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            if not is_initialized():
                raise RuntimeError("DistributedSampler: pass num_replicas and rank, or "
                                   "call flambeau.distributed.init_process_group() first")
            if num_replicas is None:
                num_replicas = get_world_size()
            if rank is None:
                rank = get_rank()
        if num_replicas <= 0:
            raise ValueError(f"Invalid num_replicas {num_replicas}, it should be positive")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            g = Generator().manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            else:
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[:self.total_size]
        assert len(indices) == self.total_size
        shard = indices[self.rank:self.total_size:self.num_replicas]
        assert len(shard) == self.num_samples
        return iter(shard)

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch, which seeds this epoch's shuffle (``seed + epoch``)."""
        self.epoch = epoch
