"""Datasets, samplers and the DataLoader, with the names of ``torch.utils.data``.

Example::

    >>> from flambeau.utils.data import DataLoader, TensorDataset, random_split
    >>> ds = TensorDataset(fl.randn(100, 3), fl.arange(100))
    >>> train, val = random_split(ds, [0.8, 0.2], generator=fl.Generator().manual_seed(0))
    >>> for x, y in DataLoader(train, batch_size=16, shuffle=True, num_workers=2):
    ...     pass
"""

from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset,
                      TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler)
from .worker import WorkerInfo, get_worker_info

# DistributedSampler (each process of a group gets its own shard of the indices) lives
# with the process groups it reads, re-exported here with the other samplers
from ...distributed.sampler import DistributedSampler

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
           "ChainDataset", "random_split", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
           "DistributedSampler", "DataLoader",
           "default_collate", "default_convert", "get_worker_info", "WorkerInfo"]
