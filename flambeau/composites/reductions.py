"""Composites for the reduction, scan and linalg rows (see :mod:`flambeau.composites`).

Written in primitives and the elementwise composites (``maximum``, ``minimum``,
``sub``, ``abs``, ``isnan``, ``isfinite``, ``logical_or``, ``gt``, ``sqrt``) only.
Inside this module ``amax``/``amin`` serve ``max_dim``/``min_dim``/``argmax``/
``argmin``, ``logsumexp``, ``softmax``, ``log_softmax`` and ``norm``, and ``mean``
serves ``var``; nothing here dispatches to a row of this module, so there are no cycles.

Reductions move the reduced dims last and merge them into one, then halve that dim
step by step (log depth). float16 inputs are computed in float32 and rounded once.
"""

from __future__ import annotations

import math

from ..dispatcher import dispatch
from ..dispatcher.dtypes import bool_, float16, float32, int64
from ..dispatcher.optable import OPS

__all__ = ["COMPOSITES"]


def _c(name, *args, **params):
    return dispatch.call(OPS[name], *args, **params)


# --- helpers -------------------------------------------------------------------------

def _full(shape, value, dtype, device):
    return _c("full", shape=tuple(shape), fill_value=value, dtype=dtype, device=device)


def _fresh(x):
    """A C-contiguous copy of ``x`` with memory of its own."""
    return _c("copy_", _full(x.shape, False, x.dtype, x.device), x)


def _reshape(x, shape):
    shape = tuple(shape)
    try:
        return _c("view", x, shape=shape)
    except (ValueError, AttributeError):  # the strides do not allow a view: copy first
        return _c("view", _fresh(x), shape=shape)


def _last(x, start, stop):
    return _c("getitem", x, index=(Ellipsis, slice(start, stop)))


def _up(x):
    """``x`` in float32 when it is float16 (and the dtype to round back to), else ``x``."""
    if x.dtype is float16:
        return _c("cast", x, dtype=float32), float16
    return x, None


def _down(x, dtype):
    return x if dtype is None else _c("cast", x, dtype=dtype)


def _dims(x, dim):
    return tuple(range(x.dim())) if dim is None else tuple(dim)


def _count(x, dim):
    return math.prod(x.shape[d] for d in _dims(x, dim))


def _out_shape(x, dim, keepdim):
    dims = _dims(x, dim)
    if keepdim:
        return tuple(1 if d in dims else n for d, n in enumerate(x.shape))
    return tuple(n for d, n in enumerate(x.shape) if d not in dims)


def _flat_last(x, dim):
    """``x`` with the dims ``dim`` (None: all) moved last and merged into one."""
    dims = _dims(x, dim)
    kept = tuple(d for d in range(x.dim()) if d not in dims)
    if kept + dims != tuple(range(x.dim())):
        x = _c("permute", x, dims=kept + dims)
    shape = tuple(x.shape)
    return _reshape(x, shape[:len(kept)] + (math.prod(shape[len(kept):]),))


def _halve(x, op):
    """Reduce the last dim (size >= 1) with the idempotent ``op`` (maximum, minimum):
    ``op`` of its first and last ceil(n/2) entries, which overlap by one when n is odd."""
    n = x.shape[-1]
    if n <= 1:
        return _fresh(x)
    while n > 1:
        m = (n + 1) // 2
        x = _c(op, _last(x, 0, m), _last(x, n - m, n))
        n = m
    return x


def _halve_padded(x, op, identity):
    """Reduce the last dim with the associative ``op``: pad it with ``identity`` to a
    power of two, then combine its two halves until one entry is left."""
    n = x.shape[-1]
    size = 1 << max(n - 1, 0).bit_length()
    buf = _full(tuple(x.shape[:-1]) + (size,), identity, x.dtype, x.device)
    _c("setitem_", buf, x, index=(Ellipsis, slice(0, n)))
    while size > 1:
        size //= 2
        buf = _c(op, _last(buf, 0, size), _last(buf, size, 2 * size))
    return buf


