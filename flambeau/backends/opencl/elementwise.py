"""Elementwise kernels: unary math, binary arithmetic, comparisons, casts, in-place.

Each op is a C expression per kind of dtype (bool, unsigned, signed, float), fed to
the one generated template in :mod:`codegen`. The semantics follow the NumPy
reference kernels (``backends/xp/elementwise.py``): NaN propagates through
maximum/minimum, ``//`` and ``%`` round toward minus infinity, shifts by the bit
width or more give 0 (or -1). Integer division by zero gives 0 instead of raising:
the check would need a read-back, and PyTorch's CUDA backend does not raise either.

Kernels are grouped into families, one OpenCL program each (see
``DeviceState.kernel``): unary ops, binary ops, in-place ops, casts from one dtype,
and the rest (where, clamp, lerp, ...), each per dtype.
"""

from __future__ import annotations

import functools

import numpy as np

from . import codegen
from .array import CLArray
from .codegen import Spec

__all__ = ["kernels", "copy_to_contiguous", "copy_into", "cast_to", "misc", "fill",
           "helpers_for", "check_writable", "add_", "sub_", "mul_", "div_"]

_BOOL = "bool"


def _kind(dtype) -> str:
    return "b" if dtype.kind == "b" else ("f" if dtype.kind == "f" else dtype.kind)


def _float_fn(fn):
    return {"f": fn, "*": "a"}


# op -> {kind: C expression over a (and b) in the compute type}; "*" is any other kind,
# None where the op does not exist for the kind (the dispatcher never asks for it)
_UNARY = {
    "exp": _float_fn("exp(a)"), "exp2": _float_fn("exp2(a)"),
    "expm1": _float_fn("expm1(a)"), "log": _float_fn("log(a)"),
    "log2": _float_fn("log2(a)"), "log10": _float_fn("log10(a)"),
    "log1p": _float_fn("log1p(a)"), "sqrt": _float_fn("sqrt(a)"),
    "rsqrt": _float_fn("1 / sqrt(a)"), "sin": _float_fn("sin(a)"),
    "cos": _float_fn("cos(a)"), "tan": _float_fn("tan(a)"), "tanh": _float_fn("tanh(a)"),
    "erf": _float_fn("erf(a)"), "reciprocal": _float_fn("1 / a"),
    # two branches, so exp never overflows
    "sigmoid": _float_fn("(a >= 0 ? 1 / (1 + exp(-a)) : exp(a) / (1 + exp(a)))"),
    "abs": {"f": "fabs(a)", "i": "abs(a)", "*": "a"},
    "sign": {"f": "(a > 0 ? 1 : (a < 0 ? -1 : 0))", "i": "((a > 0) - (a < 0))",
             "u": "(a > 0)", "b": "a"},
    "relu": {"f": "(a > 0 || isnan(a) ? a : 0)", "i": "(a > 0 ? a : 0)", "*": "a"},
    "neg": {"*": "-a"},
    "floor": _float_fn("floor(a)"), "ceil": _float_fn("ceil(a)"),
    "trunc": _float_fn("trunc(a)"), "rint": _float_fn("rint(a)"),
    "isnan": {"f": "isnan(a)", "*": "0"}, "isinf": {"f": "isinf(a)", "*": "0"},
    "isfinite": {"f": "isfinite(a)", "*": "1"},
    "logical_not": {"*": "(a == 0)"},
    "bitwise_not": {"b": "!a", "f": None, "*": "~a"},
}

_BINARY = {
    "add": {"b": "(a | b)", "*": "a + b"},
    "sub": {"*": "a - b"},
    "mul": {"b": "(a & b)", "*": "a * b"},
    "div": {"*": "a / b"},
    "maximum": {"*": "fl_max(a, b)"},
    "minimum": {"*": "fl_min(a, b)"},
    "pow": {"f": "pow(a, b)", "b": "(a | !b)", "*": "fl_ipow(a, b)"},
    "remainder": {"f": "fl_fmodfloor(a, b)", "u": "(b ? a % b : 0)",
                  "*": "fl_imodfloor(a, b)"},
    "fmod": {"f": "fmod(a, b)", "*": "(b ? a % b : 0)"},
    "floor_divide": {"f": "fl_floordiv(a, b)", "u": "(b ? a / b : 0)",
                     "*": "fl_ifloordiv(a, b)"},
    "trunc_divide": {"f": "trunc(a / b)", "*": "(b ? a / b : 0)"},
    "atan2": {"f": "atan2(a, b)", "*": "a"},
    "eq": {"*": "(a == b)"}, "ne": {"*": "(a != b)"}, "lt": {"*": "(a < b)"},
    "le": {"*": "(a <= b)"}, "gt": {"*": "(a > b)"}, "ge": {"*": "(a >= b)"},
    "logical_and": {"*": "((a != 0) & (b != 0))"},
    "logical_or": {"*": "((a != 0) | (b != 0))"},
    "logical_xor": {"*": "((a != 0) ^ (b != 0))"},
    "bitwise_and": {"f": None, "*": "(a & b)"}, "bitwise_or": {"f": None, "*": "(a | b)"},
    "bitwise_xor": {"f": None, "*": "(a ^ b)"},
    # OpenCL masks shift counts; PyTorch gives 0 (or -1 for a negative value shifted
    # right) once the count reaches the width, so the width W is checked by hand
    "bitwise_left_shift": {"f": None, "*": "(b >= W || b < 0 ? 0 : a << b)"},
    "bitwise_right_shift": {"f": None, "*": "(b >= W || b < 0 ? (a < 0 ? -1 : 0) : a >> b)"},
}
_BOOL_OUT = {"isnan", "isinf", "isfinite", "logical_not", "eq", "ne", "lt", "le", "gt",
             "ge", "logical_and", "logical_or", "logical_xor"}

