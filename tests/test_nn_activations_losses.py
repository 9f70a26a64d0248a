"""Activation and loss modules of ``flambeau.nn``: outputs against NumPy formulas,
gradients against finite differences, and ``repr`` strings as PyTorch prints them."""

from __future__ import annotations

import math

import numpy as np
import pytest

import flambeau as fl
import flambeau.nn as nn
from test_nn_layers import check_module_grads, npy, t64

RNG = np.random.default_rng(2)
_erf = np.vectorize(math.erf)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


ACTIVATIONS = [
    (nn.ReLU(), lambda x: np.maximum(x, 0), "ReLU()"),
    (nn.ReLU(inplace=True), lambda x: np.maximum(x, 0), "ReLU(inplace=True)"),
    (nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x), "LeakyReLU(negative_slope=0.01)"),
    (nn.LeakyReLU(0.2, inplace=True), lambda x: np.where(x > 0, x, 0.2 * x),
     "LeakyReLU(negative_slope=0.2, inplace=True)"),
    (nn.ELU(), lambda x: np.where(x > 0, x, np.expm1(x)), "ELU(alpha=1.0)"),
    (nn.ELU(alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x)), "ELU(alpha=0.5)"),
    (nn.GELU(), lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))), "GELU(approximate='none')"),
    (nn.GELU("tanh"),
     lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
     "GELU(approximate='tanh')"),
    (nn.SiLU(), lambda x: x * _sigmoid(x), "SiLU()"),
    (nn.Mish(), lambda x: x * np.tanh(_softplus(x)), "Mish()"),
    (nn.Tanh(), np.tanh, "Tanh()"),
    (nn.Sigmoid(), _sigmoid, "Sigmoid()"),
    (nn.Softplus(), _softplus, "Softplus(beta=1.0, threshold=20.0)"),
    (nn.Softplus(beta=2.0, threshold=1.0), lambda x: _softplus(x, 2.0, 1.0),
     "Softplus(beta=2.0, threshold=1.0)"),
    (nn.Softmax(dim=1), lambda x: _softmax(x, 1), "Softmax(dim=1)"),
    (nn.LogSoftmax(dim=-1), lambda x: np.log(_softmax(x, -1)), "LogSoftmax(dim=-1)"),
    (nn.Hardtanh(), lambda x: np.clip(x, -1, 1), "Hardtanh(min_val=-1.0, max_val=1.0)"),
    (nn.Hardtanh(-2.0, 0.5), lambda x: np.clip(x, -2, 0.5),
     "Hardtanh(min_val=-2.0, max_val=0.5)"),
    (nn.ReLU6(), lambda x: np.clip(x, 0, 6), "ReLU6()"),
    (nn.LogSigmoid(), lambda x: -np.log1p(np.exp(-x)), "LogSigmoid()"),
]


@pytest.mark.parametrize("module, ref, text", ACTIVATIONS, ids=[a[2] for a in ACTIVATIONS])
def test_activation_matches_numpy_and_repr(module, ref, text):
    x = RNG.standard_normal((3, 4)) * 3
    out = module(fl.tensor(x))
    np.testing.assert_allclose(npy(out), ref(x), rtol=1e-6, atol=1e-7)
    assert repr(module) == text


@pytest.mark.parametrize("module", [nn.ELU(), nn.GELU(), nn.GELU("tanh"), nn.SiLU(),
                                    nn.Mish(), nn.Softplus(beta=2.0), nn.Softmax(dim=0),
                                    nn.LogSoftmax(dim=1), nn.Tanh(), nn.Sigmoid()],
                         ids=repr)
def test_activation_gradients(module):
    # stay away from the kinks, where finite differences are not the derivative
    check_module_grads(module, fl.tensor([[-1.3, -0.4, 0.3], [0.8, 1.7, 2.5]],
                                         dtype=fl.float64, requires_grad=True))


def test_inplace_activation_writes_its_input():
    x = fl.tensor([-1.0, 2.0])
    assert nn.ReLU(inplace=True)(x) is x
    assert x.tolist() == [0.0, 2.0]


def test_prelu_learns_its_slope():
    m = nn.PReLU()
    x = fl.tensor([-2.0, 3.0])
    np.testing.assert_allclose(npy(m(x)), [-0.5, 3.0])
    m(x).sum().backward()
    np.testing.assert_allclose(npy(m.weight.grad), [-2.0])
    assert repr(m) == "PReLU(num_parameters=1)"


