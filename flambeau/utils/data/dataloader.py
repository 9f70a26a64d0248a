"""The DataLoader: batches from a dataset, in the main process or in worker processes.

Same arguments and semantics as ``torch.utils.data.DataLoader``. A sampler gives
indices, a batch sampler groups them, a fetcher turns a group into samples and
``collate_fn`` turns samples into a batch. With ``num_workers > 0`` the fetching runs in
worker processes (see :mod:`.multiprocess_iter` and :mod:`.worker`) and batches still
arrive in sampler order.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ...dispatcher.dtypes import int64
from ...frontend.random import Generator, randint
from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from .worker import make_fetcher

__all__ = ["DataLoader"]

# attributes that define the index stream; changing them after construction would leave
# the batch sampler built from the old values, so PyTorch forbids it and so do we
_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
           "persistent_workers")


class _InfiniteConstantSampler(Sampler[None]):
    """``None`` forever: the "indices" of an IterableDataset, so that batching and
    worker scheduling work the same way for both kinds of dataset."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


class DataLoader:
    """Iterate over a dataset in batches, optionally shuffled and in worker processes.

    Args:
        dataset: a map-style :class:`Dataset` (or any object with ``__getitem__`` and
            ``__len__``) or an :class:`IterableDataset`.
        batch_size: samples per batch (default 1); ``None`` turns batching off, so each
            item is passed through :func:`default_convert` alone.
        shuffle: reshuffle the indices at every epoch (map-style only).
        sampler: an iterable of indices (replaces ``shuffle``).
        batch_sampler: an iterable of index lists (replaces ``batch_size``, ``shuffle``,
            ``sampler`` and ``drop_last``).
        num_workers: how many worker processes load batches (0: the main process).
        collate_fn: turns a list of samples into a batch (default
            :func:`default_collate`).
        pin_memory: accepted for compatibility; has no effect on the CPU.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        timeout: seconds to wait for a batch from the workers before raising
            ``RuntimeError`` (0: wait as long as the workers are alive).
        worker_init_fn: called in each worker with its id, after seeding.
        multiprocessing_context: a start method name (``"fork"``, ``"spawn"``,
            ``"forkserver"``) or context; default: the platform's default.
        generator: the :class:`flambeau.Generator` used to shuffle and to draw the
            workers' base seed.
        prefetch_factor: batches loaded ahead per worker (default 2 with workers;
            must stay ``None`` without).
        persistent_workers: keep the workers alive between epochs.

    Worker ``i`` is seeded with ``base_seed + i``, where ``base_seed`` is drawn from
    ``generator`` (or the default generator) at every epoch; with persistent workers
    only at the first. :func:`get_worker_info` tells a worker who it is.

    Example::

        >>> ds = TensorDataset(fl.randn(10, 3), fl.arange(10))
        >>> for x, y in DataLoader(ds, batch_size=4, shuffle=True, num_workers=2):
        ...     print(x.shape, y.shape)
    """

    _initialized = False

    def __init__(self, dataset: Dataset | Any, batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context=None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "") -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use "
                             "num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing. let num_workers > 0 to enable "
                             "multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and prefetch_factor < 1:
            raise ValueError("prefetch_factor option should be a positive integer")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            # an IterableDataset decides its own order: nothing to sample or shuffle
            for name, value in (("shuffle", shuffle), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected "
                                     f"unspecified {name} option, but got {name}={value}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with "
                                 "batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is "
                             "mutually exclusive with drop_last")
        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if batch_sampler is not None else default_convert)
        self.pin_memory = pin_memory  # nothing to pin on the CPU
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self._iterator = None
        self._initialized = True

    def __setattr__(self, name: str, value) -> None:
        if self._initialized and name in _FROZEN:
            raise ValueError(f"{name} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        if name == "multiprocessing_context" and isinstance(value, str):
            if value not in multiprocessing.get_all_start_methods():
                raise ValueError(f"multiprocessing_context option should specify a valid "
                                 f"start method in {multiprocessing.get_all_start_methods()}"
                                 f", but got multiprocessing_context={value!r}")
            value = multiprocessing.get_context(value)
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> Iterator:
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        from .multiprocess_iter import MultiProcessIter
        if not self.persistent_workers:
            return MultiProcessIter(self)
        if self._iterator is None:
            self._iterator = MultiProcessIter(self)
        else:
            self._iterator.reset(self)
        return self._iterator

    def __len__(self) -> int:
        """Batches per epoch; for an IterableDataset, from its ``__len__`` (TypeError
        when it has none). With workers, an unsharded IterableDataset yields more."""
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self._index_sampler)


class _BaseIter:
    """What both iterators share: the index stream and the epoch's base seed."""

    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._iterable = loader._iterable
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._collate_fn = loader.collate_fn
        self._index_sampler = loader._index_sampler
        self._sampler_iter = iter(self._index_sampler)
        # drawn at every epoch even without workers, so that a seeded generator gives
        # the same shuffles whatever num_workers is
        self._base_seed = int(randint(0, 2**63 - 1, (), generator=loader.generator,
                                      dtype=int64).item())

    def __iter__(self):
        return self

    def _next_index(self):
        return next(self._sampler_iter)

    def __len__(self) -> int:
        return len(self._index_sampler)


class _SingleProcessIter(_BaseIter):
    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._fetcher = make_fetcher(self._iterable, self._dataset, self._auto_collation,
                                     self._collate_fn, self._drop_last)

    def __next__(self):
        return self._fetcher.fetch(self._next_index())
