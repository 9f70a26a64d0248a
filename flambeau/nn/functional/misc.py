"""Padding, resampling and distances.

``pad`` in constant mode is the ``pad`` kernel; the other modes and ``interpolate``
are ``index_select`` with index tensors computed on the host, so their gradients
(duplicated indices accumulate) come from ``index_select``'s derivative.
"""

from __future__ import annotations

import math

import numpy as np

from ...dispatcher import dispatch
from ...dispatcher.optable import OPS
from ...frontend import elementwise as E
from ...frontend.creation import tensor as _tensor
from ...frontend.indexing import index_select
from ...frontend.tensor import Tensor

__all__ = ["pad", "interpolate", "upsample", "cosine_similarity", "pairwise_distance"]

_PAD = OPS["pad"]


def _pairs(pad, ndim: int, name: str) -> list:
    """``(left, right, top, bottom, ...)`` from the last dim -> one pair per dim,
    first dim first."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError(f"{name}(): Padding length must be divisible by 2, got "
                           f"{len(pad)}")
    if len(pad) // 2 > ndim:
        raise RuntimeError(f"{name}(): Padding length should be less than or equal to two "
                           f"times the input dimension but got padding length {len(pad)} "
                           f"and input of dimension {ndim}")
    pairs = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        pairs[ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return pairs


def _source_index(mode: str, n: int, before: int, after: int) -> np.ndarray:
    """Which input position each padded position copies, along one dim of size n."""
    i = np.arange(-before, n + after)
    if mode == "reflect":
        if before >= n or after >= n:
            raise RuntimeError(f"pad(): Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({before}, {after}) at "
                               f"dimension of size {n}")
        i = np.abs(i)
        return np.where(i > n - 1, 2 * (n - 1) - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if before > n or after > n:
        raise RuntimeError(f"pad(): Padding value causes wrapping around more than once "
                           f"(padding ({before}, {after}) for a dimension of size {n})")
    return i % n


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims of ``input``.

    Args:
        pad: ``(left, right)`` for the last dim, then ``(top, bottom)`` for the one
            before, and so on. Negative values crop (constant mode).
        mode: ``"constant"`` (any number of dims), or ``"reflect"``, ``"replicate"``,
            ``"circular"`` (the last 1 to 3 dims of a batched or unbatched input).
        value: the fill value of constant mode (default 0).

    Example::

        >>> F.pad(fl.ones(1, 2), (1, 1)).tolist()
        [[0.0, 1.0, 1.0, 0.0]]
    """
    pairs = _pairs(pad, input.dim(), "pad")
    if mode == "constant":
        crop = [(max(-a, 0), max(-b, 0)) for a, b in pairs]
        if any(a or b for a, b in crop):
            input = input[tuple(slice(a, n - b) for (a, b), n in zip(crop, input.shape))]
        grow = tuple((max(a, 0), max(b, 0)) for a, b in pairs)
        if not any(a or b for a, b in grow):
            return input.clone()
        return dispatch.call(_PAD, input, pad=grow, value=0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad(): mode {mode!r} is not supported; use "
                                  f"'constant', 'reflect', 'replicate' or 'circular'")
    if value:
        raise ValueError(f"pad(): padding mode {mode!r} doesn't take in value argument")
    k = len(pad) // 2
    if k > 3 or input.dim() not in (k + 1, k + 2):
        raise NotImplementedError(f"pad(): {mode} padding of {k} dims expects a "
                                  f"{k + 1}-D or {k + 2}-D input, got {input.dim()}-D "
                                  f"(only 2D, 3D, 4D, 5D padding with non-constant padding "
                                  f"are supported)")
    for d in range(input.dim() - k, input.dim()):
        before, after = pairs[d]
        if before < 0 or after < 0:
            raise NotImplementedError(f"pad(): negative padding is only supported in "
                                      f"constant mode, got {tuple(pad)} with mode {mode!r}")
        if before or after:
            idx = _source_index(mode, input.shape[d], before, after)
            input = index_select(input, d, _tensor(idx, device=input.device))
    return input


