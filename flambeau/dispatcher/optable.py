"""The op table: every op flambeau dispatches, declared once.

Each row names an op and says what kind it is, how its dtypes are derived, its
signature, whether it is differentiable, the contract its kernels follow, and how it
surfaces to users (a function, a Tensor method, an in-place variant, aliases,
operators). Frontend functions, Tensor methods, kernel tables, derivative formulas and
the conformance kit all key on these names; :mod:`flambeau.frontend.codegen` writes the
simple frontend functions and every Tensor method from the rows. Adding an op = one row
here, one kernel per backend (or a composite), one derivative formula, one
sample-input generator.

Kernel contract, for every row: kernels take backend-native arrays (already on one
device, cast to the compute dtype, shapes already checked) in the tensor positions and
plain Python values as keyword parameters, and return native array(s) of the output
dtype. ``dim`` parameters arrive normalised: non-negative ints, tuples sorted, ``None``
meaning all dimensions. Ops marked ``scalars`` may get a Python scalar (already of the
compute dtype's Python type) in place of a tensor input.

A row's ``sig`` is that call written as a Python parameter list: the positional names
are the tensor inputs (``*name`` for a variable number), the keyword-only names are the
kernel's keyword params, with the defaults kernels give them. ``"(input, *, dim=None,
keepdim=False)"`` is a kernel ``k(x, dim=None, keepdim=False)`` called as
``k(x, dim=..., keepdim=...)``. Rows without tensor inputs (creation, random) are
called with keywords only, ``index`` being the device index.
"""


from __future__ import annotations

from . import rows as _areas
from .row import REQUIRED, Op, Param, parse_sig

__all__ = ["Op", "OPS", "op", "Param", "REQUIRED", "parse_sig"]

