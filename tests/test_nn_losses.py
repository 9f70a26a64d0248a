"""``flambeau.nn.functional`` losses against NumPy implementations of PyTorch's
documented formulas (written here), and their gradients against finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

import flambeau as fl
import flambeau.nn.functional as F
from flambeau.autograd import gradcheck

RNG = np.random.default_rng(7)
REDUCTIONS = ["mean", "sum", "none"]


def _t(a, grad=False, dtype=fl.float64):
    return fl.tensor(np.asarray(a), dtype=dtype, requires_grad=grad)


def _np(t):
    return t.detach().numpy()


def _reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](loss)


def _log_softmax(x, axis):
    m = x.max(axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis, keepdims=True))


def ref_cross_entropy(x, t, w=None, ignore_index=-100, reduction="mean", ls=0.0):
    """PyTorch's cross entropy: class dim 1 (0 for 1-D input)."""
    cd = 0 if x.ndim == 1 else 1
    c = x.shape[cd]
    lp = np.moveaxis(_log_softmax(x, cd), cd, -1)            # (N, *, C)
    wv = np.ones(c) if w is None else w
    if np.issubdtype(t.dtype, np.floating):
        tt = np.moveaxis(t, cd, -1) * (1 - ls) + ls / c
        per = -(lp * tt * wv).sum(-1)
        return per.sum() / (x.size / c) if reduction == "mean" else _reduce(per, reduction)
    valid = t != ignore_index
    ts = np.where(valid, t, 0)
    wt = wv[ts] * valid
    nll = -np.take_along_axis(lp, ts[..., None], -1)[..., 0] * wt
    smooth = -(lp * wv).sum(-1) * valid
    if reduction == "mean":
        nll, smooth = nll.sum() / wt.sum(), smooth.sum() / wt.sum()
    else:
        nll, smooth = _reduce(nll, reduction), _reduce(smooth, reduction)
    return (1 - ls) * nll + ls / c * smooth


