"""Collectives on Python objects: ``broadcast_object_list`` and ``all_gather_object``.

These pickle the objects and move the bytes with MPI's buffer calls (sizes first,
then the bytes), like PyTorch's. Unpickling runs code chosen by the sender: use them
only between trusted processes of one job, and for small metadata; send tensors with
the tensor collectives, which never pickle.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np

from ._mpi import mpi
from .collectives import member, root_of
from .debug import check_same_call
from .process_group import ProcessGroup

__all__ = ["broadcast_object_list", "all_gather_object"]


def broadcast_object_list(object_list: list[Any], src: int = 0,
                          group: ProcessGroup | None = None, device=None) -> None:
    """Replace the entries of ``object_list`` on every rank with those on rank ``src``.

    Pickle-based (see the module docstring). ``object_list`` must have the same length
    on every rank; ``device`` is accepted for compatibility and unused.

    Example::

        >>> objs = [{"lr": 0.1}, "resnet"] if dist.get_rank() == 0 else [None, None]
        >>> dist.broadcast_object_list(objs, src=0)
    """
    op = "broadcast_object_list"
    pg = member(group, op)
    if pg is None:
        return
    root = root_of(pg, src, op, "src")
    if pg.debug:
        check_same_call(pg, f"{op}(len={len(object_list)}, src={src})")
    MPI = mpi()
    size = np.zeros(1, np.int64)
    if root == pg._rank:
        data = np.frombuffer(pickle.dumps(list(object_list)), np.uint8)
        size[0] = data.size
    pg.comm.Bcast(size, root)
    if root != pg._rank:
        data = np.empty(int(size[0]), np.uint8)
    pg.comm.Bcast([data, MPI.BYTE], root)
    if root != pg._rank:
        received = pickle.loads(data.tobytes())
        if len(received) != len(object_list):
            raise ValueError(f"{op}: rank {src} sent {len(received)} objects but "
                             f"object_list has {len(object_list)} entries on this rank")
        object_list[:] = received


def all_gather_object(object_list: list[Any], obj: Any,
                      group: ProcessGroup | None = None) -> None:
    """Gather the picklable ``obj`` of every rank into ``object_list`` (entry ``i`` from
    rank ``i``), on every rank.

    Pickle-based (see the module docstring). ``object_list`` must have ``world_size``
    entries; they are replaced.

    Example::

        >>> out = [None] * dist.get_world_size()
        >>> dist.all_gather_object(out, {"rank": dist.get_rank()})
    """
    op = "all_gather_object"
    pg = member(group, op)
    if pg is None:
        return
    n = pg._size
    if len(object_list) != n:
        raise ValueError(f"{op}: object_list must have world_size ({n}) entries, got "
                         f"{len(object_list)}")
    if pg.debug:
        check_same_call(pg, f"{op}()")
    MPI = mpi()
    data = np.frombuffer(pickle.dumps(obj), np.uint8)
    sizes = np.empty(n, np.int64)
    pg.comm.Allgather(np.array([data.size], np.int64), sizes)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    recv = np.empty(int(sizes.sum()), np.uint8)
    pg.comm.Allgatherv([data, MPI.BYTE],
                       [recv, (sizes.tolist(), offsets.tolist()), MPI.BYTE])
    object_list[:] = [pickle.loads(recv[o:o + s].tobytes())
                      for o, s in zip(offsets.tolist(), sizes.tolist())]
