"""Shape and view ops: view/reshape, squeeze, permute and friends, expand, basic
indexing, narrow/split, diagonal, contiguous/clone, cat/stack, flip, roll, tile, tril.

Every entry checks memory sharing (``memory=True``) against its NumPy reference, so a
reference returns a NumPy view exactly where flambeau (like PyTorch) returns a view,
and a copy (``.copy()``) where flambeau copies (``flip``, ``clone``).
"""

from __future__ import annotations

import numpy as np

import flambeau as fl

from .opinfo import ALL, Expanded, OpInfo, Sample, Strided, Transposed, make

__all__ = ["ENTRIES", "shape_samples"]


def shape_samples(*cases):
    """A generator of samples from ``(layout, kwargs, desc)`` rows, where ``layout`` is
    a shape, ``("T", shape)`` (transposed), ``("S", shape)`` (strided) or
    ``("E", small_shape, shape)`` (expanded)."""
    def gen(dtype, rng):
        for layout, kw, desc in cases:
            if layout and layout[0] == "T":
                x = Transposed(make(layout[1], dtype, rng))
            elif layout and layout[0] == "S":
                x = Strided(make(layout[1], dtype, rng))
            elif layout and layout[0] == "E":
                x = Expanded(make(layout[1], dtype, rng), layout[2])
            else:
                x = make(layout, dtype, rng)
            yield Sample((x,), dict(kw), desc, dtype.is_floating_point)
    return gen


def _reshape(x, shape):
    return np.reshape(x, shape)


def _flatten(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        return x.reshape(1)
    s, e = start_dim % x.ndim, end_dim % x.ndim
    return x.reshape(x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:])


def _unflatten(x, dim, sizes):
    d = dim % x.ndim
    return x.reshape(x.shape[:d] + tuple(sizes) + x.shape[d + 1:])


def _squeeze(x, dim=None):
    if dim is None:
        return np.squeeze(x)
    dims = (dim,) if isinstance(dim, int) else dim
    return np.squeeze(x, axis=tuple(d % max(x.ndim, 1) for d in dims
                                    if x.ndim and x.shape[d] == 1))


def _getitem(x, index):
    # NumPy returns a scalar copy for a full integer index; PyTorch a 0-d view, which
    # is what a trailing Ellipsis makes NumPy return too
    index = index if isinstance(index, tuple) else (index,)
    return x[index if any(i is Ellipsis for i in index) else index + (Ellipsis,)]


def _narrow(x, dim, start, length):
    return x[(slice(None),) * dim + (slice(start, start + length),)]


def _split(x, split_size_or_sections, dim=0):
    n = x.shape[dim]
    if isinstance(split_size_or_sections, int):
        sizes = [min(split_size_or_sections, n - i)
                 for i in range(0, n, split_size_or_sections)] or [0]
    else:
        sizes = list(split_size_or_sections)
    out, start = [], 0
    for s in sizes:
        out.append(_narrow(x, dim, start, s))
        start += s
    return tuple(out)


