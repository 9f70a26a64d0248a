"""Composites for the index rows (see :mod:`flambeau.composites`).

gather/scatter address element ``(i0, ..., index[i], ..., ik)`` with one advanced index
per dim (``arange`` grids that broadcast against ``index``), read with ``getitem`` and
written with ``index_put`` (``accumulate=True`` sums repeats: scatter_add). Masks and
nonzero use boolean ``getitem``; topk and unique build on the stable ``sort``. Besides
primitives only ``cumsum`` (unique's group numbers) is used, and the shape composites.
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.dtypes import bool_, int64
from ..dispatcher.optable import OPS
from ..dispatcher.shapes import broadcast_shapes
from .shape import along, arange, axis_grid, clone, full, getitem, natives, reshape, zero

_call = dispatch.call


def _positions(index, dim):
    """The advanced index tuple that addresses, along ``dim``, the entries ``index``
    names, and elsewhere the position each index entry sits at."""
    shape, n = index._data.shape, index.ndim
    return tuple(index if a == dim else axis_grid(shape[a], a, n, index._device)
                 for a in range(n))


def _ne(a, b):
    # a != b from the primitives: (a == b) xor True
    return _call(OPS["bitwise_xor"], _call(OPS["eq"], a, b), True)


def gather(x, index, dim):
    if not x.ndim:  # a 0-d input has one element, and index can only name it
        return clone(x)
    return getitem(x, _positions(index, dim))


def scatter(x, index, src, dim):
    if not isinstance(src, dispatch.Tensor):
        src = full((), src, x._dtype, x._device)
    return _call(OPS["index_put"], x, src, index=natives(_positions(index, dim)),
                 accumulate=False)


def scatter_add(x, index, src, dim):
    return _call(OPS["index_put"], x, src, index=natives(_positions(index, dim)),
                 accumulate=True)


def index_select(x, index, dim):
    return getitem(x, along(dim, index))


def masked_fill(x, mask, value):
    return _call(OPS["where"], mask, value, x)


def masked_select(x, mask):
    shape = broadcast_shapes(x._data.shape, mask._data.shape, op="masked_select")
    x = _call(OPS["expand"], x, shape=shape)
    mask = _call(OPS["expand"], mask, shape=shape)
    return getitem(x, (mask,))


def nonzero(x):
    """A grid of every position's coordinates, shape ``(*x.shape, ndim)``, selected
    by the mask ``x != 0`` (row-major, as boolean indexing reads)."""
    shape, n = x._data.shape, x.ndim
    mask = x if x._dtype is bool_ else _ne(x, zero(x._dtype))
    coords = full(shape + (n,), 0, int64, x._device)
    for a in range(n):
        grid = axis_grid(shape[a], 0, n - a, x._device)  # broadcasts over dims a..n-1
        _call(OPS["setitem_"], coords, grid, index=(Ellipsis, a))
    return getitem(coords, (mask,))


def topk(x, k, dim=-1, largest=True, sorted=True):
    # always sorted: a sorted answer is also a valid unsorted one
    vals, idx = _call(OPS["sort"], x, dim=dim, descending=largest, stable=True)
    if not x.ndim:
        return vals, idx
    return getitem(vals, along(dim, slice(0, k))), getitem(idx, along(dim, slice(0, k)))


def _lexsort_rows(rows):
    """The permutation that sorts the rows of 2-D ``rows`` lexicographically: stable
    sorts by each column, last column first."""
    m, r = rows._data.shape
    perm = arange(0, m, device=rows._device)
    for c in reversed(range(r)):
        key = getitem(rows, (perm, c))
        _, p = _call(OPS["sort"], key, dim=0, descending=False, stable=True)
        perm = getitem(perm, (p,))
    return perm


def unique(x, return_inverse=False, return_counts=False, dim=None):
    """Sort the values (or the rows along ``dim``), keep those that start a run of
    equal ones; the inverse is each sorted element's run number sent back through the
    sort's permutation, the counts are those run numbers tallied with ``index_put``."""
    dev = x._device
    if dim is None:
        s, perm = _call(OPS["sort"], reshape(x, (x.numel(),)), dim=0, descending=False,
                        stable=True)
        rows = reshape(s, (x.numel(), 1))
    else:
        moved = (dim,) + tuple(d for d in range(x.ndim) if d != dim)
        moved_x = _call(OPS["permute"], x, dims=moved)
        m = x._data.shape[dim]
        rows = reshape(moved_x, (m, x.numel() // m if m else 0))
        perm = _lexsort_rows(rows)
        rows = getitem(rows, (perm,))
    m = rows._data.shape[0]
    # starts[i]: sorted row i differs from row i - 1 in some column (row 0 starts)
    starts = full((m,), True, bool_, dev)
    if m > 1:
        differ = _ne(getitem(rows, (slice(1, None),)), getitem(rows, (slice(None, -1),)))
        ndiffer = _call(OPS["sum"], _call(OPS["cast"], differ, dtype=int64), dim=(1,),
                        keepdim=False)
        _call(OPS["setitem_"], starts, _call(OPS["lt"], 0, ndiffer),
              index=(slice(1, None),))
    kept = getitem(rows, (starts,))
    u = kept._data.shape[0]
    if dim is None:
        vals = reshape(kept, (u,))
    else:
        kept = reshape(kept, (u,) + moved_x._data.shape[1:])
        back = tuple(moved.index(d) for d in range(x.ndim))
        vals = clone(_call(OPS["permute"], kept, dims=back))
    inverse = counts = None
    if return_inverse or return_counts:
        run = _call(OPS["cumsum"], _call(OPS["cast"], starts, dtype=int64), dim=0)
        run = _call(OPS["add"], run, -1)
        if return_inverse:
            inverse = _call(OPS["index_put"], full((m,), 0, int64, dev), run,
                            index=(perm._data,), accumulate=False)
            inverse = reshape(inverse, x._data.shape if dim is None else (m,))
        if return_counts:
            counts = _call(OPS["index_put"], full((u,), 0, int64, dev),
                           full((m,), 1, int64, dev), index=(run._data,), accumulate=True)
    return vals, inverse, counts


COMPOSITES: dict = {
    "gather": gather, "scatter": scatter, "scatter_add": scatter_add,
    "index_select": index_select, "masked_fill": masked_fill,
    "masked_select": masked_select, "nonzero": nonzero, "topk": topk, "unique": unique,
}
