"""Views share memory like PyTorch's; in-place ops follow its dtype and shape rules and
leave nothing half-updated when they fail.

References: NumPy on a copy of the same data (the value a write must produce), and
PyTorch's documented view/in-place semantics.
"""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fl


def _writable(view):
    # NumPy's diagonal is a read-only view; PyTorch's is writable, so the reference is too
    view.flags.writeable = True
    return view


def _base():
    return fl.arange(24.0).reshape(2, 3, 4)


# (name, make a view of t, the same view of a NumPy array)
VIEWS = [
    ("view", lambda t: t.view(6, 4), lambda a: a.reshape(6, 4)),
    ("view_infer", lambda t: t.view(-1), lambda a: a.reshape(-1)),
    ("reshape_contiguous", lambda t: t.reshape(4, 6), lambda a: a.reshape(4, 6)),
    ("flatten", lambda t: t.flatten(), lambda a: a.reshape(-1)),
    ("permute", lambda t: t.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1)),
    ("transpose", lambda t: t.transpose(0, 2), lambda a: a.swapaxes(0, 2)),
    ("t", lambda t: t[0].t(), lambda a: a[0].T),
    ("mT", lambda t: t.mT, lambda a: a.swapaxes(-1, -2)),
    ("narrow", lambda t: t.narrow(2, 1, 2), lambda a: a[:, :, 1:3]),
    ("slice_steps", lambda t: t[:, ::2, 1::2], lambda a: a[:, ::2, 1::2]),
    ("int_index", lambda t: t[1], lambda a: a[1]),
    ("ellipsis", lambda t: t[..., 2], lambda a: a[..., 2]),
    ("unsqueeze", lambda t: t.unsqueeze(1), lambda a: a[:, None]),
    ("squeeze", lambda t: t[:, :1].squeeze(1), lambda a: a[:, 0]),
    ("unbind", lambda t: t.unbind(1)[2], lambda a: a[:, 2]),
    ("split", lambda t: t.split(3, dim=2)[1], lambda a: a[:, :, 3:]),
    ("split_sizes", lambda t: t.split([1, 2], dim=1)[1], lambda a: a[:, 1:]),
    ("chunk", lambda t: t.chunk(2, 2)[1], lambda a: a[:, :, 2:]),
    ("diagonal", lambda t: t.diagonal(0, 1, 2), lambda a: _writable(np.diagonal(a, 0, 1, 2))),
    ("diagonal_offset", lambda t: t[0].diagonal(1), lambda a: _writable(np.diagonal(a[0], 1))),
    ("detach", lambda t: t.detach(), lambda a: a),
]


@pytest.mark.parametrize("name, make, ref", VIEWS, ids=[v[0] for v in VIEWS])
def test_view_values_and_shared_memory(name, make, ref):
    t = _base()
    a = np.arange(24.0).reshape(2, 3, 4)
    v = make(t)
    np.testing.assert_array_equal(v.numpy(), ref(a))
    # a write through the view shows in the base ...
    v.fill_(-1.0) if v.dim() == 0 else v.__setitem__(..., -1.0)
    r = ref(a)
    r[...] = -1.0
    np.testing.assert_array_equal(t.numpy(), a)
    # ... and a write to the base shows in the view
    t.fill_(7.0)
    a[...] = 7.0
    np.testing.assert_array_equal(v.numpy(), ref(a))


@pytest.mark.parametrize("name, make, ref", VIEWS, ids=[v[0] for v in VIEWS])
def test_inplace_op_through_view(name, make, ref):
    t = _base()
    a = np.arange(24.0).reshape(2, 3, 4)
    v = make(t)
    v.mul_(2).add_(1)
    r = ref(a)
    r *= 2
    r += 1
    np.testing.assert_array_equal(t.numpy(), a)


def test_expand_is_a_view():
    t = fl.tensor([[1.0], [2.0]])
    e = t.expand(2, 3)
    assert e.shape == (2, 3) and e.tolist() == [[1.0] * 3, [2.0] * 3]
    t[1, 0] = 5.0
    assert e[1].tolist() == [5.0] * 3
    assert t.expand(-1, 4).shape == (2, 4)
    assert t.expand(3, 2, 2).shape == (3, 2, 2)


