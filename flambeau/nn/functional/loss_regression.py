"""Regression losses: mean squared error, L1, smooth L1 and Huber."""

from __future__ import annotations

from ...frontend import elementwise as E
from ...frontend.tensor import Tensor
from . import _reduction

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"]


def _weighted(loss: Tensor, weight, input: Tensor, reduction: str, mean_by_weight: bool):
    if weight is None:
        return _reduction.apply(loss, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduction.apply(loss, reduction)


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """``(input - target)^2``, reduced; with ``weight`` (input's shape), ``'mean'`` is
    the weighted sum over the summed weights.

    Example::

        >>> F.mse_loss(fl.tensor([1.0, 2.0]), fl.tensor([0.0, 0.0]))
        tensor(2.5000)
    """
    _reduction.warn_size(input, target)
    reduction = _reduction.resolve(size_average, reduce, reduction)
    d = input - target
    return _weighted(d * d, weight, input, reduction, True)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """``|input - target|``, reduced (``weight`` as in :func:`mse_loss`)."""
    _reduction.warn_size(input, target)
    reduction = _reduction.resolve(size_average, reduce, reduction)
    return _weighted(E.abs(input - target), weight, input, reduction, True)


def _quadratic_then_linear(d: Tensor, beta: float) -> Tensor:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``."""
    a = E.abs(d)
    return E.where(a < beta, d * d * (0.5 / beta), a - 0.5 * beta)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Squared error below ``beta``, absolute error (shifted to join smoothly) above;
    ``beta=0`` is :func:`l1_loss`."""
    _reduction.warn_size(input, target)
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss(): beta must be non-negative")
    d = input - target
    loss = E.abs(d) if beta == 0 else _quadratic_then_linear(d, beta)
    return _reduction.apply(loss, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``: smooth L1
    times ``delta``. With ``weight``, ``'mean'`` is the mean of the weighted losses."""
    _reduction.warn_size(input, target)
    reduction = _reduction.resolve(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss(): delta must be positive")
    loss = _quadratic_then_linear(input - target, delta) * delta
    return _weighted(loss, weight, input, reduction, False)
