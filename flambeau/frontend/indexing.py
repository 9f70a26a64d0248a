"""Indexing: ``__getitem__``/``__setitem__``, gather/scatter, masks, sort, unique.

Indices are checked here, before any kernel runs, so a bad index is an ``IndexError``
that names the dim and size, and an assignment that fails leaves the tensor unchanged.
"""

from __future__ import annotations

import builtins
from collections import namedtuple
from numbers import Integral

from ..dispatcher import dispatch
from ..dispatcher.dtypes import bool_, int64
from ..dispatcher.optable import OPS
from ..dispatcher.shapes import broadcast_shapes, normalize_dim
from .grad_mode import STATE
from .inplace import check_writable
from .tensor import Tensor

_call = dispatch.call
_GETITEM = OPS["getitem"]

__all__ = ["getitem", "setitem", "basic_view", "gather", "scatter", "scatter_add",
           "index_select", "masked_fill", "masked_select", "nonzero", "sort", "argsort",
           "topk", "unique", "take_along_dim", "argwhere", "index_put"]

values_indices = namedtuple("values_indices", ["values", "indices"])


def basic_view(input: Tensor, index: tuple) -> Tensor:
    """A view through an index of ints, slices, None and Ellipsis (already checked)."""
    out = _call(_GETITEM, input, index=index)
    dispatch.mark_view(out, input, _GETITEM, {"index": index})
    return out


def _index_tensor(x, like: Tensor) -> Tensor:
    from .creation import as_tensor
    try:
        t = x if isinstance(x, Tensor) else as_tensor(x)
    except (TypeError, ValueError):
        raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long, "
                         f"int, byte or bool tensors are valid indices (got "
                         f"{type(x).__name__})") from None
    if t._dtype is not bool_ and t._dtype.category != 1:
        raise IndexError(f"tensors used as indices must be long, int, byte or bool "
                         f"tensors, got {t._dtype.name}")
    if t._device is not like._device:
        t = t.to(like._device)
    return t


def _normalize(input: Tensor, index, op: str):
    """Check ``index`` against ``input``; return (native index tuple, is_basic)."""
    if not isinstance(index, tuple):
        index = (index,)
    shape = input._data.shape
    consumed = 0
    for it in index:
        if isinstance(it, Tensor) and it._dtype is bool_:
            consumed += builtins.max(len(it._data.shape), 0)
        elif it is None or it is Ellipsis or it is True or it is False:
            continue
        else:
            consumed += 1
    if consumed > len(shape):
        raise IndexError(f"{op}: too many indices for tensor of dimension {len(shape)} "
                         f"(shape {list(shape)}, got {consumed} indices)")
    out, basic, dim = [], True, 0
    for pos, it in enumerate(index):
        if it is Ellipsis:
            # `is`, not `in`: `in` compares with ==, which a tensor index answers
            if any(i is Ellipsis for i in index[pos + 1:]):
                raise IndexError(f"{op}: an index can only have a single ellipsis ('...')")
            dim += len(shape) - consumed
            out.append(it)
        elif it is None:
            out.append(None)
        elif it is True or it is False:
            out.append(it)
            basic = False
        elif isinstance(it, Integral) or (isinstance(it, Tensor) and not it._data.shape
                                          and it._dtype.category == 1):
            i = builtins.int(it)
            n = shape[dim]
            if not -n <= i < n:
                raise IndexError(f"{op}: index {i} is out of bounds for dimension {dim} "
                                 f"with size {n}")
            out.append(i)
            dim += 1
        elif isinstance(it, slice):
            parts = [None if v is None else builtins.int(v.__index__())
                     for v in (it.start, it.stop, it.step)]
            if parts[2] is not None and parts[2] <= 0:
                raise ValueError(f"{op}: slice step must be positive, got {parts[2]}; "
                                 f"use flip() to reverse")
            out.append(slice(*parts))
            dim += 1
        else:
            t = _index_tensor(it, input)
            basic = False
            if t._dtype is bool_:
                ms = t._data.shape
                for k, m in enumerate(ms):
                    if m != shape[dim + k]:
                        raise IndexError(
                            f"{op}: The shape of the mask {list(ms)} at index {k} does not "
                            f"match the shape of the indexed tensor {list(shape)} at index "
                            f"{dim + k}")
                dim += len(ms)
            else:
                n = shape[dim]
                if t.numel():
                    lo, hi = builtins.int(t.amin()), builtins.int(t.amax())
                    if lo < -n or hi >= n:
                        bad = hi if hi >= n else lo
                        raise IndexError(f"{op}: index {bad} is out of bounds for dimension "
                                         f"{dim} with size {n}")
                if t._dtype is not int64:
                    t = t.long()
                dim += 1
            out.append(t._data)
    return tuple(out), basic


