"""Distributed training over MPI, with the names and semantics of ``torch.distributed``.

Start the processes with an MPI launcher; MPI (through mpi4py's buffer interface) moves
the data, flambeau adds no transport of its own::

    mpiexec -n 4 python train.py

.. code-block:: python

    import flambeau as fl
    import flambeau.distributed as dist

    dist.init_process_group("mpi")
    t = fl.ones(3) * dist.get_rank()
    dist.all_reduce(t)                       # the sum over ranks, on every rank
    work = dist.broadcast(t, src=0, async_op=True)
    work.wait()

The parts:

- process groups (:mod:`.process_group`): ``init_process_group``, ``new_group``,
  ``get_rank``, ``get_world_size``, ... ``mpi4py`` is imported (and MPI started) only
  by ``init_process_group``.
- collectives on tensors of any device (:mod:`.collectives`, :mod:`.list_collectives`):
  in place on a CPU tensor's own memory; other devices are staged through host memory
  (:mod:`.buffers`, with :func:`register_direct_buffer` for CUDA-aware MPI).
  ``async_op=True`` returns a :class:`Work` over MPI's non-blocking calls.
- point-to-point (:mod:`.p2p`) and pickle-based object collectives (:mod:`.objects`).
- ``FLAMBEAU_DISTRIBUTED_DEBUG=1`` checks before each collective that all ranks made the
  same call (:mod:`.debug`); an uncaught exception on any rank aborts the job
  (:mod:`.abort`).

``DistributedDataParallel`` is :class:`flambeau.nn.parallel.DistributedDataParallel`
and ``DistributedSampler`` is :class:`flambeau.utils.data.DistributedSampler`.
"""

from __future__ import annotations

from .buffers import register_direct_buffer
from .collectives import (all_gather_into_tensor, all_reduce, all_to_all_single, barrier,
                          broadcast, reduce, reduce_scatter_tensor)
from .list_collectives import all_gather, gather, reduce_scatter, scatter
from .objects import all_gather_object, broadcast_object_list
from .p2p import irecv, isend, recv, send
from .process_group import (ProcessGroup, destroy_process_group, get_backend,
                            get_process_group_ranks, get_rank, get_world_size,
                            init_process_group, is_available, is_initialized,
                            is_mpi_launched, new_group)
from .reduce_op import ReduceOp
from .work import Work

__all__ = ["init_process_group", "destroy_process_group", "is_available", "is_initialized",
           "is_mpi_launched", "get_rank", "get_world_size", "get_backend", "new_group",
           "get_process_group_ranks", "ProcessGroup", "ReduceOp", "Work", "all_reduce",
           "broadcast", "reduce", "all_gather", "all_gather_into_tensor", "gather",
           "scatter", "reduce_scatter", "reduce_scatter_tensor", "all_to_all_single",
           "barrier", "send", "recv", "isend", "irecv", "broadcast_object_list",
           "all_gather_object", "register_direct_buffer"]
