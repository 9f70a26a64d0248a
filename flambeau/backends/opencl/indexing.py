"""Indexing kernels: advanced getitem, setitem_, index_put, gather/scatter, masks.

All of them are one generated *indirect* kernel: it walks an iteration shape like the
elementwise template (row blocks, strided operands), and for each element adds
``index_k[...] * stride_k`` for every int64 index operand to the position it reads
(gather mode) or writes (scatter mode; ``add`` mode accumulates with atomics, so
repeated indices sum as NumPy's ``add.at`` does). Index arrays stay on the device;
a boolean mask becomes index arrays through ``nonzero``, whose size is the one
integer read back (see ``array.read_size``).
"""

from __future__ import annotations

import numpy as np

from . import codegen
from .array import CTYPE, CLArray, broadcast_strides, collapse, dims, empty, np_scalar
from .codegen import BLOCK, DIMS, compute_ctype, dims_decl, walk
from .elementwise import add_, check_writable, copy_into, copy_to_contiguous, fill, misc
from .scans import nonzero
from .shape import basic_index, expand

__all__ = ["kernels", "indirect", "advanced_parts"]

_I64, _I32 = np.dtype(np.int64), np.dtype(np.int32)

# Atomic read-modify-write adds, per storage type: OpenCL 1.2 has atomic integer adds
# for 32 bits (64 with cl_khr_int64_base_atomics); floats and narrow integers use a
# compare-and-swap loop on the aligned 32-bit (or 64-bit) word that holds them.
_NARROW_ADD = """void fl_atomic_add(volatile __global {ct} *p, {cct} v) {{
  size_t a = (size_t)p; int sh = (int)(a & 3) * 8;
  volatile __global uint *w = (volatile __global uint *)(a & ~(size_t)3);
  uint old, nw;
  do {{ old = *w;
    {ct} cur = ({ct})(old >> sh); {ct} s = ({ct})(cur + v);
    nw = (old & ~({mask}u << sh)) | ((((uint)s) & {mask}u) << sh);
  }} while (atomic_cmpxchg(w, old, nw) != old);
}}"""
_ATOMIC_ADD = {
    "int32": "void fl_atomic_add(volatile __global int *p, int v) { atomic_add(p, v); }",
    "int64": "#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable\n"
             "void fl_atomic_add(volatile __global long *p, long v) { atom_add(p, v); }",
    "float32": """void fl_atomic_add(volatile __global float *p, float v) {
  union { uint u; float f; } o, n;
  do { o.f = *p; n.f = o.f + v; }
  while (atomic_cmpxchg((volatile __global uint *)p, o.u, n.u) != o.u); }""",
    "float64": """#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable
void fl_atomic_add(volatile __global double *p, double v) {
  union { ulong u; double f; } o, n;
  do { o.f = *p; n.f = o.f + v; }
  while (atom_cmpxchg((volatile __global ulong *)p, o.u, n.u) != o.u); }""",
    "bool": "void fl_atomic_add(volatile __global uchar *p, uchar v) { if (v) *p = 1; }",
    "uint8": _NARROW_ADD.format(ct="uchar", cct="uchar", mask="0xFF"),
    "int8": _NARROW_ADD.format(ct="char", cct="char", mask="0xFF"),
    "int16": _NARROW_ADD.format(ct="short", cct="short", mask="0xFFFF").replace(
        "(a & 3) * 8", "(a & 2) * 8"),
    "float16": """void fl_atomic_add(volatile __global half *p, float v) {
  size_t a = (size_t)p; int sh = (int)(a & 2) * 8;
  volatile __global uint *w = (volatile __global uint *)(a & ~(size_t)3);
  uint old, nw; ushort bits;
  do { old = *w; bits = (ushort)(old >> sh);
    float s = vload_half(0, (const __private half *)&bits) + v;
    vstore_half_rte(s, 0, (__private half *)&bits);
    nw = (old & ~(0xFFFFu << sh)) | (((uint)bits) << sh);
  } while (atomic_cmpxchg(w, old, nw) != old); }""",
}


_FAMILY_MAX = 3  # kernels with up to this many index operands share one program


def _family_source(dtype, nidx_list, dev) -> str:
    """Gather, set and add kernels for ``dtype`` and each index count (no add for
    64-bit types on a device without 64-bit atomics)."""
    add = dtype.itemsize < 8 or dev.int64_atomics
    helpers = codegen.load_macro("LDV", "v", dtype) + (_ATOMIC_ADD[dtype.name] if add
                                                       else "") + "\n"
    return helpers + "".join(_source(mode, dtype, n) for n in nidx_list
                             for mode in ("gather", "set") + (("add",) if add else ()))


