"""How each op turns its input dtypes into (compute dtype, output dtype).

A rule takes the already-promoted input dtype (see :func:`result_type`) and the op's
name, and returns the dtype inputs are cast to before the kernel runs and the dtype
the kernel returns. Rules raise ``RuntimeError`` the way PyTorch does for dtypes an op
refuses (``-`` on bool, bitwise ops on floats).
"""

from __future__ import annotations

from .dtypes import (DType, bool_, default_complex_dtype, get_default_dtype, int64,
                     promote_types)

__all__ = ["RULES", "result_type", "combine_categories"]


def combine_categories(higher: DType | None, lower: DType | None) -> DType | None:
    """Merge a higher-priority result (e.g. dimensioned tensors) with a lower one."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher is bool_ or lower.category > higher.category >= 1:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(x) -> DType:
    """The weak dtype of a Python scalar: bool, int64, the default float or the
    default complex dtype."""
    if x is True or x is False:
        return bool_
    if isinstance(x, int):
        return int64
    if isinstance(x, complex):
        return default_complex_dtype()
    return get_default_dtype()


def result_type(*operands) -> DType:
    """The dtype PyTorch's promotion gives for a mix of tensors and Python scalars.

    Dimensioned tensors take priority over zero-dim tensors, which take priority
    over Python scalars, unless a lower-priority operand is of a higher category
    (bool < integer < floating point).

    Example::

        >>> fl.result_type(fl.tensor([1, 2], dtype=fl.int32), 2.5)
        flambeau.float32
    """
    dim_res = zero_res = wrapped = None
    for x in operands:
        d = getattr(x, "_dtype", None)
        if d is not None:
            if x._data.shape:
                dim_res = d if dim_res is None else promote_types(dim_res, d)
            else:
                zero_res = d if zero_res is None else promote_types(zero_res, d)
        elif isinstance(x, DType):
            dim_res = x if dim_res is None else promote_types(dim_res, x)
        elif isinstance(x, (bool, int, float, complex)):
            s = scalar_dtype(x)
            wrapped = s if wrapped is None else promote_types(wrapped, s)
        else:
            raise TypeError(f"result_type(): expected tensors, dtypes or Python "
                            f"scalars, got {type(x).__name__}")
    res = combine_categories(dim_res, combine_categories(zero_res, wrapped))
    if res is None:
        raise TypeError("result_type(): needs at least one operand")
    return res


def _same(op, d):
    return d, d


def _float(op, d):
    if d.category < 2:
        f = get_default_dtype()
        return f, f
    return d, d


def _to_bool(op, d):
    return d, bool_


def _int_or_bool(op, d):
    if d.category >= 2:
        raise RuntimeError(f"{op}(): not implemented for floating-point dtype {d.name}; "
                           f"bitwise ops take integer or bool tensors")
    return d, d


def _no_bool(op, d):
    if d is bool_:
        hint = {"sub": " Use the `^` or `logical_xor()` operator instead.",
                "neg": " Use the `~` or `logical_not()` operator instead."}.get(op, "")
        raise RuntimeError(f"{op}(): not supported for bool tensors.{hint}")
    return d, d


def _sum_like(op, d):
    # PyTorch accumulates bool and integer sums in int64
    if d.category < 2:
        return int64, int64
    return d, d


def _float_only(op, d):
    if d.category < 2:
        raise RuntimeError(f"{op}(): input dtype must be floating point, got {d.name}; "
                           f"convert with .float() or .double() first")
    return d, d


def _index(op, d):
    return d, int64


def _to_complex(op, d):
    # real -> its complex type (integers through the default float)
    if d.category == 3:
        raise TypeError(f"{op}(): expected real (floating-point) inputs, got {d.name}")
    if d.category < 2:
        d = get_default_dtype()
    if d.name == "float16":
        raise TypeError(f"{op}(): float16 input would give complex32 (chalf), which is "
                        f"not supported; convert with .float() first")
    return d, d.to_complex()


def _to_real(op, d):
    # complex input -> real output (complex-to-real transforms); real input refused
    if d.category != 3:
        raise TypeError(f"{op}(): expected a complex input, got {d.name}")
    return d, d.to_real()


# ops PyTorch refuses on complex inputs (they need an order, or are real functions)
REAL_ONLY = frozenset((
    "lt", "le", "gt", "ge", "maximum", "minimum", "amax", "amin", "max_dim", "min_dim",
    "argmax", "argmin", "sort", "topk", "clamp", "floor", "ceil", "trunc", "round",
    "remainder", "fmod", "floor_divide", "trunc_divide", "atan2", "sign", "relu", "erf",
    "softmax", "log_softmax", "logsumexp", "cummax", "cummin", "unique", "heaviside",
    "hypot", "copysign", "fmax", "fmin", "erfinv", "erfc", "lgamma", "digamma",
))
# ops whose result on a complex input is real (|x|, its angle, a variance, a norm)
TO_REAL = frozenset(("abs", "angle", "var", "norm", "real", "imag"))


def _complex_aware(rule):
    def checked(op, d):
        if d.category != 3:
            return rule(op, d)
        if op in REAL_ONLY:
            # NotImplementedError, as PyTorch (a RuntimeError)
            raise NotImplementedError(f"{op}(): not supported for complex dtype {d.name} (it "
                               f"needs real numbers); apply it to .real, .imag or .abs()")
        compute, out = rule(op, d)
        return compute, (out.to_real() if op in TO_REAL else out)
    checked.__name__ = rule.__name__
    checked.__doc__ = rule.__doc__
    return checked


RULES = {
    "same": _same,          # output keeps the promoted dtype
    "float": _float,        # integers and bool are computed in the default float dtype
    "bool": _to_bool,       # comparisons and predicates
    "int_or_bool": _int_or_bool,
    "no_bool": _no_bool,
    "sum": _sum_like,
    "float_only": _float_only,
    "index": _index,        # returns int64 positions
    "to_complex": _to_complex,  # real inputs, complex output (fl.complex, rfft)
    "to_real": _to_real,    # complex input, real output (irfft)
}
RULES = {name: _complex_aware(rule) for name, rule in RULES.items()}
