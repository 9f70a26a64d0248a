"""Pooling layers: ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``AdaptiveAvgPool1d/2d``."""

from __future__ import annotations

from ...frontend.tensor import Tensor
from .. import functional as F
from ..module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d"]


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}, "
                f"ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    r"""Max over sliding windows of the last dimension of ``(N, C, L)`` or ``(C, L)``.

    Args:
        kernel_size: window size. stride: step (default ``kernel_size``).
        padding: implicit ``-inf`` padding on both sides. Default: 0.
        dilation: spacing of window elements. Default: 1.
        return_indices (bool): also return the argmax positions. Default: ``False``.
        ceil_mode (bool): round the output size up instead of down. Default: ``False``.

    Example::

        >>> nn.MaxPool1d(3, stride=2)(fl.randn(20, 16, 50)).shape
        flambeau.Size([20, 16, 24])
    """

    def forward(self, input: Tensor):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding,
                            self.dilation, ceil_mode=self.ceil_mode,
                            return_indices=self.return_indices)


class MaxPool2d(_MaxPoolNd):
    r"""Max over sliding windows of ``(N, C, H, W)`` or ``(C, H, W)`` input.

    Args: as :class:`MaxPool1d`, each an int (both dimensions) or a pair.

    Example::

        >>> nn.MaxPool2d((3, 2), stride=(2, 1))(fl.randn(20, 16, 50, 32)).shape
        flambeau.Size([20, 16, 24, 31])
    """

    def forward(self, input: Tensor):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding,
                            self.dilation, ceil_mode=self.ceil_mode,
                            return_indices=self.return_indices)


def _single(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class AvgPool1d(Module):
    r"""Mean over sliding windows of the last dimension of ``(N, C, L)`` or ``(C, L)``.

    Args:
        kernel_size: window size. stride: step (default ``kernel_size``).
        padding: implicit zero padding on both sides. Default: 0.
        ceil_mode (bool): round the output size up. Default: ``False``.
        count_include_pad (bool): count the padding zeros in the divisor.
            Default: ``True``.

    Example::

        >>> nn.AvgPool1d(3, stride=2)(fl.ones(1, 1, 7))
        tensor([[[1., 1., 1.]]])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        # PyTorch stores AvgPool1d's sizes as 1-tuples (its repr shows "(3,)")
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding,
                            self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    r"""Mean over sliding windows of ``(N, C, H, W)`` or ``(C, H, W)`` input.

    Args: as :class:`AvgPool1d`, plus
        divisor_override (int, optional): divide by this instead of the window count.

    Example::

        >>> nn.AvgPool2d(2)(fl.ones(1, 1, 4, 4)).shape
        flambeau.Size([1, 1, 2, 2])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding,
                            self.ceil_mode, self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    r"""Average pooling of the last dimension to ``output_size``, whatever the input
    length.

    Example::

        >>> nn.AdaptiveAvgPool1d(5)(fl.randn(1, 64, 8)).shape
        flambeau.Size([1, 64, 5])
    """

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        size = self.output_size
        return F.adaptive_avg_pool1d(input, size[0] if isinstance(size, (tuple, list))
                                     else size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(Module):
    r"""Average pooling to ``output_size`` (an int, a pair, or a pair with ``None``
    for "keep this size"), whatever the input size.

    Example::

        >>> nn.AdaptiveAvgPool2d((5, 7))(fl.randn(1, 64, 8, 9)).shape
        flambeau.Size([1, 64, 5, 7])
    """

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
