"""The ``reduction`` argument of the losses, and PyTorch's legacy ``size_average`` /
``reduce`` pair."""

from __future__ import annotations

import warnings

from ...frontend.tensor import Tensor

_VALID = ("none", "mean", "sum")


def resolve(size_average, reduce, reduction: str, extra=()) -> str:
    """The reduction to use; the legacy flags win, with PyTorch's warning."""
    if size_average is not None or reduce is not None:
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      "reduction='mean' (or 'sum', 'none') instead.", stacklevel=3)
        if reduce is False:
            return "none"
        return "sum" if size_average is False else "mean"
    if reduction not in _VALID + tuple(extra):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def apply(loss: Tensor, reduction: str) -> Tensor:
    """Reduce a per-element loss."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def warn_size(input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the "
                      f"input size ({input.shape}). This will likely lead to incorrect "
                      f"results due to broadcasting. Please ensure they have the same "
                      f"size.", stacklevel=3)
