"""Creation functions, NumPy/DLPack interchange, item/tolist, and PyTorch-style repr.

References: NumPy (values, memory sharing), PyTorch's documented inference rules, and
the strings PyTorch prints for the same tensors (with ``torch.`` read as ``flambeau.``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import flambeau as fl


@pytest.fixture
def restore_default_dtype():
    saved = fl.get_default_dtype()
    yield
    fl.set_default_dtype(saved)


# --- tensor / as_tensor ---------------------------------------------------------------

@pytest.mark.parametrize("data, dtype", [
    ([1.0, 2.0], fl.float32), ([1, 2], fl.int64), ([True, False], fl.bool),
    ([1, 2.0], fl.float32), ([True, 1], fl.int64), (3.5, fl.float32), (7, fl.int64),
    ([], fl.float32), (np.float64(1.0), fl.float64),
    (np.array([1, 2], dtype=np.int32), fl.int32),
    (np.array([1, 2], dtype=np.uint8), fl.uint8),
    (np.array([1.0], dtype=np.float16), fl.float16),
])
def test_tensor_infers_dtype_like_pytorch(data, dtype):
    t = fl.tensor(data)
    assert t.dtype is dtype
    np.testing.assert_array_equal(t.numpy(), np.asarray(data))
    assert t.shape == np.asarray(data).shape


def test_tensor_nested_lists_and_explicit_dtype():
    t = fl.tensor([[1, 2, 3], [4, 5, 6]], dtype=fl.float64)
    assert t.shape == (2, 3) and t.dtype is fl.float64
    assert t.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert fl.tensor([[]]).shape == (1, 0)


def test_tensor_copies_its_data():
    a = np.arange(3.0)
    t = fl.tensor(a)
    a[0] = 100
    assert t[0].item() == 0.0
    u = fl.tensor(t)
    u[1] = -1
    assert t[1].item() == 1.0


def test_tensor_rejects_ragged_and_non_numbers():
    with pytest.raises(ValueError):
        fl.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        fl.tensor("abc")


def test_as_tensor_shares_memory_when_it_can():
    a = np.arange(4, dtype=np.float32)
    t = fl.as_tensor(a)
    t[0] = 10
    assert a[0] == 10
    c = fl.as_tensor(a, dtype=fl.float64)  # a cast has to copy
    c[1] = -5
    assert a[1] == 1
    x = fl.ones(2)
    assert fl.as_tensor(x) is x
    assert fl.as_tensor([1, 2]).dtype is fl.int64


def test_scalar_tensor():
    s = fl.scalar_tensor(2)
    assert s.shape == () and s.dtype is fl.float32 and s.item() == 2.0


# --- from_numpy / numpy() / __array__ / DLPack ---------------------------------------

@pytest.mark.parametrize("name", ["bool", "uint8", "int8", "int16", "int32", "int64",
                                  "float16", "float32", "float64"])
def test_from_numpy_keeps_dtype_and_shares_memory_both_ways(name):
    a = np.zeros((2, 3), dtype=name)
    t = fl.from_numpy(a)
    assert t.dtype is getattr(fl, name) and t.shape == (2, 3)
    t[0, 1] = 1
    assert a[0, 1] == 1
    a[1, 2] = 1
    assert t[1, 2].item() == 1


def test_from_numpy_non_contiguous_and_zero_dim():
    a = np.arange(12.0).reshape(3, 4)[:, ::2]
    t = fl.from_numpy(a)
    np.testing.assert_array_equal(t.numpy(), a)
    t[2, 1] = -1
    assert a[2, 1] == -1
    z = fl.from_numpy(np.array(5, dtype=np.int32))
    assert z.shape == () and z.item() == 5


@pytest.mark.parametrize("bad", [np.zeros(2, dtype=np.uint16), np.zeros(2, dtype=np.uint32),
                                 np.array(["a"]), [1, 2]])
def test_from_numpy_rejects_unsupported(bad):
    with pytest.raises(TypeError):
        fl.from_numpy(bad)


def test_numpy_is_zero_copy_on_cpu():
    t = fl.arange(6.0).reshape(2, 3)
    n = t.numpy()
    n[1, 1] = 42
    assert t[1, 1].item() == 42
    t[0, 0] = -3
    assert n[0, 0] == -3
    v = t.t().numpy()  # a view's numpy() is a view too
    assert np.shares_memory(v, n)


def test_numpy_of_tensor_requiring_grad_raises():
    t = fl.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        t.numpy()
    assert t.detach().numpy().tolist() == [1.0, 1.0]


def test_array_protocol():
    t = fl.tensor([1.5, 2.5])
    a = np.asarray(t)
    assert a.dtype == np.float32 and np.shares_memory(a, t.numpy())
    d = np.array(t, dtype=np.float64)
    assert d.dtype == np.float64 and d.tolist() == [1.5, 2.5]
    assert (np.add(np.ones(2), np.asarray(t)) == [2.5, 3.5]).all()


def test_dlpack_round_trips_share_memory():
    a = np.arange(5, dtype=np.float32)
    t = fl.from_dlpack(a)
    assert t.dtype is fl.float32
    t[0] = 9
    assert a[0] == 9
    b = np.from_dlpack(t)
    b[1] = -7
    assert t[1].item() == -7
    assert t.__dlpack_device__() == (1, 0)


# --- item / tolist ---------------------------------------------------------------------

@pytest.mark.parametrize("value, pytype", [(3, int), (2.5, float), (True, bool)])
def test_item_returns_python_number(value, pytype):
    x = fl.tensor(value).item()
    assert type(x) is pytype and x == value
    assert type(fl.tensor([[value]]).item()) is pytype


def test_item_of_many_elements_raises():
    with pytest.raises(RuntimeError, match="2 elements"):
        fl.ones(2).item()


def test_tolist_matches_numpy():
    a = np.arange(6).reshape(2, 3)
    assert fl.tensor(a).tolist() == a.tolist()
    assert fl.tensor(2.5).tolist() == 2.5
    assert fl.tensor([True]).tolist() == [True]


# --- zeros / ones / full / empty and *_like -------------------------------------------

@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([2, 3],), (fl.Size([2, 3]),)])
def test_size_arguments(size):
    for fn, v in ((fl.zeros, 0.0), (fl.ones, 1.0)):
        t = fn(*size)
        assert t.shape == (2, 3) and t.dtype is fl.float32
        np.testing.assert_array_equal(t.numpy(), np.full((2, 3), v, np.float32))
    assert fl.empty(*size).shape == (2, 3)


def test_zero_dim_and_empty_shapes():
    assert fl.ones(()).shape == () and fl.ones(()).item() == 1.0
    assert fl.zeros(0).shape == (0,)
    assert fl.zeros(2, 0).numel() == 0


def test_creation_dtype_argument():
    assert fl.zeros(2, dtype=fl.int32).tolist() == [0, 0]
    assert fl.ones(2, dtype=fl.bool).tolist() == [True, True]
    assert fl.empty(2, dtype=fl.int64).dtype is fl.int64


@pytest.mark.parametrize("fill, dtype", [(1.5, fl.float32), (2, fl.int64), (True, fl.bool)])
def test_full_infers_dtype_from_fill(fill, dtype):
    t = fl.full((2, 2), fill)
    assert t.dtype is dtype
    np.testing.assert_array_equal(t.numpy(), np.full((2, 2), fill))
    assert fl.full((2,), 7, dtype=fl.float64).tolist() == [7.0, 7.0]


def test_negative_size_raises():
    for fn in (fl.zeros, fl.ones, fl.empty):
        with pytest.raises(RuntimeError, match="negative"):
            fn(2, -1)


def test_like_functions_keep_shape_dtype_device():
    src = fl.ones(2, 3, dtype=fl.int32)
    for fn, v in ((fl.zeros_like, 0), (fl.ones_like, 1)):
        t = fn(src)
        assert t.shape == (2, 3) and t.dtype is fl.int32 and t.device is src.device
        assert t.tolist() == [[v] * 3] * 2
    assert fl.empty_like(src).shape == (2, 3)
    f = fl.full_like(src, 3.7)  # cast to the input's integer dtype, like PyTorch
    assert f.dtype is fl.int32 and f.tolist() == [[3] * 3] * 2
    assert fl.zeros_like(src, dtype=fl.float64).dtype is fl.float64


# --- arange / linspace / eye -----------------------------------------------------------

def _torch_arange_ref(start, end, step):
    n = math.ceil((end - start) / step)
    return start + step * np.arange(max(n, 0), dtype=np.float64)


@pytest.mark.parametrize("args", [(5,), (1, 4), (5, 0, -1), (10, 0, -3), (-3, 3, 2), (3, 3)])
def test_arange_integers_are_int64(args):
    t = fl.arange(*args)
    assert t.dtype is fl.int64
    np.testing.assert_array_equal(t.numpy(), np.arange(*args))


@pytest.mark.parametrize("args", [(0.0, 5), (0, 1, 0.25), (1, 2.5, 0.5), (0, 0.3, 0.1),
                                  (-1, 1, 0.1), (1.0, 0.0, -0.25), (0, 1, 0.1),
                                  (0.5, -0.55, -0.35), (0, 10, 1.5)])
def test_arange_floats_count_like_pytorch(args):
    start, end, step = (0, args[0], 1) if len(args) == 1 else (args + (1,))[:3]
    t = fl.arange(*args)
    assert t.dtype is fl.float32
    ref = _torch_arange_ref(start, end, step).astype(np.float32)
    assert t.shape == ref.shape, (args, t)
    np.testing.assert_allclose(t.numpy(), ref, rtol=1e-6, atol=1e-7)


def test_arange_dtype_argument_and_tensor_bounds():
    assert fl.arange(3, dtype=fl.float64).tolist() == [0.0, 1.0, 2.0]
    assert fl.arange(fl.tensor(3)).tolist() == [0, 1, 2]


def test_arange_bad_steps_raise():
    with pytest.raises(RuntimeError):
        fl.arange(0, 5, 0)
    with pytest.raises(RuntimeError):
        fl.arange(5, 0, 1)
    with pytest.raises(RuntimeError):
        fl.arange(0, 5, -1)


@pytest.mark.parametrize("start, end, steps", [(0, 1, 5), (-1, 1, 3), (2, 2, 4), (0, 1, 1),
                                               (0, 1, 0), (3, -3, 7)])
def test_linspace_matches_numpy(start, end, steps):
    t = fl.linspace(start, end, steps)
    assert t.dtype is fl.float32 and t.shape == (steps,)
    np.testing.assert_allclose(t.numpy(), np.linspace(start, end, steps), rtol=1e-6)


def test_linspace_dtype_and_errors():
    assert fl.linspace(0, 1, 3, dtype=fl.float64).dtype is fl.float64
    with pytest.raises(RuntimeError):
        fl.linspace(0, 1, -1)


@pytest.mark.parametrize("n, m", [(3, None), (2, 3), (3, 2), (0, None), (1, 1)])
def test_eye_matches_numpy(n, m):
    t = fl.eye(n, m)
    assert t.dtype is fl.float32
    np.testing.assert_array_equal(t.numpy(), np.eye(n, m))
    assert fl.eye(n, m, dtype=fl.int64).dtype is fl.int64


# --- repr -------------------------------------------------------------------------------

@pytest.mark.parametrize("make, expected", [
    (lambda: fl.tensor([1.0, 2.0]), "tensor([1., 2.])"),
    (lambda: fl.tensor([0.5, 1.0]), "tensor([0.5000, 1.0000])"),
    (lambda: fl.tensor([-1.5, 2.25]), "tensor([-1.5000,  2.2500])"),
    (lambda: fl.tensor([1, 2]), "tensor([1, 2])"),
    (lambda: fl.tensor(3.5), "tensor(3.5000)"),
    (lambda: fl.tensor(3), "tensor(3)"),
    (lambda: fl.tensor(True), "tensor(True)"),
    (lambda: fl.tensor([True, False]), "tensor([ True, False])"),
    (lambda: fl.tensor([1, 2], dtype=fl.int32), "tensor([1, 2], dtype=flambeau.int32)"),
    (lambda: fl.tensor([1.0, 2.0], dtype=fl.float64),
     "tensor([1., 2.], dtype=flambeau.float64)"),
    (lambda: fl.tensor([1.0], dtype=fl.float16), "tensor([1.], dtype=flambeau.float16)"),
    (lambda: fl.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    (lambda: fl.tensor([1.0, 1e10]), "tensor([1.0000e+00, 1.0000e+10])"),
    (lambda: fl.tensor([0.0, 0.0]), "tensor([0., 0.])"),
    (lambda: fl.tensor([float("nan"), 1.0, float("inf")]), "tensor([nan, 1., inf])"),
    (lambda: fl.tensor([float("nan"), 1.5]), "tensor([   nan, 1.5000])"),
    (lambda: fl.tensor([[1.0, 2.0], [3.0, 4.0]]), "tensor([[1., 2.],\n        [3., 4.]])"),
    (lambda: fl.ones(2, requires_grad=True), "tensor([1., 1.], requires_grad=True)"),
])
def test_repr_like_pytorch(make, expected):
    assert repr(make()) == expected


@pytest.mark.parametrize("make, expected", [
    (lambda: fl.zeros(0), "tensor([])"),
    (lambda: fl.zeros(0, 3), "tensor([], size=(0, 3))"),
    (lambda: fl.zeros(0, dtype=fl.float64), "tensor([], dtype=flambeau.float64)"),
    # an empty tensor has no elements to tell its dtype by, so PyTorch always names it
    (lambda: fl.zeros(0, dtype=fl.int64), "tensor([], dtype=flambeau.int64)"),
    (lambda: fl.zeros(0, dtype=fl.bool), "tensor([], dtype=flambeau.bool)"),
    (lambda: fl.zeros(2, 0, dtype=fl.int64), "tensor([], size=(2, 0), dtype=flambeau.int64)"),
])
def test_repr_of_empty_tensors(make, expected):
    assert repr(make()) == expected


def test_repr_wraps_long_rows_at_80_columns():
    expected = ("tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, "
                "17,\n        18, 19])")
    assert repr(fl.arange(20)) == expected


def test_repr_summarises_big_tensors():
    assert repr(fl.arange(2000)) == "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"
    expected = ("tensor([[   0,    1,    2],\n"
                "        [   3,    4,    5],\n"
                "        [   6,    7,    8],\n"
                "        ...,\n"
                "        [2991, 2992, 2993],\n"
                "        [2994, 2995, 2996],\n"
                "        [2997, 2998, 2999]])")
    assert repr(fl.arange(3000).reshape(1000, 3)) == expected
    assert repr(fl.arange(1000)).count("...") == 0


def test_repr_follows_the_default_dtype(restore_default_dtype):
    fl.set_default_dtype(fl.float64)
    assert repr(fl.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(fl.tensor([1.0], dtype=fl.float32)) == "tensor([1.], dtype=flambeau.float32)"
