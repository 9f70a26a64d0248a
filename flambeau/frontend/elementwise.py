"""Elementwise functions: unary math, binary arithmetic, comparisons, where, clamp.

Each function is a thin parse of Python arguments ending in ``dispatch.call``; the
names and aliases are PyTorch's.
"""

from __future__ import annotations

from numbers import Number

from ..dispatcher import dispatch
from ..dispatcher.dtypes import bool_
from ..dispatcher.optable import OPS
from .tensor import Tensor

_call = dispatch.call
_binary = dispatch.binary
_unary = dispatch.unary
_UNARY = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin",
          "cos", "tan", "tanh", "sigmoid", "erf", "reciprocal", "abs", "sign", "relu",
          "neg", "floor", "ceil", "trunc", "isnan", "isinf", "isfinite", "logical_not",
          "bitwise_not")
_BINARY = ("add", "sub", "mul", "div", "maximum", "minimum", "pow", "remainder", "fmod",
           "floor_divide", "atan2", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
           "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
           "bitwise_left_shift", "bitwise_right_shift")
__all__ = []  # filled below from the tables

_ALIASES = {"subtract": "sub", "multiply": "mul", "divide": "div", "true_divide": "div",
            "negative": "neg", "absolute": "abs", "arctan2": "atan2", "not_equal": "ne",
            "less": "lt", "less_equal": "le", "greater": "gt", "greater_equal": "ge",
            "fix": "trunc", "special_expit": "sigmoid"}


def _operand(x, like: Tensor | None, name: str):
    """Tensors and Python numbers pass; NumPy arrays and lists become tensors."""
    if isinstance(x, (Tensor, bool, int, float)):
        return x
    if isinstance(x, Number):  # NumPy scalars
        return x.item()
    from .creation import as_tensor
    try:
        return as_tensor(x, device=like._device if like is not None else None)
    except TypeError:
        raise TypeError(f"{name}(): unsupported operand of type {type(x).__name__}; "
                        f"expected a Tensor or a number") from None


def _make_unary(name: str):
    row = OPS[name]

    def fn(input: Tensor) -> Tensor:
        return _unary(row, input)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Elementwise ``{name}`` of ``input``; see the op table row "
                  f"``{name}`` for its dtype rule.")
    return fn


def _make_binary(name: str):
    row = OPS[name]

    def fn(input, other) -> Tensor:
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(row, input, other)
        if other.__class__ is not Tensor:
            other = _operand(other, input if isinstance(input, Tensor) else None, name)
        if input.__class__ is not Tensor:
            input = _operand(input, other if isinstance(other, Tensor) else None, name)
            if not isinstance(input, Tensor) and not isinstance(other, Tensor):
                from .creation import tensor
                input = tensor(input)
        return _binary(row, input, other)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Elementwise ``{name}`` of ``input`` and ``other`` with broadcasting "
                  f"and type promotion; either may be a Python number.")
    return fn


_g = globals()
for _n in _UNARY:
    _g[_n] = _make_unary(_n)
for _n in _BINARY:
    _g[_n] = _make_binary(_n)
for _alias, _n in _ALIASES.items():
    _g[_alias] = _g[_n]

_add, _sub, _mul, _div = _g["add"], _g["sub"], _g["mul"], _g["div"]
__all__ += list(_UNARY + _BINARY) + list(_ALIASES) + [
    "rsub", "round", "nan_to_num", "square", "positive", "where", "clamp", "clip",
    "clamp_min", "clamp_max", "lerp", "float_power", "isclose", "allclose", "equal"]


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
        return _g["floor_divide"](input, other)
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
        return _g["pow"](input, 2)
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
    return _g["pow"](input, exponent)


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|``, elementwise."""
    close = _g["le"](_g["abs"](_sub(input, other)), _add(_mul(_g["abs"](other), rtol), atol))
    close = _g["logical_or"](close, _g["eq"](input, other))
    if equal_nan:
        close = _g["logical_or"](close, _g["logical_and"](_g["isnan"](input),
                                                         _g["isnan"](other)))
    return close


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether every element of ``input`` is close to ``other`` (see :func:`isclose`)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input: Tensor, other: Tensor) -> bool:
    """Whether both tensors have the same shape and elements."""
    return input.shape == other.shape and bool(_g["eq"](input, other).all())
