"""Generated elementwise kernels: any expression over broadcast, strided operands.

One kernel template serves every elementwise op. Operands are (buffer, offset,
strides) triples seen at the output's broadcast shape (stride 0 where broadcast);
before launching, size-1 dims are dropped and neighbouring dims that every operand
walks contiguously are merged (``array.collapse``), so most launches index one or
two dims.

Work is split into *row blocks*: each work-item takes up to ``BLOCK`` consecutive
elements of the innermost dim, works out where its row starts once (the divisions),
then walks the block with one multiply-add per operand. That keeps 64-bit divisions
out of the inner loop, which on a CPU device is what makes a strided kernel as fast
as a contiguous one, and it means one compiled kernel serves contiguous, strided and
broadcast operands alike (fewer compiles: POCL compiles each kernel for a minute's
fraction on first launch).

An input slot may also take a Python scalar: the kernel gets the scalar and a flag,
and reads the scalar instead of the buffer (the loop is unswitched by the compiler),
so ``x + 2`` and ``x + y`` share a kernel.
"""

from __future__ import annotations

import numpy as np

from .array import CTYPE, CLArray, broadcast_strides, collapse, empty, long8, np_scalar

__all__ = ["compute_ctype", "load_macro", "store_stmt", "run", "Operand", "BLOCK"]

BLOCK = 256

_I64, _I32 = np.dtype(np.int64), np.dtype(np.int32)


def compute_ctype(dtype) -> str:
    """The C type arithmetic runs in: float16 computes in float."""
    name = np.dtype(dtype).name
    return "float" if name == "float16" else CTYPE[name]


def load_macro(name: str, ptr: str, dtype) -> str:
    """``#define name(i)`` reading element ``i`` of ``ptr`` in the compute type."""
    if np.dtype(dtype).name == "float16":
        return f"#define {name}(i) vload_half((i), {ptr})\n"
    return f"#define {name}(i) {ptr}[(i)]\n"


def store_stmt(ptr: str, index: str, value: str, dtype) -> str:
    """A statement writing ``value`` (any arithmetic type) as element ``index``."""
    name = np.dtype(dtype).name
    if name == "float16":
        return f"vstore_half_rte((float)({value}), ({index}), {ptr});"
    if name == "bool":
        return f"{ptr}[{index}] = (uchar)(({value}) != 0);"
    return f"{ptr}[{index}] = ({CTYPE[name]})({value});"


class Operand:
    """One input slot of a generated kernel: its dtype and whether it may be a
    scalar (then the kernel takes a value and a flag next to the buffer)."""

    __slots__ = ("dtype", "scalar_ok")

    def __init__(self, dtype, scalar_ok=False):
        self.dtype = np.dtype(dtype)
        self.scalar_ok = scalar_ok


def _source(names, in_dtypes, scalar_ok, out_dtype, expr, helpers, nparams, param_ct):
    """The kernel text for one (expression, dtypes, scalar slots) combination."""
    out_ct = CTYPE[out_dtype.name]
    args = ["long nwork", "long n0", "long nblk", "int nd", "long8 shape_v",
            f"__global {out_ct} *o", "long o_off", "long8 o_st"]
    pro = ["long sh[8], so[8];", "vstore8(shape_v, 0, sh); vstore8(o_st, 0, so);"]
    walk, inner_idx, loads = ["io += i * so[d];"], ["long to = so[nd - 1];"], []
    macros = ""
    for k, (nm, dt, sok) in enumerate(zip(names, in_dtypes, scalar_ok)):
        ct = CTYPE[dt.name]
        args += [f"__global const {ct} *p{k}", f"long p{k}_off", f"long8 p{k}_st"]
        if sok:
            args += [f"{compute_ctype(dt)} s{k}", f"int f{k}"]
        pro.append(f"long st{k}[8]; vstore8(p{k}_st, 0, st{k}); long i{k} = p{k}_off;")
        walk.append(f"i{k} += i * st{k}[d];")
        inner_idx.append(f"long t{k} = st{k}[nd - 1];")
        macros += load_macro(f"LD{k}", f"p{k}", dt)
        read = f"LD{k}(i{k} + j * t{k})"
        if sok:
            read = f"(f{k} ? s{k} : {read})"
        loads.append(f"{compute_ctype(dt)} {nm} = {read};")
    args += [f"{param_ct} p{k}" for k in range(nparams)] if nparams else []
    body = "\n    ".join(loads)
    return f"""{macros}{helpers}
__kernel void ew({", ".join(args)})
{{
  long gid = get_global_id(0);
  if (gid >= nwork) return;
  {" ".join(pro)}
  long blk = gid % nblk, r = gid / nblk, io = o_off;
  for (int d = nd - 2; d >= 0; --d) {{
    long i = r % sh[d]; r /= sh[d];
    {" ".join(walk)}
  }}
  {" ".join(inner_idx)}
  long j1 = min((blk + 1) * {BLOCK}L, n0);
  for (long j = blk * {BLOCK}L; j < j1; ++j) {{
    {body}
    {store_stmt("o", "io + j * to", expr, out_dtype)}
  }}
}}
"""