# C helpers, written for compute type $T; only those an expression calls are emitted.
# maximum/minimum propagate NaN (np.maximum, torch.maximum).
_HELPERS = {
    "fl_max": {"f": "$T fl_max($T a, $T b) { return isnan(a) ? a : (isnan(b) ? b : "
                    "fmax(a, b)); }",
               "b": "$T fl_max($T a, $T b) { return a | b; }",
               "*": "$T fl_max($T a, $T b) { return max(a, b); }"},
    "fl_min": {"f": "$T fl_min($T a, $T b) { return isnan(a) ? a : (isnan(b) ? b : "
                    "fmin(a, b)); }",
               "b": "$T fl_min($T a, $T b) { return a & b; }",
               "*": "$T fl_min($T a, $T b) { return min(a, b); }"},
    "fl_ipow": """$T fl_ipow($T a, $T b) {
  if (b < 0) return (a == 1) ? 1 : ((a == -1) ? ((b & 1) ? -1 : 1) : 0);
  $T r = 1; while (b) { if (b & 1) r *= a; a *= a; b >>= 1; } return r; }""",
    "fl_imodfloor": """$T fl_imodfloor($T a, $T b) {
  if (b == 0) return 0; $T r = a % b; return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r; }""",
    "fl_ifloordiv": """$T fl_ifloordiv($T a, $T b) {
  if (b == 0) return 0; $T q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q; }""",
    # NumPy's npy_divmod, so float // and % agree with the CPU bit for bit
    "fl_fmodfloor": """$T fl_fmodfloor($T a, $T b) {
  $T m = fmod(a, b); if (b == 0) return m;
  if (m != 0) { if ((b < 0) != (m < 0)) m += b; } else m = copysign(($T)0, b);
  return m; }""",
    "fl_floordiv": """$T fl_floordiv($T a, $T b) {
  if (b == 0) return a / b;
  $T m = fmod(a, b), d = (a - m) / b;
  if (m != 0 && ((b < 0) != (m < 0))) d -= 1;
  if (d == 0) return copysign(($T)0, a / b);
  $T f = floor(d); if (d - f > ($T)0.5) f += 1; return f; }""",
}


def _pick(table: dict, dtype) -> str | None:
    k = _kind(dtype)
    e = table[k] if k in table else table.get("*")
    return None if e is None else e.replace("W", str(8 * dtype.itemsize))


def helpers_for(expr: str, dtype) -> tuple:
    """The C helpers ``expr`` calls, written for ``dtype``'s compute type."""
    ct = codegen.compute_ctype(dtype)
    out = []
    for name, src in _HELPERS.items():
        if name + "(" in expr:
            if isinstance(src, dict):
                src = _pick(src, dtype)
            out.append(src.replace("$T", ct))
    return tuple(out)


# --- families ----------------------------------------------------------------------------

# Families are cached per NumPy dtype object (hashing one is cheap; reading its
# ``.name`` is not, on a path that runs for every op).

# float ops whose expression is valid on OpenCL vectors too (builtins and arithmetic);
# sigmoid's one-branch form is exact in OpenCL, where exp overflowing to inf is fine
_VECTOR = {"exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin",
           "cos", "tan", "tanh", "erf", "reciprocal", "abs", "floor", "ceil", "trunc",
           "rint"}


@functools.cache
def _unary_family(d) -> dict:
    dt = d.name
    vec = d.name in ("float32", "float64")
    out = {}
    for n, t in _UNARY.items():
        e = _pick(t, d)
        if e is None:
            continue
        v = e if vec and n in _VECTOR else ""
        if vec and n == "sigmoid":
            v = "1 / (1 + exp(-a))"
        out[n] = Spec(f"u_{n}", e, (dt,), _BOOL if n in _BOOL_OUT else dt, vector=v)
    return out