def test_writing_to_an_expanded_view_raises_and_changes_nothing():
    t = fl.ones(1, 3)
    e = t.expand(2, 3)
    for write in (lambda: e.add_(1), lambda: e.fill_(2.0), lambda: e.zero_(),
                  lambda: e.copy_(fl.zeros(2, 3)), lambda: e.__setitem__(0, 3.0)):
        with pytest.raises(RuntimeError):
            write()
        assert t.tolist() == [[1.0, 1.0, 1.0]]


def test_views_of_views_chain_to_the_base():
    t = fl.zeros(4, 6)
    v = t[1:].t()[::2].narrow(1, 0, 2)  # shape (3, 2)
    v.fill_(1.0)
    a = np.zeros((4, 6))
    a[1:].T[::2][:, 0:2] = 1.0
    np.testing.assert_array_equal(t.numpy(), a)


def test_reshape_of_non_contiguous_tensor_copies():
    t = fl.arange(6.0).reshape(2, 3)
    nc = t.t()
    assert not nc.is_contiguous()
    r = nc.reshape(6)
    np.testing.assert_array_equal(r.numpy(), np.arange(6.0).reshape(2, 3).T.reshape(6))
    r[0] = 100.0
    assert t[0, 0].item() == 0.0
    c = nc.contiguous()
    assert c.is_contiguous() and c.tolist() == nc.tolist()
    assert t.contiguous() is t


def test_view_of_non_contiguous_tensor_raises():
    nc = fl.arange(6.0).reshape(2, 3).t()
    with pytest.raises(RuntimeError, match="reshape"):
        nc.view(6)


def test_strides_like_pytorch():
    t = fl.zeros(2, 3, 4)
    assert t.stride() == (12, 4, 1) and t.is_contiguous()
    assert t.transpose(0, 2).stride() == (1, 4, 12)
    assert t[:, ::2].stride() == (12, 8, 1)
    assert t.stride(-1) == 1


def test_clone_does_not_share():
    t = fl.ones(3)
    c = t.clone()
    c[0] = 5.0
    assert t.tolist() == [1.0, 1.0, 1.0]


def test_advanced_indexing_copies():
    t = fl.arange(5.0)
    c = t[[0, 2]]
    c[0] = 99.0
    assert t[0].item() == 0.0


# --- in-place ops -----------------------------------------------------------------------

