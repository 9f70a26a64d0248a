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
broadcast operands alike.

An input slot may also take a Python scalar: the kernel gets the scalar and a flag,
and reads the scalar instead of the buffer (the compiler unswitches the loop), so
``x + 2`` and ``x + y`` share a kernel.

Kernels come in *families* (every unary op for one dtype, say) compiled as one
program: see ``DeviceState.kernel`` for why.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .array import (CTYPE, MAXDIM, CLArray, broadcast_strides, collapse, dims, empty,
                    np_scalar)

__all__ = ["compute_ctype", "load_macro", "store_stmt", "run", "Operand", "Spec", "BLOCK",
           "broadcast_shape", "dims_decl", "walk", "DIMS"]

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


# --- dims as kernel arguments --------------------------------------------------------
# A shape or strides travel as MAXDIM scalar ``long`` arguments, innermost dim first
# (``array.dims``), and kernels split a flat index over them with unrolled code: no
# private arrays and no vector arguments, both of which are slow to launch on POCL.

DIMS = [np.dtype(np.int64)] * MAXDIM  # their argument dtypes


def dims_decl(prefix: str) -> str:
    """``long <prefix>0, ..., long <prefix>7``: one kernel argument per dim."""
    return ", ".join(f"long {prefix}{d}" for d in range(MAXDIM))


def walk(var: str, nd: str, shape: str, accs, start: int = 0) -> str:
    """C that splits the flat index in ``var`` over dims ``start``.. (innermost
    first; shape arguments ``<shape>0``..) and adds each coordinate times the
    strides into the accumulators: ``accs`` is ``[(accumulator, stride prefix)]``."""
    out = []
    for d in range(start, MAXDIM):
        upd = " ".join(f"{acc} += c_ * {st}{d};" for acc, st in accs)
        out.append(f"if ({nd} > {d}) {{ long c_ = {var} % {shape}{d}; {var} /= {shape}{d}; "
                   f"{upd} }}")
    return "\n  ".join(out)


class Operand:
    """One input slot of a generated kernel: its dtype and whether it may be a
    scalar (then the kernel takes a value and a flag next to the buffer)."""

    __slots__ = ("dtype", "scalar_ok")

    def __init__(self, dtype, scalar_ok=False):
        self.dtype = np.dtype(dtype)
        self.scalar_ok = scalar_ok


@dataclass(frozen=True)
class Spec:
    """One elementwise kernel: ``expr`` (C, over inputs ``a``, ``b``, ``c`` in their
    compute types and parameters ``p0``, ``p1``, ...) computed from inputs of
    ``in_dtypes`` into ``out_dtype``. ``helpers`` are C function definitions the
    expression calls; ``name`` is unique within the kernel's family."""

    name: str
    expr: str
    in_dtypes: tuple
    out_dtype: str
    scalar_ok: tuple = ()
    helpers: tuple = ()
    nparams: int = 0
    param_dtype: str | None = None
    vector: str = ""    # the same expression on OpenCL vectors, for contiguous runs

    @functools.cached_property
    def slots(self) -> list:
        ok = self.scalar_ok or (False,) * len(self.in_dtypes)
        return [Operand(d, s) for d, s in zip(self.in_dtypes, ok)]


_NAMES = ("a", "b", "c")


def _kernel_source(spec: Spec) -> str:
    out_dtype = np.dtype(spec.out_dtype)
    out_ct = CTYPE[out_dtype.name]
    args = ["long nwork", "long nblk", "int nd", dims_decl("sh"),
            f"__global {out_ct} *o", "long o_off", dims_decl("so")]
    pro, accs, loads, macros, undef = [], [("io", "so")], [], "", ""
    for k, slot in enumerate(spec.slots):
        dt, ct = slot.dtype, CTYPE[slot.dtype.name]
        args += [f"__global const {ct} *x{k}", f"long x{k}_off", dims_decl(f"st{k}_")]
        if slot.scalar_ok:
            args += [f"{compute_ctype(dt)} s{k}", f"int f{k}"]
        pro.append(f"long i{k} = x{k}_off;")
        accs.append((f"i{k}", f"st{k}_"))
        macros += load_macro(f"LD{k}", f"x{k}", dt)
        undef += f"#undef LD{k}\n"
        read = f"LD{k}(i{k} + j * st{k}_0)"
        if slot.scalar_ok:
            read = f"(f{k} ? s{k} : {read})"
        loads.append(f"{compute_ctype(dt)} {_NAMES[k]} = {read};")
    if spec.nparams:
        pct = CTYPE[np.dtype(spec.param_dtype).name]
        args += [f"{pct} p{k}" for k in range(spec.nparams)]
    vec = _vector_loop(spec, out_ct) if spec.vector else ""
    return f"""{macros}
__kernel void {spec.name}({", ".join(args)})
{{
  long gid = get_global_id(0);
  if (gid >= nwork) return;
  {" ".join(pro)}
  long blk = gid % nblk, r = gid / nblk, io = o_off;
  {walk("r", "nd", "sh", accs, start=1)}
  long j = blk * {BLOCK}L, j1 = min(j + {BLOCK}L, sh0);
  {vec}
  for (; j < j1; ++j) {{
    {" ".join(loads)}
    {store_stmt("o", "io + j * so0", spec.expr, out_dtype)}
  }}
}}
{undef}"""


