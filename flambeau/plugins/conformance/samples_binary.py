"""Binary and ternary elementwise ops: arithmetic, comparisons, logical and bitwise
ops, where, lerp, clamp.

Samples cover equal shapes, broadcasting, 0-d tensors, empty tensors, non-contiguous
inputs, Python scalars on either side (weak typing: ``int32 tensor * 2.5`` is
float32) and tensors of another dtype (promotion). References restate PyTorch's
promotion (:func:`result_type`) and compute in NumPy.
"""

from __future__ import annotations

import operator

import numpy as np

import flambeau as fl

from .opinfo import (ALL, FLOATS, INTS, INTS_BOOL, NUMBERS, OpInfo, Sample, Strided,
                     Transposed, cast, finish, make, ref_dtype, result_type, upcast)

__all__ = ["ENTRIES", "binary_samples", "np_binary"]


_MIXED = ((fl.float64, ()), (fl.int32, (3,)), (fl.int64, ()))


def binary_samples(*, lhs=None, rhs=None, scalars=(2, 2.5), rscalars=None, mixed=_MIXED,
                   kwargs=None, extra=None):
    """A generator of the standard binary samples.

    Args:
        lhs, rhs: ``make`` options for each side (value ranges, ``nonzero``).
        scalars: Python numbers used as the right operand.
        rscalars: Python numbers used as the left operand (default: ``scalars``).
        mixed: ``(dtype, shape)`` of a right operand of another dtype, to exercise
            promotion (a 0-d tensor only wins with a higher category).
        kwargs: keyword arguments passed with every sample.
        extra: ``extra(dtype, rng)`` yields more samples, for an op's own edge cases.
    """
    lhs, rhs, kw = lhs or {}, rhs or {}, kwargs or {}
    rscalars = scalars if rscalars is None else rscalars

    def gen(dtype, rng):
        def a(shape, d=dtype):
            return make(shape, d, rng, **lhs)

        def b(shape, d=dtype):
            return make(shape, d, rng, **rhs)
        # whole numbers make ties on purpose: no place for a gradient check
        f = dtype.is_floating_point and not (lhs.get("integral") or rhs.get("integral"))
        yield Sample((a((4, 5)), b((4, 5))), dict(kw), "same shape", f)
        yield Sample((a((3, 1)), b((1, 4))), dict(kw), "broadcast (3,1) (1,4)", f)
        yield Sample((a((2, 3, 4)), b((4,))), dict(kw), "broadcast (2,3,4) (4,)", f)
        yield Sample((a(()), b(())), dict(kw), "0-d 0-d", f)
        yield Sample((a(()), b((3,))), dict(kw), "0-d (3,)", f)
        yield Sample((a((0, 3)), b((3,))), dict(kw), "empty (0,3) (3,)", f)
        yield Sample((Transposed(a((3, 4))), b((3, 4))), dict(kw), "transposed lhs", f)
        yield Sample((a((2, 5)), Strided(b((2, 5)))), dict(kw), "strided rhs", f)
        for s in scalars:
            yield Sample((a((2, 3)), s), dict(kw), f"tensor, scalar {s!r}", f)
        for s in rscalars:
            yield Sample((s, b((2, 3))), dict(kw), f"scalar {s!r}, tensor", f)
        if scalars:
            yield Sample((a(()), scalars[-1]), dict(kw), f"0-d, scalar {scalars[-1]!r}", f)
        for other, shape in mixed:
            if other is not dtype:
                yield Sample((a((2, 3)), b(shape, other)), dict(kw),
                             f"{dtype.name} with {other.name}{list(shape)}", f)
        if extra is not None:
            yield from extra(dtype, rng)
    return gen


def np_binary(fn, rule: str = "same"):
    """A reference: promote as PyTorch does, cast both operands to the rule's compute
    dtype, apply ``fn`` (floats in float64), round to the output dtype."""
    def ref(a, b, **kw):
        compute, out = ref_dtype(rule, result_type(a, b))
        return finish(fn(upcast(cast(a, compute)), upcast(cast(b, compute)), **kw), out)
    ref.__name__ = getattr(fn, "__name__", "ref")
    return ref


def _add(a, b, alpha=1):
    return a + b * alpha if alpha != 1 else a + b


def _sub(a, b, alpha=1):
    return a - b * alpha if alpha != 1 else a - b


def _pow(a, b):
    if a.dtype.kind == "b":
        return a | ~b  # x ** y on {0, 1}
    return np.power(a, b)


def _trunc_div(a, b):
    if a.dtype.kind in "iu":  # exact integer arithmetic, no float round trip
        q = np.abs(a.astype(np.int64)) // np.abs(b.astype(np.int64))
        return q * np.sign(a.astype(np.int64)) * np.sign(b.astype(np.int64))
    return np.trunc(a / b)


