"""Index ops: advanced indexing and assignment, gather/scatter, index_select, masks,
nonzero, sort/argsort/topk, unique, take_along_dim, copy_ and fill_.

Index tensors are int64 host arrays moved to the device like any input. Orders that
PyTorch leaves unspecified (which of equal elements ``topk`` returns, which write wins
when ``scatter`` indices repeat) are kept out of the samples.
"""

from __future__ import annotations

import numpy as np

import flambeau as fl

from .opinfo import ALL, NUMBERS, OpInfo, Sample, Strided, Transposed, cast, make

__all__ = ["ENTRIES"]


def _ix(shape, high, rng, low=0):
    """int64 indices in ``[low, high)``."""
    return make(shape, fl.int64, rng, low=low, high=high)


def _f(dtype):
    return dtype.is_floating_point


# --- indexing with tensors and assignment ---------------------------------------------

def _adv_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng)
    f = _f(dtype)
    yield Sample((mk((5, 4)), _ix((3,), 5, rng, -5)), {}, "int index, negatives", f)
    yield Sample((mk((5, 4)), (slice(None), _ix((2, 2), 4, rng))), {}, "2-d index on dim 1",
                 f)
    yield Sample((mk((5, 4)), (_ix((3,), 5, rng), _ix((3,), 4, rng))), {}, "two indices", f)
    yield Sample((mk((5, 4)), make((5,), fl.bool, rng)), {}, "bool mask on dim 0", f)
    yield Sample((mk((3, 4)), make((3, 4), fl.bool, rng)), {}, "full bool mask", f)
    yield Sample((mk((2, 3, 4)), (Ellipsis, _ix((2,), 4, rng))), {}, "ellipsis, index", f)
    yield Sample((mk((5, 4)), np.zeros((0,), np.int64)), {}, "empty index", f)
    yield Sample((Transposed(mk((5, 4))), _ix((3,), 5, rng)), {}, "transposed input", f)


def _adv_ref(x, index):
    return x[index]


def _setitem(x, index, value):
    x[index] = value
    return x


def _setitem_ref(x, index, value):
    out = x.copy()
    out[index] = cast(value, x.dtype) if isinstance(value, np.ndarray) else value
    return out


def _setitem_samples(dtype, rng):
    def mk(shape, d=dtype):
        return make(shape, d, rng)
    f = _f(dtype)
    one = True if dtype is fl.bool else 7
    yield Sample((mk((4, 5)), (1,), one), {}, "row = scalar", f)
    yield Sample((mk((4, 5)), (slice(None), slice(1, 3)), mk((4, 2))), {}, "slice = tensor",
                 f)
    yield Sample((mk((4, 5)), (Ellipsis, 2), mk((1,))), {}, "broadcast value", f)
    x, rows = mk((4, 5)), _ix((2,), 4, rng)
    # a repeated row is written twice, and which write wins is not specified
    yield Sample((x, (rows,), mk((5,))), {}, "index tensor", f and rows[0] != rows[1])
    yield Sample((mk((4, 5)), (make((4, 5), fl.bool, rng),), one), {}, "mask = scalar", f)
    yield Sample((Transposed(mk((5, 4))), (slice(0, 2),), one), {}, "through a transpose",
                 f)
    yield Sample((mk((3,)), (0,), make((), fl.int32 if f else fl.float32, rng, low=0)), {},
                 "value of another dtype is cast", False)
    yield Sample((mk(()), (), one), {}, "0-d", f)


def _copy_samples(dtype, rng):
    def mk(shape, d=dtype):
        return make(shape, d, rng, low=0)
    f = _f(dtype)
    yield Sample((mk((3, 4)), mk((3, 4))), {}, "same shape", f)
    yield Sample((mk((3, 4)), mk((4,))), {}, "broadcast source", f)
    yield Sample((Transposed(mk((3, 4))), mk((3, 4))), {}, "into a transposed view", f)
    yield Sample((mk((3, 4)), Strided(mk((3, 4)))), {}, "from a strided view", f)
    other = fl.float64 if dtype is not fl.float64 else fl.int16
    yield Sample((mk((2, 3)), mk((2, 3), other)), {}, f"from {other.name}", False)