@pytest.mark.parametrize("name, arg, ref", [
    ("add_", 2.0, np.add), ("sub_", 0.5, np.subtract), ("mul_", 3.0, np.multiply),
    ("div_", 4.0, np.divide), ("pow_", 2.0, np.power),
    ("add_", [1.0, 2.0, 3.0], np.add), ("mul_", [[2.0], [3.0]], np.multiply),
])
def test_binary_inplace_ops_match_numpy(name, arg, ref):
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    t = fl.tensor(a)
    other = fl.tensor(arg) if isinstance(arg, list) else arg
    out = getattr(t, name)(other)
    assert out is t and t.dtype is fl.float32
    np.testing.assert_allclose(t.numpy(), ref(a, np.asarray(arg, dtype=np.float32)), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64", "float16", "float64"])
@pytest.mark.parametrize("scalar", [3, 1000, -7])
@pytest.mark.parametrize("op, ref", [("add", np.add), ("sub", np.subtract),
                                     ("mul", np.multiply)])
def test_scalar_ops_wrap_like_pytorch_in_and_out_of_place(dtype, scalar, op, ref):
    # PyTorch casts a Python int to the tensor's dtype the way C does (wrapping)
    a = np.array([1, 2, 3], dtype=dtype)
    expected = ref(a, np.array(scalar).astype(dtype))
    out = getattr(fl.tensor(a), op)(scalar)
    t = fl.tensor(a)
    getattr(t, op + "_")(scalar)
    for got in (out, t):
        assert got.dtype is getattr(fl, dtype)
        np.testing.assert_array_equal(got.numpy(), expected)
    u = fl.tensor(a)
    u += scalar
    np.testing.assert_array_equal(u.numpy(), np.add(a, np.array(scalar).astype(dtype)))


def test_add_sub_alpha_in_place():
    t = fl.ones(3)
    t.add_(fl.tensor([1.0, 2.0, 3.0]), alpha=2)
    assert t.tolist() == [3.0, 5.0, 7.0]
    t.sub_(1, alpha=3)
    assert t.tolist() == [0.0, 2.0, 4.0]


@pytest.mark.parametrize("op, ref", [
    ("__iadd__", np.add), ("__isub__", np.subtract), ("__imul__", np.multiply),
    ("__itruediv__", np.divide),
])
def test_augmented_assignment_is_in_place(op, ref):
    a = np.array([1.0, 2.0, 4.0], dtype=np.float32)
    t = fl.tensor(a)
    view = t[1:]
    out = getattr(t, op)(2.0)
    assert out is t
    np.testing.assert_allclose(t.numpy(), ref(a, 2.0))
    np.testing.assert_allclose(view.numpy(), ref(a, 2.0)[1:])


def test_augmented_assignment_operators_on_ints():
    t = fl.tensor([5, 6, 7])
    t += 1
    t -= 2
    t *= 3
    t //= 2
    t %= 4
    ref = np.array([5, 6, 7])
    ref += 1
    ref -= 2
    ref *= 3
    ref //= 2
    ref %= 4
    assert t.tolist() == ref.tolist()
    b = fl.tensor([0b1100, 0b1010])
    b &= 0b0110
    b |= 0b0001
    b ^= 0b1111
    assert b.tolist() == [((0b1100 & 6) | 1) ^ 15, ((0b1010 & 6) | 1) ^ 15]
    p = fl.tensor([2, 3])
    p **= 2
    assert p.tolist() == [4, 9]


def test_zero_and_fill():
    t = fl.arange(4.0)
    assert t.zero_() is t and t.tolist() == [0.0] * 4
    assert t.fill_(2.5) is t and t.tolist() == [2.5] * 4
    t.fill_(fl.tensor(3))
    assert t.tolist() == [3.0] * 4
    i = fl.zeros(2, dtype=fl.int32)
    i.fill_(7)
    assert i.tolist() == [7, 7] and i.dtype is fl.int32
    with pytest.raises(RuntimeError):
        t.fill_(fl.ones(2))


def test_copy_broadcasts_and_casts():
    t = fl.zeros(2, 3)
    assert t.copy_(fl.tensor([1, 2, 3])) is t
    assert t.tolist() == [[1.0, 2.0, 3.0]] * 2
    i = fl.zeros(3, dtype=fl.int32)
    i.copy_(fl.tensor([1.7, -2.7, 3.2]))  # copy_ casts any dtype, truncating like NumPy
    assert i.tolist() == np.array([1.7, -2.7, 3.2]).astype(np.int32).tolist()
    b = fl.zeros(3, dtype=fl.bool)
    b.copy_(fl.tensor([0.0, 2.0, -1.0]))
    assert b.tolist() == [False, True, True]
    f = fl.zeros(2, 2)
    f.copy_(np.array([[1, 2], [3, 4]]))
    assert f.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_copy_shape_errors_leave_target_alone():
    t = fl.ones(3)
    for src in (fl.zeros(4), fl.zeros(2, 3)):
        with pytest.raises(RuntimeError):
            t.copy_(src)
        assert t.tolist() == [1.0, 1.0, 1.0]


def test_clamp_masked_fill_and_unary_in_place():
    a = np.array([-2.0, -0.5, 0.5, 2.0], dtype=np.float32)
    t = fl.tensor(a)
    t.clamp_(-1, 1)
    np.testing.assert_array_equal(t.numpy(), np.clip(a, -1, 1))
    t.clamp_(min=0)
    np.testing.assert_array_equal(t.numpy(), np.clip(a, 0, 1))
    m = fl.tensor(a)
    m.masked_fill_(fl.tensor([True, False, False, True]), 9.0)
    assert m.tolist() == [9.0, -0.5, 0.5, 9.0]
    u = fl.tensor(a)
    u.abs_().sqrt_()
    np.testing.assert_allclose(u.numpy(), np.sqrt(np.abs(a)), rtol=1e-6)
    n = fl.tensor(a)
    n.neg_()
    np.testing.assert_array_equal(n.numpy(), -a)


def test_inplace_bumps_nothing_visible_but_returns_self_chain():
    t = fl.ones(2)
    assert t.add_(1).mul_(3) is t
    assert t.tolist() == [6.0, 6.0]


# --- in-place dtype and shape rules, and no half-updated state ---------------------------

def test_int_tensor_add_float_scalar_raises_and_is_unchanged():
    t = fl.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="can't be cast"):
        t.add_(2.5)
    assert t.tolist() == [1, 2, 3] and t.dtype is fl.int64


