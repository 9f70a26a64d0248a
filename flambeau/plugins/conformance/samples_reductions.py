"""Reductions and scans: sum/prod/mean, max/min and their indices, var/std,
logsumexp, all/any, norms, cumulative sums and products, softmax.

Samples reduce over all dims, one dim (negative too), several dims, with and without
``keepdim``, on 0-d inputs, on empty inputs (along the empty dim where the op has an
identity, across it otherwise), and on transposed, strided and expanded inputs.
"""

from __future__ import annotations

import numpy as np

import flambeau as fl

from .opinfo import (ALL, FLOATS, Expanded, OpInfo, Sample, Strided, Transposed,
                     finish, make, ref_dtype, upcast)

__all__ = ["ENTRIES", "reduction_samples", "np_reduce"]

# Accumulating many float16 values loses more than one rounding's worth.
_RTOL = {"float16": (1e-2, 5e-2), "float32": (1e-5, 1e-5)}


def reduction_samples(*, identity=True, multi_dim=True, nan=True, kwargs=None,
                      dim_required=False, **make_kw):
    """Standard reduction samples.

    Args:
        identity: the op has a value for an empty reduction (sum: 0); without one,
            empty inputs are only reduced across their non-empty dims.
        multi_dim: the op takes a tuple of dims.
        nan: add a sample holding NaN (floats only).
        kwargs: extra keyword arguments for every sample (``correction``, ``p``).
        dim_required: the op needs ``dim`` (no reduction over everything).
        make_kw: value options for :func:`make`.
    """
    extra = kwargs or {}

    def gen(dtype, rng):
        def mk(shape):
            return make(shape, dtype, rng, **make_kw)
        # whole numbers make ties on purpose: no place for a gradient check
        f = dtype.is_floating_point and not make_kw.get("integral")
        cases = [
            (mk((4, 5)), {"dim": 0}, "(4,5) dim 0"),
            (mk((4, 5)), {"dim": -1, "keepdim": True}, "(4,5) dim -1 keepdim"),
            (mk((2, 3, 4)), {"dim": 1}, "(2,3,4) dim 1"),
            (mk(()), {"dim": 0}, "0-d dim 0"),
            (mk((0, 3)), {"dim": 1}, "empty (0,3) dim 1"),
            (Transposed(mk((5, 4))), {"dim": 1}, "transposed dim 1"),
            (Strided(mk((3, 4))), {"dim": 0}, "strided dim 0"),
            (Expanded(mk((3, 1)), (3, 4)), {"dim": 1}, "expanded dim 1"),
        ]
        if not dim_required:
            cases += [(mk((4, 5)), {}, "(4,5) all"), (mk(()), {}, "0-d all"),
                      (Transposed(mk((3, 4))), {}, "transposed all")]
        if multi_dim:
            cases += [(mk((2, 3, 4)), {"dim": (0, 2)}, "(2,3,4) dims (0,2)"),
                      (mk((2, 3, 4)), {"dim": (-1, 0), "keepdim": True},
                       "(2,3,4) dims (-1,0) keepdim")]
        if identity:
            cases += [(mk((0, 3)), {"dim": 0}, "empty (0,3) dim 0")]
            if not dim_required:
                cases += [(mk((0,)), {}, "empty (0,) all")]
        for x, kw, desc in cases:
            # an expanded input repeats its values: ties, where max and min and a zero
            # variance have no derivative
            yield Sample((x,), {**kw, **extra}, desc, f and not isinstance(x, Expanded))
        if nan and f:
            x = mk((3, 4))
            x[1, 2] = np.nan
            yield Sample((x,), {"dim": 1, **extra}, "NaN in row 1", False)
    return gen


def _axis(x, dim):
    # the frontend's dim conventions, in NumPy's terms: 0-d inputs take dim 0 or -1
    if dim is None or x.ndim == 0:
        return None
    return dim if isinstance(dim, tuple) else (dim,)


def np_reduce(fn, rule: str = "same"):
    """A reference for ``op(x, dim=None, keepdim=False, dtype=None, **params)``:
    ``fn(x, axis=..., keepdims=..., **params)`` computed in float64 for floats."""
    def ref(x, dim=None, keepdim=False, dtype=None, **params):
        if dtype is not None:
            x = x.astype(dtype.name)
        compute, out = ref_dtype(rule, x.dtype)
        r = fn(upcast(x.astype(compute)), axis=_axis(x, dim), keepdims=keepdim, **params)
        return finish(r, out)
    ref.__name__ = getattr(fn, "__name__", "ref")
    return ref


