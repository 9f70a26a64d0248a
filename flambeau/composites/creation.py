"""Composites for the creation, random and fused in-place rows (see
:mod:`flambeau.composites`).

Random rows draw only through the primitive ``uniform`` row, in the widest float the
device holds (float64, else float32): a seeded generator gives one stream, and the
wide draws keep every integer of a range reachable and ``u < 1`` exact.
Order of use inside this module: ``_unit`` and ``_below`` serve ``randint``,
``randperm``, ``bernoulli`` and ``multinomial``; nothing here calls its own row.
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.dtypes import bool_, float32, float64, int64
from ..dispatcher.optable import OPS
from ..dispatcher.registry import _BACKENDS

_INT64_MIN = -2 ** 63


def _call(name, *inputs, **params):
    return dispatch.call(OPS[name], *inputs, **params)


def _copy_into(dst, value):
    """Write ``value`` into ``dst``'s memory through an alias with a version counter of
    its own: the dispatcher counts the in-place row's write on ``dst`` itself, so a
    ``copy_`` on the (detached) input would count it twice."""
    _call("copy_", dispatch.wrap(dst._data, dst.dtype, dst.device), value)
    return dst


# --- fused in-place arithmetic: the out-of-place op, then copy_ ------------------------

def _scaled(src, alpha):
    if alpha == 1:
        return src
    return src * alpha if isinstance(src, (bool, int, float)) else _call("mul", src, alpha)


def add_(dst, src, alpha=1):
    return _copy_into(dst, _call("add", dst, _scaled(src, alpha)))


def sub_(dst, src, alpha=1):
    return _copy_into(dst, _call("sub", dst, _scaled(src, alpha)))


def mul_(dst, src):
    return _copy_into(dst, _call("mul", dst, src))


def div_(dst, src):
    return _copy_into(dst, _call("div", dst, src))


# --- creation ----------------------------------------------------------------------------

def _wide(device):
    """float64 where the device holds it, else float32."""
    b = _BACKENDS.get(device.type)
    return float64 if b is None or float64 in b.supported_dtypes else float32


def _arange(n, dtype, device):
    return _call("arange", start=0, end=n, step=1, dtype=dtype, device=device)


def empty(*, shape, dtype, device):
    return _call("full", shape=shape, fill_value=False if dtype is bool_ else 0,
                 dtype=dtype, device=device)


def linspace(*, start, end, steps, dtype, device):
    """NumPy's form: ``start + i * step`` in the wide float, the last value ``end``."""
    y = _arange(steps, _wide(device), device)
    if steps > 1:
        y = _call("add", _call("mul", y, (end - start) / (steps - 1)), float(start))
        _call("setitem_", y, float(end), index=(steps - 1,))
    else:
        y = _call("add", y, float(start))
    return _call("cast", y, dtype=dtype)


def eye(*, n, m=None, dtype, device):
    i = _arange(n, int64, device)[:, None]
    j = _arange(n if m is None else m, int64, device)[None, :]
    return _call("cast", _call("eq", i, j), dtype=dtype)


# --- random ------------------------------------------------------------------------------

def _unit(shape, gen, device):
    """Uniform samples on [0, 1) in the wide float; a draw that rounded up to 1 (a
    float32 device) is folded back to 0, so ``u < 1`` always holds."""
    u = _call("uniform", shape=tuple(shape), low=0.0, high=1.0, dtype=_wide(device),
              gen=gen, device=device)
    return _call("where", _call("lt", u, 1.0), u, 0.0)


def _scaled_floor(n, shape, gen, device):
    """int64 ``floor(u * n)`` on [0, n); exact while the float's mantissa spans ``n``."""
    r = _call("cast", _call("floor", _call("mul", _unit(shape, gen, device), float(n))),
              dtype=int64)
    return _call("where", _call("lt", r, n), r, n - 1)  # guard a product rounded up to n


