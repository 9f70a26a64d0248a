"""Tensor hooks: ``register_hook`` and ``register_post_accumulate_grad_hook``.

Expected gradients are hand-derived; the calling rules (order, once per backward,
replacement by a returned tensor, ``handle.remove()``) are PyTorch's documented ones.
"""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fl


def _np(t):
    return t.detach().numpy()


def _leaf(values):
    return fl.tensor(values, dtype=fl.float64, requires_grad=True)


# --- register_hook ----------------------------------------------------------------------
def test_leaf_hook_observes_the_gradient():
    x = _leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(_np(g).copy()))
    (x * x).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], [2.0, 4.0])
    np.testing.assert_allclose(_np(x.grad), [2.0, 4.0])


def test_leaf_hook_can_replace_the_gradient():
    x = _leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [30.0, 30.0])


def test_leaf_hook_sees_the_summed_gradient_once():
    x = _leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(_np(g).copy()))
    (x * 2 + x * x + x).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], [5.0, 7.0])


def test_non_leaf_hook_replaces_the_gradient_flowing_on():
    x = _leaf([1.0, 2.0])
    y = x * 2
    seen = []

    def hook(g):
        seen.append(_np(g).copy())
        return g * 3

    y.register_hook(hook)
    (y * y).sum().backward()
    np.testing.assert_allclose(seen[0], [4.0, 8.0])  # 2y
    np.testing.assert_allclose(_np(x.grad), [24.0, 48.0])  # 3 * 2y * 2


def test_non_leaf_hook_with_multi_output_op():
    x = _leaf([[3.0, 1.0], [0.0, 5.0]])
    values, _ = x.sort(dim=1)
    values.register_hook(lambda g: g * fl.tensor([1.0, 10.0], dtype=fl.float64))
    values.sum().backward()
    # the sorted values at column 1 came from x[0, 0] and x[1, 1]
    np.testing.assert_allclose(_np(x.grad), [[10.0, 1.0], [1.0, 10.0]])


def test_handle_remove_takes_the_hook_away():
    x = _leaf([1.0])
    calls = []
    handle = x.register_hook(lambda g: calls.append(1))
    y = x * 2
    h2 = y.register_hook(lambda g: calls.append(2))
    y.sum().backward()
    assert sorted(calls) == [1, 2]
    handle.remove()
    h2.remove()
    handle.remove()  # removing twice is harmless
    calls.clear()
    y2 = x * 2
    y2.sum().backward()
    assert calls == []


def test_hooks_run_in_registration_order_and_chain():
    x = _leaf([1.0])
    order = []

    def first(g):
        order.append("first")
        return g + 1

    def second(g):
        order.append(("second", float(g)))
        return g * 2

    x.register_hook(first)
    x.register_hook(second)
    (x * 3).sum().backward()
    assert order == ["first", ("second", 4.0)]
    np.testing.assert_allclose(_np(x.grad), [8.0])


def test_non_leaf_hook_runs_before_leaf_hook():
    x = _leaf([1.0])
    y = x * 2
    order = []
    x.register_hook(lambda g: order.append("leaf"))
    y.register_hook(lambda g: order.append("non-leaf"))
    y.sum().backward()
    assert order == ["non-leaf", "leaf"]


def test_retained_grad_reflects_hooks_whatever_the_order():
    # PyTorch runs the retain_grad hook after the tensor's other hooks
    x = _leaf([1.0, 2.0])
    y = x * 1
    y.retain_grad()
    y.register_hook(lambda g: g * 5)
    y.sum().backward()
    np.testing.assert_allclose(_np(y.grad), [5.0, 5.0])
    np.testing.assert_allclose(_np(x.grad), [5.0, 5.0])


def test_hook_not_called_when_backward_does_not_reach_it():
    x, unused = _leaf([1.0]), _leaf([2.0])
    calls = []
    unused.register_hook(lambda g: calls.append(1))
    branch = unused * 2
    branch.register_hook(lambda g: calls.append(2))
    (x * 2).sum().backward()
    assert calls == [] and unused.grad is None


def test_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require"):
        fl.tensor([1.0]).register_hook(lambda g: g)


