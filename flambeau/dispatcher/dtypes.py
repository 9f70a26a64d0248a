"""dtypes and PyTorch's type-promotion rules.

A :class:`DType` is a plain named record; backends map its ``name`` to their own
native dtype. Promotion follows PyTorch: categories bool < integral < floating < complex, and
among operands, tensors with dimensions outrank zero-dim tensors, which outrank
Python scalars ("weak" types), within the same category.
"""

from __future__ import annotations

__all__ = [
    "DType", "bool_", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
    "float32", "float64", "complex64", "complex128", "cfloat", "cdouble", "ALL_DTYPES",
    "COMPLEX_DTYPES", "FLOAT_DTYPES", "INT_DTYPES", "promote_types",
    "get_default_dtype", "set_default_dtype", "dtype_from_name", "finfo", "iinfo",
]


class DType:
    """A tensor element type, e.g. ``flambeau.float32``.

    Attributes:
        name: the canonical name (``"float32"``), shared with NumPy's spelling.
        itemsize: bytes per element.
        is_floating_point: whether the type holds floating-point values.
        is_signed: whether the type can hold negative values.
    """

    __slots__ = ("name", "itemsize", "is_floating_point", "is_signed", "category", "rank")

    def __init__(self, name: str, itemsize: int, category: int, is_signed: bool, rank: int):
        self.name = name
        self.itemsize = itemsize
        self.category = category  # 0 bool, 1 integral, 2 floating, 3 complex
        self.is_floating_point = category == 2
        self.is_signed = is_signed
        self.rank = rank

    @property
    def is_complex(self) -> bool:
        """Whether the type holds complex values (``complex64``, ``complex128``)."""
        return self.category == 3

    def to_real(self) -> DType:
        """The real dtype of a complex one (``complex64`` -> ``float32``); others as-is."""
        return _REAL_OF.get(self, self)

    def to_complex(self) -> DType:
        """The complex dtype of a floating one (``float64`` -> ``complex128``);
        ``float16`` (whose complex type, ``chalf``, is not supported) gives ``complex64``."""
        if self.category == 3:
            return self
        return complex128 if self is float64 else complex64

    def __repr__(self) -> str:
        return f"flambeau.{self.name}"

    def __reduce__(self):
        return (dtype_from_name, (self.name,))


bool_ = DType("bool", 1, 0, False, 0)
uint8 = DType("uint8", 1, 1, False, 1)
int8 = DType("int8", 1, 1, True, 1)
int16 = DType("int16", 2, 1, True, 2)
int32 = DType("int32", 4, 1, True, 3)
int64 = DType("int64", 8, 1, True, 4)
float16 = DType("float16", 2, 2, True, 1)
# brain float: float32's exponent range with 8 bits of mantissa; stored through the
# ml_dtypes package, computed in float32 by backends without bf16 arithmetic
bfloat16 = DType("bfloat16", 2, 2, True, 1)
float32 = DType("float32", 4, 2, True, 2)
float64 = DType("float64", 8, 2, True, 3)
# complex ranks match the rank of their real parts (complex64 ~ float32)
complex64 = DType("complex64", 8, 3, True, 2)
complex128 = DType("complex128", 16, 3, True, 3)
cfloat, cdouble = complex64, complex128

ALL_DTYPES = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64)
INT_DTYPES = (uint8, int8, int16, int32, int64)
FLOAT_DTYPES = (float16, bfloat16, float32, float64)
# not in ALL_DTYPES: backends hold complex only when they list it in their ``dtypes``
COMPLEX_DTYPES = (complex64, complex128)
_REAL_OF = {complex64: float32, complex128: float64}

_BY_NAME = {d.name: d for d in ALL_DTYPES + COMPLEX_DTYPES}
_BY_NAME.update({"half": float16, "float": float32, "double": float64, "long": int64,
                 "cfloat": complex64, "cdouble": complex128, "int": int32, "short": int16,
                 "bool_": bool_})


