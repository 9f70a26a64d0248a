"""dtype objects, promote_types, result_type, the default dtype, finfo and iinfo.

References: PyTorch's promotion table (c10/core/ScalarType.cpp) and its documented
type-promotion rules for Python scalars and zero-dim tensors; NumPy for finfo/iinfo.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import flambeau as fl

NAMES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
ALL = [getattr(fl, n) for n in NAMES]

# PyTorch's promote_types table, rows and columns in NAMES order (b1 u1 i1 i2 i4 i8 f2 f4 f8)
_TORCH_TABLE = """
b1 u1 i1 i2 i4 i8 f2 f4 f8
u1 u1 i2 i2 i4 i8 f2 f4 f8
i1 i2 i1 i2 i4 i8 f2 f4 f8
i2 i2 i2 i2 i4 i8 f2 f4 f8
i4 i4 i4 i4 i4 i8 f2 f4 f8
i8 i8 i8 i8 i8 i8 f2 f4 f8
f2 f2 f2 f2 f2 f2 f2 f4 f8
f4 f4 f4 f4 f4 f4 f4 f4 f8
f8 f8 f8 f8 f8 f8 f8 f8 f8
"""
_SHORT = dict(zip("b1 u1 i1 i2 i4 i8 f2 f4 f8".split(), NAMES))
TORCH_PROMOTE = {
    (a, b): _SHORT[cell]
    for a, row in zip(NAMES, _TORCH_TABLE.split("\n")[1:-1])
    for b, cell in zip(NAMES, row.split())
}


@pytest.fixture
def restore_default_dtype():
    saved = fl.get_default_dtype()
    yield
    fl.set_default_dtype(saved)


# --- dtype objects ------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes_match_numpy(name):
    d = getattr(fl, name)
    ref = np.dtype(name)
    assert d.name == name
    assert d.itemsize == ref.itemsize
    assert d.is_floating_point == (ref.kind == "f")
    assert d.is_signed == (ref.kind in "if")
    assert d.is_complex is False
    assert repr(d) == f"flambeau.{name}"


def test_dtype_aliases_are_pytorchs():
    assert fl.half is fl.float16 and fl.float is fl.float32 and fl.double is fl.float64
    assert fl.short is fl.int16 and fl.int is fl.int32 and fl.long is fl.int64
    assert isinstance(fl.float32, fl.dtype)


@pytest.mark.parametrize("d", ALL, ids=NAMES)
def test_dtype_pickles_to_the_same_object(d):
    assert pickle.loads(pickle.dumps(d)) is d


# --- promote_types ------------------------------------------------------------------

@pytest.mark.parametrize("a", NAMES)
def test_promote_types_matches_pytorch_table(a):
    for b in NAMES:
        got = fl.promote_types(getattr(fl, a), getattr(fl, b))
        assert got is getattr(fl, TORCH_PROMOTE[a, b]), (a, b, got)


def test_promote_types_examples():
    assert fl.promote_types(fl.uint8, fl.int8) is fl.int16
    assert fl.promote_types(fl.int64, fl.float16) is fl.float16
    assert fl.promote_types(fl.bool, fl.uint8) is fl.uint8
    assert fl.promote_types(fl.float16, fl.float64) is fl.float64


# --- result_type and the dtype of real op results -----------------------------------

def test_int_tensor_times_python_float_is_default_float():
    x = fl.tensor([1, 2], dtype=fl.int32)
    assert fl.result_type(x, 2.5) is fl.float32
    y = x * 2.5
    assert y.dtype is fl.float32
    np.testing.assert_allclose(y.numpy(), [2.5, 5.0])


def test_uint8_plus_large_python_int_stays_uint8_and_wraps():
    x = fl.tensor([1, 2], dtype=fl.uint8)
    assert fl.result_type(x, 1000) is fl.uint8
    y = x + 1000
    assert y.dtype is fl.uint8
    # PyTorch casts the wrapped scalar to uint8 the way C does: 1000 -> 232
    ref = np.array([1, 2], dtype=np.uint8) + np.uint8(1000 % 256)
    np.testing.assert_array_equal(y.numpy(), ref)


def test_bool_plus_int_is_int64():
    x = fl.tensor([True, False])
    assert fl.result_type(x, 1) is fl.int64
    y = x + 1
    assert y.dtype is fl.int64
    assert y.tolist() == [2, 1]


def test_bool_plus_bool_scalar_stays_bool():
    assert fl.result_type(fl.tensor([True]), True) is fl.bool


def test_int_true_division_is_default_float():
    a, b = fl.tensor([1, 2, 3]), fl.tensor([2, 2, 2])
    y = a / b
    assert y.dtype is fl.float32
    np.testing.assert_allclose(y.numpy(), [0.5, 1.0, 1.5])
    assert (fl.tensor([1, 2], dtype=fl.int16) / 2).dtype is fl.float32


@pytest.mark.parametrize("name", ["bool", "uint8", "int8", "int16", "int32", "int64"])
def test_sum_of_bool_and_ints_is_int64(name):
    x = fl.tensor(np.array([1, 0, 1], dtype=name))
    s = x.sum()
    assert s.dtype is fl.int64
    assert s.item() == 2


def test_sum_of_floats_keeps_dtype():
    assert fl.ones(3, dtype=fl.float16).sum().dtype is fl.float16
    assert fl.ones(3, dtype=fl.float64).sum().dtype is fl.float64


def test_zero_dim_float64_with_float32_tensor_is_float32():
    s = fl.tensor(1.5, dtype=fl.float64)
    t = fl.tensor([1.0, 2.0], dtype=fl.float32)
    assert fl.result_type(s, t) is fl.float32
    assert (s + t).dtype is fl.float32
    assert (t * s).dtype is fl.float32


@pytest.mark.parametrize("fdt", [fl.float16, fl.float32, fl.float64], ids=str)
def test_zero_dim_float_with_int_tensor_is_that_float(fdt):
    s = fl.tensor(0.5, dtype=fdt)
    t = fl.tensor([1, 2], dtype=fl.int64)
    assert fl.result_type(s, t) is fdt
    y = t + s
    assert y.dtype is fdt
    np.testing.assert_allclose(y.numpy().astype(np.float64), [1.5, 2.5])


def test_zero_dim_same_category_does_not_widen_dimensioned():
    assert fl.result_type(fl.tensor(1, dtype=fl.int64), fl.tensor([1], dtype=fl.int8)) \
        is fl.int8
    assert (fl.tensor([1], dtype=fl.int8) + fl.tensor(1, dtype=fl.int64)).dtype is fl.int8


def test_zero_dim_tensors_alone_promote_normally():
    assert fl.result_type(fl.tensor(1, dtype=fl.int8), fl.tensor(1, dtype=fl.int32)) \
        is fl.int32


def test_zero_dim_bool_with_python_float_is_default_float():
    assert fl.result_type(fl.tensor(True), 1.5) is fl.float32


def test_zero_dim_float16_with_python_float_stays_float16():
    assert fl.result_type(fl.tensor(1.0, dtype=fl.float16), 2.5) is fl.float16
    assert (fl.tensor([1.0], dtype=fl.float16) * 2.5).dtype is fl.float16


def test_python_scalars_alone():
    assert fl.result_type(2, 2.5) is fl.float32
    assert fl.result_type(2, 3) is fl.int64
    assert fl.result_type(True, False) is fl.bool


def test_result_type_rejects_other_objects():
    with pytest.raises(TypeError):
        fl.result_type(fl.ones(1), "a")


def test_python_float_follows_default_dtype(restore_default_dtype):
    fl.set_default_dtype(fl.float64)
    x = fl.tensor([1, 2], dtype=fl.int32)
    assert fl.result_type(x, 2.5) is fl.float64
    assert (x * 2.5).dtype is fl.float64
    assert (x / x).dtype is fl.float64


def test_default_dtype_change_reaches_ops_already_run():
    a = fl.tensor([1, 2], dtype=fl.int16)
    saved = fl.get_default_dtype()
    try:
        fl.set_default_dtype(fl.float64)
        first = (a / a).dtype
        fl.set_default_dtype(fl.float32)
        second = (a / a).dtype
    finally:
        fl.set_default_dtype(saved)
    assert (first, second) == (fl.float64, fl.float32)


# --- default dtype --------------------------------------------------------------------

def test_default_dtype_is_float32():
    assert fl.get_default_dtype() is fl.float32


def test_set_default_dtype_changes_creation(restore_default_dtype):
    fl.set_default_dtype(fl.float64)
    assert fl.get_default_dtype() is fl.float64
    assert fl.tensor([1.5]).dtype is fl.float64
    assert fl.ones(2).dtype is fl.float64
    assert fl.zeros(2).dtype is fl.float64
    assert fl.arange(0.0, 1.0, 0.5).dtype is fl.float64
    assert fl.rand(2).dtype is fl.float64
    # integer and bool inference do not follow the float default
    assert fl.tensor([1]).dtype is fl.int64
    assert fl.tensor([True]).dtype is fl.bool


@pytest.mark.parametrize("bad", [fl.int64, fl.bool, "float64", None])
def test_set_default_dtype_rejects_non_float(bad, restore_default_dtype):
    with pytest.raises(TypeError):
        fl.set_default_dtype(bad)
    assert fl.get_default_dtype() is fl.float32


# --- finfo and iinfo ----------------------------------------------------------------

@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_matches_numpy(name):
    f, ref = fl.finfo(getattr(fl, name)), np.finfo(name)
    assert f.bits == ref.bits
    assert f.eps == float(ref.eps)
    assert f.max == float(ref.max)
    assert f.min == float(ref.min)
    assert f.tiny == float(ref.tiny)
    assert f.smallest_normal == float(ref.smallest_normal)
    assert f.resolution == 10.0 ** -ref.precision
    assert f.dtype == name


def test_finfo_default_is_default_dtype():
    assert fl.finfo().dtype == "float32"


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_numpy(name):
    i, ref = fl.iinfo(getattr(fl, name)), np.iinfo(name)
    assert (i.bits, i.min, i.max) == (ref.bits, int(ref.min), int(ref.max))
    assert i.dtype == name


def test_finfo_iinfo_reject_the_wrong_kind():
    with pytest.raises(TypeError):
        fl.finfo(fl.int32)
    with pytest.raises(TypeError):
        fl.iinfo(fl.float32)
