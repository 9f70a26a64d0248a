"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose1d``, ``ConvTranspose2d``."""

from __future__ import annotations

import math

from ...frontend.creation import empty
from ...frontend.tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(v, n: int) -> tuple:
    if isinstance(v, (tuple, list)):
        return tuple(v)
    return (v,) * n


class _ConvNd(Module):
    """What every convolution layer shares: argument checks, the weight and bias, the
    default initialisation and the ``repr``."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 transposed, output_padding, groups, bias, padding_mode, n,
                 device=None, dtype=None) -> None:
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        kernel_size, stride = _ntuple(kernel_size, n), _ntuple(stride, n)
        dilation = _ntuple(dilation, n)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided "
                                 "convolutions")
        else:
            padding = _ntuple(padding, n)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but "
                             f"got padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.transposed = dilation, transposed
        self.output_padding = _ntuple(output_padding, n)
        self.groups, self.padding_mode = groups, padding_mode
        shape = (in_channels, out_channels // groups) if transposed else \
            (out_channels, in_channels // groups)
        self.weight = Parameter(empty(*shape, *kernel_size, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # the same default as Linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _padded(self, input: Tensor) -> Tensor:
        """Pad ``input`` explicitly for the non-zero padding modes (F.pad's order:
        last dimension first)."""
        pads = []
        for i in reversed(range(len(self.kernel_size))):
            if self.padding == "same":
                total = self.dilation[i] * (self.kernel_size[i] - 1)
                pads += [total // 2, total - total // 2]
            elif self.padding == "valid":
                pads += [0, 0]
            else:
                pads += [self.padding[i], self.padding[i]]
        return F.pad(input, pads, mode=self.padding_mode)

    def extra_repr(self) -> str:
        n = len(self.kernel_size)
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    r"""1-D convolution (cross-correlation) over ``(N, C_in, L)`` or ``(C_in, L)`` input.

    Args:
        in_channels (int): channels of the input.
        out_channels (int): channels of the output.
        kernel_size (int or tuple): size of the kernel.
        stride (int or tuple): step of the kernel. Default: 1.
        padding (int, tuple or str): zero padding on both sides, or ``"valid"`` (none)
            or ``"same"`` (output as long as the input; stride 1 only). Default: 0.
        dilation (int or tuple): spacing between kernel elements. Default: 1.
        groups (int): blocked connections from input to output channels. Default: 1.
        bias (bool): learn an additive bias. Default: ``True``.
        padding_mode (str): ``"zeros"``, ``"reflect"``, ``"replicate"`` or
            ``"circular"``. Default: ``"zeros"``.

    Attributes:
        weight: ``(out_channels, in_channels / groups, kernel_size)``, and ``bias``
            ``(out_channels)``, both from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})` with
            :math:`k = \text{groups} / (C_\text{in} \cdot \text{kernel\_size})`.

    Example::

        >>> m = nn.Conv1d(16, 33, 3, stride=2)
        >>> m(fl.randn(20, 16, 50)).shape
        flambeau.Size([20, 33, 24])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1,
                 padding=0, dilation=1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding,
                         dilation, False, 0, groups, bias, padding_mode, 1, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            return F.conv1d(self._padded(input), self.weight, self.bias, self.stride, 0,
                            self.dilation, self.groups)
        return F.conv1d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)


class Conv2d(_ConvNd):
    r"""2-D convolution (cross-correlation) over ``(N, C_in, H, W)`` or
    ``(C_in, H, W)`` input.

    Args: as :class:`Conv1d`, with ``kernel_size``, ``stride``, ``padding`` and
    ``dilation`` an int (both dimensions) or a pair.

    Attributes:
        weight: ``(out_channels, in_channels / groups, kH, kW)``, and ``bias``
            ``(out_channels)``, both from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})` with
            :math:`k = \text{groups} / (C_\text{in} \cdot kH \cdot kW)`.

    Example::

        >>> m = nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))
        >>> m(fl.randn(20, 16, 50, 100)).shape
        flambeau.Size([20, 33, 28, 100])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1,
                 padding=0, dilation=1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding,
                         dilation, False, 0, groups, bias, padding_mode, 2, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            return F.conv2d(self._padded(input), self.weight, self.bias, self.stride, 0,
                            self.dilation, self.groups)
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)


class _ConvTransposeNd(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding,
                 output_padding, groups, bias, dilation, padding_mode, n, device,
                 dtype) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{type(self).__name__}")
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__} does not support string padding")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding,
                         dilation, True, output_padding, groups, bias, padding_mode, n,
                         device, dtype)

    def _output_padding(self, input: Tensor, output_size) -> tuple:
        """The output padding that makes the output ``output_size`` (which resolves the
        ambiguity of strided transposed convolution)."""
        if output_size is None:
            return self.output_padding
        n = len(self.kernel_size)
        lead = input.dim() - n
        output_size = tuple(output_size)
        if len(output_size) == lead + n:
            output_size = output_size[lead:]
        if len(output_size) != n:
            raise ValueError(f"ConvTranspose{n}D: for {input.dim()}D input, output_size "
                             f"must have {n} or {n + lead} elements (got "
                             f"{len(output_size)})")
        lo = [(input.shape[lead + d] - 1) * self.stride[d] - 2 * self.padding[d]
              + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(n)]
        hi = [lo[d] + self.stride[d] - 1 for d in range(n)]
        for d in range(n):
            if not lo[d] <= output_size[d] <= hi[d]:
                raise ValueError(f"requested an output size of {list(output_size)}, but "
                                 f"valid sizes range from {lo} to {hi} (for an input of "
                                 f"{list(input.shape[lead:])})")
        return tuple(output_size[d] - lo[d] for d in range(n))


class ConvTranspose1d(_ConvTransposeNd):
    r"""Transposed 1-D convolution (the gradient of :class:`Conv1d` with respect to its
    input), over ``(N, C_in, L)`` or ``(C_in, L)``.

    Args: as :class:`ConvTranspose2d`, one-dimensional.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1,
                 padding=0, output_padding=0, groups: int = 1, bias: bool = True,
                 dilation=1, padding_mode: str = "zeros", device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding,
                         output_padding, groups, bias, dilation, padding_mode, 1, device,
                         dtype)

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups,
                                  self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    r"""Transposed 2-D convolution (the gradient of :class:`Conv2d` with respect to its
    input; sometimes called a "deconvolution"), over ``(N, C_in, H, W)`` or
    ``(C_in, H, W)``.

    Args:
        in_channels (int), out_channels (int), kernel_size (int or tuple),
        stride (int or tuple): Default: 1.
        padding (int or tuple): ``dilation * (kernel_size - 1) - padding`` zeros are
            added to both sides of the input. Default: 0.
        output_padding (int or tuple): extra size added to one side of the output.
            Default: 0.
        groups (int): Default: 1. bias (bool): Default: ``True``.
        dilation (int or tuple): Default: 1.

    Attributes:
        weight: ``(in_channels, out_channels / groups, kH, kW)``, and ``bias``
            ``(out_channels)``, both from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})` with
            :math:`k = \text{groups} / (C_\text{out} \cdot kH \cdot kW)`.

    Example::

        >>> m = nn.ConvTranspose2d(16, 33, 3, stride=2)
        >>> m(fl.randn(20, 16, 50, 100)).shape
        flambeau.Size([20, 33, 101, 201])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1,
                 padding=0, output_padding=0, groups: int = 1, bias: bool = True,
                 dilation=1, padding_mode: str = "zeros", device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding,
                         output_padding, groups, bias, dilation, padding_mode, 2, device,
                         dtype)

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups,
                                  self.dilation)
