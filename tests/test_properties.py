"""Property tests: broadcasting, type promotion and basic indexing on random inputs.

References: ``numpy.broadcast_shapes``, NumPy basic indexing, and a reference
implementation of PyTorch's promotion rules written here from PyTorch's docs and its
promotion table (independently of flambeau's code).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flambeau as fl

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# --- broadcasting --------------------------------------------------------------------------

shapes = st.lists(st.integers(0, 4), max_size=4).map(tuple)


def _np_broadcast(a, b):
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        return None


@SETTINGS
@given(a=shapes, b=shapes, op=st.sampled_from(["add", "mul", "eq", "maximum", "where"]))
def test_broadcasting_matches_numpy(a, b, op):
    x, y = fl.ones(a), fl.ones(b)
    ref = _np_broadcast(a, b)

    def run():
        if op == "where":
            return fl.where(x > 0, x, y)
        return getattr(fl, op)(x, y)

    if ref is None:
        with pytest.raises(RuntimeError):
            run()
    else:
        assert run().shape == ref


@SETTINGS
@given(a=shapes, b=shapes)
def test_broadcast_tensors_and_inplace_shape_rule(a, b):
    ref = _np_broadcast(a, b)
    x, y = fl.zeros(a), fl.ones(b)
    if ref is None:
        with pytest.raises(RuntimeError):
            fl.broadcast_tensors(x, y)
    else:
        bx, by = fl.broadcast_tensors(x, y)
        assert bx.shape == ref and by.shape == ref
    if ref == a:
        x.add_(y)
        assert x.numpy().tolist() == np.ones(a, np.float32).tolist()
    else:
        with pytest.raises(RuntimeError):
            x.add_(y)
        assert x.numpy().tolist() == np.zeros(a, np.float32).tolist()


@st.composite
def compatible_shapes(draw):
    """Two shapes that broadcast: drop, or set to 1, some dims of one common shape."""
    base = draw(st.lists(st.integers(1, 4), max_size=4))

    def variant():
        dims = [draw(st.sampled_from([n, 1])) for n in base]
        return tuple(dims[draw(st.integers(0, len(dims))):])
    return variant(), variant()


@SETTINGS
@given(pair=compatible_shapes())
def test_compatible_shapes_always_broadcast(pair):
    a, b = pair
    ra = np.arange(int(np.prod(a)), dtype=np.float32).reshape(a)
    rb = np.arange(int(np.prod(b)), dtype=np.float32).reshape(b)
    out = fl.tensor(ra) * fl.tensor(rb) - fl.tensor(rb)
    np.testing.assert_array_equal(out.numpy(), ra * rb - rb)


# --- promotion ------------------------------------------------------------------------------

NAMES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
# PyTorch's promote_types table for NAMES x NAMES (c10/core/ScalarType.cpp)
_TABLE = """
bool    uint8   int8    int16 int32 int64 float16 float32 float64
uint8   uint8   int16   int16 int32 int64 float16 float32 float64
int8    int16   int8    int16 int32 int64 float16 float32 float64
int16   int16   int16   int16 int32 int64 float16 float32 float64
int32   int32   int32   int32 int32 int64 float16 float32 float64
int64   int64   int64   int64 int64 int64 float16 float32 float64
float16 float16 float16 float16 float16 float16 float16 float32 float64
float32 float32 float32 float32 float32 float32 float32 float32 float64
float64 float64 float64 float64 float64 float64 float64 float64 float64
"""
PROMOTE = {(a, b): c for a, row in zip(NAMES, _TABLE.strip().split("\n"))
           for b, c in zip(NAMES, row.split())}
FLOATS = ("float16", "float32", "float64")


def _promote(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return PROMOTE[a, b]


def _category(name):
    return 0 if name == "bool" else 2 if name in FLOATS else 1


def _combine(higher, lower):
    """PyTorch's combine_categories: the higher-priority group wins unless the lower one
    is of a higher category (bool < integer < float)."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if _category(higher) == 2:
        return higher
    if higher == "bool" or _category(lower) == 2:
        return _promote(higher, lower)
    return higher


