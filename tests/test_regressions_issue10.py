"""Regression tests for the wrong results listed in issue 10 (PyTorch semantics)."""
import numpy as np

import flambeau as fl


def test_sign_nan_is_zero():
    x = fl.tensor([float("nan"), -2.0, 0.0, 3.0])
    np.testing.assert_array_equal(fl.sign(x).numpy(), [0.0, -1.0, 0.0, 1.0])
    np.testing.assert_array_equal(x.sign().numpy(), [0.0, -1.0, 0.0, 1.0])


def test_threshold_shrink_propagate_nan():
    F = fl.nn.functional
    v = np.array([np.nan, 0.3, -2.0, 0.5, -0.5, 1.0], dtype=np.float32)
    x = fl.tensor(v)
    np.testing.assert_array_equal(F.threshold(x, 0.5, 9.0).numpy(),
                                  np.where(v <= 0.5, 9.0, v).astype(np.float32))
    np.testing.assert_array_equal(F.hardshrink(x, 0.5).numpy(),
                                  np.where(np.abs(v) <= 0.5, 0.0, v).astype(np.float32))
    np.testing.assert_allclose(F.softshrink(x, 0.5).numpy(),
                               np.where(np.abs(v) <= 0.5, 0.0, v - 0.5 * np.sign(v)))


def test_clamp_backward_min_above_max_goes_to_max():
    # clamp(x, lo, hi) is min(max(x, lo), hi): where lo > hi the result is hi
    x = fl.tensor([3.0, 0.0, 1.5, 2.0], requires_grad=True)
    lo = fl.tensor([2.0, 2.0, 2.0, 1.0], requires_grad=True)
    hi = fl.tensor([1.0, 1.0, 1.0, 3.0], requires_grad=True)
    out = fl.clamp(x, lo, hi)
    np.testing.assert_array_equal(out.detach().numpy(), [1.0, 1.0, 1.0, 2.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(lo.grad.numpy(), [0.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(hi.grad.numpy(), [1.0, 1.0, 1.0, 0.0])


def test_arange_integer_dtype_truncates_float_bounds():
    # an integer range truncates start, end and step first (PyTorch's rule)
    for start, end, step in [(0, -8.000001, -2), (0.5, 4, 1), (1.7, 9.2, 2.5), (-1.5, 3, 1)]:
        want = np.arange(int(start), int(end), int(step))
        got = fl.arange(start, end, step, dtype=fl.int64)
        assert got.dtype == fl.int64
        np.testing.assert_array_equal(got.numpy(), want)


def test_var_mean_std_mean_positional_unbiased():
    v = np.array([1.0, 2.0, 4.0], dtype=np.float32)
    x = fl.tensor(v)
    var, mean = fl.var_mean(x, False)
    np.testing.assert_allclose(var.numpy(), np.var(v), rtol=1e-6)
    np.testing.assert_allclose(mean.numpy(), np.mean(v), rtol=1e-6)
    std, mean = fl.std_mean(x, True)
    np.testing.assert_allclose(std.numpy(), np.std(v, ddof=1), rtol=1e-6)
    np.testing.assert_allclose(mean.numpy(), np.mean(v), rtol=1e-6)
    np.testing.assert_allclose(fl.std(x, False).numpy(), np.std(v), rtol=1e-6)


def test_sum_prod_return_the_asked_dtype():
    x = fl.tensor([[1, 2], [0, 4]])
    s = fl.sum(x, dtype=fl.int32)
    assert s.dtype == fl.int32 and s.item() == 7
    p = fl.prod(x, 1, dtype=fl.bool)
    assert p.dtype == fl.bool
    np.testing.assert_array_equal(p.numpy(), [True, False])
    assert x.sum(0, dtype=fl.int32).dtype == fl.int32


def test_hardtanh_relu6_keep_integer_dtype():
    F = fl.nn.functional
    v = np.array([-3, 0, 3, 9])
    h = F.hardtanh(fl.tensor(v))
    assert h.dtype == fl.int64
    np.testing.assert_array_equal(h.numpy(), np.clip(v, -1, 1))
    r = F.relu6(fl.tensor(v))
    assert r.dtype == fl.int64
    np.testing.assert_array_equal(r.numpy(), np.clip(v, 0, 6))


def test_scalar_tensor_requires_grad():
    t = fl.scalar_tensor(2.0, requires_grad=True)
    assert t.requires_grad and t.shape == () and t.dtype == fl.float32
    (t * 3).backward()
    assert t.grad.item() == 3.0


def test_two_python_scalars_give_0d_tensors():
    assert fl.mul(2, 3).item() == 6 and fl.mul(2, 3).shape == ()
    assert abs(fl.div(2, 3).item() - 2 / 3) < 1e-6
    assert abs(fl.true_divide(2, 3).item() - 2 / 3) < 1e-6
    assert fl.floor_divide(7, 2).item() == 3


def test_isclose_on_bool_tensors():
    a = fl.tensor([True, False, True])
    b = fl.tensor([True, True, False])
    np.testing.assert_array_equal(fl.isclose(a, b).numpy(), [True, False, False])
    assert fl.allclose(a, a)


def test_max_min_dim_backward_on_0d_input():
    for op in (fl.max, fl.min):
        for keepdim in (False, True):
            x = fl.tensor(3.0, requires_grad=True)
            v, i = op(x, 0, keepdim)
            assert v.shape == () and i.item() == 0
            (v * 2).backward()
            assert x.grad.shape == () and x.grad.item() == 2.0


def test_atleast_nd_of_several_tensors():
    a, b = fl.tensor(1.0), fl.tensor([1.0, 2.0])
    r = fl.atleast_1d([a, b])
    assert isinstance(r, tuple) and [t.shape for t in r] == [(1,), (2,)]
    r = fl.atleast_2d(a, b)
    assert [t.shape for t in r] == [(1, 1), (1, 2)]
    assert fl.atleast_1d(a).shape == (1,) and a.atleast_2d().shape == (1, 1)


def test_cosine_similarity_broadcasting_inputs():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((1, 2, 3))
    b = rng.standard_normal((2, 1, 3))
    A, B = np.broadcast_arrays(a, b)
    want = (A * B).sum(-2) / (np.linalg.norm(A, axis=-2) * np.linalg.norm(B, axis=-2))
    x1 = fl.tensor(a, dtype=fl.float64, requires_grad=True)
    x2 = fl.tensor(b, dtype=fl.float64, requires_grad=True)
    out = fl.nn.functional.cosine_similarity(x1, x2, dim=-2)
    np.testing.assert_allclose(out.detach().numpy(), want, rtol=1e-10)
    assert fl.autograd.gradcheck(
        lambda u, v: fl.nn.functional.cosine_similarity(u, v, dim=-2), (x1, x2))