def _source(mode: str, dtype, nidx: int) -> str:
    ct, cct = CTYPE[dtype.name], compute_ctype(dtype)
    args = ["long nwork", "long nblk", "int nd", dims_decl("sh"),
            f"__global {ct} *x", "long x_off", dims_decl("sx")]
    pro, accs = ["long ix = x_off;"], [("ix", "sx")]
    if mode == "gather":
        args += [f"__global {ct} *o", "long o_off", dims_decl("so")]
        pro.append("long io = o_off;")
        accs.append(("io", "so"))
    else:
        args += [f"__global const {ct} *v", "long v_off", dims_decl("sv"), f"{cct} vs",
                 "int vf"]
        pro.append("long iv = v_off;")
        accs.append(("iv", "sv"))
    adds = []
    for k in range(nidx):
        args += [f"__global const long *q{k}", f"long q{k}_off", dims_decl(f"sq{k}_"),
                 f"long xs{k}", f"long nk{k}"]
        pro.append(f"long iq{k} = q{k}_off;")
        accs.append((f"iq{k}", f"sq{k}_"))
        adds.append(f"{{ long q = q{k}[iq{k} + j * sq{k}_0]; if (q < 0) q += nk{k}; "
                    f"src += q * xs{k}; }}")
    if mode == "gather":
        act = "o[io + j * so0] = x[src];"
    else:
        read = "(vf ? vs : LDV(iv + j * sv0))"
        if mode == "add":
            act = f"fl_atomic_add(x + src, {read});"
        else:
            act = codegen.store_stmt("x", "src", read, dtype)
    return f"""
__kernel void {mode}{nidx}({", ".join(args)})
{{
  long gid = get_global_id(0);
  if (gid >= nwork) return;
  {" ".join(pro)}
  long blk = gid % nblk, r = gid / nblk;
  {walk("r", "nd", "sh", accs, start=1)}
  long j1 = min((blk + 1) * {BLOCK}L, sh0);
  for (long j = blk * {BLOCK}L; j < j1; ++j) {{
    long src = ix + j * sx0;
    {" ".join(adds)}
    {act}
  }}
}}
"""


