"""Unary elementwise ops: math functions, rounding, predicates, casts.

Every entry runs on the same shapes (0-d, empty, 1-d, 2-d, 3-d with a size-0 dim) and
layouts (transposed, strided, expanded), plus NaN/inf values where the op has a
defined answer for them. References compute in float64 and round once.
"""

from __future__ import annotations

import math

import numpy as np

import flambeau as fl

from .opinfo import (ALL, FLOATS, INTS_BOOL, NUMBERS, Expanded, OpInfo, Sample,
                     Strided, Transposed, finish, make, ref_dtype, upcast)

__all__ = ["ENTRIES", "unary_samples", "np_unary"]

_SPECIALS = (np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0)


def unary_samples(*, low=None, high=None, nonzero=False, away_from_int=False,
                  specials=True, kwargs=None, smooth=True):
    """A generator of the standard unary samples, with values drawn from
    ``[low, high)`` and kept away from the op's non-differentiable points;
    ``smooth=False`` marks none differentiable (an op whose jumps lie too close
    together for any finite difference to miss them)."""
    kw = kwargs or {}

    def gen(dtype, rng):
        def mk(shape):
            return make(shape, dtype, rng, low=low, high=high, nonzero=nonzero,
                        away_from_int=away_from_int)
        floaty = dtype.is_floating_point and smooth
        yield Sample((mk(()),), dict(kw), "0-d", floaty)
        yield Sample((mk((0,)),), dict(kw), "empty (0,)", floaty)
        yield Sample((mk((2, 0, 3)),), dict(kw), "empty (2, 0, 3)", floaty)
        yield Sample((mk((17,)),), dict(kw), "(17,)", floaty)
        yield Sample((mk((3, 4)),), dict(kw), "(3, 4)", floaty)
        yield Sample((Transposed(mk((4, 3))),), dict(kw), "transposed (4, 3)", floaty)
        yield Sample((Strided(mk((2, 5))),), dict(kw), "strided (2, 5)", floaty)
        yield Sample((Expanded(mk((3, 1)), (3, 4)),), dict(kw), "expanded (3, 1)->(3, 4)",
                     floaty)
        if specials and floaty:
            vals = np.array(_SPECIALS, dtype=dtype.name)
            yield Sample((vals,), dict(kw), "nan/inf/signed zero", False)
    return gen


def np_unary(fn, rule: str = "same"):
    """A reference that casts the input to the rule's compute dtype, applies the
    NumPy function in float64 (or the integer dtype) and rounds to the output dtype."""
    def ref(x, **kw):
        compute, out = ref_dtype(rule, x.dtype)
        return finish(fn(upcast(x.astype(compute)), **kw), out)
    ref.__name__ = getattr(fn, "__name__", "ref")
    return ref


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x) if x.size else x


def _sign(x):
    return x.copy() if x.dtype.kind == "b" else np.sign(x)


def _abs(x):
    return x.copy() if x.dtype.kind == "b" else np.abs(x)


def _relu(x):
    # max(x, 0) keeps NaN, as PyTorch's relu (a clamp) does
    return x.copy() if x.dtype.kind == "b" else np.maximum(x, x.dtype.type(0))


def _round(x, decimals=0):
    if x.dtype.kind != "f":
        return x
    if decimals == 0:
        return np.round(x)  # NumPy rounds half to even, as PyTorch does
    scale = 10.0 ** decimals
    return np.round(x * scale) / scale


