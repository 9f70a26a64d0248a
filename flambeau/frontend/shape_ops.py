"""Shape and view functions: reshape/view, permute, expand, cat/stack, split, flip, ...

Views (view, permute, expand, narrow, squeeze, unsqueeze, transpose, diagonal, and
reshape/flatten when strides allow) share memory with their input like PyTorch's.
"""

from __future__ import annotations

import builtins

from ..dispatcher import dispatch
from ..dispatcher.optable import OPS
from ..dispatcher.shapes import broadcast_shapes, normalize_dim, normalize_dims
from .tensor import Tensor

_call = dispatch.call
_VIEW, _PERMUTE, _EXPAND = OPS["view"], OPS["permute"], OPS["expand"]

__all__ = ["reshape", "view", "flatten", "unflatten", "squeeze", "unsqueeze", "permute",
           "transpose", "swapaxes", "swapdims", "movedim", "moveaxis", "t", "expand",
           "expand_as", "broadcast_to", "broadcast_tensors", "contiguous", "cat", "concat",
           "concatenate", "stack", "hstack", "vstack", "chunk", "split", "unbind",
           "narrow", "flip", "fliplr", "flipud", "roll", "repeat", "tile", "tril", "triu",
           "clone", "diagonal", "view_as", "reshape_as", "ravel", "atleast_1d",
           "atleast_2d"]


def _shape_arg(shape, op: str) -> tuple:
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    try:
        return tuple(builtins.int(s.__index__()) for s in shape)
    except (AttributeError, TypeError):
        raise TypeError(f"{op}(): shape must be ints or a sequence of ints, got "
                        f"{shape!r}") from None


def _infer(shape: tuple, numel: int, op: str, src: tuple) -> tuple:
    if shape.count(-1) > 1:
        raise RuntimeError(f"{op}(): only one dimension can be inferred, got {list(shape)}")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"{op}(): invalid shape dimension {s} in {list(shape)}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"{op}(): shape {list(shape)} is invalid for input of size "
                               f"{numel} (shape {list(src)})")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"{op}(): shape {list(shape)} is invalid for input of size "
                           f"{numel} (shape {list(src)})")
    return shape


def view(input: Tensor, *shape) -> Tensor:
    """The same memory seen with a new shape; ``-1`` infers one size.

    Raises:
        RuntimeError: when the strides do not allow it (use :func:`reshape`).
    """
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        from ..dispatcher.dtypes import DType
        if isinstance(shape[0], DType):
            raise NotImplementedError("view(dtype) reinterpretation is not supported; "
                                      "use .to(dtype)")
    src = input._data.shape
    new = _infer(_shape_arg(shape, "view"), input.numel(), "view", src)
    try:
        return _call(_VIEW, input, shape=new)
    except (ValueError, AttributeError):
        raise RuntimeError(f"view(): view size {list(new)} is not compatible with input "
                           f"tensor's size {list(src)} and stride {list(input.stride())} "
                           f"(at least one dimension spans across two contiguous "
                           f"subspaces). Use .reshape(...) instead.") from None


