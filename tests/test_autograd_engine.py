"""The autograd engine's user contract, checked against hand-derived gradients.

Every expected value below is a closed form worked out by hand (or computed with NumPy
from that closed form), never flambeau's own output. Semantics follow PyTorch's
documented behaviour: leaves, ``.grad`` accumulation, ``retain_graph``,
``create_graph``, ``autograd.grad``, version counters, and its choices at
non-differentiable points.
"""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fl


def _np(t):
    return t.detach().numpy()


def _leaf(values, dtype=None):
    return fl.tensor(values, dtype=dtype or fl.float64, requires_grad=True)


# --- requires_grad, leaves, grad_fn -----------------------------------------------------
def test_requires_grad_from_constructor_and_method():
    a = fl.tensor([1.0, 2.0], requires_grad=True)
    b = fl.tensor([1.0, 2.0])
    assert a.requires_grad and not b.requires_grad
    assert b.requires_grad_() is b and b.requires_grad
    b.requires_grad_(False)
    assert not b.requires_grad
    b.requires_grad = True
    assert b.requires_grad


@pytest.mark.parametrize("dtype", [fl.int64, fl.int32, fl.bool])
def test_non_float_tensors_cannot_require_grad(dtype):
    with pytest.raises(RuntimeError, match="floating point"):
        fl.tensor([1, 0], dtype=dtype, requires_grad=True)
    t = fl.tensor([1, 0], dtype=dtype)
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad_()


def test_factories_accept_requires_grad():
    assert fl.zeros(3, requires_grad=True).requires_grad
    assert fl.randn(2, 2, requires_grad=True).requires_grad
    assert fl.ones(2, requires_grad=True).is_leaf


def test_requires_grad_propagates_and_leaves():
    x = _leaf([1.0, 2.0])
    c = fl.tensor([3.0, 4.0], dtype=fl.float64)
    y = x * c
    assert y.requires_grad and not y.is_leaf
    assert x.is_leaf and c.is_leaf
    assert x.grad_fn is None and c.grad_fn is None
    assert not (c * 2).requires_grad
    assert (c * 2).grad_fn is None


def test_cannot_clear_requires_grad_on_non_leaf():
    y = _leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)


@pytest.mark.parametrize("make, name", [
    (lambda x: x * x, "MulBackward0"),
    (lambda x: x + x, "AddBackward0"),
    (lambda x: x.exp(), "ExpBackward0"),
    (lambda x: x.sum(), "SumBackward0"),
    (lambda x: x @ x, "MatmulBackward0"),
])
def test_grad_fn_names(make, name):
    y = make(_leaf([1.0, 2.0]))
    assert y.grad_fn.name() == name
    assert f"grad_fn=<{name}>" in repr(y)


def test_grad_fn_next_functions_link_to_inputs():
    x = _leaf([1.0])
    y = x * 2
    z = y.exp()
    (node, nr), = [e for e in z.grad_fn.next_functions if e[0] is not None]
    assert node is y.grad_fn and nr == 0


def test_grad_is_none_before_backward_and_set_after():
    x = _leaf([1.0, -2.0, 3.0])
    assert x.grad is None
    (x * x).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [2.0, -4.0, 6.0])
    assert x.grad.grad_fn is None and not x.grad.requires_grad


def test_non_leaf_grad_is_not_kept_without_retain_grad():
    x = _leaf([1.0, 2.0])
    y = x * 3
    y.sum().backward()
    assert y.grad is None
    assert not y.retains_grad


def test_retain_grad_on_non_leaf():
    x = _leaf([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    # d/dy sum(y^2) = 2y = 6x
    np.testing.assert_allclose(_np(y.grad), [6.0, 12.0])
    np.testing.assert_allclose(_np(x.grad), [18.0, 36.0])


# --- detach -----------------------------------------------------------------------------
def test_detach_shares_memory_and_leaves_graph():
    x = _leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert d.grad_fn is None and not d.requires_grad and d.is_leaf
    with fl.no_grad():
        d[0] = 10.0
    np.testing.assert_allclose(_np(y), [10.0, 4.0])
    z = (d * x).sum()  # d is a constant: dz/dx = d
    z.backward()
    np.testing.assert_allclose(_np(x.grad), [10.0, 4.0])


def test_detach_in_place():
    x = _leaf([1.0, 2.0])
    y = x * 2
    assert y.detach_() is y
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    np.testing.assert_allclose(_np(y), [2.0, 4.0])


# --- backward arguments -----------------------------------------------------------------
def test_backward_with_gradient_for_non_scalar():
    x = _leaf([1.0, 2.0, 3.0])
    y = x * x
    y.backward(gradient=fl.tensor([1.0, 0.5, -1.0], dtype=fl.float64))
    np.testing.assert_allclose(_np(x.grad), [2.0, 2.0, -6.0])


def test_implicit_gradient_only_for_scalars():
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2).backward()
    # a one-element tensor of any rank counts as a scalar
    y = (x * 2).sum().reshape(1, 1)
    y.backward()
    np.testing.assert_allclose(_np(x.grad), [2.0, 2.0])


def test_gradient_of_the_wrong_shape_is_refused():
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="shape"):
        (x * 2).backward(fl.ones(3, dtype=fl.float64))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        fl.tensor(1.0).backward()


