"""Collectives on whole tensors: ``all_reduce``, ``broadcast``, ``reduce``,
``all_gather_into_tensor``, ``reduce_scatter_tensor``, ``all_to_all_single``,
``barrier``.

Each is one MPI call on the tensors' own buffers (see :mod:`.buffers`): the blocking
call (``Allreduce``) by default, the non-blocking one (``Iallreduce``) with
``async_op=True``, which returns a :class:`Work`. Ranks are global ranks, as in
PyTorch, also for subgroups. The list forms are in :mod:`.list_collectives`.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..dispatcher.devices import device as Device
from ..frontend.tensor import Tensor
from . import _mpi, buffers
from .debug import check_same_call, describe
from .process_group import ProcessGroup, _state, resolve, warn_not_in_group
from .reduce_op import ReduceOp, mpi_op
from .work import Work

__all__ = ["all_reduce", "broadcast", "reduce", "all_gather_into_tensor",
           "reduce_scatter_tensor", "all_to_all_single", "barrier", "member", "launch",
           "root_of", "finish_reduce"]


_CPU = Device("cpu")
_AVG = ReduceOp.AVG


def member(group: ProcessGroup | None, op: str) -> ProcessGroup | None:
    """The group to run on, or ``None`` (after PyTorch's warning) if this rank is not
    in it."""
    pg = resolve(group)
    if pg.comm is None:
        warn_not_in_group(op)
        return None
    return pg


def root_of(pg: ProcessGroup, rank: int, op: str, arg: str) -> int:
    """The group rank of global rank ``rank``."""
    if pg.ranks[-1] == len(pg.ranks) - 1 and 0 <= rank < len(pg.ranks):
        return rank  # the world, or a group of the first ranks: group rank = global rank
    return pg.group_rank(rank, op, arg)


def launch(pg: ProcessGroup, async_op: bool, blocking, nonblocking, finish=None,
           keep: tuple = (), result: list | None = None):
    """Run ``blocking()`` then ``finish()``; or start ``nonblocking()`` and return a
    :class:`Work` that finishes later."""
    if async_op:
        return Work([nonblocking()], finish, keep, result, pg.timeout)
    blocking()
    if finish is not None:
        finish()
    return None


def finish_reduce(t: Tensor, buf, divisor: int) -> None:
    """After a SUM that stands for AVG, divide; then hand the result to the tensor."""
    if divisor > 1:
        buf /= divisor
    buffers.written(t, buf)


def all_reduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM,
               group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Reduce ``tensor`` across all ranks, in place: every rank gets the result.

    Args:
        tensor: input and output, on any device; must be contiguous.
        op: a :class:`ReduceOp` (``AVG`` needs a floating-point tensor; ``BAND``,
            ``BOR``, ``BXOR`` integers or bool).
        group: the process group (default: the world).
        async_op: return a :class:`Work` handle instead of waiting.

    Returns:
        A :class:`Work` with ``async_op=True``, else ``None``.

    Example::

        >>> t = fl.tensor([1.0, 2.0]) * (dist.get_rank() + 1)
        >>> dist.all_reduce(t)          # with 2 ranks: tensor([3., 6.])
    """
    # the hot path of data-parallel training, kept to a few attribute reads: the
    # common case (a contiguous CPU tensor, the default group) skips the helpers
    pg = _state.world if group is None else resolve(group)
    if pg is None:
        pg = resolve(None)  # raises: not initialised
    comm = pg.comm
    if comm is None:
        warn_not_in_group("all_reduce")
        return None
    if tensor.__class__ is Tensor and tensor._device is _CPU and \
            tensor._data.flags.c_contiguous:
        buf = data = tensor._data
    else:  # checks and errors, other devices, Tensor subclasses
        buf, data = buffers.inout(tensor, "all_reduce", "tensor"), None
    try:
        mop = op._mpi[tensor._dtype.category]  # filled by init_process_group
    except AttributeError:
        mop = None
    if mop is None:
        mop = mpi_op(op, tensor._dtype, "all_reduce")  # or a clear error
    if pg.debug:
        check_same_call(pg, f"all_reduce(tensor={describe(tensor)}, op={op.name})")
    divisor = pg._size if op is _AVG else 0
    if async_op:
        return Work([comm.Iallreduce(_mpi.IN_PLACE, buf, mop)],
                    partial(finish_reduce, tensor, buf, divisor), (buf,), [tensor],
                    pg.timeout)
    comm.Allreduce(_mpi.IN_PLACE, buf, mop)
    if buf is data:
        if divisor > 1:
            buf /= divisor
        root = tensor._base if tensor._base is not None else tensor
        root._version += 1
    else:
        finish_reduce(tensor, buf, divisor)
    return None


def broadcast(tensor: Tensor, src: int = 0, group: ProcessGroup | None = None,
              async_op: bool = False) -> Work | None:
    """Copy ``tensor`` from rank ``src`` into ``tensor`` on every other rank.

    Args:
        tensor: the data on ``src``, the output elsewhere; same shape and dtype on all.
        src: the global rank that sends.
        group, async_op: as in :func:`all_reduce`.
    """
    pg = member(group, "broadcast")
    if pg is None:
        return None
    root = root_of(pg, src, "broadcast", "src")
    buf = buffers.inout(tensor, "broadcast", "tensor")
    if pg.debug:
        check_same_call(pg, f"broadcast(tensor={describe(tensor)}, src={src})")
    comm = pg.comm
    finish = None if root == pg._rank else partial(buffers.written, tensor, buf)
    return launch(pg, async_op, lambda: comm.Bcast(buf, root),
                  lambda: comm.Ibcast(buf, root), finish, (buf,), [tensor])


def reduce(tensor: Tensor, dst: int = 0, op: ReduceOp = ReduceOp.SUM,
           group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Reduce ``tensor`` across all ranks into ``tensor`` on rank ``dst`` only.

    The other ranks' tensors are left unchanged.

    Args:
        tensor: the input, and on ``dst`` the output.
        dst: the global rank that receives the result.
        op, group, async_op: as in :func:`all_reduce`.
    """
    pg = member(group, "reduce")
    if pg is None:
        return None
    root = root_of(pg, dst, "reduce", "dst")
    buf = buffers.inout(tensor, "reduce", "tensor")
    mop = mpi_op(op, tensor._dtype, "reduce")
    if pg.debug:
        check_same_call(pg, f"reduce(tensor={describe(tensor)}, dst={dst}, op={op.name})")
    comm = pg.comm
    if root == pg._rank:
        send, recv = _mpi.IN_PLACE, buf
        finish = partial(finish_reduce, tensor, buf, pg._size if op is ReduceOp.AVG else 0)
    else:
        send, recv, finish = buf, None, None
    return launch(pg, async_op, lambda: comm.Reduce(send, recv, mop, root),
                  lambda: comm.Ireduce(send, recv, mop, root), finish, (buf,), [tensor])


def _aliases(a, b) -> bool:
    return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and \
        np.may_share_memory(a, b)


def all_gather_into_tensor(output_tensor: Tensor, input_tensor: Tensor,
                           group: ProcessGroup | None = None,
                           async_op: bool = False) -> Work | None:
    """Gather every rank's ``input_tensor`` into ``output_tensor``, in rank order.

    Args:
        output_tensor: ``world_size`` times as many elements as the input: either
            the inputs concatenated along dim 0 or stacked along a new dim 0.
        input_tensor: this rank's contribution. It may be this rank's slot of
            ``output_tensor`` (a view), which is then used in place.
        group, async_op: as in :func:`all_reduce`.
    """
    op = "all_gather_into_tensor"
    pg = member(group, op)
    if pg is None:
        return None
    buffers.check_like(output_tensor, input_tensor, op, "output_tensor", shape=False)
    if output_tensor.numel() != pg._size * input_tensor.numel():
        raise ValueError(f"{op}: output_tensor has {output_tensor.numel()} elements; it "
                         f"needs world_size ({pg._size}) x {input_tensor.numel()}")
    send = buffers.read(input_tensor, op, "input_tensor")
    recv = buffers.out(output_tensor, op, "output_tensor")
    if _aliases(send, recv):
        slot = recv.reshape(-1)[pg._rank * send.size:(pg._rank + 1) * send.size]
        if slot.__array_interface__["data"][0] != send.__array_interface__["data"][0]:
            raise ValueError(f"{op}: input_tensor overlaps output_tensor but is not this "
                             f"rank's slot of it")
        send = _mpi.IN_PLACE
    if pg.debug:
        check_same_call(pg, f"{op}(output_tensor={describe(output_tensor)}, "
                            f"input_tensor={describe(input_tensor)})")
    comm = pg.comm
    return launch(pg, async_op, lambda: comm.Allgather(send, recv),
                  lambda: comm.Iallgather(send, recv),
                  partial(buffers.written, output_tensor, recv), (send, recv),
                  [output_tensor])


def reduce_scatter_tensor(output: Tensor, input: Tensor, op: ReduceOp = ReduceOp.SUM,
                          group: ProcessGroup | None = None,
                          async_op: bool = False) -> Work | None:
    """Reduce ``input`` across ranks and give rank ``i`` the ``i``-th block of the result.

    Args:
        output: this rank's block of the reduced result.
        input: ``world_size`` blocks of ``output``'s size, concatenated along dim 0 (or
            stacked); must not overlap ``output``.
        op, group, async_op: as in :func:`all_reduce`.
    """
    name = "reduce_scatter_tensor"
    pg = member(group, name)
    if pg is None:
        return None
    buffers.check_like(input, output, name, "input", shape=False)
    if input.numel() != pg._size * output.numel():
        raise ValueError(f"{name}: input has {input.numel()} elements; it needs "
                         f"world_size ({pg._size}) x {output.numel()}")
    mop = mpi_op(op, output._dtype, name)
    send = buffers.read(input, name, "input")
    recv = buffers.out(output, name, "output")
    if _aliases(send, recv):
        raise ValueError(f"{name}: output overlaps input; pass a separate output tensor")
    if pg.debug:
        check_same_call(pg, f"{name}(output={describe(output)}, input={describe(input)}, "
                            f"op={op.name})")
    comm = pg.comm
    divisor = pg._size if op is ReduceOp.AVG else 0
    return launch(pg, async_op, lambda: comm.Reduce_scatter_block(send, recv, mop),
                  lambda: comm.Ireduce_scatter_block(send, recv, mop),
                  partial(finish_reduce, output, recv, divisor), (send, recv), [output])


def _splits(sizes, rows: int, n: int, op: str, arg: str) -> list[int]:
    if sizes is None or len(sizes) == 0:
        if rows % n:
            raise ValueError(f"{op}: dim 0 of the {arg.split('_')[0]} tensor ({rows}) is "
                             f"not divisible by the world size ({n}); pass {arg}")
        return [rows // n] * n
    sizes = [int(s) for s in sizes]
    if len(sizes) != n or any(s < 0 for s in sizes) or sum(sizes) != rows:
        raise ValueError(f"{op}: {arg}={sizes} must be {n} non-negative sizes that sum "
                         f"to dim 0 of the tensor ({rows})")
    return sizes


def all_to_all_single(output: Tensor, input: Tensor,
                      output_split_sizes: list[int] | None = None,
                      input_split_sizes: list[int] | None = None,
                      group: ProcessGroup | None = None,
                      async_op: bool = False) -> Work | None:
    """Split ``input`` along dim 0, send block ``i`` to rank ``i``, and concatenate the
    blocks received from every rank into ``output``.

    Args:
        output, input: tensors of one dtype and device, with the same sizes beyond dim 0.
        output_split_sizes: rows received from each rank (default: equal blocks).
        input_split_sizes: rows sent to each rank (default: equal blocks).
        group, async_op: as in :func:`all_reduce`.
    """
    name = "all_to_all_single"
    pg = member(group, name)
    if pg is None:
        return None
    buffers.check_like(output, input, name, "output", shape=False)
    if output._data.shape[1:] != input._data.shape[1:] or not input._data.shape:
        raise ValueError(f"{name}: output {list(output.shape)} and input "
                         f"{list(input.shape)} must have at least one dim and the same "
                         f"sizes beyond dim 0")
    n = pg._size
    uneven = output_split_sizes or input_split_sizes
    if not uneven and output._data.shape[0] != input._data.shape[0]:
        raise ValueError(f"{name}: without split sizes, output {list(output.shape)} and "
                         f"input {list(input.shape)} must have the same shape")
    send_rows = _splits(input_split_sizes, input._data.shape[0], n, name,
                        "input_split_sizes")
    recv_rows = _splits(output_split_sizes, output._data.shape[0], n, name,
                        "output_split_sizes")
    send = buffers.read(input, name, "input")
    recv = buffers.out(output, name, "output")
    if _aliases(send, recv):
        raise ValueError(f"{name}: output overlaps input; pass a separate output tensor")
    if pg.debug:
        check_same_call(pg, f"{name}(dtype={input._dtype.name}, "
                            f"row={list(input._data.shape[1:])})")
    comm = pg.comm
    if uneven:
        row = int(np.prod(input._data.shape[1:], dtype=np.int64))
        s_counts = [r * row for r in send_rows]
        r_counts = [r * row for r in recv_rows]
        s_spec = [send, (s_counts, np.cumsum([0] + s_counts[:-1]).tolist())]
        r_spec = [recv, (r_counts, np.cumsum([0] + r_counts[:-1]).tolist())]
        blocking = lambda: comm.Alltoallv(s_spec, r_spec)  # noqa: E731
        nonblocking = lambda: comm.Ialltoallv(s_spec, r_spec)  # noqa: E731
    else:
        blocking = lambda: comm.Alltoall(send, recv)  # noqa: E731
        nonblocking = lambda: comm.Ialltoall(send, recv)  # noqa: E731
    return launch(pg, async_op, blocking, nonblocking,
                  partial(buffers.written, output, recv), (send, recv), [output])


def barrier(group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Wait until every rank of the group has reached this call."""
    pg = member(group, "barrier")
    if pg is None:
        return None
    if pg.debug:
        check_same_call(pg, "barrier()")
    comm = pg.comm
    return launch(pg, async_op, comm.Barrier, comm.Ibarrier)
