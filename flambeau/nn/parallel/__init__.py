"""``flambeau.nn.parallel``: :class:`DistributedDataParallel` (data parallelism over
the processes of :mod:`flambeau.distributed`)."""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
