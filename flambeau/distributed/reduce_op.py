"""``ReduceOp``: how collectives combine values, and the MPI operation for each dtype.

MPI has no average, so ``AVG`` runs as ``SUM`` and the result is divided by the group
size. MPI's arithmetic operations are not defined on booleans, so for ``bool`` tensors
``SUM``/``MAX``/``BOR`` run as logical or, ``PRODUCT``/``MIN``/``BAND`` as logical
and, ``BXOR`` as logical xor, which is what those operations mean on truth values.
"""

from __future__ import annotations

import enum

from ._mpi import mpi

__all__ = ["ReduceOp", "mpi_op", "fill_mpi_ops"]


class ReduceOp(enum.Enum):
    """Reduction operations for :func:`all_reduce`, :func:`reduce` and the
    reduce-scatters: ``SUM``, ``AVG`` (floating point), ``PRODUCT``, ``MIN``, ``MAX``,
    and the bitwise ``BAND``, ``BOR``, ``BXOR`` (integers and bool)."""

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"

    def __repr__(self) -> str:
        return f"ReduceOp.{self.name}"


_BITWISE = (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR)


def fill_mpi_ops() -> None:
    """Give every ReduceOp its MPI operations, indexed by dtype category (bool,
    integer, floating point; ``None`` where the operation is not defined)."""
    MPI = mpi()
    by_name = {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
               ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
               ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}
    logical = {ReduceOp.SUM: MPI.LOR, ReduceOp.MAX: MPI.LOR, ReduceOp.BOR: MPI.LOR,
               ReduceOp.PRODUCT: MPI.LAND, ReduceOp.MIN: MPI.LAND,
               ReduceOp.BAND: MPI.LAND, ReduceOp.BXOR: MPI.LXOR}
    for op, mop in by_name.items():
        op._mpi = (logical.get(op),
                   None if op is ReduceOp.AVG else mop,
                   None if op in _BITWISE else mop)


def mpi_op(op, dtype, name: str):
    """The MPI operation that does ``op`` on ``dtype``; a clear error if none does."""
    table = getattr(op, "_mpi", None)
    if table is None:
        if not isinstance(op, ReduceOp):
            raise TypeError(f"{name}: op must be a dist.ReduceOp, got {op!r}")
        fill_mpi_ops()
        table = op._mpi
    mop = table[dtype.category]
    if mop is not None:
        return mop
    if op is ReduceOp.AVG:
        raise ValueError(f"{name}: ReduceOp.AVG needs a floating-point tensor, got "
                         f"{dtype.name}; use SUM and divide, or convert with .float()")
    raise ValueError(f"{name}: {op!r} is a bitwise operation and needs an integer or "
                     f"bool tensor, got {dtype.name}")
