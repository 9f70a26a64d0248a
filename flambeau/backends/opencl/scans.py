"""Scans along a dim (cumsum, cumprod, softmax, log_softmax), prefix sums, nonzero.

The ops along a dim run one work-item per *row* (every index of the other dims): the
work-item finds where its row starts, then walks the row with the dim's stride, so
any input layout works without a copy. That is the right shape of parallelism for
what models do (many rows: a batch of logits); a single huge row runs serially.

``nonzero`` needs a parallel prefix sum over the whole input (which element goes
where), done in blocks: scan each block, scan the block totals (recursively), add.
"""

from __future__ import annotations

import numpy as np

from . import codegen
from .array import CTYPE, MAXDIM, CLArray, dims, empty, read_size
from .codegen import DIMS, compute_ctype, dims_decl, walk
from .elementwise import copy_to_contiguous, misc

__all__ = ["kernels", "nonzero", "inclusive_scan", "along"]

_I64, _I32 = np.dtype(np.int64), np.dtype(np.int32)


def along(x: CLArray, dim: int):
    """``(rows, other shape, other strides, length, stride)`` of ``x`` seen as rows
    along ``dim``."""
    other = [k for k in range(x.ndim) if k != dim]
    shape = tuple(x.shape[k] for k in other)
    rows = 1
    for s in shape:
        rows *= s
    return rows, shape, tuple(x.strides[k] for k in other), x.shape[dim], x.strides[dim]


# Row programs per dtype: body reads X(k) (element k of the row, compute type), writes
# OUT(k, value), knows the row length n; ACC is the compute type.
_ROW_BODIES = {
    "cumsum": "ACC acc = 0; for (long k = 0; k < n; ++k) { acc = acc + X(k); OUT(k, acc); }",
    "cumprod": "ACC acc = 1; for (long k = 0; k < n; ++k) { acc = acc * X(k); OUT(k, acc); }",
}
# the max makes exp safe; an all -inf row gives NaN, like the reference
_SOFTMAX = """ACC m = -INFINITY, s = 0;
  for (long k = 0; k < n; ++k) { ACC v = X(k); m = (v > m || isnan(v)) ? v : m; }
  for (long k = 0; k < n; ++k) s += exp(X(k) - m);
  for (long k = 0; k < n; ++k) { WRITE }"""
_FLOAT_BODIES = {
    "softmax": _SOFTMAX.replace("WRITE", "OUT(k, exp(X(k) - m) / s);"),
    "log_softmax": _SOFTMAX.replace("WRITE", "OUT(k, X(k) - m - log(s));"),
}


def _rows_source(dt) -> str:
    d = np.dtype(dt)
    bodies = dict(_ROW_BODIES, **(_FLOAT_BODIES if d.kind == "f" else {}))
    ct = CTYPE[d.name]
    head = (codegen.load_macro("LDX", "x", d) + "#define X(k) LDX(ix + (k) * sx)\n" +
            "#define OUT(k, v) " + codegen.store_stmt("o", "io + (k) * so", "v", d) + "\n" +
            f"#define ACC {compute_ctype(d)}\n")
    return head + "".join(f"""
__kernel void rows_{name}(long nrows, long n, int nd, {dims_decl("sh")},
                   __global const {ct} *x, long x_off, {dims_decl("xs")}, long sx,
                   __global {ct} *o, {dims_decl("os")}, long so)
{{
  long r = get_global_id(0);
  if (r >= nrows) return;
  long ix = x_off, io = 0;
  {walk("r", "nd", "sh", [("ix", "xs"), ("io", "os")])}
  {body}
}}
""" for name, body in bodies.items())


def row_kernel(name: str, x: CLArray, dim: int) -> CLArray:
    """Run the row program ``name`` (cumsum, cumprod, softmax, log_softmax) once per
    row of ``x`` along ``dim``, into a new array of ``x``'s shape and dtype."""
    out_dtype = x.dtype
    dev = x.dev
    out = empty(x.shape, out_dtype, dev)
    if out.size == 0:
        return out
    ov = out
    if x.ndim == 0:  # a 0-d input is one row of one element
        x, ov, dim = x.view((1,), (0,)), out.view((1,), (1,)), 0
    rows, oshape, ost, n, st = along(x, dim)
    _, _, out_ost, _, out_st = along(ov, dim)
    dt = x.dtype.name
    k = dev.kernel(("rows", dt), lambda: _rows_source(dt), f"rows_{name}",
                   [_I64, _I64, _I32, *DIMS, None, _I64, *DIMS, _I64, None, *DIMS, _I64])
    dev.launch(k, rows, [rows, n, len(oshape), *dims(oshape, 1), x.buf, x.offset,
                         *dims(ost, 0), st, out.buf, *dims(out_ost, 0), out_st])
    return out