def test_functional_backward_with_several_outputs():
    x = _leaf([1.0, 2.0])
    y1, y2 = x * x, x * 3
    fl.autograd.backward([y1, y2], [fl.ones(2, dtype=fl.float64),
                                    fl.tensor([1.0, -1.0], dtype=fl.float64)])
    np.testing.assert_allclose(_np(x.grad), [2.0 + 3.0, 4.0 - 3.0])


def test_one_output_given_twice_gets_both_gradients():
    # PyTorch sums gradients given for the same output; d(x*x)/dx = 2x
    x = _leaf([1.0, 2.0])
    y = x * x
    fl.autograd.backward([y, y], [fl.tensor([1.0, 10.0], dtype=fl.float64),
                                  fl.tensor([2.0, 20.0], dtype=fl.float64)])
    np.testing.assert_allclose(_np(x.grad), [2.0 * 1.0 * 3.0, 2.0 * 2.0 * 30.0])


def test_two_outputs_of_one_node_as_roots():
    class TwoAndThree(fl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g2, g3):
            return g2 * 2 + g3 * 3

    x = _leaf([1.0, 2.0])
    u, v = TwoAndThree.apply(x)
    assert u.grad_fn is v.grad_fn
    (g,) = fl.autograd.grad([u, v], x, [fl.ones(2, dtype=fl.float64),
                                        fl.tensor([1.0, -1.0], dtype=fl.float64)])
    np.testing.assert_allclose(_np(g), [2.0 + 3.0, 2.0 - 3.0])


def test_assigning_grad_checks_its_shape():
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="size"):
        x.grad = fl.zeros(3, dtype=fl.float64)
    x.grad = fl.ones(2, dtype=fl.float64)
    (x * 2).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [3.0, 3.0])


def test_gradients_accumulate_across_backward_calls():
    x = _leaf([1.0, 2.0])
    (x * x).sum().backward()
    (x * 3).sum().backward()
    # 2x + 3
    np.testing.assert_allclose(_np(x.grad), [5.0, 7.0])
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [3.0, 3.0])


def test_accumulated_grad_owns_its_memory():
    # the gradient of sum() is an expanded view of one value; .grad must not alias it
    x = _leaf([1.0, 2.0])
    x.sum().backward()
    x.sum().backward()
    np.testing.assert_allclose(_np(x.grad), [2.0, 2.0])
    x.grad[0] = 7.0
    np.testing.assert_allclose(_np(x.grad), [7.0, 2.0])


def test_leaf_used_twice_gets_summed_gradient():
    x = _leaf([2.0, 3.0])
    (x * x + x.exp() + x).sum().backward()
    expected = 2 * np.array([2.0, 3.0]) + np.exp([2.0, 3.0]) + 1
    np.testing.assert_allclose(_np(x.grad), expected)


def test_second_backward_without_retain_graph_raises():
    x = _leaf([1.0, 2.0])
    y = (x * x).exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = _leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(_np(x.grad), [4.0, 8.0])


# --- higher order -----------------------------------------------------------------------
def test_second_derivative_of_cube():
    xs = np.array([-1.5, 0.5, 2.0])
    x = _leaf(xs)
    (g,) = fl.autograd.grad((x ** 3).sum(), x, create_graph=True)
    np.testing.assert_allclose(_np(g), 3 * xs ** 2)
    assert g.requires_grad
    (h,) = fl.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(_np(h), 6 * xs)