def _resize_geometry(input: Tensor, size, scale_factor, recompute: bool | None, name: str):
    k = input.dim() - 2
    if k < 1:
        raise ValueError(f"{name}(): expected a 3-D, 4-D or 5-D input (N, C, *spatial), "
                         f"got {input.dim()}-D")
    spatial = tuple(input.shape[2:])
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{name}(): exactly one of size or scale_factor should be defined")
    if size is not None:
        out = (size,) * k if isinstance(size, int) else tuple(size)
        if len(out) != k:
            raise ValueError(f"{name}(): Input and output must have the same number of "
                             f"spatial dimensions, but got input with spatial dimensions "
                             f"of {list(spatial)} and output size of {list(out)}")
        return spatial, out, [n / o for n, o in zip(spatial, out)]
    sf = (scale_factor,) * k if isinstance(scale_factor, (int, float)) \
        else tuple(scale_factor)
    if len(sf) != k:
        raise ValueError(f"{name}(): scale_factor must have {k} entries, got {list(sf)}")
    out = tuple(int(math.floor(n * s)) for n, s in zip(spatial, sf))
    scales = [n / o for n, o in zip(spatial, out)] if recompute else [1.0 / s for s in sf]
    return spatial, out, scales


def _resample(input, d, idx0, idx1=None, lam=None):
    """Pick positions ``idx0`` along dim ``d`` (and blend with ``idx1`` by ``lam``)."""
    a = index_select(input, d, _tensor(idx0, device=input.device))
    if idx1 is None:
        return a
    b = index_select(input, d, _tensor(idx1, device=input.device))
    shape = [1] * input.dim()
    shape[d] = len(lam)
    w = _tensor(lam.reshape(shape), dtype=input.dtype, device=input.device)
    return a + (b - a) * w


_LINEAR = {"linear": 3, "bilinear": 4, "trilinear": 5}


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of ``(N, C, *spatial)`` input.

    Args:
        size: the output spatial size (an int or one per spatial dim).
        scale_factor: multiplier(s) for the spatial size (output = floor(in * scale)).
        mode: ``"nearest"``, ``"nearest-exact"``, ``"linear"`` (3-D), ``"bilinear"``
            (4-D), ``"trilinear"`` (5-D) or ``"area"``.
        align_corners: for the linear modes, map corner pixel centres onto each other
            (True) or pixel edges (False, the default).

    Example::

        >>> F.interpolate(fl.ones(1, 1, 2, 2), scale_factor=2, mode="bilinear").shape
        flambeau.Size([1, 1, 4, 4])
    """
    if antialias:
        raise NotImplementedError("interpolate(): antialias=True is not supported")
    if mode in ("nearest", "nearest-exact", "area") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating "
                         "modes: linear | bilinear | bicubic | trilinear")
    spatial, out, scales = _resize_geometry(input, size, scale_factor,
                                            recompute_scale_factor, "interpolate")
    if mode == "area":
        from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d
        if input.dim() == 3:
            return adaptive_avg_pool1d(input, out[0])
        if input.dim() == 4:
            return adaptive_avg_pool2d(input, out)
        raise NotImplementedError("interpolate(): mode='area' supports 3-D and 4-D input")
    if mode in _LINEAR and input.dim() != _LINEAR[mode]:
        raise NotImplementedError(f"interpolate(): mode {mode!r} expects a "
                                  f"{_LINEAR[mode]}-D input, got {input.dim()}-D")
    if mode not in _LINEAR and mode not in ("nearest", "nearest-exact"):
        raise NotImplementedError(f"interpolate(): mode {mode!r} is not supported")
    x = input
    for k, (n, o, s) in enumerate(zip(spatial, out, scales)):
        d = 2 + k
        i = np.arange(o, dtype=np.float64)
        if mode == "nearest":
            x = _resample(x, d, np.minimum(np.floor(i * s).astype(np.int64), n - 1))
        elif mode == "nearest-exact":
            x = _resample(x, d, np.minimum(np.floor((i + 0.5) * s).astype(np.int64), n - 1))
        else:
            if align_corners:
                src = i * ((n - 1) / (o - 1)) if o > 1 else i * 0.0
            else:
                src = np.maximum((i + 0.5) * s - 0.5, 0.0)
            i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
            i1 = np.minimum(i0 + 1, n - 1)
            x = _resample(x, d, i0, i1, src - i0)
    return x


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of :func:`interpolate`."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim`` (inputs
    broadcast)."""
    from ...frontend.shape_ops import broadcast_tensors
    x1, x2 = broadcast_tensors(x1, x2)  # the norms are taken over the broadcast shape
    n1 = E.clamp(x1.norm(2, dim, keepdim=True), min=eps)
    n2 = E.clamp(x2.norm(2, dim, keepdim=True), min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dim."""
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)