def test_leaf_hook_runs_for_autograd_grad():
    # PyTorch runs a leaf's tensor hooks before capturing its gradient in autograd.grad
    x = _leaf([1.0, 2.0])
    seen = []

    def hook(g):
        seen.append(1)
        return g * 2

    x.register_hook(hook)
    (g,) = fl.autograd.grad((x * x).sum(), x)
    assert seen == [1]
    np.testing.assert_allclose(_np(g), [4.0, 8.0])
    assert x.grad is None


def test_leaf_hooks_run_only_for_leaves_asked_for():
    # with inputs=, PyTorch runs only the part of the graph leading to those inputs
    x, y = _leaf([1.0]), _leaf([2.0])
    calls = []
    x.register_hook(lambda g: calls.append("x"))
    y.register_hook(lambda g: calls.append("y"))
    (x * y).sum().backward(inputs=[x])
    assert calls == ["x"]
    calls.clear()
    fl.autograd.grad((x * y).sum(), y)
    assert calls == ["y"]


def test_hooks_under_create_graph_are_differentiable():
    x = _leaf([1.5])
    y = x * x
    y.register_hook(lambda g: g * x)  # dL/dx becomes x * 2x
    y.sum().backward(create_graph=True)
    np.testing.assert_allclose(_np(x.grad), [2 * 1.5 ** 2])
    (h,) = fl.autograd.grad(x.grad.sum(), x)
    np.testing.assert_allclose(_np(h), [4 * 1.5])


# --- register_post_accumulate_grad_hook -------------------------------------------------
def test_post_accumulate_hook_sees_the_accumulated_grad():
    x = _leaf([1.0, 2.0])
    seen = []

    def hook(t):
        assert t is x
        seen.append(_np(t.grad).copy())

    x.register_post_accumulate_grad_hook(hook)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    assert len(seen) == 2
    np.testing.assert_allclose(seen[0], [3.0, 3.0])
    np.testing.assert_allclose(seen[1], [5.0, 7.0])  # 3 + 2x, already accumulated


def test_post_accumulate_hook_called_once_when_leaf_used_several_times():
    x = _leaf([1.0, 2.0])
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append(_np(t.grad).copy()))
    (x * x + x.exp() + x).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], 2 * np.array([1.0, 2.0]) + np.exp([1.0, 2.0]) + 1)


def test_post_accumulate_hook_can_step_like_an_optimizer():
    p = _leaf([1.0, -2.0])

    def step(t):
        with fl.no_grad():
            t.sub_(0.5 * t.grad)
        t.grad = None

    p.register_post_accumulate_grad_hook(step)
    (p * p).sum().backward()
    np.testing.assert_allclose(_np(p), [0.0, 0.0])
    assert p.grad is None


def test_post_accumulate_hook_runs_after_tensor_hooks():
    x = _leaf([1.0])
    order = []
    x.register_post_accumulate_grad_hook(lambda t: order.append(("post", float(t.grad))))
    x.register_hook(lambda g: order.append("pre") or g * 2)
    (x * 3).sum().backward()
    assert order == ["pre", ("post", 6.0)]


def test_post_accumulate_hooks_in_order_and_removable():
    x = _leaf([1.0])
    order = []
    h1 = x.register_post_accumulate_grad_hook(lambda t: order.append(1))
    x.register_post_accumulate_grad_hook(lambda t: order.append(2))
    (x * 2).sum().backward()
    assert order == [1, 2]
    h1.remove()
    order.clear()
    (x * 2).sum().backward()
    assert order == [2]


def test_post_accumulate_hook_not_called_for_autograd_grad():
    x = _leaf([1.0])
    calls = []
    x.register_post_accumulate_grad_hook(lambda t: calls.append(1))
    fl.autograd.grad((x * 2).sum(), x)
    assert calls == []


def test_post_accumulate_hook_on_non_leaf_raises():
    y = _leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="non-leaf"):
        y.register_post_accumulate_grad_hook(lambda t: None)


def test_post_accumulate_hook_without_requires_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require"):
        fl.tensor([1.0]).register_post_accumulate_grad_hook(lambda t: None)
