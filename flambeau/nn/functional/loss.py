"""Likelihood losses: cross entropy, negative log likelihood, binary cross entropy,
KL divergence, Poisson and Gaussian NLL.

``cross_entropy`` is ``log_softmax`` followed by a ``gather`` of the target class; the
target range is checked once here (two reductions), so the ``gather`` kernel is called
directly and a target equal to ``ignore_index`` is only masked when one is present.
"""

from __future__ import annotations

import math
import warnings

from ...dispatcher import dispatch
from ...dispatcher.dtypes import int64
from ...dispatcher.optable import OPS
from ...frontend import elementwise as E
from ...frontend import reductions as R
from ...frontend.tensor import Tensor
from . import _reduction
from .activation import logsigmoid

__all__ = ["cross_entropy", "nll_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss",
           "gaussian_nll_loss"]

_GATHER, _INDEX_SELECT = OPS["gather"], OPS["index_select"]


def _check_targets(input: Tensor, target: Tensor, name: str) -> None:
    if target.dtype is not int64:
        raise RuntimeError(f"{name}(): expected scalar type Long for the class-index "
                           f"target but found {target.dtype.name}; use target.long()")
    if input.dim() == 1:
        if target.dim() != 0:
            raise RuntimeError(f"{name}(): for a 1-D input (C,), target must be a 0-D "
                               f"class index, got shape {list(target.shape)}")
    elif input.dim() == 0:
        raise RuntimeError(f"{name}(): input must have a class dimension, got a 0-D input")
    elif target.shape[:1] != input.shape[:1]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0] if target.dim() else 0}).")
    elif tuple(target.shape) != tuple(input.shape[:1]) + tuple(input.shape[2:]):
        raise RuntimeError(f"{name}(): expected target of shape "
                           f"{[input.shape[0]] + list(input.shape[2:])}, got "
                           f"{list(target.shape)}")


def _ignored_mask(target: Tensor, c: int, ignore_index: int):
    """``target == ignore_index`` where some element is ignored, else None; raises on
    targets outside ``[0, c)`` that are not ``ignore_index``."""
    if not target.numel():
        return None
    lo, hi = int(target.amin()), int(target.amax())
    if 0 <= lo and hi < c:
        if not 0 <= ignore_index < c:
            return None
        ignored = target == ignore_index
        return ignored if bool(ignored.any()) else None
    ignored = target == ignore_index
    bad = ((target < 0) | (target >= c)) & ~ignored
    if bool(bad.any()):
        value = int(target[bad][0])
        raise IndexError(f"Target {value} is out of bounds (number of classes: {c})")
    return ignored


