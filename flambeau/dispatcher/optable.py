"""The op table: every op flambeau dispatches, declared once.

Each row names an op and says what kind it is, how its dtypes are derived, how many
tensor inputs it takes, whether it is differentiable, and the contract its kernels
follow. Frontend functions, Tensor methods, kernel tables, derivative formulas and the
conformance kit all key on these names. Adding an op = one row here, one kernel per
backend, one derivative formula, one sample-input generator.

Kernel contract, for every row: kernels take backend-native arrays (already on one
device, cast to the compute dtype, shapes already checked) in the tensor positions and
plain Python values as keyword parameters, and return native array(s) of the output
dtype. ``dim`` parameters arrive normalised: non-negative ints, tuples sorted, ``None``
meaning all dimensions. Ops marked ``scalars`` may get a Python scalar (already of the
compute dtype's Python type) in place of a tensor input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable

__all__ = ["Op", "OPS", "op"]


@dataclass(eq=False)
class Op:
    name: str
    kind: str
    rule: str | None = "same"
    nin: int = 1
    scalars: bool = False
    differentiable: bool = True
    view: bool = False
    promote: tuple | None = None   # input positions that take part in promotion; None: all
    contract: str = ""
    # filled at run time: kernels[device_type][dtype] -> callable, by plugins/manager.py
    kernels: dict = field(default_factory=dict, repr=False)
    # derivative formula, set next to the row by flambeau.autograd (issue #3)
    backward: Callable | None = field(default=None, repr=False)
    rule_cache: dict = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"<op {self.name} ({self.kind})>"


def _rows():
    U, B = "unary", "binary"
    rows = []
    for n in ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
              "sin", "cos", "tan", "tanh", "sigmoid", "erf", "reciprocal"):
        rows.append(Op(n, U, "float", contract=f"{n}(x) elementwise"))
    for n in ("abs", "sign", "relu"):
        rows.append(Op(n, U, "same", contract=f"{n}(x) elementwise"))
    rows.append(Op("neg", U, "no_bool", contract="-x"))
    for n in ("floor", "ceil", "trunc"):
        rows.append(Op(n, U, "same", contract=f"{n}(x); integers pass through unchanged"))
    rows.append(Op("round", U, "same", contract="round half to even; param decimals=int"))
    for n in ("isnan", "isinf", "isfinite"):
        rows.append(Op(n, U, "bool", differentiable=False, contract=f"{n}(x) -> bool"))
    rows.append(Op("logical_not", U, "bool", differentiable=False, contract="not x -> bool"))
    rows.append(Op("bitwise_not", U, "int_or_bool", differentiable=False,
                   contract="~x on integers, logical not on bool"))
    rows.append(Op("nan_to_num", U, "same",
                   contract="params nan, posinf, neginf: floats or None (dtype's max/min)"))
    rows.append(Op("cast", U, None, contract="x converted to param dtype=DType (a copy)"))

    for n in ("add", "mul", "maximum", "minimum", "pow", "remainder", "fmod"):
        rows.append(Op(n, B, "same", nin=2, scalars=True, contract=f"{n}(a, b), broadcasting"))
    rows.append(Op("sub", B, "no_bool", nin=2, scalars=True, contract="a - b, broadcasting"))
    rows.append(Op("div", B, "float", nin=2, scalars=True, contract="true division a / b"))
    rows.append(Op("floor_divide", B, "same", nin=2, scalars=True,
                   contract="floor(a / b); integer division by zero is an error"))
    rows.append(Op("trunc_divide", B, "same", nin=2, scalars=True,
                   contract="trunc(a / b); integer division by zero is an error"))
    rows.append(Op("atan2", B, "float", nin=2, scalars=True, contract="atan2(a, b)"))
    for n in ("eq", "ne", "lt", "le", "gt", "ge"):
        rows.append(Op(n, B, "bool", nin=2, scalars=True, differentiable=False,
                       contract=f"{n}(a, b) -> bool"))
    for n in ("logical_and", "logical_or", "logical_xor"):
        rows.append(Op(n, B, "bool", nin=2, scalars=True, differentiable=False,
                       contract=f"{n}(a, b) -> bool"))
    for n in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
              "bitwise_right_shift"):
        rows.append(Op(n, B, "int_or_bool", nin=2, scalars=True, differentiable=False,
                       contract=f"{n}(a, b)"))
    rows.append(Op("where", "ternary", "same", nin=3, scalars=True, promote=(1, 2),
                   contract="where(cond, a, b): cond is bool, a and b are the compute dtype"))
    rows.append(Op("lerp", "ternary", "float_only", nin=3, scalars=True,
                   contract="start + weight * (end - start)"))
    rows.append(Op("clamp", "ternary", "same", nin=3, scalars=True,
                   contract="clamp(x, lo, hi): lo and hi are arrays, scalars or None"))

    R = "reduction"
    rows.append(Op("sum", R, "sum", contract="params dim (tuple|None), keepdim"))
    rows.append(Op("prod", R, "sum", contract="params dim (tuple|None), keepdim"))
    rows.append(Op("mean", R, "float_only", contract="params dim (tuple|None), keepdim"))
    rows.append(Op("amax", R, "same", contract="params dim (tuple|None), keepdim"))
    rows.append(Op("amin", R, "same", contract="params dim (tuple|None), keepdim"))
    rows.append(Op("max_dim", R, "same", contract="params dim (int), keepdim -> "
                   "(values, int64 indices of the first maximum)"))
    rows.append(Op("min_dim", R, "same", contract="params dim (int), keepdim -> "
                   "(values, int64 indices of the first minimum)"))
    rows.append(Op("argmax", R, "index", differentiable=False,
                   contract="params dim (int|None: flattened), keepdim -> int64"))
    rows.append(Op("argmin", R, "index", differentiable=False,
                   contract="params dim (int|None: flattened), keepdim -> int64"))
    rows.append(Op("var", R, "float_only",
                   contract="params dim (tuple|None), correction (number), keepdim"))
    rows.append(Op("logsumexp", R, "float", contract="params dim (tuple), keepdim"))
    rows.append(Op("all", R, "bool", differentiable=False,
                   contract="params dim (tuple|None), keepdim -> bool"))
    rows.append(Op("any", R, "bool", differentiable=False,
                   contract="params dim (tuple|None), keepdim -> bool"))
    rows.append(Op("norm", R, "float_only",
                   contract="params p (number, inf, -inf), dim (tuple|None), keepdim"))
    rows.append(Op("cumsum", "scan", "sum", contract="param dim (int)"))
    rows.append(Op("cumprod", "scan", "sum", contract="param dim (int)"))
    rows.append(Op("softmax", "scan", "float", contract="param dim (int)"))
    rows.append(Op("log_softmax", "scan", "float", contract="param dim (int)"))

    rows.append(Op("matmul", "linalg", "same", nin=2,
                   contract="matmul(a, b) with NumPy's matmul rules; shapes already checked"))
    rows.append(Op("linear", "linalg", "same", nin=3,
                   contract="x @ w.T + b for x (..., k), w (n, k), b (n,) or None; "
                            "optional: without it F.linear composes matmul and add"))
    rows.append(Op("einsum", "linalg", "same", nin=-1,
                   contract="einsum(*operands), param equation (str, checked)"))

    V = "view"
    rows.append(Op("view", V, view=True,
                   contract="param shape (tuple, -1 resolved); must not copy: raise "
                            "ValueError when strides do not allow it"))
    rows.append(Op("permute", V, view=True, contract="param dims (tuple of all dims)"))
    rows.append(Op("expand", V, view=True, contract="param shape (tuple); broadcast view"))
    rows.append(Op("getitem", V, contract="param index: tuple of int, slice, None, "
                   "Ellipsis, int64 or bool native arrays; a view when all basic"))
    rows.append(Op("diagonal", V, view=True, contract="params offset, dim1, dim2"))
    rows.append(Op("contiguous", "shape", contract="a C-contiguous copy of x"))
    rows.append(Op("clone", "shape", contract="a copy of x with its own memory"))
    rows.append(Op("cat", "shape", nin=-1, contract="cat(*xs), param dim (int)"))
    rows.append(Op("flip", "shape", contract="param dims (tuple); a copy"))
    rows.append(Op("roll", "shape", contract="params shifts (tuple), dims (tuple|None)"))
    rows.append(Op("tile", "shape", contract="param reps (tuple, len >= ndim)"))
    rows.append(Op("tril", "shape", contract="param diagonal (int)"))
    rows.append(Op("triu", "shape", contract="param diagonal (int)"))
    rows.append(Op("gather", "index", promote=(0,), nin=2,
                   contract="gather(x, index), param dim; x and index have the same shape "
                            "except along dim"))
    rows.append(Op("scatter", "index", promote=(0, 2), nin=3,
                   contract="scatter(x, index, src), param dim; src has index's shape or "
                            "is a scalar; returns a new array"))
    rows.append(Op("scatter_add", "index", promote=(0, 2), nin=3,
                   contract="scatter_add(x, index, src), param dim; src has index's "
                            "shape; returns a new array"))
    rows.append(Op("index_select", "index", promote=(0,), nin=2,
                   contract="index_select(x, index), param dim"))
    rows.append(Op("masked_fill", "index", promote=(0,), nin=2,
                   contract="masked_fill(x, mask), param value (scalar of x's dtype)"))
    rows.append(Op("masked_select", "index", promote=(0,), nin=2, contract="1-D x[mask]"))
    rows.append(Op("nonzero", "index", "index", differentiable=False,
                   contract="(n, ndim) int64 positions of non-zeros, row-major order"))
    rows.append(Op("sort", "index", contract="params dim, descending, stable -> "
                   "(values, int64 indices)"))
    rows.append(Op("topk", "index", contract="params k, dim, largest, sorted -> "
                   "(values, int64 indices)"))
    rows.append(Op("unique", "index", differentiable=False,
                   contract="params return_inverse, return_counts, dim (int|None) -> "
                            "(values, inverse or None, counts or None), sorted"))
    rows.append(Op("index_put", "index", promote=(0, 1), nin=2,
                   contract="index_put(x, values), params index as for getitem and "
                            "accumulate; a new array with x[index] = values (or += values, "
                            "summing repeated positions, when accumulate)"))

    N = "nn"
    rows.append(Op("unfold", N, contract="im2col: x (N, C, H, W) -> (N, C*kh*kw, L); params "
                   "kernel_size, dilation, padding, stride (pairs of ints); zero padding"))
    rows.append(Op("fold", N, contract="col2im, the adjoint of unfold: (N, C*kh*kw, L) -> "
                   "(N, C, H, W), overlapping positions summed; params output_size, "
                   "kernel_size, dilation, padding, stride (pairs)"))
    rows.append(Op("pad", N, contract="constant padding; params pad (per dim, from the "
                   "first: ((before, after), ...) with one pair per dim), value"))

    I = "inplace"
    rows.append(Op("copy_", I, None, nin=2, differentiable=False,
                   contract="copy_(dst, src): write src (broadcast, cast) into dst"))
    for n, sym in (("add_", "+="), ("sub_", "-="), ("mul_", "*="), ("div_", "/=")):
        rows.append(Op(n, I, None, nin=2, scalars=True, differentiable=False,
                       contract=f"{n}(dst, src): dst {sym} src in place (src broadcast to "
                                f"dst, same dtype, or a scalar); add_/sub_ take param alpha; "
                                f"optional: without it flambeau composes the op and copy_"))
    rows.append(Op("setitem_", I, None, nin=2, differentiable=False,
                   contract="setitem_(dst, value), param index as for getitem; value "
                            "is an array of dst's dtype or a scalar"))

    C = "creation"
    kw = dict(rule=None, nin=0, differentiable=False)
    rows.append(Op("full", C, **kw, contract="params shape, fill_value, dtype, index"))
    rows.append(Op("empty", C, **kw, contract="params shape, dtype, index"))
    rows.append(Op("arange", C, **kw, contract="params start, end, step, dtype, index"))
    rows.append(Op("linspace", C, **kw, contract="params start, end, steps, dtype, index"))
    rows.append(Op("eye", C, **kw, contract="params n, m, dtype, index"))

    Rn = "random"
    rows.append(Op("uniform", Rn, **kw, contract="params shape, low, high, dtype, gen"))
    rows.append(Op("normal", Rn, **kw, contract="params shape, mean, std, dtype, gen"))
    rows.append(Op("randint", Rn, **kw, contract="params shape, low, high, dtype, gen"))
    rows.append(Op("randperm", Rn, **kw, contract="params n, dtype, gen"))
    rows.append(Op("bernoulli", Rn, None, differentiable=False,
                   contract="bernoulli(p), param gen: 0/1 in p's dtype"))
    rows.append(Op("multinomial", Rn, "index", differentiable=False,
                   contract="multinomial(probs), params num_samples, replacement, gen"))
    return rows


OPS: dict[str, Op] = {o.name: o for o in _rows()}


def op(name: str) -> Op:
    """The table row called ``name``; ``KeyError`` names the near misses."""
    try:
        return OPS[name]
    except KeyError:
        import difflib
        near = difflib.get_close_matches(name, OPS, n=3)
        raise KeyError(f"no op named {name!r} in flambeau's op table"
                       + (f"; did you mean {', '.join(near)}?" if near else "")) from None
