"""Convolutions as im2col (``unfold``) + one matmul, and their transposes with ``fold``.

Only ``unfold``/``fold`` are kernels; everything else is built from ops that already
have derivatives, so every backend gets convolution gradients (and double backward)
for free.
"""

from __future__ import annotations

from ...dispatcher import dispatch
from ...dispatcher.optable import OPS
from ...frontend.tensor import Tensor
from ._utils import check_dim, pair

__all__ = ["unfold", "fold", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]

_UNFOLD, _FOLD, _PAD = OPS["unfold"], OPS["fold"], OPS["pad"]


def _out(n, k, d, p, s) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding blocks: ``(N, C, H, W)`` -> ``(N, C*kh*kw, L)`` (im2col).

    Example::

        >>> F.unfold(fl.ones(1, 2, 4, 4), 2).shape
        flambeau.Size([1, 8, 9])
    """
    check_dim(input, (4,), "unfold", "a 4-D (N, C, H, W)")
    k, d = pair(kernel_size, "kernel_size", "unfold"), pair(dilation, "dilation", "unfold")
    p, s = pair(padding, "padding", "unfold"), pair(stride, "stride", "unfold")
    for i in range(2):
        if _out(input.shape[2 + i], k[i], d[i], p[i], s[i]) <= 0:
            raise RuntimeError(f"unfold(): input of spatial size {list(input.shape[2:])} "
                               f"is too small for kernel {list(k)} with dilation {list(d)} "
                               f"and padding {list(p)}")
    return dispatch.call(_UNFOLD, input, kernel_size=k, dilation=d, padding=p, stride=s)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0,
         stride=1) -> Tensor:
    """Sum sliding blocks back into an image: ``(N, C*kh*kw, L)`` -> ``(N, C, H, W)``."""
    check_dim(input, (3,), "fold", "a 3-D (N, C*kh*kw, L)")
    o = pair(output_size, "output_size", "fold")
    k, d = pair(kernel_size, "kernel_size", "fold"), pair(dilation, "dilation", "fold")
    p, s = pair(padding, "padding", "fold"), pair(stride, "stride", "fold")
    blocks = _out(o[0], k[0], d[0], p[0], s[0]) * _out(o[1], k[1], d[1], p[1], s[1])
    if input.shape[1] % (k[0] * k[1]) or input.shape[2] != blocks:
        raise RuntimeError(f"fold(): expected input of shape (N, C*{k[0]}*{k[1]}, "
                           f"{blocks}) for output_size {list(o)}, got {list(input.shape)}")
    return dispatch.call(_FOLD, input, output_size=o, kernel_size=k, dilation=d, padding=p,
                         stride=s)


def _same_padding(x, k, d, op):
    """PyTorch's padding='same': pad so the output keeps the input's size; the odd
    extra row/column goes at the end."""
    pads, sym = [], []
    for i in range(2):
        total = d[i] * (k[i] - 1)
        left = total // 2
        pads.append((left, total - left))
        sym.append(left)
    if any(a != b for a, b in pads):
        x = dispatch.call(_PAD, x, pad=((0, 0), (0, 0), (0, pads[0][1] - pads[0][0]),
                                        (0, pads[1][1] - pads[1][0])), value=0.0)
    return x, tuple(sym)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
           padding=0, dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation) over ``(N, C, H, W)`` or ``(C, H, W)`` input.

    Args:
        weight: ``(out_channels, in_channels / groups, kh, kw)``.
        padding: an int, a pair, ``"valid"`` or ``"same"`` (stride 1 only).
    """
    unbatched = input.dim() == 3
    if unbatched:
        input = input.unsqueeze(0)
    check_dim(input, (4,), "conv2d", "a 3-D or 4-D")
    if weight.dim() != 4:
        raise RuntimeError(f"conv2d(): weight must be 4-D (out, in/groups, kh, kw), got "
                           f"shape {list(weight.shape)}")
    n, c, h, w = input.shape
    o, cg, kh, kw = weight.shape
    if c != cg * groups or o % groups:
        raise RuntimeError(f"conv2d(): expected input with {cg * groups} channels "
                           f"(weight {list(weight.shape)}, groups={groups}), but got "
                           f"{c} channels (input {list(input.shape)})")
    s, d = pair(stride, "stride", "conv2d"), pair(dilation, "dilation", "conv2d")
    if padding == "valid":
        p = (0, 0)
    elif padding == "same":
        if s != (1, 1):
            raise ValueError("conv2d(): padding='same' is not supported for strided "
                             "convolutions")
        input, p = _same_padding(input, (kh, kw), d, "conv2d")
    else:
        p = pair(padding, "padding", "conv2d")
    cols = unfold(input, (kh, kw), d, p, s)                  # (N, C*kh*kw, L)
    oh = _out(input.shape[2], kh, d[0], p[0], s[0])
    ow = _out(input.shape[3], kw, d[1], p[1], s[1])
    if groups == 1:
        out = weight.reshape(o, -1) @ cols                    # (N, O, L)
    else:
        cols = cols.reshape(n, groups, cg * kh * kw, -1)
        out = weight.reshape(groups, o // groups, -1) @ cols  # (N, G, O/G, L)
    out = out.reshape(n, o, oh, ow)
    if bias is not None:
        out = out + bias.reshape(1, o, 1, 1)
    return out.squeeze(0) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
           padding=0, dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution over ``(N, C, L)`` or ``(C, L)`` input; weight ``(O, C/g, k)``."""
    unbatched = input.dim() == 2
    if unbatched:
        input = input.unsqueeze(0)
    check_dim(input, (3,), "conv1d", "a 2-D or 3-D")
    pad = padding if isinstance(padding, str) else (0, pair(padding, "padding",
                                                            "conv1d", 1)[0])
    out = conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias,
                 (1, pair(stride, "stride", "conv1d", 1)[0]), pad,
                 (1, pair(dilation, "dilation", "conv1d", 1)[0]), groups).squeeze(2)
    return out.squeeze(0) if unbatched else out


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 2-D convolution (the gradient of :func:`conv2d` w.r.t. its input).

    Args:
        weight: ``(in_channels, out_channels / groups, kh, kw)``.
    """
    unbatched = input.dim() == 3
    if unbatched:
        input = input.unsqueeze(0)
    check_dim(input, (4,), "conv_transpose2d", "a 3-D or 4-D")
    n, c, h, w = input.shape
    ci, og, kh, kw = weight.shape
    if c != ci or c % groups:
        raise RuntimeError(f"conv_transpose2d(): expected input with {ci} channels "
                           f"(weight {list(weight.shape)}), got {c}")
    s, p = pair(stride, "stride", "conv_transpose2d"), pair(padding, "padding",
                                                           "conv_transpose2d")
    d = pair(dilation, "dilation", "conv_transpose2d")
    op_ = pair(output_padding, "output_padding", "conv_transpose2d")
    if any(op_[i] >= max(s[i], d[i]) for i in range(2)):
        raise RuntimeError(f"conv_transpose2d(): output_padding {list(op_)} must be "
                           f"smaller than either stride {list(s)} or dilation {list(d)}")
    oh = (h - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op_[0] + 1
    ow = (w - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op_[1] + 1
    x = input.reshape(n, groups, c // groups, h * w)
    wt = weight.reshape(groups, c // groups, og * kh * kw).mT   # (G, og*kh*kw, C/G)
    cols = (wt @ x).reshape(n, groups * og * kh * kw, h * w)
    out = fold(cols, (oh, ow), (kh, kw), d, p, s)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 1-D convolution; weight ``(in, out / groups, k)``."""
    unbatched = input.dim() == 2
    if unbatched:
        input = input.unsqueeze(0)
    one = lambda v, name: (0 if name in ("padding", "output_padding") else 1,  # noqa: E731
                           pair(v, name, "conv_transpose1d", 1)[0])
    out = conv_transpose2d(input.unsqueeze(2), weight.unsqueeze(2), bias,
                           one(stride, "stride"), one(padding, "padding"),
                           one(output_padding, "output_padding"), groups,
                           one(dilation, "dilation")).squeeze(2)
    return out.squeeze(0) if unbatched else out