# --- regression losses ----------------------------------------------------------------------
def _reduce(loss, reduction):
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses(reduction):
    x, y = RNG.standard_normal((4, 3)) * 2, RNG.standard_normal((4, 3))
    d = x - y
    cases = [
        (nn.MSELoss(reduction=reduction), d ** 2),
        (nn.L1Loss(reduction=reduction), np.abs(d)),
        (nn.SmoothL1Loss(reduction=reduction, beta=0.5),
         np.where(np.abs(d) < 0.5, 0.5 * d ** 2 / 0.5, np.abs(d) - 0.25)),
        (nn.HuberLoss(reduction=reduction, delta=0.7),
         np.where(np.abs(d) <= 0.7, 0.5 * d ** 2, 0.7 * (np.abs(d) - 0.35))),
    ]
    for module, elementwise in cases:
        out = module(fl.tensor(x), fl.tensor(y))
        np.testing.assert_allclose(npy(out), _reduce(elementwise, reduction), rtol=1e-10,
                                   err_msg=repr(module))


def test_legacy_size_average_and_reduce_flags():
    with pytest.warns(UserWarning, match="size_average and reduce"):
        assert nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.L1Loss(reduce=False).reduction == "none"
    assert nn.MSELoss().reduction == "mean"
    assert repr(nn.MSELoss()) == "MSELoss()"


# --- classification losses ------------------------------------------------------------------
def np_cross_entropy(x, target, weight=None, ignore_index=-100, reduction="mean",
                     label_smoothing=0.0):
    """PyTorch's definition for class-index targets, over dim 1."""
    c = x.shape[1]
    logp = x - np.log(np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True)) - \
        x.max(1, keepdims=True)
    w = np.ones(c) if weight is None else weight
    keep = target != ignore_index
    safe = np.where(keep, target, 0)
    picked = np.take_along_axis(logp, np.expand_dims(safe, 1), 1).squeeze(1)
    nll = np.where(keep, -w[safe] * picked, 0.0)
    smooth = np.where(keep, -(logp * w.reshape((1, c) + (1,) * (x.ndim - 2))).sum(1), 0.0)
    if reduction == "mean":
        denom = w[safe][keep].sum()
        nll, smooth = nll.sum() / denom, smooth.sum() / (denom if weight is not None
                                                         else keep.sum())
    elif reduction == "sum":
        nll, smooth = nll.sum(), smooth.sum()
    return (1 - label_smoothing) * nll + label_smoothing / c * smooth


@pytest.mark.parametrize("kwargs", [
    dict(), dict(reduction="sum"), dict(reduction="none"),
    dict(weight=np.array([0.2, 1.0, 3.0, 0.5])),
    dict(ignore_index=2), dict(ignore_index=1, weight=np.array([1.0, 2.0, 0.5, 4.0])),
    dict(label_smoothing=0.2),
    dict(label_smoothing=0.1, weight=np.array([0.2, 1.0, 3.0, 0.5]), ignore_index=3),
    dict(label_smoothing=0.3, ignore_index=0, reduction="none"),
])
def test_cross_entropy_with_class_indices(kwargs):
    x = RNG.standard_normal((6, 4, 2)) * 2
    target = np.array([[0, 1], [2, 3], [1, 1], [3, 2], [0, 2], [2, 1]])
    weight = kwargs.get("weight")
    module = nn.CrossEntropyLoss(**{**kwargs, "weight": None if weight is None
                                    else fl.tensor(weight)})
    out = module(fl.tensor(x), fl.tensor(target))
    np.testing.assert_allclose(npy(out), np_cross_entropy(x, target, **kwargs), rtol=1e-10,
                               atol=1e-12)


def test_cross_entropy_with_probability_targets():
    x = RNG.standard_normal((5, 3))
    p = _softmax(RNG.standard_normal((5, 3)), 1)
    w = np.array([0.5, 1.0, 2.0])
    logp = np.log(_softmax(x, 1))
    smoothed = p * 0.9 + 0.1 / 3
    loss = nn.CrossEntropyLoss(weight=fl.tensor(w), label_smoothing=0.1)(fl.tensor(x),
                                                                         fl.tensor(p))
    # with probabilities, 'mean' divides by the batch size, not by the weights
    np.testing.assert_allclose(npy(loss), -(smoothed * logp * w).sum() / 5, rtol=1e-10)


