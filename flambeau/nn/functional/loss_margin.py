"""Margin and embedding losses: ranking, hinge, soft margin, cosine, triplet and
multi-label/multi-class margins."""

from __future__ import annotations

from ...frontend import elementwise as E
from ...frontend.creation import arange
from ...frontend.tensor import Tensor
from . import _reduction
from .activation import logsigmoid, softplus
from .misc import pairwise_distance

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
           "cosine_embedding_loss", "triplet_margin_loss", "multilabel_soft_margin_loss",
           "multi_margin_loss"]


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``, ``target`` in ``{1, -1}``."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if not input1.dim() == input2.dim() == target.dim():
        raise RuntimeError(f"margin_ranking_loss(): All input tensors should have same "
                           f"dimension but got sizes: input1: {list(input1.shape)}, "
                           f"input2: {list(input2.shape)}, target: {list(target.shape)}")
    loss = E.clamp(-target * (input1 - input2) + margin, min=0.0)
    return _reduction.apply(loss, reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``input`` where ``target == 1``, ``max(0, margin - input)`` where ``target ==
    -1``."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    hinge = E.where(target != 1, E.clamp(margin - input, min=0.0), 0.0)
    return _reduction.apply(hinge + E.where(target != -1, input, 0.0), reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-target * input))``, ``target`` in ``{1, -1}``."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    return _reduction.apply(softplus(-target * input), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor,
                          margin: float = 0, size_average=None, reduce=None,
                          reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where ``target == 1``, ``max(0, cos(x1, x2) - margin)``
    where ``target == -1``; rows are along the last dim."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    eps = 1e-12
    dot = (input1 * input2).sum(-1)
    mag = ((input1 * input1).sum(-1) + eps) * ((input2 * input2).sum(-1) + eps)
    cos = dot / E.sqrt(mag)
    loss = (E.where(target == 1, 1.0 - cos, 0.0)
            + E.where(target == -1, E.clamp(cos - margin, min=0.0), 0.0))
    return _reduction.apply(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the pairwise ``p``-distance;
    ``swap`` uses ``min(d(a, n), d(p, n))`` (Balntas et al.)."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = E.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduction.apply(E.clamp(d_pos - d_neg + margin, min=0.0), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """One-vs-all logistic loss averaged over the ``C`` classes of the last dim:
    ``-(t log(sigmoid(x)) + (1 - t) log(sigmoid(-x)))``."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1.0 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(-1) / input.shape[-1]
    return _reduction.apply(loss, reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge: ``sum_{i != y} max(0, margin - x[y] + x[i])^p / C`` per
    sample (times ``weight[y]``), for ``(N, C)`` or ``(C,)`` input."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    unbatched = input.dim() == 1
    if unbatched:
        input, target = input.unsqueeze(0), target.reshape(1)
    c = input.shape[-1]
    picked = input.gather(1, target.unsqueeze(1))
    z = E.clamp(input - picked + margin, min=0.0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[target].unsqueeze(1)
    others = target.unsqueeze(1) != arange(c, device=input.device)
    loss = E.where(others, z, 0.0).sum(1) / c
    if unbatched:
        loss = loss.squeeze(0)
    return _reduction.apply(loss, reduction)