@functools.cache
def _binary_family(d) -> dict:
    dt = d.name
    out = {}
    for n, t in _BINARY.items():
        e = _pick(t, d)
        if e is None:
            continue
        out[n] = Spec(f"b_{n}", e, (dt, dt), _BOOL if n in _BOOL_OUT else dt, (True, True),
                      helpers_for(e, d))
    return out


@functools.cache
def _inplace_family(d) -> dict:
    dt = d.name
    out = {}
    for n in ("add", "sub", "mul", "div"):
        e = _pick(_BINARY[n], d)
        out[n] = Spec(f"i_{n}", e, (dt, dt), dt, (False, True))
    for n, e in (("add_alpha", "a + b * p0"), ("sub_alpha", "a - b * p0")):
        out[n] = Spec(f"i_{n}", e, (dt, dt), dt, (False, True), nparams=1, param_dtype=dt)
    out["fill"] = Spec("i_fill", "a", (dt,), dt, (True,))
    return out


_ALL = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")


def _cast_expr(src, dst) -> str:
    if dst.kind == "b":
        return "(a != 0)"
    if src.kind == "f" and dst.kind in "iu" and dst.itemsize < 8:
        return "(long)a"  # through long, so out-of-range values wrap like NumPy's
    return "a"


@functools.cache
def _cast_family(s, fp16: bool) -> dict:
    """Casts from ``s`` to every dtype, keyed by the target NumPy dtype."""
    return {np.dtype(dst): Spec(f"c_{dst}", _cast_expr(s, np.dtype(dst)), (s.name,), dst)
            for dst in _ALL if fp16 or dst != "float16"}


@functools.cache
def _misc_family(d) -> dict:
    dt = d.name
    f = d.kind == "f"
    pd = "float32" if dt == "float16" else dt
    specs = {
        "where": Spec("m_where", "(c ? a : b)", (dt, dt, _BOOL), dt, (True, True, True)),
        "masked_fill": Spec("m_masked_fill", "(c ? b : a)", (dt, dt, _BOOL), dt,
                            (False, True, False)),
        "clamp": Spec("m_clamp", "fl_min(fl_max(a, b), c)", (dt, dt, dt), dt,
                      (False, True, True), helpers_for("fl_min(fl_max(", d)),
        "clamp_min": Spec("m_clamp_min", "fl_max(a, b)", (dt, dt), dt, (False, True),
                          helpers_for("fl_max(", d)),
        "clamp_max": Spec("m_clamp_max", "fl_min(a, b)", (dt, dt), dt, (False, True),
                          helpers_for("fl_min(", d)),
        "zero_i64": Spec("m_zero_i64", "0", (dt,), "int64"),
        "zero": Spec("m_zero", "0", (dt,), dt),
        "one": Spec("m_one", "1", (dt,), dt),
        "nonzero_i64": Spec("m_nonzero_i64", "(a != 0)", (dt,), "int64"),
    }
    if f:
        specs.update({
            # PyTorch's two-sided lerp: exact at both ends
            "lerp": Spec("m_lerp", "(c < 0.5f ? a + c * (b - a) : b - (b - a) * (1 - c))",
                         (dt, dt, dt), dt, (True, True, True)),
            "nan_to_num": Spec("m_nan_to_num",
                               "(isnan(a) ? p0 : (isinf(a) ? (a > 0 ? p1 : p2) : a))",
                               (dt,), dt, nparams=3, param_dtype=pd),
            "round_up": Spec("m_round_up", "rint(a * p0) / p0", (dt,), dt, nparams=1,
                             param_dtype=pd),
            "round_down": Spec("m_round_down", "rint(a / p0) * p0", (dt,), dt, nparams=1,
                               param_dtype=pd),
            "lt_flag": Spec("m_lt_flag", "(b < a)", (dt, dt), dt),
        })
    return specs


def _family(kind: str, d, specs: dict):
    return ((kind, d), lambda: list(specs.values()))


def misc(name: str, dt, operands, **kw):
    """Run kernel ``name`` of the misc family for dtype ``dt``."""
    dt = np.dtype(dt)
    specs = _misc_family(dt)
    return codegen.run(specs[name], operands, _family("misc", dt, specs), **kw)


# --- kernels -----------------------------------------------------------------------------

def unary(name: str):
    def kernel(x: CLArray) -> CLArray:
        specs = _unary_family(x.dtype)
        return codegen.run(specs[name], [x], _family("unary", x.dtype, specs))
    kernel.__name__ = name
    return kernel


def binary(name: str):
    def kernel(a, b) -> CLArray:
        dt = (a if isinstance(a, CLArray) else b).dtype
        specs = _binary_family(dt)
        return codegen.run(specs[name], [a, b], _family("binary", dt, specs))
    kernel.__name__ = name
    return kernel


