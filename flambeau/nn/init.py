"""``flambeau.nn.init``: in-place weight initialisations, with PyTorch's names and
formulas.

Every function fills its tensor under :func:`~flambeau.no_grad` (so it works on
parameters that require grad), returns the tensor, and takes ``generator=`` where
PyTorch does.
"""

from __future__ import annotations

import math
import warnings

from ..frontend.grad_mode import no_grad
from ..frontend.tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
           "zeros_", "eye_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_", "orthogonal_"]

_UNIT_GAIN = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
              "conv_transpose2d", "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    r"""The recommended gain for a nonlinearity: the factor by which the standard
    deviation of its output shrinks, to be undone by the initialisation.

    ================= ====================================================
    nonlinearity      gain
    ================= ====================================================
    Linear / Identity :math:`1`
    Conv{1,2,3}D      :math:`1`
    Sigmoid           :math:`1`
    Tanh              :math:`\frac{5}{3}`
    ReLU              :math:`\sqrt{2}`
    Leaky Relu        :math:`\sqrt{\frac{2}{1 + \text{negative\_slope}^2}}`
    SELU              :math:`\frac{3}{4}`
    ================= ====================================================

    Args:
        nonlinearity (str): the function's name, as in ``nn.functional``.
        param: ``negative_slope`` for ``"leaky_relu"`` (default 0.01).

    Example::

        >>> nn.init.calculate_gain("leaky_relu", 0.2)
        1.3867504905630728
    """
    if nonlinearity in _UNIT_GAIN:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4  # the value PyTorch picked so that SELU nets stay self-normalising
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight laid out ``(out, in, *kernel)``."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer "
                         "than 2 dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of "
                         f"['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    r"""Fill with samples from :math:`\mathcal{U}(a, b)`."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator=None) -> Tensor:
    r"""Fill with samples from :math:`\mathcal{N}(\text{mean}, \text{std}^2)`."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def _erfinv(y: Tensor) -> Tensor:
    """Inverse error function: Giles' rational approximation ("Approximating the erfinv
    function", 2010), then a Newton step on ``erf`` for full float64 accuracy. Written
    with flambeau ops (there is no erfinv op) so it runs on any device."""
    from ..frontend.elementwise import erf, exp, log, sqrt, where
    w = -log((1 - y) * (1 + y))
    central, tail = w - 2.5, sqrt(w) - 3.0
    pc = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
              -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):
        pc = c + pc * central
    pt = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
              -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
        pt = c + pt * tail
    x = where(w < 5.0, pc, pt) * y
    # Newton's step divides by erf' = 2/sqrt(pi) exp(-x^2); skip it where that vanishes
    slope = (2.0 / math.sqrt(math.pi)) * exp(-x * x)
    step = (erf(x) - y) / where(slope > 1e-30, slope, 1.0)
    return where(slope > 1e-30, x - step, x)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    r"""Fill with samples from :math:`\mathcal{N}(\text{mean}, \text{std}^2)` truncated
    to :math:`[a, b]` (bounds in absolute values, not in units of ``std``).

    Samples the normal CDF uniformly between the bounds and inverts it, so any
    bounds work (no rejection loop).
    """
    def cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    with no_grad():
        lo, hi = cdf((a - mean) / std), cdf((b - mean) / std)
        y = tensor.detach().new_empty(tuple(tensor.shape)).uniform_(
            2 * lo - 1, 2 * hi - 1, generator=generator)
        x = _erfinv(y) * (std * math.sqrt(2.0)) + mean
        return tensor.copy_(x.clamp(min=a, max=b))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    with no_grad():
        return tensor.zero_()


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity (ones on the diagonal, zeros elsewhere); keeps
    the identity of the inputs in a Linear layer."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    from ..frontend.creation import eye
    with no_grad():
        return tensor.copy_(eye(*tensor.shape, dtype=tensor.dtype, device=tensor.device))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    r"""Glorot/Xavier uniform: :math:`\mathcal{U}(-a, a)` with
    :math:`a = \text{gain} \sqrt{6 / (\text{fan\_in} + \text{fan\_out})}`."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    r"""Glorot/Xavier normal: :math:`\mathcal{N}(0, \text{std}^2)` with
    :math:`\text{std} = \text{gain} \sqrt{2 / (\text{fan\_in} + \text{fan\_out})}`."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor: Tensor, a, mode, nonlinearity) -> float | None:
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    r"""He/Kaiming uniform: :math:`\mathcal{U}(-b, b)` with
    :math:`b = \text{gain} \sqrt{3 / \text{fan\_mode}}`.

    Args:
        a: the negative slope of the rectifier after this layer (``leaky_relu`` only).
        mode: ``"fan_in"`` keeps the forward variance, ``"fan_out"`` the backward one.
        nonlinearity: name for :func:`calculate_gain`; ``"relu"`` or ``"leaky_relu"``.
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    r"""He/Kaiming normal: :math:`\mathcal{N}(0, \text{std}^2)` with
    :math:`\text{std} = \text{gain} / \sqrt{\text{fan\_mode}}`; arguments as in
    :func:`kaiming_uniform_`."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times ``gain``; dimensions after the first
    are flattened. From Saxe et al. (2013), via the QR decomposition of a Gaussian
    matrix with the signs fixed so the result is uniformly distributed.
    """
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    import numpy as np

    from ..frontend.creation import tensor as as_tensor
    from ..frontend.random import randn
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    gauss = randn(rows, cols, generator=generator, dtype=tensor.dtype,
                  device=tensor.device).numpy(force=True).astype(np.float64)
    if rows < cols:
        gauss = gauss.T
    # no QR op in the dispatcher; this runs once per weight, so the host does it
    q, r = np.linalg.qr(gauss)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    with no_grad():
        q = as_tensor(q.reshape(tuple(tensor.shape)), dtype=tensor.dtype,
                      device=tensor.device)
        return tensor.copy_(q * gain)
