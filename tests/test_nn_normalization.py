"""Normalisation, dropout and embedding layers of ``flambeau.nn``: outputs and running
statistics against NumPy formulas, gradients against finite differences, default
initialisations and ``repr`` strings as PyTorch prints them."""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fl
import flambeau.nn as nn
from test_nn_layers import check_module_grads, npy, t64

RNG = np.random.default_rng(1)


def np_normalize(x, axes, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)  # biased, as in the forward pass
    return (x - mean) / np.sqrt(var + eps)


# --- BatchNorm ---------------------------------------------------------------------------
def test_batchnorm1d_training_output_and_running_stats():
    m = nn.BatchNorm1d(3)
    with fl.no_grad():
        m.weight.copy_(fl.tensor([1.0, 2.0, 0.5]))
        m.bias.copy_(fl.tensor([0.0, -1.0, 3.0]))
    batches = [RNG.standard_normal((8, 3)) * 2 + 1, RNG.standard_normal((8, 3)) - 3]
    rm, rv = np.zeros(3), np.ones(3)
    for b in batches:
        y = m(fl.tensor(b, dtype=fl.float32))
        ref = np_normalize(b, 0, 1e-5) * [1.0, 2.0, 0.5] + [0.0, -1.0, 3.0]
        np.testing.assert_allclose(npy(y), ref, rtol=1e-4, atol=1e-5)
        # running variance uses the unbiased estimate
        rm = 0.9 * rm + 0.1 * b.mean(0)
        rv = 0.9 * rv + 0.1 * b.var(0, ddof=1)
    np.testing.assert_allclose(npy(m.running_mean), rm, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(npy(m.running_var), rv, rtol=1e-5)
    assert m.num_batches_tracked.item() == 2 and m.num_batches_tracked.dtype is fl.int64


def test_batchnorm_eval_uses_running_stats_and_leaves_them_alone():
    m = nn.BatchNorm2d(2, eps=1e-3)
    with fl.no_grad():
        m.running_mean.copy_(fl.tensor([0.5, -1.0]))
        m.running_var.copy_(fl.tensor([4.0, 0.25]))
        m.weight.fill_(3.0)
    m.eval()
    x = RNG.standard_normal((2, 2, 3, 3))
    y = m(fl.tensor(x, dtype=fl.float32))
    ref = (x - np.array([0.5, -1.0]).reshape(1, 2, 1, 1)) / \
        np.sqrt(np.array([4.0, 0.25]).reshape(1, 2, 1, 1) + 1e-3) * 3.0
    np.testing.assert_allclose(npy(y), ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(npy(m.running_mean), [0.5, -1.0])
    assert m.num_batches_tracked.item() == 0


def test_batchnorm2d_statistics_over_batch_and_space():
    m = nn.BatchNorm2d(3, momentum=0.3, affine=False)
    assert list(m.parameters()) == []
    x = RNG.standard_normal((4, 3, 2, 5))
    y = m(fl.tensor(x))
    np.testing.assert_allclose(npy(y), np_normalize(x, (0, 2, 3), 1e-5), rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(npy(m.running_var),
                               0.7 + 0.3 * x.transpose(1, 0, 2, 3).reshape(3, -1).var(1, ddof=1),
                               rtol=1e-5)
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        m(fl.zeros(2, 3, 4))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(fl.zeros(2, 3, 4, 5))


def test_batchnorm_momentum_none_is_a_cumulative_average():
    m = nn.BatchNorm1d(2, momentum=None)
    batches = [RNG.standard_normal((5, 2, 3)) + k for k in range(3)]
    for b in batches:
        m(fl.tensor(b))
    means = [b.transpose(1, 0, 2).reshape(2, -1).mean(1) for b in batches]
    variances = [b.transpose(1, 0, 2).reshape(2, -1).var(1, ddof=1) for b in batches]
    np.testing.assert_allclose(npy(m.running_mean), np.mean(means, 0), rtol=1e-5)
    np.testing.assert_allclose(npy(m.running_var), np.mean(variances, 0), rtol=1e-5)


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval():
    m = nn.BatchNorm1d(3, track_running_stats=False).eval()
    assert m.running_mean is None and m.num_batches_tracked is None
    assert list(m.state_dict()) == ["weight", "bias"]
    x = RNG.standard_normal((6, 3))
    np.testing.assert_allclose(npy(m(fl.tensor(x))), np_normalize(x, 0, 1e-5), rtol=1e-5,
                               atol=1e-6)


def test_batchnorm_state_dict_init_repr_and_gradients():
    m = nn.BatchNorm1d(4)
    assert list(m.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                    "num_batches_tracked"]
    np.testing.assert_array_equal(npy(m.weight), np.ones(4))
    np.testing.assert_array_equal(npy(m.bias), np.zeros(4))
    m(fl.randn(3, 4))
    m.reset_running_stats()
    np.testing.assert_array_equal(npy(m.running_var), np.ones(4))
    assert m.num_batches_tracked.item() == 0
    assert repr(nn.BatchNorm2d(100)) == \
        "BatchNorm2d(100, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    assert repr(nn.BatchNorm1d(10, momentum=None, affine=False)) == \
        "BatchNorm1d(10, eps=1e-05, momentum=None, affine=False, track_running_stats=True)"
    check_module_grads(nn.BatchNorm1d(2), t64((4, 2), True))
    check_module_grads(nn.BatchNorm2d(2), t64((2, 2, 2, 1), True))


# --- LayerNorm, GroupNorm, RMSNorm --------------------------------------------------------
def test_layer_norm():
    m = nn.LayerNorm((2, 3))
    with fl.no_grad():
        m.weight.copy_(fl.tensor(RNG.standard_normal((2, 3)), dtype=fl.float32))
        m.bias.copy_(fl.tensor(RNG.standard_normal((2, 3)), dtype=fl.float32))
    x = RNG.standard_normal((4, 2, 3))
    ref = np_normalize(x, (1, 2), 1e-5) * npy(m.weight) + npy(m.bias)
    np.testing.assert_allclose(npy(m(fl.tensor(x, dtype=fl.float32))), ref, rtol=1e-4,
                               atol=1e-5)
    plain = nn.LayerNorm(3, eps=1e-2, elementwise_affine=False)
    assert plain.weight is None and list(plain.parameters()) == []
    np.testing.assert_allclose(npy(plain(fl.tensor(x))), np_normalize(x, 2, 1e-2),
                               rtol=1e-6)
    assert nn.LayerNorm(3, bias=False).bias is None
    assert repr(nn.LayerNorm(10)) == "LayerNorm((10,), eps=1e-05, elementwise_affine=True)"
    assert repr(nn.LayerNorm([5, 10, 10], elementwise_affine=False)) == \
        "LayerNorm((5, 10, 10), eps=1e-05, elementwise_affine=False)"
    check_module_grads(nn.LayerNorm(3), t64((2, 3), True))


def test_group_norm():
    m = nn.GroupNorm(2, 4)
    with fl.no_grad():
        m.weight.copy_(fl.tensor([1.0, 2.0, 3.0, 4.0]))
        m.bias.copy_(fl.tensor([0.5, 0.0, -0.5, 1.0]))
    x = RNG.standard_normal((3, 4, 5))
    ref = np_normalize(x.reshape(3, 2, 10), 2, 1e-5).reshape(3, 4, 5)
    ref = ref * np.array([1, 2, 3, 4]).reshape(1, 4, 1) + \
        np.array([0.5, 0, -0.5, 1]).reshape(1, 4, 1)
    np.testing.assert_allclose(npy(m(fl.tensor(x, dtype=fl.float32))), ref, rtol=1e-4,
                               atol=1e-5)
    with pytest.raises(ValueError, match="divisible by num_groups"):
        nn.GroupNorm(3, 4)
    assert repr(nn.GroupNorm(3, 6)) == "GroupNorm(3, 6, eps=1e-05, affine=True)"
    check_module_grads(nn.GroupNorm(2, 4), t64((1, 4, 2), True))


def test_rms_norm():
    m = nn.RMSNorm(3, eps=1e-6)
    with fl.no_grad():
        m.weight.copy_(fl.tensor([1.0, 0.5, 2.0]))
    x = RNG.standard_normal((2, 4, 3))
    ref = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-6) * [1.0, 0.5, 2.0]
    np.testing.assert_allclose(npy(m(fl.tensor(x))), ref, rtol=1e-6)
    # eps=None means the dtype's machine epsilon
    x32 = fl.tensor(x, dtype=fl.float32)
    ref32 = x / np.sqrt((x ** 2).mean((1, 2), keepdims=True) + np.finfo(np.float32).eps)
    np.testing.assert_allclose(npy(nn.RMSNorm([4, 3])(x32)), ref32, rtol=1e-5)
    assert repr(nn.RMSNorm([2, 3])) == "RMSNorm((2, 3), eps=None, elementwise_affine=True)"
    check_module_grads(nn.RMSNorm(3), t64((2, 3), True))


# --- Dropout ------------------------------------------------------------------------------
def test_dropout_zeroes_and_rescales_in_training_only():
    fl.manual_seed(0)
    m = nn.Dropout(0.3)
    x = fl.ones(20000)
    y = npy(m(x))
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7], rtol=1e-6)
    assert abs((y == 0).mean() - 0.3) < 0.02
    assert m.eval()(x) is x
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"


