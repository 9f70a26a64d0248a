"""Normalisation layers: ``BatchNorm1d/2d``, ``LayerNorm``, ``GroupNorm``, ``RMSNorm``."""

from __future__ import annotations

import numbers

from ...dispatcher.dtypes import int64
from ...frontend.creation import empty, ones, tensor, zeros
from ...frontend.grad_mode import no_grad
from ...frontend.tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "RMSNorm"]


class _BatchNorm(Module):
    _dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(empty(num_features, device=device, dtype=dtype))
            self.bias = Parameter(empty(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, device=device,
                                                       dtype=dtype))
            self.register_buffer("running_var", ones(num_features, device=device,
                                                     dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=int64,
                                                               device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"expected {want} input (got {input.dim()}D input)")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and \
                self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:
                # momentum=None: the running stats are the plain average of all batches
                factor = 1.0 / float(self.num_batches_tracked)
        # in eval mode, normalise with batch statistics only when there are no
        # running statistics to use
        use_batch_stats = self.training or (self.running_mean is None and
                                            self.running_var is None)
        keep_running = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep_running else None,
                            self.running_var if keep_running else None, self.weight,
                            self.bias, use_batch_stats, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    r"""Batch normalisation over a ``(N, C)`` or ``(N, C, L)`` input:

    .. math:: y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} \gamma + \beta

    with mean and (biased) variance per channel over the batch (and length). In
    training the running estimates are updated as
    :math:`\hat{x}_\text{new} = (1 - \text{momentum}) \hat{x} + \text{momentum}\, x_t`
    with the unbiased variance; in eval mode they replace the batch statistics.

    Args:
        num_features (int): :math:`C`.
        eps (float): added to the variance for stability. Default: 1e-5.
        momentum (float or None): weight of the new batch in the running estimates;
            ``None`` makes them a cumulative average. Default: 0.1.
        affine (bool): learn :math:`\gamma` (ones) and :math:`\beta` (zeros).
            Default: ``True``.
        track_running_stats (bool): keep running estimates (buffers ``running_mean``,
            ``running_var``, ``num_batches_tracked``); without them batch statistics
            are used in eval mode too. Default: ``True``.

    Example::

        >>> m = nn.BatchNorm1d(100)
        >>> m(fl.randn(20, 100)).shape
        flambeau.Size([20, 100])
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    r"""Batch normalisation over a ``(N, C, H, W)`` input, per channel over
    ``(N, H, W)``; see :class:`BatchNorm1d` for the formula and arguments.

    Example::

        >>> m = nn.BatchNorm2d(100, affine=False)
        >>> m(fl.randn(20, 100, 35, 45)).shape
        flambeau.Size([20, 100, 35, 45])
    """

    _dims = (4,)


def _shape(normalized_shape) -> tuple:
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(normalized_shape)


class LayerNorm(Module):
    r"""Layer normalisation over the last ``len(normalized_shape)`` dimensions:

    .. math:: y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} \gamma + \beta

    (biased variance), with elementwise :math:`\gamma` (ones) and :math:`\beta` (zeros)
    of shape ``normalized_shape``.

    Args:
        normalized_shape (int or tuple): the trailing shape to normalise over.
        eps (float): Default: 1e-5.
        elementwise_affine (bool): learn :math:`\gamma` and :math:`\beta`.
            Default: ``True``.
        bias (bool): learn :math:`\beta` (when affine). Default: ``True``.

    Example::

        >>> nn.LayerNorm(10)(fl.randn(20, 5, 10)).shape
        flambeau.Size([20, 5, 10])
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(*self.normalized_shape, device=device,
                                          dtype=dtype))
            if bias:
                self.bias = Parameter(empty(*self.normalized_shape, device=device,
                                            dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class GroupNorm(Module):
    r"""Group normalisation: the ``C`` channels of an ``(N, C, *)`` input are split
    into ``num_groups`` groups, each normalised over its channels and spatial
    positions (biased variance), then scaled and shifted per channel.

    Args:
        num_groups (int): number of groups; must divide ``num_channels``.
        num_channels (int): :math:`C`.
        eps (float): Default: 1e-5.
        affine (bool): learn per-channel :math:`\gamma` (ones) and :math:`\beta`
            (zeros). Default: ``True``.

    Example::

        >>> nn.GroupNorm(3, 6)(fl.randn(20, 6, 10, 10)).shape
        flambeau.Size([20, 6, 10, 10])
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        if affine:
            self.weight = Parameter(empty(num_channels, device=device, dtype=dtype))
            self.bias = Parameter(empty(num_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class RMSNorm(Module):
    r"""Root-mean-square normalisation over the last ``len(normalized_shape)``
    dimensions:

    .. math:: y = \frac{x}{\sqrt{\mathrm{mean}(x^2) + \epsilon}} \gamma

    Args:
        normalized_shape (int or tuple): the trailing shape to normalise over.
        eps (float, optional): Default: ``None``, meaning ``finfo(x.dtype).eps``.
        elementwise_affine (bool): learn :math:`\gamma` (ones). Default: ``True``.

    Example::

        >>> nn.RMSNorm([2, 3])(fl.randn(2, 2, 3)).shape
        flambeau.Size([2, 2, 3])
    """

    def __init__(self, normalized_shape, eps: float | None = None,
                 elementwise_affine: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(*self.normalized_shape, device=device,
                                          dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, input: Tensor) -> Tensor:
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
