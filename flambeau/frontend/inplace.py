"""In-place ops: ``add_``, ``mul_``, ``copy_``, ``fill_``, ``zero_`` and the rest.

An in-place op computes its out-of-place result first (every check runs there), then
checks that the result fits ``self`` (shape and dtype), and only then writes: an error
never leaves ``self`` half-updated. Writes bump the version counter that autograd reads.
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.optable import OPS
from ..dispatcher.shapes import broadcast_shapes, describe
from .grad_mode import STATE, no_grad
from .tensor import Tensor

__all__ = ["copy_", "fill_", "zero_", "make_inplace", "check_writable", "bump_version",
           "INPLACE_OF"]

_COPY = OPS["copy_"]


def bump_version(t: Tensor) -> None:
    root = t._base if t._base is not None else t
    root._version += 1


def check_writable(t: Tensor, op: str) -> None:
    """Autograd's rule: a leaf that requires grad cannot be written in place."""
    if t._requires_grad and t.grad_fn is None and STATE.enabled:
        raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in "
                           f"an in-place operation; wrap it in `with fl.no_grad():` or "
                           f"operate on .detach()")


def _can_cast(src, dst) -> bool:
    # PyTorch refuses float -> integer and anything -> bool in in-place results
    return src.category <= dst.category


def write_result(self: Tensor, result: Tensor, op: str) -> Tensor:
    """Write ``result`` into ``self`` after checking it fits; bump the version."""
    if result._data.shape != self._data.shape:
        raise RuntimeError(f"{op}: output with shape {list(self._data.shape)} doesn't "
                           f"match the broadcast shape {list(result._data.shape)}")
    if not _can_cast(result._dtype, self._dtype):
        raise RuntimeError(f"{op}: result type {result._dtype.name} can't be cast to the "
                           f"desired output type {self._dtype.name}")
    copy = _COPY.kernels.get(self._device.type, {}).get(self._dtype)
    try:
        if copy is None:  # raise the dispatcher's missing-kernel error
            dispatch.call(_COPY, self.detach(), result.detach())
        else:
            copy(self._data, result._data)
    except ValueError as e:
        raise RuntimeError(f"{op}: unsupported operation on {describe(self)}: {e}. More "
                           f"than one element of the written-to tensor may refer to a "
                           f"single memory location (an expanded view); call .clone() "
                           f"first") from None
    bump_version(self)
    return self


def write_inplace(self: Tensor, compute, name: str, operands=(), kwargs=None) -> Tensor:
    """Set ``self`` to ``compute(self)``; recorded by autograd when it must be."""
    check_writable(self, name)
    if kwargs:
        operands = tuple(operands) + tuple(kwargs.values())
    return dispatch.inplace(self, compute, lambda res: write_result(self, res, name),
                            operands)




def accumulate_into(dst: Tensor, src: Tensor) -> None:
    """``dst += src`` outside autograd (gradient accumulation): ``add_`` takes the
    backend's fused in-place kernel when there is one."""
    with no_grad():
        dst.add_(src)


def _fused(row, self: Tensor, other, alpha) -> bool:
    """Run ``self op= alpha * other`` with the backend's in-place kernel when nothing
    needs recording or casting; False sends the caller to the general path."""
    if self._requires_grad and STATE.enabled:
        return False
    d = self._dtype
    if isinstance(other, Tensor):
        if other._dtype is not d or other._device is not self._device or \
                (other._requires_grad and STATE.enabled):
            return False
        shape = self._data.shape
        if other._data.shape != shape and \
                broadcast_shapes(shape, other._data.shape, op=row.name) != shape:
            return False
        src = other._data
    elif other.__class__ is float or other.__class__ is int:
        if d.category != 2 and (other.__class__ is float or row.name == "div_"):
            return False
        if d.category == 0:
            return False  # bool op= int is int64, which the general path refuses
        src = dispatch._scalar_for(other, d)  # out-of-range ints wrap, like PyTorch's
    else:
        return False
    if alpha != 1 and d.category != 2:
        return False  # integer alpha * other may overflow: leave it to the general path
    table = row.kernels.get(self._device.type)
    k = table.get(d) if table is not None else None
    if k is None:
        return False
    try:
        if alpha == 1:
            k(self._data, src)
        else:
            k(self._data, src, alpha=alpha)
    except ValueError as e:  # a read-only (expanded) destination; nothing was written
        raise RuntimeError(f"{row.name}: unsupported operation on {describe(self)}: {e}. "
                           f"More than one element of the written-to tensor may refer to "
                           f"a single memory location (an expanded view); call .clone() "
                           f"first") from None
    bump_version(self)
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
    copy = _COPY.kernels.get(self._device.type, {}).get(self._dtype)
    if copy is not None and not (STATE.enabled and (self._requires_grad or
                                                    src._requires_grad)):
        try:
            copy(self._data, src._data)  # the kernel broadcasts and casts
        except ValueError as e:
            raise RuntimeError(f"copy_: {e}; destination {describe(self)}") from None
        bump_version(self)
        return self
    from .shape_ops import expand
    return write_inplace(self, lambda dst: expand(src.to(dst._dtype), dst._data.shape),
                         "copy_", (src,))


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
    try:
        dispatch.call(OPS["setitem_"], self, dispatch._scalar_for(value, self._dtype),
                      index=Ellipsis)
    except ValueError as e:
        raise RuntimeError(f"fill_: unsupported operation on {describe(self)}: {e}. More "
                           f"than one element of the written-to tensor may refer to a "
                           f"single memory location (an expanded view); call .clone() "
                           f"first") from None
    bump_version(self)
    return self


def zero_(self: Tensor) -> Tensor:
    """Set every element to zero."""
    return fill_(self, 0)


# out-of-place name -> in-place method name, for methods.py to attach
INPLACE_OF = ("add", "sub", "mul", "div", "pow", "remainder", "fmod", "floor_divide",
              "clamp", "clamp_min", "clamp_max", "clip", "masked_fill", "neg", "abs",
              "exp", "log", "sqrt", "rsqrt", "sigmoid", "tanh", "relu", "floor", "ceil",
              "round", "trunc", "sin", "cos", "reciprocal", "sign", "lerp", "nan_to_num",
              "scatter", "scatter_add", "tril", "triu", "logical_not", "bitwise_not",
              "bitwise_and", "bitwise_or", "bitwise_xor", "exp2", "expm1", "log1p",
              "log2", "log10", "erf", "tan", "maximum", "minimum", "atan2", "square",
              "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
              "logical_xor", "true_divide", "multiply", "subtract", "divide", "index_put")
