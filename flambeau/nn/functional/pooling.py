"""Pooling built on ``unfold``: max (with -inf padding) and average, 1-D and 2-D, and
adaptive average pooling."""

from __future__ import annotations

import math

from ...dispatcher import dispatch
from ...dispatcher.optable import OPS
from ...frontend.tensor import Tensor
from ._utils import check_dim, pair
from .conv import unfold

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_max_pool2d"]

_PAD = OPS["pad"]


def _pool_geometry(size, k, s, p, d, ceil_mode, op):
    if p > k // 2:
        raise RuntimeError(f"{op}(): pad should be at most half of effective kernel size, "
                           f"but got pad={p}, kernel_size={k}")
    span = size + 2 * p - d * (k - 1) - 1
    out = (math.ceil(span / s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1  # the last window must start inside the input or the left padding
    if out <= 0:
        raise RuntimeError(f"{op}(): output size is too small ({out}) for input size "
                           f"{size}, kernel {k}, padding {p}")
    extra = max((out - 1) * s + d * (k - 1) + 1 - (size + 2 * p), 0)
    return out, extra


def _windows(x, k, s, p, d, ceil_mode, fill, op):
    """(N, C, kh*kw, oh, ow) windows of ``x`` padded with ``fill``."""
    n, c, h, w = x.shape
    oh, eh = _pool_geometry(h, k[0], s[0], p[0], d[0], ceil_mode, op)
    ow, ew = _pool_geometry(w, k[1], s[1], p[1], d[1], ceil_mode, op)
    if any(p) or eh or ew:
        x = dispatch.call(_PAD, x, pad=((0, 0), (0, 0), (p[0], p[0] + eh),
                                        (p[1], p[1] + ew)), value=fill)
    cols = unfold(x, k, d, 0, s)
    return cols.reshape(n, c, k[0] * k[1], oh, ow), (oh, ow), (eh, ew)


def _batched(x, op):
    check_dim(x, (3, 4), op, "a 3-D or 4-D")
    return (x.unsqueeze(0), True) if x.dim() == 3 else (x, False)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max over ``kernel_size`` windows; with ``return_indices``, also the flat
    ``h * W + w`` position of each maximum in the input plane."""
    x, unbatched = _batched(input, "max_pool2d")
    k = pair(kernel_size, "kernel_size", "max_pool2d")
    s = k if stride is None or stride == [] else pair(stride, "stride", "max_pool2d")
    p, d = pair(padding, "padding", "max_pool2d"), pair(dilation, "dilation", "max_pool2d")
    n, c, h, w = x.shape
    if s == k and d == (1, 1) and not any(p) and h % k[0] == 0 and w % k[1] == 0:
        # non-overlapping windows tile the input: regroup it (one copy) so each
        # window is contiguous, instead of unfolding; the gradient is a scatter
        oh, ow = h // k[0], w // k[1]
        win = x.reshape(n, c, oh, k[0], ow, k[1]).permute(0, 1, 2, 4, 3, 5) \
            .reshape(n, c, oh, ow, k[0] * k[1])
        values, arg = win.max(4)
    else:
        win, (oh, ow), _ = _windows(x, k, s, p, d, ceil_mode, float("-inf"), "max_pool2d")
        values, arg = win.max(2)
    out = values.squeeze(0) if unbatched else values
    if not return_indices:
        return out
    from ...frontend.creation import arange
    ki, kj = arg // k[1], arg % k[1]
    rows = arange(oh, device=x.device).reshape(oh, 1) * s[0] - p[0] + ki * d[0]
    cols = arange(ow, device=x.device).reshape(1, ow) * s[1] - p[1] + kj * d[1]
    idx = rows * x.shape[3] + cols
    return out, (idx.squeeze(0) if unbatched else idx)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max over windows of the last dim of ``(N, C, L)`` or ``(C, L)`` input."""
    one = lambda v, name: (1, pair(v, name, "max_pool1d", 1)[0])  # noqa: E731
    res = max_pool2d(input.unsqueeze(-2), one(kernel_size, "kernel_size"),
                     None if stride is None else one(stride, "stride"),
                     (0, pair(padding, "padding", "max_pool1d", 1)[0]),
                     one(dilation, "dilation"), ceil_mode, return_indices)
    if return_indices:
        return res[0].squeeze(-2), res[1].squeeze(-2)
    return res.squeeze(-2)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Mean over ``kernel_size`` windows, with PyTorch's divisor rules."""
    x, unbatched = _batched(input, "avg_pool2d")
    k = pair(kernel_size, "kernel_size", "avg_pool2d")
    s = k if stride is None or stride == [] else pair(stride, "stride", "avg_pool2d")
    p = pair(padding, "padding", "avg_pool2d")
    win, (oh, ow), (eh, ew) = _windows(x, k, s, p, (1, 1), ceil_mode, 0.0, "avg_pool2d")
    total = win.sum(2)
    if divisor_override is not None:
        out = total / divisor_override
    elif not any(p) and not (eh or ew):
        out = total / (k[0] * k[1])
    else:
        # count the window positions that lie in the input (or its padding, when
        # count_include_pad): windows hanging past the padded edge count less
        from ...frontend.creation import ones
        h, w = x.shape[2:]
        inner = ones(1, 1, h + 2 * p[0] if count_include_pad else h,
                     w + 2 * p[1] if count_include_pad else w, dtype=x.dtype, device=x.device)
        margin = (0, 0) if count_include_pad else p
        inner = dispatch.call(_PAD, inner, pad=((0, 0), (0, 0), (margin[0], margin[0] + eh),
                                                (margin[1], margin[1] + ew)), value=0.0)
        count = unfold(inner, k, 1, 0, s).sum(1).reshape(1, 1, oh, ow)
        out = total / count
    return out.squeeze(0) if unbatched else out


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over windows of the last dim of ``(N, C, L)`` or ``(C, L)`` input."""
    one = lambda v, name: (1, pair(v, name, "avg_pool1d", 1)[0])  # noqa: E731
    return avg_pool2d(input.unsqueeze(-2), one(kernel_size, "kernel_size"),
                      None if stride is None else one(stride, "stride"),
                      (0, pair(padding, "padding", "avg_pool1d", 1)[0]), ceil_mode,
                      count_include_pad).squeeze(-2)


def _adaptive_ranges(size: int, out: int):
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def _adaptive(x, out_hw, reduce):
    h, w = x.shape[-2:]
    oh = h if out_hw[0] is None else out_hw[0]
    ow = w if out_hw[1] is None else out_hw[1]
    if h % oh == 0 and w % ow == 0:
        n = x.shape[:-2]
        blocks = x.reshape(*n, oh, h // oh, ow, w // ow)
        return reduce(blocks, (-3, -1))
    from ...frontend.shape_ops import cat
    rows = cat([reduce(x.narrow(-2, a, b - a), (-2,), keep=True)
                for a, b in _adaptive_ranges(h, oh)], -2)
    return cat([reduce(rows.narrow(-1, a, b - a), (-1,), keep=True)
                for a, b in _adaptive_ranges(w, ow)], -1)


def _mean(t, dims, keep=False):
    return t.mean(dims, keepdim=keep)


def _max(t, dims, keep=False):
    return t.amax(dims, keepdim=keep)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed ``output_size`` (``None`` keeps a size)."""
    check_dim(input, (3, 4), "adaptive_avg_pool2d", "a 3-D or 4-D")
    o = (output_size, output_size) if isinstance(output_size, int) or output_size is None \
        else tuple(output_size)
    return _adaptive(input, o, _mean)


def adaptive_max_pool2d(input: Tensor, output_size) -> Tensor:
    """Max pooling to a fixed ``output_size``."""
    check_dim(input, (3, 4), "adaptive_max_pool2d", "a 3-D or 4-D")
    o = (output_size, output_size) if isinstance(output_size, int) or output_size is None \
        else tuple(output_size)
    return _adaptive(input, o, _max)


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """Average pooling of the last dim to ``output_size``."""
    check_dim(input, (2, 3), "adaptive_avg_pool1d", "a 2-D or 3-D")
    if isinstance(output_size, (tuple, list)):
        output_size = output_size[0]
    return _adaptive(input.unsqueeze(-2), (1, output_size), _mean).squeeze(-2)