def _rows():
    rows = []
    U, B = "unary", "binary"

    def unary(name, rule, doc, contract=None, **surface):
        # fl.<name>(input) generated from the row, and the method Tensor.<name>()
        rows.append(Op(name, U, rule, sig="(input)", function="generated", method=True,
                       doc=doc, contract=contract or f"{name}(x) elementwise", **surface))

    def binary(name, rule, doc, contract=None, function="generated", **flags):
        surface = {k: flags.pop(k) for k in ("inplace", "aliases", "operators")
                   if k in flags}
        rows.append(Op(name, B, rule, nin=2, scalars=True, sig="(input, other)",
                       function=function, method=True, doc=doc,
                       contract=contract or f"{name}(a, b), broadcasting", **flags,
                       **surface))

    unary("exp", "float", "The exponential of each element, ``e ** input``.", inplace=True)
    unary("exp2", "float", "Two to the power of each element, ``2 ** input``.", inplace=True)
    unary("expm1", "float", "``exp(input) - 1`` of each element, accurate for small "
          "inputs.", inplace=True)
    unary("log", "float", "The natural logarithm of each element.", inplace=True)
    unary("log2", "float", "The base-2 logarithm of each element.", inplace=True)
    unary("log10", "float", "The base-10 logarithm of each element.", inplace=True)
    unary("log1p", "float", "``log(1 + input)`` of each element, accurate for small "
          "inputs.", inplace=True)
    unary("sqrt", "float", "The square root of each element.", inplace=True)
    unary("rsqrt", "float", "The reciprocal of the square root of each element, "
          "``1 / sqrt(input)``.", inplace=True)
    unary("sin", "float", "The sine of each element (in radians).", inplace=True)
    unary("cos", "float", "The cosine of each element (in radians).", inplace=True)
    unary("tan", "float", "The tangent of each element (in radians).", inplace=True)
    unary("tanh", "float", "The hyperbolic tangent of each element.", inplace=True)
    unary("sigmoid", "float", "The logistic sigmoid of each element, "
          "``1 / (1 + exp(-input))``.", inplace=True, aliases=("special_expit",))
    unary("erf", "float", "The Gauss error function of each element.", inplace=True)
    unary("reciprocal", "float", "The reciprocal of each element, ``1 / input``.",
          inplace=True)
    unary("abs", "same", "The absolute value of each element.", inplace=True,
          aliases=("absolute",), operators=("__abs__",))
    unary("sign", "same", "The sign of each element: -1, 0 or 1.", inplace=True)
    unary("relu", "same", "The rectified linear unit of each element, "
          "``max(input, 0)``.", inplace=True)
    rows.append(Op("neg", U, "no_bool", sig="(input)", function="generated", method=True,
                   inplace=True, aliases=("negative",), operators=("__neg__",),
                   doc="The negation of each element, ``-input``.", contract="-x"))
    for n, doc in (("floor", "The largest integer not greater than each element."),
                   ("ceil", "The smallest integer not less than each element."),
                   ("trunc", "Each element rounded toward zero.")):
        unary(n, "same", doc + " Integer inputs are returned unchanged (as a copy).",
              contract=f"{n}(x); integers pass through unchanged", inplace=True,
              aliases=("fix",) if n == "trunc" else ())
    rows.append(Op("round", U, "same", sig="(input, *, decimals=0)", function="hand",
                   method=True, inplace=True,
                   contract="round half to even; param decimals=int"))
    for n, doc in (("isnan", "Whether each element is NaN."),
                   ("isinf", "Whether each element is positive or negative infinity."),
                   ("isfinite", "Whether each element is finite (neither NaN nor "
                                "infinite).")):
        unary(n, "bool", doc, differentiable=False, contract=f"{n}(x) -> bool")
    unary("logical_not", "bool", "Whether each element is zero (logical not).",
          differentiable=False, contract="not x -> bool", inplace=True)
    unary("bitwise_not", "int_or_bool", "The bitwise not of each element (logical not "
          "for bool).", differentiable=False,
          contract="~x on integers, logical not on bool", inplace=True,
          operators=("__invert__",))
    rows.append(Op("nan_to_num", U, "same", sig="(input, *, nan=0.0, posinf=None, "
                   "neginf=None)", function="hand", method=True, inplace=True,
                   contract="params nan, posinf, neginf: floats or None (dtype's max/min)"))
    # reached through Tensor.to and friends
    rows.append(Op("cast", U, None, sig="(input, *, dtype)",
                   contract="x converted to param dtype=DType (a copy)"))

    # add, sub and div are wrapped by hand in elementwise.py (alpha, rounding_mode)
    binary("add", "same", "``input + other``, elementwise.", function="wrapped",
           inplace=True, operators=("__add__", "__radd__", "__iadd__"))
    binary("mul", "same", "``input * other``, elementwise.", inplace=True,
           aliases=("multiply",), operators=("__mul__", "__rmul__", "__imul__"))
    binary("maximum", "same", "The larger of ``input`` and ``other`` at each position "
           "(NaN if either is NaN).", inplace=True)
    binary("minimum", "same", "The smaller of ``input`` and ``other`` at each position "
           "(NaN if either is NaN).", inplace=True)
    binary("pow", "same", "``input`` to the power ``other``, elementwise. Integers to "
           "negative integer powers are an error.", inplace=True,
           operators=("__pow__", "__rpow__", "__ipow__"))
    binary("remainder", "same", "The remainder of ``input / other`` with the sign of "
           "``other``, like Python's ``%``.", inplace=True,
           operators=("__mod__", "__rmod__", "__imod__"))
    binary("fmod", "same", "The remainder of ``input / other`` with the sign of "
           "``input``, like C's ``fmod``.", inplace=True)
    binary("sub", "no_bool", "``input - other``, elementwise.", function="wrapped",
           contract="a - b, broadcasting", inplace=True, aliases=("subtract",),
           operators=("__sub__", "__rsub__", "__isub__"))
    binary("div", "float", "``input / other``, true division: integer inputs give "
           "floats.", function="wrapped", contract="true division a / b", inplace=True,
           aliases=("divide", "true_divide"),
           operators=("__truediv__", "__rtruediv__", "__itruediv__"))
    binary("floor_divide", "same", "``input / other`` rounded down, like Python's "
           "``//``.", contract="floor(a / b); integer division by zero is an error",
           inplace=True, operators=("__floordiv__", "__rfloordiv__", "__ifloordiv__"))
    # reached through div(..., rounding_mode="trunc")
    rows.append(Op("trunc_divide", B, "same", nin=2, scalars=True, sig="(input, other)",
                   contract="trunc(a / b); integer division by zero is an error"))
    binary("atan2", "float", "The angle of the point ``(other, input)`` in radians, "
           "``atan(input / other)`` in the right quadrant.", contract="atan2(a, b)",
           inplace=True, aliases=("arctan2",))
    for n, sym, alias in (("eq", "==", ()), ("ne", "!=", ("not_equal",)),
                          ("lt", "<", ("less",)), ("le", "<=", ("less_equal",)),
                          ("gt", ">", ("greater",)), ("ge", ">=", ("greater_equal",))):
        binary(n, "bool", f"Whether ``input {sym} other`` at each position.",
               differentiable=False, contract=f"{n}(a, b) -> bool", inplace=True,
               aliases=alias, operators=(f"__{n}__",))
    for n, what in (("logical_and", "both ``input`` and ``other`` are"),
                    ("logical_or", "``input`` or ``other`` is"),
                    ("logical_xor", "exactly one of ``input`` and ``other`` is")):
        binary(n, "bool", f"Whether {what} non-zero at each position.",
               differentiable=False, contract=f"{n}(a, b) -> bool", inplace=True)
    for n, what, op in (("bitwise_and", "and", "and"), ("bitwise_or", "or", "or"),
                        ("bitwise_xor", "xor", "xor")):
        binary(n, "int_or_bool", f"The bitwise {what} of ``input`` and ``other`` "
               f"(logical for bool).", differentiable=False, contract=f"{n}(a, b)",
               inplace=True, operators=(f"__{op}__", f"__r{op}__", f"__i{op}__"))
    for n, way, op in (("bitwise_left_shift", "left", "lshift"),
                       ("bitwise_right_shift", "right", "rshift")):
        binary(n, "int_or_bool", f"``input`` shifted {way} by ``other`` bits.",
               differentiable=False, contract=f"{n}(a, b)",
               operators=(f"__{op}__", f"__r{op}__"))
    # Tensor.where(condition, other) puts the tensor second: written by hand in tensor.py
    rows.append(Op("where", "ternary", "same", nin=3, scalars=True, promote=(1, 2),
                   sig="(condition, input, other)", function="hand",
                   contract="where(cond, a, b): cond is bool, a and b are the compute dtype"))
    rows.append(Op("lerp", "ternary", "float_only", nin=3, scalars=True,
                   sig="(input, end, weight)", function="hand", method=True, inplace=True,
                   contract="start + weight * (end - start)"))
    rows.append(Op("clamp", "ternary", "same", nin=3, scalars=True, sig="(input, min, max)",
                   function="hand", method=True, inplace=True, aliases=("clip",),
                   contract="clamp(x, lo, hi): lo and hi are arrays, scalars or None"))

    R = "reduction"
    # reductions, scans, shape and index ops: hand-written functions (they normalise
    # dims and check arguments), each also a Tensor method
    red = dict(function="hand", method=True)
    over = "(input, *, dim=None, keepdim=False)"
    rows.append(Op("sum", R, "sum", sig=over, **red,
                   contract="params dim (tuple|None), keepdim"))
    rows.append(Op("prod", R, "sum", sig=over, **red,
                   contract="params dim (tuple|None), keepdim"))
    rows.append(Op("mean", R, "float_only", sig=over, **red,
                   contract="params dim (tuple|None), keepdim"))
    rows.append(Op("amax", R, "same", sig=over, **red,
                   contract="params dim (tuple|None), keepdim"))
    rows.append(Op("amin", R, "same", sig=over, **red,
                   contract="params dim (tuple|None), keepdim"))
    # reached through fl.max(input, dim) and fl.min(input, dim)
    rows.append(Op("max_dim", R, "same", sig="(input, *, dim, keepdim=False)",
                   contract="params dim (int), keepdim -> "
                   "(values, int64 indices of the first maximum)"))
    rows.append(Op("min_dim", R, "same", sig="(input, *, dim, keepdim=False)",
                   contract="params dim (int), keepdim -> "
                   "(values, int64 indices of the first minimum)"))
    rows.append(Op("argmax", R, "index", differentiable=False, sig=over, **red,
                   contract="params dim (int|None: flattened), keepdim -> int64"))
    rows.append(Op("argmin", R, "index", differentiable=False, sig=over, **red,
                   contract="params dim (int|None: flattened), keepdim -> int64"))
    rows.append(Op("var", R, "float_only",
                   sig="(input, *, dim=None, correction=1, keepdim=False)", **red,
                   contract="params dim (tuple|None), correction (number), keepdim"))
    rows.append(Op("logsumexp", R, "float", sig="(input, *, dim, keepdim=False)", **red,
                   contract="params dim (tuple), keepdim"))
    rows.append(Op("all", R, "bool", differentiable=False, sig=over, **red,
                   contract="params dim (tuple|None), keepdim -> bool"))
    rows.append(Op("any", R, "bool", differentiable=False, sig=over, **red,
                   contract="params dim (tuple|None), keepdim -> bool"))
    rows.append(Op("norm", R, "float_only", sig="(input, *, p=2, dim=None, keepdim=False)",
                   **red, contract="params p (number, inf, -inf), dim (tuple|None), keepdim"))
    along = "(input, *, dim)"
    rows.append(Op("cumsum", "scan", "sum", sig=along, **red, contract="param dim (int)"))
    rows.append(Op("cumprod", "scan", "sum", sig=along, **red, contract="param dim (int)"))
    rows.append(Op("softmax", "scan", "float", sig=along, **red, contract="param dim (int)"))
    rows.append(Op("log_softmax", "scan", "float", sig=along, **red,
                   contract="param dim (int)"))

    rows.append(Op("matmul", "linalg", "same", nin=2, sig="(input, other)", **red,
                   operators=("__matmul__", "__rmatmul__"),
                   contract="matmul(a, b) with NumPy's matmul rules; shapes already checked"))
    # reached through fl.nn.functional.linear
    rows.append(Op("linear", "linalg", "same", nin=3, sig="(input, weight, bias)",
                   contract="x @ w.T + b for x (..., k), w (n, k), b (n,) or None; "
                            "optional: without it F.linear composes matmul and add"))
    rows.append(Op("einsum", "linalg", "same", nin=-1, sig="(*operands, equation)",
                   function="hand",
                   contract="einsum(*operands), param equation (str, checked)"))

    V = "view"
    rows.append(Op("view", V, view=True, sig="(input, *, shape)", **red,
                   contract="param shape (tuple, -1 resolved); must not copy: raise "
                            "ValueError when strides do not allow it"))
    rows.append(Op("permute", V, view=True, sig="(input, *, dims)", **red,
                   contract="param dims (tuple of all dims)"))
    rows.append(Op("expand", V, view=True, sig="(input, *, shape)", **red,
                   contract="param shape (tuple); broadcast view"))
    # Tensor.__getitem__ (indexing.getitem parses the index)
    rows.append(Op("getitem", V, sig="(input, *, index)", function="hand",
                   contract="param index: tuple of int, slice, None, "
                   "Ellipsis, int64 or bool native arrays; a view when all basic"))
    rows.append(Op("diagonal", V, view=True, sig="(input, *, offset=0, dim1=0, dim2=1)",
                   **red, contract="params offset, dim1, dim2"))
    rows.append(Op("contiguous", "shape", sig="(input)", **red,
                   contract="a C-contiguous copy of x"))
    rows.append(Op("clone", "shape", sig="(input)", **red,
                   contract="a copy of x with its own memory"))
    rows.append(Op("cat", "shape", nin=-1, sig="(*tensors, dim)", **red,
                   aliases=("concat", "concatenate"), contract="cat(*xs), param dim (int)"))
    rows.append(Op("flip", "shape", sig="(input, *, dims)", **red,
                   contract="param dims (tuple); a copy"))
    rows.append(Op("roll", "shape", sig="(input, *, shifts, dims=None)", **red,
                   contract="params shifts (tuple), dims (tuple|None)"))
    rows.append(Op("tile", "shape", sig="(input, *, reps)", **red,
                   contract="param reps (tuple, len >= ndim)"))
    rows.append(Op("tril", "shape", sig="(input, *, diagonal=0)", **red, inplace=True,
                   contract="param diagonal (int)"))
    rows.append(Op("triu", "shape", sig="(input, *, diagonal=0)", **red, inplace=True,
                   contract="param diagonal (int)"))
    rows.append(Op("gather", "index", promote=(0,), nin=2, sig="(input, index, *, dim)",
                   **red, contract="gather(x, index), param dim; x and index have the same "
                                   "shape except along dim"))
    rows.append(Op("scatter", "index", promote=(0, 2), nin=3,
                   sig="(input, index, src, *, dim)", **red, inplace=True,
                   contract="scatter(x, index, src), param dim; src has index's shape or "
                            "is a scalar; returns a new array"))
    rows.append(Op("scatter_add", "index", promote=(0, 2), nin=3,
                   sig="(input, index, src, *, dim)", **red, inplace=True,
                   contract="scatter_add(x, index, src), param dim; src has index's "
                            "shape; returns a new array"))
    rows.append(Op("index_select", "index", promote=(0,), nin=2,
                   sig="(input, index, *, dim)", **red,
                   contract="index_select(x, index), param dim"))
    rows.append(Op("masked_fill", "index", promote=(0,), nin=2,
                   sig="(input, mask, *, value)", **red, inplace=True,
                   contract="masked_fill(x, mask), param value (scalar of x's dtype)"))
    rows.append(Op("masked_select", "index", promote=(0,), nin=2, sig="(input, mask)",
                   **red, contract="1-D x[mask]"))
    rows.append(Op("nonzero", "index", "index", differentiable=False, sig="(input)", **red,
                   contract="(n, ndim) int64 positions of non-zeros, row-major order"))
    rows.append(Op("sort", "index", sig="(input, *, dim=-1, descending=False, stable=False)",
                   **red, contract="params dim, descending, stable -> "
                   "(values, int64 indices)"))
    rows.append(Op("topk", "index", sig="(input, *, k, dim=-1, largest=True, sorted=True)",
                   **red, contract="params k, dim, largest, sorted -> "
                   "(values, int64 indices)"))
    rows.append(Op("unique", "index", differentiable=False,
                   sig="(input, *, return_inverse=False, return_counts=False, dim=None)",
                   **red, contract="params return_inverse, return_counts, dim (int|None) -> "
                                   "(values, inverse or None, counts or None), sorted"))
    rows.append(Op("index_put", "index", promote=(0, 1), nin=2,
                   sig="(input, values, *, index, accumulate=False)", **red, inplace=True,
                   contract="index_put(x, values), params index as for getitem and "
                            "accumulate; a new array with x[index] = values (or += values, "
                            "summing repeated positions, when accumulate)"))

    # reached through fl.nn.functional (conv, pooling, fold/unfold, pad)
    N = "nn"
    rows.append(Op("unfold", N, sig="(input, *, kernel_size, dilation, padding, stride)",
                   contract="im2col: x (N, C, H, W) -> (N, C*kh*kw, L); params "
                   "kernel_size, dilation, padding, stride (pairs of ints); zero padding"))
    rows.append(Op("fold", N,
                   sig="(input, *, output_size, kernel_size, dilation, padding, stride)",
                   contract="col2im, the adjoint of unfold: (N, C*kh*kw, L) -> "
                   "(N, C, H, W), overlapping positions summed; params output_size, "
                   "kernel_size, dilation, padding, stride (pairs)"))
    rows.append(Op("pad", N, sig="(input, *, pad, value=0)",
                   contract="constant padding; params pad (per dim, from the "
                   "first: ((before, after), ...) with one pair per dim), value"))

    # in-place rows: Tensor.copy_ (frontend/inplace.py), the fused kernels that add_,
    # sub_, mul_ and div_ take (see the rows above), and Tensor.__setitem__
    I = "inplace"
    rows.append(Op("copy_", I, None, nin=2, differentiable=False, sig="(input, src)",
                   function="hand", method=True,
                   contract="copy_(dst, src): write src (broadcast, cast) into dst"))
    for n, sym in (("add_", "+="), ("sub_", "-="), ("mul_", "*="), ("div_", "/=")):
        rows.append(Op(n, I, None, nin=2, scalars=True, differentiable=False,
                       sig="(input, other, *, alpha=1)" if n in ("add_", "sub_")
                       else "(input, other)",
                       contract=f"{n}(dst, src): dst {sym} src in place (src broadcast to "
                                f"dst, same dtype, or a scalar); add_/sub_ take param alpha; "
                                f"optional: without it flambeau composes the op and copy_"))
    rows.append(Op("setitem_", I, None, nin=2, differentiable=False,
                   sig="(input, value, *, index)",
                   contract="setitem_(dst, value), param index as for getitem; value "
                            "is an array of dst's dtype or a scalar"))

    # creation and random rows: hand-written functions in frontend/creation.py and
    # frontend/random.py (which parse sizes, dtypes and devices)
    C = "creation"
    kw = dict(rule=None, nin=0, differentiable=False, function="hand")
    rows.append(Op("full", C, **kw, sig="(*, shape, fill_value, dtype, index=0)",
                   contract="params shape, fill_value, dtype, index"))
    rows.append(Op("empty", C, **kw, sig="(*, shape, dtype, index=0)",
                   contract="params shape, dtype, index"))
    rows.append(Op("arange", C, **kw, sig="(*, start, end, step, dtype, index=0)",
                   contract="params start, end, step, dtype, index"))
    rows.append(Op("linspace", C, **kw, sig="(*, start, end, steps, dtype, index=0)",
                   contract="params start, end, steps, dtype, index"))
    rows.append(Op("eye", C, **kw, sig="(*, n, m, dtype, index=0)",
                   contract="params n, m, dtype, index"))

    Rn = "random"
    # fl.rand and Tensor.uniform_ sample through uniform, fl.randn and normal_ through
    # normal
    rows.append(Op("uniform", Rn, **dict(kw, function=None),
                   sig="(*, shape, low, high, dtype, gen, index=0)",
                   contract="params shape, low, high, dtype, gen"))
    rows.append(Op("normal", Rn, **kw, sig="(*, shape, mean, std, dtype, gen, index=0)",
                   contract="params shape, mean, std, dtype, gen"))
    rows.append(Op("randint", Rn, **kw, sig="(*, shape, low, high, dtype, gen, index=0)",
                   contract="params shape, low, high, dtype, gen"))
    rows.append(Op("randperm", Rn, **kw, sig="(*, n, dtype, gen, index=0)",
                   contract="params n, dtype, gen"))
    rows.append(Op("bernoulli", Rn, None, differentiable=False, sig="(input, *, gen)",
                   **red, contract="bernoulli(p), param gen: 0/1 in p's dtype"))
    rows.append(Op("multinomial", Rn, "index", differentiable=False,
                   sig="(input, *, num_samples, replacement, gen)", **red,
                   contract="multinomial(probs), params num_samples, replacement, gen"))
    return rows


def _table() -> dict[str, Op]:
    table: dict[str, Op] = {}
    for row in _rows() + _areas.rows():
        if row.name in table:
            raise RuntimeError(f"op {row.name!r} is declared twice in the op table")
        table[row.name] = row
    return table


OPS: dict[str, Op] = _table()


def op(name: str) -> Op:
    """The table row called ``name``; ``KeyError`` names the near misses."""
    try:
        return OPS[name]
    except KeyError:
        import difflib
        near = difflib.get_close_matches(name, OPS, n=3)
        raise KeyError(f"no op named {name!r} in flambeau's op table"
                       + (f"; did you mean {', '.join(near)}?" if near else "")) from None
