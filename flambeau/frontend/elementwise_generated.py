"""Elementwise functions generated from the op table: do not edit by hand.

Written by ``python -m flambeau.frontend.codegen`` from the unary and binary rows of
:mod:`flambeau.dispatcher.optable` whose ``function`` is ``"generated"`` (and
the cores of the ``"wrapped"`` ones, ``add``, ``sub`` and ``div``, which
:mod:`flambeau.frontend.elementwise` wraps). Each function is one step into the
dispatcher: ``dispatch.unary``, or ``dispatch.binary`` when the second operand
is a tensor or a float (checked inline: the hot path), else the shared parse
of :mod:`flambeau.frontend.operands`.
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.optable import OPS
from .operands import binary as _operands
from .tensor import Tensor

__all__ = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos",
           "tan", "tanh", "sigmoid", "special_expit", "erf", "reciprocal", "abs", "absolute",
           "sign", "relu", "neg", "negative", "floor", "ceil", "trunc", "fix", "isnan", "isinf",
           "isfinite", "logical_not", "bitwise_not", "mul", "multiply", "maximum", "minimum", "pow",
           "remainder", "fmod", "floor_divide", "atan2", "arctan2", "eq", "ne", "not_equal", "lt",
           "less", "le", "less_equal", "gt", "greater", "ge", "greater_equal", "logical_and",
           "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
           "bitwise_left_shift", "bitwise_right_shift"]

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
_ADD = OPS["add"]
_MUL = OPS["mul"]
_MAXIMUM = OPS["maximum"]
_MINIMUM = OPS["minimum"]
_POW = OPS["pow"]
_REMAINDER = OPS["remainder"]
_FMOD = OPS["fmod"]
_SUB = OPS["sub"]
_DIV = OPS["div"]
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


def exp(input: Tensor) -> Tensor:
    """The exponential of each element, ``e ** input``.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.

    Example::

        >>> fl.exp(fl.tensor([0.0, 1.0]))
        tensor([1.0000, 2.7183])
    """
    return _unary(_EXP, input)


def exp2(input: Tensor) -> Tensor:
    """Two to the power of each element, ``2 ** input``.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.
    """
    return _unary(_EXP2, input)


def expm1(input: Tensor) -> Tensor:
    """``exp(input) - 1`` of each element, accurate for small inputs.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.
    """
    return _unary(_EXPM1, input)


def log(input: Tensor) -> Tensor:
    """The natural logarithm of each element.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.

    Example::

        >>> fl.log(fl.tensor([1.0, 10.0]))
        tensor([0.0000, 2.3026])
    """
    return _unary(_LOG, input)


def log2(input: Tensor) -> Tensor:
    """The base-2 logarithm of each element.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.
    """
    return _unary(_LOG2, input)


def log10(input: Tensor) -> Tensor:
    """The base-10 logarithm of each element.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.
    """
    return _unary(_LOG10, input)


def log1p(input: Tensor) -> Tensor:
    """``log(1 + input)`` of each element, accurate for small inputs.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.
    """
    return _unary(_LOG1P, input)


def sqrt(input: Tensor) -> Tensor:
    """The square root of each element.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.

    Example::

        >>> fl.sqrt(fl.tensor([4.0, 2.0]))
        tensor([2.0000, 1.4142])
    """
    return _unary(_SQRT, input)


def rsqrt(input: Tensor) -> Tensor:
    """The reciprocal of the square root of each element, ``1 / sqrt(input)``.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.
    """
    return _unary(_RSQRT, input)


def sin(input: Tensor) -> Tensor:
    """The sine of each element (in radians).

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.
    """
    return _unary(_SIN, input)


def cos(input: Tensor) -> Tensor:
    """The cosine of each element (in radians).

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.
    """
    return _unary(_COS, input)


def tan(input: Tensor) -> Tensor:
    """The tangent of each element (in radians).

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.
    """
    return _unary(_TAN, input)


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent of each element.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.
    """
    return _unary(_TANH, input)


def sigmoid(input: Tensor) -> Tensor:
    """The logistic sigmoid of each element, ``1 / (1 + exp(-input))``.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.

    Example::

        >>> fl.sigmoid(fl.tensor([-1.0, 0.0, 1.0]))
        tensor([0.2689, 0.5000, 0.7311])
    """
    return _unary(_SIGMOID, input)


def erf(input: Tensor) -> Tensor:
    """The Gauss error function of each element.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.
    """
    return _unary(_ERF, input)


def reciprocal(input: Tensor) -> Tensor:
    """The reciprocal of each element, ``1 / input``.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype when that is floating point, else of the default
            float dtype.
    """
    return _unary(_RECIPROCAL, input)


def abs(input: Tensor) -> Tensor:
    """The absolute value of each element.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype.

    Example::

        >>> fl.abs(fl.tensor([-2, 3]))
        tensor([2, 3])
    """
    return _unary(_ABS, input)