def _copy_ref(dst, src):
    return np.broadcast_to(cast(src, dst.dtype), dst.shape).copy()


def _fill_samples(dtype, rng):
    f = _f(dtype)
    yield Sample((make((3, 4), dtype, rng), True if dtype is fl.bool else 3), {}, "2-d", f)
    yield Sample((Strided(make((2, 3), dtype, rng)), 1), {}, "strided", f)
    yield Sample((make((), dtype, rng), 0), {}, "0-d", f)


def _fill_ref(x, value):
    return np.full_like(x, value)


# --- gather, scatter, select ---------------------------------------------------------

def _gather_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng)
    f = _f(dtype)
    yield Sample((mk((3, 4)), 1, _ix((3, 6), 4, rng)), {}, "dim 1, repeats", f)
    yield Sample((mk((3, 4)), 0, _ix((2, 4), 3, rng)), {}, "dim 0", f)
    yield Sample((mk((4, 5)), 1, _ix((2, 3), 5, rng)), {}, "index smaller than input", f)
    yield Sample((mk((2, 3, 4)), -1, _ix((2, 3, 2), 4, rng)), {}, "3-d, dim -1", f)
    yield Sample((Transposed(mk((3, 4))), 1, _ix((3, 2), 4, rng)), {}, "transposed", f)
    yield Sample((mk((3, 4)), 1, np.zeros((3, 0), np.int64)), {}, "empty index", f)


def _gather_ref(x, dim, index):
    d = dim % x.ndim
    sub = x[tuple(slice(None) if k == d else slice(0, n) for k, n in enumerate(index.shape))]
    return np.take_along_axis(sub, index, axis=d)


def _lines_perm(shape, dim, n, rng):
    """int64 indices of ``shape`` with no repeat along ``dim`` (values below ``n``)."""
    idx = np.argsort(rng.random(shape[:dim] + (n,) + shape[dim + 1:]), axis=dim)
    return np.take(idx, np.arange(shape[dim]), axis=dim).astype(np.int64)


def _scatter_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng)
    f = _f(dtype)
    yield Sample((mk((3, 5)), 1, _lines_perm((3, 2), 1, 5, rng), mk((3, 2))), {}, "dim 1",
                 f)
    yield Sample((mk((4, 3)), 0, _lines_perm((2, 3), 0, 4, rng), mk((2, 3))), {}, "dim 0",
                 f)
    yield Sample((Transposed(mk((3, 5))), 1, _lines_perm((3, 3), 1, 5, rng), mk((3, 3))),
                 {}, "transposed input", f)
    yield Sample((mk((3, 4)), 1, np.zeros((3, 0), np.int64), mk((3, 0))), {}, "empty index",
                 f)
    yield Sample((mk((3, 4)), 1, _lines_perm((2, 2), 1, 4, rng), 5), {},
                 "scalar source", False)


def _positions(index, dim):
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def _scatter_ref(x, dim, index, src):
    out = x.copy()
    d = dim % x.ndim
    out[_positions(index, d)] = src[tuple(slice(0, n) for n in index.shape)] \
        if isinstance(src, np.ndarray) else src
    return out


def _scatter_add_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng, low=0, high=3)
    f = _f(dtype)
    yield Sample((mk((3, 4)), 1, _ix((3, 6), 4, rng), mk((3, 6))), {}, "repeated indices",
                 f)
    yield Sample((mk((4, 3)), 0, _ix((5, 3), 4, rng), mk((5, 3))), {}, "dim 0", f)
    yield Sample((mk((3, 4)), -1, _ix((2, 2), 4, rng), mk((2, 3))), {},
                 "src larger than index", f)


