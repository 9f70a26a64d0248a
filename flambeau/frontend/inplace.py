"""In-place ops: ``add_``, ``mul_``, ``copy_``, ``fill_``, ``zero_`` and the rest.

An in-place op computes its out-of-place result first (every check runs there), then
checks that the result fits ``self`` (shape and dtype), and only then writes: an error
never leaves ``self`` half-updated. Writes bump the version counter that autograd reads.
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.optable import OPS
from ..dispatcher.shapes import broadcast_shapes
from .grad_mode import STATE, no_grad
from .tensor import Tensor

__all__ = ["copy_", "fill_", "zero_", "make_inplace", "check_writable", "bump_version"]

_COPY, _SETITEM = OPS["copy_"], OPS["setitem_"]


bump_version = dispatch.bump_version


def check_writable(t: Tensor, op: str) -> None:
    """Autograd's rule: a leaf that requires grad cannot be written in place."""
    if t._requires_grad and t.grad_fn is None and STATE.enabled:
        raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in "
                           f"an in-place operation; wrap it in `with fl.no_grad():` or "
                           f"operate on .detach()")


def _can_cast(src, dst) -> bool:
    # PyTorch refuses float -> integer and anything -> bool in in-place results
    return src.category <= dst.category


def _check_fits(self: Tensor, result: Tensor, op: str) -> None:
    if result._data.shape != self._data.shape:
        raise RuntimeError(f"{op}: output with shape {list(self._data.shape)} doesn't "
                           f"match the broadcast shape {list(result._data.shape)}")
    if not _can_cast(result._dtype, self._dtype):
        raise RuntimeError(f"{op}: result type {result._dtype.name} can't be cast to the "
                           f"desired output type {self._dtype.name}")


def _recording(self: Tensor, operands) -> bool:
    if not STATE.enabled:
        return False
    if self._requires_grad:
        return True
    for a in operands:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def write_inplace(self: Tensor, compute, name: str, operands=(), kwargs=None) -> Tensor:
    """Set ``self`` to ``compute(self)`` with a ``copy_`` through the dispatcher, so
    the layers (autograd) see the write. ``compute`` gets a copy of ``self`` when
    autograd records it: its formula may save the value the write replaces."""
    check_writable(self, name)
    if kwargs:
        operands = tuple(operands) + tuple(kwargs.values())
    result = compute(self.clone() if _recording(self, operands) else self)
    _check_fits(self, result, name)
    try:
        dispatch.inplace(_COPY, self, result)
    except RuntimeError as e:
        raise RuntimeError(str(e).replace("copy_:", f"{name}:", 1)) from None
    return self


def accumulate_into(dst: Tensor, src: Tensor) -> None:
    """``dst += src`` outside autograd (gradient accumulation): ``add_`` takes the
    backend's fused in-place kernel when there is one."""
    with no_grad():
        dst.add_(src)


def _fused(row, self: Tensor, other, alpha) -> bool:
    """Run ``self op= alpha * other`` as the in-place row (the backend's fused kernel,
    or its composite) when no cast or broadcast of ``self`` is involved; False sends
    the caller to the general path."""
    d = self._dtype
    if isinstance(other, Tensor):
        if other._dtype is not d or other._device is not self._device:
            return False
        shape = self._data.shape
        if other._data.shape != shape and \
                broadcast_shapes(shape, other._data.shape, op=row.name) != shape:
            return False
    elif other.__class__ is float or other.__class__ is int:
        if d.category != 2 and (other.__class__ is float or row.name == "div_"):
            return False
        if d.category == 0:
            return False  # bool op= int is int64, which the general path refuses
        other = dispatch._scalar_for(other, d)  # out-of-range ints wrap, like PyTorch's
    else:
        return False
    if alpha != 1 and d.category != 2:
        return False  # integer alpha * other may overflow: leave it to the general path
    if alpha == 1:
        dispatch.inplace(row, self, other)
    else:
        dispatch.inplace(row, self, other, alpha=alpha)
    return True


def make_inplace(fn, name: str, attr: str | None = None):
    """The in-place form of out-of-place ``fn``: ``x.add_(y)`` from ``add`` (set on
    Tensor as ``attr``, default ``name``). Where the op table has a fused in-place
    kernel (``add_``, ``mul_``, ...) it runs that."""
    row = OPS.get(name)
    if row is not None:
        def method(self, other, *, alpha=1, **kwargs):
            check_writable(self, name)
            if not kwargs and _fused(row, self, other, alpha):
                return self
            if alpha != 1:
                kwargs["alpha"] = alpha
            return write_inplace(self, lambda src: fn(src, other, **kwargs), name,
                                 (other,))
    else:
        def method(self, *args, **kwargs):
            return write_inplace(self, lambda src: fn(src, *args, **kwargs), name, args,
                                 kwargs)

    method.__name__ = method.__qualname__ = attr or name
    method.__doc__ = f"In-place version of :meth:`{name[:-1]}`; returns ``self``."
    return method


def copy_(self: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast and cast to ``self``'s dtype, from any device) into
    ``self``."""
    from .creation import as_tensor
    if not isinstance(src, Tensor):
        src = as_tensor(src)
    if src._device is not self._device:
        src = src.to(self._device)
    if broadcast_shapes(self._data.shape, src._data.shape, op="copy_") != self._data.shape:
        raise RuntimeError(f"copy_: source of shape {list(src._data.shape)} cannot be "
                           f"broadcast to destination shape {list(self._data.shape)}")
    check_writable(self, "copy_")
    return dispatch.inplace(_COPY, self, src)


def fill_(self: Tensor, value) -> Tensor:
    """Set every element to ``value``."""
    if isinstance(value, Tensor):
        if value._data.shape:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got "
                               f"tensor with {value.dim()} dimensions.")
        if not value._requires_grad:
            value = value.item()
    if isinstance(value, Tensor):
        return write_inplace(self, lambda dst: dst * 0 + value, "fill_", (value,))
    check_writable(self, "fill_")
    if self._requires_grad and STATE.enabled:
        # keep self in the graph, with a zero gradient, like PyTorch's fill_
        return write_inplace(self, lambda dst: dst * 0 + value, "fill_")
    dispatch.call(_SETITEM, self, dispatch._scalar_for(value, self._dtype), index=Ellipsis)
    return self


def zero_(self: Tensor) -> Tensor:
    """Set every element to zero."""
    return fill_(self, 0)