def reference_result_type(specs):
    """Specs are ("tensor", dtype name, ndim) or ("scalar", python value)."""
    dim = zero = wrapped = None
    for kind, *rest in specs:
        if kind == "tensor":
            name, ndim = rest
            if ndim:
                dim = _promote(dim, name)
            else:
                zero = _promote(zero, name)
        else:
            v = rest[0]
            name = "bool" if isinstance(v, bool) else "int64" if isinstance(v, int) \
                else "float32"  # the default dtype
            wrapped = _promote(wrapped, name)
    return _combine(dim, _combine(zero, wrapped))


tensor_specs = st.tuples(st.just("tensor"), st.sampled_from(NAMES), st.integers(0, 1))
scalar_specs = st.tuples(st.just("scalar"),
                         st.one_of(st.booleans(), st.integers(0, 3), st.sampled_from(
                             [0.5, 1.5, 2.0])))
operand_specs = st.one_of(tensor_specs, scalar_specs)


def _make(spec):
    if spec[0] == "scalar":
        return spec[1]
    _, name, ndim = spec
    return fl.ones((2,) * ndim, dtype=getattr(fl, name))


@SETTINGS
@given(specs=st.lists(operand_specs, min_size=1, max_size=4))
def test_result_type_matches_reference(specs):
    expected = reference_result_type(specs)
    assert fl.result_type(*map(_make, specs)) is getattr(fl, expected)


@SETTINGS
@given(a=operand_specs, b=tensor_specs, swap=st.booleans())
def test_op_output_dtype_matches_result_type(a, b, swap):
    x, y = _make(a), _make(b)
    if swap:
        x, y = y, x
    promoted = fl.result_type(x, y)
    assert promoted is getattr(fl, reference_result_type([a, b]))
    assert (x + y).dtype is promoted
    assert (x * y).dtype is promoted
    assert fl.maximum(y, x).dtype is promoted if isinstance(x, fl.Tensor) else True
    assert (x == y).dtype is fl.bool
    with np.errstate(divide="ignore", invalid="ignore"):  # scalars may be 0 or False
        assert (x / y).dtype is (promoted if promoted.is_floating_point else fl.float32)
    if promoted is fl.bool:
        with pytest.raises(RuntimeError):
            x - y
    else:
        assert (x - y).dtype is promoted
    cond = fl.ones(2, dtype=fl.bool)
    assert fl.where(cond, x, y).dtype is promoted


# --- basic indexing ----------------------------------------------------------------------

@st.composite
def basic_index(draw, shape):
    """A tuple of ints, slices (positive steps), None and at most one Ellipsis."""
    index, dim, used_ellipsis = [], 0, False
    while dim < len(shape) or draw(st.booleans()):
        if len(index) > 6:
            break
        choices = ["none"] + (["ellipsis"] if not used_ellipsis else [])
        if dim < len(shape):
            choices += ["slice", "slice"] + (["int"] if shape[dim] else [])
        kind = draw(st.sampled_from(choices))
        if kind == "int":
            n = shape[dim]
            index.append(draw(st.integers(-n, n - 1)))
            dim += 1
        elif kind == "slice":
            bound = st.one_of(st.none(), st.integers(-7, 7))
            index.append(slice(draw(bound), draw(bound),
                               draw(st.sampled_from([None, 1, 2, 3]))))
            dim += 1
        elif kind == "none":
            index.append(None)
        else:
            index.append(Ellipsis)
            used_ellipsis = True
            dim = len(shape)  # the ellipsis can stand for all the remaining dims
            if draw(st.booleans()):
                break
    return tuple(index)


@st.composite
def shape_and_index(draw):
    shape = tuple(draw(st.lists(st.integers(0, 5), max_size=4)))
    return shape, draw(basic_index(shape))


@SETTINGS
@given(case=shape_and_index())
def test_basic_indexing_matches_numpy(case):
    shape, index = case
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    t = fl.tensor(a)
    out = t[index]
    ref = a[index]
    assert out.shape == np.shape(ref)
    np.testing.assert_array_equal(out.numpy(), ref)
    # basic indexing gives a view: a write through it lands in the base like NumPy's
    out.fill_(-1.0)
    a[index] = -1.0
    np.testing.assert_array_equal(t.numpy(), a)


@SETTINGS
@given(case=shape_and_index(), value=st.floats(-5, 5, width=32))
def test_basic_setitem_matches_numpy(case, value):
    shape, index = case
    a = np.zeros(shape, dtype=np.float32)
    t = fl.zeros(shape)
    t[index] = value
    a[index] = value
    np.testing.assert_array_equal(t.numpy(), a)
