"""Kernels written once against an array module ``xp`` (NumPy or CuPy), Chainer-style.

Each submodule has ``kernels(xp) -> dict[op name, callable]``; a backend merges them
and overrides what it does better.
"""

from __future__ import annotations

from . import creation, elementwise, indexing, linalg, nn, reductions, shape
from . import complex

__all__ = ["kernels"]


def kernels(xp) -> dict:
    """All shared kernels for the array module ``xp``."""
    table = {}
    for mod in (elementwise, reductions, linalg, shape, indexing, creation, nn):
        table.update(mod.kernels(xp))
    table.update(complex.kernels(xp))
    return table