def _nll(logp: Tensor, target: Tensor, weight, ignore_index: int, reduction: str):
    """``-w[t] * logp[t]`` reduced, for batched ``logp`` ``(N, C, *)``, with the
    per-element weights (None when all are 1) and the ignored mask (or None)."""
    c = logp.shape[1]
    if weight is not None and (weight.dim() != 1 or weight.shape[0] != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes "
                           f"or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    ignored = _ignored_mask(target, c, ignore_index)
    if ignored is not None:
        target = E.where(ignored, 0, target)
    # the range is checked above, so the kernel is called without gather()'s own checks
    picked = dispatch.call(_GATHER, logp, target.unsqueeze(1), dim=1)   # (N, 1, *)
    w = None
    if weight is not None:
        w = dispatch.call(_INDEX_SELECT, weight.to(logp.dtype), target.reshape(-1),
                          dim=0).reshape(target.shape)
    if ignored is not None:
        keep = E.logical_not(ignored).to(logp.dtype)
        w = keep if w is None else w * keep
    if w is not None:
        picked = picked.squeeze(1) * w
    elif reduction == "none":
        picked = picked.squeeze(1)
    # negate after reducing: one scalar op instead of one per element
    if reduction == "mean":
        loss = picked.mean() if w is None else picked.sum() / w.sum()
    else:
        loss = _reduction.apply(picked, reduction)
    return -loss, w, ignored


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average=None, ignore_index: int = -100, reduce=None,
             reduction: str = "mean") -> Tensor:
    """Negative log likelihood of log-probabilities ``input`` at class indices
    ``target``.

    Args:
        input: ``(N, C)``, ``(C,)`` or ``(N, C, d1, ...)`` log-probabilities.
        target: int64 class indices of shape ``(N,)``, ``()`` or ``(N, d1, ...)``.
        weight: ``(C,)`` per-class weights; ``'mean'`` divides by the summed weights
            of the targets.
        ignore_index: targets with this value contribute nothing (nor to the mean).
    """
    reduction = _reduction.resolve(size_average, reduce, reduction)
    _check_targets(input, target, "nll_loss")
    unbatched = input.dim() == 1
    if unbatched:
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    loss, _, _ = _nll(input, target, weight, ignore_index, reduction)
    return loss.squeeze(0) if unbatched and reduction == "none" else loss


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy between the logits ``input`` and ``target``:
    ``nll_loss(log_softmax(input, 1), target)`` for class indices.

    Args:
        input: logits ``(N, C)``, ``(C,)`` or ``(N, C, d1, ...)``.
        target: int64 class indices (shape of input without dim 1), or class
            probabilities of input's shape (floating point).
        weight: ``(C,)`` per-class weights.
        ignore_index: class-index targets to skip.
        reduction: ``'none'``, ``'mean'`` or ``'sum'``.
        label_smoothing: mix the target with the uniform distribution by this amount.

    Example::

        >>> logits = fl.randn(4, 3, requires_grad=True)
        >>> F.cross_entropy(logits, fl.tensor([0, 2, 1, 2])).backward()
    """
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy(): label_smoothing must be between 0.0 and 1.0, "
                         f"got {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    logp = R.log_softmax(input, class_dim)
    c = input.shape[class_dim]
    wshape = (c,) if class_dim == 0 else (1, c) + (1,) * (input.dim() - 2)
    if target.dtype.is_floating_point:
        if target.shape != input.shape:
            raise RuntimeError(f"cross_entropy(): class-probability targets must have the "
                               f"input's shape {list(input.shape)}, got "
                               f"{list(target.shape)}")
        if label_smoothing > 0:
            target = target * (1.0 - label_smoothing) + label_smoothing / c
        prod = logp * target
        if weight is not None:
            prod = prod * weight.reshape(wshape)
        loss = -prod.sum(class_dim)
        if reduction == "mean":
            return loss.sum() / (input.numel() // c) if input.numel() else loss.sum() / 0.0
        return _reduction.apply(loss, reduction)
    _check_targets(input, target, "cross_entropy")
    unbatched = class_dim == 0
    lp, tg = (logp.unsqueeze(0), target.unsqueeze(0)) if unbatched else (logp, target)
    nll, w, ignored = _nll(lp, tg, weight, ignore_index, reduction)
    if unbatched and reduction == "none":
        nll = nll.squeeze(0)
    if label_smoothing == 0:
        return nll
    smooth = -(logp * weight.reshape(wshape) if weight is not None else logp).sum(class_dim)
    if ignored is not None:
        smooth = E.where(ignored.reshape(smooth.shape), 0.0, smooth)
    if reduction == "mean":
        if w is not None:
            smooth = smooth.sum() / w.sum()
        else:
            smooth = smooth.mean()
    else:
        smooth = _reduction.apply(smooth, reduction)
    return nll * (1.0 - label_smoothing) + smooth * (label_smoothing / c)


def _clamped_log(x: Tensor) -> Tensor:
    """``max(log(x), -100)``, PyTorch's guard in binary cross entropy, with a finite
    gradient at ``x = 0``."""
    pos = x > 0
    return E.where(pos, E.clamp(E.log(E.where(pos, x, 1.0)), min=-100.0), -100.0)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``-w * (t log(x) + (1 - t) log(1 - x))`` for probabilities ``x`` in ``[0, 1]``;
    each log is clamped to ``>= -100`` as in PyTorch."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the "
                         f"input size ({input.shape}) is deprecated. Please ensure they "
                         f"have the same size.")
    if input.numel() and (float(input.amin()) < 0 or float(input.amax()) > 1):
        raise RuntimeError("binary_cross_entropy(): all elements of input should be "
                           "between 0 and 1")
    loss = -(target * _clamped_log(input) + (1.0 - target) * _clamped_log(1.0 - input))
    if weight is not None:
        loss = loss * weight
    return _reduction.apply(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average=None,
                                     reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross entropy of ``sigmoid(input)``, computed stably from the logits:
    ``(1 - t) x - (1 + (pos_weight - 1) t) log(sigmoid(x))``.

    Args:
        pos_weight: weight of the positive class, broadcast along the last dim.
    """
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    ls = logsigmoid(input)
    if pos_weight is not None:
        ls = ls * ((pos_weight - 1.0) * target + 1.0)
    loss = (1.0 - target) * input - ls
    if weight is not None:
        loss = loss * weight
    return _reduction.apply(loss, reduction)


def _xlogx(t: Tensor) -> Tensor:
    """``t * log(t)`` with ``0 log 0 = 0`` (and no NaN in its gradient)."""
    return t * E.log(E.where(t > 0, t, 1.0))


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence ``target * (log(target) - input)`` for
    log-probabilities ``input``.

    Args:
        reduction: ``'batchmean'`` (the sum divided by the batch size: the true KL
            divergence), ``'sum'``, ``'mean'`` (over all elements) or ``'none'``.
        log_target: ``target`` holds log-probabilities too.
    """
    legacy = size_average is not None or reduce is not None
    reduction = _reduction.resolve(size_average, reduce, reduction, ("batchmean",))
    if not legacy and reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                      "the support size.'batchmean' divides only by the batch size, and "
                      "aligns with the KL div math definition.'mean' will be changed to "
                      "behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if log_target:
        loss = E.exp(target) * (target - input)
    else:
        loss = _xlogx(target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.dim() else total
    return _reduction.apply(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True,
                     full: bool = False, size_average=None, eps: float = 1e-8,
                     reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log likelihood of ``target ~ Poisson(rate)``: ``exp(x) - t x`` with
    ``log_input``, else ``x - t log(x + eps)``; ``full`` adds Stirling's term."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if log_input:
        loss = E.exp(input) - target * input
    else:
        loss = input - target * E.log(input + eps)
    if full:
        big = target > 1
        safe = E.where(big, target, 1.0)   # no log(0) in the branch that is not taken
        stirling = safe * E.log(safe) - safe + E.log(safe * (2 * math.pi)) * 0.5
        loss = loss + E.where(big, stirling, 0.0)
    return _reduction.apply(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """``0.5 (log(max(var, eps)) + (input - target)^2 / max(var, eps))`` (plus
    ``0.5 log(2 pi)`` when ``full``); ``var`` may have one fewer trailing dim or a
    last dim of 1, for one variance per sample."""
    reduction = _reduction.resolve(None, None, reduction)
    if not isinstance(var, Tensor):
        var = input.new_full((), float(var))
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1)\
                and var.dim():
            raise ValueError("var is of incorrect size")
    if bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    # clamped for stability, but the gradient passes as if it were not (as in PyTorch)
    v = var + (E.clamp(var, min=eps) - var).detach()
    loss = (E.log(v) + (input - target) ** 2 / v) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduction.apply(loss, reduction)
