"""Matrix products: matmul (batched, broadcasting batch dims) and einsum.

``matmul`` follows NumPy: 1-d operands gain and then lose a unit dim, batch dims
broadcast, and every operand is read through its own strides, so transposed views
(``x @ w.T`` in every linear layer) need no copy.

Two kernels do the work: for float32/float64 products big enough to pay for it, the
packed, register-blocked GEMM of :mod:`.gemm_tiled` (the speed that matters); for
everything else (every dtype, small shapes) a generic kernel with one output per
work-item. ``einsum`` is one generic kernel too: each output loops over the summed
indices, every operand read through its own strides (a repeated index, ``ii->i``,
is a diagonal: the strides add up).
"""

from __future__ import annotations

import numpy as np

from . import gemm_tiled
from .array import CTYPE, CLArray, collapse, contiguous_strides, dims, empty
from .codegen import DIMS, compute_ctype, dims_decl, load_macro, store_stmt, walk
from .elementwise import add_, copy_into

__all__ = ["kernels", "matmul", "einsum"]

_I64, _I32 = np.dtype(np.int64), np.dtype(np.int32)


def _batch(a: CLArray, b: CLArray):
    """The broadcast batch shape, and the same merged where possible with the batch
    strides of a and b in it (what the kernels walk)."""
    ab, bb = a.shape[:-2], b.shape[:-2]
    nd = max(len(ab), len(bb))
    shape, sa, sb = [], [], []
    for i in range(nd):
        da = ab[i - nd + len(ab)] if i - nd + len(ab) >= 0 else 1
        db = bb[i - nd + len(bb)] if i - nd + len(bb) >= 0 else 1
        sta = a.strides[i - nd + len(ab)] if i - nd + len(ab) >= 0 else 0
        stb = b.strides[i - nd + len(bb)] if i - nd + len(bb) >= 0 else 0
        n = max(da, db)
        shape.append(n)
        sa.append(0 if da == 1 else sta)
        sb.append(0 if db == 1 else stb)
    if not shape:
        return (), (), (), ()
    # merge batch dims that both operands and the contiguous output walk in step
    merged, (sa, sb, _) = collapse(tuple(shape), [tuple(sa), tuple(sb),
                                                  contiguous_strides(shape)])
    return tuple(shape), merged, sa, sb


_GENERIC = """{lda}{ldb}
__kernel void mm(long total, long n, long m, long k, int nbd, {bsh}, {bsa}, {bsb},
                 __global const {ct} *a, long a_off, long as0, long as1,
                 __global const {ct} *b, long b_off, long bs0, long bs1,
                 __global {ct} *o)
{{
  long gid = get_global_id(0);
  if (gid >= total) return;
  long j = gid % m, i = (gid / m) % n, r = gid / (n * m);
  long ia = a_off + i * as0, ib = b_off + j * bs1;
  {walk}
  {acc} acc = 0;
  for (long t = 0; t < k; ++t) acc {op} LDA(ia + t * as1) {mul} LDB(ib + t * bs0);
  {store}
}}
"""


def _generic(a, b, out, bshape, sa, sb, n, m, k):
    dev, dt = a.dev, a.dtype
    ct = CTYPE[dt.name]
    acc, op, mul = (compute_ctype(dt), "+=", "*")
    if dt.kind == "b":
        acc, op, mul = "uchar", "|=", "&"

    def source():
        return _GENERIC.format(lda=load_macro("LDA", "a", dt), ldb=load_macro("LDB", "b", dt),
                               ct=ct, acc=acc, op=op, mul=mul, bsh=dims_decl("sh"),
                               bsa=dims_decl("sa"), bsb=dims_decl("sb"),
                               walk=walk("r", "nbd", "sh", [("ia", "sa"), ("ib", "sb")]),
                               store=store_stmt("o", "gid", "acc", dt))
    kern = dev.kernel(("mm", dt.name), source, "mm",
                      [_I64, _I64, _I64, _I64, _I32, *DIMS, *DIMS, *DIMS,
                       None, _I64, _I64, _I64, None, _I64, _I64, _I64, None])
    total = out.size
    dev.launch(kern, total, [total, n, m, k, len(bshape), *dims(bshape, 1), *dims(sa, 0),
                             *dims(sb, 0), a.buf, a.offset, a.strides[-2], a.strides[-1],
                             b.buf, b.offset, b.strides[-2], b.strides[-1], out.buf])


def matmul(a: CLArray, b: CLArray) -> CLArray:
    va, vb = a.ndim == 1, b.ndim == 1
    if va:
        a = a.view((1,) + a.shape, (0,) + a.strides)
    if vb:
        b = b.view(b.shape + (1,), b.strides + (0,))
    n, k, m = a.shape[-2], a.shape[-1], b.shape[-1]
    full, bshape, sa, sb = _batch(a, b)
    out = empty(full + (n, m), a.dtype, a.dev)
    if out.size:
        if k == 0:
            copy_into(out, 0)
        elif not gemm_tiled.run(a, b, out, bshape, sa, sb, n, m, k):
            _generic(a, b, out, bshape, sa, sb, n, m, k)
    shape = out.shape
    if va:
        shape = shape[:-2] + shape[-1:]
    if vb:
        shape = shape[:-1]
    return out.view(shape, contiguous_strides(shape)) if shape != out.shape else out


