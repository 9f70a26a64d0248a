"""Reductions over any set of dims: sum/prod/mean, max/min and their indices, var,
logsumexp, all/any, norms.

A reduction is a few C snippets in one template: the accumulator type and its start
value, a *map* applied to each element (``|x|^p`` for a norm, ``(x - mean)^2`` for var,
which reads the mean as an auxiliary input ``m``), a *combine* step, and a *finish*
step that may use ``N`` (elements reduced) and one runtime parameter ``P`` (the
norm's p, var's correction), so no value is baked into a kernel.

The input is seen as (kept dims) x (reduced dims), each group merged where contiguous
and walked with the input's own strides, so any layout works without a copy. Each
output gets one work-item, or, when there are few outputs and many elements, several
work-items that each reduce a chunk into a partial result, then a second pass that
combines the partials in order. Chunks make long float sums more accurate and keep
every core busy. All reductions of one dtype are one program (see
``DeviceState.kernel``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from . import codegen
from .array import CTYPE, CLArray, collapse, dims, empty
from .codegen import DIMS, compute_ctype, dims_decl, walk
from .elementwise import copy_to_contiguous, misc

__all__ = ["kernels", "reduce"]

_I64, _I32 = np.dtype(np.int64), np.dtype(np.int32)


@dataclass(frozen=True)
class Red:
    """C snippets over ``acc`` (type ``ACC``), ``v`` (an element after ``map``), ``k``
    (its index along the reduced dims), ``m`` (the auxiliary value of this output),
    ``N`` and ``P``. With ``index``, ``combine`` is a condition: ``v`` replaces ``acc``
    (and ``k`` is kept) when it holds."""

    name: str
    acc: str
    init: str
    combine: str
    finish: str = "acc"
    map: str = "(v)"
    index: bool = False
    aux: bool = False
    out: str | None = None     # output dtype; default the input's


def _limit(dtype, low: bool) -> str:
    if dtype.kind == "f":
        return "-INFINITY" if low else "INFINITY"
    if dtype.kind == "b":
        return "0" if low else "1"
    v = int(np.iinfo(dtype).min if low else np.iinfo(dtype).max)
    return "(-9223372036854775807L - 1)" if v == -(2 ** 63) else f"({v}L)"


def _better(dtype, largest: bool) -> str:
    """``v`` replaces ``acc``: strictly better (ties keep the first), NaN beats all."""
    cmp = "v > acc" if largest else "v < acc"
    return f"({cmp} || (isnan(v) && !isnan(acc)))" if dtype.kind == "f" else f"({cmp})"


@functools.cache
def specs(d) -> dict:
    """Every reduction for input dtype ``d`` (a NumPy dtype), by name."""
    dt = d.name
    acc = compute_ctype(d) if d.kind == "f" else CTYPE[dt]
    b = d.kind == "b"
    out = {
        "sum": Red("sum", acc, "0", "acc |= v;" if b else "acc += v;"),
        "prod": Red("prod", acc, "1", "acc &= v;" if b else "acc *= v;"),
        "amax": Red("amax", acc, _limit(d, True),
                    "acc |= v;" if b else f"if ({_better(d, True)}) acc = v;"),
        "amin": Red("amin", acc, _limit(d, False),
                    "acc &= v;" if b else f"if ({_better(d, False)}) acc = v;"),
        "argmax": Red("argmax", acc, _limit(d, True), _better(d, True), index=True),
        "argmin": Red("argmin", acc, _limit(d, False), _better(d, False), index=True),
        "all": Red("all", "uchar", "1", "acc &= v;", map="((v) != 0)", out="bool"),
        "any": Red("any", "uchar", "0", "acc |= v;", map="((v) != 0)", out="bool"),
    }
    if d.kind == "f":
        out.update({
            "mean": Red("mean", acc, "0", "acc += v;", "acc / (ACC)N"),
            "var": Red("var", acc, "0", "acc += v;", "acc / (ACC)(N > P ? N - P : 0)",
                       map="((v) - m) * ((v) - m)", aux=True),
            # a non-finite max (all -inf, or inf) shifts by 0, like the reference
            "lse": Red("lse", acc, "0", "acc += v;", "log(acc) + (isfinite(m) ? m : 0)",
                       map="exp((v) - (isfinite(m) ? m : 0))", aux=True),
            "sumexp": Red("sumexp", acc, "0", "acc += v;", "log(acc)", map="exp(v)"),
            "norm0": Red("norm0", acc, "0", "acc += v;", map="((v) != 0)"),
            "norm1": Red("norm1", acc, "0", "acc += v;", map="fabs(v)"),
            "norm2": Red("norm2", acc, "0", "acc += v;", "sqrt(acc)", map="(v) * (v)"),
            "normp": Red("normp", acc, "0", "acc += v;", "pow(acc, (ACC)(1 / P))",
                         map="pow(fabs(v), (ACC)P)"),
            "norminf": Red("norminf", acc, "0", "if (v > acc || isnan(v)) acc = v;",
                           map="fabs(v)"),
            "normninf": Red("normninf", acc, "INFINITY", "if (v < acc || isnan(v)) acc = v;",
                            map="fabs(v)"),
        })
    return out


def _kernel_source(r: Red, x_dtype, stage: str) -> str:
    """stage: ``final`` (reduce to outputs), ``part`` (reduce chunks to partial
    accumulators) or ``comb`` (combine partials into outputs)."""
    xct = CTYPE[x_dtype.name]
    out_dtype = np.dtype(r.out or x_dtype)
    upd = f"if ({r.combine}) {{ acc = v; ai = k; }}" if r.index else r.combine
    if stage == "comb":
        load = "ACC v = part[j * C + k];" + (" long kk = pidx[j * C + k];" if r.index
                                              else "")
        loop = f"for (long k = 0; k < C; ++k) {{ {load} {upd.replace('ai = k', 'ai = kk')} }}"
        head = "long j = get_global_id(0); if (j >= M) return;"
        args = (f"long M, long C, long N, P_T P, __global const ACC *part, "
                f"__global const long *pidx, __global const {xct} *aux, long aux_off")
    else:
        if r.index:  # the first extreme wins: one accumulator, in order
            flat = f"for (long k = lo; k < hi; ++k) {{ ACC v = MAP(LDX(base + k * rs0)); {upd} }}"
        else:
            # four independent accumulators: a float sum is bound by the add latency,
            # not by memory, with one (the combine step is associative for all these)
            flat = """ACC a1 = acc, a2 = acc, a3 = acc; long k = lo;
    for (; k + 3 < hi; k += 4) {
      ACC v0 = MAP(LDX(base + k * rs0)), v1 = MAP(LDX(base + (k + 1) * rs0));
      ACC v2 = MAP(LDX(base + (k + 2) * rs0)), v3 = MAP(LDX(base + (k + 3) * rs0));
      COMBINE(acc, v0); COMBINE(a1, v1); COMBINE(a2, v2); COMBINE(a3, v3);
    }
    for (; k < hi; ++k) { ACC v = MAP(LDX(base + k * rs0)); COMBINE(acc, v); }
    COMBINE(a1, a3); COMBINE(acc, a2); COMBINE(acc, a1);"""
        loop = f"""long lo = c * chunk, hi = min(lo + chunk, N); long ai = lo;
  if (ndr == 1) {{
    {flat}
  }} else {{
    for (long k = lo; k < hi; ++k) {{
      long i = base, rem = k;
      {walk("rem", "ndr", "rsh", [("i", "rs")])}
      ACC v = MAP(LDX(i)); {upd}
    }}
  }}"""
        head = f"""long gid = get_global_id(0); if (gid >= M * C) return;
  long j = gid / C, c = gid % C;
  long base = x_off, rem0 = j;
  {walk("rem0", "ndk", "ksh", [("base", "ks")])}"""
        args = (f"long M, long N, long C, long chunk, P_T P, int ndk, {dims_decl('ksh')}, "
                f"{dims_decl('ks')}, int ndr, {dims_decl('rsh')}, {dims_decl('rs')}, "
                f"__global const {xct} *x, long x_off, __global const {xct} *aux, "
                f"long aux_off")
    head += f" ACC m = {'AUX(j)' if r.aux else '0'}; ACC acc = {r.init};"
    if stage == "comb":
        head += " long ai = 0;"
    if stage == "part":
        args += ", __global ACC *part, __global long *pidx"
        write = "part[gid] = acc;" + (" pidx[gid] = ai;" if r.index else "")
    else:
        args += f", __global {CTYPE[out_dtype.name]} *o, __global long *oi"
        write = codegen.store_stmt("o", "j", r.finish, out_dtype) + \
            (" oi[j] = ai;" if r.index else "")
    combine = "" if r.index else f"#define COMBINE(acc, v) {{ {r.combine} }}\n"
    return f"""#define ACC {r.acc}