def getitem(input: Tensor, index) -> Tensor:
    """``input[index]``: ints, slices (positive steps), None, Ellipsis, bool masks and
    integer tensors or lists, with NumPy/PyTorch semantics. Basic indexing gives a
    view; indexing with tensors gives a copy."""
    idx, basic = _normalize(input, index, "index")
    if basic:
        return basic_view(input, idx)
    return _call(_GETITEM, input, index=idx)


def setitem(input: Tensor, index, value) -> None:
    """``input[index] = value``: ``value`` (a number or a tensor) is cast to
    ``input``'s dtype and broadcast to the indexed shape."""
    check_writable(input, "setitem")
    idx, basic = _normalize(input, index, "index")
    if isinstance(value, Tensor):
        if value._device is not input._device:
            value = value.to(input._device)
        if value._dtype is not input._dtype:
            value = value.to(input._dtype)
        lead = 0  # PyTorch drops the value's leading size-1 dims: x[0] = y[None] works
        while lead < len(value._data.shape) and value._data.shape[lead] == 1:
            lead += 1
        if lead:
            value = value.reshape(value._data.shape[lead:])
        target = getitem(input, index)._data.shape if basic else None
        if target is not None:
            try:
                broadcast_shapes(value._data.shape, target, op="setitem")
            except RuntimeError:
                raise RuntimeError(f"setitem: shape mismatch: value tensor of shape "
                                   f"{list(value._data.shape)} cannot be broadcast to "
                                   f"indexing result of shape {list(target)}") from None
    elif not isinstance(value, (bool, int, float)):
        from .creation import as_tensor
        return setitem(input, index, as_tensor(value, dtype=input._dtype,
                                               device=input._device))
    else:
        value = dispatch._scalar_for(value, input._dtype)
    _call(OPS["setitem_"], input, value, index=idx)  # autograd records it when it must


