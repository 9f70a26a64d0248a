"""Flatten parameters into one vector and back (for second-order methods, line
searches, or averaging weights)."""

from __future__ import annotations

from collections.abc import Iterable

from ...frontend.tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_device(param: Tensor, device):
    if device is not None and param.device != device:
        raise TypeError("Found two parameters on different devices, this is currently "
                        "not supported.")
    return param.device


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Concatenate the flattened ``parameters`` into one 1-D tensor (differentiable).

    Example::

        >>> vec = nn.utils.parameters_to_vector(model.parameters())
    """
    from ...frontend.shape_ops import cat
    device, parts = None, []
    for p in parameters:
        device = _check_device(p, device)
        parts.append(p.reshape(-1))
    return cat(parts)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Make each of ``parameters`` take its slice of the 1-D ``vec`` as its data (the
    inverse of :func:`parameters_to_vector`)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected Tensor, but got: {type(vec).__name__}")
    device, start = None, 0
    for p in parameters:
        device = _check_device(p, device)
        n = p.numel()
        p.data = vec[start:start + n].view_as(p).data
        start += n
