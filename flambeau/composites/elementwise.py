"""Composites for the elementwise rows (see :mod:`flambeau.composites`).

They are written in the primitives and in each other, each only in the primitives and
the rows defined above it in this module, so no cycle can arise:
neg, sub, abs, logical_not, ne, gt, bitwise_or, logical_or, logical_and, logical_xor,
le, ge, isnan, isinf, isfinite, maximum, minimum, clamp, ceil, trunc, round, sign,
relu, bitwise_not, nan_to_num, trunc_divide, fmod, remainder, bitwise_left_shift,
bitwise_right_shift, exp2, expm1, log1p, log2, log10, sqrt, rsqrt, reciprocal, tan,
tanh, sigmoid, lerp.

Other rows are called through the dispatcher, so a backend that implements one of them
itself has its kernel used here too. Python scalars passed to those calls are of the
operand's category (``0.0`` for floats, ``0`` for integers), so that they never promote
it; the dispatcher wraps out-of-range integers (``-1`` is 255 for uint8), as C does.
"""

from __future__ import annotations

import functools
import math

from ..dispatcher import dispatch
from ..dispatcher.dtypes import bool_, finfo, float16, float32
from ..dispatcher.optable import OPS


def _row(name):
    row = OPS[name]

    def call(*inputs, **params):
        return dispatch.call(row, *inputs, **params)
    call.__name__ = name
    return call


# primitives
(_cast, _add, _mul, _div, _floor_divide, _pow, _exp, _log, _sin, _cos, _floor,
 _bitwise_and, _bitwise_xor, _eq, _lt, _where, _full) = map(_row, (
    "cast", "add", "mul", "div", "floor_divide", "pow", "exp", "log", "sin", "cos",
    "floor", "bitwise_and", "bitwise_xor", "eq", "lt", "where", "full"))
# rows of this module
(_neg, _sub, _abs, _logical_not, _ne, _bitwise_or, _logical_or, _logical_and,
 _logical_xor, _le, _isnan, _isinf, _isfinite, _maximum, _minimum, _ceil, _trunc,
 _trunc_divide, _fmod, _expm1, _sqrt) = map(_row, (
    "neg", "sub", "abs", "logical_not", "ne", "bitwise_or", "logical_or", "logical_and",
    "logical_xor", "le", "isnan", "isinf", "isfinite", "maximum", "minimum", "ceil",
    "trunc", "trunc_divide", "fmod", "expm1", "sqrt"))

_INF = math.inf


def _is_tensor(x) -> bool:
    return isinstance(x, dispatch.Tensor)


def _floating(x) -> bool:
    return x.dtype.is_floating_point


def _zero(x):
    """0 of ``x``'s category, as a Python scalar."""
    return False if x.dtype is bool_ else 0.0 if _floating(x) else 0


def _copy(x):
    return _cast(x, dtype=x.dtype)


def _tensors(*xs):
    """The operands with Python scalars made 0-d tensors of the tensors' dtype (the
    compute dtype): where ops on two scalars could not be dispatched."""
    like = next(x for x in xs if _is_tensor(x))
    return tuple(x if x is None or _is_tensor(x) else
                 _full(shape=(), fill_value=x, dtype=like.dtype, device=like.device)
                 for x in xs)


def _in_float32(fn):
    """Run ``fn`` on float16 inputs in float32 and round once at the end: a chain of
    float16 roundings loses more than float16 results may."""
    @functools.wraps(fn)
    def run(*inputs, **params):
        if any(_is_tensor(x) and x.dtype is float16 for x in inputs):
            up = [_cast(x, dtype=float32) if _is_tensor(x) else x for x in inputs]
            return _cast(fn(*up, **params), dtype=float16)
        return fn(*inputs, **params)
    return run


# --- arithmetic, comparisons, logic --------------------------------------------------

def neg(x):
    return _mul(x, -1.0 if _floating(x) else -1)


def sub(a, b):
    # a - b is a + (-b) exactly, in IEEE arithmetic and in wrap-around integers
    return _add(a, _neg(b) if _is_tensor(b) else -b)


