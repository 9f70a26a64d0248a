"""``flambeau.nn.functional`` activations, linear maps, dropout, embeddings,
normalisation, padding and resizing against NumPy formulas written here, and their
gradients against central finite differences (``fl.autograd.gradcheck``, float64).

Losses are in ``test_nn_losses.py``; attention in ``test_nn_attention.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import flambeau as fl
import flambeau.nn.functional as F
from flambeau.autograd import gradcheck

RNG = np.random.default_rng(1234)
_erf = np.vectorize(math.erf)
# twelve values that keep clear of every kink below (0, +-3, 6, +-0.5, 1.5, 2.5, 5/2)
X = np.linspace(-4.1, 7.3, 12).reshape(3, 4)


def _t(a, grad=False, dtype=fl.float64):
    return fl.tensor(np.asarray(a), dtype=dtype, requires_grad=grad)


def _np(t):
    return t.detach().numpy()


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x, d):
    e = np.exp(x - x.max(d, keepdims=True))
    return e / e.sum(d, keepdims=True)


SELU_A, SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

# name -> (flambeau call, NumPy reference)
ACTIVATIONS = {
    "relu": (F.relu, lambda x: np.maximum(x, 0)),
    "relu6": (F.relu6, lambda x: np.clip(x, 0, 6)),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    "elu": (lambda x: F.elu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x))),
    "selu": (F.selu, lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x))),
    "celu": (lambda x: F.celu(x, 1.5),
             lambda x: np.maximum(x, 0) + np.minimum(0, 1.5 * np.expm1(x / 1.5))),
    "gelu": (F.gelu, lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2)))),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi)
                                                   * (x + 0.044715 * x ** 3)))),
    "silu": (F.silu, lambda x: x * _sigmoid(x)),
    "mish": (F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x)))),
    "softplus": (lambda x: F.softplus(x, beta=2.0, threshold=5.0),
                 lambda x: np.where(2 * x > 5, x, np.log1p(np.exp(2 * x)) / 2)),
    "tanh": (F.tanh, np.tanh),
    "sigmoid": (F.sigmoid, _sigmoid),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 1.5), lambda x: np.clip(x, -0.5, 1.5)),
    "hardsigmoid": (F.hardsigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    "hardswish": (F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    "logsigmoid": (F.logsigmoid, lambda x: -np.log1p(np.exp(-x))),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x))),
    "tanhshrink": (F.tanhshrink, lambda x: x - np.tanh(x)),
    "softshrink": (lambda x: F.softshrink(x, 0.5),
                   lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0))),
    "hardshrink": (lambda x: F.hardshrink(x, 0.5), lambda x: np.where(np.abs(x) > 0.5, x, 0)),
    "threshold": (lambda x: F.threshold(x, 1.5, -2.0), lambda x: np.where(x > 1.5, x, -2.0)),
    "softmax": (lambda x: F.softmax(x, dim=1), lambda x: _softmax(x, 1)),
    "log_softmax": (lambda x: F.log_softmax(x, dim=0), lambda x: np.log(_softmax(x, 0))),
    "softmin": (lambda x: F.softmin(x, dim=-1), lambda x: _softmax(-x, -1)),
    "glu": (lambda x: F.glu(x, -1), lambda x: x[:, :2] * _sigmoid(x[:, 2:])),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_numpy(name):
    fn, ref = ACTIVATIONS[name]
    np.testing.assert_allclose(_np(fn(_t(X))), ref(X), rtol=1e-10, atol=1e-12)
    out32 = fn(_t(X, dtype=fl.float32))
    assert out32.dtype == fl.float32
    np.testing.assert_allclose(_np(out32), ref(X), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradcheck(name):
    fn, _ = ACTIVATIONS[name]
    assert gradcheck(fn, (_t(X / 2 + 0.013, grad=True),))


@pytest.mark.parametrize("name", ["elu", "selu", "celu", "softplus", "mish", "logsigmoid",
                                  "silu", "gelu"])
def test_activation_is_finite_for_large_inputs(name):
    fn, ref = ACTIVATIONS[name]
    x = _t([[-800.0, -50.0, 50.0, 800.0]], grad=True)
    y = fn(x)
    y.sum().backward()
    assert np.isfinite(_np(y)).all() and np.isfinite(_np(x.grad)).all()


@pytest.mark.parametrize("name,points,slope", [("relu6", [0.0, 6.0], 0.0),
                                               ("hardtanh", [-0.5, 1.5], 0.0),
                                               ("leaky_relu", [0.0], 0.2)])
def test_activation_gradient_at_kinks_follows_pytorch(name, points, slope):
    # relu6/hardtanh: 0 at both ends of the interval; leaky_relu: the slope at 0
    fn, _ = ACTIVATIONS[name]
    x = _t(points, grad=True)
    fn(x).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), np.full(x.shape, slope))


def test_prelu_per_channel_and_shared():
    x = RNG.standard_normal((2, 3, 4))
    w = np.array([0.1, 0.2, 0.3])
    want = np.where(x > 0, x, x * w[None, :, None])
    np.testing.assert_allclose(_np(F.prelu(_t(x), _t(w))), want)
    np.testing.assert_allclose(_np(F.prelu(_t(x), _t([0.25]))), np.where(x > 0, x, x / 4))
    assert gradcheck(F.prelu, (_t(x, True), _t(w, True)))


@pytest.mark.parametrize("fn,name", [(F.relu, "relu"), (F.elu, "elu"), (F.silu, "silu"),
                                     (F.leaky_relu, "leaky_relu"), (F.hardtanh, "hardtanh")])
def test_inplace_variants_write_input_and_keep_gradients(fn, name):
    base = _t(X / 3, grad=True)
    y = base * 1.0                                   # a non-leaf may be written in place
    out = fn(y, inplace=True)
    assert out is y
    want = fn(_t(X / 3))
    np.testing.assert_allclose(_np(y), _np(want))
    out.sum().backward()
    x2 = _t(X / 3, grad=True)
    fn(x2).sum().backward()
    np.testing.assert_allclose(_np(base.grad), _np(x2.grad))


def test_relu_underscore_and_inplace_on_leaf_error():
    x = _t([-1.0, 2.0])
    assert F.relu_(x) is x
    np.testing.assert_array_equal(_np(x), [0.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf"):
        F.relu(_t([1.0], grad=True), inplace=True)


def test_softmax_implicit_dim_warns_like_pytorch():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(_t(X))          # 2-D: dim 1
    np.testing.assert_allclose(_np(out), _softmax(X, 1))


def test_glu_rejects_odd_size():
    with pytest.raises(RuntimeError, match="even"):
        F.glu(_t(np.ones((2, 3))))


# --- linear ---------------------------------------------------------------------------------
def test_linear_and_bilinear_match_numpy_and_gradcheck():
    x, w, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((5, 4)), RNG.standard_normal(5)
    np.testing.assert_allclose(_np(F.linear(_t(x), _t(w), _t(b))), x @ w.T + b)
    np.testing.assert_allclose(_np(F.linear(_t(x[0, 0]), _t(w))), x[0, 0] @ w.T)
    assert gradcheck(F.linear, (_t(x, True), _t(w, True), _t(b, True)))
    x1, x2 = RNG.standard_normal((3, 2)), RNG.standard_normal((3, 4))
    wb, bb = RNG.standard_normal((5, 2, 4)), RNG.standard_normal(5)
    want = np.einsum("ni,oij,nj->no", x1, wb, x2) + bb
    np.testing.assert_allclose(_np(F.bilinear(_t(x1), _t(x2), _t(wb), _t(bb))), want)
    assert gradcheck(F.bilinear, (_t(x1, True), _t(x2, True), _t(wb, True), _t(bb, True)))


# --- dropout --------------------------------------------------------------------------------
def test_dropout_statistics_scaling_and_gradient():
    fl.manual_seed(0)
    x = fl.ones(20000, dtype=fl.float64, requires_grad=True)
    y = F.dropout(x, p=0.3)
    vals = _np(y)
    assert abs((vals == 0).mean() - 0.3) < 0.02
    np.testing.assert_allclose(vals[vals != 0], 1 / 0.7)
    y.sum().backward()
    np.testing.assert_allclose(_np(x.grad), vals)          # d(x * mask)/dx = mask


def test_dropout_identity_cases_and_seeding():
    x = _t(X)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(_np(F.dropout(x, 1.0)), np.zeros_like(X))
    fl.manual_seed(7)
    a = _np(F.dropout(x, 0.5))
    fl.manual_seed(7)
    np.testing.assert_array_equal(a, _np(F.dropout(x, 0.5)))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 1.5)


def test_dropout_inplace_writes_input():
    x = fl.ones(100, dtype=fl.float64)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x and set(np.unique(_np(x))) <= {0.0, 2.0}


@pytest.mark.parametrize("fn,shape,lead", [
    (F.dropout1d, (8, 16, 5), 2), (F.dropout1d, (16, 5), 1),
    (F.dropout2d, (8, 16, 3, 3), 2), (F.dropout3d, (4, 16, 2, 2, 2), 2),
    (F.dropout3d, (16, 2, 2, 2), 1)])
def test_channel_dropout_zeroes_whole_channels(fn, shape, lead):
    fl.manual_seed(3)
    y = _np(fn(fl.ones(*shape, dtype=fl.float64), p=0.5))
    planes = y.reshape(int(np.prod(shape[:lead])), -1)
    for row in planes:
        assert (row == 0).all() or np.allclose(row, 2.0)
    assert 0 < (planes[:, 0] == 0).sum() < len(planes)


def test_dropout2d_on_3d_input_is_channel_dropout_over_dim_1_with_warning():
    fl.manual_seed(5)
    with pytest.warns(UserWarning, match="dropout1d"):
        y = _np(F.dropout2d(fl.ones(16, 8, 3, dtype=fl.float64)))
    assert all((row == 0).all() or np.allclose(row, 2.0) for row in y.reshape(128, 3))


def test_alpha_dropout_keeps_mean_and_variance():
    fl.manual_seed(11)
    x = fl.randn(40000, dtype=fl.float64)
    y = _np(F.alpha_dropout(x, 0.2, training=True))
    assert abs(y.mean()) < 0.03 and abs(y.var() - 1) < 0.05
    assert F.alpha_dropout(x, 0.2) is x          # training defaults to False


# --- embedding, one_hot ---------------------------------------------------------------------
def test_embedding_rows_and_gradient_with_padding_idx():
    w = RNG.standard_normal((6, 3))
    idx = np.array([[1, 2, 2], [0, 5, 1]])
    wt = _t(w, True)
    out = F.embedding(fl.tensor(idx), wt, padding_idx=2)
    np.testing.assert_allclose(_np(out), w[idx])
    g = RNG.standard_normal(out.shape)
    out.backward(_t(g))
    want = np.zeros_like(w)
    np.add.at(want, idx.reshape(-1), g.reshape(-1, 3))
    want[2] = 0                                       # padding row: no gradient
    np.testing.assert_allclose(_np(wt.grad), want)
    # (the padding row's gradient is zero by design, so it is not finite-difference checked)
    assert gradcheck(lambda w_: F.embedding(fl.tensor(idx), w_), (_t(w, True),))


def test_embedding_scale_grad_by_freq_and_max_norm():
    w = RNG.standard_normal((5, 2)) * 3
    idx = np.array([1, 1, 1, 3])
    wt = _t(w, True)
    F.embedding(fl.tensor(idx), wt, scale_grad_by_freq=True).sum().backward()
    want = np.zeros_like(w)
    want[1], want[3] = 1.0, 1.0                       # 3 uses / count 3, 1 use / count 1
    np.testing.assert_allclose(_np(wt.grad), want)
    w2 = _t(w)
    out = F.embedding(fl.tensor(idx), w2, max_norm=1.0)
    norms = np.linalg.norm(w, axis=1, keepdims=True)
    renormed = np.where(norms > 1.0, w / (norms + 1e-7), w)
    expect_w = w.copy()
    expect_w[[1, 3]] = renormed[[1, 3]]              # only rows that were looked up
    np.testing.assert_allclose(_np(w2), expect_w)
    np.testing.assert_allclose(_np(out), expect_w[idx])


def test_one_hot():
    idx = np.array([[0, 3], [2, 1]])
    out = F.one_hot(fl.tensor(idx), 5)
    assert out.dtype == fl.int64
    np.testing.assert_array_equal(_np(out), np.eye(5, dtype=np.int64)[idx])
    assert F.one_hot(fl.tensor(idx)).shape == (2, 2, 4)
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(fl.tensor(idx), 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(fl.tensor([-1]))


# --- second derivatives ---------------------------------------------------------------------
_TARGET = np.array([0, 2, 1])
SECOND_ORDER = {
    "gelu": F.gelu, "softplus": F.softplus, "elu": F.elu, "mish": F.mish,
    "hardswish": F.hardswish, "logsigmoid": F.logsigmoid,
    "layer_norm": lambda a: F.layer_norm(a, (4,)),
    "batch_norm": lambda a: F.batch_norm(a, None, None, training=True),
    "cross_entropy": lambda a: F.cross_entropy(a, fl.tensor(_TARGET), label_smoothing=0.1),
    "sdpa_causal": lambda a: F.scaled_dot_product_attention(a, a, a, is_causal=True),
    "pad_reflect": lambda a: F.pad(a, (1, 2), "reflect"),
}


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_gradgradcheck(name):
    from flambeau.autograd import gradgradcheck
    assert gradgradcheck(SECOND_ORDER[name], (_t(X / 3 + 0.01, grad=True),))