def _below(n, shape, gen, device):
    """int64 samples uniform on [0, n), every value reachable, for any n <= 2**64.

    One scaled draw where the wide float holds every integer below n; otherwise base-B
    digits (each one scaled draw) with the out-of-range values drawn again. Values past
    2**63 wrap in int64, so the comparison with n runs on values shifted by -2**63
    (unsigned order)."""
    bits = 53 if _wide(device) is float64 else 24
    if n <= 2 ** bits:
        return _scaled_floor(n, shape, gen, device)
    b = 2 ** 32 if bits == 53 else 2 ** 16
    digits = 1
    while b ** digits < n:
        digits += 1
    top = -(-n // b ** (digits - 1))  # the leading digit's range: fewer redraws
    exact = top * b ** (digits - 1) == n  # then every digit string is in range

    def draw():
        v = _call("mul", _scaled_floor(top, shape, gen, device), b ** (digits - 1))
        for i in range(digits - 1):
            v = _call("add", v, _call("mul", _scaled_floor(b, shape, gen, device), b ** i))
        return v, None if exact else _call("lt", _call("add", v, _INT64_MIN), n + _INT64_MIN)

    out, ok = draw()
    while ok is not None and not bool(_call("all", ok, dim=None, keepdim=False).item()):
        v, ok_v = draw()
        out = _call("where", ok, out, v)
        ok = _call("logical_or", ok, ok_v)
    return out


def randint(*, shape, low, high, dtype, gen, device):
    """``low + floor(u * (high - low))``; the sum wraps in int64 like the draw does."""
    r = _below(high - low, shape, gen, device)
    return _call("cast", _call("add", r, low), dtype=dtype)


def randperm(*, n, dtype, gen, device):
    """The order that sorts n uniform draws (a stable sort, so ties still permute)."""
    _, order = _call("sort", _unit((n,), gen, device), dim=0, descending=False, stable=True)
    return _call("cast", order, dtype=dtype)


def bernoulli(p, *, gen):
    """``u < p`` with u on [0, 1): p = 0 never gives 1, p = 1 always does."""
    u = _unit(p.shape, gen, p.device)
    return _call("cast", _call("lt", u, p), dtype=p.dtype)


def _without_replacement(p, k, gen):
    """Exponential race: category j finishes at ``E_j / p_j`` (E_j exponential); the k
    first finishers, compared as ``log E_j - log p_j``. Zero-probability categories get
    +inf, and the frontend has checked that at least k categories are positive."""
    pos = _call("lt", 0.0, p)
    # E = -log(1 - u) is finite for u on [0, 1)
    e = _call("mul", _call("log", _call("add", _call("mul", _unit(p.shape, gen, p.device),
                                                       -1.0), 1.0)), -1.0)
    key = _call("sub", _call("log", e), _call("log", _call("where", pos, p, 1.0)))
    key = _call("where", pos, key, float("inf"))
    _, order = _call("sort", key, dim=1, descending=False, stable=True)
    return order[:, :k]


def _with_replacement(p, k, gen):
    """Inverse CDF: a draw u picks the first positive category whose right edge (the
    normalised cumulative sum) exceeds u. Edges and draws are merged by one stable sort
    (edges first on ties), so a draw's rank is the count of edges sorted before it: no
    (samples x categories) comparison table. Zero-probability categories have no edge
    (+inf) and are mapped out: rank r is the r-th positive category."""
    rows, n = p.shape
    pos = _call("lt", 0.0, p)
    cdf = _call("cumsum", p, dim=1)
    edges = _call("where", pos, _call("div", cdf, cdf[:, n - 1:]), float("inf"))
    u = _unit((rows, k), gen, p.device)
    _, perm = _call("sort", _call("cat", edges, u, dim=1), dim=1, descending=False,
                    stable=True)
    before = _call("cumsum", _call("cast", _call("lt", perm, n), dtype=int64), dim=1)
    _, where_is = _call("sort", perm, dim=1, descending=False, stable=True)  # inverse
    rank = _call("gather", before, where_is[:, n:], dim=1)
    # a u past the last edge (cumsum rounding): the last positive category
    last = _call("add", _call("sum", _call("cast", pos, dtype=int64), dim=(1,),
                              keepdim=True), -1)
    rank = _call("where", _call("lt", rank, last), rank, last)
    _, positives = _call("sort", _call("cast", _call("logical_not", pos), dtype=int64),
                         dim=1, descending=False, stable=True)
    return _call("gather", positives, rank, dim=1)


def multinomial(probs, *, num_samples, replacement, gen):
    p = _call("cast", probs, dtype=_wide(probs.device))
    p = p.reshape(-1, p.shape[-1])
    draw = _with_replacement if replacement else _without_replacement
    out = draw(p, num_samples, gen)
    return out.reshape(tuple(probs.shape[:-1]) + (num_samples,))


COMPOSITES: dict = {
    "add_": add_, "sub_": sub_, "mul_": mul_, "div_": div_,
    "empty": empty, "linspace": linspace, "eye": eye,
    "randint": randint, "randperm": randperm, "bernoulli": bernoulli,
    "multinomial": multinomial,
}