def reshape(input: Tensor, *shape) -> Tensor:
    """A tensor with the same elements in shape ``shape``; a view when possible."""
    src = input._data.shape
    new = _infer(_shape_arg(shape, "reshape"), input.numel(), "reshape", src)
    try:
        return _call(_VIEW, input, shape=new)
    except (ValueError, AttributeError):
        return _call(_VIEW, contiguous(input), shape=new)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` viewed with ``other``'s shape (no copy)."""
    return view(input, other._data.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` reshaped to ``other``'s shape."""
    return reshape(input, other._data.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one."""
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s = normalize_dim(start_dim, len(shape), "flatten")
    e = normalize_dim(end_dim, len(shape), "flatten")
    if s > e:
        raise RuntimeError("flatten(): start_dim cannot come after end_dim")
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def ravel(input: Tensor) -> Tensor:
    """A 1-D tensor of ``input``'s elements; a view when strides allow."""
    return reshape(input, (-1,))


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one may be -1)."""
    shape = input._data.shape
    d = normalize_dim(dim, len(shape), "unflatten")
    sizes = _infer(tuple(sizes), shape[d], "unflatten", shape)
    return view(input, shape[:d] + sizes + shape[d + 1:])


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Drop size-1 dims (all, or those in ``dim``)."""
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = normalize_dims(dim, len(shape), "squeeze") or ()
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return _call(_VIEW, input, shape=new)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at ``dim`` (in ``[-ndim-1, ndim]``)."""
    shape = input._data.shape
    d = normalize_dim(dim, len(shape) + 1, "unsqueeze")
    return _call(_VIEW, input, shape=shape[:d] + (1,) + shape[d:])


def permute(input: Tensor, *dims) -> Tensor:
    """Reorder dims; a view."""
    n = len(input._data.shape)
    dims = _shape_arg(dims, "permute")
    norm = tuple(normalize_dim(d, n, "permute") for d in dims)
    if len(norm) != n or sorted(norm) != list(range(n)):
        raise RuntimeError(f"permute(): dims {list(dims)} must be a permutation of the "
                           f"{n} dims of the input (shape {list(input._data.shape)})")
    return _call(_PERMUTE, input, dims=norm)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims; a view."""
    n = len(input._data.shape)
    if n == 0:
        return _call(_VIEW, input, shape=())
    a, b = normalize_dim(dim0, n, "transpose"), normalize_dim(dim1, n, "transpose")
    dims = list(range(n))
    dims[a], dims[b] = dims[b], dims[a]
    return _call(_PERMUTE, input, dims=tuple(dims))


swapaxes = swapdims = transpose


def movedim(input: Tensor, source, destination) -> Tensor:
    """Move dims from ``source`` to ``destination`` positions."""
    n = len(input._data.shape)
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [normalize_dim(d, n, "movedim") for d in src]
    dst = [normalize_dim(d, n, "movedim") for d in dst]
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _call(_PERMUTE, input, dims=tuple(order))


moveaxis = movedim