def cast_to(x: CLArray, dtype, out: CLArray | None = None) -> CLArray:
    """``x`` converted to ``dtype`` (into ``out`` when given: a broadcasting copy)."""
    specs = _cast_family(x.dtype, x.dev.fp16)
    return codegen.run(specs[np.dtype(dtype)], [x], (("cast", x.dtype), lambda: list(
        specs.values())), out=out)


def cast(x: CLArray, dtype) -> CLArray:
    return cast_to(x, dtype.name)


def copy_to_contiguous(x: CLArray) -> CLArray:
    return cast_to(x, x.dtype)


def fill(dst: CLArray, value) -> CLArray:
    specs = _inplace_family(dst.dtype)
    return codegen.run(specs["fill"], [value], _family("inplace", dst.dtype, specs),
                       out=dst)


def copy_into(dst: CLArray, src) -> CLArray:
    """Write ``src`` (an array broadcast to ``dst``, of any dtype, or a scalar of
    ``dst``'s dtype) into ``dst``; ``ValueError`` when ``dst`` has elements that share
    memory (an expanded view), as NumPy raises for a read-only broadcast view."""
    check_writable(dst)
    if isinstance(src, CLArray):
        return cast_to(_unaliased(dst, src), dst.dtype, out=dst)
    return fill(dst, src)


def check_writable(dst: CLArray) -> None:
    for n, s in zip(dst.shape, dst.strides):
        if s == 0 and n > 1:
            raise ValueError("the destination is a broadcast (expanded) view, so several "
                             "of its elements share one memory location")


def _unaliased(dst: CLArray, src: CLArray) -> CLArray:
    # src overlapping dst in another layout would be read after being written
    if src.buf is dst.buf and (src.offset, src.strides, src.shape) != \
            (dst.offset, dst.strides, dst.shape):
        return copy_to_contiguous(src)
    return src


def _inplace(name: str):
    def kernel(dst: CLArray, src, alpha=1):
        check_writable(dst)
        dt = dst.dtype
        specs = _inplace_family(dt)
        spec, params = specs[name], ()
        if alpha != 1:  # add_/sub_ with alpha: dst +/-= alpha * src
            spec, params = specs[name + "_alpha"], (alpha,)
        if isinstance(src, CLArray):
            src = _unaliased(dst, src)
        return codegen.run(spec, [dst, src], _family("inplace", dt, specs), out=dst,
                           params=params)
    kernel.__name__ = name + "_"
    return kernel


add_, sub_, mul_, div_ = (_inplace(n) for n in ("add", "sub", "mul", "div"))


def where(cond, a, b) -> CLArray:
    d = (a if isinstance(a, CLArray) else b).dtype
    return misc("where", d, [a, b, cond])


def lerp(start, end, weight) -> CLArray:
    d = (start if isinstance(start, CLArray) else end).dtype
    return misc("lerp", d, [start, end, weight])


def clamp(x, lo, hi) -> CLArray:
    # min(max(x, lo), hi): NaN propagates, and lo > hi gives hi, like PyTorch
    if lo is not None and hi is not None:
        return misc("clamp", x.dtype, [x, lo, hi])
    if lo is not None:
        return misc("clamp_min", x.dtype, [x, lo])
    if hi is not None:
        return misc("clamp_max", x.dtype, [x, hi])
    return copy_to_contiguous(x)


def nan_to_num(x: CLArray, nan=0.0, posinf=None, neginf=None) -> CLArray:
    if x.dtype.kind != "f":
        return copy_to_contiguous(x)
    info = np.finfo(x.dtype)
    vals = (nan, float(info.max) if posinf is None else posinf,
            float(info.min) if neginf is None else neginf)
    return misc("nan_to_num", x.dtype, [x], params=vals)


def round_(x: CLArray, decimals=0) -> CLArray:
    if x.dtype.kind != "f":
        return copy_to_contiguous(x)
    if decimals == 0:  # rint rounds half to even, like NumPy and PyTorch
        return unary("rint")(x)
    return misc("round_up" if decimals > 0 else "round_down", x.dtype, [x],
                params=(float(10.0 ** abs(decimals)),))


def _int_or_pass(name):
    k = unary(name)

    def kernel(x):
        return copy_to_contiguous(x) if x.dtype.kind != "f" else k(x)
    kernel.__name__ = name
    return kernel


def kernels() -> dict:
    table = {n: unary(n) for n in _UNARY if n != "rint"}
    for n in ("floor", "ceil", "trunc"):
        table[n] = _int_or_pass(n)
    table.update({n: binary(n) for n in _BINARY})
    table.update({
        "cast": cast, "where": where, "lerp": lerp, "clamp": clamp,
        "nan_to_num": nan_to_num, "round": round_, "copy_": copy_into,
        "add_": add_, "sub_": sub_, "mul_": mul_, "div_": div_,
    })
    return table