def _check_nonempty(name, x, dim):
    # the kernels' error for a reduction without an identity over nothing
    if x.numel() == 0 and (dim is None or _count(x, dim) == 0):
        raise IndexError(f"{name}(): expected a non-empty tensor for a reduction with no "
                         f"identity, got shape {tuple(x.shape)}; specify a non-zero-size dim")


# --- reductions ----------------------------------------------------------------------

def _sum(x, dim, keepdim):
    return _c("sum", x, dim=dim, keepdim=keepdim)


def mean(x, dim=None, keepdim=False):
    n = _count(x, dim)
    if n == 0:  # 0/0, as NumPy's mean of nothing
        return _full(_out_shape(x, dim, keepdim), math.nan, x.dtype, x.device)
    xs, back = _up(x)
    return _down(_c("div", _sum(xs, dim, keepdim), float(n)), back)


def var(x, dim=None, correction=1, keepdim=False):
    """Two passes: the mean, then the sum of squared deviations from it."""
    xs, back = _up(x)
    d = _c("sub", xs, mean(xs, dim, True))
    ss = _sum(_c("mul", d, d), dim, keepdim)
    denom = max(_count(x, dim) - correction, 0)
    if denom > 0:
        r = _c("div", ss, float(denom))
    else:  # ss / 0 without a division by zero: inf, or NaN for 0/0 and NaN
        inf = _full(ss.shape, math.inf, ss.dtype, ss.device)
        r = _c("where", _c("gt", ss, 0.0), inf, math.nan)
    return _down(r, back)


def prod(x, dim=None, keepdim=False):
    xs, back = _up(x)
    r = _halve_padded(_flat_last(xs, dim), "mul", 1)
    return _down(_reshape(r, _out_shape(x, dim, keepdim)), back)


def _extreme(name, op):
    def composite(x, dim=None, keepdim=False):
        _check_nonempty(name, x, dim)
        return _reshape(_halve(_flat_last(x, dim), op), _out_shape(x, dim, keepdim))
    composite.__name__ = name
    return composite


amax = _extreme("amax", "maximum")
amin = _extreme("amin", "minimum")


def _first_index(x, values, dim, reduce):
    """The first position along ``dim`` where ``x`` equals ``values`` (keepdim shape);
    NaN counts as the extreme, as in NumPy and PyTorch."""
    n = x.shape[dim]
    hit = _c("eq", x, values)
    if x.dtype.is_floating_point:
        hit = _c("logical_or", hit, _c("isnan", x))
    pos = _c("arange", start=0, end=n, step=1, dtype=int64, device=x.device)
    pos = _reshape(pos, (n,) + (1,) * (x.dim() - 1 - dim))
    return reduce(_c("where", hit, pos, n), (dim,), True)


def _extreme_dim(name, values_of):
    def composite(x, dim, keepdim=False):
        if x.dim() == 0:
            return _fresh(x), _full((), 0, int64, x.device)
        _check_nonempty(name, x, (dim,))
        values = values_of(x, (dim,), True)
        idx = _first_index(x, values, dim, amin)
        if not keepdim:
            shape = _out_shape(x, (dim,), False)
            values, idx = _reshape(values, shape), _reshape(idx, shape)
        return values, idx
    composite.__name__ = name
    return composite


max_dim = _extreme_dim("max_dim", amax)
min_dim = _extreme_dim("min_dim", amin)


def _arg(name, extreme_dim):
    def composite(x, dim=None, keepdim=False):
        _check_nonempty(name, x, None if dim is None else (dim,))
        if x.dim() == 0:
            return _full((), 0, int64, x.device)
        if dim is None:
            _, idx = extreme_dim(_reshape(x, (x.numel(),)), 0)
            return _reshape(idx, (1,) * x.dim() if keepdim else ())
        return extreme_dim(x, dim, keepdim)[1]
    composite.__name__ = name
    return composite


argmax = _arg("argmax", max_dim)
argmin = _arg("argmin", min_dim)


def _zeros_count(x, dim, keepdim):
    return _sum(_c("eq", x, False if x.dtype is bool_ else 0), dim, keepdim)


def all_(x, dim=None, keepdim=False):
    return _c("eq", _zeros_count(x, dim, keepdim), 0)