CE_CASES = {
    "plain": dict(shape=(5, 4)),
    "weight": dict(shape=(5, 4), weight=True),
    "ignore_default": dict(shape=(5, 4), ignore=[1]),
    "ignore_in_range": dict(shape=(6, 4), ignore_index=2, weight=True),
    "nd": dict(shape=(2, 4, 3, 2), ignore=[0], weight=True),
    "unbatched": dict(shape=(4,)),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ls", [0.0, 0.3])
@pytest.mark.parametrize("case", list(CE_CASES))
def test_cross_entropy_class_indices(case, ls, reduction):
    cfg = CE_CASES[case]
    shape = cfg["shape"]
    x = RNG.standard_normal(shape) * 2
    c = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    t = RNG.integers(0, c, tshape)
    ignore_index = cfg.get("ignore_index", -100)
    for pos in cfg.get("ignore", []):
        t.reshape(-1)[pos] = -100
    w = RNG.random(c) + 0.5 if cfg.get("weight") else None
    kw = dict(weight=None if w is None else _t(w), ignore_index=ignore_index,
              reduction=reduction, label_smoothing=ls)
    out = F.cross_entropy(_t(x), fl.tensor(t), **kw)
    want = ref_cross_entropy(x, t, w, ignore_index, reduction, ls)
    np.testing.assert_allclose(_np(out), want, rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda x_: F.cross_entropy(x_, fl.tensor(t), **kw), (_t(x, True),))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets(reduction):
    x = RNG.standard_normal((3, 4, 2))
    p = RNG.random((3, 4, 2))
    p /= p.sum(1, keepdims=True)
    w = RNG.random(4) + 0.5
    for ls, weight in ((0.0, None), (0.2, w)):
        out = F.cross_entropy(_t(x), _t(p), None if weight is None else _t(weight),
                              reduction=reduction, label_smoothing=ls)
        np.testing.assert_allclose(_np(out), ref_cross_entropy(x, p, weight, reduction=reduction,
                                                               ls=ls))
    assert gradcheck(lambda a, b: F.cross_entropy(a, b, reduction=reduction),
                     (_t(x, True), _t(p, True)))


def test_cross_entropy_float32_fast_path_and_large_logits():
    x = RNG.standard_normal((64, 10)).astype(np.float32) * 50
    t = RNG.integers(0, 10, 64)
    xt = fl.tensor(x, requires_grad=True)
    loss = F.cross_entropy(xt, fl.tensor(t))
    assert loss.dtype == fl.float32
    np.testing.assert_allclose(float(loss), ref_cross_entropy(x.astype(np.float64), t),
                               rtol=1e-5)
    loss.backward()
    sm = np.exp(_log_softmax(x.astype(np.float64), 1))
    sm[np.arange(64), t] -= 1
    np.testing.assert_allclose(_np(xt.grad), sm / 64, rtol=1e-4, atol=1e-6)


def test_cross_entropy_and_nll_errors():
    x = _t(np.zeros((3, 4)))
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(x, fl.tensor([0, 4, 1]))
    with pytest.raises(IndexError, match="out of bounds"):
        F.nll_loss(x, fl.tensor([0, -1, 1]))
    with pytest.raises(ValueError, match="batch_size"):
        F.cross_entropy(x, fl.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="Long"):
        F.cross_entropy(x, fl.tensor([0, 1, 2], dtype=fl.int32))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, fl.tensor([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.cross_entropy(x, fl.tensor([0, 1, 2]), reduction="avg")
    # every target ignored: 0 / 0, as in PyTorch
    with np.errstate(invalid="ignore"):
        assert math.isnan(float(F.cross_entropy(x, fl.tensor([-100, -100, -100]))))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction):
    lp = _log_softmax(RNG.standard_normal((5, 3)), 1)
    t = np.array([0, 2, -100, 1, 2])
    w = np.array([0.5, 1.0, 2.0])
    valid = t != -100
    per = -lp[np.arange(5), np.where(valid, t, 0)] * w[np.where(valid, t, 0)] * valid
    want = per.sum() / (w[np.where(valid, t, 0)] * valid).sum() if reduction == "mean" \
        else _reduce(per, reduction)
    out = F.nll_loss(_t(lp), fl.tensor(t), _t(w), reduction=reduction)
    np.testing.assert_allclose(_np(out), want)
    assert gradcheck(lambda a: F.nll_loss(a, fl.tensor(t), _t(w), reduction=reduction),
                     (_t(lp, True),))


def test_legacy_size_average_and_reduce():
    x, y = RNG.standard_normal(4), RNG.standard_normal(4)
    with pytest.warns(UserWarning, match="size_average and reduce"):
        out = F.mse_loss(_t(x), _t(y), size_average=False)
    np.testing.assert_allclose(_np(out), ((x - y) ** 2).sum())
    with pytest.warns(UserWarning):
        out = F.l1_loss(_t(x), _t(y), reduce=False)
    np.testing.assert_allclose(_np(out), np.abs(x - y))


# --- regression --------------------------------------------------------------------------
def _smooth(d, beta):
    a = np.abs(d)
    return np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)


REGRESSION = {
    "mse": (lambda a, b, r: F.mse_loss(a, b, reduction=r), lambda d: d * d),
    "l1": (lambda a, b, r: F.l1_loss(a, b, reduction=r), np.abs),
    "smooth_l1": (lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.6),
                  lambda d: _smooth(d, 0.6)),
    "smooth_l1_beta0": (lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.0), np.abs),
    "huber": (lambda a, b, r: F.huber_loss(a, b, reduction=r, delta=0.6),
              lambda d: 0.6 * _smooth(d, 0.6)),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(REGRESSION))
def test_regression_losses(name, reduction):
    fn, ref = REGRESSION[name]
    x, y = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    np.testing.assert_allclose(_np(fn(_t(x), _t(y), reduction)), _reduce(ref(x - y), reduction))
    assert gradcheck(lambda a, b: fn(a, b, reduction), (_t(x, True), _t(y, True)))


def test_weighted_regression_losses():
    x, y, w = RNG.standard_normal(5), RNG.standard_normal(5), RNG.random(5)
    np.testing.assert_allclose(_np(F.mse_loss(_t(x), _t(y), weight=_t(w))),
                               (w * (x - y) ** 2).sum() / w.sum())
    np.testing.assert_allclose(_np(F.l1_loss(_t(x), _t(y), weight=_t(w))),
                               (w * np.abs(x - y)).sum() / w.sum())
    np.testing.assert_allclose(_np(F.huber_loss(_t(x), _t(y), delta=0.5, weight=_t(w))),
                               (w * 0.5 * _smooth(x - y, 0.5)).mean())
    with pytest.warns(UserWarning, match="target size"):
        F.mse_loss(_t(x), _t(y[:1]))


