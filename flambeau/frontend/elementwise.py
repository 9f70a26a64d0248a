"""Elementwise functions: unary math, binary arithmetic, comparisons, where, clamp.

The functions of one or two tensors that only pass them on (``fl.exp``, ``fl.mul``,
``fl.eq``, ...) are generated from their op-table rows into
:mod:`flambeau.frontend.elementwise_generated` and re-exported here. This module holds
the ones that parse more arguments (``add``/``sub`` take ``alpha``, ``div`` takes
``rounding_mode``) or compose rows (``where``, ``clamp``, ``isclose``, ...). Names and
aliases are PyTorch's.
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.dtypes import bool_
from ..dispatcher.optable import OPS
from . import elementwise_generated as _rows
from .elementwise_generated import *  # noqa: F401,F403  (fl.exp, fl.mul, ...)
from .operands import operand as _operand
from .tensor import Tensor

_call = dispatch.call
# the generated cores that add, sub and div wrap (and that the operators run)
_add, _sub, _mul, _div = _rows.add, _rows.sub, _rows.mul, _rows.div

__all__ = list(_rows.__all__) + [
    "add", "sub", "subtract", "div", "divide", "true_divide", "rsub", "round",
    "nan_to_num", "square", "positive", "where", "clamp", "clip", "clamp_min",
    "clamp_max", "lerp", "float_power", "isclose", "allclose", "equal"]


def _scaled(other, alpha):
    # a Python number stays a (weak) Python number: wrapping it in a tensor would let
    # it promote a 0-d input (int8 0-d + 2 * 2 must stay int8)
    if isinstance(other, (bool, int, float)):
        return other * alpha
    return _mul(other, alpha)


def add(input, other, *, alpha=1) -> Tensor:
    """``input + alpha * other``, broadcasting, with PyTorch's type promotion.

    Example::

        >>> fl.add(fl.tensor([1, 2]), 2.5)
        tensor([3.5000, 4.5000])
    """
    if alpha != 1:
        other = _scaled(other, alpha)
    return _add(input, other)


def sub(input, other, *, alpha=1) -> Tensor:
    """``input - alpha * other``, broadcasting, with PyTorch's type promotion."""
    if alpha != 1:
        other = _scaled(other, alpha)
    return _sub(input, other)


subtract = sub


def div(input, other, *, rounding_mode: str | None = None) -> Tensor:
    """Division. ``rounding_mode``: ``None`` (true division, integers give floats),
    ``"trunc"`` (round toward zero) or ``"floor"`` (round down)."""
    if rounding_mode is None:
        return _div(input, other)
    if rounding_mode == "floor":
        return _rows.floor_divide(input, other)
    if rounding_mode == "trunc":
        other = _operand(other, input, "div")
        return _call(OPS["trunc_divide"], input, other)
    raise ValueError(f"div(): rounding_mode must be None, 'trunc' or 'floor', got "
                     f"{rounding_mode!r}")


divide = true_divide = div


def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input``."""
    return sub(other, input, alpha=alpha)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Round half to even; ``decimals`` places after the point."""
    return _call(OPS["round"], input, decimals=decimals)


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """Replace NaN, +inf and -inf (by default with 0 and the dtype's max/min)."""
    return _call(OPS["nan_to_num"], input, nan=nan, posinf=posinf, neginf=neginf)


def square(input: Tensor) -> Tensor:
    """``input * input``; bool inputs give int64, as PyTorch's ``pow(input, 2)`` does."""
    if isinstance(input, Tensor) and input._dtype is bool_:
        return _rows.pow(input, 2)
    return _mul(input, input)


def positive(input: Tensor) -> Tensor:
    """``input`` itself (``+x``); bool tensors are refused, like PyTorch."""
    if input._dtype is bool_:
        raise TypeError("positive(): not supported for bool tensors")
    return input


def where(condition: Tensor, input=None, other=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``.

    With only ``condition``, the same as ``nonzero(condition, as_tuple=True)``.
    """
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    condition = _operand(condition, None, "where")
    if not isinstance(condition, Tensor) or condition._dtype is not bool_:
        got = condition._dtype.name if isinstance(condition, Tensor) else type(condition)
        raise RuntimeError(f"where(): expected condition to be a bool tensor, got {got}")
    input = _operand(input, condition, "where")
    other = _operand(other, condition, "where")
    return _call(OPS["where"], condition, input, other)


def clamp(input: Tensor, min=None, max=None) -> Tensor:
    """Limit values to ``[min, max]``; either bound may be a number, a tensor or None."""
    if min is None and max is None:
        raise RuntimeError("clamp(): At least one of 'min' or 'max' must not be None")
    min = None if min is None else _operand(min, input, "clamp")
    max = None if max is None else _operand(max, input, "clamp")
    return _call(OPS["clamp"], input, min, max)


clip = clamp


def clamp_min(input: Tensor, min) -> Tensor:
    """Limit values from below: ``clamp(input, min=min)``."""
    return clamp(input, min=min)


def clamp_max(input: Tensor, max) -> Tensor:
    """Limit values from above: ``clamp(input, max=max)``."""
    return clamp(input, max=max)


def lerp(input: Tensor, end: Tensor, weight) -> Tensor:
    """``input + weight * (end - input)``."""
    return _call(OPS["lerp"], input, end, _operand(weight, input, "lerp"))


def float_power(input, exponent) -> Tensor:
    """``input ** exponent`` computed in float64."""
    from ..dispatcher.dtypes import float64
    if isinstance(input, Tensor):
        input = input.to(float64)
    if isinstance(exponent, Tensor):
        exponent = exponent.to(float64)
    return _rows.pow(input, exponent)


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|``, elementwise."""
    if getattr(input, "dtype", None) is bool_ and getattr(other, "dtype", None) is bool_:
        return _rows.eq(input, other)  # bools are close when equal, as PyTorch's
    close = _rows.le(_rows.abs(_sub(input, other)), _add(_mul(_rows.abs(other), rtol), atol))
    close = _rows.logical_or(close, _rows.eq(input, other))
    if equal_nan:
        close = _rows.logical_or(close, _rows.logical_and(_rows.isnan(input),
                                                          _rows.isnan(other)))
    return close


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether every element of ``input`` is close to ``other`` (see :func:`isclose`)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input: Tensor, other: Tensor) -> bool:
    """Whether both tensors have the same shape and elements."""
    return input.shape == other.shape and bool(_rows.eq(input, other).all())
