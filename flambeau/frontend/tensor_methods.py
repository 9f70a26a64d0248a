"""Tensor methods and operators, generated from the op table: do not edit by hand.

Written by ``python -m flambeau.frontend.codegen``. :class:`~flambeau.frontend.tensor.Tensor`
inherits :class:`TensorMethods`, which holds one ``def`` per method: the rows of
:mod:`flambeau.dispatcher.optable` with ``method``, ``inplace`` or ``operators``
set, and the frontend functions in the table of :mod:`flambeau.frontend.codegen`.
A method is the frontend function of its name with the tensor first; those of
generated rows repeat that function's one-line body, so ``x.exp()`` and ``x + y``
cost what ``fl.exp(x)`` costs. In-place variants are the callables
:func:`flambeau.frontend.inplace.make_inplace` builds.

The frontend modules import :mod:`flambeau.frontend.tensor` (for ``Tensor``), which
imports this one, so they are bound by :func:`bind_frontend` once ``Tensor``
exists: ``tensor.py`` calls it last.
"""
# The bodies pass self (a TensorMethods to mypy, always a Tensor at run time) to
# functions typed for Tensor; a mixin cannot say so otherwise.
# mypy: disable-error-code="arg-type"

from __future__ import annotations

from typing import TYPE_CHECKING

from ..dispatcher import dispatch
from ..dispatcher.optable import OPS

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..dispatcher.dtypes import DType
    from .tensor import Tensor
    from . import elementwise, reductions, shape_ops, indexing, linalg, random, inplace, complex_ops
    from .operands import binary as _operands

__all__ = ["TensorMethods", "bind_frontend"]

_unary = dispatch.unary
_binary = dispatch.binary

_EXP = OPS["exp"]
_EXP2 = OPS["exp2"]
_EXPM1 = OPS["expm1"]
_LOG = OPS["log"]
_LOG2 = OPS["log2"]
_LOG10 = OPS["log10"]
_LOG1P = OPS["log1p"]
_SQRT = OPS["sqrt"]
_RSQRT = OPS["rsqrt"]
_SIN = OPS["sin"]
_COS = OPS["cos"]
_TAN = OPS["tan"]
_TANH = OPS["tanh"]
_SIGMOID = OPS["sigmoid"]
_ERF = OPS["erf"]
_RECIPROCAL = OPS["reciprocal"]
_ABS = OPS["abs"]
_SIGN = OPS["sign"]
_RELU = OPS["relu"]
_NEG = OPS["neg"]
_FLOOR = OPS["floor"]
_CEIL = OPS["ceil"]
_TRUNC = OPS["trunc"]
_ISNAN = OPS["isnan"]
_ISINF = OPS["isinf"]
_ISFINITE = OPS["isfinite"]
_LOGICAL_NOT = OPS["logical_not"]
_BITWISE_NOT = OPS["bitwise_not"]
_MUL = OPS["mul"]
_MAXIMUM = OPS["maximum"]
_MINIMUM = OPS["minimum"]
_POW = OPS["pow"]
_REMAINDER = OPS["remainder"]
_FMOD = OPS["fmod"]
_FLOOR_DIVIDE = OPS["floor_divide"]
_ATAN2 = OPS["atan2"]
_EQ = OPS["eq"]
_NE = OPS["ne"]
_LT = OPS["lt"]
_LE = OPS["le"]
_GT = OPS["gt"]
_GE = OPS["ge"]
_LOGICAL_AND = OPS["logical_and"]
_LOGICAL_OR = OPS["logical_or"]
_LOGICAL_XOR = OPS["logical_xor"]
_BITWISE_AND = OPS["bitwise_and"]
_BITWISE_OR = OPS["bitwise_or"]
_BITWISE_XOR = OPS["bitwise_xor"]
_BITWISE_LEFT_SHIFT = OPS["bitwise_left_shift"]
_BITWISE_RIGHT_SHIFT = OPS["bitwise_right_shift"]
_ADD = OPS["add"]
_SUB = OPS["sub"]
_DIV = OPS["div"]

# the in-place methods' callables, by method name; filled by bind_frontend
_INPLACE: dict[str, Callable[..., Tensor]] = {}