def _vector_loop(spec: Spec, ct: str) -> str:
    """For a one-input float op: where input and output run contiguously, take 256
    bits at a time as an OpenCL vector, so math builtins (exp, sin, ...) run in
    their vector forms (5x faster on POCL than LLVM's scalar loop)."""
    w = 32 // np.dtype(spec.out_dtype).itemsize
    return (f"if (st0_0 == 1 && so0 == 1) {{ for (; j + {w} <= j1; j += {w}) {{ "
            f"{ct}{w} a = vload{w}(0, x0 + i0 + j); "
            f"vstore{w}({spec.vector}, 0, o + io + j); }} }}")


def family_source(specs) -> str:
    """One program holding every kernel of a family (helpers written once)."""
    helpers = []
    for s in specs:
        for h in s.helpers:
            if h not in helpers:
                helpers.append(h)
    return "\n".join(helpers) + "\n" + "\n".join(_kernel_source(s) for s in specs)


def _arg_dtypes(spec: Spec):
    got = [_I64, _I64, _I32, *DIMS, None, _I64, *DIMS]
    for s in spec.slots:
        got += [None, _I64, *DIMS]
        if s.scalar_ok:
            got += [np_scalar(s.dtype), _I32]
    if spec.nparams:
        got += [np_scalar(spec.param_dtype)] * spec.nparams
    return got


def run(spec: Spec, operands: list, family=None, shape=None, out=None, params=()):
    """Evaluate ``spec`` elementwise and return the output array.

    Args:
        spec: the kernel (:class:`Spec`).
        operands: ``CLArray`` or Python scalars, one per input of ``spec``.
        family: ``(program key, specs)`` of the program to build ``spec`` in, where
            ``specs()`` lists every kernel of the family; default: a program of one.
        shape: the output shape (default: the operands' broadcast shape).
        out: write into this array (an in-place op) instead of a new one.
        params: values for the parameters ``p0``, ``p1``, ...
    """
    arrays = [x for x in operands if isinstance(x, CLArray)]
    dev = out.dev if out is not None else arrays[0].dev
    if shape is None:
        shape = out.shape if out is not None else broadcast_shape([a.shape for a in arrays])
    if out is None:
        out = empty(shape, spec.out_dtype, dev)
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
    if family is None:
        family = (("ew1", spec), lambda: [spec])
    fkey, specs = family
    kernel = dev.kernel(fkey, lambda: family_source(specs()), spec.name,
                        lambda: _arg_dtypes(spec))
    n0 = cshape[-1]
    nblk = -(-n0 // BLOCK)
    nwork = (n // n0) * nblk
    args = [nwork, nblk, len(cshape), *dims(cshape, 1), out.buf, out.offset,
            *dims(cst[0], 0)]
    for k, (x, slot) in enumerate(zip(operands, spec.slots)):
        if not isinstance(x, CLArray):
            if not slot.scalar_ok:
                raise TypeError(f"kernel {spec.name}: input {k} cannot be a scalar")
            args += [dev.scratch, 0, *dims(cst[k + 1], 0), x, 1]
        else:
            args += [x.buf, x.offset, *dims(cst[k + 1], 0)]
            if slot.scalar_ok:
                args += [0, 0]
    args += list(params)
    dev.launch(kernel, nwork, args)
    return out


def broadcast_shape(shapes) -> tuple:
    nd = max((len(s) for s in shapes), default=0)
    out = [1] * nd
    for s in shapes:
        for i, n in enumerate(s, nd - len(s)):
            if n != 1:
                out[i] = n
    return tuple(out)