def t(input: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dims."""
    if len(input._data.shape) > 2:
        raise RuntimeError(f"t(): expects a tensor with <= 2 dimensions, but self is "
                           f"{len(input._data.shape)}D; use .mT or transpose(dim0, dim1)")
    return transpose(input, 0, -1) if input._data.shape else input


def expand(input: Tensor, *sizes) -> Tensor:
    """Broadcast size-1 dims to ``sizes`` (``-1`` keeps a size); a view, no copy."""
    sizes = _shape_arg(sizes, "expand")
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(): the number of sizes provided ({len(sizes)}) must be "
                           f"greater or equal to the number of dimensions in the tensor "
                           f"({len(shape)})")
    off = len(sizes) - len(shape)
    new = []
    for i, s in enumerate(sizes):
        cur = shape[i - off] if i >= off else None
        if s == -1:
            if cur is None:
                raise RuntimeError("expand(): -1 is not allowed in a leading, new dimension")
            s = cur
        elif cur is not None and cur != 1 and cur != s:
            raise RuntimeError(f"expand(): the expanded size of the tensor ({s}) must match "
                               f"the existing size ({cur}) at non-singleton dimension {i}. "
                               f"Target sizes: {list(sizes)}. Tensor sizes: {list(shape)}")
        new.append(s)
    return _call(_EXPAND, input, shape=tuple(new))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` expanded to ``other``'s shape; a view."""
    return expand(input, other._data.shape)


def broadcast_to(input: Tensor, shape) -> Tensor:
    """View ``input`` broadcast to ``shape``."""
    return expand(input, tuple(shape))


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """Views of all ``tensors`` broadcast to their common shape."""
    shape = broadcast_shapes(*(t._data.shape for t in tensors), op="broadcast_tensors")
    return tuple(expand(t, shape) for t in tensors)


def contiguous(input: Tensor) -> Tensor:
    """``input`` itself when row-major contiguous, else a contiguous copy."""
    if input.is_contiguous():
        return input
    return _call(OPS["contiguous"], input)


def clone(input: Tensor) -> Tensor:
    """A copy with its own memory (recorded by autograd)."""
    return _call(OPS["clone"], input)


def _tensor_list(tensors, op: str) -> list:
    if isinstance(tensors, Tensor) or not hasattr(tensors, "__iter__"):
        raise TypeError(f"{op}(): expected a sequence of tensors, got "
                        f"{type(tensors).__name__}")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{op}(): expected a non-empty list of Tensors")
    return tensors


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; other sizes must match."""
    tensors = _tensor_list(tensors, "cat")
    # PyTorch skips 1-d empty tensors, a legacy allowance kept for compatibility
    kept = [t for t in tensors if t._data.shape != (0,)] or tensors[:1]
    ref = kept[0]._data.shape
    if not ref:
        raise RuntimeError("cat(): zero-dimensional tensor cannot be concatenated")
    d = normalize_dim(dim, len(ref), "cat")
    for i, t in enumerate(kept):
        s = t._data.shape
        if len(s) != len(ref) or any(a != b for j, (a, b) in enumerate(zip(s, ref))
                                     if j != d):
            raise RuntimeError(f"cat(): Sizes of tensors must match except in dimension "
                               f"{d}. Expected shape like {list(ref)} but got {list(s)} "
                               f"for tensor number {i} in the list")
    if len(kept) == 1:
        return clone(kept[0])
    return _call(OPS["cat"], *kept, dim=d)


concat = concatenate = cat


def stack(tensors, dim: int = 0) -> Tensor:
    """Join same-shape tensors along a new dim."""
    tensors = _tensor_list(tensors, "stack")
    ref = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != ref:
            raise RuntimeError(f"stack(): expects each tensor to be equal size, but got "
                               f"{list(ref)} at entry 0 and {list(t._data.shape)} at entry "
                               f"{i}")
    d = normalize_dim(dim, len(ref) + 1, "stack")
    return _call(OPS["cat"], *(unsqueeze(t, d) for t in tensors), dim=d)


def hstack(tensors) -> Tensor:
    """Join tensors column-wise: along dim 1, or dim 0 for 1-D tensors."""
    tensors = [atleast_1d(t) for t in _tensor_list(tensors, "hstack")]
    return cat(tensors, 0 if len(tensors[0]._data.shape) == 1 else 1)


def vstack(tensors) -> Tensor:
    """Join tensors row-wise, after making each at least 2-D."""
    return cat([atleast_2d(t) for t in _tensor_list(tensors, "vstack")], 0)


def _each(fn, tensors):
    # atleast_*d(t), atleast_*d(t1, t2, ...) and atleast_*d([t1, t2]), as PyTorch's
    if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)):
        return fn(tensors[0])
    seq = tensors[0] if len(tensors) == 1 else tensors
    return tuple(fn(t) for t in seq)


def _atleast_1d(input: Tensor) -> Tensor:
    return reshape(input, (1,)) if not input._data.shape else input


def _atleast_2d(input: Tensor) -> Tensor:
    n = len(input._data.shape)
    return reshape(input, (1,) * (2 - n) + input._data.shape) if n < 2 else input


def atleast_1d(*tensors):
    """``input`` with at least one dimension (a 0-d tensor becomes shape ``(1,)``);
    several tensors (or one list of them) give a tuple."""
    return _each(_atleast_1d, tensors)


def atleast_2d(*tensors):
    """``input`` with at least two dimensions (leading size-1 dims added); several
    tensors (or one list of them) give a tuple."""
    return _each(_atleast_2d, tensors)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The slice ``start:start+length`` of dim ``dim``; a view."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow(): cannot be applied to a 0-dim tensor")
    d = normalize_dim(dim, len(shape), "narrow")
    start = builtins.int(start)
    if start < 0:
        start += shape[d]
    if start < 0 or length < 0 or start + length > shape[d]:
        raise IndexError(f"narrow(): start ({start}) + length ({length}) exceeds "
                         f"dimension size ({shape[d]}) of dim {d}")
    index = (slice(None),) * d + (slice(start, start + length),)
    from .indexing import basic_view
    return basic_view(input, index)


def split(input: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Views of consecutive pieces along ``dim``: each of ``split_size`` (the last may
    be smaller), or of the sizes in a list."""
    shape = input._data.shape
    d = normalize_dim(dim, len(shape), "split")
    n = shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0 and n:
            raise RuntimeError(f"split(): split_size must be positive, got {size}")
        sizes = [builtins.min(size, n - i) for i in range(0, n, size)] if n else [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split(): split_with_sizes expects split_sizes to sum "
                               f"exactly to {n} (input tensor's size at dimension {d}), "
                               f"but got split_sizes={sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(input, d, start, s))
        start += s
    return tuple(out)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Up to ``chunks`` views of near-equal size along ``dim``."""
    if chunks <= 0:
        raise RuntimeError(f"chunk(): chunks must be greater than 0, got {chunks}")
    n = input._data.shape[normalize_dim(dim, len(input._data.shape), "chunk")]
    return split(input, builtins.max(-(-n // chunks), 1), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """The slices along ``dim``, each without that dim."""
    shape = input._data.shape
    d = normalize_dim(dim, len(shape), "unbind")
    from .indexing import basic_view
    return tuple(basic_view(input, (slice(None),) * d + (i,)) for i in range(shape[d]))


def flip(input: Tensor, dims) -> Tensor:
    """Reverse the order along ``dims`` (a copy, like PyTorch's)."""
    d = normalize_dims(dims, len(input._data.shape), "flip") or ()
    return _call(OPS["flip"], input, dims=d)


def fliplr(input: Tensor) -> Tensor:
    """Reverse the order along dim 1 (a copy)."""
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:
    """Reverse the order along dim 0 (a copy)."""
    return flip(input, (0,))


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Rotate elements along ``dims`` by ``shifts`` (flattened when ``dims`` is None)."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError("roll(): with dims=None, shifts must be a single int")
        return _call(OPS["roll"], input, shifts=shifts[0], dims=None)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(dims) != len(shifts):
        raise RuntimeError(f"roll(): shifts and dims must align, got {len(shifts)} shifts "
                           f"and {len(dims)} dims")
    n = len(input._data.shape)
    return _call(OPS["roll"], input, shifts=shifts,
                 dims=tuple(normalize_dim(d, n, "roll") for d in dims))


def repeat(input: Tensor, *sizes) -> Tensor:
    """Tile the tensor ``sizes`` times per dim (``len(sizes) >= ndim``)."""
    sizes = _shape_arg(sizes, "repeat")
    if len(sizes) < len(input._data.shape):
        raise RuntimeError(f"repeat(): Number of dimensions of repeat dims ({len(sizes)}) "
                           f"can not be smaller than number of dimensions of tensor "
                           f"({len(input._data.shape)})")
    return _call(OPS["tile"], input, reps=sizes)


def tile(input: Tensor, dims) -> Tensor:
    """Like :func:`repeat`, padding ``dims`` with leading ones when shorter."""
    dims = _shape_arg((dims,) if isinstance(dims, int) else tuple(dims), "tile")
    n = len(input._data.shape)
    return _call(OPS["tile"], input, reps=(1,) * (n - len(dims)) + dims)


def _tri(name: str, input: Tensor, diagonal: int) -> Tensor:
    if len(input._data.shape) < 2:
        raise RuntimeError(f"{name}(): input tensor must have at least 2 dimensions")
    return _call(OPS[name], input, diagonal=diagonal)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle (below and on ``diagonal``); the rest zero."""
    return _tri("tril", input, diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle (above and on ``diagonal``); the rest zero."""
    return _tri("triu", input, diagonal)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of dims ``dim1``, ``dim2`` as the last dim; a view."""
    n = len(input._data.shape)
    a, b = normalize_dim(dim1, n, "diagonal"), normalize_dim(dim2, n, "diagonal")
    if a == b:
        raise RuntimeError(f"diagonal(): dim1 and dim2 cannot be identical, got {a}")
    return _call(OPS["diagonal"], input, offset=offset, dim1=a, dim2=b)
