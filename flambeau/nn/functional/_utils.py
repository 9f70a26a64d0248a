"""Argument helpers shared by the functional modules."""

from __future__ import annotations


def pair(v, name: str, op: str, n: int = 2) -> tuple:
    """``3`` -> ``(3, 3)``; a sequence of ``n`` ints passes; anything else is an error."""
    if isinstance(v, int) and not isinstance(v, bool):
        return (v,) * n
    v = tuple(v)
    if len(v) == 1:
        return v * n
    if len(v) != n or not all(isinstance(x, int) for x in v):
        raise ValueError(f"{op}(): {name} must be an int or a tuple of {n} ints, got {v!r}")
    return v


def check_dim(x, dims: tuple, op: str, what: str) -> None:
    if x.dim() not in dims:
        raise RuntimeError(f"{op}(): expected {what} input, got a {x.dim()}-D tensor of "
                           f"shape {list(x.shape)}")
