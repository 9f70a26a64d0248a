"""Public functions built from several table ops, and in-place methods.

A backend gets these for free once its kernels conform, so they mostly check the
frontend's composition on a real device: ``square``, ``rsub``, ``float_power``,
``equal``, ``count_nonzero``, ``nansum``, ``aminmax``, ``var_mean``, and in-place
arithmetic (``x.add_(y)`` must write into ``x``, views included, and return it).
"""

from __future__ import annotations

import numpy as np

import flambeau as fl

from .opinfo import (ALL, FLOATS, NUMBERS, OpInfo, Sample, Strided, Transposed, cast,
                     finish, make, result_type, upcast)
from .samples_binary import binary_samples, np_binary
from .samples_elementwise import unary_samples
from .samples_reductions import reduction_samples

__all__ = ["ENTRIES"]


def _square_ref(x):
    if x.dtype.kind == "b":  # PyTorch's square is pow(x, 2): bool promotes to int64
        return x.astype(np.int64)
    return finish(upcast(x) * upcast(x), x.dtype)


def _float_power_ref(a, b):
    return np.power(cast(a, np.float64), cast(b, np.float64))


def _equal_samples(dtype, rng):
    a = make((3, 4), dtype, rng)
    b = a.copy()
    b[1, 2] = ~b[1, 2] if dtype is fl.bool else b[1, 2] + 1
    yield Sample((a, a.copy()), {}, "equal", False)
    yield Sample((a, b), {}, "one element differs", False)
    yield Sample((a, a.reshape(4, 3).copy()), {}, "other shape", False)
    yield Sample((Transposed(a), a.copy()), {}, "transposed, equal", False)
    yield Sample((make((0, 2), dtype, rng), make((0, 2), dtype, rng)), {}, "empty", False)


def _count_nonzero_ref(x, dim=None):
    return np.asarray(np.count_nonzero(x, axis=dim)).astype(np.int64)


def _count_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng, low=0, high=2, integral=True)
    yield Sample((mk((3, 4)),), {}, "all", False)
    yield Sample((mk((3, 4)),), {"dim": 1}, "dim 1", False)
    yield Sample((Transposed(mk((4, 3))),), {"dim": 0}, "transposed", False)
    yield Sample((mk((0, 3)),), {"dim": 0}, "empty", False)


def _nansum_ref(x, dim=None, keepdim=False):
    axis = None if dim is None else (dim,)
    return finish(np.nansum(upcast(x), axis=axis, keepdims=keepdim), x.dtype)


def _nan_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    x[0, 1] = x[2, 3] = np.nan
    yield Sample((x,), {}, "all", False)
    yield Sample((x,), {"dim": 1, "keepdim": True}, "dim 1", False)
    yield Sample((make((0, 3), dtype, rng),), {}, "empty", False)
    yield Sample((make((3, 4), dtype, rng),), {"dim": 0}, "no NaN, dim 0", True)


def _aminmax_ref(x, dim=None, keepdim=False):
    axis = None if x.ndim == 0 else dim
    return (np.min(x, axis=axis, keepdims=keepdim), np.max(x, axis=axis, keepdims=keepdim))


def _var_mean_ref(x, dim=None, keepdim=False):
    axis = None if dim is None or x.ndim == 0 else (dim,)
    n = x.size if axis is None else x.shape[dim]
    w = upcast(x)
    m = np.mean(w, axis=axis, keepdims=True)
    var = np.sum((w - m) ** 2, axis=axis, keepdims=keepdim) / max(n - 1, 0)
    return finish(var, x.dtype), finish(np.mean(w, axis=axis, keepdims=keepdim), x.dtype)


# --- in-place methods ----------------------------------------------------------------

def _inplace(name: str):
    """``x.<name>(*args, **kw)``, checked to return ``x`` itself; the result is ``x``."""
    def op(x, *args, **kw):
        out = getattr(x, name)(*args, **kw)
        assert out is x, f"{name} returned a new tensor instead of self"
        return x
    op.__name__ = name
    return op