def test_third_derivative_through_backward_create_graph():
    x = _leaf(1.5)
    y = x.sin() * x
    y.backward(create_graph=True)
    g = x.grad  # sin x + x cos x
    assert g.requires_grad
    (h,) = fl.autograd.grad(g, x, create_graph=True)  # 2 cos x - x sin x
    (t,) = fl.autograd.grad(h, x)                     # -3 sin x - x cos x
    np.testing.assert_allclose(_np(h), 2 * np.cos(1.5) - 1.5 * np.sin(1.5))
    np.testing.assert_allclose(_np(t), -3 * np.sin(1.5) - 1.5 * np.cos(1.5))


def test_mixed_partial_derivative():
    # f = x^2 y^3: df/dx = 2 x y^3, d2f/dydx = 6 x y^2
    x, y = _leaf(1.5), _leaf(-2.0)
    (fx,) = fl.autograd.grad(x * x * y ** 3, x, create_graph=True)
    np.testing.assert_allclose(_np(fx), 2 * 1.5 * (-2.0) ** 3)
    (fxy,) = fl.autograd.grad(fx, y)
    np.testing.assert_allclose(_np(fxy), 6 * 1.5 * 4.0)


def test_grad_of_grad_through_matmul():
    # f = sum((A x)^2): grad = 2 A^T A x, Hessian = 2 A^T A, so d/dx sum(grad) = 2 A^T A 1
    a = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]])
    x = _leaf([0.3, -0.7])
    A = fl.tensor(a, dtype=fl.float64)
    (g,) = fl.autograd.grad(((A @ x) ** 2).sum(), x, create_graph=True)
    np.testing.assert_allclose(_np(g), 2 * a.T @ a @ np.array([0.3, -0.7]))
    (h,) = fl.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(_np(h), 2 * a.T @ a @ np.ones(2))


def test_create_graph_accumulates_into_a_differentiable_grad():
    xs = np.array([-1.0, 2.0])
    x = _leaf(xs)
    (x ** 3).sum().backward(create_graph=True)
    (x ** 3).sum().backward(create_graph=True)
    np.testing.assert_allclose(_np(x.grad), 2 * 3 * xs ** 2)
    (h,) = fl.autograd.grad(x.grad.sum(), x)
    np.testing.assert_allclose(_np(h), 2 * 6 * xs)


# --- autograd.grad ----------------------------------------------------------------------
def test_autograd_grad_does_not_touch_dot_grad():
    x = _leaf([1.0, 2.0])
    (g,) = fl.autograd.grad((x * x).sum(), x)
    np.testing.assert_allclose(_np(g), [2.0, 4.0])
    assert x.grad is None


def test_autograd_grad_with_grad_outputs():
    x, y = _leaf([1.0, 2.0]), _leaf([3.0, -1.0])
    out = x * y
    v = fl.tensor([2.0, -0.5], dtype=fl.float64)
    gx, gy = fl.autograd.grad(out, (x, y), grad_outputs=v)
    np.testing.assert_allclose(_np(gx), [6.0, 0.5])
    np.testing.assert_allclose(_np(gy), [2.0, -1.0])


def test_autograd_grad_several_outputs():
    x = _leaf([1.0, 2.0])
    o1, o2 = (x * x).sum(), (x * 3).sum()
    (g,) = fl.autograd.grad([o1, o2], x)
    np.testing.assert_allclose(_np(g), [5.0, 7.0])


def test_autograd_grad_of_non_leaf_input():
    x = _leaf([1.0, 2.0])
    y = x * 2
    (g,) = fl.autograd.grad((y * y).sum(), y)
    np.testing.assert_allclose(_np(g), [4.0, 8.0])


def test_allow_unused():
    x, unused = _leaf([1.0, 2.0]), _leaf([5.0])
    with pytest.raises(RuntimeError, match="allow_unused"):
        fl.autograd.grad((x * 2).sum(), (x, unused))
    gx, gu = fl.autograd.grad((x * 2).sum(), (x, unused), allow_unused=True)
    np.testing.assert_allclose(_np(gx), [2.0, 2.0])
    assert gu is None


def test_materialize_grads_gives_zeros_for_unused():
    x, unused = _leaf([1.0, 2.0]), _leaf([5.0, 6.0, 7.0])
    _, gu = fl.autograd.grad((x * 2).sum(), (x, unused), materialize_grads=True)
    np.testing.assert_array_equal(_np(gu), np.zeros(3))


def test_grad_requires_inputs_that_require_grad():
    x = _leaf([1.0])
    c = fl.tensor([1.0], dtype=fl.float64)
    with pytest.raises(RuntimeError, match="does not require grad"):
        fl.autograd.grad((x * c).sum(), c)