def _scan(name: str):
    def kernel(x: CLArray, dim: int) -> CLArray:
        return row_kernel(name, x, dim if x.ndim else 0)
    kernel.__name__ = name
    return kernel


def _softmax(name: str):
    def kernel(x: CLArray, dim: int) -> CLArray:
        if x.ndim == 0:
            return misc("zero" if name == "log_softmax" else "one", x.dtype, [x])
        return row_kernel(name, x, dim)
    kernel.__name__ = name
    return kernel


# --- prefix sums and nonzero ---------------------------------------------------------

_SCAN_BLOCK = 1024

_SCAN_SRC = f"""
__kernel void scan_blocks(long n, __global long *a, __global long *sums) {{
  long b = get_global_id(0), lo = b * {_SCAN_BLOCK};
  if (lo >= n) return;
  long hi = min(lo + {_SCAN_BLOCK}L, n), acc = 0;
  for (long i = lo; i < hi; ++i) {{ acc += a[i]; a[i] = acc; }}
  sums[b] = acc;
}}
__kernel void scan_add(long n, __global long *a, __global const long *sums) {{
  long i = get_global_id(0);
  if (i >= n) return;
  long b = i / {_SCAN_BLOCK};
  if (b > 0) a[i] += sums[b - 1];
}}
"""


def inclusive_scan(a: CLArray) -> CLArray:
    """In place: the contiguous int64 array ``a`` becomes its inclusive prefix sum."""
    dev, n = a.dev, a.size
    nb = -(-n // _SCAN_BLOCK)
    sums = empty((nb,), _I64, dev)
    k1 = dev.kernel(("scan_blocks",), lambda: _SCAN_SRC, "scan_blocks", [_I64, None, None])
    dev.launch(k1, nb, [n, a.buf, sums.buf])
    if nb > 1:
        inclusive_scan(sums)
        k2 = dev.kernel(("scan_add",), lambda: _SCAN_SRC, "scan_add", [_I64, None, None])
        dev.launch(k2, n, [n, a.buf, sums.buf])
    return a


def nonzero(x: CLArray) -> CLArray:
    """``(count, ndim)`` int64 positions of the non-zero elements, row-major. The
    count is the one number read back to the host (to size the output)."""
    dev, n, nd = x.dev, x.size, x.ndim
    if n == 0:
        return empty((0, nd), _I64, dev)
    flags = misc("nonzero_i64", x.dtype, [x]).view((n,), (1,))
    incl = inclusive_scan(copy_to_contiguous(flags))
    count = read_size(incl.view((1,), (1,), n - 1))
    out = empty((count, nd), _I64, dev)
    if count == 0 or nd == 0:
        return out
    coords = "\n  ".join(f"if (nd > {d}) {{ o[row + nd - {d + 1}] = r % sh{d}; r /= sh{d}; }}"
                         for d in range(MAXDIM))
    src = f"""
__kernel void nz(long n, int nd, {dims_decl("sh")}, __global const long *flag,
                 __global const long *incl, __global long *o) {{
  long i = get_global_id(0);
  if (i >= n || !flag[i]) return;
  long row = (incl[i] - 1) * nd, r = i;
  {coords}
}}
"""
    k = dev.kernel(("nonzero",), lambda: src, "nz", [_I64, _I32, *DIMS, None, None, None])
    dev.launch(k, n, [n, nd, *dims(x.shape, 1), flags.buf, incl.buf, out.buf])
    return out


def kernels() -> dict:
    return {"cumsum": _scan("cumsum"), "cumprod": _scan("cumprod"),
            "softmax": _softmax("softmax"), "log_softmax": _softmax("log_softmax")}