def _chunk(x, chunks, dim=0):
    n = x.shape[dim]
    return _split(x, max(-(-n // chunks), 1), dim)


def _unbind(x, dim=0):
    return tuple(x[(slice(None),) * dim + (i, Ellipsis)] for i in range(x.shape[dim]))


def _diagonal(x, offset=0, dim1=0, dim2=1):
    # np.diagonal's view is read-only; rebuild the same view writable
    y = np.moveaxis(x, (dim1, dim2), (-2, -1))
    y = y[..., :, offset:] if offset >= 0 else y[..., -offset:, :]
    n = max(min(y.shape[-2], y.shape[-1]), 0)
    return np.lib.stride_tricks.as_strided(
        y, y.shape[:-2] + (n,), y.strides[:-2] + (y.strides[-2] + y.strides[-1],),
        writeable=True)


def _expand(x, sizes):
    shape = tuple(s if s != -1 else x.shape[i - (len(sizes) - x.ndim)]
                  for i, s in enumerate(sizes))
    return np.broadcast_to(x, shape)


def _e(name, op, ref, *cases, memory=True):
    return OpInfo(name, op, ref, shape_samples(*cases), ALL, table_ops=_TABLE[name],
                  memory=memory)


_TABLE = {
    "view": ("view",), "reshape": ("view", "contiguous"), "flatten": ("view",),
    "unflatten": ("view",), "squeeze": ("view",), "unsqueeze": ("view",),
    "permute": ("permute",), "transpose": ("permute",), "t": ("permute",),
    "T": ("permute",), "mT": ("permute",), "movedim": ("permute",),
    "expand": ("expand",), "broadcast_to": ("expand",), "getitem": ("getitem",),
    "narrow": ("getitem",), "split": ("getitem",), "chunk": ("getitem",),
    "unbind": ("getitem",), "diagonal": ("diagonal",), "contiguous": ("contiguous",),
    "clone": ("clone",), "flip": ("flip",), "roll": ("roll",), "repeat": ("tile",),
    "tile": ("tile",), "tril": ("tril",), "triu": ("triu",),
}

ENTRIES = [
    _e("view", lambda x, shape: x.view(shape), _reshape,
       ((2, 3, 4), {"shape": (6, 4)}, "(2,3,4) -> (6,4)"),
       ((2, 3, 4), {"shape": (-1,)}, "-> (-1,)"),
       ((2, 3, 4), {"shape": (2, -1, 2)}, "-> (2,-1,2)"),
       ((), {"shape": (1, 1)}, "0-d -> (1,1)"),
       ((1,), {"shape": ()}, "(1,) -> 0-d"),
       ((0, 3), {"shape": (3, 0, 1)}, "empty")),
    _e("reshape", lambda x, shape: x.reshape(shape), _reshape,
       ((2, 3, 4), {"shape": (4, 6)}, "contiguous: a view"),
       (("T", (4, 3)), {"shape": (12,)}, "transposed: a copy"),
       (("T", (4, 3)), {"shape": (4, 3, 1)}, "transposed, unit dim added: a view"),
       (("S", (2, 3)), {"shape": (3, 2)}, "strided: a copy"),
       (("E", (3, 1), (3, 4)), {"shape": (12,)}, "expanded: a copy"),
       ((), {"shape": (-1,)}, "0-d"), ((0, 4), {"shape": (2, 0)}, "empty")),
    _e("flatten", lambda x, **kw: fl.flatten(x, **kw), _flatten,
       ((2, 3, 4), {}, "all"), ((2, 3, 4), {"start_dim": 1}, "start 1"),
       ((2, 3, 4, 5), {"start_dim": 1, "end_dim": -2}, "middle"),
       ((), {}, "0-d"), (("T", (3, 4)), {}, "transposed: a copy"),
       ((2, 0, 3), {}, "empty")),
    _e("unflatten", lambda x, **kw: fl.unflatten(x, **kw), _unflatten,
       ((2, 12), {"dim": 1, "sizes": (3, 4)}, "(2,12) -> (2,3,4)"),
       ((6, 2), {"dim": 0, "sizes": (-1, 3)}, "with -1"),
       ((0, 4), {"dim": -1, "sizes": (2, 2)}, "empty")),
    _e("squeeze", lambda x, **kw: fl.squeeze(x, **kw), _squeeze,
       ((1, 3, 1, 4), {}, "all size-1 dims"), ((1, 3, 1, 4), {"dim": 2}, "dim 2"),
       ((1, 3, 1, 4), {"dim": 1}, "dim of size 3 stays"),
       ((1, 3, 1, 4), {"dim": (0, -2)}, "dims (0,-2)"), ((), {}, "0-d"),
       ((1, 0), {}, "empty")),
    _e("unsqueeze", lambda x, **kw: fl.unsqueeze(x, **kw),
       lambda x, dim: np.expand_dims(x, dim % (x.ndim + 1)),
       ((3, 4), {"dim": 0}, "dim 0"), ((3, 4), {"dim": -1}, "dim -1"),
       ((3, 4), {"dim": 1}, "middle"), ((), {"dim": 0}, "0-d"),
       (("T", (3, 4)), {"dim": 1}, "transposed"), ((0,), {"dim": 1}, "empty")),
    _e("permute", lambda x, dims: x.permute(*dims), lambda x, dims: np.transpose(x, dims),
       ((2, 3, 4), {"dims": (2, 0, 1)}, "(2,0,1)"), ((2, 3, 4), {"dims": (-1, 1, 0)},
                                                     "negative dims"),
       ((), {"dims": ()}, "0-d"), (("T", (3, 4)), {"dims": (1, 0)}, "transposed"),
       ((0, 2), {"dims": (1, 0)}, "empty")),
    _e("transpose", lambda x, **kw: fl.transpose(x, **kw),
       lambda x, dim0, dim1: np.swapaxes(x, dim0, dim1),
       ((2, 3, 4), {"dim0": 0, "dim1": 2}, "0<->2"), ((3, 4), {"dim0": -1, "dim1": 0},
                                                     "negative"),
       (("S", (3, 4)), {"dim0": 0, "dim1": 1}, "strided")),
    _e("t", fl.t, lambda x: x.T, ((3, 4), {}, "2-d"), ((5,), {}, "1-d"), ((), {}, "0-d")),
    _e("T", lambda x: x.T, lambda x: x.T, ((2, 3, 4), {}, "3-d"), ((3, 4), {}, "2-d")),
    _e("mT", lambda x: x.mT, lambda x: np.swapaxes(x, -1, -2),
       ((2, 3, 4), {}, "3-d"), ((0, 4), {}, "empty")),
    _e("movedim", lambda x, **kw: fl.movedim(x, **kw),
       lambda x, source, destination: np.moveaxis(x, source, destination),
       ((2, 3, 4), {"source": 0, "destination": -1}, "0 -> -1"),
       ((2, 3, 4, 5), {"source": (0, 1), "destination": (2, 0)}, "two dims")),
    _e("expand", lambda x, sizes: x.expand(*sizes), _expand,
       ((3, 1), {"sizes": (3, 4)}, "(3,1) -> (3,4)"),
       ((3, 1), {"sizes": (2, -1, 4)}, "new leading dim, -1 keeps"),
       ((), {"sizes": (2, 3)}, "0-d"), ((1,), {"sizes": (0,)}, "to empty"),
       (("T", (3, 1)), {"sizes": (2, 3, 4)}, "transposed")),
    _e("broadcast_to", lambda x, shape: fl.broadcast_to(x, shape), np.broadcast_to,
       ((4,), {"shape": (3, 4)}, "(4,) -> (3,4)")),
    _e("getitem", lambda x, index: x[index], _getitem,
       ((4, 5), {"index": 1}, "int"), ((4, 5), {"index": -1}, "negative int"),
       ((4, 5), {"index": (1, 2)}, "two ints: a 0-d view"),
       ((4, 5), {"index": (slice(1, 3),)}, "slice"),
       ((4, 5), {"index": (slice(None), slice(None, None, 2))}, "step 2"),
       ((2, 3, 4), {"index": (Ellipsis, 1)}, "ellipsis"),
       ((2, 3), {"index": (None, slice(None), None, 0)}, "None inserts dims"),
       ((4, 5), {"index": (slice(5, 9),)}, "slice past the end: empty"),
       ((), {"index": ()}, "0-d, empty index"),
       (("T", (4, 5)), {"index": (slice(1, None), 2)}, "transposed"),
       (("S", (3, 4)), {"index": (Ellipsis, slice(1, 3))}, "strided")),
    _e("narrow", lambda x, **kw: fl.narrow(x, **kw), _narrow,
       ((4, 5), {"dim": 1, "start": 1, "length": 3}, "dim 1"),
       ((4, 5), {"dim": 0, "start": 4, "length": 0}, "length 0")),
    _e("split", lambda x, **kw: fl.split(x, **kw), _split,
       ((5, 4), {"split_size_or_sections": 2}, "size 2"),
       ((5, 4), {"split_size_or_sections": [1, 3], "dim": 1}, "sections"),
       ((0, 4), {"split_size_or_sections": 2}, "empty")),
    _e("chunk", lambda x, **kw: fl.chunk(x, **kw), _chunk,
       ((5, 4), {"chunks": 3}, "5 into 3"), ((2, 6), {"chunks": 4, "dim": 1}, "6 into 4")),
    _e("unbind", lambda x, **kw: fl.unbind(x, **kw), _unbind,
       ((3, 4), {}, "dim 0"), ((2, 3), {"dim": 1}, "dim 1"), ((4,), {}, "1-d")),
    _e("diagonal", lambda x, **kw: fl.diagonal(x, **kw), _diagonal,
       ((4, 5), {}, "main"), ((4, 5), {"offset": 1}, "offset 1"),
       ((4, 5), {"offset": -2}, "offset -2"), ((4, 5), {"offset": 7}, "offset too far"),
       ((2, 3, 4), {"dim1": 1, "dim2": 2}, "batched"),
       (("T", (4, 4)), {}, "transposed")),
    _e("contiguous", lambda x: x.contiguous(), np.ascontiguousarray,
       ((3, 4), {}, "already: itself"), (("T", (3, 4)), {}, "transposed: a copy"),
       (("S", (3, 4)), {}, "strided: a copy"), (("E", (3, 1), (3, 4)), {}, "expanded")),
    _e("clone", lambda x: x.clone(), lambda x: x.copy(),
       ((3, 4), {}, "2-d"), ((), {}, "0-d"), (("T", (3, 4)), {}, "transposed"),
       ((0, 2), {}, "empty")),
    _e("flip", lambda x, dims: fl.flip(x, dims), lambda x, dims: np.flip(x, dims).copy(),
       ((3, 4), {"dims": (0,)}, "dim 0"), ((2, 3, 4), {"dims": (0, 2)}, "two dims"),
       ((2, 3), {"dims": (-1,)}, "negative"), (("T", (3, 4)), {"dims": (1,)},
                                               "transposed")),
    _e("roll", lambda x, **kw: fl.roll(x, **kw),
       lambda x, shifts, dims=None: np.roll(x, shifts, dims),
       ((3, 4), {"shifts": 1, "dims": 1}, "dim 1"),
       ((3, 4), {"shifts": (1, -2), "dims": (0, 1)}, "two dims"),
       ((3, 4), {"shifts": 5}, "flattened"), ((0, 3), {"shifts": 1, "dims": 1}, "empty"),
       (("S", (3, 4)), {"shifts": -1, "dims": 0}, "strided")),
    _e("repeat", lambda x, sizes: x.repeat(*sizes), lambda x, sizes: np.tile(x, sizes),
       ((2, 3), {"sizes": (2, 1)}, "(2,1)"), ((2, 3), {"sizes": (2, 1, 3)}, "new dim"),
       ((), {"sizes": (3,)}, "0-d"), ((2, 3), {"sizes": (0, 1)}, "to empty"),
       (("T", (3, 2)), {"sizes": (1, 2)}, "transposed")),
    _e("tile", lambda x, dims: fl.tile(x, dims), lambda x, dims: np.tile(x, dims),
       ((2, 3), {"dims": (2,)}, "short dims pad with ones"),
       ((2, 3), {"dims": (2, 2)}, "(2,2)")),
    _e("tril", lambda x, **kw: fl.tril(x, **kw), lambda x, diagonal=0: np.tril(x, diagonal),
       ((4, 5), {}, "main"), ((4, 5), {"diagonal": 1}, "above"),
       ((2, 3, 3), {"diagonal": -1}, "batched, below"), (("T", (4, 4)), {}, "transposed"),
       ((0, 3), {}, "empty")),
    _e("triu", lambda x, **kw: fl.triu(x, **kw), lambda x, diagonal=0: np.triu(x, diagonal),
       ((4, 5), {}, "main"), ((4, 5), {"diagonal": -1}, "below"),
       ((2, 3, 3), {"diagonal": 2}, "batched"), (("S", (3, 4)), {}, "strided")),
]


# --- joining -------------------------------------------------------------------------

def _join_samples(dtype, rng):
    def mk(shape, d=dtype):
        return make(shape, d, rng)
    f = dtype.is_floating_point
    yield Sample(([mk((2, 3)), mk((1, 3)), mk((4, 3))],), {"dim": 0}, "dim 0", f)
    yield Sample(([mk((2, 3)), mk((2, 1))],), {"dim": -1}, "dim -1", f)
    yield Sample(([mk((2, 3, 4)), Transposed(mk((2, 4, 4)))],), {"dim": 1},
                 "transposed part", f)
    yield Sample(([mk((2, 3)), mk((0, 3))],), {"dim": 0}, "empty part", f)
    yield Sample(([mk((3, 2))],), {"dim": 1}, "one tensor: a copy", f)
    other = fl.int64 if f else fl.float32
    yield Sample(([mk((2, 3)), mk((1, 3), other)],), {"dim": 0},
                 f"with {other.name}: promotes", False)


def _cat_ref(tensors, dim=0):
    from .opinfo import result_type
    d = result_type(*tensors)
    return np.concatenate([t.astype(d) for t in tensors], axis=dim)


def _stack_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng)
    f = dtype.is_floating_point
    yield Sample(([mk((2, 3)), mk((2, 3)), mk((2, 3))],), {"dim": 0}, "dim 0", f)
    yield Sample(([mk((2, 3)), Strided(mk((2, 3)))],), {"dim": -1}, "dim -1", f)
    yield Sample(([mk(()), mk(())],), {"dim": 0}, "0-d parts", f)
    yield Sample(([mk((0, 2)), mk((0, 2))],), {"dim": 1}, "empty parts", f)


def _stack_ref(tensors, dim=0):
    return np.stack(tensors, axis=dim)


def _hv_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng)
    f = dtype.is_floating_point
    yield Sample(([mk((2, 3)), mk((2, 1))],), {}, "2-d", f)
    yield Sample(([mk((3,)), mk((2,))],), {}, "1-d", f)


def _vstack_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng)
    f = dtype.is_floating_point
    yield Sample(([mk((2, 3)), mk((1, 3))],), {}, "2-d", f)
    yield Sample(([mk((3,)), mk((3,))],), {}, "1-d rows", f)


ENTRIES += [
    OpInfo("cat", lambda tensors, **kw: fl.cat(tensors, **kw), _cat_ref, _join_samples,
           ALL),
    OpInfo("stack", lambda tensors, **kw: fl.stack(tensors, **kw), _stack_ref,
           _stack_samples, ALL, table_ops=("cat", "view")),
    OpInfo("hstack", fl.hstack, np.hstack, _hv_samples, ALL, table_ops=("cat",)),
    OpInfo("vstack", fl.vstack, np.vstack, _vstack_samples, ALL, table_ops=("cat",)),
]