#define MAP(v) ({r.map})
{combine}
__kernel void {stage}_{r.name}({args})
{{
  {head}
  {loop}
  {write}
}}
#undef ACC
#undef MAP
#undef COMBINE
"""


def _family_source(d, p_t: str) -> str:
    pre = (codegen.load_macro("LDX", "x", d) + codegen.load_macro("LDA", "aux", d) +
           f"#define AUX(j) LDA(aux_off + (j))\n#define P_T {p_t}\n")
    return pre + "".join(_kernel_source(r, d, stage) for r in specs(d).values()
                         for stage in ("final", "part", "comb"))


_ACC_NP = {"float": np.float32, "double": np.float64, "long": np.int64, "uchar": np.uint8,
           "char": np.int8, "short": np.int16, "int": np.int32}


def reduce(x: CLArray, axes, keepdim: bool, name: str, aux: CLArray | None = None,
           P: float = 0.0):
    """Reduce ``x`` over the dims ``axes`` (``None``: all) with reduction ``name``;
    returns the output, or ``(values, int64 indices)`` for the index-tracking ones."""
    dev, dt = x.dev, x.dtype
    r = specs(dt)[name]
    out_dtype = np.dtype(r.out or dt)
    axes = tuple(range(x.ndim)) if axes is None else tuple(axes)
    kept = [d for d in range(x.ndim) if d not in axes]
    oshape = tuple(1 if d in axes else x.shape[d] for d in range(x.ndim)) if keepdim \
        else tuple(x.shape[d] for d in kept)
    out = empty(oshape, out_dtype, dev)
    idx = empty(oshape, _I64, dev) if r.index else None
    M, N = out.size, 1
    for d in axes:
        N *= x.shape[d]
    if M == 0:
        return (out, idx) if r.index else out
    kshape, (kst,) = collapse(tuple(x.shape[d] for d in kept),
                              [tuple(x.strides[d] for d in kept)])
    rshape, (rst,) = collapse(tuple(x.shape[d] for d in axes),
                              [tuple(x.strides[d] for d in axes)])
    if N == 0:
        rshape, rst = (0,), (0,)
    chunk = max(N, 1)
    if M < 256 and N > 2048:  # few outputs, long rows: split rows into chunks
        chunk = max(1024, -(-N * M // 1024))
    C = max(-(-N // chunk), 1)
    p_np = np.dtype(np.float64 if dev.fp64 else np.float32)
    fkey = ("red", dt)

    def source():
        return _family_source(dt, "double" if dev.fp64 else "float")
    aux_buf, aux_off = (aux.buf, aux.offset) if aux is not None else (dev.scratch, 0)
    oidx = idx.buf if idx is not None else dev.scratch
    head = [M, N, C, chunk, P, len(kshape), *dims(kshape, 1), *dims(kst, 0), len(rshape),
            *dims(rshape, 1), *dims(rst, 0), x.buf, x.offset, aux_buf, aux_off]
    head_dt = [_I64, _I64, _I64, _I64, p_np, _I32, *DIMS, *DIMS, _I32, *DIMS, *DIMS, None,
               _I64, None, _I64, None, None]
    if C == 1:
        k = dev.kernel(fkey, source, f"final_{r.name}", head_dt)
        dev.launch(k, M, head + [out.buf, oidx])
    else:
        part = empty((M * C,), _ACC_NP[r.acc], dev)
        pidx = empty((M * C,), _I64, dev) if r.index else None
        k = dev.kernel(fkey, source, f"part_{r.name}", head_dt)
        dev.launch(k, M * C, head + [part.buf, pidx.buf if pidx is not None
                                     else dev.scratch])
        k2 = dev.kernel(fkey, source, f"comb_{r.name}",
                        [_I64, _I64, _I64, p_np, None, None, None, _I64, None, None])
        dev.launch(k2, M, [M, C, N, P, part.buf, pidx.buf if pidx is not None
                           else dev.scratch, aux_buf, aux_off, out.buf, oidx])
    return (out, idx) if r.index else out


# --- the ops -------------------------------------------------------------------------

def _empty_check(name, x, axes):
    if x.size == 0:
        sizes = [x.shape[d] for d in (axes if axes is not None else range(x.ndim))]
        if axes is None or 0 in sizes:
            raise IndexError(f"{name}(): expected a non-empty tensor for a reduction with "
                             f"no identity, got shape {tuple(x.shape)}; specify a non-zero-"
                             f"size dim")


def _simple(name: str, needs_values: bool = False):
    def kernel(x, dim=None, keepdim=False):
        if needs_values:
            _empty_check(name, x, dim)
        return reduce(x, dim, keepdim, name)
    kernel.__name__ = name
    return kernel


def _arg(name: str):
    def kernel(x, dim=None, keepdim=False):
        _empty_check(name, x, None if dim is None else (dim,))
        if x.ndim == 0:
            return misc("zero_i64", x.dtype, [x])
        return reduce(x, None if dim is None else (dim,), keepdim, name)[1]
    kernel.__name__ = name
    return kernel


def _extreme_dim(name: str):
    def kernel(x, dim, keepdim=False):
        if x.ndim == 0:
            return copy_to_contiguous(x), misc("zero_i64", x.dtype, [x])
        _empty_check(name, x, (dim,))
        return reduce(x, (dim,), keepdim, "argmax" if name == "max_dim" else "argmin")
    kernel.__name__ = name
    return kernel


def var(x, dim=None, correction=1, keepdim=False):
    m = reduce(x, dim, True, "mean")
    return reduce(x, dim, keepdim, "var", aux=m, P=float(correction))


def logsumexp(x, dim, keepdim=False):
    if x.size == 0:
        return reduce(x, dim, keepdim, "sumexp")
    m = reduce(x, dim, True, "amax")
    return reduce(x, dim, keepdim, "lse", aux=m)


def norm(x, p=2, dim=None, keepdim=False):
    if p == float("inf"):
        # an empty input reduces to zeros of the reduced shape (sum's shape rule)
        return reduce(x, dim, keepdim, "norminf" if x.size else "norm1")
    if p == float("-inf"):
        return reduce(x, dim, keepdim, "normninf")
    named = {0: "norm0", 1: "norm1", 2: "norm2"}.get(p)
    if named is not None:
        return reduce(x, dim, keepdim, named)
    return reduce(x, dim, keepdim, "normp", P=float(p))


def kernels() -> dict:
    return {"sum": _simple("sum"), "prod": _simple("prod"), "mean": _simple("mean"),
            "amax": _simple("amax", True), "amin": _simple("amin", True),
            "argmax": _arg("argmax"), "argmin": _arg("argmin"),
            "max_dim": _extreme_dim("max_dim"), "min_dim": _extreme_dim("min_dim"),
            "var": var, "logsumexp": logsumexp, "all": _simple("all"),
            "any": _simple("any"), "norm": norm}