def indirect(mode: str, x: CLArray, x_strides, shape, idx: list, value=None,
             out: CLArray | None = None) -> CLArray | None:
    """Run the indirect kernel over iteration ``shape``.

    Args:
        mode: ``"gather"`` (returns a new array of ``shape``), ``"set"`` or ``"add"``
            (write ``value``, an array broadcast to ``shape`` or a scalar, into ``x``).
        x: the array read from or written to; ``x_strides`` are its strides seen in
            the iteration shape (0 along dims an index array selects).
        idx: ``(index array, strides in the iteration shape, x stride, size)`` per
            index operand: the element ``x[... + q * x stride]`` for ``q`` read from
            the index array (negative ``q`` counts from ``size``).
    """
    dtype, dev = x.dtype, x.dev
    n = 1
    for s in shape:
        n *= s
    if mode == "gather":
        out = empty(shape, dtype, dev)
    if n == 0:
        return out
    strides = [tuple(x_strides)]
    if mode == "gather":
        strides.append(out.strides)
    else:
        strides.append(broadcast_strides(value, shape) if isinstance(value, CLArray)
                       else (0,) * len(shape))
    strides += [tuple(st) for _, st, _, _ in idx]
    cshape, cst = collapse(tuple(shape), strides)
    vscalar = mode != "gather" and not isinstance(value, CLArray)
    nidx = len(idx)
    fam = ("ind", dtype.name) if nidx <= _FAMILY_MAX else ("ind", dtype.name, nidx)
    counts = range(1, _FAMILY_MAX + 1) if nidx <= _FAMILY_MAX else (nidx,)
    argdt = [_I64, _I64, _I32, *DIMS, None, _I64, *DIMS, None, _I64, *DIMS]
    if mode != "gather":
        argdt += [np_scalar(dtype), _I32]
    argdt += [None, _I64, *DIMS, _I64, _I64] * len(idx)
    if mode == "add" and dtype.itemsize == 8 and not dev.int64_atomics:
        raise NotImplementedError(f"accumulating {dtype.name} on opencl:{dev.index} needs "
                                  f"the OpenCL extension cl_khr_int64_base_atomics, which "
                                  f"{dev.name} lacks")
    k = dev.kernel(fam, lambda: _family_source(dtype, counts, dev), f"{mode}{nidx}", argdt)
    n0 = cshape[-1]
    nblk = -(-n0 // BLOCK)
    nwork = (n // n0) * nblk
    args = [nwork, nblk, len(cshape), *dims(cshape, 1), x.buf, x.offset, *dims(cst[0], 0)]
    if mode == "gather":
        args += [out.buf, out.offset, *dims(cst[1], 0)]
    elif vscalar:
        args += [dev.scratch, 0, *dims(cst[1], 0), value, 1]
    else:
        args += [value.buf, value.offset, *dims(cst[1], 0), 0, 0]
    for (q, _, xs, size), st in zip(idx, cst[2:]):
        args += [q.buf, q.offset, *dims(st, 0), xs, size]
    dev.launch(k, nwork, args)
    return out


# --- advanced indexing -----------------------------------------------------------------

def _column(pos: CLArray, k: int) -> CLArray:
    """Column ``k`` of a ``nonzero`` result: the positions along one dim (a view)."""
    return pos.view((pos.shape[0],), (pos.strides[0],), pos.offset + k * pos.strides[1])


def _items(x: CLArray, index: tuple) -> list:
    """The index as tagged items, masks turned into index arrays and ``...`` expanded:
    ``("slice", s)``, ``("none",)``, ``("int", i)`` and
    ``("adv", q, x_stride, size, selects_a_dim)``."""
    items, dim = [], 0
    for it in index:
        if it is True or it is False or (isinstance(it, CLArray) and
                                         it.dtype.kind == "b" and it.ndim == 0):
            # a 0-d mask adds a dim of size 1 (True) or 0 (False), read from nothing
            n = int(it) if isinstance(it, bool) else nonzero(it).shape[0]
            zeros = fill(empty((n,), _I64, x.dev), 0)
            items.append(("adv", zeros, 0, 1, False))
        elif isinstance(it, CLArray) and it.dtype.kind == "b":
            pos = nonzero(it)  # (count, ndim): the size read-back happens here
            for k in range(it.ndim):
                items.append(("adv", _column(pos, k), None, None))
        elif isinstance(it, CLArray):
            items.append(("adv", it, None, None))
        elif it is None:
            items.append(("none",))
        elif it is Ellipsis:
            items.append(("ellipsis",))
        elif isinstance(it, slice):
            items.append(("slice", it))
        else:
            items.append(("int", int(it)))
    used = sum(1 for t in items if t[0] in ("slice", "int") or
               (t[0] == "adv" and t[2] is None))
    rest = [("slice", slice(None))] * (x.ndim - used)
    if any(t[0] == "ellipsis" for t in items):
        k = next(i for i, t in enumerate(items) if t[0] == "ellipsis")
        items = items[:k] + rest + items[k + 1:]
    else:
        items += rest
    out = []
    for t in items:  # give each index array the stride and size of the dim it selects
        if t[0] == "adv" and t[2] is None:
            out.append(("adv", t[1], x.strides[dim], x.shape[dim], True))
        else:
            out.append(t)
        if t[0] in ("slice", "int") or (t[0] == "adv" and t[2] is None):
            dim += 1
    return out


def advanced_parts(x: CLArray, index: tuple):
    """Split a NumPy-style index into a strided base and index operands.

    Returns ``(base, base_strides, shape, idx)`` for :func:`indirect`. The index
    arrays broadcast together to one block of dims, which goes where the advanced
    indices are when they sit next to each other and first otherwise (NumPy's rule;
    integers count as advanced indices here).
    """
    base_shape, base_st, adv, adv_pos = [], [], [], []
    off, d = x.offset, 0
    for pos, t in enumerate(_items(x, index)):
        if t[0] == "slice":
            start, stop, step = t[1].indices(x.shape[d])
            n = max(0, -(-(stop - start) // step))
            off += start * x.strides[d] if n else 0
            base_shape.append(n)
            base_st.append(x.strides[d] * step)
            d += 1
        elif t[0] == "none":
            base_shape.append(1)
            base_st.append(0)
        elif t[0] == "int":
            i = t[1]
            off += (i + x.shape[d] if i < 0 else i) * x.strides[d]
            adv_pos.append((pos, len(base_shape)))
            d += 1
        else:
            adv.append(t[1:4])
            adv_pos.append((pos, len(base_shape)))
            d += t[4]  # a 0-d mask selects no dim of x
    bshape = codegen.broadcast_shape([q.shape for q, _, _ in adv])
    items_at = [p for p, _ in adv_pos]
    adjacent = items_at == list(range(items_at[0], items_at[-1] + 1))
    before = adv_pos[0][1] if adjacent else 0
    shape = tuple(base_shape[:before]) + bshape + tuple(base_shape[before:])
    strides = tuple(base_st[:before]) + (0,) * len(bshape) + tuple(base_st[before:])
    lead, tail = (0,) * before, (0,) * (len(base_shape) - before)
    idx = [(q, lead + broadcast_strides(q, bshape) + tail, xs, size)
           for q, xs, size in adv]
    return x.view(x.shape, x.strides, off), strides, shape, idx


def getitem(x: CLArray, index: tuple) -> CLArray:
    if _is_basic(index):
        return basic_index(x, index)
    base, st, shape, idx = advanced_parts(x, index)
    return indirect("gather", base, st, shape, idx)


def setitem_(dst: CLArray, value, index) -> CLArray:
    if index is Ellipsis:
        index = (Ellipsis,)
    if _is_basic(index):
        copy_into(basic_index(dst, index), _fit(value, basic_index(dst, index).shape))
        return dst
    check_writable(dst)
    base, st, shape, idx = advanced_parts(dst, index)
    value = _fit(value, shape)
    indirect("set", base, st, shape, idx, value)
    return dst


def _fit(value, shape):
    """A value array seen at the indexing result's shape (leading unit dims dropped)."""
    if not isinstance(value, CLArray):
        return value
    v = value
    while v.ndim > len(shape) and v.shape[0] == 1:
        v = v.view(v.shape[1:], v.strides[1:])
    return expand(v, shape)


def _is_basic(index) -> bool:
    return not any(isinstance(i, CLArray) or i is True or i is False for i in index)


def index_put(x: CLArray, values: CLArray, index, accumulate=False) -> CLArray:
    out = copy_to_contiguous(x)
    index = index if isinstance(index, tuple) else (index,)
    if _is_basic(index):  # every position once: a plain (in-place) write
        view = basic_index(out, index)
        add_(view, values) if accumulate else copy_into(view, _fit(values, view.shape))
        return out
    base, st, shape, idx = advanced_parts(out, index)
    indirect("add" if accumulate else "set", base, st, shape, idx, _fit(values, shape))
    return out


# --- gather / scatter along a dim --------------------------------------------------------

def _along(x: CLArray, index: CLArray, dim: int):
    st = list(x.strides)
    xs = st[dim]
    st[dim] = 0
    return tuple(st), [(index, index.strides, xs, x.shape[dim])]


def gather(x: CLArray, index: CLArray, dim: int) -> CLArray:
    st, idx = _along(x, index, dim)
    return indirect("gather", x, st, index.shape, idx)


def index_select(x: CLArray, index: CLArray, dim: int) -> CLArray:
    shape = list(x.shape)
    shape[dim] = index.shape[0]
    st = list(x.strides)
    st[dim] = 0
    ist = [0] * x.ndim
    ist[dim] = index.strides[0]
    return indirect("gather", x, st, tuple(shape),
                    [(index, tuple(ist), x.strides[dim], x.shape[dim])])


def _scatter(mode):
    def kernel(x: CLArray, index: CLArray, src, dim: int) -> CLArray:
        out = copy_to_contiguous(x)
        st, idx = _along(out, index, dim)
        indirect(mode, out, st, index.shape, idx, src)
        return out
    kernel.__name__ = "scatter" if mode == "set" else "scatter_add"
    return kernel


def masked_fill(x: CLArray, mask: CLArray, value) -> CLArray:
    return misc("masked_fill", x.dtype, [x, value, mask], shape=x.shape)


def masked_select(x: CLArray, mask: CLArray) -> CLArray:
    shape = codegen.broadcast_shape([x.shape, mask.shape])
    m = expand(mask, shape)
    pos = nonzero(m)  # (count, ndim)
    xb = expand(x, shape)
    idx = [(pos.view((pos.shape[0],), (pos.strides[0],), pos.offset + k * pos.strides[1]),
            (pos.strides[0],), xb.strides[k], shape[k]) for k in range(len(shape))]
    return indirect("gather", xb, (0,), (pos.shape[0],), idx)


def kernels() -> dict:
    return {"getitem": getitem, "setitem_": setitem_, "index_put": index_put,
            "gather": gather, "index_select": index_select,
            "scatter": _scatter("set"), "scatter_add": _scatter("add"),
            "masked_fill": masked_fill, "masked_select": masked_select,
            "nonzero": nonzero}