def test_backward_inputs_only_accumulate_there():
    x, y = _leaf([1.0, 2.0]), _leaf([3.0, 4.0])
    (x * y).sum().backward(inputs=[x])
    np.testing.assert_allclose(_np(x.grad), [3.0, 4.0])
    assert y.grad is None
    (x * y).sum().backward(inputs=y)
    np.testing.assert_allclose(_np(y.grad), [1.0, 2.0])
    np.testing.assert_allclose(_np(x.grad), [3.0, 4.0])


def test_backward_inputs_may_be_a_non_leaf():
    x = _leaf([1.0, 2.0])
    y = x * 2
    (y * y).sum().backward(inputs=[y])
    np.testing.assert_allclose(_np(y.grad), [4.0, 8.0])
    assert x.grad is None


def test_backward_empty_inputs_raises():
    x = _leaf([1.0])
    with pytest.raises(RuntimeError, match="empty"):
        (x * 2).sum().backward(inputs=[])


# --- shapes and dtypes of gradients -----------------------------------------------------
def test_broadcasting_is_undone_in_gradients():
    a = fl.tensor(np.arange(3.0).reshape(3, 1), requires_grad=True)
    b = fl.tensor(np.arange(4.0).reshape(1, 4), requires_grad=True)
    (a + b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (1, 4)
    np.testing.assert_allclose(_np(a.grad), np.full((3, 1), 4.0))
    np.testing.assert_allclose(_np(b.grad), np.full((1, 4), 3.0))


def test_broadcasting_against_leading_dims_and_scalars():
    a = _leaf(np.arange(6.0).reshape(2, 3))
    b = _leaf([1.0, 2.0, 3.0])
    s = _leaf(2.0)
    (a * b * s).sum().backward()
    an = np.arange(6.0).reshape(2, 3)
    assert b.grad.shape == (3,) and s.grad.shape == ()
    np.testing.assert_allclose(_np(a.grad), np.broadcast_to([2.0, 4.0, 6.0], (2, 3)))
    np.testing.assert_allclose(_np(b.grad), 2 * an.sum(0))
    np.testing.assert_allclose(_np(s.grad), (an * [1.0, 2.0, 3.0]).sum())


def test_gradient_keeps_the_leaf_dtype():
    x = fl.tensor([1.0, 2.0], dtype=fl.float32, requires_grad=True)
    y = x.to(fl.float64) * fl.tensor([3.0, 4.0], dtype=fl.float64)
    y.sum().backward()
    assert x.grad.dtype == fl.float32
    np.testing.assert_allclose(_np(x.grad), [3.0, 4.0])


def test_device_transfer_to_cpu_is_differentiable():
    x = fl.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("cpu") * 2
    y.sum().backward()
    np.testing.assert_allclose(_np(x.grad), [2.0, 2.0])
    assert x.grad.device == x.device


# --- non-differentiable outputs ---------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda x: x > 0,
    lambda x: x == x,
    lambda x: x.argmax(),
    lambda x: x.argsort(),
    lambda x: x.max(0)[1],
    lambda x: x.sort()[1],
    lambda x: x.isfinite(),
])
def test_integer_and_bool_outputs_are_not_differentiable(make):
    out = make(_leaf([1.0, -2.0, 3.0]))
    assert not out.requires_grad and out.grad_fn is None
    with pytest.raises(RuntimeError):
        out.sum().backward()


# --- views and in-place -----------------------------------------------------------------
def test_gradient_through_views():
    xs = np.arange(6.0)
    x = _leaf(xs)
    v = x.view(2, 3).t()[1:]  # rows 1..2 of the transpose: x[1], x[4], x[2], x[5]
    (v * v).sum().backward()
    expected = 2 * xs * np.array([0, 1, 1, 0, 1, 1])
    np.testing.assert_allclose(_np(x.grad), expected)


def test_in_place_on_non_leaf_with_setitem():
    # y = [5, x1, x2] * 2; loss = sum(y^2) = 100 + 4 x1^2 + 4 x2^2
    x = _leaf([1.0, 2.0, 3.0])
    y = x * 1
    y[0] = 5
    y.mul_(2)
    (y * y).sum().backward()
    np.testing.assert_allclose(_np(y), [10.0, 4.0, 6.0])
    np.testing.assert_allclose(_np(x.grad), [0.0, 16.0, 24.0])


