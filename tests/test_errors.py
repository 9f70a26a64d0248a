"""Errors have PyTorch's exception types, and messages that name the op, the
shapes/dtypes/devices involved, and what to do.

Missing kernels and the opt-in CPU fallback use the ``fakedev`` backend (NumPy kernels
without sin/cos/exp/matmul/sort/cumsum; see ``fakedev_backend.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import fakedev_backend

import flambeau as fl

fakedev = fakedev_backend.fakedev  # the fixture: a second device type

# --- shapes and dims ---------------------------------------------------------------------


@pytest.mark.parametrize("op", [
    lambda a, b: a + b, lambda a, b: a * b, lambda a, b: fl.maximum(a, b),
    lambda a, b: a == b, lambda a, b: fl.where(a > 0, a, b),
])
def test_non_broadcastable_shapes(op):
    a, b = fl.ones(2, 3), fl.ones(4)
    with pytest.raises(RuntimeError, match=r"\[2, 3\].*\[4\]|\[4\].*\[2, 3\]"):
        op(a, b)


def test_broadcast_error_names_the_op():
    with pytest.raises(RuntimeError, match="sub"):
        fl.ones(2, 3) - fl.ones(2, 2)


@pytest.mark.parametrize("call", [
    lambda t: t.sum(dim=2), lambda t: t.sum(dim=(0, -3)), lambda t: t.mean(-3),
    lambda t: t.softmax(dim=2), lambda t: t.transpose(0, 5), lambda t: t.unsqueeze(3),
    lambda t: t.squeeze(2), lambda t: t.argmax(dim=-3), lambda t: t.size(2),
    lambda t: fl.cat([t, t], dim=2), lambda t: fl.stack([t, t], dim=4),
    lambda t: t.flatten(0, 3), lambda t: t.narrow(2, 0, 1), lambda t: t.cumsum(2),
])
def test_bad_dim_is_index_error(call):
    with pytest.raises(IndexError, match="Dimension out of range|dim"):
        call(fl.ones(2, 3))


def test_bad_dim_message_gives_the_valid_range():
    with pytest.raises(IndexError, match=r"\[-2, 1\].*got 2"):
        fl.ones(2, 3).sum(dim=2)


def test_reshape_to_wrong_size():
    with pytest.raises(RuntimeError, match=r"\[4, 2\].*size 6"):
        fl.ones(2, 3).reshape(4, 2)
    with pytest.raises(RuntimeError, match="only one dimension"):
        fl.ones(6).view(-1, -1)


def test_view_on_incompatible_strides_suggests_reshape():
    t = fl.ones(2, 3, 4).transpose(0, 1)
    with pytest.raises(RuntimeError, match=r"view.*stride.*reshape"):
        t.view(-1)


def test_expand_and_permute_errors():
    with pytest.raises(RuntimeError, match="expand"):
        fl.ones(2, 3).expand(3, 3)
    with pytest.raises(RuntimeError, match="permute"):
        fl.ones(2, 3).permute(0, 0)


# --- matmul -------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, shown", [
    ((2, 3), (2, 3), "2x3 and 2x3"), ((3,), (4,), "3 and 4"), ((5, 2, 3), (4, 5), "5x2x3"),
])
def test_matmul_shape_mismatch_names_shapes(a, b, shown):
    with pytest.raises(RuntimeError, match=shown):
        fl.ones(*a) @ fl.ones(*b)


def test_matmul_family_errors():
    with pytest.raises(RuntimeError, match="mm"):
        fl.mm(fl.ones(2, 3), fl.ones(2, 3))
    with pytest.raises(RuntimeError, match="bmm"):
        fl.bmm(fl.ones(2, 2, 3), fl.ones(3, 3, 2))
    with pytest.raises(RuntimeError, match="dot"):
        fl.dot(fl.ones(3), fl.ones(4))
    with pytest.raises(RuntimeError, match="1D"):
        fl.matmul(fl.tensor(1.0), fl.ones(2))
    with pytest.raises(RuntimeError, match="int64.*float32|float32.*int64"):
        fl.ones(2, dtype=fl.int64) @ fl.ones(2)
    with pytest.raises(RuntimeError, match="batch"):
        fl.ones(2, 2, 3) @ fl.ones(3, 3, 2)


# --- cat / stack ---------------------------------------------------------------------------

def test_cat_size_mismatch_names_shapes():
    with pytest.raises(RuntimeError, match=r"dimension 0.*\[2, 4\]"):
        fl.cat([fl.ones(2, 3), fl.ones(2, 4)])
    assert fl.cat([fl.ones(2, 3), fl.ones(2, 4)], dim=1).shape == (2, 7)


def test_cat_and_stack_errors():
    with pytest.raises(RuntimeError):
        fl.cat([fl.ones(2, 3), fl.ones(3)])
    with pytest.raises(RuntimeError, match="non-empty"):
        fl.cat([])
    with pytest.raises(RuntimeError, match="zero-dim"):
        fl.cat([fl.tensor(1.0), fl.tensor(2.0)])
    with pytest.raises(RuntimeError, match=r"equal size.*\[3, 2\]"):
        fl.stack([fl.ones(2, 3), fl.ones(3, 2)])
    with pytest.raises(TypeError):
        fl.cat(fl.ones(2))


def test_cat_promotes_dtypes_like_pytorch():
    out = fl.cat([fl.ones(2, dtype=fl.int32), fl.ones(2, dtype=fl.float64)])
    assert out.dtype is fl.float64


# --- dtype rules --------------------------------------------------------------------------

def test_bool_subtraction_and_negation():
    a = fl.tensor([True, False])
    with pytest.raises(RuntimeError, match=r"sub.*bool.*logical_xor"):
        a - a
    with pytest.raises(RuntimeError, match="bool"):
        a - True
    with pytest.raises(RuntimeError, match=r"neg.*bool.*logical_not"):
        _ = -a


@pytest.mark.parametrize("op", [
    lambda a: a & a, lambda a: a | 1, lambda a: a ^ a, lambda a: ~a, lambda a: a << 1,
    lambda a: fl.bitwise_and(a, a),
])
def test_bitwise_on_floats(op):
    with pytest.raises(RuntimeError, match="float"):
        op(fl.ones(2))


def test_bitwise_on_ints_and_bools_is_fine():
    assert (fl.tensor([6]) & 3).tolist() == [2]
    assert (~fl.tensor([True, False])).tolist() == [False, True]


@pytest.mark.parametrize("make", [
    lambda: fl.ones(2, dtype=fl.int64, requires_grad=True),
    lambda: fl.tensor([1, 2], requires_grad=True),
    lambda: fl.tensor([True]).requires_grad_(),
    lambda: fl.arange(3).requires_grad_(True),
])
def test_requires_grad_on_non_float(make):
    with pytest.raises(RuntimeError, match="floating point"):
        make()


def test_float_only_ops_reject_integers():
    with pytest.raises(RuntimeError, match="mean.*int64"):
        fl.tensor([1, 2]).mean()


def test_where_needs_a_bool_condition():
    with pytest.raises(RuntimeError, match="bool"):
        fl.where(fl.ones(2), 1.0, 0.0)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_integer_division_by_zero():
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fl.tensor([1, 2]) // 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fl.tensor([1, 2]) % fl.tensor([1, 0])
    # floats follow IEEE instead
    assert np.isinf((fl.tensor([1.0]) / 0).item())


# --- devices and backends -------------------------------------------------------------

def test_mixed_devices_name_both_and_the_fix(fakedev):
    a = fl.ones(2).to("fakedev")
    with pytest.raises(RuntimeError) as info:
        fl.ones(2) * a
    msg = str(info.value)
    assert "mul" in msg and "cpu" in msg and "fakedev:0" in msg and ".to(" in msg


def test_mixed_devices_in_matmul_and_cat(fakedev):
    a = fl.ones(2, 2).to("fakedev")
    with pytest.raises(RuntimeError, match="device"):
        fl.cat([a, fl.ones(2, 2)])
    with pytest.raises(RuntimeError, match="device"):
        fl.where(a > 0, a, fl.ones(2, 2))


def test_unsupported_dtype_for_device(fakedev):
    with pytest.raises(TypeError, match=r"int32.*fakedev|fakedev.*int32"):
        fl.zeros(2, dtype=fl.int32, device="fakedev")
    with pytest.raises(TypeError, match=r"float16"):
        fl.ones(2, dtype=fl.float16).to("fakedev")
    with pytest.raises(TypeError, match="int32"):
        fl.tensor([1, 2], dtype=fl.int32, device="fakedev")


def test_cast_on_device_to_unsupported_dtype(fakedev):
    with pytest.raises(TypeError, match=r"uint8"):
        fl.ones(2).to("fakedev").to(fl.uint8)


def test_missing_kernel_names_op_and_backend(fakedev):
    a = fl.ones(3).to("fakedev")
    with pytest.raises(NotImplementedError) as info:
        a.sin()
    msg = str(info.value)
    assert "sin" in msg and "fakedev-numpy" in msg and "set_cpu_fallback(True)" in msg
    assert "cpu" in msg  # where the op does exist
    with pytest.raises(NotImplementedError, match="matmul"):
        fl.ones(2, 2).to("fakedev") @ fl.ones(2, 2).to("fakedev")


def test_cpu_fallback_runs_copies_back_and_warns_once_per_op(fakedev):
    host = np.array([0.0, 0.5, 1.0], dtype=np.float32)
    a = fl.tensor(host).to("fakedev")
    fl.backends.set_cpu_fallback(True)
    assert fl.backends.cpu_fallback() is True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s1 = a.sin()
        s2 = a.sin()
        c = a.cos()
    assert s1.device is a.device and c.device is a.device
    np.testing.assert_allclose(s1.cpu().numpy(), np.sin(host), rtol=1e-6)
    np.testing.assert_allclose(s2.cpu().numpy(), np.sin(host), rtol=1e-6)
    np.testing.assert_allclose(c.cpu().numpy(), np.cos(host), rtol=1e-6)
    messages = [str(w.message) for w in caught]
    assert sum("sin" in m for m in messages) == 1
    assert sum("cos" in m for m in messages) == 1
    assert all("fakedev" in m and "CPU" in m for m in messages)


def test_cpu_fallback_for_multi_output_and_param_ops(fakedev):
    host = np.array([[3.0, 1.0, 2.0], [0.0, -1.0, 5.0]], dtype=np.float32)
    a = fl.tensor(host).to("fakedev")
    fl.backends.set_cpu_fallback(True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values, indices = a.sort(dim=1)
        cs = a.cumsum(1)
        mm = a @ a.t()
    for t in (values, indices, cs, mm):
        assert t.device is a.device
    np.testing.assert_array_equal(values.cpu().numpy(), np.sort(host, axis=1))
    np.testing.assert_array_equal(indices.cpu().numpy(), np.argsort(host, axis=1))
    assert indices.dtype is fl.int64
    np.testing.assert_allclose(cs.cpu().numpy(), np.cumsum(host, axis=1))
    np.testing.assert_allclose(mm.cpu().numpy(), host @ host.T, rtol=1e-6)


def test_cpu_fallback_off_again_raises(fakedev):
    a = fl.ones(2).to("fakedev")
    fl.backends.set_cpu_fallback(True)
    fl.backends.set_cpu_fallback(False)
    with pytest.raises(NotImplementedError):
        a.exp()


def test_no_backend_for_device_type():
    with pytest.raises(RuntimeError, match=r"nosuch.*registered: .*cpu"):
        fl.zeros(2, device="nosuch")