def _nan_to_num_ref(x, nan=0.0, posinf=None, neginf=None):
    if x.dtype.kind != "f":
        return x.copy()
    info = np.finfo(x.dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    return finish(np.nan_to_num(x.astype(np.float64), nan=nan, posinf=posinf,
                                neginf=neginf), x.dtype)


def _logical_not(x):
    return np.logical_not(x)


def _bitwise_not(x):
    return np.logical_not(x) if x.dtype.kind == "b" else np.invert(x)


def _cast_samples(dtype, rng):
    # values in [0, 100): every dtype holds them, and float -> int truncation is defined
    for target in ALL:
        floaty = dtype.is_floating_point and target.is_floating_point
        yield Sample((make((3, 4), dtype, rng, low=0, high=100),), {"dtype": target},
                     f"to {target.name}", floaty)
        yield Sample((Transposed(make((4, 3), dtype, rng, low=0, high=100)),),
                     {"dtype": target}, f"transposed to {target.name}", floaty)
    yield Sample((make((), dtype, rng, low=0, high=100),), {"dtype": fl.int64}, "0-d",
                 False)
    yield Sample((make((0, 2), dtype, rng),), {"dtype": fl.float32}, "empty")


def _cast_ref(x, dtype):
    return x.astype(dtype.name)


def _u(name, fn, rule, dtypes=ALL, *, tol=None, **sample_kw):
    return OpInfo(name, getattr(fl, name), np_unary(fn, rule),
                  unary_samples(**sample_kw), dtypes, tol=tol or {})


_POS = dict(low=0.1, high=5.0)

ENTRIES = [
    _u("exp", np.exp, "float"),
    _u("exp2", np.exp2, "float"),
    _u("expm1", np.expm1, "float"),
    _u("log", np.log, "float", **_POS),
    _u("log2", np.log2, "float", **_POS),
    _u("log10", np.log10, "float", **_POS),
    _u("log1p", np.log1p, "float", low=-0.9, high=5.0),
    _u("sqrt", np.sqrt, "float", **_POS),
    _u("rsqrt", lambda x: 1.0 / np.sqrt(x), "float", **_POS),
    _u("sin", np.sin, "float"),
    _u("cos", np.cos, "float"),
    _u("tan", np.tan, "float", low=-1.4, high=1.4),
    _u("tanh", np.tanh, "float"),
    _u("sigmoid", _sigmoid, "float"),
    _u("erf", _erf, "float"),
    _u("reciprocal", np.reciprocal, "float", nonzero=True),
    _u("abs", _abs, "same", nonzero=True),
    # PyTorch's sign(NaN) is 0 where NumPy's is NaN; the kit leaves NaN to neither
    _u("sign", _sign, "same", nonzero=True, specials=False),
    _u("relu", _relu, "same", nonzero=True),
    _u("neg", np.negative, "same", NUMBERS),
    _u("floor", np.floor, "same", NUMBERS, away_from_int=True),
    _u("ceil", np.ceil, "same", NUMBERS, away_from_int=True),
    _u("trunc", np.trunc, "same", NUMBERS, away_from_int=True),
    _u("isnan", np.isnan, "bool"),
    _u("isinf", np.isinf, "bool"),
    _u("isfinite", np.isfinite, "bool"),
    _u("logical_not", _logical_not, "bool"),
    _u("bitwise_not", _bitwise_not, "same", INTS_BOOL),
    OpInfo("round", lambda x, **kw: fl.round(x, **kw), np_unary(_round, "same"),
           unary_samples(away_from_int=True), NUMBERS),
    OpInfo("round_half_even", lambda x, **kw: fl.round(x, **kw), np_unary(_round, "same"),
           lambda dtype, rng: [Sample((np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5],
                                                dtype=dtype.name),), {}, "halves", False)],
           FLOATS, table_ops=("round",)),
    OpInfo("round_decimals", lambda x, **kw: fl.round(x, **kw), np_unary(_round, "same"),
           unary_samples(specials=False, kwargs={"decimals": 2}, smooth=False), FLOATS,
           table_ops=("round",), tol={"float16": (1e-2, 1e-2)}),
    OpInfo("nan_to_num", lambda x, **kw: fl.nan_to_num(x, **kw), _nan_to_num_ref,
           unary_samples(), NUMBERS),
    OpInfo("nan_to_num_values", lambda x, **kw: fl.nan_to_num(x, **kw), _nan_to_num_ref,
           unary_samples(kwargs={"nan": 1.5, "posinf": 100.0, "neginf": -100.0}), FLOATS,
           table_ops=("nan_to_num",)),
    OpInfo("cast", lambda x, dtype: x.to(dtype), _cast_ref, _cast_samples, ALL),
]
