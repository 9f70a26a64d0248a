"""Activation layers: thin modules over ``flambeau.nn.functional``."""

from __future__ import annotations

from ...frontend.creation import empty
from ...frontend.tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish",
           "Tanh", "Sigmoid", "LogSigmoid", "Hardtanh", "Hardsigmoid", "Hardswish",
           "Softplus", "Softmax", "LogSoftmax", "Softmin", "GLU", "PReLU"]


def _inplace_suffix(inplace: bool) -> str:
    return ", inplace=True" if inplace else ""


class ReLU(Module):
    r""":math:`\max(0, x)` elementwise.

    Args:
        inplace (bool): modify the input in place. Default: ``False``.

    Example::

        >>> nn.ReLU()(fl.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    r""":math:`x` for :math:`x \ge 0`, :math:`\text{negative\_slope} \cdot x` otherwise.

    Args:
        negative_slope (float): Default: 0.01. inplace (bool): Default: ``False``.
    """

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace_suffix(self.inplace)}"


class ELU(Module):
    r""":math:`x` for :math:`x > 0`, :math:`\alpha (e^x - 1)` otherwise.

    Args:
        alpha (float): Default: 1.0. inplace (bool): Default: ``False``.
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_suffix(self.inplace)}"


class CELU(ELU):
    r""":math:`\max(0, x) + \min(0, \alpha (e^{x/\alpha} - 1))`."""

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)


class SELU(Module):
    r"""Scaled ELU with the self-normalising constants of Klambauer et al. (2017)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class GELU(Module):
    r""":math:`x \Phi(x)`, with :math:`\Phi` the standard normal CDF.

    Args:
        approximate (str): ``'none'`` (exact) or ``'tanh'`` (the tanh approximation).
            Default: ``'none'``.
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    r""":math:`x \sigma(x)` (also called swish).

    Args:
        inplace (bool): Default: ``False``.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Mish(SiLU):
    r""":math:`x \tanh(\text{softplus}(x))`.

    Args:
        inplace (bool): Default: ``False``.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input, inplace=self.inplace)


class Tanh(Module):
    r"""Hyperbolic tangent, elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Sigmoid(Module):
    r""":math:`1 / (1 + e^{-x})`, elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class LogSigmoid(Module):
    r""":math:`\log \sigma(x)`, computed stably."""

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Hardtanh(Module):
    r""":math:`x` clamped to ``[min_val, max_val]``.

    Args:
        min_val (float): Default: -1. max_val (float): Default: 1.
        inplace (bool): Default: ``False``.
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0,
                 inplace: bool = False) -> None:
        super().__init__()
        if max_val <= min_val:
            raise ValueError("max_val must be greater than min_val")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                f"{_inplace_suffix(self.inplace)}")


class ReLU6(Hardtanh):
    r""":math:`\min(\max(0, x), 6)`."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Hardsigmoid(SiLU):
    r"""Piecewise-linear sigmoid: :math:`\text{clamp}(x / 6 + 1/2, 0, 1)`."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input, self.inplace)


class Hardswish(SiLU):
    r""":math:`x \cdot \text{hardsigmoid}(x)` (MobileNetV3)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input, self.inplace)


class Softplus(Module):
    r""":math:`\frac{1}{\beta} \log(1 + e^{\beta x})`, and :math:`x` where
    :math:`\beta x > \text{threshold}` (for numerical stability).

    Args:
        beta (float): Default: 1. threshold (float): Default: 20.
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    r""":math:`e^{x_i} / \sum_j e^{x_j}` along ``dim``, so that slices sum to 1.

    Args:
        dim (int): the dimension to normalise.

    Example::

        >>> nn.Softmax(dim=1)(fl.zeros(2, 4))[0]
        tensor([0.2500, 0.2500, 0.2500, 0.2500])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    r""":math:`\log \text{softmax}(x)` along ``dim``, computed stably."""

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim, _stacklevel=5)


class Softmin(Softmax):
    r""":math:`\text{softmax}(-x)` along ``dim``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim, _stacklevel=5)


class GLU(Module):
    r"""Gated linear unit :math:`a \otimes \sigma(b)`, with :math:`a, b` the halves of the
    input along ``dim``.

    Args:
        dim (int): Default: -1.
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    r"""Leaky ReLU with a learnt slope: :math:`\max(0, x) + a \min(0, x)`.

    Args:
        num_parameters (int): 1 (one slope) or the number of input channels.
            Default: 1.
        init (float): the initial slope. Default: 0.25.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
