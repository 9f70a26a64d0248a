"""Reductions and scans: sum/mean/prod, max/min, var, logsumexp, norms, softmax."""

from __future__ import annotations


def kernels(xp) -> dict:
    # ufunc.reduce directly: xp.sum's wrapper costs more than a small sum itself
    add_reduce, mul_reduce = xp.add.reduce, xp.multiply.reduce

    def _acc(x):
        # float16 accumulates in float32, as PyTorch does, then rounds once
        return xp.float32 if x.dtype == xp.float16 else x.dtype

    def sum_(x, dim=None, keepdim=False):
        r = add_reduce(x, axis=dim, keepdims=keepdim, dtype=_acc(x))
        return r if r.dtype == x.dtype else r.astype(x.dtype)

    def prod(x, dim=None, keepdim=False):
        return mul_reduce(x, axis=dim, keepdims=keepdim, dtype=x.dtype)

    def mean(x, dim=None, keepdim=False):
        r = xp.mean(x, axis=dim, keepdims=keepdim, dtype=_acc(x))
        return r if r.dtype == x.dtype else xp.asarray(r).astype(x.dtype)

    def _empty_check(name, x, dim):
        if x.size == 0:
            sizes = [x.shape[d] for d in (dim if dim is not None else range(x.ndim))]
            if dim is None or 0 in sizes:
                raise IndexError(f"{name}(): expected a non-empty tensor for a reduction "
                                 f"with no identity, got shape {tuple(x.shape)}; specify "
                                 f"a non-zero-size dim")

    def amax(x, dim=None, keepdim=False):
        _empty_check("amax", x, dim)
        return xp.max(x, axis=dim, keepdims=keepdim)

    def amin(x, dim=None, keepdim=False):
        _empty_check("amin", x, dim)
        return xp.min(x, axis=dim, keepdims=keepdim)

    def _arg(fn, name):
        def k(x, dim=None, keepdim=False):
            _empty_check(name, x, None if dim is None else (dim,))
            if x.ndim == 0:
                return xp.zeros((), dtype=xp.int64)
            if dim is None:
                r = fn(x.reshape(-1))
                return xp.asarray(r, dtype=xp.int64).reshape((1,) * x.ndim if keepdim else ())
            r = fn(x, axis=dim, keepdims=keepdim)
            return r.astype(xp.int64)
        k.__name__ = name
        return k

    argmax, argmin = _arg(xp.argmax, "argmax"), _arg(xp.argmin, "argmin")

    def _extreme_dim(arg, reduce, better, name):
        def k(x, dim, keepdim=False):
            if not x.ndim:
                return x.copy(), xp.zeros((), xp.int64)
            n = x.shape[dim]
            if not 0 < n <= 16 or x.size < 1024 or x.dtype.kind == "f" and \
                    bool(xp.isnan(x).any()):
                idx = arg(x, dim=dim, keepdim=True)
                vals = xp.take_along_axis(x, idx, axis=dim)
            else:
                # a short reduced dim (pooling windows): NumPy's arg-reductions over it
                # are slow, so scan its slices elementwise; strict comparison keeps
                # the first extreme, like argmax
                lead = (slice(None),) * dim
                vals = x[lead + (slice(0, 1),)].copy()
                idx = xp.zeros(vals.shape, xp.int64)
                for i in range(1, n):
                    cur = x[lead + (slice(i, i + 1),)]
                    hit = better(cur, vals)
                    xp.copyto(vals, cur, where=hit)
                    xp.copyto(idx, i, where=hit)
            if not keepdim:
                vals, idx = xp.squeeze(vals, dim), xp.squeeze(idx, dim)
            return vals, idx
        k.__name__ = name
        return k

    max_dim = _extreme_dim(argmax, xp.max, xp.greater, "max_dim")
    min_dim = _extreme_dim(argmin, xp.min, xp.less, "min_dim")

    def var(x, dim=None, correction=1, keepdim=False):
        n = x.size if dim is None else int(xp.prod([x.shape[d] for d in dim]))
        m = xp.mean(x, axis=dim, keepdims=True)
        d = x - m
        # |x - m|^2: complex input gives a real variance, as PyTorch
        ss = xp.sum(d.real ** 2 + d.imag ** 2 if d.dtype.kind == "c" else d ** 2,
                    axis=dim, keepdims=keepdim)
        denom = max(n - correction, 0)
        rdt = x.real.dtype
        with xp.errstate(divide="ignore", invalid="ignore"):
            return (ss / rdt.type(denom)).astype(rdt, copy=False)

    def logsumexp(x, dim, keepdim=False):
        if x.size == 0:
            return xp.log(xp.sum(xp.exp(x), axis=dim, keepdims=keepdim))
        m = xp.max(x, axis=dim, keepdims=True)
        m = xp.where(xp.isfinite(m), m, x.dtype.type(0))
        s = xp.log(xp.sum(xp.exp(x - m), axis=dim, keepdims=True)) + m
        return s if keepdim else xp.squeeze(s, axis=dim)

    def all_(x, dim=None, keepdim=False):
        return xp.all(x, axis=dim, keepdims=keepdim)

    def any_(x, dim=None, keepdim=False):
        return xp.any(x, axis=dim, keepdims=keepdim)

    def norm(x, p=2, dim=None, keepdim=False):
        a = xp.abs(x)
        if p == float("inf"):
            # an empty input reduces to zeros of the reduced shape (sum's shape rule)
            r = xp.max(a, axis=dim, keepdims=keepdim) if x.size else \
                xp.sum(a, axis=dim, keepdims=keepdim)
        elif p == float("-inf"):
            r = xp.min(a, axis=dim, keepdims=keepdim)
        elif p == 0:
            r = xp.sum(a != 0, axis=dim, keepdims=keepdim).astype(a.dtype)
        elif p == 1:
            r = xp.sum(a, axis=dim, keepdims=keepdim)
        elif p == 2:
            r = xp.sqrt(xp.sum(a * a, axis=dim, keepdims=keepdim))
        else:
            r = xp.sum(a ** p, axis=dim, keepdims=keepdim) ** (1.0 / p)
        return xp.asarray(r, dtype=a.dtype)  # real for complex input

    def cumsum(x, dim):
        return xp.cumsum(x, axis=dim, dtype=x.dtype) if x.ndim else x.copy()

    def cumprod(x, dim):
        return xp.cumprod(x, axis=dim, dtype=x.dtype) if x.ndim else x.copy()

    def softmax(x, dim):
        if x.ndim == 0:
            return xp.ones_like(x)
        m = xp.max(x, axis=dim, keepdims=True) if x.size else 0
        e = xp.exp(x - m)
        return e / xp.sum(e, axis=dim, keepdims=True)

    def log_softmax(x, dim):
        if x.ndim == 0:
            return xp.zeros_like(x)
        m = xp.max(x, axis=dim, keepdims=True) if x.size else 0
        s = x - m
        return s - xp.log(xp.sum(xp.exp(s), axis=dim, keepdims=True))

    return {"sum": sum_, "prod": prod, "mean": mean, "amax": amax, "amin": amin,
            "argmax": argmax, "argmin": argmin, "max_dim": max_dim, "min_dim": min_dim,
            "var": var, "logsumexp": logsumexp, "all": all_, "any": any_, "norm": norm,
            "cumsum": cumsum, "cumprod": cumprod, "softmax": softmax,
            "log_softmax": log_softmax}
