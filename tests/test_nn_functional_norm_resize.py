"""``flambeau.nn.functional`` normalisation, padding, resizing and distances against
NumPy (``np.pad``, formulas written here, closed forms) and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fl
import flambeau.nn.functional as F
from flambeau.autograd import gradcheck

RNG = np.random.default_rng(99)


def _t(a, grad=False, dtype=fl.float64):
    return fl.tensor(np.asarray(a), dtype=dtype, requires_grad=grad)


def _np(t):
    return t.detach().numpy()


def _norm(x, axes, eps):
    m = x.mean(axes, keepdims=True)
    return (x - m) / np.sqrt(x.var(axes, keepdims=True) + eps)


# --- batch norm -------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 2)])
def test_batch_norm_training_output_and_running_stats(shape):
    x = RNG.standard_normal(shape) * 2 + 1
    w, b = RNG.standard_normal(3), RNG.standard_normal(3)
    rm0, rv0 = RNG.standard_normal(3), RNG.random(3) + 0.5
    rm, rv = _t(rm0), _t(rv0)
    out = F.batch_norm(_t(x), rm, rv, _t(w), _t(b), training=True, momentum=0.2, eps=1e-3)
    axes = (0,) + tuple(range(2, len(shape)))
    cs = (1, 3) + (1,) * (len(shape) - 2)
    want = _norm(x, axes, 1e-3) * w.reshape(cs) + b.reshape(cs)
    np.testing.assert_allclose(_np(out), want, rtol=1e-10, atol=1e-12)
    n = x.size // 3
    np.testing.assert_allclose(_np(rm), 0.8 * rm0 + 0.2 * x.mean(axes))
    np.testing.assert_allclose(_np(rv), 0.8 * rv0 + 0.2 * x.var(axes) * n / (n - 1))


def test_batch_norm_eval_uses_running_stats_and_gradcheck():
    x = RNG.standard_normal((4, 3, 2))
    rm, rv = RNG.standard_normal(3), RNG.random(3) + 0.5
    out = F.batch_norm(_t(x), _t(rm), _t(rv), None, None, training=False, eps=1e-5)
    want = (x - rm[:, None]) / np.sqrt(rv[:, None] + 1e-5)
    np.testing.assert_allclose(_np(out), want)
    w, b = RNG.standard_normal(3), RNG.standard_normal(3)
    assert gradcheck(lambda x_, w_, b_: F.batch_norm(x_, None, None, w_, b_, True),
                     (_t(x, True), _t(w, True), _t(b, True)))
    assert gradcheck(lambda x_: F.batch_norm(x_, _t(rm), _t(rv), None, None, False),
                     (_t(x, True),))


def test_batch_norm_errors():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(_t(np.ones((1, 3))), None, None, training=True)
    with pytest.raises(RuntimeError, match="evaluation mode"):
        F.batch_norm(_t(np.ones((2, 3))), None, None, training=False)


def test_instance_norm_and_running_stats():
    x = RNG.standard_normal((2, 3, 5))
    rm, rv = _t(np.zeros(3)), _t(np.ones(3))
    out = F.instance_norm(_t(x), rm, rv, momentum=0.5)
    np.testing.assert_allclose(_np(out), _norm(x, (2,), 1e-5), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_np(rm), 0.5 * x.mean(2).mean(0))
    np.testing.assert_allclose(_np(rv), 0.5 + 0.5 * (x.var(2) * 5 / 4).mean(0))
    w, b = RNG.standard_normal(3), RNG.standard_normal(3)
    assert gradcheck(lambda x_, w_, b_: F.instance_norm(x_, weight=w_, bias=b_),
                     (_t(x, True), _t(w, True), _t(b, True)))


def test_layer_group_rms_norm_and_normalize():
    x = RNG.standard_normal((2, 4, 3))
    w, b = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    np.testing.assert_allclose(_np(F.layer_norm(_t(x), (4, 3), _t(w), _t(b), 1e-4)),
                               _norm(x, (1, 2), 1e-4) * w + b, rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda x_, w_, b_: F.layer_norm(x_, (3,), w_, b_),
                     (_t(x, True), _t(w[0], True), _t(b[0], True)))

    g = RNG.standard_normal((2, 6, 2))
    gw, gb = RNG.standard_normal(6), RNG.standard_normal(6)
    want = _norm(g.reshape(2, 3, 4), (2,), 1e-5).reshape(2, 6, 2) * gw[:, None] + gb[:, None]
    np.testing.assert_allclose(_np(F.group_norm(_t(g), 3, _t(gw), _t(gb))), want,
                               rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda x_, w_: F.group_norm(x_, 2, w_), (_t(g, True), _t(gw, True)))

    rw = RNG.standard_normal(3)
    want = x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-6) * rw
    np.testing.assert_allclose(_np(F.rms_norm(_t(x), [3], _t(rw), 1e-6)), want)
    eps32 = np.finfo(np.float32).eps
    np.testing.assert_allclose(_np(F.rms_norm(_t(x, dtype=fl.float32), 3)),
                               x / np.sqrt((x * x).mean(-1, keepdims=True) + eps32), rtol=1e-5)
    assert gradcheck(lambda x_, w_: F.rms_norm(x_, (3,), w_), (_t(x, True), _t(rw, True)))

    for p in (1.0, 2.0, 3.0):
        want = x / np.maximum((np.abs(x) ** p).sum(1, keepdims=True) ** (1 / p), 1e-12)
        np.testing.assert_allclose(_np(F.normalize(_t(x), p=p, dim=1)), want)
    assert gradcheck(lambda x_: F.normalize(x_, dim=-1), (_t(x, True),))
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.layer_norm(_t(x), (4,))


def test_local_response_norm():
    x = RNG.standard_normal((2, 5, 3))
    size, alpha, beta, k = 3, 0.3, 0.75, 2.0
    sq = np.pad(x * x, ((0, 0), (size // 2, (size - 1) // 2), (0, 0)))
    win = sum(sq[:, i:i + 5] for i in range(size))
    want = x / (k + alpha / size * win) ** beta
    out = F.local_response_norm(_t(x), size, alpha, beta, k)
    np.testing.assert_allclose(_np(out), want)
    assert gradcheck(lambda x_: F.local_response_norm(x_, 2, 0.3), (_t(x, True),))


# --- pad ------------------------------------------------------------------------------
_NP_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
            "circular": "wrap"}


@pytest.mark.parametrize("mode", list(_NP_MODE))
@pytest.mark.parametrize("pad", [(1, 2), (2, 0, 1, 3), (1, 1, 0, 2, 2, 1)])
def test_pad_matches_numpy(mode, pad):
    ndim = len(pad) // 2 + 2
    x = RNG.standard_normal((2, 3, 4, 5, 4)[:ndim])
    widths = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        widths[ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    want = np.pad(x, widths, mode=_NP_MODE[mode])
    np.testing.assert_allclose(_np(F.pad(_t(x), pad, mode)), want)


def test_pad_constant_value_negative_crop_and_gradients():
    x = RNG.standard_normal((2, 3, 4))
    np.testing.assert_allclose(_np(F.pad(_t(x), (1, 1), value=7.0)),
                               np.pad(x, ((0, 0), (0, 0), (1, 1)), constant_values=7.0))
    np.testing.assert_allclose(_np(F.pad(_t(x), (-1, 2, 1, -2))),
                               np.pad(x[:, :1, 1:], ((0, 0), (1, 0), (0, 2))))
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert gradcheck(lambda x_, mode=mode: F.pad(x_, (2, 1, 1, 2), mode), (_t(x, True),))


def test_pad_errors():
    x = _t(np.ones((1, 2, 3)))
    with pytest.raises(RuntimeError, match="less than the corresponding"):
        F.pad(x, (3, 0), "reflect")
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.pad(x, (1, 2, 3))
    with pytest.raises(NotImplementedError):
        F.pad(x, (1, 1, 1, 1, 1, 1), "reflect")


# --- interpolate ---------------------------------------------------------------------------
def test_interpolate_nearest_closed_forms():
    x = RNG.standard_normal((2, 3, 3, 2))
    np.testing.assert_array_equal(_np(F.interpolate(_t(x), scale_factor=2)),
                                  x.repeat(2, 2).repeat(2, 3))
    # 2 -> 3 picks floor(i * 2 / 3) = 0, 0, 1; 2 -> 1 picks 0
    y = RNG.standard_normal((1, 1, 2))
    np.testing.assert_array_equal(_np(F.interpolate(_t(y), size=3)), y[..., [0, 0, 1]])
    np.testing.assert_array_equal(_np(F.interpolate(_t(y), size=1)), y[..., [0]])
    # nearest-exact: floor((i + 0.5) * 2 / 3) = 0, 1, 1
    np.testing.assert_array_equal(_np(F.interpolate(_t(y), size=3, mode="nearest-exact")),
                                  y[..., [0, 1, 1]])


def test_interpolate_bilinear_known_values():
    x = _t(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    want = [[1.0, 1.25, 1.75, 2.0], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5],
            [3.0, 3.25, 3.75, 4.0]]
    np.testing.assert_allclose(_np(F.interpolate(x, scale_factor=2, mode="bilinear"))[0, 0],
                               want)
    third = 1 / 3
    want = 1 + np.array([[0, 1, 2, 3]]) * third + np.array([[0], [1], [2], [3]]) * 2 * third
    np.testing.assert_allclose(
        _np(F.interpolate(x, size=(4, 4), mode="bilinear", align_corners=True))[0, 0], want)


@pytest.mark.parametrize("align", [False, True])
def test_linear_modes_reproduce_linear_functions(align):
    # linear interpolation of a linear ramp is the ramp at the source coordinate
    h, w, oh, ow = 4, 3, 7, 5
    i, j = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    x = (2.0 * i - 3.0 * j + 0.5)[None, None]

    def src(n, o):
        k = np.arange(o)
        if align:
            return k * (n - 1) / (o - 1)
        return np.clip((k + 0.5) * n / o - 0.5, 0, n - 1)

    want = 2.0 * src(h, oh)[:, None] - 3.0 * src(w, ow)[None, :] + 0.5
    out = F.interpolate(_t(x), size=(oh, ow), mode="bilinear", align_corners=align)
    np.testing.assert_allclose(_np(out)[0, 0], want, atol=1e-12)
    ramp = (0.5 * np.arange(5.0))[None, None]
    out = F.interpolate(_t(ramp), size=9, mode="linear", align_corners=align)
    np.testing.assert_allclose(_np(out)[0, 0], 0.5 * src(5, 9), atol=1e-12)


def test_interpolate_gradients_and_errors():
    x = RNG.standard_normal((1, 2, 3, 3))
    for kw in (dict(scale_factor=1.5, mode="bilinear"),
               dict(size=(2, 4), mode="bilinear", align_corners=True),
               dict(size=5, mode="nearest"), dict(size=2, mode="area")):
        assert gradcheck(lambda x_, kw=kw: F.interpolate(x_, **kw), (_t(x, True),))
    with pytest.raises(ValueError, match="exactly one of size or scale_factor"):
        F.interpolate(_t(x))
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(_t(x), size=4, align_corners=True)


def test_interpolate_area_is_block_mean():
    x = RNG.standard_normal((1, 2, 4, 6))
    out = F.interpolate(_t(x), size=(2, 3), mode="area")
    np.testing.assert_allclose(_np(out), x.reshape(1, 2, 2, 2, 3, 2).mean((3, 5)))


# --- distances --------------------------------------------------------------------------
def test_cosine_similarity_and_pairwise_distance():
    a, b = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    np.testing.assert_allclose(_np(F.cosine_similarity(_t(a), _t(b))), cos)
    np.testing.assert_allclose(_np(F.pairwise_distance(_t(a), _t(b), p=3.0)),
                               (np.abs(a - b + 1e-6) ** 3).sum(1) ** (1 / 3))
    assert gradcheck(F.cosine_similarity, (_t(a, True), _t(b, True)))
    assert gradcheck(F.pairwise_distance, (_t(a, True), _t(b, True)))