def abs_(x):
    if x.dtype is bool_:
        return _copy(x)
    if x._dtype.category == 3:
        from .complex import complex_abs
        return complex_abs(x)
    return _where(_lt(x, _zero(x)), _neg(x), x)


def logical_not(x):
    return _eq(x, _zero(x))


def ne(a, b):
    return _logical_not(_eq(a, b))


def gt(a, b):
    return _lt(b, a)


def bitwise_or(a, b):
    # every bit: a | b == (a ^ b) ^ (a & b)
    return _bitwise_xor(_bitwise_xor(a, b), _bitwise_and(a, b))


def _truth(x):
    return _ne(x, _zero(x)) if _is_tensor(x) else bool(x)


def logical_or(a, b):
    return _bitwise_or(_truth(a), _truth(b))


def logical_and(a, b):
    return _bitwise_and(_truth(a), _truth(b))


def logical_xor(a, b):
    return _bitwise_xor(_truth(a), _truth(b))


def le(a, b):
    # not (b < a) would be true for NaN
    return _logical_or(_lt(a, b), _eq(a, b))


def ge(a, b):
    return _le(b, a)


def isnan(x):
    return _ne(x, x) if _floating(x) else _lt(x, x)


def isinf(x):
    return _eq(_abs(x), _INF) if _floating(x) else _lt(x, x)


def isfinite(x):
    return _lt(_abs(x), _INF) if _floating(x) else _eq(x, x)


def maximum(a, b):
    a, b = _tensors(a, b)
    m = _where(_lt(a, b), b, a)
    # NaN wins from either side (a NaN a is kept by the where already)
    return _where(_isnan(b), b, m) if _floating(b) else m


def minimum(a, b):
    a, b = _tensors(a, b)
    m = _where(_lt(b, a), b, a)
    return _where(_isnan(b), b, m) if _floating(b) else m


def clamp(x, lo, hi):
    if lo is None and hi is None:
        return _copy(x)
    if lo is not None:
        x = _maximum(x, lo)
    if hi is not None:
        x = _minimum(x, hi)
    return x


# --- rounding --------------------------------------------------------------------------

def ceil(x):
    return _copy(x) if not _floating(x) else _neg(_floor(_neg(x)))


def trunc(x):
    return _copy(x) if not _floating(x) else _where(_lt(x, 0.0), _ceil(x), _floor(x))


def _round_half_even(x):
    f = _floor(x)
    d = _sub(x, f)  # x's fraction; exact (Sterbenz) where it decides anything
    odd = _eq(_sub(f, _mul(_floor(_mul(f, 0.5)), 2.0)), 1.0)
    up = _logical_or(_lt(0.5, d), _logical_and(_eq(d, 0.5), odd))
    # values already whole (large ones, infinities) stay as they are
    return _where(_eq(f, x), x, _add(f, _cast(up, dtype=x.dtype)))


def round_(x, decimals=0):
    """Round half to even; with ``decimals``, NumPy's scaling by ``10**decimals``."""
    if not _floating(x):
        return _copy(x)
    if decimals == 0:
        return _round_half_even(x)
    return _round_scaled(x, decimals)


@_in_float32
def _round_scaled(x, decimals):
    if decimals > 0:
        s = 10.0 ** decimals
        return _div(_round_half_even(_mul(x, s)), s)
    s = 10.0 ** -decimals
    return _mul(_round_half_even(_div(x, s)), s)


def sign(x):
    if x.dtype is bool_:
        return _copy(x)
    z = _zero(x)
    s = _sub(_cast(_lt(z, x), dtype=x.dtype), _cast(_lt(x, z), dtype=x.dtype))
    return s  # NaN compares false both ways: sign(nan) is 0, as PyTorch's


def relu(x):
    if x.dtype is bool_:
        return _copy(x)
    z = _zero(x)
    return _where(_lt(x, z), z, x)  # keeps NaN, as max(x, 0) does


def bitwise_not(x):
    return _logical_not(x) if x.dtype is bool_ else _bitwise_xor(x, -1)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    if not _floating(x):
        return _copy(x)
    info = finfo(x.dtype)
    r = _where(_isnan(x), nan, x)
    r = _where(_eq(x, _INF), info.max if posinf is None else posinf, r)
    return _where(_eq(x, -_INF), info.min if neginf is None else neginf, r)


