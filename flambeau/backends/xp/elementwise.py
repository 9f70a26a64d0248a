"""Elementwise kernels: unary math, binary arithmetic, comparisons, where/clamp/lerp."""

from __future__ import annotations

import math


def kernels(xp) -> dict:
    def _is_int(x):
        return not isinstance(x, (int, float)) and x.dtype.kind in "iub"

    def _int_or_pass(fn):
        # floor/ceil/trunc/round leave integers as they are (PyTorch returns them)
        def k(x, **kw):
            if x.dtype.kind in "iub":
                return x.copy()
            return fn(x, **kw)
        k.__name__ = fn.__name__
        return k

    def erf(x):
        # SciPy's vectorised erf where present (imported on first use: it is slow to
        # import and brings its own BLAS); math.erf element by element if not
        if xp.__name__ == "numpy":
            try:
                from scipy.special import erf as scipy_erf
            except ImportError:
                pass
            else:
                return scipy_erf(x).astype(x.dtype, copy=False)
        return xp.vectorize(math.erf, otypes=[x.dtype])(x) if x.size else x.copy()

    def sigmoid(x):
        # two branches so exp never overflows
        out = xp.empty_like(x)
        pos = x >= 0
        e = xp.exp(-xp.abs(x))
        xp.divide(1, 1 + e, out=out, where=pos)
        xp.divide(e, 1 + e, out=out, where=~pos)
        return out

    def sign(x):
        if x.dtype.kind == "b":
            return x.copy()
        if x.dtype.kind == "f":  # PyTorch: sign(nan) is 0, not NumPy's nan
            return xp.where(xp.isnan(x), xp.zeros((), x.dtype), xp.sign(x))
        return xp.sign(x)

    def relu(x):
        if x.dtype.kind == "b":
            return x.copy()
        return xp.maximum(x, x.dtype.type(0))

    def abs_(x):
        return x.copy() if x.dtype.kind == "b" else xp.abs(x)

    def round_(x, decimals=0):
        return xp.round(x, decimals)

    def rsqrt(x):
        return 1 / xp.sqrt(x)

    def reciprocal(x):
        return xp.reciprocal(x)

    def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
        if x.dtype.kind != "f":
            return x.copy()
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def cast(x, dtype):
        return x.astype(dtype.name)

    def _int_div_check(name, b):
        if _is_int(b) or isinstance(b, int):
            bad = (b == 0) if isinstance(b, int) else bool((b == 0).any())
            if bad:
                raise RuntimeError(f"{name}(): ZeroDivisionError, an integer is divided "
                                   f"by zero")

    def floor_divide(a, b):
        _int_div_check("floor_divide", b)
        return xp.floor_divide(a, b)

    def trunc_divide(a, b):
        if _is_int(a) or isinstance(a, int):
            _int_div_check("div", b)
            q = xp.floor_divide(a, b)
            fix = (xp.remainder(a, b) != 0) & ((xp.asarray(a) < 0) != (xp.asarray(b) < 0))
            return q + fix.astype(q.dtype)
        return xp.trunc(xp.divide(a, b))

    def remainder(a, b):
        _int_div_check("remainder", b)
        return xp.remainder(a, b)

    def fmod(a, b):
        _int_div_check("fmod", b)
        return xp.fmod(a, b)

    def pow_(a, b):
        if _is_int(a) and (isinstance(b, int) and b < 0 or _is_int(b) and (b < 0).any()):
            raise RuntimeError("pow(): Integers to negative integer powers are not "
                               "allowed; convert the base to float first")
        if (a if hasattr(a, "dtype") else b).dtype.kind == "b":
            # NumPy's power on bools returns int8; on {0, 1}, a ** b is a or not b
            return xp.logical_or(a, xp.logical_not(b))
        return xp.power(a, b)

    def where(cond, a, b):
        return xp.where(cond, a, b)

    def lerp(start, end, weight):
        return start + weight * (end - start)

    def clamp(x, lo, hi):
        if lo is not None:
            x = xp.maximum(x, lo)
        if hi is not None:
            x = xp.minimum(x, hi)
        return x if (lo is not None or hi is not None) else x.copy()

    def shift_left(a, b):
        return xp.left_shift(a, b)

    def shift_right(a, b):
        return xp.right_shift(a, b)

    def bitwise_not(x):
        return xp.logical_not(x) if x.dtype.kind == "b" else xp.invert(x)

    def _logical(fn):
        def k(a, b):
            return fn(a, b)
        k.__name__ = fn.__name__
        return k

    return {
        "exp": xp.exp, "exp2": xp.exp2, "expm1": xp.expm1, "log": xp.log,
        "log2": xp.log2, "log10": xp.log10, "log1p": xp.log1p, "sqrt": xp.sqrt,
        "rsqrt": rsqrt, "sin": xp.sin, "cos": xp.cos, "tan": xp.tan, "tanh": xp.tanh,
        "sigmoid": sigmoid, "erf": erf, "reciprocal": reciprocal, "abs": abs_,
        "sign": sign, "relu": relu, "neg": xp.negative,
        "floor": _int_or_pass(xp.floor), "ceil": _int_or_pass(xp.ceil),
        "trunc": _int_or_pass(xp.trunc), "round": _int_or_pass(round_),
        "isnan": xp.isnan, "isinf": xp.isinf, "isfinite": xp.isfinite,
        "logical_not": xp.logical_not, "bitwise_not": bitwise_not,
        "nan_to_num": nan_to_num, "cast": cast,
        "add": xp.add, "sub": xp.subtract, "mul": xp.multiply, "div": xp.true_divide,
        "maximum": xp.maximum, "minimum": xp.minimum, "pow": pow_,
        "remainder": remainder, "fmod": fmod, "floor_divide": floor_divide,
        "trunc_divide": trunc_divide, "atan2": xp.arctan2,
        "eq": xp.equal, "ne": xp.not_equal, "lt": xp.less, "le": xp.less_equal,
        "gt": xp.greater, "ge": xp.greater_equal,
        "logical_and": _logical(xp.logical_and), "logical_or": _logical(xp.logical_or),
        "logical_xor": _logical(xp.logical_xor),
        "bitwise_and": xp.bitwise_and, "bitwise_or": xp.bitwise_or,
        "bitwise_xor": xp.bitwise_xor, "bitwise_left_shift": shift_left,
        "bitwise_right_shift": shift_right,
        "where": where, "lerp": lerp, "clamp": clamp,
    }