def sign(input: Tensor) -> Tensor:
    """The sign of each element: -1, 0 or 1.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype.
    """
    return _unary(_SIGN, input)


def relu(input: Tensor) -> Tensor:
    """The rectified linear unit of each element, ``max(input, 0)``.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype.

    Example::

        >>> fl.relu(fl.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """
    return _unary(_RELU, input)


def neg(input: Tensor) -> Tensor:
    """The negation of each element, ``-input``.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype (bool is refused).
    """
    return _unary(_NEG, input)


def floor(input: Tensor) -> Tensor:
    """The largest integer not greater than each element. Integer inputs are returned unchanged (as
    a copy).

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype.

    Example::

        >>> fl.floor(fl.tensor([-1.5, 0.5]))
        tensor([-2.,  0.])
    """
    return _unary(_FLOOR, input)


def ceil(input: Tensor) -> Tensor:
    """The smallest integer not less than each element. Integer inputs are returned unchanged (as a
    copy).

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype.
    """
    return _unary(_CEIL, input)


def trunc(input: Tensor) -> Tensor:
    """Each element rounded toward zero. Integer inputs are returned unchanged (as a copy).

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype.
    """
    return _unary(_TRUNC, input)


def isnan(input: Tensor) -> Tensor:
    """Whether each element is NaN.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of dtype bool.

    Example::

        >>> fl.isnan(fl.tensor([1.0, float('nan')]))
        tensor([False,  True])
    """
    return _unary(_ISNAN, input)


def isinf(input: Tensor) -> Tensor:
    """Whether each element is positive or negative infinity.

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of dtype bool.
    """
    return _unary(_ISINF, input)


def isfinite(input: Tensor) -> Tensor:
    """Whether each element is finite (neither NaN nor infinite).

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of dtype bool.
    """
    return _unary(_ISFINITE, input)


def logical_not(input: Tensor) -> Tensor:
    """Whether each element is zero (logical not).

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of dtype bool.
    """
    return _unary(_LOGICAL_NOT, input)


def bitwise_not(input: Tensor) -> Tensor:
    """The bitwise not of each element (logical not for bool).

    Args:
        input (Tensor): the input tensor.

    Returns:
        Tensor: a new tensor of the input's dtype, which must be an integer or bool dtype.
    """
    return _unary(_BITWISE_NOT, input)


def add(input: Tensor | float, other: Tensor | float) -> Tensor:
    """``input + other``, elementwise.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    The core of :func:`flambeau.add`, which wraps it (and takes more arguments).

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_ADD, input, other)
    return _operands(_ADD, input, other)


def mul(input: Tensor | float, other: Tensor | float) -> Tensor:
    """``input * other``, elementwise.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to.

    Example::

        >>> fl.mul(fl.tensor([1, 2, 3]), 2)
        tensor([2, 4, 6])
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_MUL, input, other)
    return _operands(_MUL, input, other)


def maximum(input: Tensor | float, other: Tensor | float) -> Tensor:
    """The larger of ``input`` and ``other`` at each position (NaN if either is NaN).

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to.

    Example::

        >>> fl.maximum(fl.tensor([1, 5]), fl.tensor([3, 2]))
        tensor([3, 5])
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_MAXIMUM, input, other)
    return _operands(_MAXIMUM, input, other)


def minimum(input: Tensor | float, other: Tensor | float) -> Tensor:
    """The smaller of ``input`` and ``other`` at each position (NaN if either is NaN).

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_MINIMUM, input, other)
    return _operands(_MINIMUM, input, other)


def pow(input: Tensor | float, other: Tensor | float) -> Tensor:
    """``input`` to the power ``other``, elementwise. Integers to negative integer powers are an
    error.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to.

    Example::

        >>> fl.pow(fl.tensor([1.0, 2.0, 3.0]), 2)
        tensor([1., 4., 9.])
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_POW, input, other)
    return _operands(_POW, input, other)


def remainder(input: Tensor | float, other: Tensor | float) -> Tensor:
    """The remainder of ``input / other`` with the sign of ``other``, like Python's ``%``.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to.

    Example::

        >>> fl.remainder(fl.tensor([-3, 3]), 2)
        tensor([1, 1])
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_REMAINDER, input, other)
    return _operands(_REMAINDER, input, other)


def fmod(input: Tensor | float, other: Tensor | float) -> Tensor:
    """The remainder of ``input / other`` with the sign of ``input``, like C's ``fmod``.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_FMOD, input, other)
    return _operands(_FMOD, input, other)


def sub(input: Tensor | float, other: Tensor | float) -> Tensor:
    """``input - other``, elementwise.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    The core of :func:`flambeau.sub`, which wraps it (and takes more arguments).

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to (bool is refused).
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_SUB, input, other)
    return _operands(_SUB, input, other)


