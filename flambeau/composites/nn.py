"""Composites for the nn rows (see :mod:`flambeau.composites`).

``unfold`` gathers every kernel tap with one advanced index, ``fold`` scatters them
back with one accumulating ``index_put`` (its adjoint), and ``pad`` writes the input
into a filled tensor. ``unfold`` pads through the ``pad`` row; nothing calls its own row.
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.dtypes import int64
from ..dispatcher.optable import OPS

_ALL = slice(None)


def _call(name, *inputs, **params):
    return dispatch.call(OPS[name], *inputs, **params)


def _out(n, k, d, p, s) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _taps(k, d, s, o, device):
    """(k, o) int64: the padded-image coordinate of tap i at output position r,
    ``i * d + r * s``."""
    def ramp(n, step):
        return _call("arange", start=0, end=n * step, step=step, dtype=int64, device=device)
    return _call("add", ramp(k, d)[:, None], ramp(o, s)[None, :])


def _grid(size, kernel_size, dilation, padding, stride, device):
    """Row and column indices, broadcasting to (kh, kw, oh, ow), of every tap of every
    block in the padded image, and the output size (oh, ow)."""
    (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = (size, kernel_size, dilation,
                                                       padding, stride)
    oh, ow = _out(h, kh, dh, ph, sh), _out(w, kw, dw, pw, sw)
    rows = _taps(kh, dh, sh, oh, device)[:, None, :, None]
    cols = _taps(kw, dw, sw, ow, device)[None, :, None, :]
    return rows, cols, oh, ow


def pad(x, *, pad, value=0):
    """A tensor filled with ``value`` and ``x`` written into its middle."""
    shape = tuple(b + n + a for (b, a), n in zip(pad, x.shape))
    out = _call("full", shape=shape, fill_value=value, dtype=x.dtype, device=x.device)
    inner = tuple(slice(b, b + n) for (b, _), n in zip(pad, x.shape))
    return _call("setitem_", out, x, index=inner)


def unfold(x, *, kernel_size, dilation, padding, stride):
    n, c, h, w = x.shape
    (ph, pw), (kh, kw) = padding, kernel_size
    if ph or pw:
        x = _call("pad", x, pad=((0, 0), (0, 0), (ph, ph), (pw, pw)), value=0)
    rows, cols, oh, ow = _grid((h, w), kernel_size, dilation, padding, stride, x.device)
    blocks = _call("getitem", x, index=(_ALL, _ALL, rows._data, cols._data))
    return blocks.reshape(n, c * kh * kw, oh * ow)  # (n, c, kh, kw, oh, ow) flattened


def fold(cols, *, output_size, kernel_size, dilation, padding, stride):
    (h, w), (ph, pw), (kh, kw) = output_size, padding, kernel_size
    n, c = cols.shape[0], cols.shape[1] // (kh * kw)
    rows, cidx, oh, ow = _grid((h, w), kernel_size, dilation, padding, stride,
                               cols.device)
    out = _call("full", shape=(n, c, h + 2 * ph, w + 2 * pw), fill_value=0,
                dtype=cols.dtype, device=cols.device)
    out = _call("index_put", out, cols.reshape(n, c, kh, kw, oh, ow),
                index=(_ALL, _ALL, rows._data, cidx._data), accumulate=True)
    if ph or pw:
        out = _call("contiguous", out[:, :, ph:ph + h, pw:pw + w])
    return out


COMPOSITES: dict = {"pad": pad, "unfold": unfold, "fold": fold}