def _sum(x, axis, keepdims):
    return np.sum(x, axis=axis, keepdims=keepdims)


def _prod(x, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims)


def _var(x, axis, keepdims, correction=1):
    n = x.size if axis is None else int(np.prod([x.shape[a] for a in axis]))
    m = np.mean(x, axis=axis, keepdims=True) if x.size else 0.0
    ss = np.sum((x - m) ** 2, axis=axis, keepdims=keepdims)
    return ss / max(n - correction, 0)  # 0/0 is NaN, x/0 is inf, as in PyTorch


def _std(x, axis, keepdims, correction=1):
    return np.sqrt(_var(x, axis, keepdims, correction))


def _logsumexp(x, axis, keepdims):
    if x.size == 0:
        return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    r = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return r if keepdims else np.squeeze(r, axis=axis)


def _norm(x, axis, keepdims, p=2.0):
    a = np.abs(x)
    if p == np.inf:
        return np.max(a, axis=axis, keepdims=keepdims)
    if p == -np.inf:
        return np.min(a, axis=axis, keepdims=keepdims)
    if p == 0:
        return np.sum(a != 0, axis=axis, keepdims=keepdims)
    return np.sum(a ** p, axis=axis, keepdims=keepdims) ** (1.0 / p)


def _extreme_dim(name):
    pick, arg = (np.max, np.argmax) if name == "max" else (np.min, np.argmin)

    def ref(x, dim, keepdim=False):
        if x.ndim == 0:
            return x.copy(), np.zeros((), np.int64)
        return (pick(x, axis=dim, keepdims=keepdim),
                arg(x, axis=dim, keepdims=keepdim).astype(np.int64))
    return ref


def _arg(fn):
    def ref(x, dim=None, keepdim=False):
        if x.ndim == 0:
            return np.zeros((), np.int64)
        if dim is None:
            r = fn(x.reshape(-1))
            return np.asarray(r, np.int64).reshape((1,) * x.ndim if keepdim else ())
        return fn(x, axis=dim, keepdims=keepdim).astype(np.int64)
    return ref


def _scan_samples(dtype, rng, **make_kw):
    def mk(shape):
        return make(shape, dtype, rng, **make_kw)
    f = dtype.is_floating_point
    yield Sample((mk((4, 5)),), {"dim": 1}, "(4,5) dim 1", f)
    yield Sample((mk((4, 5)),), {"dim": -2}, "(4,5) dim -2", f)
    yield Sample((mk((2, 3, 4)),), {"dim": 1}, "(2,3,4) dim 1", f)
    yield Sample((mk(()),), {"dim": 0}, "0-d", f)
    yield Sample((mk((0, 3)),), {"dim": 0}, "empty", f)
    yield Sample((Transposed(mk((5, 4))),), {"dim": 1}, "transposed", f)
    yield Sample((Strided(mk((3, 4))),), {"dim": -1}, "strided", f)


def _scan_ref(fn, rule):
    def ref(x, dim, dtype=None):
        if dtype is not None:
            x = x.astype(dtype.name)
        compute, out = ref_dtype(rule, x.dtype)
        return finish(fn(upcast(x.astype(compute)), dim), out)
    return ref


def _cumsum(x, axis):
    return x.copy() if x.ndim == 0 else np.cumsum(x, axis=axis)


def _cumprod(x, axis):
    return x.copy() if x.ndim == 0 else np.cumprod(x, axis=axis)


def _softmax(x, axis):
    if x.ndim == 0:
        return np.ones_like(x)
    e = np.exp(x - (np.max(x, axis=axis, keepdims=True) if x.size else 0))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax(x, axis):
    if x.ndim == 0:
        return np.zeros_like(x)
    s = x - (np.max(x, axis=axis, keepdims=True) if x.size else 0)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


def _plus_distinct(gen):
    """``gen``'s samples, then one of distinct values: the place for a gradient check
    of ``max(dim)``/``min(dim)`` (with ties, the gradient goes to a chosen index)."""
    def samples(dtype, rng):
        yield from gen(dtype, rng)
        yield Sample((make((3, 4), dtype, rng),), {"dim": 1}, "(3,4) dim 1, distinct values",
                     dtype.is_floating_point)
    return samples


