"""The fast float GEMM: pack both operands into panels, then a register-blocked kernel.

Why this shape (measured with POCL on a 2-core AVX2 CPU, 1024^3 float32):

- a plain local-memory tiled kernel reaches ~8 GFLOP/s, a local-memory tile with
  8x8 register blocks ~5: POCL runs a work-group's work-items in a loop, so barriers
  and local tiles only add copies on a CPU;
- reading A and B in place, 8 rows per work-item, ~9: each step of k touches 8 rows
  of A and a fresh cache line of B;
- packing A into panels of ``TM`` rows stored k-major (``[panel][k][TM]``) and B into
  panels of ``TN`` columns (``[panel][k][TN]``) turns the inner loop into two
  contiguous streams feeding ``TM`` vector accumulators of width ``TN``: ~35. The
  packing passes cost O(n^2) against the product's O(n^3), and they are also where
  strides, transposes, batch broadcasting and ragged edges (zero padding) are dealt
  with, so the hot kernel knows none of them;
- the multiply-add is written ``acc += a * b`` and built with ``-cl-mad-enable``
  (which lets it fuse): OpenCL's ``fma()`` builtin is a correctly rounded library
  call on POCL and runs 3x slower.

On GPUs the same kernel is correct but not what a GPU wants; a device-specific tile
choice is future work.
"""

from __future__ import annotations

import numpy as np

from .array import CTYPE, CLArray, dims, empty
from .codegen import DIMS, dims_decl, walk

__all__ = ["run", "worth_it"]

_I64, _I32 = np.dtype(np.int64), np.dtype(np.int32)
# (rows per panel, columns per vector) by dtype: 8 accumulators of 512 bits (two AVX2
# registers each), the fastest of 4x8 .. 12x16 measured
_TILES = {"float32": (8, 16), "float64": (8, 8)}
_MIN_WORK = 64 * 64 * 64  # below this, three launches cost more than they save


def worth_it(dtype, n, m, k) -> bool:
    return dtype.name in _TILES and n * m * k >= _MIN_WORK


_SRC = """
#define T {ct}
#define TM {tm}
#define TN {tn}
#define VT {ct}{tn}
{vec_io}
__kernel void pack_a(long total, long M, long K, long mi, int nbd, {bsh}, {bst},
                     __global const T *A, long a_off, long s0, long s1, __global T *P) {{
  long g = get_global_id(0);
  if (g >= total) return;
  long r = g % TM, k = (g / TM) % K, i = (g / (TM * K)) % mi, bt = g / (TM * K * mi);
  long src = a_off;
  {walk}
  long row = i * TM + r;
  P[g] = row < M ? A[src + row * s0 + k * s1] : (T)0;
}}
__kernel void pack_b(long total, long N, long K, long nj, int nbd, {bsh}, {bst},
                     __global const T *B, long b_off, long s0, long s1, __global T *P) {{
  long g = get_global_id(0);
  if (g >= total) return;
  long c = g % TN, k = (g / TN) % K, j = (g / (TN * K)) % nj, bt = g / (TN * K * nj);
  long src = b_off;
  {walk}
  long col = j * TN + c;
  P[g] = col < N ? B[src + k * s0 + col * s1] : (T)0;
}}
__kernel void gemm(long M, long N, long K, long mi, long nj, long a_bstride,
                   long b_bstride, __global const T *Ap, __global const T *Bp,
                   __global T *C) {{
  long j = get_global_id(0), i = get_global_id(1), bt = get_global_id(2);
  if (j >= nj || i >= mi) return;
  __global const T *a = Ap + bt * a_bstride + i * K * TM;
  __global const T *b = Bp + bt * b_bstride + j * K * TN;
  VT {acc_decl};
  for (long k = 0; k < K; ++k) {{
    VT bv = LOADV(k, b);
    {acc_update}
  }}
  VT acc[TM] = {{{acc_list}}};
  __global T *c = C + bt * M * N;
  long row = i * TM, col = j * TN;
  if (col + TN <= N) {{
    for (int r = 0; r < TM; ++r) if (row + r < M) STOREV(acc[r], c + (row + r) * N + col);
  }} else {{
    for (int r = 0; r < TM; ++r) if (row + r < M) {{
      T vals[TN]; STOREV(acc[r], vals);
      for (int t = 0; col + t < N; ++t) c[(row + r) * N + col + t] = vals[t];
    }}
  }}
}}
"""

