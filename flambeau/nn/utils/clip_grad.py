"""Gradient clipping: by total norm (``clip_grad_norm_``) and by value."""

from __future__ import annotations

import math
from collections.abc import Iterable

from ...frontend.grad_mode import no_grad
from ...frontend.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


@no_grad()
def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    r"""Scale the gradients of ``parameters`` in place so that their total norm (the
    norm of all gradients concatenated into one vector) is at most ``max_norm``.

    Args:
        parameters: tensors (or one tensor) whose ``.grad`` is clipped.
        max_norm (float): the largest allowed total norm.
        norm_type (float): the p of the p-norm; ``float("inf")`` for the max norm.
        error_if_nonfinite (bool): raise if the total norm is ``nan`` or ``inf``
            (otherwise the gradients are scaled by a non-finite factor).
        foreach: accepted for compatibility; ignored.

    Returns:
        Tensor: the total norm before clipping.

    Example::

        >>> loss.backward()
        >>> nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    """
    from ...frontend.creation import tensor
    from ...frontend.elementwise import clamp
    from ...frontend.reductions import amax, norm
    from ...frontend.shape_ops import stack
    grads = _grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return tensor(0.0)
    device = grads[0].device
    if norm_type == math.inf:
        norms = [g.detach().abs().amax().to(device) for g in grads]
        total = norms[0] if len(norms) == 1 else amax(stack(norms))
    else:
        total = norm(stack([norm(g.detach(), norm_type).to(device) for g in grads]),
                     norm_type)
    if error_if_nonfinite and not bool(total.isfinite()):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           f"`parameters` is non-finite, so it cannot be clipped. To "
                           f"disable this error and scale the gradients by the non-finite "
                           f"norm anyway, set `error_if_nonfinite=False`")
    # the 1e-6 keeps a zero norm from dividing by zero; gradients under the limit are
    # multiplied by exactly 1
    coef = clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef.to(g.device))
    return total


@no_grad()
def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element of ``parameters`` to ``[-clip_value, clip_value]``,
    in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        g.clamp_(min=-clip_value, max=clip_value)
