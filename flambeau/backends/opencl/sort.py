"""Sorting: sort, topk, unique, and the argsort that randperm and multinomial use.

Rows (the sorted dim moved last, in a contiguous copy) are sorted by a stable
bottom-up merge sort of (key, original index) pairs: one kernel insertion-sorts runs
of ``RUN`` elements, then each merge pass doubles the run length, one work-item per
pair of runs per row. Stability is what PyTorch's ``stable=True`` promises and what
``unique`` and ``argsort`` need; NaN sorts as the largest value (first when
descending), as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from .array import CTYPE, CLArray, contiguous_strides, empty, read_size
from .indexing import index_select
from .reductions import reduce
from .elementwise import binary, copy_into, copy_to_contiguous, misc
from .scans import inclusive_scan
from .shape import basic_index, permute, view

__all__ = ["kernels", "sort_rows", "argsort_rows"]

_I64 = np.dtype(np.int64)
RUN = 16

_SRC = """
#define BEFORE(a, b) ({before})
__kernel void runs_{tag}(long rows, long n, __global {ct} *v, __global long *ix) {{
  long g = get_global_id(0), per = (n + {run} - 1) / {run};
  if (g >= rows * per) return;
  long row = g / per, lo = row * n + (g % per) * {run}, hi = min(lo + {run}, row * n + n);
  for (long i = lo; i < hi; ++i) ix[i] = i - row * n;
  for (long i = lo + 1; i < hi; ++i) {{   /* insertion sort: stable */
    {ct} kv = v[i]; long ki = ix[i]; long j = i - 1;
    while (j >= lo && BEFORE(LD(kv), LDP(v, j))) {{ v[j + 1] = v[j]; ix[j + 1] = ix[j]; --j; }}
    v[j + 1] = kv; ix[j + 1] = ki;
  }}
}}
__kernel void merge_{tag}(long rows, long n, long w, __global const {ct} *v,
                          __global const long *ix, __global {ct} *v2, __global long *ix2) {{
  long g = get_global_id(0), per = (n + 2 * w - 1) / (2 * w);
  if (g >= rows * per) return;
  long row = g / per, base = row * n, lo = (g % per) * 2 * w;
  long mid = min(lo + w, n), hi = min(lo + 2 * w, n), i = lo, j = mid, o = lo;
  while (i < mid && j < hi) {{   /* the right run goes first only when strictly before */
    if (BEFORE(LDP(v, base + j), LDP(v, base + i))) {{
      v2[base + o] = v[base + j]; ix2[base + o] = ix[base + j]; ++j; }}
    else {{ v2[base + o] = v[base + i]; ix2[base + o] = ix[base + i]; ++i; }}
    ++o;
  }}
  for (; i < mid; ++i, ++o) {{ v2[base + o] = v[base + i]; ix2[base + o] = ix[base + i]; }}
  for (; j < hi; ++j, ++o) {{ v2[base + o] = v[base + j]; ix2[base + o] = ix[base + j]; }}
}}
#undef BEFORE
"""


def _before(dtype, descending: bool) -> str:
    if dtype.kind == "f":
        if descending:
            return "(isnan(a) && !isnan(b)) || (a) > (b)"
        return "!isnan(a) && (isnan(b) || (a) < (b))"
    return "(a) > (b)" if descending else "(a) < (b)"


def sort_rows(x: CLArray, descending: bool = False):
    """Sort each row of the 2-d ``x``: ``(values, int64 indices)``, new arrays."""
    dev, dt = x.dev, x.dtype
    rows, n = x.shape
    v = copy_to_contiguous(x)
    ix = empty((rows, n), _I64, dev)
    if v.size == 0:
        return v, ix
    ct = CTYPE[dt.name]
    if dt.name == "float16":
        ld = "#define LD(x) vload_half(0, &(x))\n#define LDP(p, i) vload_half((i), (p))\n"
    else:
        ld = "#define LD(x) (x)\n#define LDP(p, i) ((p)[i])\n"

    def source():  # ascending and descending in one program
        return ld + "".join(_SRC.format(before=_before(dt, desc), ct=ct, run=RUN, tag=tag)
                            for desc, tag in ((False, "asc"), (True, "desc")))
    key, tag = ("sort", dt.name), "desc" if descending else "asc"
    k1 = dev.kernel(key, source, f"runs_{tag}", [_I64, _I64, None, None])
    per = -(-n // RUN)
    dev.launch(k1, rows * per, [rows, n, v.buf, ix.buf])
    w = RUN
    if w < n:
        k2 = dev.kernel(key, source, f"merge_{tag}",
                        [_I64, _I64, _I64, None, None, None, None])
        v2, ix2 = empty((rows, n), dt, dev), empty((rows, n), _I64, dev)
        while w < n:
            pairs = -(-n // (2 * w))
            dev.launch(k2, rows * pairs, [rows, n, w, v.buf, ix.buf, v2.buf, ix2.buf])
            v, v2, ix, ix2 = v2, v, ix2, ix
            w *= 2
    return v, ix


def argsort_rows(x: CLArray, descending: bool = False) -> CLArray:
    return sort_rows(x, descending)[1]


def _rows_along(x: CLArray, dim: int):
    """``x`` with ``dim`` moved last, as 2-d rows, and how to undo it."""
    order = [d for d in range(x.ndim) if d != dim] + [dim]
    moved = permute(x, order)
    n = x.shape[dim]
    rows = x.size // n if n else 0
    flat = view(copy_to_contiguous(moved), (rows, n))
    back = [order.index(d) for d in range(x.ndim)]
    return flat, moved.shape, back


def sort(x: CLArray, dim=-1, descending=False, stable=False):
    if x.ndim == 0:
        return copy_to_contiguous(x), misc("zero_i64", x.dtype, [x])
    if x.size == 0:
        return copy_to_contiguous(x), empty(x.shape, _I64, x.dev)
    flat, moved_shape, back = _rows_along(x, dim)
    v, ix = sort_rows(flat, descending)
    v, ix = view(v, moved_shape), view(ix, moved_shape)
    return (copy_to_contiguous(permute(v, back)), copy_to_contiguous(permute(ix, back)))


def topk(x: CLArray, k, dim=-1, largest=True, sorted=True):
    v, ix = sort(x, dim, descending=largest)
    if x.ndim == 0:
        return v, ix
    index = (slice(None),) * dim + (slice(0, k),)
    return (copy_to_contiguous(basic_index(v, index)),
            copy_to_contiguous(basic_index(ix, index)))


# --- unique ----------------------------------------------------------------------------

_UNIQUE_SRC = """
__kernel void uq(long n, long width, __global const {ct} *v, __global const long *order,
                 __global const long *incl, __global {ct} *vals, __global long *inv,
                 __global long *start) {{
  long i = get_global_id(0);
  if (i >= n) return;
  long u = incl[i] - 1;
  inv[order[i]] = u;
  if (i == 0 || incl[i] != incl[i - 1]) {{
    start[u] = i;
    for (long c = 0; c < width; ++c) vals[u * width + c] = v[i * width + c];
  }}
}}
__kernel void counts(long nu, long n, __global const long *start, __global long *cnt) {{
  long u = get_global_id(0);
  if (u >= nu) return;
  cnt[u] = (u + 1 < nu ? start[u + 1] : n) - start[u];
}}
"""


def unique(x: CLArray, return_inverse=False, return_counts=False, dim=None):
    """Sorted distinct values (or rows along ``dim``), inverse indices and counts. The
    number of distinct values is the one integer read back, to size the outputs."""
    dev, dt = x.dev, x.dtype
    if dim is None:
        rows = view(copy_to_contiguous(x), (x.size, 1))
    else:
        moved = permute(x, [dim] + [d for d in range(x.ndim) if d != dim])
        rest = moved.shape[1:]
        width = 1
        for s in rest:
            width *= s
        rows = view(copy_to_contiguous(moved), (x.shape[dim], width))
    n, width = rows.shape
    if n == 0:
        vals = empty((0,) if dim is None else x.shape, dt, dev)
        return (vals, empty(x.shape if dim is None else (0,), _I64, dev),
                empty((0,), _I64, dev))
    # lexicographic order of rows: stable sorts by each column, last column first
    order = None
    for c in reversed(range(width)):
        col = basic_index(rows, (slice(None), c))
        if order is not None:
            col = index_select(col, order, 0)
        perm = argsort_rows(view(copy_to_contiguous(col), (1, n))).view((n,), (1,))
        if order is None:
            order = perm
        else:
            order = index_select(order, perm, 0)
    srt = index_select(rows, order, 0)             # (n, width), rows in order
    # a new value starts where a row differs from the one before it
    prev = basic_index(srt, (slice(0, n - 1),))
    nxt = basic_index(srt, (slice(1, n),))
    diff = binary("ne")(nxt, prev)
    starts = empty((n,), _I64, dev)
    copy_into(basic_index(starts, (slice(0, 1),)), 1)
    if n > 1:
        copy_into(basic_index(starts, (slice(1, n),)), reduce(diff, (1,), False, "any"))
    incl = inclusive_scan(starts)
    nu = read_size(incl.view((1,), (1,), n - 1))
    vals = empty((nu, width), dt, dev)
    inv = empty((n,), _I64, dev)
    start = empty((nu,), _I64, dev)
    ct = CTYPE[dt.name]
    src = _UNIQUE_SRC.format(ct=ct)
    k = dev.kernel(("unique", dt.name), lambda: src, "uq",
                   [_I64, _I64, None, None, None, None, None, None])
    dev.launch(k, n, [n, width, srt.buf, order.buf, incl.buf, vals.buf, inv.buf, start.buf])
    counts = None
    if return_counts:
        counts = empty((nu,), _I64, dev)
        k2 = dev.kernel(("unique", dt.name), lambda: src, "counts",
                        [_I64, _I64, None, None])
        dev.launch(k2, nu, [nu, n, start.buf, counts.buf])
    if dim is None:
        vals = vals.view((nu,), (1,))
        inv = inv.view(x.shape, contiguous_strides(x.shape))
    else:
        shape = (nu,) + x.shape[:dim] + x.shape[dim + 1:]
        vals = view(vals, shape)
        back = list(range(1, dim + 1)) + [0] + list(range(dim + 1, x.ndim))
        vals = copy_to_contiguous(permute(vals, back))
    return vals, inv if return_inverse else None, counts


def kernels() -> dict:
    return {"sort": sort, "topk": topk, "unique": unique}

