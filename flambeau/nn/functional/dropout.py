"""Dropout: zero elements (or whole channels) at random during training.

Masks come from ``fl.bernoulli``, so they are sampled on the input's device with the
default generator (``fl.manual_seed`` makes them repeatable).
"""

from __future__ import annotations

import warnings

from ...frontend.grad_mode import no_grad
from ...frontend.random import bernoulli
from ...frontend.tensor import Tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]

# selu's scale * alpha: the value selu saturates to at -inf, times -1
_SELU_NEG = 1.7580993408473766


def _check_p(p: float, name: str) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name}(): dropout probability has to be between 0 and 1, but "
                         f"got {p}")


def _keep_mask(input: Tensor, shape, p: float, scale: float) -> Tensor:
    """A 0/``scale`` mask of ``shape`` in input's dtype, on input's device."""
    with no_grad():
        mask = bernoulli(input.new_empty(shape), 1.0 - p)
        if scale != 1.0:
            mask.mul_(scale)
    return mask


def _apply(input: Tensor, mask: Tensor, inplace: bool) -> Tensor:
    return input.mul_(mask) if inplace else input * mask


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``,
    so the expected value is unchanged. The identity when ``training`` is False.

    Example::

        >>> y = F.dropout(fl.ones(1000), p=0.5)   # about half zeros, the rest 2.0
    """
    _check_p(p, "dropout")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    return _apply(input, _keep_mask(input, input.shape, p, 1.0 / (1.0 - p)), inplace)


def _feature_shape(input: Tensor, batched_dim: int, name: str) -> tuple:
    """The mask shape for channel-wise dropout: one draw per (sample, channel)."""
    n = input.dim()
    if n not in (batched_dim - 1, batched_dim):
        raise RuntimeError(f"{name}(): Expected {batched_dim - 1}D or {batched_dim}D input, "
                           f"but received a {n}D input. Note that {name} exists to provide "
                           f"channel-wise dropout on inputs with {batched_dim - 2} spatial "
                           f"dimension(s), a channel dimension, and an optional batch "
                           f"dimension.")
    lead = 2 if n == batched_dim else 1
    return tuple(input.shape[:lead]) + (1,) * (n - lead)


def _feature_dropout(input, p, training, inplace, batched_dim, name):
    _check_p(p, name)
    if not training or p == 0.0:
        return input
    shape = _feature_shape(input, batched_dim, name)
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    return _apply(input, _keep_mask(input, shape, p, 1.0 / (1.0 - p)), inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` input with probability ``p``."""
    return _feature_dropout(input, p, training, inplace, 3, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, H, W)`` or ``(C, H, W)`` input with probability
    ``p``. A 3-D input is taken as ``(N, C, L)``, with a warning, as PyTorch does."""
    if input.dim() == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted "
                      "as shape (N, C, L), where C is the channel dim. This behavior will "
                      "change in a future release to interpret the input as one without a "
                      "batch dimension, i.e. shape (C, H, W). To maintain the 1D "
                      "channel-wise dropout behavior, please switch to using dropout1d "
                      "instead.", stacklevel=2)
        return _feature_dropout(input, p, training, inplace, 3, "dropout2d")
    return _feature_dropout(input, p, training, inplace, 4, "dropout2d")


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input."""
    return _feature_dropout(input, p, training, inplace, 5, "dropout3d")


def _alpha(input, p, training, inplace, shape, name):
    _check_p(p, name)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    # dropped units take selu's negative saturation value; a and b restore mean 0 and
    # variance 1 (Klambauer et al., 2017)
    a = ((1.0 - p) * (1.0 + p * _SELU_NEG ** 2)) ** -0.5
    keep = _keep_mask(input, shape, p, 1.0)
    with no_grad():
        b = (keep - 1.0) * (_SELU_NEG * a) + _SELU_NEG * a * p
        keep.mul_(a)
    out = _apply(input, keep, inplace)
    return out.add_(b) if inplace else out + b


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout for self-normalising (SELU) networks: keeps mean 0 and variance 1."""
    return _alpha(input, p, training, inplace, input.shape, "alpha_dropout")


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """:func:`alpha_dropout` applied to whole channels."""
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    return _alpha(input, p, training, inplace, shape, "feature_alpha_dropout")