def _scatter_add_ref(x, dim, index, src):
    out = x.astype(np.float64) if x.dtype.kind == "f" else x.copy()
    d = dim % x.ndim
    np.add.at(out, _positions(index, d), src[tuple(slice(0, n) for n in index.shape)])
    return out.astype(x.dtype)


def _index_select_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng)
    f = _f(dtype)
    yield Sample((mk((4, 5)), 0, _ix((6,), 4, rng)), {}, "dim 0, repeats", f)
    yield Sample((mk((4, 5)), -1, _ix((2,), 5, rng)), {}, "dim -1", f)
    yield Sample((mk((4, 5)), 1, np.zeros((0,), np.int64)), {}, "empty index", f)
    yield Sample((Strided(mk((3, 4))), 1, _ix((3,), 4, rng)), {}, "strided", f)


def _index_select_ref(x, dim, index):
    return np.take(x, index, axis=dim)


def _index_put_samples(dtype, rng):
    f = _f(dtype)
    x, v = make((4, 5), dtype, rng), make((3,), dtype, rng)
    rows, cols = _ix((3,), 4, rng), _ix((3,), 5, rng)
    # without accumulate, a repeated position is written twice, and which write wins
    # is not specified: no place for a gradient check
    yield Sample((x, rows, cols, v), {"accumulate": False}, "2 index tensors",
                 f and _distinct_positions(rows, cols))
    yield Sample((x, np.array([1, 1, 2]), cols, v), {"accumulate": True},
                 "repeats accumulate", f and dtype is not fl.float16)
    yield Sample((Transposed(make((4, 4), dtype, rng)), rows, cols % 4, make((), dtype, rng)),
                 {"accumulate": False}, "transposed, 0-d value",
                 f and _distinct_positions(rows, cols % 4))


def _distinct_positions(*index) -> bool:
    return len(set(zip(*(i.tolist() for i in index)))) == len(index[0])


def _index_put_ref(x, rows, cols, v, accumulate):
    out = x.copy()
    if accumulate:
        np.add.at(out, (rows, cols), v)
    else:
        out[rows, cols] = v
    return out


def _masked_fill_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng)
    f = _f(dtype)
    v = True if dtype is fl.bool else (-1.5 if f else 7)
    yield Sample((mk((3, 4)), make((3, 4), fl.bool, rng), v), {}, "same shape", f)
    yield Sample((mk((3, 4)), make((1, 4), fl.bool, rng), v), {}, "broadcast mask", f)
    yield Sample((Transposed(mk((3, 4))), make((3, 4), fl.bool, rng), v), {}, "transposed",
                 f)
    yield Sample((mk(()), make((), fl.bool, rng), v), {}, "0-d", f)
    yield Sample((mk((0, 2)), make((2,), fl.bool, rng), v), {}, "empty", f)


def _masked_fill_ref(x, mask, value):
    return np.where(mask, np.asarray(value).astype(x.dtype), x)


def _masked_select_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng)
    f = _f(dtype)
    yield Sample((mk((3, 4)), make((3, 4), fl.bool, rng)), {}, "same shape", f)
    yield Sample((mk((3, 1)), make((3, 4), fl.bool, rng)), {}, "input broadcasts", f)
    yield Sample((Strided(mk((2, 4))), make((4,), fl.bool, rng)), {}, "strided", f)
    yield Sample((mk((0, 3)), make((3,), fl.bool, rng)), {}, "empty", f)


def _masked_select_ref(x, mask):
    xb, mb = np.broadcast_arrays(x, mask)
    return xb[mb]


def _nonzero_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng, low=0, high=2, integral=True)
    yield Sample((mk((3, 4)),), {}, "2-d", False)
    yield Sample((mk((2, 3, 2)),), {}, "3-d", False)
    yield Sample((mk((5,)),), {}, "1-d", False)
    yield Sample((mk(()),), {}, "0-d", False)
    yield Sample((mk((0, 3)),), {}, "empty", False)
    yield Sample((Transposed(mk((4, 3))),), {}, "transposed", False)


# --- sorting, unique -----------------------------------------------------------------