def run(key, expr: str, operands: list, slots: list, out_dtype, shape=None, out=None,
        helpers: str = "", params: tuple = (), param_dtype=None, names=("a", "b", "c")):
    """Evaluate ``expr`` elementwise and return the output array.

    Args:
        key: what identifies the expression (op name and variant); dtypes and scalar
            slots are added to it for the kernel cache.
        expr: a C expression over the inputs (named ``a``, ``b``, ``c`` in the compute
            types) and parameters ``p0``, ``p1``, ...
        operands: ``CLArray`` or Python scalars, one per slot.
        slots: the :class:`Operand` of each input.
        out_dtype: the output dtype.
        shape: the output shape (default: the operands' broadcast shape).
        out: write into this array (an in-place op) instead of a new one.
        helpers: C functions the expression calls.
        params: values for ``p0``, ``p1``, ... (passed in ``param_dtype``).
    """
    arrays = [x for x in operands if isinstance(x, CLArray)]
    dev = out.dev if out is not None else arrays[0].dev
    if shape is None:
        shape = out.shape if out is not None else _broadcast([a.shape for a in arrays])
    out_dtype = np.dtype(out_dtype)
    if out is None:
        out = empty(shape, out_dtype, dev)
    n = 1
    for s in shape:
        n *= s
    if n == 0:
        return out
    strides = [out.strides]
    for x in operands:
        strides.append(broadcast_strides(x, shape) if isinstance(x, CLArray) else
                       (0,) * len(shape))
    cshape, cst = collapse(shape, strides)
    in_dtypes = [s.dtype for s in slots]
    flags = tuple(not isinstance(x, CLArray) for x in operands)
    pdt = np.dtype(param_dtype) if param_dtype is not None else None
    full_key = ("ew", key, out_dtype.name, tuple(d.name for d in in_dtypes),
                tuple(s.scalar_ok for s in slots), len(params),
                None if pdt is None else pdt.name)
    kernel = dev.kernel(full_key, lambda: _source(
        names, in_dtypes, [s.scalar_ok for s in slots], out_dtype, expr, helpers,
        len(params), CTYPE[pdt.name] if pdt is not None else ""),
        "ew", _arg_dtypes(slots, len(params), pdt))
    n0 = cshape[-1]
    nblk = -(-n0 // BLOCK)
    nwork = (n // n0) * nblk
    args = [nwork, n0, nblk, len(cshape), long8(cshape), out.buf, out.offset,
            long8(cst[0])]
    scratch = None
    for k, (x, slot) in enumerate(zip(operands, slots)):
        if flags[k]:
            if not slot.scalar_ok:
                raise TypeError(f"elementwise kernel {key}: input {k} cannot be a scalar")
            if scratch is None:
                scratch = dev.scratch
            args += [scratch, 0, long8(cst[k + 1]), x, 1]
        else:
            args += [x.buf, x.offset, long8(cst[k + 1])]
            if slot.scalar_ok:
                args += [0, 0]
    args += list(params)
    dev.launch(kernel, nwork, args)
    return out


_ARGS_CACHE: dict = {}


def _arg_dtypes(slots, nparams, pdt):
    key = (tuple((s.dtype.name, s.scalar_ok) for s in slots), nparams,
           None if pdt is None else pdt.name)
    got = _ARGS_CACHE.get(key)
    if got is None:
        L8 = None
        got = [_I64, _I64, _I64, _I32, L8, None, _I64, L8]
        for s in slots:
            got += [None, _I64, L8]
            if s.scalar_ok:
                got += [np_scalar(s.dtype), _I32]
        got += [np_scalar(pdt)] * nparams
        _ARGS_CACHE[key] = got
    return got


def _broadcast(shapes) -> tuple:
    nd = max(len(s) for s in shapes)
    out = [1] * nd
    for s in shapes:
        for i, n in enumerate(s, nd - len(s)):
            if n != 1:
                out[i] = n
    return tuple(out)
