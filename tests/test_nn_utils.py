"""``flambeau.nn.utils``: gradient clipping against a NumPy computation of the total
norm, and parameter/vector conversion."""

from __future__ import annotations

import math

import numpy as np
import pytest

import flambeau as fl
import flambeau.nn as nn
from flambeau.nn.utils import (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
                               vector_to_parameters)

RNG = np.random.default_rng(3)


def _params_with_grads(shapes, scale=1.0):
    params, grads = [], []
    for s in shapes:
        p = nn.Parameter(fl.zeros(*s, dtype=fl.float64))
        g = RNG.standard_normal(s) * scale
        p.grad = fl.tensor(g)
        params.append(p)
        grads.append(g)
    return params, grads


def _np_total_norm(grads, p):
    flat = np.concatenate([g.ravel() for g in grads])
    return np.abs(flat).max() if p == math.inf else (np.abs(flat) ** p).sum() ** (1 / p)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3, math.inf])
def test_clip_grad_norm_scales_to_max_norm(norm_type):
    params, grads = _params_with_grads([(3, 4), (5,), (2, 2, 2)], scale=2.0)
    total = _np_total_norm(grads, norm_type)
    max_norm = total / 3
    out = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    np.testing.assert_allclose(out.item(), total, rtol=1e-12)
    coef = max_norm / (total + 1e-6)
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.numpy(), g * coef, rtol=1e-12)
    new = _np_total_norm([p.grad.numpy() for p in params], norm_type)
    assert new == pytest.approx(max_norm, rel=1e-5)


def test_clip_grad_norm_leaves_small_gradients_alone():
    params, grads = _params_with_grads([(4,), (2, 3)], scale=0.01)
    total = clip_grad_norm_(iter(params), max_norm=10.0)
    np.testing.assert_allclose(total.item(), _np_total_norm(grads, 2), rtol=1e-12)
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad.numpy(), g)


def test_clip_grad_norm_edge_cases():
    p = nn.Parameter(fl.zeros(3))
    assert clip_grad_norm_([p], 1.0).item() == 0.0  # no gradients at all
    p.grad = fl.tensor([3.0, 4.0, 0.0])
    assert clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)  # a single tensor
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8, 0.0], rtol=1e-5)
    p.grad = fl.tensor([float("inf"), 1.0, 0.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    with np.errstate(invalid="ignore"):  # inf * 0 in the scaling, as in PyTorch
        assert math.isinf(clip_grad_norm_([p], 1.0).item())


def test_clip_grad_norm_on_a_model_after_backward():
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    model(fl.randn(16, 4)).pow(2).sum().backward()
    grads = [p.grad.numpy().copy() for p in model.parameters()]
    total = clip_grad_norm_(model.parameters(), 0.5)
    np.testing.assert_allclose(total.item(), _np_total_norm(grads, 2), rtol=1e-5)
    after = _np_total_norm([p.grad.numpy() for p in model.parameters()], 2)
    assert after == pytest.approx(min(0.5, total.item()), rel=1e-4)


def test_clip_grad_value():
    params, grads = _params_with_grads([(3, 3), (4,)])
    clip_grad_value_(params, 0.5)
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad.numpy(), np.clip(g, -0.5, 0.5))


def test_parameters_to_vector_and_back():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1, bias=False))
    vec = parameters_to_vector(model.parameters())
    expected = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    np.testing.assert_array_equal(vec.detach().numpy(), expected)
    # differentiable: the gradient of sum(vec) is ones for every parameter
    vec.sum().backward()
    assert all((p.grad.numpy() == 1).all() for p in model.parameters())
    new = fl.arange(vec.numel(), dtype=fl.float32)
    vector_to_parameters(new, model.parameters())
    np.testing.assert_array_equal(model[0].weight.detach().numpy(),
                                  np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(model[1].weight.detach().numpy(), [[8.0, 9.0]])
    with pytest.raises(TypeError, match="expected Tensor"):
        vector_to_parameters([1.0], model.parameters())