def index_put(input: Tensor, indices: tuple, values, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` written at ``input[indices]`` (added, with
    repeated positions summed, when ``accumulate``). ``indices`` is a tuple of index
    tensors, like PyTorch's."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put(): indices must be a tuple of tensors")
    idx, _ = _normalize(input, tuple(indices), "index_put")
    if not isinstance(values, Tensor):
        from .creation import full
        values = full((), values, dtype=input._dtype, device=input._device)
    if values._dtype is not input._dtype:
        raise RuntimeError(f"index_put(): Index put requires the source and destination "
                           f"dtypes match, got {input._dtype.name} for the destination "
                           f"and {values._dtype.name} for the source.")
    return _call(OPS["index_put"], input, values, index=idx, accumulate=accumulate)


def _index_arg(index, input: Tensor, op: str) -> Tensor:
    if not isinstance(index, Tensor) or index._dtype is not int64:
        got = index._dtype.name if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {got}")
    if index._device is not input._device:
        raise RuntimeError(f"{op}(): index is on {index._device} but input is on "
                           f"{input._device}; move it with .to()")
    return index


def _check_range(index: Tensor, size: int, dim: int, op: str) -> None:
    if index.numel():
        lo, hi = builtins.int(index.amin()), builtins.int(index.amax())
        if lo < 0 or hi >= size:
            bad = hi if hi >= size else lo
            raise RuntimeError(f"{op}(): index {bad} is out of bounds for dimension {dim} "
                               f"with size {size}")


def _gather_like_checks(input: Tensor, dim: int, index: Tensor, op: str) -> int:
    shape, ishape = input._data.shape, index._data.shape
    d = normalize_dim(dim, len(shape), op)
    if len(ishape) != len(shape) and not (len(shape) == 0 and len(ishape) <= 1):
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions "
                           f"as input tensor ({len(shape)}), got {len(ishape)}")
    for k, (a, b) in enumerate(zip(ishape, shape)):
        if k != d and a > b:
            raise RuntimeError(f"{op}(): Size does not match at dimension {k}: index has "
                               f"{a} but input has {b} (index must not be larger except "
                               f"along dim {d})")
    return d


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j][k] = input[i][index[i][j][k]][k]`` for ``dim == 1`` (and so on)."""
    index = _index_arg(index, input, "gather")
    d = _gather_like_checks(input, dim, index, "gather")
    if not input._data.shape:
        return input.clone().reshape(index._data.shape)
    _check_range(index, input._data.shape[d], d, "gather")
    src = input
    if any(a != b for k, (a, b) in enumerate(zip(index._data.shape, input._data.shape))
           if k != d):
        src = basic_view(input, tuple(slice(None) if k == d else slice(0, n)
                                      for k, n in enumerate(index._data.shape)))
    return _call(OPS["gather"], src, index, dim=d)


def _scatter(name: str, input: Tensor, dim: int, index: Tensor, src) -> Tensor:
    index = _index_arg(index, input, name)
    d = _gather_like_checks(input, dim, index, name)
    _check_range(index, input._data.shape[d] if input._data.shape else 1, d, name)
    if isinstance(src, Tensor):
        if src._dtype is not input._dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype "
                               f"({input._dtype.name} vs {src._dtype.name})")
        if src._data.shape != index._data.shape:
            if len(src._data.shape) != len(index._data.shape) or any(
                    a > b for a, b in zip(index._data.shape, src._data.shape)):
                raise RuntimeError(f"{name}(): src shape {list(src._data.shape)} must be "
                                   f"at least index shape {list(index._data.shape)} in "
                                   f"every dim")
            src = basic_view(src, tuple(slice(0, n) for n in index._data.shape))
    elif src is not None:
        # a scalar source takes input's dtype, as in PyTorch; it must not promote it
        src = dispatch._scalar_for(src, input._dtype)
    return _call(OPS[name], input, index, src, dim=d)


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None,
            reduce: str | None = None) -> Tensor:
    """A copy of ``input`` with ``src`` (or ``value``) written at ``index`` along
    ``dim``; ``reduce="add"`` accumulates instead."""
    if src is None:
        src = value
    if reduce == "add":
        if not isinstance(src, Tensor):
            from .creation import full
            src = full(index._data.shape, src, dtype=input._dtype, device=input._device)
        return scatter_add(input, dim, index, src)
    if reduce is not None:
        raise NotImplementedError(f"scatter(): reduce={reduce!r} is not supported; use "
                                  f"reduce='add' or scatter_add")
    return _scatter("scatter", input, dim, index, src)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeated
    indices accumulate)."""
    return _scatter("scatter_add", input, dim, index, src)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries of ``input`` at positions ``index`` (1-D, int64) along ``dim``."""
    if not isinstance(index, Tensor) or index._dtype.category != 1:
        raise RuntimeError("index_select(): Expected dtype int32/int64 for index")
    if len(index._data.shape) > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got shape "
                         f"{list(index._data.shape)}")
    index = _index_arg(index.long(), input, "index_select")
    n = len(input._data.shape)
    d = normalize_dim(dim, n, "index_select")
    size = input._data.shape[d] if n else 1
    _check_range(index, size, d, "index_select")
    if not n:
        return input.clone().reshape(index._data.shape)
    return _call(OPS["index_select"], input, index.reshape(-1), dim=d)


def _mask(mask, input: Tensor, op: str) -> Tensor:
    if not isinstance(mask, Tensor) or mask._dtype is not bool_:
        got = mask._dtype.name if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"{op}(): expected a bool mask, got {got}")
    return mask


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` where ``mask`` (broadcast to input) is True."""
    mask = _mask(mask, input, "masked_fill")
    shape = broadcast_shapes(input._data.shape, mask._data.shape, op="masked_fill")
    if shape != input._data.shape:
        raise RuntimeError(f"masked_fill(): mask of shape {list(mask._data.shape)} must "
                           f"broadcast to the input's shape {list(input._data.shape)}")
    if isinstance(value, Tensor):
        if value._data.shape:
            raise RuntimeError(f"masked_fill(): only supports a 0-dimensional value "
                               f"tensor, but got tensor with {value.dim()} dimension(s)")
        if value._requires_grad and STATE.enabled:
            # keep the value in the graph: where() is differentiable in both branches
            from .elementwise import where
            return where(mask, value.to(input._dtype), input)
        value = value.item()
    return _call(OPS["masked_fill"], input, mask,
                 value=dispatch._scalar_for(value, input._dtype))


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """A 1-D tensor of the elements where ``mask`` is True (both broadcast)."""
    mask = _mask(mask, input, "masked_select")
    broadcast_shapes(input._data.shape, mask._data.shape, op="masked_select")
    return _call(OPS["masked_select"], input, mask)


def nonzero(input: Tensor, *, as_tuple: bool = False):
    """Positions of non-zero elements: an ``(n, ndim)`` int64 tensor, or a tuple of
    1-D index tensors with ``as_tuple=True``."""
    if as_tuple and not input._data.shape:
        # PyTorch treats a 0-d input as 1-d here: (tensor([0]),) or (tensor([]),)
        input = input.reshape(1)
    out = _call(OPS["nonzero"], input)
    if as_tuple:
        return tuple(out[:, k] for k in range(out._data.shape[1]))
    return out


def argwhere(input: Tensor) -> Tensor:
    """Positions of non-zero elements, ``(n, ndim)`` int64 (same as ``nonzero``)."""
    return nonzero(input)


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """Sorted values and their original positions along ``dim`` (stable order)."""
    d = normalize_dim(dim, len(input._data.shape), "sort")
    v, i = _call(OPS["sort"], input, dim=d, descending=descending, stable=stable)
    return values_indices(v, i)


def argsort(input: Tensor, dim: int = -1, descending: bool = False,
            stable: bool = False) -> Tensor:
    """Positions that sort ``input`` along ``dim``."""
    return sort(input, dim, descending, stable).indices


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest (or smallest) values along ``dim`` and their positions."""
    n = len(input._data.shape)
    d = normalize_dim(dim, n, "topk")
    size = input._data.shape[d] if n else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"topk(): selected index k={k} out of range for dimension {d} "
                           f"of size {size}")
    v, i = _call(OPS["topk"], input, k=k, dim=d, largest=largest, sorted=sorted)
    return values_indices(v, i)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None):
    """The distinct values (sorted), optionally with inverse indices and counts."""
    d = None if dim is None else normalize_dim(dim, len(input._data.shape), "unique")
    vals, inv, counts = _call(OPS["unique"], input, return_inverse=return_inverse,
                              return_counts=return_counts, dim=d)
    out = (vals,) + ((inv,) if return_inverse else ()) + ((counts,) if return_counts else ())
    return out[0] if len(out) == 1 else out


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """Gather with broadcasting of ``indices`` against ``input`` (flattened when
    ``dim`` is None)."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = normalize_dim(dim, len(input._data.shape), "take_along_dim")
    shape = list(broadcast_shapes(
        tuple(1 if k == d else s for k, s in enumerate(input._data.shape)),
        tuple(1 if k == d else s for k, s in enumerate(indices._data.shape)),
        op="take_along_dim"))
    ishape, xshape = list(shape), list(shape)
    ishape[d], xshape[d] = indices._data.shape[d], input._data.shape[d]
    return gather(input.expand(xshape), d, indices.expand(ishape))