_OPTIONS = ["-cl-mad-enable"]


def _vec_io(ct: str, tn: int, itemsize: int) -> str:
    """Vector loads and stores. Vectors wider than 256 bits go as two halves, because
    passing a 512-bit vector to vload/vstore makes clang warn about the AVX ABI on
    AVX2 hosts (LLVM splits the arithmetic into two registers either way)."""
    if tn * itemsize <= 32:
        return (f"#define LOADV(k, p) vload{tn}((k), (p))\n"
                f"#define STOREV(v, p) vstore{tn}((v), 0, (p))")
    h = tn // 2
    return (f"#define LOADV(k, p) ({ct}{tn})(vload{h}(0, (p) + (k) * {tn}), "
            f"vload{h}(0, (p) + (k) * {tn} + {h}))\n"
            f"#define STOREV(v, p) do {{ vstore{h}((v).lo, 0, (p)); "
            f"vstore{h}((v).hi, 0, (p) + {h}); }} while (0)")


def _kernel(dev, dt, name, argdt):
    tm, tn = _TILES[dt.name]
    # the accumulators are spelled out: as an array LLVM keeps them in memory
    src = _SRC.format(ct=CTYPE[dt.name], tm=tm, tn=tn, bsh=dims_decl("sh"),
                      bst=dims_decl("st"), walk=walk("bt", "nbd", "sh", [("src", "st")]),
                      vec_io=_vec_io(CTYPE[dt.name], tn, dt.itemsize),
                      acc_decl=", ".join(f"acc{r} = 0" for r in range(tm)),
                      acc_update=" ".join(f"acc{r} += a[k * TM + {r}] * bv;"
                                          for r in range(tm)),
                      acc_list=", ".join(f"acc{r}" for r in range(tm)))
    return dev.kernel(("gemm_tiled", dt.name), lambda: src, name, argdt,
                      options=_OPTIONS)


def run(a: CLArray, b: CLArray, out: CLArray, bshape, sa, sb, n, m, k) -> bool:
    """Compute ``out = a @ b`` (batch shape ``bshape``, batch strides ``sa``/``sb``)
    if the tiled kernel suits the dtype and size; return whether it did."""
    dt = a.dtype
    if not worth_it(dt, n, m, k):
        return False
    dev = a.dev
    tm, tn = _TILES[dt.name]
    mi, nj = -(-n // tm), -(-m // tn)
    nb = out.size // (n * m)
    # an operand shared by every batch (stride 0) is packed once
    na = 1 if not any(sa) else nb
    nbb = 1 if not any(sb) else nb
    ap = empty((na * mi * k * tm,), dt, dev)
    bp = empty((nbb * nj * k * tn,), dt, dev)
    packdt = [_I64, _I64, _I64, _I64, _I32, *DIMS, *DIMS, None, _I64, _I64, _I64, None]
    bsh = dims(bshape, 1)
    ka = _kernel(dev, dt, "pack_a", packdt)
    total = ap.size
    dev.launch(ka, total, [total, n, k, mi, len(bshape) if na > 1 else 0, *bsh,
                           *dims(sa, 0), a.buf, a.offset, a.strides[-2], a.strides[-1],
                           ap.buf])
    kb = _kernel(dev, dt, "pack_b", packdt)
    total = bp.size
    dev.launch(kb, total, [total, m, k, nj, len(bshape) if nbb > 1 else 0, *bsh,
                           *dims(sb, 0), b.buf, b.offset, b.strides[-2], b.strides[-1],
                           bp.buf])
    kg = _kernel(dev, dt, "gemm", [_I64] * 7 + [None, None, None])
    dev.launch2(kg, (nj, mi, nb), (1, 1, 1),
                [n, m, k, mi, nj, 0 if na == 1 else mi * k * tm,
                 0 if nbb == 1 else nj * k * tn, ap.buf, bp.buf, out.buf])
    return True
