"""Dropout layers: ``Dropout``, ``Dropout1d``, ``Dropout2d``, ``AlphaDropout``. Each is
the identity in eval mode."""

from __future__ import annotations

from ...frontend.tensor import Tensor
from .. import functional as F
from ..module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "AlphaDropout"]


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    r"""During training, zero each element with probability ``p`` and scale the others
    by :math:`\frac{1}{1-p}`; in eval mode, the identity.

    Args:
        p (float): probability of an element to be zeroed. Default: 0.5.
        inplace (bool): modify the input in place. Default: ``False``.

    Example::

        >>> m = nn.Dropout(p=0.2)
        >>> m(fl.randn(20, 16)).shape
        flambeau.Size([20, 16])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    r"""Zero whole channels of a ``(N, C, L)`` or ``(C, L)`` input with probability
    ``p`` during training (scaling the rest by :math:`\frac{1}{1-p}`)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    r"""Zero whole channels (feature maps) of a ``(N, C, H, W)`` or ``(C, H, W)`` input
    with probability ``p`` during training, scaling the rest by :math:`\frac{1}{1-p}`.
    Neighbouring pixels of a feature map are correlated, so element-wise dropout would
    barely regularise a conv net.

    Example::

        >>> m = nn.Dropout2d(p=0.2)
        >>> m(fl.randn(20, 16, 32, 32)).shape
        flambeau.Size([20, 16, 32, 32])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    r"""Dropout that keeps the zero mean and unit variance of SELU activations: dropped
    elements are set to SELU's negative saturation value, then an affine map restores
    the statistics."""

    def forward(self, input: Tensor) -> Tensor:
        return F.alpha_dropout(input, self.p, self.training)