# --- division ------------------------------------------------------------------------

def trunc_divide(a, b):
    if _floating(a if _is_tensor(a) else b):
        return _trunc(_div(a, b))
    a, b = _tensors(a, b)
    q = _floor_divide(a, b)  # raises for an integer divided by zero
    # floor and trunc differ by one where the division is inexact and the signs differ
    fix = _logical_and(_ne(_sub(a, _mul(q, b)), 0), _logical_xor(_lt(a, 0), _lt(b, 0)))
    return _add(q, _cast(fix, dtype=q.dtype))


def _split(x):
    """Veltkamp's splitting: ``x == hi + lo`` with ``hi`` and ``lo`` each of at most
    half the mantissa's bits, so that their products are exact."""
    c = _mul(x, 2.0 ** {"float32": 12, "float64": 27}[x.dtype.name] + 1.0)
    hi = _sub(c, _sub(c, x))
    return hi, _sub(x, hi)


def _residual(a, q, b):
    """``a - q * b`` with the product unrounded (Dekker's two-product: ``p + e ==
    q * b``); exact whenever the result is a float, as a remainder of ``a`` is."""
    p = _mul(q, b)
    (qh, ql), (bh, bl) = _split(q), _split(b)
    e = _add(_add(_add(_sub(_mul(qh, bh), p), _mul(qh, bl)), _mul(ql, bh)), _mul(ql, bl))
    r = _sub(_sub(a, p), e)  # a - p is exact (Sterbenz): p is within a factor 2 of a
    # the splitting overflows for |q| or |b| near the dtype's max: round the product there
    return _where(_isfinite(r), r, _sub(a, p))


@_in_float32
def fmod(a, b):
    """``a - trunc(a / b) * b`` (C's fmod), computed exactly, with the quotient
    corrected where ``a / b`` rounded to the neighbouring whole number. Exact while
    the quotient fits the mantissa (``|a / b| < 2**24`` in float32)."""
    if not _floating(a if _is_tensor(a) else b):
        return _sub(a, _mul(_trunc_divide(a, b), b))
    a, b = _tensors(a, b)
    r = _residual(a, _trunc(_div(a, b)), b)
    step = _where(_lt(a, 0.0), _neg(_abs(b)), _abs(b))  # |b| with a's sign
    wrong_sign = _logical_and(_ne(r, 0.0), _logical_xor(_lt(r, 0.0), _lt(a, 0.0)))
    r = _where(wrong_sign, _add(r, step), r)
    r = _where(_le(_abs(b), _abs(r)), _sub(r, step), r)
    return _where(_logical_and(_isinf(b), _isfinite(a)), a, r)  # fmod(a, inf) = a


@_in_float32
def remainder(a, b):
    """Python's ``a % b`` (the sign of ``b``): floor division for integers, fmod
    moved by ``b`` for floats."""
    if not _floating(a if _is_tensor(a) else b):
        return _sub(a, _mul(_floor_divide(a, b), b))
    a, b = _tensors(a, b)
    r = _fmod(a, b)
    moved = _logical_and(_ne(r, 0.0), _logical_xor(_lt(r, 0.0), _lt(b, 0.0)))
    return _where(moved, _add(r, b), r)


# --- shifts --------------------------------------------------------------------------

def bitwise_left_shift(a, b):
    """``a * 2**b``; the power wraps to 0 from the width on, as the shift does."""
    a, b = _tensors(a, b)
    if a.dtype is bool_:  # nonzero exactly where a is
        return _bitwise_and(a, _eq(b, b))
    return _mul(a, _pow(2, b))


def bitwise_right_shift(a, b):
    """``floor(a / 2**b)``. The power must fit the dtype, so shift by at most
    ``bits - 2`` at once and finish with halvings: signed shifts saturate at
    ``bits - 1`` (all sign bits), unsigned ones at ``bits`` (zero)."""
    a, b = _tensors(a, b)
    if a.dtype is bool_:
        return _bitwise_and(a, _logical_not(b))
    bits = 8 * a.dtype.itemsize
    s = _minimum(b, bits - 1 if a.dtype.is_signed else bits)
    s0 = _minimum(s, bits - 2)
    q = _floor_divide(a, _pow(2, s0))
    extra = _sub(s, s0)
    q = _where(_lt(0, extra), _floor_divide(q, 2), q)
    if not a.dtype.is_signed:
        q = _where(_lt(1, extra), _floor_divide(q, 2), q)
    return q


