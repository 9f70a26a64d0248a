"""Activation functions, composed from elementwise ops that already have derivatives.

Each is written so that no branch of a ``where`` can overflow: a branch that is not
taken still gets a zero gradient, and ``0 * inf`` would turn it into NaN. Where PyTorch
picks a particular subgradient at a kink (``relu6``'s gradient is 0 at 0 and 6), the
composition picks the same one.
"""

from __future__ import annotations

import math
import warnings

from ...frontend import elementwise as E
from ...frontend import reductions as R
from ...frontend.inplace import make_inplace
from ...frontend.tensor import Tensor

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu",
           "selu_", "celu", "celu_", "gelu", "silu", "mish", "softplus", "tanh", "sigmoid",
           "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "logsigmoid", "softsign",
           "tanhshrink", "softshrink", "hardshrink", "threshold", "threshold_", "prelu",
           "softmax", "log_softmax", "softmin", "glu"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _maybe_inplace(fn, input: Tensor, inplace: bool, name: str, *args) -> Tensor:
    """``fn(input, *args)``, written into ``input`` when ``inplace``."""
    if inplace:
        return make_inplace(fn, name)(input, *args)
    return fn(input, *args)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(0, x)`` elementwise.

    Example::

        >>> F.relu(fl.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    return input.relu_() if inplace else E.relu(input)


def relu_(input: Tensor) -> Tensor:
    """In-place :func:`relu`."""
    return input.relu_()


def _hardtanh(x: Tensor, min_val: float, max_val: float) -> Tensor:
    # nested where rather than clamp: PyTorch's gradient is 0 at both ends
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        min_val, max_val = int(min_val), int(max_val)  # an integer input stays integer
    return E.where(x <= min_val, min_val, E.where(x >= max_val, max_val, x))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``; the gradient is zero outside the open
    interval."""
    if min_val > max_val:
        raise ValueError(f"hardtanh(): min_val ({min_val}) cannot be greater than "
                         f"max_val ({max_val})")
    return _maybe_inplace(_hardtanh, input, inplace, "hardtanh_", min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place :func:`hardtanh`."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(0, x), 6)``: :func:`hardtanh` on ``[0, 6]``."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _leaky(x: Tensor, slope: float) -> Tensor:
    return E.where(x > 0, x, x * slope)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``negative_slope * x``."""
    return _maybe_inplace(_leaky, input, inplace, "leaky_relu_", negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place :func:`leaky_relu`."""
    return leaky_relu(input, negative_slope, True)


def _elu(x: Tensor, alpha: float, scale: float = 1.0, inner: float = 1.0) -> Tensor:
    # expm1 of the clamped input: exp(x) of a large positive x would overflow in the
    # branch that is not taken
    neg = E.expm1(E.clamp(x, max=0.0) * inner) * (alpha * scale)
    return E.where(x > 0, x * scale if scale != 1.0 else x, neg)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    return _maybe_inplace(_elu, input, inplace, "elu_", alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place :func:`elu`."""
    return elu(input, alpha, True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants of Klambauer et al."""
    return _maybe_inplace(_elu, input, inplace, "selu_", _SELU_ALPHA, _SELU_SCALE)


def selu_(input: Tensor) -> Tensor:
    """In-place :func:`selu`."""
    return selu(input, True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("celu(): ZeroDivisionError: alpha must not be 0")
    return _maybe_inplace(_elu, input, inplace, "celu_", alpha, 1.0, 1.0 / alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place :func:`celu`."""
    return celu(input, alpha, True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)``, Phi the standard normal CDF; ``approximate='tanh'`` uses
    ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``."""
    if approximate == "none":
        return input * (E.erf(input * (1.0 / math.sqrt(2.0))) + 1.0) * 0.5
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        return input * (E.tanh(inner) + 1.0) * 0.5
    raise ValueError(f"gelu(): approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (also called swish)."""
    return _maybe_inplace(lambda x: x * E.sigmoid(x), input, inplace, "silu_")


def _softplus(x: Tensor, beta: float, threshold: float) -> Tensor:
    bx = x * beta if beta != 1 else x
    # log(1 + exp(bx)) = max(bx, 0) + log1p(exp(-|bx|)), which cannot overflow
    soft = E.clamp(bx, min=0.0) + E.log1p(E.exp(-E.abs(bx)))
    if beta != 1:
        soft = soft / beta
    return E.where(bx > threshold, x, soft)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``."""
    return _softplus(input, beta, threshold)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    return _maybe_inplace(lambda x: x * E.tanh(_softplus(x, 1.0, 20.0)), input, inplace,
                          "mish_")


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent, elementwise."""
    return E.tanh(input)


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))``, elementwise."""
    return E.sigmoid(input)


def _hardsigmoid(x: Tensor) -> Tensor:
    return E.where(x <= -3.0, 0.0, E.where(x >= 3.0, 1.0, x * (1.0 / 6.0) + 0.5))


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``0`` below -3, ``1`` above 3, ``x / 6 + 1/2`` in between."""
    return _maybe_inplace(_hardsigmoid, input, inplace, "hardsigmoid_")


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * hardsigmoid(x)`` (Howard et al., MobileNetV3)."""
    return _maybe_inplace(lambda x: x * _hardsigmoid(x), input, inplace, "hardswish_")


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x))`` computed stably as ``min(x, 0) - log1p(exp(-|x|))``."""
    return E.minimum(input, 0.0) - E.log1p(E.exp(-E.abs(input)))


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return input / (E.abs(input) + 1.0)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``."""
    return input - E.tanh(input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0."""
    if lambd < 0:
        raise RuntimeError(f"softshrink(): lambda must be >= 0, got {lambd}")
    return E.where(input.abs() <= lambd, 0.0,  # NaN falls through and propagates
                   E.where(input > lambd, input - lambd, input + lambd))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0."""
    return E.where(input.abs() <= lambd, 0.0, input)  # NaN propagates, as PyTorch's


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``."""
    return _maybe_inplace(lambda x: E.where(x <= threshold, value, x), input, inplace,
                          "threshold_")


def threshold_(input: Tensor, threshold_value: float, value: float) -> Tensor:
    """In-place :func:`threshold`."""
    return threshold(input, threshold_value, value, True)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x`` for ``x > 0``, else ``weight * x``; ``weight`` has 1 or ``C`` elements
    (``C`` = ``input.shape[1]``, or ``input.shape[0]`` for 1-D input)."""
    if weight.numel() != 1:
        c = input.shape[1] if input.dim() >= 2 else input.shape[0]
        if weight.dim() != 1 or weight.numel() != c:
            raise RuntimeError(f"prelu(): mismatch of parameter numbers ({weight.numel()}) "
                               f"and input channel size ({c})")
        if input.dim() >= 2:
            weight = weight.reshape((c,) + (1,) * (input.dim() - 2))
    elif input.dim():
        weight = weight.reshape(())
    return E.where(input > 0, input, input * weight)


def _softmax_dim(name: str, ndim: int, dim) -> int:
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  f"call to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably.

    Args:
        dim: the dimension that sums to 1 (PyTorch's implicit choice, with a warning,
            when omitted).
        dtype: cast the input to this dtype first (to avoid overflow in float16).

    Example::

        >>> F.softmax(fl.tensor([0.0, 0.0]), dim=0)
        tensor([0.5000, 0.5000])
    """
    return R.softmax(input, _softmax_dim("softmax", input.dim(), dim), dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype=None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``; see :func:`softmax` for the arguments."""
    return R.log_softmax(input, _softmax_dim("log_softmax", input.dim(), dim), dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """``softmax(-x)`` along ``dim``."""
    if dtype is not None:
        input = input.to(dtype)
    return R.softmax(-input, _softmax_dim("softmin", input.dim(), dim))


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: ``a * sigmoid(b)`` where ``a, b`` are the halves of ``input``
    along ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu(): does not support scalars because halving size must be "
                           "even")
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(f"glu(): Halving dimension must be even, but dimension {dim} "
                           f"is size {n}")
    a, b = input.split(n // 2, dim)
    return a * E.sigmoid(b)
