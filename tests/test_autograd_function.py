"""Custom differentiable ops with ``fl.autograd.Function`` (PyTorch's
``torch.autograd.Function`` contract): ctx methods, multiple outputs, non-tensor
arguments, grad mode, and the checks on what ``backward`` returns. Gradients are
compared with hand-derived closed forms.
"""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fl
from flambeau.autograd import Function


def _np(t):
    return t.detach().numpy()


def _leaf(values):
    return fl.tensor(values, dtype=fl.float64, requires_grad=True)


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g


class ScaledMul(Function):
    """``scale * a * b`` with a Python-number ``scale``; records needs_input_grad."""

    seen_needs = None

    @staticmethod
    def forward(ctx, a, scale, b):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        ScaledMul.seen_needs = ctx.needs_input_grad
        return a * b * scale

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = g * b * ctx.scale if ctx.needs_input_grad[0] else None
        gb = g * a * ctx.scale if ctx.needs_input_grad[2] else None
        return ga, None, gb


def test_forward_and_backward():
    xs = np.array([1.0, -2.0, 0.5])
    x = _leaf(xs)
    y = Cube.apply(x)
    np.testing.assert_allclose(_np(y), xs ** 3)
    assert y.requires_grad and not y.is_leaf
    y.sum().backward()
    np.testing.assert_allclose(_np(x.grad), 3 * xs ** 2)


def test_node_name_and_repr():
    y = Cube.apply(_leaf([1.0]))
    assert y.grad_fn.name() == "CubeBackward"
    assert "grad_fn=<CubeBackward>" in repr(y)


def test_forward_runs_without_recording():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            seen["enabled"] = fl.is_grad_enabled()
            inner = x * 2
            seen["inner_grad_fn"] = inner.grad_fn
            return inner

        @staticmethod
        def backward(ctx, g):
            return g * 2

    y = Probe.apply(_leaf([1.0]))
    assert seen == {"enabled": False, "inner_grad_fn": None}
    assert y.grad_fn.name() == "ProbeBackward"


def test_composes_with_builtin_ops():
    # loss = sum(exp(x)^3) -> d/dx = 3 exp(3x)
    xs = np.array([0.1, -0.3])
    x = _leaf(xs)
    (Cube.apply(x.exp()) * 1).sum().backward()
    np.testing.assert_allclose(_np(x.grad), 3 * np.exp(3 * xs))


def test_needs_input_grad_and_non_tensor_args():
    a = _leaf([1.0, 2.0])
    b = fl.tensor([3.0, 4.0], dtype=fl.float64)
    out = ScaledMul.apply(a, 0.5, b)
    assert ScaledMul.seen_needs == (True, False, False)
    out.sum().backward()
    np.testing.assert_allclose(_np(a.grad), [1.5, 2.0])
    b.requires_grad_()
    out = ScaledMul.apply(a, 2.0, b)
    assert ScaledMul.seen_needs == (True, False, True)
    out.sum().backward()
    np.testing.assert_allclose(_np(b.grad), [2.0, 4.0])


def test_apply_without_grad_inputs_records_nothing():
    y = Cube.apply(fl.tensor([2.0]))
    assert y.grad_fn is None and not y.requires_grad
    np.testing.assert_allclose(_np(y), [8.0])


def test_apply_under_no_grad_records_nothing():
    x = _leaf([2.0])
    with fl.no_grad():
        y = Cube.apply(x)
    assert y.grad_fn is None and not y.requires_grad
    np.testing.assert_allclose(_np(y), [8.0])


def test_multiple_outputs():
    class SinCos(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, gs, gc):
            (x,) = ctx.saved_tensors
            return gs * x.cos() - gc * x.sin()

    xs = np.array([0.3, 1.2])
    x = _leaf(xs)
    s, c = SinCos.apply(x)
    assert s.grad_fn is c.grad_fn
    (2 * s + 3 * c).sum().backward()
    np.testing.assert_allclose(_np(x.grad), 2 * np.cos(xs) - 3 * np.sin(xs))


class _TwoOut(Function):
    """Returns (2x, 3x); records what backward received."""

    received = None

    @staticmethod
    def forward(ctx, x, materialize):
        ctx.set_materialize_grads(materialize)
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, g1, g2):
        _TwoOut.received = (g1, g2)
        total = 0
        if g1 is not None:
            total = total + 2 * g1
        if g2 is not None:
            total = total + 3 * g2
        return total, None


