"""``flambeau.nn.init``: sample statistics against the closed-form PyTorch formulas
(bounds, means, standard deviations), gains, fans and argument errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import flambeau as fl
import flambeau.nn as nn
from flambeau.nn import init

N = 200_000  # samples for the statistics: standard errors around 0.2% of the std


def npy(t):
    return t.detach().numpy()


def _phi(x):
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _cdf(x):
    return (1 + math.erf(x / math.sqrt(2))) / 2


def test_calculate_gain():
    for name in ("linear", "conv1d", "conv2d", "conv_transpose2d", "sigmoid"):
        assert init.calculate_gain(name) == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("leaky_relu", 1) == pytest.approx(1.0)
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


def test_fan_in_and_fan_out():
    assert init._calculate_fan_in_and_fan_out(fl.empty(5, 3)) == (3, 5)
    assert init._calculate_fan_in_and_fan_out(fl.empty(8, 4, 3, 2)) == (24, 48)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(fl.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(fl.empty(3, 3), mode="fan_avg")


def test_uniform_normal_constant_and_eye():
    t = init.uniform_(fl.empty(N), -2.0, 3.0)
    a = npy(t)
    assert a.min() >= -2.0 and a.max() < 3.0
    assert abs(a.mean() - 0.5) < 0.02 and abs(a.std() - 5 / math.sqrt(12)) < 0.01
    a = npy(init.normal_(fl.empty(N, dtype=fl.float64), 1.5, 0.5))
    assert abs(a.mean() - 1.5) < 0.005 and abs(a.std() - 0.5) < 0.005
    np.testing.assert_array_equal(npy(init.constant_(fl.empty(2, 2), 0.3)),
                                  np.full((2, 2), 0.3, np.float32))
    np.testing.assert_array_equal(npy(init.ones_(fl.empty(3))), np.ones(3))
    np.testing.assert_array_equal(npy(init.zeros_(fl.ones(3))), np.zeros(3))
    np.testing.assert_array_equal(npy(init.eye_(fl.empty(2, 3))), np.eye(2, 3))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(fl.empty(3))


def test_init_works_on_parameters_without_recording_a_graph():
    p = nn.Parameter(fl.empty(4, 5))
    out = init.xavier_uniform_(p)
    assert out is p and p.is_leaf and p.requires_grad and p.grad_fn is None


def test_generator_makes_init_reproducible():
    a = init.kaiming_normal_(fl.empty(50, 20), generator=fl.Generator().manual_seed(5))
    b = init.kaiming_normal_(fl.empty(50, 20), generator=fl.Generator().manual_seed(5))
    np.testing.assert_array_equal(npy(a), npy(b))
    c = init.trunc_normal_(fl.empty(10), generator=fl.Generator().manual_seed(5))
    d = init.trunc_normal_(fl.empty(10), generator=fl.Generator().manual_seed(5))
    np.testing.assert_array_equal(npy(c), npy(d))


def test_xavier():
    t = fl.empty(400, 500)  # fan_in 500, fan_out 400
    bound = math.sqrt(6 / 900) * 2.0
    a = npy(init.xavier_uniform_(t, gain=2.0))
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.99 * bound
    assert abs(a.std() - bound / math.sqrt(3)) < 0.01 * bound
    a = npy(init.xavier_normal_(t))
    assert abs(a.mean()) < 0.001 and abs(a.std() - math.sqrt(2 / 900)) < 0.005 * a.std()


@pytest.mark.parametrize("mode, nonlinearity, a", [
    ("fan_in", "leaky_relu", 0), ("fan_out", "relu", 0), ("fan_in", "leaky_relu", 0.2),
    ("fan_in", "leaky_relu", math.sqrt(5)),
])
def test_kaiming(mode, nonlinearity, a):
    t = fl.empty(200, 100, 3, 3)  # fan_in 900, fan_out 1800
    fan = 900 if mode == "fan_in" else 1800
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    u = npy(init.kaiming_uniform_(t, a=a, mode=mode, nonlinearity=nonlinearity))
    bound = math.sqrt(3) * std
    assert np.abs(u).max() <= bound * (1 + 1e-6) and np.abs(u).max() > 0.99 * bound
    n = npy(init.kaiming_normal_(t, a=a, mode=mode, nonlinearity=nonlinearity))
    assert abs(n.mean()) < 0.01 * std and abs(n.std() - std) < 0.01 * std


def test_kaiming_on_an_empty_tensor_warns_and_does_nothing():
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(fl.empty(0, 3))


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (1.0, 0.5, 0.0, 3.0),
                                             (0.0, 0.02, -0.04, 0.04),
                                             (0.0, 1.0, 2.5, 4.0)])
def test_trunc_normal_moments(mean, std, a, b):
    """Against the closed-form mean and variance of the truncated normal."""
    if mean < a - 2 * std:
        with pytest.warns(UserWarning, match="more than 2 std"):
            x = npy(init.trunc_normal_(fl.empty(N, dtype=fl.float64), mean, std, a, b))
    else:
        x = npy(init.trunc_normal_(fl.empty(N, dtype=fl.float64), mean, std, a, b))
    al, be = (a - mean) / std, (b - mean) / std
    z = _cdf(be) - _cdf(al)
    true_mean = mean + std * (_phi(al) - _phi(be)) / z
    true_var = std ** 2 * (1 + (al * _phi(al) - be * _phi(be)) / z -
                           ((_phi(al) - _phi(be)) / z) ** 2)
    assert x.min() >= a and x.max() <= b
    assert abs(x.mean() - true_mean) < 0.01 * std
    assert abs(x.std() - math.sqrt(true_var)) < 0.01 * math.sqrt(true_var)


def test_trunc_normal_float32():
    x = npy(init.trunc_normal_(fl.empty(N), std=0.02, a=-0.04, b=0.04))
    assert x.dtype == np.float32 and x.min() >= -0.04 and x.max() <= 0.04
    assert np.isfinite(x).all()


@pytest.mark.parametrize("shape", [(30, 10), (10, 30), (6, 2, 2, 3)])
def test_orthogonal(shape):
    w = npy(init.orthogonal_(fl.empty(*shape), gain=2.0)).reshape(shape[0], -1)
    rows, cols = w.shape
    gram = w.T @ w if rows >= cols else w @ w.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(min(rows, cols)), atol=1e-5)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(fl.empty(3))


def test_default_inits_of_layers():
    """PyTorch's defaults: Linear/Conv U(+-1/sqrt(fan_in)); norms ones and zeros."""
    fl.manual_seed(0)
    lin = nn.Linear(400, 300)
    w = npy(lin.weight)
    assert np.abs(w).max() <= 1 / 20 and abs(w.std() - 1 / 20 / math.sqrt(3)) < 1e-3
    assert np.abs(npy(lin.bias)).max() <= 1 / 20
    ln = nn.LayerNorm(7)
    np.testing.assert_array_equal(npy(ln.weight), np.ones(7))
    np.testing.assert_array_equal(npy(ln.bias), np.zeros(7))
    gn = nn.GroupNorm(2, 4)
    np.testing.assert_array_equal(npy(gn.weight), np.ones(4))
    np.testing.assert_array_equal(npy(nn.RMSNorm(3).weight), np.ones(3))