def any_(x, dim=None, keepdim=False):
    return _c("lt", _zeros_count(x, dim, keepdim), _count(x, dim))


def logsumexp(x, dim, keepdim=False):
    """``log(sum(exp(x - m))) + m`` with ``m`` the (finite) maximum."""
    xs, back = _up(x)
    if x.numel() == 0:
        return _down(_c("log", _sum(_c("exp", xs), dim, keepdim)), back)
    m = amax(xs, dim, True)
    m = _c("where", _c("isfinite", m), m, 0.0)
    r = _c("add", _c("log", _sum(_c("exp", _c("sub", xs, m)), dim, True)), m)
    return _down(_reshape(r, _out_shape(x, dim, keepdim)), back)


def norm(x, p=2.0, dim=None, keepdim=False):
    xs, back = _up(x)
    a = _c("abs", xs)
    if p == math.inf:
        # an empty input reduces to zeros of the reduced shape (sum's shape rule)
        r = amax(a, dim, keepdim) if x.numel() else _sum(a, dim, keepdim)
    elif p == -math.inf:
        r = amin(a, dim, keepdim)
    elif p == 0:
        r = _c("cast", _sum(_c("ne", a, 0.0), dim, keepdim), dtype=a.dtype)
    elif p == 1:
        r = _sum(a, dim, keepdim)
    elif p == 2:
        r = _c("sqrt", _sum(_c("mul", a, a), dim, keepdim))
    else:
        r = _c("pow", _sum(_c("pow", a, float(p)), dim, keepdim), 1.0 / p)
    return _down(r, back)


# --- scans ---------------------------------------------------------------------------

def _scan(name, op, identity):
    def composite(x, dim):
        """Hillis-Steele: combine with a copy shifted by 1, 2, 4, ... along ``dim``
        (the vacated front filled with ``identity``)."""
        if x.dim() == 0 or x.numel() == 0:
            return _fresh(x)
        xs, back = _up(x)
        y, n, s = xs, x.shape[dim], 1
        lead = (slice(None),) * dim
        while s < n:
            shifted = _full(x.shape, identity, xs.dtype, x.device)
            _c("setitem_", shifted, _c("getitem", y, index=lead + (slice(0, n - s),)),
               index=lead + (slice(s, n),))
            y = _c(op, y, shifted)
            s *= 2
        if y is x:
            y = _fresh(x)
        return _down(y, back)
    composite.__name__ = name
    return composite


cumsum = _scan("cumsum", "add", 0)
cumprod = _scan("cumprod", "mul", 1)


def _shifted(xs, dim):
    # x minus its maximum along dim, so that exp cannot overflow
    return _c("sub", xs, amax(xs, (dim,), True)) if xs.numel() else xs


def softmax(x, dim):
    if x.dim() == 0:
        return _full((), 1, x.dtype, x.device)
    xs, back = _up(x)
    e = _c("exp", _shifted(xs, dim))
    return _down(_c("div", e, _sum(e, (dim,), True)), back)


def log_softmax(x, dim):
    if x.dim() == 0:
        return _full((), 0, x.dtype, x.device)
    xs, back = _up(x)
    s = _shifted(xs, dim)
    r = _c("sub", s, _c("log", _sum(_c("exp", s), (dim,), True)))
    return _down(r, back)


# --- linear algebra ------------------------------------------------------------------

def linear(x, w, b):
    xs, back = _up(x)
    out = _c("matmul", xs, _c("permute", _up(w)[0], dims=(1, 0)))
    if b is not None:
        out = _c("add", out, _up(b)[0])
    return _down(out, back)


def _parse_einsum(equation, operands):
    """Each operand's labels (a list; ellipsis dims get labels ``"...0"``, ``"...1"``,
    right-aligned across operands) and the output's labels."""
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    width = max((x.dim() - len(t.replace("...", "")) for t, x in zip(terms, operands)
                 if "..." in t), default=0)
    ell = [f"...{i}" for i in range(width)]

    def labels(term, ndim):
        if "..." not in term:
            return list(term)
        head, tail = term.split("...")
        return list(head) + ell[width - (ndim - len(head) - len(tail)):] + list(tail)

    ins = [labels(t, x.dim()) for t, x in zip(terms, operands)]
    if arrow:
        return ins, labels(rhs, len(rhs.replace("...", "")) + width)
    letters = lhs.replace("...", "").replace(",", "")
    # implicit output: the ellipsis dims, then the letters used once, sorted (NumPy)
    has_ell = "..." in lhs
    return ins, (ell if has_ell else []) + sorted(c for c in set(letters)
                                                  if letters.count(c) == 1)


