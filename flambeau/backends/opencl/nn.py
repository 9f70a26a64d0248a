"""Neural-network kernels: unfold (im2col), fold (col2im), constant padding.

Convolution and pooling are compositions of these with matmul and reductions in
``flambeau.nn``, so these three kernels give the device every conv and pool layer.

``unfold`` is a gather: each output element knows its input pixel (or padding).
``fold`` is written as a gather too, not a scatter: each output pixel sums the
column entries that land on it, so no atomics are needed and the sum order is fixed.
``pad`` fills the output with the value and copies the input into its interior.
"""

from __future__ import annotations

import numpy as np

from .array import CTYPE, CLArray, empty
from .codegen import compute_ctype, load_macro, store_stmt
from .elementwise import copy_into
from .shape import basic_index

__all__ = ["kernels"]

_I64 = np.dtype(np.int64)


def _out_size(n, k, d, p, s):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


_UNFOLD = """{ld}
__kernel void unfold(long total, long C, long H, long W, long kh, long kw, long dh,
                     long dw, long ph, long pw, long sh, long sw, long OH, long OW,
                     __global const {ct} *x, long x_off, long xs0, long xs1, long xs2,
                     long xs3, __global {ct} *o)
{{
  long g = get_global_id(0);
  if (g >= total) return;
  long ow = g % OW, r = g / OW, oh = r % OH; r /= OH;
  long kj = r % kw; r /= kw; long ki = r % kh; r /= kh; long c = r % C, n = r / C;
  long h = oh * sh - ph + ki * dh, w = ow * sw - pw + kj * dw;
  if (h >= 0 && h < H && w >= 0 && w < W)
    o[g] = x[x_off + n * xs0 + c * xs1 + h * xs2 + w * xs3];
  else
    {zero}
}}
"""

_FOLD = """{ld}
__kernel void fold(long total, long C, long H, long W, long kh, long kw, long dh,
                   long dw, long ph, long pw, long sh, long sw, long OH, long OW,
                   __global const {ct} *x, long x_off, long xs0, long xs1, long xs2,
                   __global {ct} *o)
{{
  long g = get_global_id(0);
  if (g >= total) return;
  long w = g % W, r = g / W, h = r % H; r /= H; long c = r % C, n = r / C;
  {acc} acc = 0;
  for (long ki = 0; ki < kh; ++ki) {{
    long th = h + ph - ki * dh;
    if (th < 0 || th % sh) continue;
    long oh = th / sh;
    if (oh >= OH) continue;
    for (long kj = 0; kj < kw; ++kj) {{
      long tw = w + pw - kj * dw;
      if (tw < 0 || tw % sw) continue;
      long ow = tw / sw;
      if (ow >= OW) continue;
      acc += LD(x_off + n * xs0 + ((c * kh + ki) * kw + kj) * xs1 + (oh * OW + ow) * xs2);
    }}
  }}
  {store}
}}
"""


def unfold(x: CLArray, kernel_size, dilation, padding, stride) -> CLArray:
    n, c, h, w = x.shape
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel_size, dilation, padding, stride
    oh, ow = _out_size(h, kh, dh, ph, sh), _out_size(w, kw, dw, pw, sw)
    dev, dt = x.dev, x.dtype
    out = empty((n, c * kh * kw, oh * ow), dt, dev)
    total = out.size
    if total == 0:
        return out
    ct = CTYPE[dt.name]
    src = _UNFOLD.format(ld="", ct=ct, zero=store_stmt("o", "g", "0", dt))
    k = dev.kernel(("unfold", dt.name), lambda: src, "unfold",
                   [_I64] * 14 + [None] + [_I64] * 5 + [None])
    dev.launch(k, total, [total, c, h, w, kh, kw, dh, dw, ph, pw, sh, sw, oh, ow,
                          x.buf, x.offset, *x.strides, out.buf])
    return out


def fold(cols: CLArray, output_size, kernel_size, dilation, padding, stride) -> CLArray:
    n = cols.shape[0]
    (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = (output_size, kernel_size, dilation,
                                                       padding, stride)
    oh, ow = _out_size(h, kh, dh, ph, sh), _out_size(w, kw, dw, pw, sw)
    c = cols.shape[1] // (kh * kw)
    dev, dt = cols.dev, cols.dtype
    out = empty((n, c, h, w), dt, dev)
    total = out.size
    if total == 0:
        return out
    ct = CTYPE[dt.name]
    src = _FOLD.format(ld=load_macro("LD", "x", dt), ct=ct, acc=compute_ctype(dt),
                       store=store_stmt("o", "g", "acc", dt))
    k = dev.kernel(("fold", dt.name), lambda: src, "fold",
                   [_I64] * 14 + [None] + [_I64] * 4 + [None])
    dev.launch(k, total, [total, c, h, w, kh, kw, dh, dw, ph, pw, sh, sw, oh, ow,
                          cols.buf, cols.offset, *cols.strides, out.buf])
    return out


def pad(x: CLArray, pad, value=0) -> CLArray:
    """Constant padding; negative amounts crop, as in PyTorch's ``F.pad``."""
    shape = tuple(n + b + a for n, (b, a) in zip(x.shape, pad))
    out = empty(shape, x.dtype, x.dev)
    if out.size == 0:
        return out
    copy_into(out, value)
    src = tuple(slice(max(-b, 0), n - max(-a, 0)) for n, (b, a) in zip(x.shape, pad))
    dst = tuple(slice(max(b, 0), m - max(a, 0)) for m, (b, a) in zip(shape, pad))
    inner = basic_index(x, src)
    if inner.size:
        copy_into(basic_index(out, dst), inner)
    return out


def kernels() -> dict:
    return {"unfold": unfold, "fold": fold, "pad": pad}
