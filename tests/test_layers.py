"""The layer stack: a pass-through layer sees every kind of op, autograd still works
under it, layers compose and come off the stack, and the short paths agree with the
general path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flambeau as fl
from flambeau.dispatcher import dispatch


class Recorder(fl.dispatcher.Layer):
    """Passes every op on and notes its name."""

    def __init__(self):
        self.names = []

    def handle(self, op, inputs, params, redispatch):
        self.names.append(op.name)
        return redispatch()


def test_autograd_records_under_a_pass_through_layer():
    x = fl.randn(3, 4, requires_grad=True)
    with fl.dispatcher.installed(Recorder()) as rec:
        y = (x * 2).sum()
        assert y.grad_fn is not None
        y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((3, 4), 2.0, np.float32))
    assert "mul" in rec.names and "sum" in rec.names


def test_the_layer_sees_creation_inplace_copy_setitem_and_transfer():
    with fl.dispatcher.installed(Recorder()) as rec:
        z = fl.zeros(3)
        fl.randn(2)
        z.add_(1.0)
        z.mul_(fl.ones(3))
        z.copy_(fl.arange(3.0))
        z[1] = 7.0
        z.fill_(4.0)
        z.exp_()
        z.to(fl.float64)
        fl.tensor([1.0]).to("cpu", copy=True)
    for name in ("full", "normal", "add_", "mul_", "copy_", "setitem_", "exp", "cast",
                 "arange"):
        assert name in rec.names, name


def test_the_layer_sees_backward_accumulation_and_optimizer_steps():
    model = fl.nn.Linear(3, 2)
    opt = fl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = fl.randn(5, 3)
    model(x).sum().backward()  # .grad exists: the next backward accumulates into it
    opt.step()  # the momentum buffers exist: the next step updates them with mul_
    with fl.dispatcher.installed(Recorder()) as rec:
        model(x).sum().backward()
        opt.step()
    # backward's matmul for the weight gradient, accumulation into .grad (add_), and
    # the optimizer's in-place updates all went through the layer
    assert rec.names.count("matmul") >= 1
    assert rec.names.count("add_") >= 2 + 2
    assert "mul_" in rec.names


def test_gradients_are_the_same_with_and_without_the_layer():
    fl.manual_seed(0)
    model = fl.nn.Sequential(fl.nn.Linear(4, 8), fl.nn.Tanh(), fl.nn.Linear(8, 1))
    x = fl.randn(6, 4)

    def grads():
        model.zero_grad()
        fl.nn.functional.mse_loss(model(x), fl.ones(6, 1)).backward()
        return [p.grad.numpy().copy() for p in model.parameters()]

    plain = grads()
    with fl.dispatcher.installed(Recorder()):
        layered = grads()
    for a, b in zip(plain, layered):
        np.testing.assert_array_equal(a, b)


def test_layers_compose_in_stack_order_and_pop():
    order = []

    class Tag(fl.dispatcher.Layer):
        def __init__(self, tag):
            self.tag = tag

        def handle(self, op, inputs, params, redispatch):
            order.append(self.tag)
            return redispatch()

    inner, outer = Tag("inner"), Tag("outer")
    before = fl.dispatcher.stack()
    fl.dispatcher.push_layer(inner)
    fl.dispatcher.push_layer(outer)
    fl.ones(2) + 1
    assert order[:2] == ["outer", "inner"]
    assert fl.dispatcher.pop_layer() is outer
    assert fl.dispatcher.pop_layer(inner) is inner
    assert fl.dispatcher.stack() == before
    order.clear()
    fl.ones(2) + 1
    assert order == []


def test_the_stack_is_restored_when_the_block_raises():
    before = fl.dispatcher.stack()
    with pytest.raises(RuntimeError, match="broadcast"):
        with fl.dispatcher.installed(Recorder()):
            fl.ones(2, 3) + fl.ones(4)
    assert fl.dispatcher.stack() == before


def test_push_refuses_non_layers_and_duplicates():
    with pytest.raises(TypeError, match="lacks"):
        fl.dispatcher.push_layer(object())
    layer = Recorder()
    with fl.dispatcher.installed(layer):
        with pytest.raises(ValueError, match="installed already"):
            fl.dispatcher.push_layer(layer)
    with pytest.raises(ValueError, match="not installed"):
        fl.dispatcher.pop_layer(layer)


def test_a_layer_can_change_the_result():
    class Doubler(fl.dispatcher.Layer):
        def wants(self, op, inputs):
            return op.name == "exp"

        def handle(self, op, inputs, params, redispatch):
            return redispatch() * 2

    x = fl.tensor([0.0, 1.0])
    with fl.dispatcher.installed(Doubler()):
        y = fl.exp(x)
    np.testing.assert_allclose(y.numpy(), 2 * np.exp([0.0, 1.0]), rtol=1e-6)


_DTYPES = [fl.float32, fl.float64, fl.int64, fl.int32]
_BINARY = ["add", "sub", "mul", "maximum", "eq", "lt"]


@settings(max_examples=60, deadline=None)
@given(op=st.sampled_from(_BINARY), da=st.sampled_from(_DTYPES),
       db=st.sampled_from(_DTYPES), scalar=st.booleans(), grad=st.booleans(),
       shape=st.sampled_from([(3,), (2, 3), (1, 3), ()]))
def test_short_and_general_paths_agree(op, da, db, scalar, grad, shape):
    # the same call with only autograd installed (short paths) and under a
    # pass-through layer (the general path throughout)
    rng = np.random.default_rng(0)
    a = fl.tensor(rng.integers(-5, 5, size=(2, 3)), dtype=da)
    b = 2 if scalar else fl.tensor(rng.integers(1, 5, size=shape), dtype=db)
    if grad and da.is_floating_point:
        a.requires_grad_()
    fn = getattr(fl, op)
    fast = fn(a, b)
    assert dispatch._fast
    with fl.dispatcher.installed(Recorder()):
        slow = fn(a, b)
    assert fast.dtype is slow.dtype and fast.shape == slow.shape
    np.testing.assert_array_equal(fast.detach().numpy(), slow.detach().numpy())
    assert (fast.grad_fn is None) == (slow.grad_fn is None)