def dtype_from_name(name: str) -> DType:
    """Return the :class:`DType` called ``name`` (``"float32"``, ``"long"``, ...)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        if name in ("complex32", "chalf"):
            raise TypeError(f"dtype {name!r} (complex32, chalf) is not supported; use "
                            f"complex64 (fl.cfloat) or complex128 (fl.cdouble)") from None
        raise TypeError(f"unknown dtype name {name!r}; known: "
                        f"{', '.join(d.name for d in ALL_DTYPES + COMPLEX_DTYPES)}") from None


def _promote_pair(a: DType, b: DType) -> DType:
    if a is b:
        return a
    if a.category == 3 or b.category == 3:
        # complex with a float: the complex type of the wider of the two real types
        rank = max(x.rank for x in (a, b) if x.category >= 2)
        return complex128 if rank >= 3 else complex64
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        return hi
    if a.category == 1:
        if a.is_signed == b.is_signed:
            return a if a.rank >= b.rank else b
        # one is uint8: the signed type must hold 0..255, so int8 widens to int16
        signed = a if a.is_signed else b
        return int16 if signed is int8 else signed
    if a.rank == b.rank:
        return float32  # float16 with bfloat16: neither holds the other, PyTorch's rule
    return a if a.rank > b.rank else b


_PROMOTE = {(a, b): _promote_pair(a, b) for a in ALL_DTYPES + COMPLEX_DTYPES
            for b in ALL_DTYPES + COMPLEX_DTYPES}


def promote_types(a: DType, b: DType) -> DType:
    """The smallest dtype both ``a`` and ``b`` can be cast to without losing category.

    Example::

        >>> fl.promote_types(fl.uint8, fl.int8)
        flambeau.int16
    """
    return _PROMOTE[a, b]


# Process-wide, like PyTorch's default dtype.
_default = [float32]


def get_default_dtype() -> DType:
    """The floating-point dtype used for Python floats and for creation functions."""
    return _default[0]


def default_complex_dtype() -> DType:
    """The complex dtype of Python complex numbers: ``complex128`` when the default
    dtype is ``float64``, else ``complex64`` (PyTorch's rule)."""
    return complex128 if _default[0] is float64 else complex64


def set_default_dtype(d: DType) -> None:
    """Set the default floating-point dtype (``float16``, ``bfloat16``, ``float32`` or
    ``float64``)."""
    if not isinstance(d, DType) or not d.is_floating_point:
        raise TypeError(f"set_default_dtype(): only floating-point dtypes are supported "
                        f"as the default, got {d!r}")
    _default[0] = d
    from .optable import OPS
    for row in OPS.values():  # the "float" rule's answers depend on the default
        row.rule_cache.clear()


class finfo:
    """Machine limits of a floating-point dtype, like ``torch.finfo``.

    Attributes: ``bits``, ``eps``, ``max``, ``min``, ``tiny`` (= ``smallest_normal``),
    ``resolution``, ``dtype``.
    """

    _TABLE = {
        "float16": (16, 2.0**-10, 65504.0, 2.0**-14, 0.001),
        "bfloat16": (16, 2.0**-7, 3.3895313892515355e38, 2.0**-126, 0.01),
        "float32": (32, 2.0**-23, 3.4028234663852886e38, 2.0**-126, 1e-6),
        "float64": (64, 2.0**-52, 1.7976931348623157e308, 2.0**-1022, 1e-15),
    }

    def __init__(self, dtype: DType | None = None):
        dtype = get_default_dtype() if dtype is None else dtype
        if isinstance(dtype, DType) and dtype.category == 3:
            dtype = dtype.to_real()  # a complex type's limits are its real parts'
        if not isinstance(dtype, DType) or not dtype.is_floating_point:
            raise TypeError(f"finfo(): expected a floating-point dtype, got {dtype!r}; "
                            f"use fl.iinfo for integer dtypes")
        self.bits, self.eps, self.max, self.tiny, self.resolution = self._TABLE[dtype.name]
        self.min = -self.max
        self.smallest_normal = self.tiny
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min:e}, max={self.max:e}, "
                f"eps={self.eps:e}, smallest_normal={self.tiny:e}, dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer (or bool) dtype, like ``torch.iinfo``.

    Attributes: ``bits``, ``min``, ``max``, ``dtype``.
    """

    def __init__(self, dtype: DType):
        if not isinstance(dtype, DType) or dtype.category >= 2:
            raise TypeError(f"iinfo(): expected an integer dtype, got {dtype!r}; "
                            f"use fl.finfo for floating-point dtypes")
        self.bits = dtype.itemsize * 8
        if dtype is bool_:
            self.min, self.max = 0, 1
        elif dtype.is_signed:
            self.min, self.max = -(2 ** (self.bits - 1)), 2 ** (self.bits - 1) - 1
        else:
            self.min, self.max = 0, 2**self.bits - 1
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
