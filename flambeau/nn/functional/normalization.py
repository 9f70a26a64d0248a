"""Normalisation layers as compositions of ``mean``/``var`` and elementwise ops.

Statistics use the biased variance (``correction=0``), as PyTorch does for the
normalisation itself; running variances are updated with the unbiased one.
"""

from __future__ import annotations

from ...dispatcher.dtypes import finfo
from ...frontend import elementwise as E
from ...frontend.grad_mode import no_grad
from ...frontend.tensor import Tensor

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "normalize", "local_response_norm"]


def _channel_shape(input: Tensor) -> tuple:
    return (1, input.shape[1]) + (1,) * (input.dim() - 2)


def _affine(y: Tensor, weight, bias, shape) -> Tensor:
    if weight is not None:
        y = y * (weight.reshape(shape) if shape is not None else weight)
    if bias is not None:
        y = y + (bias.reshape(shape) if shape is not None else bias)
    return y


def _update_running(running: Tensor | None, stat: Tensor, momentum: float) -> None:
    if running is not None:
        with no_grad():
            running.mul_(1.0 - momentum).add_(stat.detach().reshape(running.shape)
                                              * momentum)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dims.

    In training, batch statistics are used and the running statistics (when given) are
    updated in place: ``running = (1 - momentum) * running + momentum * batch_stat``,
    with the unbiased variance. In evaluation the running statistics are used.

    Args:
        input: ``(N, C)`` or ``(N, C, *)``.
        running_mean, running_var: ``(C,)`` buffers or ``None``.
        weight, bias: ``(C,)`` affine parameters or ``None``.
    """
    if input.dim() < 2:
        raise ValueError(f"batch_norm(): expected 2D or more input (N, C, ...), got "
                         f"{input.dim()}D input")
    shape = _channel_shape(input)
    dims = (0,) + tuple(range(2, input.dim()))
    count = input.numel() // input.shape[1] if input.shape[1] else 0
    if training:
        if count == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {list(input.shape)}")
        mean = input.mean(dims, keepdim=True)
        var = input.var(dims, correction=0, keepdim=True)
        if running_mean is not None or running_var is not None:
            _update_running(running_mean, mean, momentum)
            _update_running(running_var, var * (count / max(count - 1, 1)), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm(): running_mean and running_var must be "
                               "defined in evaluation mode")
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    return _affine((input - mean) * E.rsqrt(var + eps), weight, bias, shape)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each (sample, channel) plane of ``(N, C, *)`` input over its spatial
    dims; running statistics, when given, are updated with the batch average."""
    if input.dim() < 3:
        raise ValueError(f"instance_norm(): expected 3D or more input (N, C, L, ...), got "
                         f"{input.dim()}D input")
    shape = _channel_shape(input)
    dims = tuple(range(2, input.dim()))
    if use_input_stats:
        count = input.numel() // (input.shape[0] * input.shape[1])
        if count == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got "
                             f"input size {list(input.shape)}")
        mean = input.mean(dims, keepdim=True)
        var = input.var(dims, correction=0, keepdim=True)
        _update_running(running_mean, mean.mean(0), momentum)
        _update_running(running_var, (var * (count / (count - 1))).mean(0), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("instance_norm(): running_mean and running_var must be "
                               "defined when use_input_stats=False")
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    return _affine((input - mean) * E.rsqrt(var + eps), weight, bias, shape)


def _trailing_dims(input: Tensor, normalized_shape, name: str) -> tuple:
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(ns)
    if k == 0 or input.dim() < k or tuple(input.shape[input.dim() - k:]) != ns:
        raise RuntimeError(f"{name}(): Given normalized_shape={list(ns)}, expected input "
                           f"with shape [*, {', '.join(map(str, ns))}], but got input of "
                           f"size {list(input.shape)}")
    return tuple(range(input.dim() - k, input.dim()))


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims, then scale by ``weight``
    and shift by ``bias`` (both of ``normalized_shape``).

    Example::

        >>> F.layer_norm(fl.randn(2, 5), (5,)).mean(-1).abs().max() < 1e-6
        tensor(True)
    """
    dims = _trailing_dims(input, normalized_shape, "layer_norm")
    mean = input.mean(dims, keepdim=True)
    var = input.var(dims, correction=0, keepdim=True)
    return _affine((input - mean) * E.rsqrt(var + eps), weight, bias, None)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over groups of ``C / num_groups`` channels (and the spatial dims) of
    ``(N, C, *)`` input; ``weight``/``bias`` are per channel."""
    if input.dim() < 2:
        raise RuntimeError(f"group_norm(): expected at least 2 dims (N, C, *), got "
                           f"{input.dim()}")
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"group_norm(): Expected number of channels in input ({c}) to "
                           f"be divisible by num_groups ({num_groups})")
    x = input.reshape(n, num_groups, -1)
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, correction=0, keepdim=True)
    y = ((x - mean) * E.rsqrt(var + eps)).reshape(input.shape)
    return _affine(y, weight, bias, _channel_shape(input))


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """``x / sqrt(mean(x^2) + eps) * weight`` over the trailing ``normalized_shape``
    dims; ``eps`` defaults to the machine epsilon of input's dtype."""
    dims = _trailing_dims(input, normalized_shape, "rms_norm")
    if eps is None:
        eps = finfo(input.dtype).eps
    y = input * E.rsqrt((input * input).mean(dims, keepdim=True) + eps)
    return y if weight is None else y * weight


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim``."""
    y = input / E.clamp(input.norm(p, dim, keepdim=True), min=eps)
    return y if out is None else out.copy_(y)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Divide each element by ``(k + alpha / size * sum of squares over the size
    neighbouring channels) ** beta`` (AlexNet's LRN), for ``(N, C, *)`` input."""
    if input.dim() < 3:
        raise ValueError(f"local_response_norm(): Expected 3D or higher dimensionality "
                         f"input (got {input.dim()} dimensions)")
    if input.numel() == 0:
        return input
    from .misc import pad
    c = input.shape[1]
    sq = (input * input).movedim(1, -1)
    sq = pad(sq, (size // 2, (size - 1) // 2))           # zero channels on both sides
    total = sq.narrow(-1, 0, c)
    for i in range(1, size):
        total = total + sq.narrow(-1, i, c)
    div = (total.movedim(-1, 1) * (alpha / size) + k) ** beta
    return input / div