def test_nll_loss():
    x = np.log(_softmax(RNG.standard_normal((5, 3)), 1))
    target = np.array([0, 2, 1, 2, 0])
    w = np.array([1.0, 0.5, 2.0])
    for kwargs in (dict(), dict(weight=w, ignore_index=0), dict(reduction="none")):
        module = nn.NLLLoss(**{**kwargs, "weight": fl.tensor(w) if "weight" in kwargs
                               else None})
        ww = kwargs.get("weight", np.ones(3))
        keep = target != kwargs.get("ignore_index", -100)
        per = np.where(keep, -ww[target] * x[np.arange(5), target], 0.0)
        ref = per if kwargs.get("reduction") == "none" else per.sum() / ww[target][keep].sum()
        np.testing.assert_allclose(npy(module(fl.tensor(x), fl.tensor(target))), ref,
                                   rtol=1e-10)


def test_class_weights_are_buffers():
    m = nn.CrossEntropyLoss(weight=fl.tensor([1.0, 2.0]))
    assert list(m.state_dict()) == ["weight"]
    m.double()
    assert m.weight.dtype is fl.float64
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert repr(m) == "CrossEntropyLoss()"


def test_binary_cross_entropy_losses():
    x = RNG.standard_normal((4, 3))
    y = RNG.integers(0, 2, (4, 3)).astype(float)
    w = RNG.random((4, 3))
    p = _sigmoid(x)
    bce = -w * (y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(npy(nn.BCELoss(weight=fl.tensor(w))(fl.tensor(p),
                                                                    fl.tensor(y))),
                               bce.mean(), rtol=1e-10)
    # log terms are clamped at -100, so exact 0/1 probabilities stay finite
    edge = nn.BCELoss(reduction="none")(fl.tensor([0.0, 1.0]), fl.tensor([1.0, 0.0]))
    np.testing.assert_allclose(npy(edge), [100.0, 100.0])
    pos = np.array([1.0, 3.0, 0.5])
    ref = -w * (pos * y * np.log(p) + (1 - y) * np.log(1 - p))
    out = nn.BCEWithLogitsLoss(weight=fl.tensor(w), pos_weight=fl.tensor(pos),
                               reduction="sum")(fl.tensor(x), fl.tensor(y))
    np.testing.assert_allclose(npy(out), ref.sum(), rtol=1e-10)
    big = nn.BCEWithLogitsLoss()(fl.tensor([100.0, -100.0]), fl.tensor([1.0, 0.0]))
    assert float(big) < 1e-30  # stable for large logits


def test_kl_div_loss():
    x = np.log(_softmax(RNG.standard_normal((4, 5)), 1))
    y = _softmax(RNG.standard_normal((4, 5)), 1)
    y[0, 0] = 0.0  # 0 * log 0 counts as 0
    kl = np.where(y > 0, y * (np.log(np.where(y > 0, y, 1)) - x), 0.0)
    with pytest.warns(UserWarning, match="batchmean"):  # PyTorch's advice on 'mean'
        out = nn.KLDivLoss()(fl.tensor(x), fl.tensor(y))
    np.testing.assert_allclose(npy(out), kl.mean(), rtol=1e-10)
    for reduction, ref in (("batchmean", kl.sum() / 4), ("sum", kl.sum()), ("none", kl)):
        out = nn.KLDivLoss(reduction=reduction)(fl.tensor(x), fl.tensor(y))
        np.testing.assert_allclose(npy(out), ref, rtol=1e-10, err_msg=reduction)
    logy = np.log(_softmax(RNG.standard_normal((4, 5)), 1))
    out = nn.KLDivLoss(reduction="batchmean", log_target=True)(fl.tensor(x), fl.tensor(logy))
    np.testing.assert_allclose(npy(out), (np.exp(logy) * (logy - x)).sum() / 4, rtol=1e-10)


def test_loss_gradients():
    target = fl.tensor([2, 0, 1])
    for module, make_target in (
            (nn.CrossEntropyLoss(label_smoothing=0.1), lambda: target),
            (nn.NLLLoss(weight=fl.tensor([1.0, 2.0, 0.5], dtype=fl.float64)), lambda: target),
            (nn.MSELoss(), lambda: t64((3, 3))),
            (nn.SmoothL1Loss(beta=0.5), lambda: t64((3, 3))),
            (nn.BCEWithLogitsLoss(pos_weight=fl.tensor([2.0, 1.0, 0.5], dtype=fl.float64)),
             lambda: fl.tensor(RNG.random((3, 3)))),
            (nn.KLDivLoss(reduction="batchmean"),
             lambda: fl.tensor(_softmax(RNG.standard_normal((3, 3)), 1)))):
        check_module_grads(module, t64((3, 3), True), make_target())