def _shift_left(a, b):
    return np.left_shift(a, b.astype(a.dtype))


def _shift_right(a, b):
    return np.right_shift(a, b.astype(a.dtype))


def _b(name, fn, rule, dtypes=ALL, *, variant=None, table_op=None, tol=None, **samples):
    op = getattr(fl, name)
    return OpInfo(name, op, np_binary(fn, rule), binary_samples(**samples), dtypes,
                  table_ops=(table_op or name,), tol=tol or {},
                  variants=(variant,) if variant else ())


_NZ = {"nonzero": True}
_TIES = {"low": 0, "high": 3, "integral": True}  # equal elements on both sides
def _wide_shifts(dtype, rng):
    # shifting by the width or more gives 0 (or -1 for negatives shifted right), as in
    # PyTorch; in C it is undefined, so a device must handle it on purpose
    bits = 8 * np.dtype(dtype.name).itemsize
    amounts = np.array([bits - 1, bits, bits + 1, 2 * bits - 1], dtype=dtype.name)
    yield Sample((make((2, 4), dtype, rng), amounts), {}, "shift by the width or more",
                 False)


_BITS = dict(scalars=(3, True), mixed=((fl.int64, ()), (fl.bool, (3,))))
_SHIFT = dict(rhs={"low": 0, "high": 4}, scalars=(2,), rscalars=(3,),
              mixed=((fl.int64, ()), (fl.int16, (3,))), extra=_wide_shifts)

ENTRIES = [
    _b("add", _add, "same", variant=operator.add),
    OpInfo("add_alpha", lambda a, b, alpha: fl.add(a, b, alpha=alpha), np_binary(_add),
           binary_samples(scalars=(2,), rscalars=(), mixed=(), kwargs={"alpha": 2}),
           NUMBERS, table_ops=("add", "mul")),
    _b("sub", _sub, "same", NUMBERS, variant=operator.sub),
    _b("mul", np.multiply, "same", variant=operator.mul),
    _b("div", np.true_divide, "float", variant=operator.truediv, rhs=_NZ,
       rscalars=(3, 2.5)),
    _b("floor_divide", np.floor_divide, "same", NUMBERS, variant=operator.floordiv,
       rhs=_NZ, rscalars=(7, 2.5)),
    OpInfo("div_floor", lambda a, b: fl.div(a, b, rounding_mode="floor"),
           np_binary(np.floor_divide), binary_samples(rhs=_NZ, rscalars=(7,)), NUMBERS,
           table_ops=("floor_divide",)),
    OpInfo("div_trunc", lambda a, b: fl.div(a, b, rounding_mode="trunc"),
           np_binary(_trunc_div), binary_samples(rhs=_NZ, rscalars=(7,)), NUMBERS,
           table_ops=("trunc_divide",)),
    _b("remainder", np.remainder, "same", NUMBERS, variant=operator.mod, rhs=_NZ,
       rscalars=(7, 2.5)),
    _b("fmod", np.fmod, "same", NUMBERS, rhs=_NZ, rscalars=(7, 2.5)),
    _b("pow", _pow, "same", INTS_BOOL, variant=operator.pow, lhs={"low": -3, "high": 4},
       rhs={"low": 0, "high": 4}, scalars=(2, 3, 2.0, True), rscalars=(2, True),
       mixed=((fl.int64, (3,)),)),
    OpInfo("pow_float", fl.pow, np_binary(_pow),
           binary_samples(lhs={"low": 0.5, "high": 3.0}, rhs={"low": -2.0, "high": 2.0},
                          scalars=(2, 0.5, -1.5), rscalars=(2.5,)), FLOATS,
           table_ops=("pow",)),
    _b("maximum", np.maximum, "same"),
    _b("minimum", np.minimum, "same"),
    _b("atan2", np.arctan2, "float"),
    _b("eq", np.equal, "bool", variant=operator.eq, lhs=_TIES, rhs=_TIES,
       scalars=(2, 2.0, True)),
    _b("ne", np.not_equal, "bool", variant=operator.ne, lhs=_TIES, rhs=_TIES,
       scalars=(2, 2.0)),
    _b("lt", np.less, "bool", variant=operator.lt),
    _b("le", np.less_equal, "bool", variant=operator.le, lhs=_TIES, rhs=_TIES),
    _b("gt", np.greater, "bool", variant=operator.gt),
    _b("ge", np.greater_equal, "bool", variant=operator.ge, lhs=_TIES, rhs=_TIES),
    _b("logical_and", np.logical_and, "bool", lhs={"low": 0, "high": 2}),
    _b("logical_or", np.logical_or, "bool", lhs={"low": 0, "high": 2}),
    _b("logical_xor", np.logical_xor, "bool", lhs={"low": 0, "high": 2}),
    _b("bitwise_and", np.bitwise_and, "same", INTS_BOOL, variant=operator.and_, **_BITS),
    _b("bitwise_or", np.bitwise_or, "same", INTS_BOOL, variant=operator.or_, **_BITS),
    _b("bitwise_xor", np.bitwise_xor, "same", INTS_BOOL, variant=operator.xor, **_BITS),
    _b("bitwise_left_shift", _shift_left, "same", INTS, variant=operator.lshift,
       **_SHIFT),
    _b("bitwise_right_shift", _shift_right, "same", INTS, variant=operator.rshift,
       **_SHIFT),
]