def _take_diagonals(x, labels):
    # a label repeated within one operand means its diagonal ("ii->i")
    for i, lab in enumerate(labels):
        j = labels.index(lab, i + 1) if labels.count(lab) > 1 else -1
        if j > 0:
            x = _c("diagonal", x, offset=0, dim1=i, dim2=j)
            rest = [lab2 for k, lab2 in enumerate(labels) if k not in (i, j)] + [lab]
            return _take_diagonals(x, rest)
    return x, labels


def _sum_out(x, labels, keep):
    """Sum over the labels of ``x`` outside ``keep``."""
    gone = tuple(i for i, lab in enumerate(labels) if lab not in keep)
    if not gone:
        return x, labels
    return _sum(x, gone, False), [lab for lab in labels if lab in keep]


def _contract(a, la, b, lb, keep, size):
    """``a`` and ``b`` multiplied over their shared labels, summing those outside
    ``keep``: one batched matmul of (batch, left, inner) by (batch, inner, right)."""
    batch = [c for c in la if c in lb and c in keep]
    inner = [c for c in la if c in lb and c not in keep]
    left = [c for c in la if c not in lb]
    right = [c for c in lb if c not in la]

    def arrange(x, labels, order, groups):
        x = _c("permute", x, dims=tuple(labels.index(c) for c in order))
        full = tuple(size[c] for c in order)
        if tuple(x.shape) != full:  # size-1 dims broadcast against the other operand
            x = _c("expand", x, shape=full)
        return _reshape(x, tuple(math.prod(size[c] for c in g) for g in groups))

    a = arrange(a, la, batch + left + inner, (batch, left, inner))
    b = arrange(b, lb, batch + inner + right, (batch, inner, right))
    out = _c("matmul", a, b)
    labels = batch + left + right
    return _reshape(out, tuple(size[c] for c in labels)), labels


def einsum(*operands, equation):
    """Diagonals first, then labels used by one operand alone summed away, then the
    operands contracted pairwise, left to right, each pair by one matmul."""
    ins, out_labels = _parse_einsum(equation, operands)
    back = _up(operands[0])[1]
    xs, size = [], {}
    for x, labels in zip(operands, ins):
        x, labels = _take_diagonals(_up(x)[0], labels)
        xs.append((x, labels))
        for c, n in zip(labels, x.shape):
            size[c] = max(n, size.get(c, n)) if n != 1 else size.get(c, 1)

    def needed(after):
        # the labels the output or an operand after position ``after`` still uses
        return set(out_labels).union(*[lab for _, lab in xs[after + 1:]])

    x, labels = xs[0]
    if len(xs) == 1:
        x, labels = _sum_out(x, labels, needed(0))
        # without a sum, x is a view of the operand: the result needs its own memory
        x = _fresh(x) if labels == xs[0][1] else x
    for k in range(1, len(xs)):
        keep = needed(k)
        y, ly = _sum_out(*xs[k], keep | set(labels))
        x, labels = _sum_out(x, labels, keep | set(ly))
        x, labels = _contract(x, labels, y, ly, keep, size)
    x = _c("permute", x, dims=tuple(labels.index(c) for c in out_labels))
    return _down(x, back)


COMPOSITES: dict = {
    "mean": mean, "var": var, "prod": prod, "amax": amax, "amin": amin,
    "max_dim": max_dim, "min_dim": min_dim, "argmax": argmax, "argmin": argmin,
    "all": all_, "any": any_, "logsumexp": logsumexp, "norm": norm,
    "cumsum": cumsum, "cumprod": cumprod, "softmax": softmax, "log_softmax": log_softmax,
    "linear": linear, "einsum": einsum,
}