class TensorMethods:
    """The methods and operators of :class:`~flambeau.frontend.tensor.Tensor` that
    are frontend functions (``x.sum(0)`` is ``fl.sum(x, 0)``), generated from the op
    table."""

    # --- elementwise ----------------------------------------------------------------------

    def exp(self) -> Tensor:
        """The exponential of each element, ``e ** input``. See :func:`flambeau.exp`."""
        return _unary(_EXP, self)

    def exp2(self) -> Tensor:
        """Two to the power of each element, ``2 ** input``. See :func:`flambeau.exp2`."""
        return _unary(_EXP2, self)

    def expm1(self) -> Tensor:
        """``exp(input) - 1`` of each element, accurate for small inputs. See
        :func:`flambeau.expm1`.
        """
        return _unary(_EXPM1, self)

    def log(self) -> Tensor:
        """The natural logarithm of each element. See :func:`flambeau.log`."""
        return _unary(_LOG, self)

    def log2(self) -> Tensor:
        """The base-2 logarithm of each element. See :func:`flambeau.log2`."""
        return _unary(_LOG2, self)

    def log10(self) -> Tensor:
        """The base-10 logarithm of each element. See :func:`flambeau.log10`."""
        return _unary(_LOG10, self)

    def log1p(self) -> Tensor:
        """``log(1 + input)`` of each element, accurate for small inputs. See
        :func:`flambeau.log1p`.
        """
        return _unary(_LOG1P, self)

    def sqrt(self) -> Tensor:
        """The square root of each element. See :func:`flambeau.sqrt`."""
        return _unary(_SQRT, self)

    def rsqrt(self) -> Tensor:
        """The reciprocal of the square root of each element, ``1 / sqrt(input)``. See
        :func:`flambeau.rsqrt`.
        """
        return _unary(_RSQRT, self)

    def sin(self) -> Tensor:
        """The sine of each element (in radians). See :func:`flambeau.sin`."""
        return _unary(_SIN, self)

    def cos(self) -> Tensor:
        """The cosine of each element (in radians). See :func:`flambeau.cos`."""
        return _unary(_COS, self)

    def tan(self) -> Tensor:
        """The tangent of each element (in radians). See :func:`flambeau.tan`."""
        return _unary(_TAN, self)

    def tanh(self) -> Tensor:
        """The hyperbolic tangent of each element. See :func:`flambeau.tanh`."""
        return _unary(_TANH, self)

    def sigmoid(self) -> Tensor:
        """The logistic sigmoid of each element, ``1 / (1 + exp(-input))``. See
        :func:`flambeau.sigmoid`.
        """
        return _unary(_SIGMOID, self)
    special_expit = sigmoid

    def erf(self) -> Tensor:
        """The Gauss error function of each element. See :func:`flambeau.erf`."""
        return _unary(_ERF, self)

    def reciprocal(self) -> Tensor:
        """The reciprocal of each element, ``1 / input``. See :func:`flambeau.reciprocal`."""
        return _unary(_RECIPROCAL, self)

    def abs(self) -> Tensor:
        """The absolute value of each element. See :func:`flambeau.abs`."""
        return _unary(_ABS, self)
    absolute = abs

    def sign(self) -> Tensor:
        """The sign of each element: -1, 0 or 1. See :func:`flambeau.sign`."""
        return _unary(_SIGN, self)

    def relu(self) -> Tensor:
        """The rectified linear unit of each element, ``max(input, 0)``. See :func:`flambeau.relu`.
        """
        return _unary(_RELU, self)

    def neg(self) -> Tensor:
        """The negation of each element, ``-input``. See :func:`flambeau.neg`."""
        return _unary(_NEG, self)
    negative = neg

    def floor(self) -> Tensor:
        """The largest integer not greater than each element. Integer inputs are returned unchanged
        (as a copy). See :func:`flambeau.floor`.
        """
        return _unary(_FLOOR, self)

    def ceil(self) -> Tensor:
        """The smallest integer not less than each element. Integer inputs are returned unchanged
        (as a copy). See :func:`flambeau.ceil`.
        """
        return _unary(_CEIL, self)

    def trunc(self) -> Tensor:
        """Each element rounded toward zero. Integer inputs are returned unchanged (as a copy). See
        :func:`flambeau.trunc`.
        """
        return _unary(_TRUNC, self)
    fix = trunc

    def round(self, *, decimals: int = 0) -> Tensor:
        """Round half to even; ``decimals`` places after the point. See :func:`flambeau.round`."""
        return elementwise.round(self, decimals=decimals)

    def isnan(self) -> Tensor:
        """Whether each element is NaN. See :func:`flambeau.isnan`."""
        return _unary(_ISNAN, self)

    def isinf(self) -> Tensor:
        """Whether each element is positive or negative infinity. See :func:`flambeau.isinf`."""
        return _unary(_ISINF, self)

    def isfinite(self) -> Tensor:
        """Whether each element is finite (neither NaN nor infinite). See :func:`flambeau.isfinite`.
        """
        return _unary(_ISFINITE, self)

    def logical_not(self) -> Tensor:
        """Whether each element is zero (logical not). See :func:`flambeau.logical_not`."""
        return _unary(_LOGICAL_NOT, self)

    def bitwise_not(self) -> Tensor:
        """The bitwise not of each element (logical not for bool). See :func:`flambeau.bitwise_not`.
        """
        return _unary(_BITWISE_NOT, self)

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None,
                   neginf: float | None = None) -> Tensor:
        """Replace NaN, +inf and -inf (by default with 0 and the dtype's max/min). See
        :func:`flambeau.nan_to_num`.
        """
        return elementwise.nan_to_num(self, nan, posinf, neginf)

    def add(self, other, *, alpha=1) -> Tensor:
        """``input + alpha * other``, broadcasting, with PyTorch's type promotion. See
        :func:`flambeau.add`.
        """
        return elementwise.add(self, other, alpha=alpha)

    def mul(self, other: Tensor | float) -> Tensor:
        """``input * other``, elementwise. See :func:`flambeau.mul`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_MUL, self, other)
        return _operands(_MUL, self, other)
    multiply = mul

    def maximum(self, other: Tensor | float) -> Tensor:
        """The larger of ``input`` and ``other`` at each position (NaN if either is NaN). See
        :func:`flambeau.maximum`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_MAXIMUM, self, other)
        return _operands(_MAXIMUM, self, other)

    def minimum(self, other: Tensor | float) -> Tensor:
        """The smaller of ``input`` and ``other`` at each position (NaN if either is NaN). See
        :func:`flambeau.minimum`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_MINIMUM, self, other)
        return _operands(_MINIMUM, self, other)

    def pow(self, other: Tensor | float) -> Tensor:
        """``input`` to the power ``other``, elementwise. Integers to negative integer powers are an
        error. See :func:`flambeau.pow`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_POW, self, other)
        return _operands(_POW, self, other)

    def remainder(self, other: Tensor | float) -> Tensor:
        """The remainder of ``input / other`` with the sign of ``other``, like Python's ``%``. See
        :func:`flambeau.remainder`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_REMAINDER, self, other)
        return _operands(_REMAINDER, self, other)

    def fmod(self, other: Tensor | float) -> Tensor:
        """The remainder of ``input / other`` with the sign of ``input``, like C's ``fmod``. See
        :func:`flambeau.fmod`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_FMOD, self, other)
        return _operands(_FMOD, self, other)

    def sub(self, other, *, alpha=1) -> Tensor:
        """``input - alpha * other``, broadcasting, with PyTorch's type promotion. See
        :func:`flambeau.sub`.
        """
        return elementwise.sub(self, other, alpha=alpha)
    subtract = sub

    def div(self, other, *, rounding_mode: str | None = None) -> Tensor:
        """Division. ``rounding_mode``: ``None`` (true division, integers give floats), ``"trunc"``
        (round toward zero) or ``"floor"`` (round down). See :func:`flambeau.div`.
        """
        return elementwise.div(self, other, rounding_mode=rounding_mode)
    divide = div
    true_divide = div

    def floor_divide(self, other: Tensor | float) -> Tensor:
        """``input / other`` rounded down, like Python's ``//``. See :func:`flambeau.floor_divide`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_FLOOR_DIVIDE, self, other)
        return _operands(_FLOOR_DIVIDE, self, other)

    def atan2(self, other: Tensor | float) -> Tensor:
        """The angle of the point ``(other, input)`` in radians, ``atan(input / other)`` in the
        right quadrant. See :func:`flambeau.atan2`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_ATAN2, self, other)
        return _operands(_ATAN2, self, other)
    arctan2 = atan2

    def eq(self, other: Tensor | float) -> Tensor:
        """Whether ``input == other`` at each position. See :func:`flambeau.eq`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_EQ, self, other)
        return _operands(_EQ, self, other)

    def ne(self, other: Tensor | float) -> Tensor:
        """Whether ``input != other`` at each position. See :func:`flambeau.ne`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_NE, self, other)
        return _operands(_NE, self, other)
    not_equal = ne

    def lt(self, other: Tensor | float) -> Tensor:
        """Whether ``input < other`` at each position. See :func:`flambeau.lt`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_LT, self, other)
        return _operands(_LT, self, other)
    less = lt

    def le(self, other: Tensor | float) -> Tensor:
        """Whether ``input <= other`` at each position. See :func:`flambeau.le`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_LE, self, other)
        return _operands(_LE, self, other)
    less_equal = le

    def gt(self, other: Tensor | float) -> Tensor:
        """Whether ``input > other`` at each position. See :func:`flambeau.gt`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_GT, self, other)
        return _operands(_GT, self, other)
    greater = gt

    def ge(self, other: Tensor | float) -> Tensor:
        """Whether ``input >= other`` at each position. See :func:`flambeau.ge`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_GE, self, other)
        return _operands(_GE, self, other)
    greater_equal = ge

    def logical_and(self, other: Tensor | float) -> Tensor:
        """Whether both ``input`` and ``other`` are non-zero at each position. See
        :func:`flambeau.logical_and`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_LOGICAL_AND, self, other)
        return _operands(_LOGICAL_AND, self, other)

    def logical_or(self, other: Tensor | float) -> Tensor:
        """Whether ``input`` or ``other`` is non-zero at each position. See
        :func:`flambeau.logical_or`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_LOGICAL_OR, self, other)
        return _operands(_LOGICAL_OR, self, other)

    def logical_xor(self, other: Tensor | float) -> Tensor:
        """Whether exactly one of ``input`` and ``other`` is non-zero at each position. See
        :func:`flambeau.logical_xor`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_LOGICAL_XOR, self, other)
        return _operands(_LOGICAL_XOR, self, other)

    def bitwise_and(self, other: Tensor | float) -> Tensor:
        """The bitwise and of ``input`` and ``other`` (logical for bool). See
        :func:`flambeau.bitwise_and`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_AND, self, other)
        return _operands(_BITWISE_AND, self, other)

    def bitwise_or(self, other: Tensor | float) -> Tensor:
        """The bitwise or of ``input`` and ``other`` (logical for bool). See
        :func:`flambeau.bitwise_or`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_OR, self, other)
        return _operands(_BITWISE_OR, self, other)

    def bitwise_xor(self, other: Tensor | float) -> Tensor:
        """The bitwise xor of ``input`` and ``other`` (logical for bool). See
        :func:`flambeau.bitwise_xor`.
        """
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_XOR, self, other)
        return _operands(_BITWISE_XOR, self, other)

    def bitwise_left_shift(self, other: Tensor | float) -> Tensor:
        """``input`` shifted left by ``other`` bits. See :func:`flambeau.bitwise_left_shift`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_LEFT_SHIFT, self, other)
        return _operands(_BITWISE_LEFT_SHIFT, self, other)

    def bitwise_right_shift(self, other: Tensor | float) -> Tensor:
        """``input`` shifted right by ``other`` bits. See :func:`flambeau.bitwise_right_shift`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_RIGHT_SHIFT, self, other)
        return _operands(_BITWISE_RIGHT_SHIFT, self, other)

    def lerp(self, end: Tensor, weight) -> Tensor:
        """``input + weight * (end - input)``. See :func:`flambeau.lerp`."""
        return elementwise.lerp(self, end, weight)

    def clamp(self, min=None, max=None) -> Tensor:
        """Limit values to ``[min, max]``; either bound may be a number, a tensor or None. See
        :func:`flambeau.clamp`.
        """
        return elementwise.clamp(self, min, max)
    clip = clamp

    def rsub(self, other, *, alpha=1) -> Tensor:
        """``other - alpha * input``. See :func:`flambeau.rsub`."""
        return elementwise.rsub(self, other, alpha=alpha)

    def square(self) -> Tensor:
        """``input * input``; bool inputs give int64, as PyTorch's ``pow(input, 2)`` does. See
        :func:`flambeau.square`.
        """
        return elementwise.square(self)

    def positive(self) -> Tensor:
        """``input`` itself (``+x``); bool tensors are refused, like PyTorch. See
        :func:`flambeau.positive`.
        """
        return elementwise.positive(self)

    def clamp_min(self, min) -> Tensor:
        """Limit values from below: ``clamp(input, min=min)``. See :func:`flambeau.clamp_min`."""
        return elementwise.clamp_min(self, min)

    def clamp_max(self, max) -> Tensor:
        """Limit values from above: ``clamp(input, max=max)``. See :func:`flambeau.clamp_max`."""
        return elementwise.clamp_max(self, max)

    def float_power(self, exponent) -> Tensor:
        """``input ** exponent`` computed in float64. See :func:`flambeau.float_power`."""
        return elementwise.float_power(self, exponent)

    def isclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> Tensor:
        """``|input - other| <= atol + rtol * |other|``, elementwise. See :func:`flambeau.isclose`.
        """
        return elementwise.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        """Whether every element of ``input`` is close to ``other`` (see :func:`isclose`). See
        :func:`flambeau.allclose`.
        """
        return elementwise.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other: Tensor) -> bool:
        """Whether both tensors have the same shape and elements. See :func:`flambeau.equal`."""
        return elementwise.equal(self, other)

    # --- reductions -----------------------------------------------------------------------

    def sum(self, dim=None, keepdim: bool = False, *, dtype: DType | None = None) -> Tensor:
        """Sum over ``dim`` (an int, a tuple, or all when ``None``). See :func:`flambeau.sum`."""
        return reductions.sum(self, dim, keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim: bool = False, *, dtype: DType | None = None) -> Tensor:
        """Product over ``dim`` (a single int in PyTorch; tuples also accepted). See
        :func:`flambeau.prod`.
        """
        return reductions.prod(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim: bool = False, *, dtype: DType | None = None) -> Tensor:
        """Mean over ``dim``; the input must be floating point (or pass ``dtype``). See
        :func:`flambeau.mean`.
        """
        return reductions.mean(self, dim, keepdim, dtype=dtype)

    def amax(self, dim=(), keepdim: bool = False) -> Tensor:
        """Maximum over ``dim`` (all dims by default); gradients split evenly on ties. See
        :func:`flambeau.amax`.
        """
        return reductions.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim: bool = False) -> Tensor:
        """Minimum over ``dim`` (all dims by default). See :func:`flambeau.amin`."""
        return reductions.amin(self, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the first maximum, over the flattened tensor when ``dim`` is None. See
        :func:`flambeau.argmax`.
        """
        return reductions.argmax(self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the first minimum, over the flattened tensor when ``dim`` is None. See
        :func:`flambeau.argmin`.
        """
        return reductions.argmin(self, dim, keepdim)

    def var(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None) -> Tensor:
        """Variance over ``dim`` with Bessel's ``correction`` (1 by default, like PyTorch). See
        :func:`flambeau.var`.
        """
        return reductions.var(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim, keepdim: bool = False) -> Tensor:
        """``log(sum(exp(input), dim))`` computed without overflow. See :func:`flambeau.logsumexp`.
        """
        return reductions.logsumexp(self, dim, keepdim)

    def all(self, dim=None, keepdim: bool = False) -> Tensor:
        """Whether all elements (over ``dim``) are non-zero; a bool tensor. See
        :func:`flambeau.all`.
        """
        return reductions.all(self, dim, keepdim)

    def any(self, dim=None, keepdim: bool = False) -> Tensor:
        """Whether any element (over ``dim``) is non-zero; a bool tensor. See :func:`flambeau.any`.
        """
        return reductions.any(self, dim, keepdim)

    def norm(self, p="fro", dim=None, keepdim: bool = False, *,
             dtype: DType | None = None) -> Tensor:
        """Vector p-norm over ``dim`` (``"fro"`` is the 2-norm of all elements). See
        :func:`flambeau.norm`.
        """
        return reductions.norm(self, p, dim, keepdim, dtype=dtype)

    def cumsum(self, dim: int, *, dtype: DType | None = None) -> Tensor:
        """Running sum along ``dim`` (integers accumulate in int64). See :func:`flambeau.cumsum`."""
        return reductions.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: int, *, dtype: DType | None = None) -> Tensor:
        """Running product along ``dim`` (integers accumulate in int64). See
        :func:`flambeau.cumprod`.
        """
        return reductions.cumprod(self, dim, dtype=dtype)

    def softmax(self, dim: int, dtype: DType | None = None) -> Tensor:
        """``exp(x) / sum(exp(x), dim)`` computed stably. See :func:`flambeau.softmax`."""
        return reductions.softmax(self, dim, dtype)

    def log_softmax(self, dim: int, dtype: DType | None = None) -> Tensor:
        """``x - logsumexp(x, dim)`` computed stably. See :func:`flambeau.log_softmax`."""
        return reductions.log_softmax(self, dim, dtype)

    def max(self, dim=None, keepdim: bool = False, *, other=None):
        """The largest element; with ``dim``, a ``(values, indices)`` pair; with a tensor second
        argument, the elementwise :func:`maximum`. See :func:`flambeau.max`.
        """
        return reductions.max(self, dim, keepdim, other=other)

    def min(self, dim=None, keepdim: bool = False, *, other=None):
        """The smallest element; with ``dim``, a ``(values, indices)`` pair. See
        :func:`flambeau.min`.
        """
        return reductions.min(self, dim, keepdim, other=other)

    def std(self, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None) -> Tensor:
        """Standard deviation: the square root of :func:`var` with the same arguments. See
        :func:`flambeau.std`.
        """
        return reductions.std(self, dim, unbiased, keepdim, correction=correction)

    def var_mean(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """``(var, mean)`` over ``dim``. See :func:`flambeau.var_mean`."""
        return reductions.var_mean(self, dim, unbiased, keepdim, correction=correction)

    def std_mean(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """``(std, mean)`` over ``dim``. See :func:`flambeau.std_mean`."""
        return reductions.std_mean(self, dim, unbiased, keepdim, correction=correction)

    def count_nonzero(self, dim=None) -> Tensor:
        """Number of non-zero elements over ``dim``. See :func:`flambeau.count_nonzero`."""
        return reductions.count_nonzero(self, dim)

    def aminmax(self, *, dim=None, keepdim: bool = False):
        """``(amin, amax)`` over ``dim`` as a named pair ``(min, max)``. See
        :func:`flambeau.aminmax`.
        """
        return reductions.aminmax(self, dim=dim, keepdim=keepdim)

    def nansum(self, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
        """Sum treating NaN as zero. See :func:`flambeau.nansum`."""
        return reductions.nansum(self, dim, keepdim, dtype=dtype)

    # --- shape_ops ------------------------------------------------------------------------

    def view(self, *shape) -> Tensor:
        """The same memory seen with a new shape; ``-1`` infers one size. See :func:`flambeau.view`.
        """
        return shape_ops.view(self, *shape)

    def permute(self, *dims) -> Tensor:
        """Reorder dims; a view. See :func:`flambeau.permute`."""
        return shape_ops.permute(self, *dims)

    def expand(self, *sizes) -> Tensor:
        """Broadcast size-1 dims to ``sizes`` (``-1`` keeps a size); a view, no copy. See
        :func:`flambeau.expand`.
        """
        return shape_ops.expand(self, *sizes)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The diagonal of dims ``dim1``, ``dim2`` as the last dim; a view. See
        :func:`flambeau.diagonal`.
        """
        return shape_ops.diagonal(self, offset, dim1, dim2)

    def contiguous(self) -> Tensor:
        """``input`` itself when row-major contiguous, else a contiguous copy. See
        :func:`flambeau.contiguous`.
        """
        return shape_ops.contiguous(self)

    def clone(self) -> Tensor:
        """A copy with its own memory (recorded by autograd). See :func:`flambeau.clone`."""
        return shape_ops.clone(self)

    def cat(self, dim: int = 0) -> Tensor:
        """Join tensors along an existing dim; other sizes must match. See :func:`flambeau.cat`."""
        return shape_ops.cat(self, dim)
    concat = cat
    concatenate = cat

    def flip(self, dims) -> Tensor:
        """Reverse the order along ``dims`` (a copy, like PyTorch's). See :func:`flambeau.flip`."""
        return shape_ops.flip(self, dims)

    def roll(self, shifts, dims=None) -> Tensor:
        """Rotate elements along ``dims`` by ``shifts`` (flattened when ``dims`` is None). See
        :func:`flambeau.roll`.
        """
        return shape_ops.roll(self, shifts, dims)

    def tile(self, dims) -> Tensor:
        """Like :func:`repeat`, padding ``dims`` with leading ones when shorter. See
        :func:`flambeau.tile`.
        """
        return shape_ops.tile(self, dims)

    def tril(self, diagonal: int = 0) -> Tensor:
        """The lower triangle (below and on ``diagonal``); the rest zero. See :func:`flambeau.tril`.
        """
        return shape_ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        """The upper triangle (above and on ``diagonal``); the rest zero. See :func:`flambeau.triu`.
        """
        return shape_ops.triu(self, diagonal)

    def reshape(self, *shape) -> Tensor:
        """A tensor with the same elements in shape ``shape``; a view when possible. See
        :func:`flambeau.reshape`.
        """
        return shape_ops.reshape(self, *shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims ``start_dim..end_dim`` into one. See :func:`flambeau.flatten`."""
        return shape_ops.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes) -> Tensor:
        """Split dim ``dim`` into ``sizes`` (one may be -1). See :func:`flambeau.unflatten`."""
        return shape_ops.unflatten(self, dim, sizes)

    def squeeze(self, dim=None) -> Tensor:
        """Drop size-1 dims (all, or those in ``dim``). See :func:`flambeau.squeeze`."""
        return shape_ops.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dim at ``dim`` (in ``[-ndim-1, ndim]``). See :func:`flambeau.unsqueeze`.
        """
        return shape_ops.unsqueeze(self, dim)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dims; a view. See :func:`flambeau.transpose`."""
        return shape_ops.transpose(self, dim0, dim1)
    swapaxes = transpose
    swapdims = transpose

    def movedim(self, source, destination) -> Tensor:
        """Move dims from ``source`` to ``destination`` positions. See :func:`flambeau.movedim`."""
        return shape_ops.movedim(self, source, destination)
    moveaxis = movedim

    def t(self) -> Tensor:
        """Transpose a tensor of at most 2 dims. See :func:`flambeau.t`."""
        return shape_ops.t(self)

    def expand_as(self, other: Tensor) -> Tensor:
        """``input`` expanded to ``other``'s shape; a view. See :func:`flambeau.expand_as`."""
        return shape_ops.expand_as(self, other)

    def broadcast_to(self, shape) -> Tensor:
        """View ``input`` broadcast to ``shape``. See :func:`flambeau.broadcast_to`."""
        return shape_ops.broadcast_to(self, shape)

    def broadcast_tensors(self, *tensors: Tensor) -> tuple:
        """Views of all ``tensors`` broadcast to their common shape. See
        :func:`flambeau.broadcast_tensors`.
        """
        return shape_ops.broadcast_tensors(self, *tensors)

    def stack(self, dim: int = 0) -> Tensor:
        """Join same-shape tensors along a new dim. See :func:`flambeau.stack`."""
        return shape_ops.stack(self, dim)

    def hstack(self) -> Tensor:
        """Join tensors column-wise: along dim 1, or dim 0 for 1-D tensors. See
        :func:`flambeau.hstack`.
        """
        return shape_ops.hstack(self)

    def vstack(self) -> Tensor:
        """Join tensors row-wise, after making each at least 2-D. See :func:`flambeau.vstack`."""
        return shape_ops.vstack(self)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        """Up to ``chunks`` views of near-equal size along ``dim``. See :func:`flambeau.chunk`."""
        return shape_ops.chunk(self, chunks, dim)

    def split(self, split_size_or_sections, dim: int = 0) -> tuple:
        """Views of consecutive pieces along ``dim``: each of ``split_size`` (the last may be
        smaller), or of the sizes in a list. See :func:`flambeau.split`.
        """
        return shape_ops.split(self, split_size_or_sections, dim)

    def unbind(self, dim: int = 0) -> tuple:
        """The slices along ``dim``, each without that dim. See :func:`flambeau.unbind`."""
        return shape_ops.unbind(self, dim)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        """The slice ``start:start+length`` of dim ``dim``; a view. See :func:`flambeau.narrow`."""
        return shape_ops.narrow(self, dim, start, length)

    def fliplr(self) -> Tensor:
        """Reverse the order along dim 1 (a copy). See :func:`flambeau.fliplr`."""
        return shape_ops.fliplr(self)

    def flipud(self) -> Tensor:
        """Reverse the order along dim 0 (a copy). See :func:`flambeau.flipud`."""
        return shape_ops.flipud(self)

    def repeat(self, *sizes) -> Tensor:
        """Tile the tensor ``sizes`` times per dim (``len(sizes) >= ndim``). See
        :func:`flambeau.repeat`.
        """
        return shape_ops.repeat(self, *sizes)

    def view_as(self, other: Tensor) -> Tensor:
        """``input`` viewed with ``other``'s shape (no copy). See :func:`flambeau.view_as`."""
        return shape_ops.view_as(self, other)

    def reshape_as(self, other: Tensor) -> Tensor:
        """``input`` reshaped to ``other``'s shape. See :func:`flambeau.reshape_as`."""
        return shape_ops.reshape_as(self, other)

    def ravel(self) -> Tensor:
        """A 1-D tensor of ``input``'s elements; a view when strides allow. See
        :func:`flambeau.ravel`.
        """
        return shape_ops.ravel(self)

    def atleast_1d(self, *tensors):
        """``input`` with at least one dimension (a 0-d tensor becomes shape ``(1,)``); several
        tensors (or one list of them) give a tuple. See :func:`flambeau.atleast_1d`.
        """
        return shape_ops.atleast_1d(self, *tensors)

    def atleast_2d(self, *tensors):
        """``input`` with at least two dimensions (leading size-1 dims added); several tensors (or
        one list of them) give a tuple. See :func:`flambeau.atleast_2d`.
        """
        return shape_ops.atleast_2d(self, *tensors)

    # --- indexing -------------------------------------------------------------------------

    def gather(self, dim: int, index: Tensor) -> Tensor:
        """``out[i][j][k] = input[i][index[i][j][k]][k]`` for ``dim == 1`` (and so on). See
        :func:`flambeau.gather`.
        """
        return indexing.gather(self, dim, index)

    def scatter(self, dim: int, index: Tensor, src=None, *, value=None,
                reduce: str | None = None) -> Tensor:
        """A copy of ``input`` with ``src`` (or ``value``) written at ``index`` along ``dim``;
        ``reduce="add"`` accumulates instead. See :func:`flambeau.scatter`.
        """
        return indexing.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeated indices
        accumulate). See :func:`flambeau.scatter_add`.
        """
        return indexing.scatter_add(self, dim, index, src)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        """The entries of ``input`` at positions ``index`` (1-D, int64) along ``dim``. See
        :func:`flambeau.index_select`.
        """
        return indexing.index_select(self, dim, index)

    def masked_fill(self, mask: Tensor, value) -> Tensor:
        """A copy of ``input`` with ``value`` where ``mask`` (broadcast to input) is True. See
        :func:`flambeau.masked_fill`.
        """
        return indexing.masked_fill(self, mask, value)

    def masked_select(self, mask: Tensor) -> Tensor:
        """A 1-D tensor of the elements where ``mask`` is True (both broadcast). See
        :func:`flambeau.masked_select`.
        """
        return indexing.masked_select(self, mask)

    def nonzero(self, *, as_tuple: bool = False):
        """Positions of non-zero elements: an ``(n, ndim)`` int64 tensor, or a tuple of 1-D index
        tensors with ``as_tuple=True``. See :func:`flambeau.nonzero`.
        """
        return indexing.nonzero(self, as_tuple=as_tuple)

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        """Sorted values and their original positions along ``dim`` (stable order). See
        :func:`flambeau.sort`.
        """
        return indexing.sort(self, dim, descending, stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
        """The ``k`` largest (or smallest) values along ``dim`` and their positions. See
        :func:`flambeau.topk`.
        """
        return indexing.topk(self, k, dim, largest, sorted)

    def unique(self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
               dim: int | None = None):
        """The distinct values (sorted), optionally with inverse indices and counts. See
        :func:`flambeau.unique`.
        """
        return indexing.unique(self, sorted, return_inverse, return_counts, dim)

    def index_put(self, indices: tuple, values, accumulate: bool = False) -> Tensor:
        """A copy of ``input`` with ``values`` written at ``input[indices]`` (added, with repeated
        positions summed, when ``accumulate``). ``indices`` is a tuple of index tensors, like
        PyTorch's. See :func:`flambeau.index_put`.
        """
        return indexing.index_put(self, indices, values, accumulate)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        """Positions that sort ``input`` along ``dim``. See :func:`flambeau.argsort`."""
        return indexing.argsort(self, dim, descending, stable)

    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        """Gather with broadcasting of ``indices`` against ``input`` (flattened when ``dim`` is
        None). See :func:`flambeau.take_along_dim`.
        """
        return indexing.take_along_dim(self, indices, dim)

    def argwhere(self) -> Tensor:
        """Positions of non-zero elements, ``(n, ndim)`` int64 (same as ``nonzero``). See
        :func:`flambeau.argwhere`.
        """
        return indexing.argwhere(self)

    # --- linalg ---------------------------------------------------------------------------

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product with NumPy/PyTorch rules: 1-D operands are vectors, leading dims broadcast
        as batch dims. See :func:`flambeau.matmul`.
        """
        return linalg.matmul(self, other)

    def mm(self, mat2: Tensor) -> Tensor:
        """Product of two 2-D matrices. See :func:`flambeau.mm`."""
        return linalg.mm(self, mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        """Batched product of ``(b, n, m)`` and ``(b, m, p)`` tensors (no broadcasting). See
        :func:`flambeau.bmm`.
        """
        return linalg.bmm(self, mat2)

    def mv(self, vec: Tensor) -> Tensor:
        """Matrix-vector product of ``(n, m)`` and ``(m,)``. See :func:`flambeau.mv`."""
        return linalg.mv(self, vec)

    def dot(self, other: Tensor) -> Tensor:
        """Inner product of two 1-D tensors of the same size. See :func:`flambeau.dot`."""
        return linalg.dot(self, other)

    def inner(self, other: Tensor) -> Tensor:
        """Sum over the last dims of both (a dot product for 1-D tensors). See
        :func:`flambeau.inner`.
        """
        return linalg.inner(self, other)

    def outer(self, vec2: Tensor) -> Tensor:
        """Outer product of two 1-D tensors: ``out[i, j] = input[i] * vec2[j]``. See
        :func:`flambeau.outer`.
        """
        return linalg.outer(self, vec2)
    ger = outer

    # --- random ---------------------------------------------------------------------------

    def bernoulli(self, p=None, *, generator=None) -> Tensor:
        """0/1 samples with probability ``input`` (or ``p``) of a 1, in input's dtype. See
        :func:`flambeau.bernoulli`.
        """
        return random.bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples: int, replacement: bool = False, *, generator=None) -> Tensor:
        """Sample category indices from rows of non-negative weights (1-D or 2-D). See
        :func:`flambeau.multinomial`.
        """
        return random.multinomial(self, num_samples, replacement, generator=generator)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
        """Fill ``self`` with samples uniform on ``[a, b)``. See
        :func:`flambeau.frontend.random.uniform_`.
        """
        return random.uniform_(self, a, b, generator=generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
        """Fill ``self`` with normal samples. See :func:`flambeau.frontend.random.normal_`."""
        return random.normal_(self, mean, std, generator=generator)

    def bernoulli_(self, p: float = 0.5, *, generator=None) -> Tensor:
        """Fill ``self`` with 0/1 samples, 1 with probability ``p``. See
        :func:`flambeau.frontend.random.bernoulli_`.
        """
        return random.bernoulli_(self, p, generator=generator)

    # --- inplace --------------------------------------------------------------------------

    def copy_(self, src, non_blocking: bool = False) -> Tensor:
        """Copy ``src`` (broadcast and cast to ``self``'s dtype, from any device) into ``self``. See
        :func:`flambeau.frontend.inplace.copy_`.
        """
        return inplace.copy_(self, src, non_blocking)

    def fill_(self, value) -> Tensor:
        """Set every element to ``value``. See :func:`flambeau.frontend.inplace.fill_`."""
        return inplace.fill_(self, value)

    def zero_(self) -> Tensor:
        """Set every element to zero. See :func:`flambeau.frontend.inplace.zero_`."""
        return inplace.zero_(self)

    # --- complex_ops ----------------------------------------------------------------------

    def conj(self) -> Tensor:
        """The complex conjugate of each element; a real tensor is returned as it is. See
        :func:`flambeau.conj`.
        """
        return complex_ops.conj(self)

    def conj_physical(self) -> Tensor:
        """The complex conjugate of each element, materialised (for a real tensor, a copy would be
        the same values: the tensor itself is returned, as :func:`conj`). See
        :func:`flambeau.conj_physical`.
        """
        return complex_ops.conj_physical(self)

    def resolve_conj(self) -> Tensor:
        """``input`` itself: flambeau has no lazy conjugate bit to resolve. See
        :func:`flambeau.resolve_conj`.
        """
        return complex_ops.resolve_conj(self)

    def resolve_neg(self) -> Tensor:
        """``input`` itself: flambeau has no lazy negative bit to resolve. See
        :func:`flambeau.resolve_neg`.
        """
        return complex_ops.resolve_neg(self)

    def is_conj(self) -> bool:
        """Always False: flambeau's :func:`conj` materialises the conjugate. See
        :func:`flambeau.is_conj`.
        """
        return complex_ops.is_conj(self)

    def angle(self) -> Tensor:
        """The argument (phase) of each element in radians, in ``(-pi, pi]``; of the real dtype for
        complex input, ``pi`` for negative and ``0`` for other real elements (integers give the
        default float dtype). See :func:`flambeau.angle`.
        """
        return complex_ops.angle(self)

    def sgn(self) -> Tensor:
        """The sign of each element: ``x / |x|`` for complex (0 at 0), :func:`sign` for real
        tensors. See :func:`flambeau.sgn`.
        """
        return complex_ops.sgn(self)

    # --- in-place variants ----------------------------------------------------------------

    def exp_(self) -> Tensor:
        """In-place version of :meth:`exp`; returns ``self``."""
        return _INPLACE["exp_"](self)

    def exp2_(self) -> Tensor:
        """In-place version of :meth:`exp2`; returns ``self``."""
        return _INPLACE["exp2_"](self)

    def expm1_(self) -> Tensor:
        """In-place version of :meth:`expm1`; returns ``self``."""
        return _INPLACE["expm1_"](self)

    def log_(self) -> Tensor:
        """In-place version of :meth:`log`; returns ``self``."""
        return _INPLACE["log_"](self)

    def log2_(self) -> Tensor:
        """In-place version of :meth:`log2`; returns ``self``."""
        return _INPLACE["log2_"](self)

    def log10_(self) -> Tensor:
        """In-place version of :meth:`log10`; returns ``self``."""
        return _INPLACE["log10_"](self)

    def log1p_(self) -> Tensor:
        """In-place version of :meth:`log1p`; returns ``self``."""
        return _INPLACE["log1p_"](self)

    def sqrt_(self) -> Tensor:
        """In-place version of :meth:`sqrt`; returns ``self``."""
        return _INPLACE["sqrt_"](self)

    def rsqrt_(self) -> Tensor:
        """In-place version of :meth:`rsqrt`; returns ``self``."""
        return _INPLACE["rsqrt_"](self)

    def sin_(self) -> Tensor:
        """In-place version of :meth:`sin`; returns ``self``."""
        return _INPLACE["sin_"](self)

    def cos_(self) -> Tensor:
        """In-place version of :meth:`cos`; returns ``self``."""
        return _INPLACE["cos_"](self)

    def tan_(self) -> Tensor:
        """In-place version of :meth:`tan`; returns ``self``."""
        return _INPLACE["tan_"](self)

    def tanh_(self) -> Tensor:
        """In-place version of :meth:`tanh`; returns ``self``."""
        return _INPLACE["tanh_"](self)

    def sigmoid_(self) -> Tensor:
        """In-place version of :meth:`sigmoid`; returns ``self``."""
        return _INPLACE["sigmoid_"](self)

    def special_expit_(self) -> Tensor:
        """In-place version of :meth:`special_expit`; returns ``self``."""
        return _INPLACE["special_expit_"](self)

    def erf_(self) -> Tensor:
        """In-place version of :meth:`erf`; returns ``self``."""
        return _INPLACE["erf_"](self)

    def reciprocal_(self) -> Tensor:
        """In-place version of :meth:`reciprocal`; returns ``self``."""
        return _INPLACE["reciprocal_"](self)

    def abs_(self) -> Tensor:
        """In-place version of :meth:`abs`; returns ``self``."""
        return _INPLACE["abs_"](self)

    def absolute_(self) -> Tensor:
        """In-place version of :meth:`absolute`; returns ``self``."""
        return _INPLACE["absolute_"](self)

    def sign_(self) -> Tensor:
        """In-place version of :meth:`sign`; returns ``self``."""
        return _INPLACE["sign_"](self)

    def relu_(self) -> Tensor:
        """In-place version of :meth:`relu`; returns ``self``."""
        return _INPLACE["relu_"](self)

    def neg_(self) -> Tensor:
        """In-place version of :meth:`neg`; returns ``self``."""
        return _INPLACE["neg_"](self)

    def negative_(self) -> Tensor:
        """In-place version of :meth:`negative`; returns ``self``."""
        return _INPLACE["negative_"](self)

    def floor_(self) -> Tensor:
        """In-place version of :meth:`floor`; returns ``self``."""
        return _INPLACE["floor_"](self)

    def ceil_(self) -> Tensor:
        """In-place version of :meth:`ceil`; returns ``self``."""
        return _INPLACE["ceil_"](self)

    def trunc_(self) -> Tensor:
        """In-place version of :meth:`trunc`; returns ``self``."""
        return _INPLACE["trunc_"](self)

    def fix_(self) -> Tensor:
        """In-place version of :meth:`fix`; returns ``self``."""
        return _INPLACE["fix_"](self)

    def round_(self, *, decimals: int = 0) -> Tensor:
        """In-place version of :meth:`round`; returns ``self``."""
        return _INPLACE["round_"](self, decimals=decimals)

    def logical_not_(self) -> Tensor:
        """In-place version of :meth:`logical_not`; returns ``self``."""
        return _INPLACE["logical_not_"](self)

    def bitwise_not_(self) -> Tensor:
        """In-place version of :meth:`bitwise_not`; returns ``self``."""
        return _INPLACE["bitwise_not_"](self)

    def nan_to_num_(self, nan: float = 0.0, posinf: float | None = None,
                    neginf: float | None = None) -> Tensor:
        """In-place version of :meth:`nan_to_num`; returns ``self``."""
        return _INPLACE["nan_to_num_"](self, nan, posinf, neginf)

    def add_(self, other, *, alpha=1) -> Tensor:
        """In-place version of :meth:`add`; returns ``self``."""
        return _INPLACE["add_"](self, other, alpha=alpha)

    def mul_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`mul`; returns ``self``."""
        return _INPLACE["mul_"](self, other)

    def multiply_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`multiply`; returns ``self``."""
        return _INPLACE["multiply_"](self, other)

    def maximum_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`maximum`; returns ``self``."""
        return _INPLACE["maximum_"](self, other)

    def minimum_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`minimum`; returns ``self``."""
        return _INPLACE["minimum_"](self, other)

    def pow_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`pow`; returns ``self``."""
        return _INPLACE["pow_"](self, other)

    def remainder_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`remainder`; returns ``self``."""
        return _INPLACE["remainder_"](self, other)

    def fmod_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`fmod`; returns ``self``."""
        return _INPLACE["fmod_"](self, other)

    def sub_(self, other, *, alpha=1) -> Tensor:
        """In-place version of :meth:`sub`; returns ``self``."""
        return _INPLACE["sub_"](self, other, alpha=alpha)

    def subtract_(self, other, *, alpha=1) -> Tensor:
        """In-place version of :meth:`subtract`; returns ``self``."""
        return _INPLACE["subtract_"](self, other, alpha=alpha)

    def div_(self, other, *, rounding_mode: str | None = None) -> Tensor:
        """In-place version of :meth:`div`; returns ``self``."""
        if rounding_mode is None:
            return _INPLACE["div_"](self, other)
        return _INPLACE["div_"](self, other, rounding_mode=rounding_mode)

    def divide_(self, other, *, rounding_mode: str | None = None) -> Tensor:
        """In-place version of :meth:`divide`; returns ``self``."""
        return _INPLACE["divide_"](self, other, rounding_mode=rounding_mode)

    def true_divide_(self, other, *, rounding_mode: str | None = None) -> Tensor:
        """In-place version of :meth:`true_divide`; returns ``self``."""
        return _INPLACE["true_divide_"](self, other, rounding_mode=rounding_mode)

    def floor_divide_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`floor_divide`; returns ``self``."""
        return _INPLACE["floor_divide_"](self, other)

    def atan2_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`atan2`; returns ``self``."""
        return _INPLACE["atan2_"](self, other)

    def arctan2_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`arctan2`; returns ``self``."""
        return _INPLACE["arctan2_"](self, other)

    def eq_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`eq`; returns ``self``."""
        return _INPLACE["eq_"](self, other)

    def ne_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`ne`; returns ``self``."""
        return _INPLACE["ne_"](self, other)

    def not_equal_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`not_equal`; returns ``self``."""
        return _INPLACE["not_equal_"](self, other)

    def lt_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`lt`; returns ``self``."""
        return _INPLACE["lt_"](self, other)

    def less_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`less`; returns ``self``."""
        return _INPLACE["less_"](self, other)

    def le_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`le`; returns ``self``."""
        return _INPLACE["le_"](self, other)

    def less_equal_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`less_equal`; returns ``self``."""
        return _INPLACE["less_equal_"](self, other)

    def gt_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`gt`; returns ``self``."""
        return _INPLACE["gt_"](self, other)

    def greater_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`greater`; returns ``self``."""
        return _INPLACE["greater_"](self, other)

    def ge_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`ge`; returns ``self``."""
        return _INPLACE["ge_"](self, other)

    def greater_equal_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`greater_equal`; returns ``self``."""
        return _INPLACE["greater_equal_"](self, other)

    def logical_and_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`logical_and`; returns ``self``."""
        return _INPLACE["logical_and_"](self, other)

    def logical_or_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`logical_or`; returns ``self``."""
        return _INPLACE["logical_or_"](self, other)

    def logical_xor_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`logical_xor`; returns ``self``."""
        return _INPLACE["logical_xor_"](self, other)

    def bitwise_and_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`bitwise_and`; returns ``self``."""
        return _INPLACE["bitwise_and_"](self, other)

    def bitwise_or_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`bitwise_or`; returns ``self``."""
        return _INPLACE["bitwise_or_"](self, other)

    def bitwise_xor_(self, other: Tensor | float) -> Tensor:
        """In-place version of :meth:`bitwise_xor`; returns ``self``."""
        return _INPLACE["bitwise_xor_"](self, other)

    def lerp_(self, end: Tensor, weight) -> Tensor:
        """In-place version of :meth:`lerp`; returns ``self``."""
        return _INPLACE["lerp_"](self, end, weight)

    def clamp_(self, min=None, max=None) -> Tensor:
        """In-place version of :meth:`clamp`; returns ``self``."""
        return _INPLACE["clamp_"](self, min, max)

    def clip_(self, min=None, max=None) -> Tensor:
        """In-place version of :meth:`clip`; returns ``self``."""
        return _INPLACE["clip_"](self, min, max)

    def tril_(self, diagonal: int = 0) -> Tensor:
        """In-place version of :meth:`tril`; returns ``self``."""
        return _INPLACE["tril_"](self, diagonal)

    def triu_(self, diagonal: int = 0) -> Tensor:
        """In-place version of :meth:`triu`; returns ``self``."""
        return _INPLACE["triu_"](self, diagonal)

    def scatter_(self, dim: int, index: Tensor, src=None, *, value=None,
                 reduce: str | None = None) -> Tensor:
        """In-place version of :meth:`scatter`; returns ``self``."""
        return _INPLACE["scatter_"](self, dim, index, src, value=value, reduce=reduce)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """In-place version of :meth:`scatter_add`; returns ``self``."""
        return _INPLACE["scatter_add_"](self, dim, index, src)

    def masked_fill_(self, mask: Tensor, value) -> Tensor:
        """In-place version of :meth:`masked_fill`; returns ``self``."""
        return _INPLACE["masked_fill_"](self, mask, value)

    def index_put_(self, indices: tuple, values, accumulate: bool = False) -> Tensor:
        """In-place version of :meth:`index_put`; returns ``self``."""
        return _INPLACE["index_put_"](self, indices, values, accumulate)

    def square_(self) -> Tensor:
        """In-place version of :meth:`square`; returns ``self``."""
        return _INPLACE["square_"](self)

    def clamp_min_(self, min) -> Tensor:
        """In-place version of :meth:`clamp_min`; returns ``self``."""
        return _INPLACE["clamp_min_"](self, min)

    def clamp_max_(self, max) -> Tensor:
        """In-place version of :meth:`clamp_max`; returns ``self``."""
        return _INPLACE["clamp_max_"](self, max)

    # --- operators ------------------------------------------------------------------------

    def __abs__(self) -> Tensor:
        """``abs(self)``: :func:`flambeau.abs`."""
        return _unary(_ABS, self)

    def __neg__(self) -> Tensor:
        """``-self``: :func:`flambeau.neg`."""
        return _unary(_NEG, self)

    def __invert__(self) -> Tensor:
        """``~self``: :func:`flambeau.bitwise_not`."""
        return _unary(_BITWISE_NOT, self)

    def __add__(self, other: Tensor | float) -> Tensor:
        """``self + other``: :func:`flambeau.add`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_ADD, self, other)
        return _operands(_ADD, self, other)

    def __radd__(self, other: Tensor | float) -> Tensor:
        """``other + self``: :func:`flambeau.add`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_ADD, self, other)
        return _operands(_ADD, self, other)

    def __iadd__(self, other: Tensor | float) -> Tensor:
        """``self += other`` in place; returns ``self``."""
        return _INPLACE["__iadd__"](self, other)

    def __mul__(self, other: Tensor | float) -> Tensor:
        """``self * other``: :func:`flambeau.mul`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_MUL, self, other)
        return _operands(_MUL, self, other)

    def __rmul__(self, other: Tensor | float) -> Tensor:
        """``other * self``: :func:`flambeau.mul`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_MUL, self, other)
        return _operands(_MUL, self, other)

    def __imul__(self, other: Tensor | float) -> Tensor:
        """``self *= other`` in place; returns ``self``."""
        return _INPLACE["__imul__"](self, other)

    def __pow__(self, other: Tensor | float) -> Tensor:
        """``self ** other``: :func:`flambeau.pow`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_POW, self, other)
        return _operands(_POW, self, other)

    def __rpow__(self, other: Tensor | float) -> Tensor:
        """``other ** self``: :func:`flambeau.pow`."""
        if self.__class__ is Tensor:
            return _binary(_POW, other, self)
        return _operands(_POW, other, self)

    def __ipow__(self, other: Tensor | float) -> Tensor:
        """``self **= other`` in place; returns ``self``."""
        return _INPLACE["__ipow__"](self, other)

    def __mod__(self, other: Tensor | float) -> Tensor:
        """``self % other``: :func:`flambeau.remainder`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_REMAINDER, self, other)
        return _operands(_REMAINDER, self, other)

    def __rmod__(self, other: Tensor | float) -> Tensor:
        """``other % self``: :func:`flambeau.remainder`."""
        if self.__class__ is Tensor:
            return _binary(_REMAINDER, other, self)
        return _operands(_REMAINDER, other, self)

    def __imod__(self, other: Tensor | float) -> Tensor:
        """``self %= other`` in place; returns ``self``."""
        return _INPLACE["__imod__"](self, other)

    def __sub__(self, other: Tensor | float) -> Tensor:
        """``self - other``: :func:`flambeau.sub`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_SUB, self, other)
        return _operands(_SUB, self, other)

    def __rsub__(self, other: Tensor | float) -> Tensor:
        """``other - self``: :func:`flambeau.sub`."""
        if self.__class__ is Tensor:
            return _binary(_SUB, other, self)
        return _operands(_SUB, other, self)

    def __isub__(self, other: Tensor | float) -> Tensor:
        """``self -= other`` in place; returns ``self``."""
        return _INPLACE["__isub__"](self, other)

    def __truediv__(self, other: Tensor | float) -> Tensor:
        """``self / other``: :func:`flambeau.div`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_DIV, self, other)
        return _operands(_DIV, self, other)

    def __rtruediv__(self, other: Tensor | float) -> Tensor:
        """``other / self``: :func:`flambeau.div`."""
        if self.__class__ is Tensor:
            return _binary(_DIV, other, self)
        return _operands(_DIV, other, self)

    def __itruediv__(self, other: Tensor | float) -> Tensor:
        """``self /= other`` in place; returns ``self``."""
        return _INPLACE["__itruediv__"](self, other)

    def __floordiv__(self, other: Tensor | float) -> Tensor:
        """``self // other``: :func:`flambeau.floor_divide`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_FLOOR_DIVIDE, self, other)
        return _operands(_FLOOR_DIVIDE, self, other)

    def __rfloordiv__(self, other: Tensor | float) -> Tensor:
        """``other // self``: :func:`flambeau.floor_divide`."""
        if self.__class__ is Tensor:
            return _binary(_FLOOR_DIVIDE, other, self)
        return _operands(_FLOOR_DIVIDE, other, self)

    def __ifloordiv__(self, other: Tensor | float) -> Tensor:
        """``self //= other`` in place; returns ``self``."""
        return _INPLACE["__ifloordiv__"](self, other)

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        """``self == other``: :func:`flambeau.eq`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_EQ, self, other)
        return _operands(_EQ, self, other)

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        """``self != other``: :func:`flambeau.ne`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_NE, self, other)
        return _operands(_NE, self, other)

    def __lt__(self, other: Tensor | float) -> Tensor:
        """``self < other``: :func:`flambeau.lt`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_LT, self, other)
        return _operands(_LT, self, other)

    def __le__(self, other: Tensor | float) -> Tensor:
        """``self <= other``: :func:`flambeau.le`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_LE, self, other)
        return _operands(_LE, self, other)

    def __gt__(self, other: Tensor | float) -> Tensor:
        """``self > other``: :func:`flambeau.gt`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_GT, self, other)
        return _operands(_GT, self, other)

    def __ge__(self, other: Tensor | float) -> Tensor:
        """``self >= other``: :func:`flambeau.ge`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_GE, self, other)
        return _operands(_GE, self, other)

    def __and__(self, other: Tensor | float) -> Tensor:
        """``self & other``: :func:`flambeau.bitwise_and`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_AND, self, other)
        return _operands(_BITWISE_AND, self, other)

    def __rand__(self, other: Tensor | float) -> Tensor:
        """``other & self``: :func:`flambeau.bitwise_and`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_AND, self, other)
        return _operands(_BITWISE_AND, self, other)

    def __iand__(self, other: Tensor | float) -> Tensor:
        """``self &= other`` in place; returns ``self``."""
        return _INPLACE["__iand__"](self, other)

    def __or__(self, other: Tensor | float) -> Tensor:
        """``self | other``: :func:`flambeau.bitwise_or`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_OR, self, other)
        return _operands(_BITWISE_OR, self, other)

    def __ror__(self, other: Tensor | float) -> Tensor:
        """``other | self``: :func:`flambeau.bitwise_or`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_OR, self, other)
        return _operands(_BITWISE_OR, self, other)

    def __ior__(self, other: Tensor | float) -> Tensor:
        """``self |= other`` in place; returns ``self``."""
        return _INPLACE["__ior__"](self, other)

    def __xor__(self, other: Tensor | float) -> Tensor:
        """``self ^ other``: :func:`flambeau.bitwise_xor`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_XOR, self, other)
        return _operands(_BITWISE_XOR, self, other)

    def __rxor__(self, other: Tensor | float) -> Tensor:
        """``other ^ self``: :func:`flambeau.bitwise_xor`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_XOR, self, other)
        return _operands(_BITWISE_XOR, self, other)

    def __ixor__(self, other: Tensor | float) -> Tensor:
        """``self ^= other`` in place; returns ``self``."""
        return _INPLACE["__ixor__"](self, other)

    def __lshift__(self, other: Tensor | float) -> Tensor:
        """``self << other``: :func:`flambeau.bitwise_left_shift`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_LEFT_SHIFT, self, other)
        return _operands(_BITWISE_LEFT_SHIFT, self, other)

    def __rlshift__(self, other: Tensor | float) -> Tensor:
        """``other << self``: :func:`flambeau.bitwise_left_shift`."""
        if self.__class__ is Tensor:
            return _binary(_BITWISE_LEFT_SHIFT, other, self)
        return _operands(_BITWISE_LEFT_SHIFT, other, self)

    def __rshift__(self, other: Tensor | float) -> Tensor:
        """``self >> other``: :func:`flambeau.bitwise_right_shift`."""
        if other.__class__ is Tensor or other.__class__ is float:
            return _binary(_BITWISE_RIGHT_SHIFT, self, other)
        return _operands(_BITWISE_RIGHT_SHIFT, self, other)

    def __rrshift__(self, other: Tensor | float) -> Tensor:
        """``other >> self``: :func:`flambeau.bitwise_right_shift`."""
        if self.__class__ is Tensor:
            return _binary(_BITWISE_RIGHT_SHIFT, other, self)
        return _operands(_BITWISE_RIGHT_SHIFT, other, self)

    def __matmul__(self, other: Tensor) -> Tensor:
        """``self @ other``: :func:`flambeau.matmul`."""
        return linalg.matmul(self, other)

    def __rmatmul__(self, other: Tensor) -> Tensor:
        """``other @ self``: :func:`flambeau.matmul`."""
        return linalg.matmul(other, self)

    def __pos__(self) -> Tensor:
        """``+self``: :func:`flambeau.positive`."""
        return elementwise.positive(self)

    def __getitem__(self, index) -> Tensor:
        """``self[index]``: :func:`flambeau.frontend.indexing.getitem`."""
        return indexing.getitem(self, index)

    def __setitem__(self, index, value) -> None:
        """``self[index] = value``: :func:`flambeau.frontend.indexing.setitem`."""
        return indexing.setitem(self, index, value)


def bind_frontend() -> None:
    """Import the frontend modules the methods call, and build the in-place
    callables; ``tensor.py`` calls this once ``Tensor`` exists."""
    global Tensor, _operands, elementwise, reductions, shape_ops, indexing, linalg, random, inplace
    global complex_ops
    from . import elementwise, reductions, shape_ops, indexing, linalg, random, inplace, complex_ops
    from .operands import binary as _operands
    from .tensor import Tensor

    _INPLACE.update({
        "exp_": inplace.make_inplace(elementwise.exp, "exp_"),
        "exp2_": inplace.make_inplace(elementwise.exp2, "exp2_"),
        "expm1_": inplace.make_inplace(elementwise.expm1, "expm1_"),
        "log_": inplace.make_inplace(elementwise.log, "log_"),
        "log2_": inplace.make_inplace(elementwise.log2, "log2_"),
        "log10_": inplace.make_inplace(elementwise.log10, "log10_"),
        "log1p_": inplace.make_inplace(elementwise.log1p, "log1p_"),
        "sqrt_": inplace.make_inplace(elementwise.sqrt, "sqrt_"),
        "rsqrt_": inplace.make_inplace(elementwise.rsqrt, "rsqrt_"),
        "sin_": inplace.make_inplace(elementwise.sin, "sin_"),
        "cos_": inplace.make_inplace(elementwise.cos, "cos_"),
        "tan_": inplace.make_inplace(elementwise.tan, "tan_"),
        "tanh_": inplace.make_inplace(elementwise.tanh, "tanh_"),
        "sigmoid_": inplace.make_inplace(elementwise.sigmoid, "sigmoid_"),
        "special_expit_": inplace.make_inplace(elementwise.special_expit, "special_expit_"),
        "erf_": inplace.make_inplace(elementwise.erf, "erf_"),
        "reciprocal_": inplace.make_inplace(elementwise.reciprocal, "reciprocal_"),
        "abs_": inplace.make_inplace(elementwise.abs, "abs_"),
        "absolute_": inplace.make_inplace(elementwise.absolute, "absolute_"),
        "sign_": inplace.make_inplace(elementwise.sign, "sign_"),
        "relu_": inplace.make_inplace(elementwise.relu, "relu_"),
        "neg_": inplace.make_inplace(elementwise.neg, "neg_"),
        "negative_": inplace.make_inplace(elementwise.negative, "negative_"),
        "floor_": inplace.make_inplace(elementwise.floor, "floor_"),
        "ceil_": inplace.make_inplace(elementwise.ceil, "ceil_"),
        "trunc_": inplace.make_inplace(elementwise.trunc, "trunc_"),
        "fix_": inplace.make_inplace(elementwise.fix, "fix_"),
        "round_": inplace.make_inplace(elementwise.round, "round_"),
        "logical_not_": inplace.make_inplace(elementwise.logical_not, "logical_not_"),
        "bitwise_not_": inplace.make_inplace(elementwise.bitwise_not, "bitwise_not_"),
        "nan_to_num_": inplace.make_inplace(elementwise.nan_to_num, "nan_to_num_"),
        "add_": inplace.make_inplace(elementwise.add, "add_"),
        "mul_": inplace.make_inplace(elementwise.mul, "mul_"),
        "multiply_": inplace.make_inplace(elementwise.multiply, "multiply_"),
        "maximum_": inplace.make_inplace(elementwise.maximum, "maximum_"),
        "minimum_": inplace.make_inplace(elementwise.minimum, "minimum_"),
        "pow_": inplace.make_inplace(elementwise.pow, "pow_"),
        "remainder_": inplace.make_inplace(elementwise.remainder, "remainder_"),
        "fmod_": inplace.make_inplace(elementwise.fmod, "fmod_"),
        "sub_": inplace.make_inplace(elementwise.sub, "sub_"),
        "subtract_": inplace.make_inplace(elementwise.subtract, "subtract_"),
        "div_": inplace.make_inplace(elementwise.div, "div_"),
        "divide_": inplace.make_inplace(elementwise.divide, "divide_"),
        "true_divide_": inplace.make_inplace(elementwise.true_divide, "true_divide_"),
        "floor_divide_": inplace.make_inplace(elementwise.floor_divide, "floor_divide_"),
        "atan2_": inplace.make_inplace(elementwise.atan2, "atan2_"),
        "arctan2_": inplace.make_inplace(elementwise.arctan2, "arctan2_"),
        "eq_": inplace.make_inplace(elementwise.eq, "eq_"),
        "ne_": inplace.make_inplace(elementwise.ne, "ne_"),
        "not_equal_": inplace.make_inplace(elementwise.not_equal, "not_equal_"),
        "lt_": inplace.make_inplace(elementwise.lt, "lt_"),
        "less_": inplace.make_inplace(elementwise.less, "less_"),
        "le_": inplace.make_inplace(elementwise.le, "le_"),
        "less_equal_": inplace.make_inplace(elementwise.less_equal, "less_equal_"),
        "gt_": inplace.make_inplace(elementwise.gt, "gt_"),
        "greater_": inplace.make_inplace(elementwise.greater, "greater_"),
        "ge_": inplace.make_inplace(elementwise.ge, "ge_"),
        "greater_equal_": inplace.make_inplace(elementwise.greater_equal, "greater_equal_"),
        "logical_and_": inplace.make_inplace(elementwise.logical_and, "logical_and_"),
        "logical_or_": inplace.make_inplace(elementwise.logical_or, "logical_or_"),
        "logical_xor_": inplace.make_inplace(elementwise.logical_xor, "logical_xor_"),
        "bitwise_and_": inplace.make_inplace(elementwise.bitwise_and, "bitwise_and_"),
        "bitwise_or_": inplace.make_inplace(elementwise.bitwise_or, "bitwise_or_"),
        "bitwise_xor_": inplace.make_inplace(elementwise.bitwise_xor, "bitwise_xor_"),
        "lerp_": inplace.make_inplace(elementwise.lerp, "lerp_"),
        "clamp_": inplace.make_inplace(elementwise.clamp, "clamp_"),
        "clip_": inplace.make_inplace(elementwise.clip, "clip_"),
        "tril_": inplace.make_inplace(shape_ops.tril, "tril_"),
        "triu_": inplace.make_inplace(shape_ops.triu, "triu_"),
        "scatter_": inplace.make_inplace(indexing.scatter, "scatter_"),
        "scatter_add_": inplace.make_inplace(indexing.scatter_add, "scatter_add_"),
        "masked_fill_": inplace.make_inplace(indexing.masked_fill, "masked_fill_"),
        "index_put_": inplace.make_inplace(indexing.index_put, "index_put_"),
        "square_": inplace.make_inplace(elementwise.square, "square_"),
        "clamp_min_": inplace.make_inplace(elementwise.clamp_min, "clamp_min_"),
        "clamp_max_": inplace.make_inplace(elementwise.clamp_max, "clamp_max_"),
        "__iadd__": inplace.make_inplace(elementwise.add, "add_", "__iadd__"),
        "__imul__": inplace.make_inplace(elementwise.mul, "mul_", "__imul__"),
        "__ipow__": inplace.make_inplace(elementwise.pow, "pow_", "__ipow__"),
        "__imod__": inplace.make_inplace(elementwise.remainder, "remainder_", "__imod__"),
        "__isub__": inplace.make_inplace(elementwise.sub, "sub_", "__isub__"),
        "__itruediv__": inplace.make_inplace(elementwise.div, "div_", "__itruediv__"),
        "__ifloordiv__": inplace.make_inplace(elementwise.floor_divide, "floor_divide_",
                                              "__ifloordiv__"),
        "__iand__": inplace.make_inplace(elementwise.bitwise_and, "bitwise_and_", "__iand__"),
        "__ior__": inplace.make_inplace(elementwise.bitwise_or, "bitwise_or_", "__ior__"),
        "__ixor__": inplace.make_inplace(elementwise.bitwise_xor, "bitwise_xor_", "__ixor__"),
    })