def _inplace_samples(*, rhs=None, lower=None, alpha=False):
    """Samples whose result has the first input's shape, with a right operand of the
    same dtype, broadcast, scalar, or of ``lower`` dtype (cast back into x), and with
    ``alpha=`` where the method takes it."""
    rhs = rhs or {}

    def gen(dtype, rng):
        def x(shape):
            return make(shape, dtype, rng)

        def y(shape, d=dtype):
            return make(shape, d, rng, **rhs)
        f = dtype.is_floating_point
        yield Sample((x((3, 4)), y((3, 4))), {}, "same shape", f)
        yield Sample((x((3, 4)), y((4,))), {}, "broadcast right operand", f)
        yield Sample((x((3, 4)), True if dtype is fl.bool else 2), {}, "scalar", f)
        yield Sample((Transposed(x((3, 4))), y((3, 4))), {}, "into a transposed view", f)
        yield Sample((Strided(x((2, 3))), y((2, 3))), {}, "into a strided view", f)
        yield Sample((x(()), y(())), {}, "0-d", f)
        yield Sample((x((0, 3)), y((3,))), {}, "empty", f)
        # only a lower category casts back into x (a float result cannot go into ints)
        if lower is not None and lower is not dtype and lower.category <= dtype.category:
            yield Sample((x((2, 3)), y((2, 3), lower)), {}, f"{lower.name} operand", f)
        if alpha and dtype is not fl.bool:  # PyTorch takes only a bool alpha for bool
            a = 0.5 if f else 3
            yield Sample((x((3, 4)), y((4,))), {"alpha": a}, f"alpha={a}", f)
            yield Sample((x((3, 4)), 2), {"alpha": a}, f"scalar, alpha={a}", f)
    return gen


def _inplace_ref(fn):
    def ref(x, y, alpha=1):
        if alpha != 1:
            y = np.asarray(y) * alpha if isinstance(y, np.ndarray) else y * alpha
        compute = result_type(x, y)
        return finish(fn(upcast(cast(x, compute)), upcast(cast(y, compute))), x.dtype)
    return ref


def _clamp_inplace_ref(x, lo, hi):
    return finish(np.minimum(np.maximum(upcast(x), lo), hi), x.dtype)


def _clamp_inplace_samples(dtype, rng):
    f = dtype.is_floating_point
    yield Sample((make((3, 4), dtype, rng), 1, 5), {}, "2-d", f)
    yield Sample((Transposed(make((3, 4), dtype, rng)), 1, 5), {}, "transposed", f)


ENTRIES = [
    OpInfo("square", fl.square, _square_ref, unary_samples(specials=False), ALL,
           table_ops=("mul", "pow")),
    OpInfo("rsub", fl.rsub, np_binary(lambda a, b: b - a), binary_samples(), NUMBERS,
           table_ops=("sub",)),
    OpInfo("float_power", fl.float_power, _float_power_ref,
           binary_samples(lhs={"low": 0.5, "high": 3.0}, rhs={"low": -2, "high": 3},
                          scalars=(2, 0.5), rscalars=(2.0,)), NUMBERS,
           table_ops=("pow", "cast")),
    OpInfo("equal", fl.equal, lambda a, b: a.shape == b.shape and bool(np.all(a == b)),
           _equal_samples, ALL, table_ops=("eq", "all")),
    OpInfo("count_nonzero", fl.count_nonzero, _count_nonzero_ref, _count_samples, ALL,
           table_ops=("ne", "sum")),
    OpInfo("nansum", fl.nansum, _nansum_ref, _nan_samples, FLOATS,
           table_ops=("sum", "isnan", "where"), tol={"float16": (1e-2, 5e-2)}),
    OpInfo("aminmax", lambda x, **kw: tuple(fl.aminmax(x, **kw)), _aminmax_ref,
           reduction_samples(identity=False, multi_dim=False, nan=False), ALL,
           table_ops=("amin", "amax")),
    OpInfo("var_mean", lambda x, **kw: fl.var_mean(x, **kw), _var_mean_ref,
           reduction_samples(multi_dim=False, identity=False, nan=False), FLOATS,
           table_ops=("var", "mean"), tol={"float16": (1e-2, 5e-2)}),
    # the fused in-place rows (add_, ...) are optional: without them flambeau composes
    # the out-of-place op and copy_, so the out-of-place row comes first
    OpInfo("add_", _inplace("add_"), _inplace_ref(np.add),
           _inplace_samples(lower=fl.bool, alpha=True), ALL,
           table_ops=("add", "add_", "copy_"), mutates=True),
    OpInfo("sub_", _inplace("sub_"), _inplace_ref(np.subtract),
           _inplace_samples(lower=fl.int8, alpha=True), NUMBERS,
           table_ops=("sub", "sub_", "copy_"), mutates=True),
    OpInfo("mul_", _inplace("mul_"), _inplace_ref(np.multiply),
           _inplace_samples(lower=fl.uint8), ALL, table_ops=("mul", "mul_", "copy_"),
           mutates=True),
    OpInfo("div_", _inplace("div_"), _inplace_ref(np.true_divide),
           _inplace_samples(rhs={"nonzero": True}, lower=fl.int32), FLOATS,
           table_ops=("div", "div_", "copy_"), mutates=True),
    OpInfo("clamp_", _inplace("clamp_"), _clamp_inplace_ref, _clamp_inplace_samples,
           NUMBERS, table_ops=("clamp", "copy_"), mutates=True),
]