@pytest.mark.parametrize("bad", [
    lambda t: t.add_(fl.tensor([0.5, 0.5, 0.5])),
    lambda t: t.mul_(1.5),
    lambda t: t.div_(2),          # true division gives floats
    lambda t: t.sin_(),
    lambda t: t.__itruediv__(2),
    lambda t: t.__iadd__(0.1),
])
def test_float_results_cannot_be_written_into_int_tensors(bad):
    t = fl.tensor([4, 5, 6], dtype=fl.int32)
    with pytest.raises(RuntimeError):
        bad(t)
    assert t.tolist() == [4, 5, 6] and t.dtype is fl.int32


def test_non_bool_results_cannot_be_written_into_bool_tensors():
    t = fl.tensor([True, False])
    for bad in (lambda: t.add_(1), lambda: t.__iadd__(1), lambda: t.mul_(2.0),
                lambda: t.add_(fl.tensor([1, 1]))):
        with pytest.raises(RuntimeError):
            bad()
        assert t.tolist() == [True, False]


def test_float_tensor_takes_int_and_lower_precision_operands():
    t = fl.tensor([1.0, 2.0])
    t.add_(fl.tensor([1, 2]))
    assert t.tolist() == [2.0, 4.0] and t.dtype is fl.float32
    h = fl.ones(2, dtype=fl.float16)
    h.add_(fl.ones(2, dtype=fl.float64))  # same category: cast down like PyTorch
    assert h.dtype is fl.float16 and h.tolist() == [2.0, 2.0]
    i = fl.tensor([1, 2], dtype=fl.int8)
    i.add_(fl.tensor([100, 100], dtype=fl.int64))
    assert i.dtype is fl.int8 and i.tolist() == [101, 102]


def test_comparison_in_place_writes_zeros_and_ones():
    t = fl.tensor([1.0, 2.0, 3.0])
    t.gt_(1.5)
    assert t.tolist() == [0.0, 1.0, 1.0] and t.dtype is fl.float32


@pytest.mark.parametrize("shape_a, shape_b", [((3,), (2, 3)), ((1, 3), (2, 3)),
                                              ((2, 1), (2, 3)), ((3,), (4,))])
def test_inplace_broadcast_must_keep_self_shape(shape_a, shape_b):
    a = fl.arange(float(np.prod(shape_a))).reshape(shape_a)
    before = a.clone()
    with pytest.raises(RuntimeError):
        a.add_(fl.ones(shape_b))
    assert fl.equal(a, before) and a.shape == shape_a


def test_inplace_broadcast_of_other_is_fine():
    a = fl.zeros(2, 3)
    a.add_(fl.tensor([1.0, 2.0, 3.0]))
    a.sub_(fl.tensor([[1.0], [2.0]]))
    np.testing.assert_array_equal(a.numpy(), np.array([[0, 1, 2], [-1, 0, 1]], np.float32))


def test_integer_division_by_zero_in_place_changes_nothing():
    t = fl.tensor([4, 5, 6])
    with pytest.raises(RuntimeError):
        t.floor_divide_(fl.tensor([1, 0, 2]))
    assert t.tolist() == [4, 5, 6]


def test_inplace_on_leaf_requiring_grad_raises():
    w = fl.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.add_(1)
    with fl.no_grad():
        w.add_(1)
    assert w.detach().tolist() == [2.0, 2.0]