def _sort_idx(x, dim, descending):
    if x.ndim == 0:
        return np.zeros((), np.int64)
    if x.size == 0:
        return np.zeros(x.shape, np.int64)

    def lane(v):
        if not descending:
            return np.argsort(v, kind="stable")
        # ranks turn "largest first, ties in input order" into a stable ascending sort
        _, rank = np.unique(v, return_inverse=True)
        return np.argsort(-rank.reshape(-1), kind="stable")
    return np.apply_along_axis(lane, dim, x).astype(np.int64)


def _sort_ref(x, dim=-1, descending=False, stable=True):
    idx = _sort_idx(x, dim % max(x.ndim, 1), descending)
    vals = x.copy() if x.ndim == 0 else np.take_along_axis(x, idx, axis=dim)
    return vals, idx


def _argsort_ref(x, dim=-1, descending=False, stable=True):
    return _sort_ref(x, dim, descending)[1]


def _sort_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng, low=0, high=4, integral=True)  # many ties
    f = _f(dtype)
    for desc in (False, True):
        kw = {"descending": desc, "stable": True}
        tag = "descending" if desc else "ascending"
        yield Sample((mk((3, 7)),), dict(kw), f"{tag}, last dim, ties", False)
        yield Sample((mk((5, 3)),), {"dim": 0, **kw}, f"{tag}, dim 0", False)
        yield Sample((Transposed(mk((6, 3))),), dict(kw), f"{tag}, transposed", False)
        yield Sample((mk(()),), dict(kw), f"{tag}, 0-d", False)
        yield Sample((mk((0, 3)),), dict(kw), f"{tag}, empty", False)
        if f:
            x = make((2, 5), dtype, rng)
            x[0, 1] = x[1, 3] = np.nan
            yield Sample((x,), dict(kw), f"{tag}, NaN sorts as largest", False)
    # distinct values: the place for a gradient check
    yield Sample((_distinct((3, 5), dtype, rng),), {"descending": True, "stable": True},
                 "distinct values, descending", f)


def _distinct(shape, dtype, rng):
    """Values with no repeat along the last dim (so topk's choice is determined)."""
    n = shape[-1]
    base = np.argsort(rng.random(shape), axis=-1) - (0 if dtype is fl.uint8 else n // 2)
    a = base.astype(np.float64)
    if dtype.is_floating_point:
        a = a * 0.75
    return a.astype(dtype.name)


def _topk_samples(dtype, rng):
    f = _f(dtype)
    for largest in (True, False):
        tag = "largest" if largest else "smallest"
        yield Sample((_distinct((3, 6), dtype, rng),), {"k": 2, "largest": largest},
                     f"{tag} 2", f)
        yield Sample((_distinct((6,), dtype, rng),), {"k": 6, "largest": largest},
                     f"{tag}, k = size", f)
        yield Sample((_distinct((4, 5), dtype, rng),), {"k": 0, "largest": largest},
                     f"{tag}, k = 0", f)
        yield Sample((Transposed(_distinct((3, 5), dtype, rng).T.copy()),),
                     {"k": 3, "dim": 0, "largest": largest}, f"{tag}, dim 0, transposed", f)


def _topk_ref(x, k, dim=-1, largest=True, sorted=True):
    v, i = _sort_ref(x, dim, descending=largest)
    sl = (slice(None),) * (dim % x.ndim) + (slice(0, k),)
    return v[sl], i[sl]


def _unique_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng, low=0, high=4, integral=True)
    for inv, cnt in ((False, False), (True, False), (True, True)):
        kw = {"return_inverse": inv, "return_counts": cnt}
        yield Sample((mk((3, 5)),), dict(kw), f"inverse={inv} counts={cnt}", False)
    yield Sample((mk(()),), {"return_counts": True}, "0-d", False)
    yield Sample((mk((0,)),), {"return_inverse": True, "return_counts": True}, "empty",
                 False)
    yield Sample((make((5, 2), dtype, rng, low=0, high=2, integral=True),),
                 {"dim": 0, "return_inverse": True, "return_counts": True}, "rows", False)


