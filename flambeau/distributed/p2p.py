"""Point-to-point: ``send``, ``recv``, ``isend``, ``irecv`` (MPI ``Send``/``Recv``,
``Isend``/``Irecv`` on the tensors' buffers).

A receive checks that the message filled the whole tensor: a shorter message is an
error, not a tensor left half old.
"""

from __future__ import annotations

from ..frontend.tensor import Tensor
from . import buffers
from ._mpi import mpi
from .collectives import member, root_of
from .process_group import ProcessGroup
from .work import Work

__all__ = ["send", "recv", "isend", "irecv"]


def _peer(pg: ProcessGroup, rank: int, op: str, arg: str, blocking: bool) -> int:
    peer = root_of(pg, rank, op, arg)
    if blocking and peer == pg._rank:
        raise ValueError(f"{op}: {arg}={rank} is this process's own rank; a blocking "
                         f"{op} to itself would deadlock (use isend/irecv)")
    return peer


def _check_count(t: Tensor, buf, status, pg: ProcessGroup, op: str) -> None:
    got = status.Get_count(mpi().BYTE)
    if got != t.nbytes:
        raise RuntimeError(f"{op}: rank {pg.ranks[status.Get_source()]} sent {got} bytes "
                           f"but the tensor {t._dtype.name}{list(t.shape)} holds "
                           f"{t.nbytes}; both sides must use the same shape and dtype")
    buffers.written(t, buf)


def send(tensor: Tensor, dst: int, group: ProcessGroup | None = None, tag: int = 0) -> None:
    """Send ``tensor`` to rank ``dst``; returns once the buffer may be reused.

    Args:
        tensor: the data (contiguous, any device).
        dst: the global rank to send to.
        group: the process group (default: the world).
        tag: matches this send with a ``recv`` of the same tag.
    """
    pg = member(group, "send")
    if pg is None:
        return
    peer = _peer(pg, dst, "send", "dst", True)
    pg.comm.Send(buffers.read(tensor, "send", "tensor"), peer, tag)


def recv(tensor: Tensor, src: int | None = None, group: ProcessGroup | None = None,
         tag: int = 0) -> int:
    """Receive into ``tensor`` from rank ``src`` (any rank if ``None``).

    Returns:
        The global rank the message came from (-1 when this rank is not in ``group``).
    """
    pg = member(group, "recv")
    if pg is None:
        return -1
    MPI = mpi()
    peer = MPI.ANY_SOURCE if src is None else _peer(pg, src, "recv", "src", True)
    buf = buffers.out(tensor, "recv", "tensor")
    status = MPI.Status()
    pg.comm.Recv(buf, peer, tag, status)
    _check_count(tensor, buf, status, pg, "recv")
    return pg.ranks[status.Get_source()]


def isend(tensor: Tensor, dst: int, group: ProcessGroup | None = None,
          tag: int = 0) -> Work | None:
    """Start sending ``tensor`` to rank ``dst``; don't modify it before ``wait()``."""
    pg = member(group, "isend")
    if pg is None:
        return None
    peer = _peer(pg, dst, "isend", "dst", False)
    buf = buffers.read(tensor, "isend", "tensor")
    return Work([pg.comm.Isend(buf, peer, tag)], None, (buf,), [tensor], pg.timeout)


def irecv(tensor: Tensor, src: int | None = None, group: ProcessGroup | None = None,
          tag: int = 0) -> Work | None:
    """Start receiving into ``tensor`` from rank ``src`` (any rank if ``None``)."""
    pg = member(group, "irecv")
    if pg is None:
        return None
    MPI = mpi()
    peer = MPI.ANY_SOURCE if src is None else _peer(pg, src, "irecv", "src", False)
    buf = buffers.out(tensor, "irecv", "tensor")
    status = MPI.Status()
    return Work([pg.comm.Irecv(buf, peer, tag)],
                lambda: _check_count(tensor, buf, status, pg, "irecv"), (buf,), [tensor],
                pg.timeout, [status])