# --- ternary -------------------------------------------------------------------------

def _where_samples(dtype, rng):
    def c(shape):
        return make(shape, fl.bool, rng)

    def x(shape, d=dtype):
        return make(shape, d, rng)
    f = dtype.is_floating_point
    yield Sample((c((3, 4)), x((3, 4)), x((3, 4))), {}, "same shape", f)
    yield Sample((c((3, 1)), x((1, 4)), x((4,))), {}, "broadcast all three", f)
    yield Sample((c(()), x(()), x(())), {}, "0-d", f)
    yield Sample((c((0, 2)), x((0, 2)), x((2,))), {}, "empty", f)
    yield Sample((Strided(c((2, 3))), Transposed(x((2, 3))), x((2, 3))), {},
                 "strided cond, transposed input", f)
    yield Sample((c((2, 3)), x((2, 3)), 0), {}, "scalar 0 other", f)
    yield Sample((c((2, 3)), 2.5, x((2, 3))), {}, "scalar 2.5 input", f)
    if dtype is not fl.float64:
        yield Sample((c((2, 3)), x((2, 3)), x((), fl.float64)), {}, "0-d float64 other",
                     f)


def _where_ref(cond, a, b):
    d = result_type(a, b)
    return np.where(cond, cast(a, d), cast(b, d)).astype(d)


def _lerp_samples(dtype, rng):
    def x(shape):
        return make(shape, dtype, rng)

    def w(shape):
        return make(shape, dtype, rng, low=0.0, high=1.0)
    yield Sample((x((3, 4)), x((3, 4)), 0.3), {}, "scalar weight")
    yield Sample((x((3, 4)), x((3, 4)), 0.8), {}, "scalar weight > 0.5")
    yield Sample((x((3, 1)), x((4,)), w((3, 4))), {}, "broadcast, tensor weight")
    yield Sample((x(()), x(()), w(())), {}, "0-d")
    yield Sample((x((0, 3)), x((3,)), 0.5), {}, "empty")
    yield Sample((Transposed(x((3, 4))), x((3, 4)), Strided(w((3, 4)))), {},
                 "non-contiguous")


def _lerp_ref(start, end, weight):
    d = start.dtype
    s, e, w = upcast(start), upcast(cast(end, d)), upcast(cast(weight, d))
    return finish(s + w * (e - s), d)


def _clamp_samples(dtype, rng):
    def x(shape, **kw):
        return make(shape, dtype, rng, **kw)
    f = dtype.is_floating_point
    lo = 2 if dtype is fl.uint8 else -2  # a negative bound does not fit uint8
    yield Sample((x((3, 4)), lo, 3), {}, "int bounds", f)
    yield Sample((x((3, 4)), None, 3), {}, "max only", f)
    yield Sample((x((3, 4)), 1, None), {}, "min only", f)
    yield Sample((x((3, 4)), 6, lo + 1), {}, "min > max gives max", False)
    yield Sample((x((3, 4)), x((3, 1), high=1), x((4,), low=1)), {}, "tensor bounds", f)
    yield Sample((x(()), x(()), None), {}, "0-d", f)
    yield Sample((x((0, 4)), lo, 3), {}, "empty", f)
    yield Sample((Transposed(x((4, 3))), lo, 2), {}, "transposed", f)
    yield Sample((x((2, 3)), -1.5, 2.5), {}, "float bounds (int input promotes)", f)
    if f:
        vals = np.array([np.nan, np.inf, -np.inf, 0.5], dtype=dtype.name)
        yield Sample((vals, -1.0, 1.0), {}, "nan/inf", False)


def _clamp_ref(x, lo, hi):
    d = result_type(x, lo, hi)
    y = upcast(cast(x, d))
    if lo is not None:
        y = np.maximum(y, upcast(cast(lo, d)))
    if hi is not None:
        y = np.minimum(y, upcast(cast(hi, d)))
    return finish(y, d)


ENTRIES += [
    OpInfo("where", fl.where, _where_ref, _where_samples, ALL),
    # a float16 lerp computed in float16 rounds three times
    OpInfo("lerp", fl.lerp, _lerp_ref, _lerp_samples, FLOATS, tol={"float16": (1e-2, 1e-2)}),
    OpInfo("clamp", lambda x, lo, hi: fl.clamp(x, lo, hi), _clamp_ref, _clamp_samples,
           NUMBERS),
]
