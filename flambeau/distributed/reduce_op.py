"""``ReduceOp``: how collectives combine values, and the MPI operation for each dtype.

MPI has no average, so ``AVG`` runs as ``SUM`` and the result is divided by the group
size. MPI's arithmetic operations are not defined on booleans, so for ``bool`` tensors
``SUM``/``MAX``/``BOR`` run as logical or, ``PRODUCT``/``MIN``/``BAND`` as logical
and, ``BXOR`` as logical xor, which is what those operations mean on truth values.
"""

from __future__ import annotations

import enum

from ._mpi import mpi

__all__ = ["ReduceOp", "mpi_op"]


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
_TABLE: dict = {}  # (ReduceOp, dtype category) -> MPI.Op, filled on first use


def _fill() -> None:
    MPI = mpi()
    by_name = {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
               ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
               ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}
    logical = {ReduceOp.SUM: MPI.LOR, ReduceOp.MAX: MPI.LOR, ReduceOp.BOR: MPI.LOR,
               ReduceOp.PRODUCT: MPI.LAND, ReduceOp.MIN: MPI.LAND,
               ReduceOp.BAND: MPI.LAND, ReduceOp.BXOR: MPI.LXOR}
    for op, mop in by_name.items():
        if op is not ReduceOp.AVG:
            _TABLE[op, 1] = mop  # integers
        if op not in _BITWISE:
            _TABLE[op, 2] = mop  # floating point
    for op, mop in logical.items():
        _TABLE[op, 0] = mop  # bool


def mpi_op(op, dtype, name: str):
    """The MPI operation that does ``op`` on ``dtype``; a clear error if none does."""
    try:
        return _TABLE[op, dtype.category]
    except KeyError:
        pass
    if not _TABLE:
        _fill()
        if (op, dtype.category) in _TABLE:
            return _TABLE[op, dtype.category]
    if not isinstance(op, ReduceOp):
        raise TypeError(f"{name}: op must be a dist.ReduceOp, got {op!r}")
    if op is ReduceOp.AVG:
        raise ValueError(f"{name}: ReduceOp.AVG needs a floating-point tensor, got "
                         f"{dtype.name}; use SUM and divide, or convert with .float()")
    raise ValueError(f"{name}: {op!r} is a bitwise operation and needs an integer or "
                     f"bool tensor, got {dtype.name}")