def test_dropout2d_drops_whole_channels():
    fl.manual_seed(1)
    m = nn.Dropout2d(0.5)
    y = npy(m(fl.ones(8, 50, 3, 3))).reshape(8, 50, 9)
    per_channel = y.min(2) == y.max(2)  # each channel all-zero or all-scaled
    assert per_channel.all()
    assert 0.35 < (y[:, :, 0] == 0).mean() < 0.65
    np.testing.assert_allclose(np.unique(y), [0.0, 2.0])
    assert repr(nn.Dropout2d(p=0.2)) == "Dropout2d(p=0.2, inplace=False)"


# --- Embedding ----------------------------------------------------------------------------
def test_embedding_lookup_padding_and_gradients():
    fl.manual_seed(2)
    emb = nn.Embedding(10, 3, padding_idx=-1)
    assert emb.padding_idx == 9
    np.testing.assert_array_equal(npy(emb.weight)[9], np.zeros(3))
    idx = fl.tensor([[1, 9, 4], [4, 0, 9]])
    out = emb(idx)
    np.testing.assert_array_equal(npy(out), npy(emb.weight)[npy(idx)])
    out.sum().backward()
    counts = np.bincount(npy(idx).ravel(), minlength=10).astype(float)
    counts[9] = 0.0  # the padding row gets no gradient
    np.testing.assert_array_equal(npy(emb.weight.grad), np.repeat(counts[:, None], 3, 1))
    assert repr(emb) == "Embedding(10, 3, padding_idx=9)"
    assert repr(nn.Embedding(5, 2, max_norm=1.0)) == "Embedding(5, 2, max_norm=1.0)"
    with pytest.raises(AssertionError, match="Padding_idx"):
        nn.Embedding(3, 2, padding_idx=3)


def test_embedding_default_init_is_standard_normal():
    fl.manual_seed(3)
    w = npy(nn.Embedding(1000, 50).weight)
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1.0) < 0.01


def test_embedding_from_pretrained():
    table = fl.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad and emb.num_embeddings == 2
    np.testing.assert_allclose(npy(emb(fl.tensor([1]))), [[4.0, 5.1, 6.3]], rtol=1e-6)
    trainable = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=0)
    assert trainable.weight.requires_grad
    np.testing.assert_allclose(npy(trainable.weight)[0], [1.0, 2.3, 3.0], rtol=1e-6)
    with pytest.raises(AssertionError, match="2-dimensional"):
        nn.Embedding.from_pretrained(fl.zeros(3))
