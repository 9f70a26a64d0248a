"""Python arguments as dispatcher operands: the parse the elementwise functions share.

The generated functions (:mod:`flambeau.frontend.elementwise_generated`) and the Tensor
operators check the common case inline (another tensor, a Python float) and hand every
other case to :func:`binary` here; the hand-written functions of
:mod:`flambeau.frontend.elementwise` use :func:`operand` for their extra arguments.
"""

from __future__ import annotations

from numbers import Number

from ..dispatcher import dispatch
from .tensor import Tensor

__all__ = ["operand", "binary"]

_binary = dispatch.binary


def operand(x, like: Tensor | None, name: str):
    """Tensors and Python numbers pass; NumPy scalars become Python numbers; NumPy
    arrays and lists become tensors (on ``like``'s device)."""
    if isinstance(x, (Tensor, bool, int, float, complex)):
        return x
    if isinstance(x, Number):  # NumPy scalars
        return x.item()  # type: ignore[attr-defined]
    from .creation import as_tensor
    try:
        return as_tensor(x, device=like._device if like is not None else None)
    except TypeError:
        raise TypeError(f"{name}(): unsupported operand of type {type(x).__name__}; "
                        f"expected a Tensor or a number") from None


def binary(row, input, other) -> Tensor:
    """Run the binary elementwise ``row`` on any mix of tensors, numbers, NumPy values
    and lists (at least one of them turned into a tensor)."""
    if other.__class__ is int and input.__class__ is Tensor:
        return _binary(row, input, other)  # ``x * 2``: nothing to convert
    if other.__class__ is not Tensor:
        other = operand(other, input if isinstance(input, Tensor) else None, row.name)
    if input.__class__ is not Tensor:
        input = operand(input, other if isinstance(other, Tensor) else None, row.name)
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            from .creation import tensor
            input = tensor(input)
    return _binary(row, input, other)