def linear(x: CLArray, w: CLArray, b) -> CLArray:
    """``x @ w.T + b``: the transpose is a view (the GEMM packs through strides) and
    the bias is added in place."""
    out = matmul(x, w.view((w.shape[1], w.shape[0]), (w.strides[1], w.strides[0])))
    if b is not None:
        add_(out, b)
    return out


# --- einsum --------------------------------------------------------------------------

_EINSUM = """{loads}
__kernel void es(long total, long nsum, int nout, {osh}, int nsd, {ssh},
                 {args}, __global {ct} *o)
{{
  long gid = get_global_id(0);
  if (gid >= total) return;
  long r = gid;
  {base_decl}
  {base_walk}
  {acc} acc = 0;
  for (long s = 0; s < nsum; ++s) {{
    long rr = s; {pos_decl}
    {pos_walk}
    acc += {product};
  }}
  {store}
}}
"""


def _parse(equation: str, shapes):
    lhs, _, rhs = equation.partition("->")
    terms = lhs.split(",")
    ell_nd = max((len(s) - (len(t) - 3) for t, s in zip(terms, shapes) if "..." in t),
                 default=0)
    ell = "".join(chr(0x3B1 + i) for i in range(ell_nd))  # fresh letters for "..."
    expanded = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            n = len(s) - (len(t) - 3)
            t = t.replace("...", ell[ell_nd - n:])
        expanded.append(t)
    if "->" not in equation:
        counts = {}
        for t in expanded:
            for ch in t:
                counts[ch] = counts.get(ch, 0) + 1
        rhs = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        rhs = rhs.replace("...", ell)
    return expanded, rhs


def einsum(*operands, equation):
    terms, out_letters = _parse(equation, [x.shape for x in operands])
    sizes = {}
    for t, x in zip(terms, operands):
        for ch, n in zip(t, x.shape):
            if sizes.get(ch, 1) == 1:  # size-1 dims broadcast against the others
                sizes[ch] = n
    sum_letters = [c for c in sizes if c not in out_letters]
    ostrides, sstrides = [], []
    for t, x in zip(terms, operands):
        st = {}
        for ch, n, s in zip(t, x.shape, x.strides):
            st[ch] = st.get(ch, 0) + (0 if n == 1 and sizes[ch] != 1 else s)
        ostrides.append(tuple(st.get(c, 0) for c in out_letters))
        sstrides.append(tuple(st.get(c, 0) for c in sum_letters))
    oshape = tuple(sizes[c] for c in out_letters)
    sshape = tuple(sizes[c] for c in sum_letters)
    x0 = operands[0]
    dev, dt = x0.dev, x0.dtype
    out = empty(oshape, dt, dev)
    total = out.size
    if total == 0:
        return out
    nsum = 1
    for s in sshape:
        nsum *= s
    nops = len(operands)
    ct = CTYPE[dt.name]

    def source():
        loads = "".join(load_macro(f"LD{i}", f"p{i}", dt) for i in range(nops))
        args = ", ".join(f"__global const {ct} *p{i}, long off{i}, {dims_decl(f'uo{i}_')}, "
                         f"{dims_decl(f'us{i}_')}" for i in range(nops))
        return _EINSUM.format(
            loads=loads, args=args, ct=ct, acc=compute_ctype(dt), osh=dims_decl("osh"),
            ssh=dims_decl("ssh"),
            base_decl=" ".join(f"long b{i} = off{i};" for i in range(nops)),
            base_walk=walk("r", "nout", "osh", [(f"b{i}", f"uo{i}_") for i in range(nops)]),
            pos_decl=" ".join(f"long i{i} = b{i};" for i in range(nops)),
            pos_walk=walk("rr", "nsd", "ssh", [(f"i{i}", f"us{i}_") for i in range(nops)]),
            product=" * ".join(f"LD{i}(i{i})" for i in range(nops)),
            store=store_stmt("o", "gid", "acc", dt))
    kern = dev.kernel(("einsum", nops, dt.name), source, "es",
                      [_I64, _I64, _I32, *DIMS, _I32, *DIMS] + [None, _I64, *DIMS, *DIMS] * nops
                      + [None])
    args = [total, nsum, len(oshape), *dims(oshape, 1), len(sshape), *dims(sshape, 1)]
    for x, os_, ss in zip(operands, ostrides, sstrides):
        args += [x.buf, x.offset, *dims(os_, 0), *dims(ss, 0)]
    dev.launch(kern, total, args + [out.buf])
    return out


def kernels() -> dict:
    return {"matmul": matmul, "linear": linear, "einsum": einsum}
