"""Loss modules: each stores its options (``reduction``, class ``weight``, ...) and calls
the function of the same name in ``flambeau.nn.functional``."""

from __future__ import annotations

import warnings

from ...frontend.tensor import Tensor
from .. import functional as F
from ..module import Module

__all__ = ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "NLLLoss", "CrossEntropyLoss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss"]


def _legacy_reduction(size_average, reduce) -> str:
    """PyTorch's reading of the deprecated ``size_average`` / ``reduce`` flags."""
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  "reduction='mean' (or 'sum', 'none') instead.", stacklevel=4)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        # a buffer, so that .to(device) moves the class weights with the model
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    r"""Mean absolute error :math:`|x_n - y_n|`, reduced by ``reduction``
    (``'mean'`` | ``'sum'`` | ``'none'``).

    Example::

        >>> nn.L1Loss()(fl.tensor([1.0, 2.0]), fl.tensor([0.0, 0.0]))
        tensor(1.5000)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    r"""Mean squared error :math:`(x_n - y_n)^2`, reduced by ``reduction``.

    Example::

        >>> nn.MSELoss()(fl.tensor([1.0, 2.0]), fl.tensor([0.0, 0.0]))
        tensor(2.5000)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    r"""Squared error below ``beta`` (divided by ``2 beta``), absolute error minus
    ``beta / 2`` above: less sensitive to outliers than :class:`MSELoss`.

    Args:
        reduction (str): Default: ``'mean'``. beta (float): Default: 1.0.
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    r"""Half the squared error below ``delta``, ``delta * (|x - y| - delta / 2)`` above
    (``delta`` times :class:`SmoothL1Loss` with ``beta=delta``).

    Args:
        reduction (str): Default: ``'mean'``. delta (float): Default: 1.0.
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    r"""Negative log likelihood of class indices, given log-probabilities
    ``(N, C)`` or ``(N, C, d1, ...)``: :math:`-w_{y_n} x_{n, y_n}`; ``'mean'`` divides
    by the summed weights of the non-ignored targets.

    Args:
        weight (Tensor, optional): a weight per class, ``(C,)``.
        ignore_index (int): targets with this value contribute nothing. Default: -100.
        reduction (str): Default: ``'mean'``.
    """

    def __init__(self, weight: Tensor | None = None, size_average=None,
                 ignore_index: int = -100, reduce=None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    r"""Cross entropy between logits ``(N, C)`` (or ``(C,)``, or ``(N, C, d1, ...)``) and
    a target of class indices or of class probabilities (same shape as the input).

    Args:
        weight (Tensor, optional): a weight per class, ``(C,)``.
        ignore_index (int): class-index targets with this value contribute nothing.
            Default: -100.
        reduction (str): Default: ``'mean'``.
        label_smoothing (float): mix the target with the uniform distribution,
            :math:`(1 - \epsilon) y + \epsilon / C`. Default: 0.0.

    Example::

        >>> loss = nn.CrossEntropyLoss()
        >>> loss(fl.randn(3, 5, requires_grad=True), fl.tensor([1, 0, 4])).backward()
    """

    def __init__(self, weight: Tensor | None = None, size_average=None,
                 ignore_index: int = -100, reduce=None, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, weight=self.weight,
                               ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    r"""Binary cross entropy between probabilities :math:`x` and targets :math:`y`:
    :math:`-w_n [y_n \log x_n + (1 - y_n) \log(1 - x_n)]`, the logs clamped at -100.

    Args:
        weight (Tensor, optional): rescales each element (broadcast to the input).
        reduction (str): Default: ``'mean'``.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    r"""A sigmoid and :class:`BCELoss` in one, computed stably from logits:
    :math:`-w_n [p\, y_n \log \sigma(x_n) + (1 - y_n) \log(1 - \sigma(x_n))]`.

    Args:
        weight (Tensor, optional): rescales each element.
        reduction (str): Default: ``'mean'``.
        pos_weight (Tensor, optional): :math:`p`, a weight for positive examples,
            broadcast along the class (last) dimension.
    """

    def __init__(self, weight: Tensor | None = None, size_average=None, reduce=None,
                 reduction: str = "mean", pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    r"""Kullback-Leibler divergence :math:`y (\log y - x)` of the target distribution
    :math:`y` from the log-probabilities :math:`x`.

    Args:
        reduction (str): ``'mean'`` (over elements; not the true KL divergence),
            ``'batchmean'`` (sum divided by the batch size: the KL divergence),
            ``'sum'`` or ``'none'``. Default: ``'mean'``.
        log_target (bool): the target is given as log-probabilities. Default: ``False``.
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    r"""Negative log likelihood of a Poisson target: :math:`e^x - y x` with
    ``log_input`` (the default), :math:`x - y \log(x + \text{eps})` otherwise; ``full``
    adds Stirling's approximation of :math:`\log y!`."""

    def __init__(self, log_input: bool = True, full: bool = False, size_average=None,
                 eps: float = 1e-8, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input,
                                  full=self.full, eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    r"""Negative log likelihood of a Gaussian target with predicted mean and variance:
    :math:`\frac{1}{2}(\log \max(\sigma^2, \text{eps}) + (x - y)^2 / \max(\sigma^2,
    \text{eps}))`."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6,
                 reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor, var) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)
