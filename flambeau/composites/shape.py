"""Composites for the shape rows (see :mod:`flambeau.composites`).

Everything here is a fresh buffer (``full``) written with ``copy_``/``setitem_``, or
an advanced ``getitem`` with int64 index arrays built from ``arange``; masks come from
``arange`` grids compared with ``lt``. Only primitives are used, so
:mod:`flambeau.composites.index` (and any other group) may build on these.
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.dtypes import bool_, int64
from ..dispatcher.optable import OPS

_call = dispatch.call


# --- helpers (also used by flambeau.composites.index) --------------------------------

def zero(dtype):
    return False if dtype is bool_ else 0.0 if dtype.is_floating_point else 0


def full(shape, value, dtype, device):
    """A new C-contiguous tensor of ``shape`` filled with ``value``."""
    return _call(OPS["full"], shape=tuple(shape), fill_value=value, dtype=dtype,
                 device=device)


def zeros_like(x, shape=None):
    return full(x._data.shape if shape is None else shape, zero(x._dtype), x._dtype,
                x._device)


def arange(start, end, step=1, *, device):
    """int64 ``start, start + step, ...`` below ``end`` (above it for a negative step)."""
    return _call(OPS["arange"], start=start, end=end, step=step, dtype=int64,
                 device=device)


def view(x, shape):
    return _call(OPS["view"], x, shape=tuple(shape))


def natives(index):
    """An index tuple as kernels take it: tensors in it replaced by their native arrays."""
    return tuple(i._data if isinstance(i, dispatch.Tensor) else i for i in index)


def getitem(x, index):
    """``x[index]``; ``index`` may hold tensors (int64 or bool)."""
    return _call(OPS["getitem"], x, index=natives(index))


def clone(x):
    """A C-contiguous copy with its own memory: a new buffer, then ``copy_`` into it
    (works for 0-d, empty, non-contiguous and expanded inputs alike)."""
    out = zeros_like(x)
    _call(OPS["copy_"], out, x)
    return out


def reshape(x, shape):
    """``x`` seen with ``shape``: a view when strides allow, else a view of a clone."""
    try:
        return view(x, shape)
    except ValueError:
        return view(clone(x), shape)


def axis_grid(n, dim, ndim, device):
    """``arange(n)`` shaped to broadcast along ``dim`` of an ``ndim``-d tensor."""
    return view(arange(0, n, device=device), (1,) * dim + (n,) + (1,) * (ndim - dim - 1))


def along(dim, item):
    """An index tuple that takes ``item`` along ``dim`` and everything elsewhere."""
    return (slice(None),) * dim + (item,)


# --- the rows --------------------------------------------------------------------------

def contiguous(x):
    return clone(x)


def cat(*xs, dim):
    """A buffer of the joined shape, each piece written into its slice."""
    first = xs[0]._data.shape
    total = sum(x._data.shape[dim] for x in xs)
    out = zeros_like(xs[0], first[:dim] + (total,) + first[dim + 1:])
    start = 0
    for x in xs:
        n = x._data.shape[dim]
        if n:
            _call(OPS["setitem_"], out, x, index=along(dim, slice(start, start + n)))
        start += n
    return out


def flip(x, dims):
    """One gather per flipped dim with the reversed positions ``n-1, ..., 0``."""
    out = x
    for d in dims:
        n = x._data.shape[d]
        out = getitem(out, along(d, arange(n - 1, -1, -1, device=x._device)))
    return clone(x) if out is x else out


def roll(x, shifts, dims=None):
    """Per dim, take positions ``-s, ..., n-1-s``: the negative ones wrap around."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        flat = reshape(x, (x.numel(),))
        return reshape(roll(flat, (sum(shifts),), (0,)), x._data.shape)
    total = {}
    for s, d in zip(shifts, dims):  # repeated dims add up, as in NumPy
        total[d] = total.get(d, 0) + s
    out = x
    for d, s in total.items():
        n = x._data.shape[d]
        if n:
            s %= n
            out = getitem(out, along(d, arange(-s, n - s, device=x._device)))
    return clone(x) if out is x else out


def tile(x, reps):
    """Interleave a new size-1 dim before each dim, expand those to ``reps``, copy,
    and merge each (rep, size) pair."""
    lead = len(reps) - x.ndim
    shape = (1,) * lead + x._data.shape
    index = ()
    for k in range(len(reps)):
        index += (None, None if k < lead else slice(None))
    pairs = ()
    for r, s in zip(reps, shape):
        pairs += (r, s)
    spread = _call(OPS["expand"], getitem(x, index), shape=pairs)
    return view(clone(spread), tuple(r * s for r, s in zip(reps, shape)))


def _tri_grids(x, diagonal):
    """(rows + diagonal) as a column and cols as a row, for the last two dims of x."""
    m, n = x._data.shape[-2:]
    rows = _call(OPS["add"], axis_grid(m, 0, 2, x._device), diagonal)
    return rows, axis_grid(n, 1, 2, x._device)


def tril(x, diagonal=0):
    # keep col <= row + diagonal: zero where row + diagonal < col
    rows, cols = _tri_grids(x, diagonal)
    return _call(OPS["where"], _call(OPS["lt"], rows, cols), zero(x._dtype), x)


def triu(x, diagonal=0):
    # keep col >= row + diagonal: zero where col < row + diagonal
    rows, cols = _tri_grids(x, diagonal)
    return _call(OPS["where"], _call(OPS["lt"], cols, rows), zero(x._dtype), x)


COMPOSITES: dict = {
    "contiguous": contiguous, "clone": clone, "cat": cat, "flip": flip, "roll": roll,
    "tile": tile, "tril": tril, "triu": triu,
}