def div(input: Tensor | float, other: Tensor | float) -> Tensor:
    """``input / other``, true division: integer inputs give floats.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    The core of :func:`flambeau.div`, which wraps it (and takes more arguments).

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to when that is floating
            point, else of the default float dtype.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_DIV, input, other)
    return _operands(_DIV, input, other)


def floor_divide(input: Tensor | float, other: Tensor | float) -> Tensor:
    """``input / other`` rounded down, like Python's ``//``.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to.

    Example::

        >>> fl.floor_divide(fl.tensor([-3, 3]), 2)
        tensor([-2,  1])
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_FLOOR_DIVIDE, input, other)
    return _operands(_FLOOR_DIVIDE, input, other)


def atan2(input: Tensor | float, other: Tensor | float) -> Tensor:
    """The angle of the point ``(other, input)`` in radians, ``atan(input / other)`` in the right
    quadrant.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to when that is floating
            point, else of the default float dtype.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_ATAN2, input, other)
    return _operands(_ATAN2, input, other)


def eq(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Whether ``input == other`` at each position.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of dtype bool.

    Example::

        >>> fl.eq(fl.tensor([1, 2]), fl.tensor([1, 3]))
        tensor([ True, False])
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_EQ, input, other)
    return _operands(_EQ, input, other)


def ne(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Whether ``input != other`` at each position.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of dtype bool.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_NE, input, other)
    return _operands(_NE, input, other)


def lt(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Whether ``input < other`` at each position.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of dtype bool.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_LT, input, other)
    return _operands(_LT, input, other)


def le(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Whether ``input <= other`` at each position.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of dtype bool.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_LE, input, other)
    return _operands(_LE, input, other)


def gt(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Whether ``input > other`` at each position.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of dtype bool.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_GT, input, other)
    return _operands(_GT, input, other)


def ge(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Whether ``input >= other`` at each position.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of dtype bool.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_GE, input, other)
    return _operands(_GE, input, other)


def logical_and(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Whether both ``input`` and ``other`` are non-zero at each position.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of dtype bool.

    Example::

        >>> fl.logical_and(fl.tensor([True, False]), True)
        tensor([ True, False])
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_LOGICAL_AND, input, other)
    return _operands(_LOGICAL_AND, input, other)


def logical_or(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Whether ``input`` or ``other`` is non-zero at each position.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of dtype bool.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_LOGICAL_OR, input, other)
    return _operands(_LOGICAL_OR, input, other)


def logical_xor(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Whether exactly one of ``input`` and ``other`` is non-zero at each position.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of dtype bool.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_LOGICAL_XOR, input, other)
    return _operands(_LOGICAL_XOR, input, other)


def bitwise_and(input: Tensor | float, other: Tensor | float) -> Tensor:
    """The bitwise and of ``input`` and ``other`` (logical for bool).

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to, which must be an
            integer or bool dtype.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_BITWISE_AND, input, other)
    return _operands(_BITWISE_AND, input, other)


def bitwise_or(input: Tensor | float, other: Tensor | float) -> Tensor:
    """The bitwise or of ``input`` and ``other`` (logical for bool).

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to, which must be an
            integer or bool dtype.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_BITWISE_OR, input, other)
    return _operands(_BITWISE_OR, input, other)


def bitwise_xor(input: Tensor | float, other: Tensor | float) -> Tensor:
    """The bitwise xor of ``input`` and ``other`` (logical for bool).

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to, which must be an
            integer or bool dtype.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_BITWISE_XOR, input, other)
    return _operands(_BITWISE_XOR, input, other)


def bitwise_left_shift(input: Tensor | float, other: Tensor | float) -> Tensor:
    """``input`` shifted left by ``other`` bits.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to, which must be an
            integer or bool dtype.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_BITWISE_LEFT_SHIFT, input, other)
    return _operands(_BITWISE_LEFT_SHIFT, input, other)


def bitwise_right_shift(input: Tensor | float, other: Tensor | float) -> Tensor:
    """``input`` shifted right by ``other`` bits.

    Broadcasts ``input`` against ``other`` and promotes their dtypes like PyTorch; either may be a
    Python number.

    Args:
        input (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Returns:
        Tensor: a new tensor of the dtype ``input`` and ``other`` promote to, which must be an
            integer or bool dtype.
    """
    if other.__class__ is Tensor or other.__class__ is float:
        return _binary(_BITWISE_RIGHT_SHIFT, input, other)
    return _operands(_BITWISE_RIGHT_SHIFT, input, other)


special_expit = sigmoid
absolute = abs
negative = neg
fix = trunc
multiply = mul
arctan2 = atan2
not_equal = ne
less = lt
less_equal = le
greater = gt
greater_equal = ge