def test_in_place_through_a_view_of_non_leaf():
    # y = x * 1; y[1:].mul_(x[1:]) -> y = [x0, x1^2, x2^2]; loss = sum(y * c)
    xs = np.array([1.0, 2.0, 3.0])
    c = np.array([1.0, 10.0, 100.0])
    x = _leaf(xs)
    y = x * 1
    y[1:].mul_(x[1:])
    (y * fl.tensor(c, dtype=fl.float64)).sum().backward()
    np.testing.assert_allclose(_np(y), [1.0, 4.0, 9.0])
    np.testing.assert_allclose(_np(x.grad), c * np.array([1.0, 2 * 2.0, 2 * 3.0]))


def test_view_sees_grad_fn_after_in_place_on_base():
    x = _leaf([1.0, 2.0, 3.0])
    y = x * 1
    v = y[:2]
    y.mul_(3)
    # v aliases y, so v = 3 x[:2] and dv/dx = 3
    v.sum().backward()
    np.testing.assert_allclose(_np(v), [3.0, 6.0])
    np.testing.assert_allclose(_np(x.grad), [3.0, 3.0, 0.0])


def test_writing_a_grad_value_into_a_plain_tensor_puts_it_in_the_graph():
    # a = [0, 2x, 0] * x = [0, 2x^2, 0]; d sum(a) / dx = 4x
    x = _leaf(2.0)
    a = fl.zeros(3, dtype=fl.float64)
    a[1] = x * 2
    assert a.requires_grad and not a.is_leaf
    a.mul_(x)
    a.sum().backward()
    np.testing.assert_allclose(_np(a), [0.0, 8.0, 0.0])
    np.testing.assert_allclose(_np(x.grad), 8.0)


def test_view_sees_in_place_write_through_another_view():
    # v and w alias y; w.mul_(x[1:3]) makes y = [x0, x1^2, x2^2, x3], so v = [x1^2, x2^2]
    x = _leaf([1.0, 2.0, 3.0, 4.0])
    y = x * 1
    v = y[1:3]
    w = y[1:3].view(2)
    w.mul_(x[1:3])
    vv = v[1:]  # a view of a stale view
    (v.sum() + 10 * vv.sum()).backward()
    np.testing.assert_allclose(_np(v), [4.0, 9.0])
    np.testing.assert_allclose(_np(x.grad), [0.0, 2 * 2.0, 11 * 2 * 3.0, 0.0])


def test_view_of_leaf_after_optimizer_step():
    p = _leaf([1.0, 2.0, 3.0])
    v = p[1:]
    with fl.no_grad():
        p.mul_(2)
    (v * v).sum().backward()  # v = 2 p[1:] now, but as a view of p: d/dp = 2 v
    np.testing.assert_allclose(_np(p.grad), [0.0, 8.0, 12.0])


def test_stale_view_backward_under_no_grad():
    x = _leaf([1.0, 2.0])
    y = x * 1
    v = y[:1]
    y.mul_(5)
    loss = v.sum()
    with fl.no_grad():
        loss.backward()
    np.testing.assert_allclose(_np(x.grad), [5.0, 0.0])


def test_retain_grad_follows_in_place_writes():
    # PyTorch 2: .grad of a tensor that retains grad is for its latest value
    x = _leaf([1.0, 2.0])
    y = x * 1
    y.retain_grad()
    y.mul_(2)
    (y * 3).sum().backward()
    np.testing.assert_allclose(_np(y.grad), [3.0, 3.0])
    np.testing.assert_allclose(_np(x.grad), [6.0, 6.0])


def test_retain_grad_of_base_after_write_through_view():
    x = _leaf([1.0, 2.0, 3.0])
    y = x * 1
    y.retain_grad()
    y[1:].mul_(2)
    (y * fl.tensor([1.0, 2.0, 3.0], dtype=fl.float64)).sum().backward()
    np.testing.assert_allclose(_np(y.grad), [1.0, 2.0, 3.0])
    np.testing.assert_allclose(_np(x.grad), [1.0, 4.0, 6.0])


def test_in_place_on_leaf_requiring_grad_raises():
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="leaf"):
        x[0] = 3.0
    np.testing.assert_allclose(_np(x), [1.0, 2.0])


def test_in_place_on_view_of_leaf_raises():
    x = _leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="leaf"):
        x[1:].mul_(2)
    np.testing.assert_allclose(_np(x), [1.0, 2.0, 3.0])