# --- binary cross entropy ------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    p = RNG.uniform(0.05, 0.95, (3, 4))
    t, w = RNG.random((3, 4)), RNG.random((3, 4))
    want = -w * (t * np.log(p) + (1 - t) * np.log(1 - p))
    out = F.binary_cross_entropy(_t(p), _t(t), _t(w), reduction=reduction)
    np.testing.assert_allclose(_np(out), _reduce(want, reduction))
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction),
                     (_t(p, True), _t(t, True)))


def test_binary_cross_entropy_clamps_log_at_minus_100():
    p = _t([0.0, 1.0, 0.0, 1.0], grad=True)
    t = _t([1.0, 0.0, 0.0, 1.0])
    out = F.binary_cross_entropy(p, t, reduction="none")
    np.testing.assert_allclose(_np(out), [100.0, 100.0, 0.0, 0.0])
    out.sum().backward()
    assert np.isfinite(_np(p.grad)).all()
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(_t([1.5]), _t([1.0]))
    with pytest.raises(ValueError, match="same size"):
        F.binary_cross_entropy(_t([0.5, 0.5]), _t([1.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction):
    x = RNG.standard_normal((3, 4)) * 3
    t, w, pw = RNG.random((3, 4)), RNG.random((3, 4)), RNG.random(4) * 3
    softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)     # -log(sigmoid(x))
    want = w * ((1 - t) * x + (1 + (pw - 1) * t) * softplus_neg)
    out = F.binary_cross_entropy_with_logits(_t(x), _t(t), _t(w), reduction=reduction,
                                             pos_weight=_t(pw))
    np.testing.assert_allclose(_np(out), _reduce(want, reduction))
    assert gradcheck(lambda a, b, c: F.binary_cross_entropy_with_logits(
        a, b, pos_weight=c, reduction=reduction), (_t(x, True), _t(t, True), _t(pw, True)))


def test_binary_cross_entropy_with_logits_is_stable():
    x = _t([-1000.0, 1000.0, 50.0], grad=True)
    out = F.binary_cross_entropy_with_logits(x, _t([1.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(_np(out), [1000.0, 1000.0, np.log1p(np.exp(-50.0))])
    out.sum().backward()
    np.testing.assert_allclose(_np(x.grad), [-1.0, 1.0, -1 / (1 + np.exp(50.0))])


# --- divergences and likelihoods --------------------------------------------------------
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    lp = _log_softmax(RNG.standard_normal((3, 4)), 1)
    q = RNG.random((3, 4))
    q[0, 1] = 0.0                                     # 0 * log 0 = 0
    t = np.log(q + 1e-3) if log_target else q
    per = np.exp(t) * (t - lp) if log_target else \
        np.where(q > 0, q * np.log(np.where(q > 0, q, 1)), 0) - q * lp
    want = per.sum() / 3 if reduction == "batchmean" else _reduce(per, reduction)
    out = F.kl_div(_t(lp), _t(t), reduction=reduction, log_target=log_target)
    np.testing.assert_allclose(_np(out), want)
    assert gradcheck(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
                     (_t(lp, True), _t(t + 0.1 if not log_target else t, True)))


def test_kl_div_mean_warns_like_pytorch():
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(_t([[-1.0]]), _t([[0.5]]))


def test_poisson_and_gaussian_nll():
    x, t = RNG.standard_normal((3, 4)), RNG.integers(0, 5, (3, 4)).astype(float)
    stirling = np.where(t > 1, t * np.log(np.maximum(t, 1)) - t
                        + 0.5 * np.log(2 * np.pi * np.maximum(t, 1)), 0)
    np.testing.assert_allclose(_np(F.poisson_nll_loss(_t(x), _t(t), full=True)),
                               (np.exp(x) - t * x + stirling).mean())
    rate = np.exp(x)
    np.testing.assert_allclose(_np(F.poisson_nll_loss(_t(rate), _t(t), log_input=False,
                                                      reduction="sum")),
                               (rate - t * np.log(rate + 1e-8)).sum())
    assert gradcheck(lambda a: F.poisson_nll_loss(a, _t(t), full=True), (_t(x, True),))
    var = RNG.random((3, 1)) + 0.1
    want = 0.5 * (np.log(var) + (x - t) ** 2 / var) + 0.5 * np.log(2 * np.pi)
    np.testing.assert_allclose(_np(F.gaussian_nll_loss(_t(x), _t(t), _t(var), full=True)),
                               want.mean())
    np.testing.assert_allclose(_np(F.gaussian_nll_loss(_t(x), _t(t), _t(var[:, 0]),
                                                       reduction="none")),
                               0.5 * (np.log(var) + (x - t) ** 2 / var))
    assert gradcheck(F.gaussian_nll_loss, (_t(x, True), _t(t, True), _t(var, True)))
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(_t(x), _t(t), _t(-var))


# --- margin losses ---------------------------------------------------------------------
def test_margin_losses():
    a, b = RNG.standard_normal(6), RNG.standard_normal(6)
    y = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
    cases = [
        (lambda a_, b_: F.margin_ranking_loss(a_, b_, _t(y), 0.3),
         np.maximum(0, -y * (a - b) + 0.3).mean()),
        (lambda a_, b_: F.hinge_embedding_loss(a_, _t(y), 0.4) + 0 * b_.sum(),
         np.where(y == 1, a, np.maximum(0, 0.4 - a)).mean()),
        (lambda a_, b_: F.soft_margin_loss(a_, _t(y)) + 0 * b_.sum(),
         np.log1p(np.exp(-y * a)).mean()),
    ]
    for fn, want in cases:
        np.testing.assert_allclose(_np(fn(_t(a), _t(b))), want)
        assert gradcheck(fn, (_t(a, True), _t(b, True)))

    x1, x2, x3 = (RNG.standard_normal((4, 3)) for _ in range(3))
    y4 = y[:4]
    cos = (x1 * x2).sum(1) / np.sqrt(((x1 ** 2).sum(1) + 1e-12) * ((x2 ** 2).sum(1) + 1e-12))
    want = np.where(y4 == 1, 1 - cos, np.maximum(0, cos - 0.1)).mean()
    np.testing.assert_allclose(_np(F.cosine_embedding_loss(_t(x1), _t(x2), _t(y4), 0.1)), want)
    assert gradcheck(lambda p, q: F.cosine_embedding_loss(p, q, _t(y4), 0.1),
                     (_t(x1, True), _t(x2, True)))

    def dist(p, q):
        return np.linalg.norm(p - q + 1e-6, axis=1)

    want = np.maximum(dist(x1, x2) - np.minimum(dist(x1, x3), dist(x2, x3)) + 1.0, 0).mean()
    np.testing.assert_allclose(_np(F.triplet_margin_loss(_t(x1), _t(x2), _t(x3), swap=True)),
                               want)
    assert gradcheck(F.triplet_margin_loss, (_t(x1, True), _t(x2, True), _t(x3, True)))


def test_multilabel_and_multiclass_margin_losses():
    x = RNG.standard_normal((4, 3))
    t = (RNG.random((4, 3)) > 0.5).astype(float)
    w = RNG.random(3)
    ls = lambda v: -np.log1p(np.exp(-v))  # noqa: E731
    want = (-(t * ls(x) + (1 - t) * ls(-x)) * w).sum(1) / 3
    np.testing.assert_allclose(_np(F.multilabel_soft_margin_loss(_t(x), _t(t), _t(w))),
                               want.mean())
    assert gradcheck(lambda a: F.multilabel_soft_margin_loss(a, _t(t)), (_t(x, True),))
    y = np.array([0, 2, 1, 2])
    for p in (1, 2):
        z = np.maximum(0, 0.7 - x[np.arange(4), y][:, None] + x) ** p * w[y][:, None]
        z[np.arange(4), y] = 0
        out = F.multi_margin_loss(_t(x), fl.tensor(y), p, 0.7, _t(w), reduction="none")
        np.testing.assert_allclose(_np(out), z.sum(1) / 3)
        assert gradcheck(lambda a, p=p: F.multi_margin_loss(a, fl.tensor(y), p, 0.7),
                         (_t(x, True),))