def test_unused_output_gets_zeros_by_default():
    x = _leaf([1.0, 2.0])
    a, _ = _TwoOut.apply(x, True)
    a.sum().backward()
    g1, g2 = _TwoOut.received
    np.testing.assert_array_equal(_np(g2), [0.0, 0.0])
    np.testing.assert_allclose(_np(x.grad), [2.0, 2.0])


def test_set_materialize_grads_false_passes_none():
    x = _leaf([1.0, 2.0])
    a, _ = _TwoOut.apply(x, False)
    a.sum().backward()
    g1, g2 = _TwoOut.received
    assert g2 is None
    np.testing.assert_allclose(_np(g1), [1.0, 1.0])
    np.testing.assert_allclose(_np(x.grad), [2.0, 2.0])
    x.grad = None
    _, b = _TwoOut.apply(x, False)
    b.sum().backward()
    g1, g2 = _TwoOut.received
    assert g1 is None
    np.testing.assert_allclose(_np(x.grad), [3.0, 3.0])


def test_mark_non_differentiable():
    class SortWithIndex(Function):
        @staticmethod
        def forward(ctx, x):
            values, idx = x.sort()
            mask = values > 0
            ctx.mark_non_differentiable(idx, mask)
            ctx.save_for_backward(idx)
            return values, idx, mask

        @staticmethod
        def backward(ctx, g, g_idx, g_mask):
            (idx,) = ctx.saved_tensors
            return fl.zeros_like(g).scatter(0, idx, g)

    x = _leaf([3.0, -1.0, 2.0])
    values, idx, mask = SortWithIndex.apply(x)
    assert values.requires_grad
    assert not idx.requires_grad and not mask.requires_grad
    (values * fl.tensor([1.0, 10.0, 100.0], dtype=fl.float64)).sum().backward()
    # sorted: -1 (x[1]), 2 (x[2]), 3 (x[0])
    np.testing.assert_allclose(_np(x.grad), [100.0, 1.0, 10.0])


def test_double_backward_through_custom_function():
    xs = np.array([1.5, -0.5])
    x = _leaf(xs)
    (g,) = fl.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(_np(g), 3 * xs ** 2)
    (h,) = fl.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(_np(h), 6 * xs)


def test_saved_tensor_modified_in_place_raises():
    x = _leaf([1.0, 2.0])
    a = x * 1
    y = Cube.apply(a)
    a.add_(1)
    with pytest.raises(RuntimeError, match="inplace") as err:
        y.sum().backward()
    assert "CubeBackward" in str(err.value)


def test_backward_twice_needs_retain_graph():
    x = _leaf([1.0, 2.0])
    y = Cube.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(_np(x.grad), [6.0, 24.0])
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_too_few_gradients_raises():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    out = Bad.apply(_leaf([1.0]), _leaf([2.0]))
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        out.sum().backward()


def test_too_many_gradients_raises():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, g

    out = Bad.apply(_leaf([1.0]))
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        out.sum().backward()


def test_extra_none_gradients_are_allowed():
    class Fine(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None

    x = _leaf([1.0])
    Fine.apply(x).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [2.0])


def test_gradient_of_the_wrong_shape_raises():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g[:2]

    out = Bad.apply(_leaf([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="shape"):
        out.sum().backward()


def test_broadcastable_gradient_is_summed_to_the_input_shape():
    # PyTorch reduces a gradient that the input's shape expands to
    class Wide(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1

        @staticmethod
        def backward(ctx, g):
            return g.expand(2, 3)

    x = _leaf([1.0, 2.0, 3.0])
    Wide.apply(x).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [2.0, 2.0, 2.0])


def test_gradcheck_on_custom_function():
    class XSinX(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x.sin()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * (x.sin() + x * x.cos())

    x = fl.tensor(np.linspace(-2, 2, 5), dtype=fl.float64, requires_grad=True)
    assert fl.autograd.gradcheck(XSinX.apply, (x,))
    assert fl.autograd.gradcheck(Cube.apply, (x,))
    assert fl.autograd.gradgradcheck(Cube.apply, (x,))