def test_in_place_on_leaf_under_no_grad_is_allowed():
    # an optimizer step: p -= lr * p.grad
    p = _leaf([1.0, -2.0])
    (p * p).sum().backward()
    with fl.no_grad():
        p.sub_(0.1 * p.grad)
    np.testing.assert_allclose(_np(p), [0.8, -1.6])
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    p.grad = None
    (p * p).sum().backward()
    np.testing.assert_allclose(_np(p.grad), [1.6, -3.2])


def test_modifying_a_saved_input_in_place_raises_at_backward():
    x = _leaf([1.0, 2.0])
    a = x * 1
    b = _leaf([3.0, 4.0])
    y = a * b  # MulBackward0 saves a and b
    a.add_(1)
    with pytest.raises(RuntimeError, match="an inplace operation") as err:
        y.sum().backward()
    assert "MulBackward0" in str(err.value)


def test_modifying_a_saved_output_in_place_raises_at_backward():
    x = _leaf([1.0, 2.0])
    y = x.exp()  # ExpBackward0 saves its output
    y.add_(1)
    with pytest.raises(RuntimeError, match="an inplace operation") as err:
        y.sum().backward()
    assert "ExpBackward0" in str(err.value)


def test_modifying_through_detach_is_caught():
    x = _leaf([1.0, 2.0])
    y = x * x
    x.detach().zero_()
    with pytest.raises(RuntimeError, match="an inplace operation"):
        y.sum().backward()


def test_modifying_an_unsaved_input_is_fine():
    x = _leaf([1.0, 2.0])
    a = x * 1
    b = _leaf([3.0, 4.0])
    y = a + b  # add saves nothing
    a.add_(1)
    y.sum().backward()
    np.testing.assert_allclose(_np(x.grad), [1.0, 1.0])
    np.testing.assert_allclose(_np(b.grad), [1.0, 1.0])


def test_version_counter_counts_writes():
    x = fl.zeros(3)
    v0 = x._version
    x.add_(1)
    x[0] = 2
    x[1:].mul_(3)
    assert x._version == v0 + 3


# --- non-differentiable points (PyTorch's choices) --------------------------------------
def test_relu_and_abs_at_zero():
    x = _leaf([-1.0, 0.0, 2.0])
    x.relu().sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [0.0, 0.0, 1.0])
    y = _leaf([-1.0, 0.0, 2.0])
    y.abs().sum().backward()
    np.testing.assert_array_equal(_np(y.grad), [-1.0, 0.0, 1.0])


@pytest.mark.parametrize("reduce", [lambda x: x.max(), lambda x: x.amax(),
                                    lambda x: x.amax(dim=0)])
def test_max_ties_split_the_gradient_evenly(reduce):
    x = _leaf([1.0, 3.0, 3.0, 3.0, 2.0])
    reduce(x).backward()
    np.testing.assert_allclose(_np(x.grad), [0.0, 1 / 3, 1 / 3, 1 / 3, 0.0])


def test_min_ties_split_the_gradient_evenly():
    x = _leaf([[1.0, 5.0], [1.0, 0.0]])
    x.amin(dim=0).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [[0.5, 0.0], [0.5, 1.0]])


def test_max_with_dim_gives_the_gradient_to_the_returned_index():
    x = _leaf([[1.0, 3.0, 3.0], [4.0, 0.0, 4.0]])
    values, idx = x.max(dim=1)
    np.testing.assert_array_equal(idx.numpy(), [1, 0])  # PyTorch: first maximal index
    (values * fl.tensor([1.0, 2.0], dtype=fl.float64)).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [[0.0, 1.0, 0.0], [2.0, 0.0, 0.0]])


def test_maximum_ties_split_between_operands():
    a, b = _leaf([1.0, 2.0, 3.0]), _leaf([2.0, 2.0, 1.0])
    fl.maximum(a, b).sum().backward()
    np.testing.assert_allclose(_np(a.grad), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(_np(b.grad), [1.0, 0.5, 0.0])


def test_clamp_passes_the_gradient_at_the_boundary():
    x = _leaf([-1.0, 0.0, 0.5, 1.0, 2.0])
    x.clamp(0.0, 1.0).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [0.0, 1.0, 1.0, 1.0, 0.0])


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_sqrt_at_zero_is_infinite():
    x = _leaf([0.0, 4.0])
    x.sqrt().sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [np.inf, 0.25])
