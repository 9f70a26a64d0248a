"""The list forms: ``all_gather``, ``gather``, ``scatter``, ``reduce_scatter``.

MPI moves one contiguous block per call, so a list of tensors is packed into (or
unpacked from) one host block around the MPI call; the tensors of the list may then
have any layout. The single-tensor forms in :mod:`.collectives` avoid that copy.
"""

from __future__ import annotations

import numpy as np

from ..frontend.tensor import Tensor
from . import buffers
from .collectives import finish_reduce, launch, member, root_of
from .debug import check_same_call, describe
from .process_group import ProcessGroup
from .reduce_op import ReduceOp, mpi_op
from .work import Work

__all__ = ["all_gather", "gather", "scatter", "reduce_scatter"]


def _check_list(tensors, n: int, ref: Tensor, op: str, arg: str) -> list:
    if not isinstance(tensors, (list, tuple)) or len(tensors) != n:
        got = len(tensors) if isinstance(tensors, (list, tuple)) else type(tensors).__name__
        raise ValueError(f"{op}: {arg} must be a list of world_size ({n}) tensors, got "
                         f"{got}")
    for i, t in enumerate(tensors):
        buffers.check_like(t, ref, op, f"{arg}[{i}]", contiguous=False)
    return list(tensors)


def _unpack(tensors: list, block: np.ndarray) -> None:
    for t, part in zip(tensors, block):
        buffers.store(t, part)


def _pack(tensors: list) -> np.ndarray:
    return np.stack([buffers.host_copy(t) for t in tensors])


def all_gather(tensor_list: list[Tensor], tensor: Tensor,
               group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Gather ``tensor`` from every rank into ``tensor_list`` (entry ``i`` from rank
    ``i``), on every rank.

    Args:
        tensor_list: ``world_size`` tensors of ``tensor``'s shape, dtype and device.
        tensor: this rank's contribution (contiguous).
        group, async_op: as in :func:`all_reduce`.

    Example::

        >>> out = [fl.zeros(2) for _ in range(dist.get_world_size())]
        >>> dist.all_gather(out, fl.ones(2) * dist.get_rank())
    """
    op = "all_gather"
    pg = member(group, op)
    if pg is None:
        return None
    send = buffers.read(tensor, op, "tensor")
    outs = _check_list(tensor_list, pg._size, tensor, op, "tensor_list")
    recv = np.empty((pg._size,) + tuple(tensor._data.shape), buffers.host_dtype(tensor))
    if pg.debug:
        check_same_call(pg, f"{op}(tensor={describe(tensor)})")
    comm = pg.comm
    return launch(pg, async_op, lambda: comm.Allgather(send, recv),
                  lambda: comm.Iallgather(send, recv), lambda: _unpack(outs, recv),
                  (send, recv), outs)


def gather(tensor: Tensor, gather_list: list[Tensor] | None = None, dst: int = 0,
           group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Gather ``tensor`` from every rank into ``gather_list`` on rank ``dst``.

    Args:
        tensor: this rank's contribution (contiguous).
        gather_list: on ``dst``, ``world_size`` tensors like ``tensor``; ``None``
            elsewhere.
        dst: the global rank that receives.
        group, async_op: as in :func:`all_reduce`.
    """
    op = "gather"
    pg = member(group, op)
    if pg is None:
        return None
    root = root_of(pg, dst, op, "dst")
    send = buffers.read(tensor, op, "tensor")
    if root == pg._rank:
        outs = _check_list(gather_list, pg._size, tensor, op, "gather_list")
        recv = np.empty((pg._size,) + tuple(tensor._data.shape), buffers.host_dtype(tensor))
        finish = lambda: _unpack(outs, recv)  # noqa: E731
    else:
        if gather_list:
            raise ValueError(f"{op}: gather_list must be given on the destination rank "
                             f"({dst}) only; pass None on rank {pg.ranks[pg._rank]}")
        outs, recv, finish = [], None, None
    if pg.debug:
        check_same_call(pg, f"{op}(tensor={describe(tensor)}, dst={dst})")
    comm = pg.comm
    return launch(pg, async_op, lambda: comm.Gather(send, recv, root),
                  lambda: comm.Igather(send, recv, root), finish, (send, recv), outs)


def scatter(tensor: Tensor, scatter_list: list[Tensor] | None = None, src: int = 0,
            group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Send entry ``i`` of ``scatter_list`` on rank ``src`` into ``tensor`` on rank ``i``.

    Args:
        tensor: the output (contiguous).
        scatter_list: on ``src``, ``world_size`` tensors like ``tensor``; ``None``
            elsewhere.
        src: the global rank that sends.
        group, async_op: as in :func:`all_reduce`.
    """
    op = "scatter"
    pg = member(group, op)
    if pg is None:
        return None
    root = root_of(pg, src, op, "src")
    recv = buffers.out(tensor, op, "tensor")
    if root == pg._rank:
        send = _pack(_check_list(scatter_list, pg._size, tensor, op, "scatter_list"))
    else:
        if scatter_list:
            raise ValueError(f"{op}: scatter_list must be given on the source rank "
                             f"({src}) only; pass None on rank {pg.ranks[pg._rank]}")
        send = None
    if pg.debug:
        check_same_call(pg, f"{op}(tensor={describe(tensor)}, src={src})")
    comm = pg.comm
    return launch(pg, async_op, lambda: comm.Scatter(send, recv, root),
                  lambda: comm.Iscatter(send, recv, root),
                  lambda: buffers.written(tensor, recv), (send, recv), [tensor])


def reduce_scatter(output: Tensor, input_list: list[Tensor], op: ReduceOp = ReduceOp.SUM,
                   group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Reduce the ``i``-th entries of every rank's ``input_list`` into ``output`` on rank
    ``i``.

    Args:
        output: this rank's result (contiguous).
        input_list: ``world_size`` tensors like ``output``.
        op, group, async_op: as in :func:`all_reduce`.
    """
    name = "reduce_scatter"
    pg = member(group, name)
    if pg is None:
        return None
    recv = buffers.out(output, name, "output")
    send = _pack(_check_list(input_list, pg._size, output, name, "input_list"))
    mop = mpi_op(op, output._dtype, name)
    if pg.debug:
        check_same_call(pg, f"{name}(output={describe(output)}, op={op.name})")
    comm = pg.comm
    divisor = pg._size if op is ReduceOp.AVG else 0
    return launch(pg, async_op, lambda: comm.Reduce_scatter_block(send, recv, mop),
                  lambda: comm.Ireduce_scatter_block(send, recv, mop),
                  lambda: finish_reduce(output, recv, divisor), (send, recv), [output])
