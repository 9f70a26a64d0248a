"""fl.device parsing, tensor.device, .to()/.cpu()/.float() and friends, mixed devices.

A second device type comes from the ``fakedev`` fixture: a real backend built from the
NumPy kernels (see ``fakedev_backend.py``).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import fakedev_backend

import flambeau as fl

fakedev = fakedev_backend.fakedev  # the fixture: a second device type

# --- fl.device ----------------------------------------------------------------------


@pytest.mark.parametrize("spec, type_, index", [
    (("cpu",), "cpu", None),
    (("opencl:1",), "opencl", 1),
    (("cuda", 0), "cuda", 0),
    (("cuda:12",), "cuda", 12),
    (("my_device",), "my_device", None),
])
def test_device_parsing(spec, type_, index):
    d = fl.device(*spec)
    assert (d.type, d.index) == (type_, index)


def test_device_str_repr_and_identity():
    d = fl.device("opencl:1")
    assert str(d) == "opencl:1"
    assert repr(d) == "device(type='opencl', index=1)"
    assert repr(fl.device("cpu")) == "device(type='cpu')"
    assert fl.device("cuda", 0) is fl.device("cuda:0")
    assert fl.device(d) is d
    assert pickle.loads(pickle.dumps(d)) is d


def test_device_is_immutable():
    with pytest.raises(AttributeError):
        fl.device("cpu").index = 1


@pytest.mark.parametrize("bad", ["", "cuda:", "cpu:x", "cuda:-1", ":1", "cuda:1:2", "a b",
                                 "cuda:0.5"])
def test_bad_device_strings_raise(bad):
    with pytest.raises(RuntimeError):
        fl.device(bad)


def test_bad_device_arguments_raise():
    with pytest.raises(RuntimeError):
        fl.device("cuda", -1)
    with pytest.raises(ValueError):
        fl.device("cuda:0", 1)
    with pytest.raises(TypeError):
        fl.device(1.5)


# --- tensor.device and moves on the CPU ---------------------------------------------

def test_tensor_device_is_cpu_by_default():
    t = fl.ones(2)
    assert t.device is fl.device("cpu")
    assert t.is_cpu and not t.is_cuda
    assert fl.zeros(2, device="cpu").device is fl.device("cpu")


def test_unknown_device_type_raises_naming_it():
    with pytest.raises(RuntimeError, match="nosuchdev"):
        fl.ones(2, device="nosuchdev")
    with pytest.raises(RuntimeError, match="nosuchdev"):
        fl.ones(2).to("nosuchdev")


@pytest.mark.parametrize("call", [
    lambda t: t.to("cpu"), lambda t: t.to(fl.device("cpu")), lambda t: t.to(fl.float32),
    lambda t: t.to("cpu", fl.float32), lambda t: t.to(dtype=fl.float32),
    lambda t: t.to(fl.zeros(1)), lambda t: t.cpu(), lambda t: t.float(),
])
def test_to_returns_self_when_nothing_changes(call):
    t = fl.ones(3)
    assert call(t) is t


def test_to_copy_true_makes_a_copy():
    t = fl.ones(3)
    c = t.to("cpu", copy=True)
    assert c is not t
    c[0] = 5
    assert t[0].item() == 1


@pytest.mark.parametrize("method, name", [
    ("float", "float32"), ("double", "float64"), ("half", "float16"), ("long", "int64"),
    ("int", "int32"), ("bool", "bool"), ("short", "int16"), ("byte", "uint8"),
    ("char", "int8"),
])
def test_dtype_shortcuts_cast_like_numpy(method, name):
    src = np.array([0.0, 1.5, 2.7, 3.0, 126.9], dtype=np.float64)  # fits every dtype
    out = getattr(fl.tensor(src), method)()
    assert out.dtype is getattr(fl, name)
    np.testing.assert_array_equal(out.numpy(), src.astype(name))


def test_float_to_int_truncates_toward_zero():
    assert fl.tensor([-1.7, -0.5, 0.5, 1.7]).long().tolist() == [-1, 0, 0, 1]
    assert fl.tensor([-2.0, 0.0, 0.1]).bool().tolist() == [True, False, True]


def test_to_dtype_and_to_other_tensor():
    t = fl.tensor([1.25, -2.5])
    assert t.to(fl.float64).dtype is fl.float64
    other = fl.zeros(1, dtype=fl.int32)
    out = t.to(other)
    assert out.dtype is fl.int32 and out.device is other.device
    np.testing.assert_array_equal(out.numpy(), np.array([1.25, -2.5]).astype(np.int32))


def test_to_rejects_bad_arguments():
    with pytest.raises(TypeError):
        fl.ones(2).to(5)
    with pytest.raises(TypeError):
        fl.ones(2).to(colour="red")


# --- a second device type -------------------------------------------------------------

def test_to_fake_device_and_back(fakedev):
    host = np.array([1.0, -2.0, 3.5], dtype=np.float32)
    t = fl.tensor(host)
    f = t.to("fakedev")
    assert f.device is fl.device("fakedev", 0)
    assert str(f.device) == "fakedev:0"
    assert f.dtype is fl.float32
    back = f.cpu()
    assert back.device is fl.device("cpu")
    np.testing.assert_array_equal(back.numpy(), host)
    # separate memory: writing the device copy leaves the host tensor alone
    f[0] = 100.0
    assert t[0].item() == 1.0
    assert f.to("fakedev") is f
    assert f.to("fakedev:0") is f


def test_to_device_and_dtype_together(fakedev):
    f = fl.tensor([1.7, -2.2]).to("fakedev:1", fl.int64)
    assert f.device is fl.device("fakedev", 1) and f.dtype is fl.int64
    assert f.cpu().tolist() == [1, -2]
    g = fl.zeros(1).to(f)
    assert g.device is f.device and g.dtype is fl.int64


def test_creation_on_fake_device(fakedev):
    z = fl.zeros(2, 3, device="fakedev")
    assert z.device is fl.device("fakedev:0")
    assert z.cpu().tolist() == [[0.0] * 3] * 2
    assert fl.arange(4, device="fakedev:1").device is fl.device("fakedev:1")


def test_device_index_out_of_range_raises(fakedev):
    with pytest.raises(RuntimeError, match="fakedev:2"):
        fl.ones(2, device="fakedev:2")


def test_numpy_of_fake_device_tensor_raises(fakedev):
    f = fl.ones(2).to("fakedev")
    with pytest.raises(TypeError, match="cpu"):
        f.numpy()


def test_ops_stay_on_the_device(fakedev):
    a = fl.tensor([1.0, 2.0]).to("fakedev")
    out = (a * 2 + 1).sum()
    assert out.device is a.device
    assert out.item() == 8.0
    assert "device='fakedev:0'" in repr(a)


def test_mixed_devices_raise(fakedev):
    a = fl.ones(2).to("fakedev")
    with pytest.raises(RuntimeError, match="same device"):
        a + fl.ones(2)
    with pytest.raises(RuntimeError, match="same device"):
        a + a.to("fakedev:1")


def test_mixed_device_error_leaves_inplace_target_alone(fakedev):
    a = fl.ones(2).to("fakedev")
    with pytest.raises(RuntimeError):
        a.add_(fl.ones(2))
    assert a.cpu().tolist() == [1.0, 1.0]



def test_copy_between_devices(fakedev):
    src = fl.tensor([1.5, 2.5]).to("fakedev")
    dst = fl.zeros(2, 2, dtype=fl.float64)
    dst.copy_(src)  # copy_ moves, broadcasts and casts, like PyTorch's
    assert dst.device is fl.device("cpu") and dst.tolist() == [[1.5, 2.5]] * 2
    back = fl.zeros(2).to("fakedev:1")
    back.copy_(fl.tensor([3.0, 4.0]))
    assert back.device is fl.device("fakedev:1") and back.cpu().tolist() == [3.0, 4.0]
