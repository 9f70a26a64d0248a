"""Composites of the complex and FFT rows (see :mod:`flambeau.composites`).

Everything complex is built on two primitives, ``view_as_real`` and
``view_as_complex``: the parts are slices of the real view, a complex tensor is the
complex view of its parts stacked last. The DFT composite multiplies by DFT matrices,
one transformed dim at a time (exact, O(n^2) per dim: a backend with an FFT library
overrides ``fft_c2c``); the one-sided rows are written with it.
"""

from __future__ import annotations

import math

from ..dispatcher import dispatch
from ..dispatcher.dtypes import int64
from ..dispatcher.optable import OPS
from ..dispatcher.shapes import broadcast_shapes

_call = dispatch.call


def _part(x, k):
    return _call(OPS["getitem"], _call(OPS["view_as_real"], x), index=(Ellipsis, k))


def real(x):
    return _part(x, 0)


def imag(x):
    return _part(x, 1)


def complex_(a, b):
    shape = broadcast_shapes(a._data.shape, b._data.shape)
    parts = [_call(OPS["view"], _call(OPS["contiguous"], _call(OPS["expand"], t, shape=shape)),
                   shape=shape + (1,)) for t in (a, b)]
    return _call(OPS["view_as_complex"], _call(OPS["cat"], *parts, dim=len(shape)))


def complex_abs(x):
    """``|x|`` of a complex tensor as ``m * sqrt((re/m)^2 + (im/m)^2)``, ``m`` the larger
    of ``|re|`` and ``|im|``, so squares neither overflow nor underflow."""
    re, im = real(x), imag(x)
    are = _call(OPS["where"], _call(OPS["lt"], re, 0.0), _call(OPS["neg"], re), re)
    aim = _call(OPS["where"], _call(OPS["lt"], im, 0.0), _call(OPS["neg"], im), im)
    m = _call(OPS["maximum"], are, aim)
    safe = _call(OPS["where"], _call(OPS["eq"], m, 0.0), 1.0, m)
    p, q = _call(OPS["div"], are, safe), _call(OPS["div"], aim, safe)
    s = _call(OPS["sqrt"], _call(OPS["add"], _call(OPS["mul"], p, p), _call(OPS["mul"], q, q)))
    return _call(OPS["mul"], m, s)


def conj(x):
    return complex_(real(x), _call(OPS["neg"], imag(x)))


def angle(x):
    if x._dtype.category == 3:
        return _call(OPS["atan2"], imag(x), real(x))
    # a real number's angle: pi for negatives, 0 otherwise, NaN for NaN
    negative = _call(OPS["cast"], _call(OPS["lt"], x, 0.0), dtype=x._dtype)
    pi = _call(OPS["mul"], negative, math.pi)
    return _call(OPS["add"], pi, _call(OPS["mul"], x, 0.0))


def _arange(n, device):
    return _call(OPS["arange"], start=0, end=n, step=1, dtype=int64, device=device)


def _dft_1d(x, d, norm, forward):
    """The DFT of ``x`` along dim ``d``: ``x @ W`` with ``d`` moved last."""
    n = x._data.shape[d]
    nd = len(x._data.shape)
    rdt = x._dtype.to_real()
    k = _arange(n, x._device)
    jk = _call(OPS["remainder"], _call(OPS["mul"], _call(OPS["view"], k, shape=(n, 1)),
                                       _call(OPS["view"], k, shape=(1, n))), n)
    theta = _call(OPS["mul"], _call(OPS["cast"], jk, dtype=rdt),
                  (-2.0 if forward else 2.0) * math.pi / n)
    scale = {"backward": 1.0 if forward else 1.0 / n, "ortho": 1.0 / math.sqrt(n),
             "forward": 1.0 / n if forward else 1.0}[norm]
    w = complex_(_call(OPS["mul"], _call(OPS["cos"], theta), scale),
                 _call(OPS["mul"], _call(OPS["sin"], theta), scale))
    perm = tuple(i for i in range(nd) if i != d) + (d,)
    back = tuple(sorted(range(nd), key=perm.__getitem__))
    moved = _call(OPS["permute"], x, dims=perm)
    return _call(OPS["permute"], _call(OPS["matmul"], moved, w), dims=back)


def fft_c2c(x, dim, norm, forward):
    for d in dim:
        x = _dft_1d(x, d, norm, forward)
    return x


def fft_r2c(x, dim, norm, forward):
    zero = _call(OPS["mul"], x, 0.0)
    full = fft_c2c(complex_(x, zero), dim, norm, forward)
    last = dim[-1]
    keep = x._data.shape[last] // 2 + 1
    return _call(OPS["getitem"], full,
                 index=(slice(None),) * last + (slice(0, keep),))


def fft_c2r(x, dim, norm, forward, last_dim_size):
    if len(dim) > 1:
        x = fft_c2c(x, dim[:-1], norm, forward)
    last, n = dim[-1], last_dim_size
    h = x._data.shape[last]
    # the Hermitian extension along the last dim: X[n - k] = conj(X[k])
    mirror = _call(OPS["arange"], start=n - h, end=0, step=-1, dtype=int64,
                   device=x._device)
    lead = (slice(None),) * last
    tail = _call(OPS["getitem"], x, index=lead + (mirror._data,))
    full = _call(OPS["cat"], x, conj(tail), dim=last) if n > h else x
    return real(fft_c2c(full, (last,), norm, forward))


COMPOSITES = {"real": real, "imag": imag, "complex": complex_, "conj": conj,
              "angle": angle, "fft_c2c": fft_c2c, "fft_r2c": fft_r2c, "fft_c2r": fft_c2r}