# --- transcendental ------------------------------------------------------------------

def exp2(x):
    return _pow(2.0, x)


@_in_float32
def expm1(x):
    """Kahan's ``(u - 1) * x / log(u)`` with ``u = exp(x)`` near 0, where ``u - 1``
    alone loses the bits ``u`` lost in rounding; ``u - 1`` elsewhere."""
    u = _exp(x)
    um1 = _sub(u, 1.0)
    near = _logical_and(_lt(_abs(x), 0.5), _ne(u, 1.0))
    v = _where(near, u, 2.0)  # keeps log (and the division) away from 0 and inf
    r = _where(near, _mul(um1, _div(x, _log(v))), um1)
    return _where(_eq(u, 1.0), x, r)


@_in_float32
def log1p(x):
    """``log(u) * x / (u - 1)`` with ``u = 1 + x``: the quotient undoes the rounding
    of ``u``; ``x`` itself where ``u`` rounded to 1 (and for +inf)."""
    u = _add(x, 1.0)
    d = _sub(u, 1.0)
    exact = _logical_or(_eq(d, 0.0), _eq(x, _INF))
    return _where(exact, x, _mul(_log(u), _div(x, _where(exact, 1.0, d))))


@_in_float32
def log2(x):
    return _mul(_log(x), 1.0 / math.log(2.0))


@_in_float32
def log10(x):
    return _mul(_log(x), 1.0 / math.log(10.0))


def sqrt(x):
    # pow(-inf, 0.5) is +inf where sqrt is NaN
    return _where(_lt(x, 0.0), math.nan, _pow(x, 0.5))


@_in_float32
def rsqrt(x):
    return _div(1.0, _sqrt(x))


def reciprocal(x):
    return _div(1.0, x)


@_in_float32
def tan(x):
    return _div(_sin(x), _cos(x))


@_in_float32
def tanh(x):
    """``-t / (t + 2)`` with ``t = expm1(-2|x|)`` in ``(-1, 0]``: no overflow, and
    exact to the last bits near 0; the sign put back after."""
    t = _expm1(_mul(_abs(x), -2.0))
    r = _div(_neg(t), _add(t, 2.0))
    return _where(_lt(x, 0.0), _neg(r), r)


@_in_float32
def sigmoid(x):
    """``1 / (1 + e)`` for ``x >= 0`` and ``e / (1 + e)`` below, ``e = exp(-|x|)``:
    exp never overflows."""
    e = _exp(_neg(_abs(x)))
    return _div(_where(_lt(x, 0.0), e, 1.0), _add(e, 1.0))


@_in_float32
def lerp(start, end, weight):
    return _add(start, _mul(weight, _sub(end, start)))


COMPOSITES: dict = {
    "neg": neg, "sub": sub, "abs": abs_, "logical_not": logical_not, "ne": ne, "gt": gt,
    "bitwise_or": bitwise_or, "logical_or": logical_or, "logical_and": logical_and,
    "logical_xor": logical_xor, "le": le, "ge": ge, "isnan": isnan, "isinf": isinf,
    "isfinite": isfinite, "maximum": maximum, "minimum": minimum, "clamp": clamp,
    "ceil": ceil, "trunc": trunc, "round": round_, "sign": sign, "relu": relu,
    "bitwise_not": bitwise_not, "nan_to_num": nan_to_num, "trunc_divide": trunc_divide,
    "fmod": fmod, "remainder": remainder, "bitwise_left_shift": bitwise_left_shift,
    "bitwise_right_shift": bitwise_right_shift, "exp2": exp2, "expm1": expm1,
    "log1p": log1p, "log2": log2, "log10": log10, "sqrt": sqrt, "rsqrt": rsqrt,
    "reciprocal": reciprocal, "tan": tan, "tanh": tanh, "sigmoid": sigmoid,
    "lerp": lerp,
}