def _red(name, fn, rule, dtypes=ALL, *, op=None, table_ops=(), tol=_RTOL, **samples):
    return OpInfo(name, op or getattr(fl, name), np_reduce(fn, rule),
                  reduction_samples(**samples), dtypes, table_ops=table_ops, tol=tol)


def _scan(name, fn, rule, dtypes=ALL, **make_kw):
    return OpInfo(name, getattr(fl, name), _scan_ref(fn, rule),
                  lambda dtype, rng: _scan_samples(dtype, rng, **make_kw), dtypes,
                  tol=_RTOL)


_TIES = {"low": 0, "high": 3, "integral": True}  # repeated extremes: first index wins

ENTRIES = [
    _red("sum", _sum, "sum"),
    OpInfo("sum_dtype", lambda x, **kw: fl.sum(x, **kw), np_reduce(_sum, "sum"),
           reduction_samples(multi_dim=False, nan=False, kwargs={"dtype": fl.float64}),
           ALL, table_ops=("sum", "cast"), tol=_RTOL),
    _red("prod", _prod, "sum", low=-2, high=3),
    _red("mean", np.mean, "same", FLOATS),
    _red("amax", np.max, "same", identity=False),
    _red("amin", np.min, "same", identity=False),
    OpInfo("max_all", lambda x: fl.max(x), lambda x: x.max(),
           lambda d, rng: [Sample((make((4, 5), d, rng),), {}, "(4,5)"),
                           Sample((Transposed(make((3, 4), d, rng)),), {}, "transposed"),
                           Sample((make((), d, rng),), {}, "0-d")],
           ALL, table_ops=("amax",)),
    OpInfo("min_all", lambda x: fl.min(x), lambda x: x.min(),
           lambda d, rng: [Sample((make((4, 5), d, rng),), {}, "(4,5)"),
                           Sample((make((), d, rng),), {}, "0-d")],
           ALL, table_ops=("amin",)),
    OpInfo("max_dim", lambda x, **kw: fl.max(x, **kw), _extreme_dim("max"),
           _plus_distinct(reduction_samples(identity=False, multi_dim=False,
                                            dim_required=True, **_TIES)), ALL),
    OpInfo("min_dim", lambda x, **kw: fl.min(x, **kw), _extreme_dim("min"),
           _plus_distinct(reduction_samples(identity=False, multi_dim=False,
                                            dim_required=True, **_TIES)), ALL),
    OpInfo("argmax", lambda x, **kw: fl.argmax(x, **kw), _arg(np.argmax),
           reduction_samples(identity=False, multi_dim=False, **_TIES), ALL),
    OpInfo("argmin", lambda x, **kw: fl.argmin(x, **kw), _arg(np.argmin),
           reduction_samples(identity=False, multi_dim=False, **_TIES), ALL),
    _red("var", _var, "same", FLOATS),
    _red("var_correction", _var, "same", FLOATS, op=lambda x, **kw: fl.var(x, **kw),
         table_ops=("var",), kwargs={"correction": 0}),
    _red("std", _std, "same", FLOATS, table_ops=("var", "sqrt"),
         kwargs={"correction": 2}),
    _red("logsumexp", _logsumexp, "float", dim_required=True),
    OpInfo("logsumexp_large", lambda x, **kw: fl.logsumexp(x, **kw),
           np_reduce(_logsumexp, "float"),
           reduction_samples(dim_required=True, identity=False, low=500.0, high=600.0),
           (fl.float32, fl.float64), table_ops=("logsumexp",)),
    _red("all", np.all, "bool", low=0, high=2),
    _red("any", np.any, "bool", low=0, high=2),
    _red("norm", _norm, "same", FLOATS),
]
ENTRIES += [
    _red(f"norm_p{tag}", _norm, "same", FLOATS, op=lambda x, **kw: fl.norm(x, **kw),
         table_ops=("norm",), identity=abs(p) != np.inf, kwargs={"p": p})
    for tag, p in (("1", 1.0), ("3", 3.0), ("0", 0.0), ("inf", np.inf),
                   ("neginf", -np.inf))
]
ENTRIES += [
    _scan("cumsum", _cumsum, "sum"),
    _scan("cumprod", _cumprod, "sum", low=-2, high=3),
    _scan("softmax", _softmax, "float"),
    _scan("log_softmax", _log_softmax, "float"),
]