def _unique_ref(x, sorted=True, return_inverse=False, return_counts=False, dim=None):
    vals, inv, counts = np.unique(x, return_inverse=True, return_counts=True, axis=dim)
    out = (vals,)
    if return_inverse:
        out += (inv.reshape(x.shape if dim is None else (-1,)).astype(np.int64),)
    if return_counts:
        out += (counts.astype(np.int64),)
    return out[0] if len(out) == 1 else out


def _take_samples(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng)
    f = _f(dtype)
    yield Sample((mk((3, 4)), _ix((3, 2), 4, rng)), {"dim": 1}, "dim 1", f)
    yield Sample((mk((3, 4)), _ix((5, 1), 3, rng)), {"dim": 0}, "indices broadcast", f)
    yield Sample((mk((3, 4)), _ix((5,), 12, rng)), {"dim": None}, "flattened", f)


def _take_ref(x, indices, dim=None):
    if dim is None:
        return np.take_along_axis(x.reshape(-1), indices.reshape(-1), axis=0)
    shape = list(np.broadcast_shapes(
        tuple(1 if k == dim else s for k, s in enumerate(x.shape)),
        tuple(1 if k == dim else s for k, s in enumerate(indices.shape))))
    xs, js = list(shape), list(shape)
    xs[dim], js[dim] = x.shape[dim], indices.shape[dim]
    return np.take_along_axis(np.broadcast_to(x, xs), np.broadcast_to(indices, js), dim)


ENTRIES = [
    OpInfo("getitem_advanced", lambda x, index: x[index], _adv_ref, _adv_samples, ALL,
           table_ops=("getitem",), memory=True),
    OpInfo("setitem", _setitem, _setitem_ref, _setitem_samples, ALL,
           table_ops=("setitem_",), mutates=True),
    OpInfo("copy_", lambda dst, src: dst.copy_(src), _copy_ref, _copy_samples, ALL,
           mutates=True),
    OpInfo("fill_", lambda x, value: x.fill_(value), _fill_ref, _fill_samples, ALL,
           table_ops=("setitem_",), mutates=True),
    OpInfo("gather", fl.gather, _gather_ref, _gather_samples, ALL),
    OpInfo("scatter", fl.scatter, _scatter_ref, _scatter_samples, ALL),
    OpInfo("scatter_add", fl.scatter_add, _scatter_add_ref, _scatter_add_samples, NUMBERS),
    OpInfo("index_select", fl.index_select, _index_select_ref, _index_select_samples, ALL),
    OpInfo("index_put", lambda x, i, j, v, accumulate: fl.index_put(x, (i, j), v, accumulate),
           _index_put_ref, _index_put_samples, ALL),
    OpInfo("masked_fill", fl.masked_fill, _masked_fill_ref, _masked_fill_samples, ALL),
    OpInfo("masked_select", fl.masked_select, _masked_select_ref, _masked_select_samples,
           ALL),
    OpInfo("nonzero", fl.nonzero, lambda x: np.argwhere(x).astype(np.int64),
           _nonzero_samples, ALL),
    OpInfo("nonzero_tuple", lambda x: fl.nonzero(x, as_tuple=True),
           lambda x: tuple(i.astype(np.int64) for i in np.nonzero(np.atleast_1d(x))),
           _nonzero_samples, ALL, table_ops=("nonzero", "getitem")),
    OpInfo("sort", fl.sort, _sort_ref, _sort_samples, ALL),
    OpInfo("argsort", fl.argsort, _argsort_ref, _sort_samples, ALL,
           table_ops=("sort",)),
    OpInfo("topk", fl.topk, _topk_ref, _topk_samples, NUMBERS),
    OpInfo("unique", fl.unique, _unique_ref, _unique_samples, ALL),
    OpInfo("take_along_dim", fl.take_along_dim, _take_ref, _take_samples, ALL,
           table_ops=("gather", "expand")),
]
