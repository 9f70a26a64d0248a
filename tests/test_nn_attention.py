"""Attention and the Transformer against NumPy: ``softmax(Q K^T / sqrt(d)) V`` with
masks, multi-head attention and encoder/decoder layers re-implemented here from the
modules' own weights, and gradients against finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

import flambeau as fl
import flambeau.nn as nn
import flambeau.nn.functional as F
from flambeau.autograd import gradcheck

RNG = np.random.default_rng(21)
_erf = np.vectorize(math.erf)


def _t(a, grad=False, dtype=fl.float64):
    return fl.tensor(np.asarray(a), dtype=dtype, requires_grad=grad)


def _np(t):
    return t.detach().numpy()


def softmax_rows(s):
    """Softmax over the last axis; rows that are all -inf give zeros."""
    m = s.max(-1, keepdims=True)
    empty = np.isneginf(m)
    e = np.exp(s - np.where(empty, 0, m))
    out = e / np.where(empty, 1, e.sum(-1, keepdims=True))
    return np.where(empty, 0, out)


def sdpa_ref(q, k, v, mask=None, causal=False, scale=None):
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    s = q @ np.swapaxes(k, -1, -2) * scale
    if causal:
        mask = np.tril(np.ones((q.shape[-2], k.shape[-2]), dtype=bool))
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    return softmax_rows(s) @ v


# --- scaled_dot_product_attention ----------------------------------------------------
Q = RNG.standard_normal((2, 3, 4, 8))
K = RNG.standard_normal((2, 3, 6, 8))
V = RNG.standard_normal((2, 3, 6, 5))
SDPA_CASES = {
    "plain": {},
    "bool_2d": dict(mask=RNG.random((4, 6)) > 0.3),
    "bool_broadcast": dict(mask=RNG.random((2, 1, 4, 6)) > 0.3),
    "float": dict(mask=RNG.standard_normal((2, 3, 4, 6))),
    "causal": dict(causal=True),
    "scale": dict(scale=0.37),
}


@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_numpy(case):
    cfg = SDPA_CASES[case]
    mask = cfg.get("mask")
    if mask is not None and mask.dtype == bool:
        mask[..., 0] = True                        # keep every row attending somewhere
    out = F.scaled_dot_product_attention(
        _t(Q), _t(K), _t(V), None if mask is None else fl.tensor(mask),
        is_causal=cfg.get("causal", False), scale=cfg.get("scale"))
    np.testing.assert_allclose(_np(out), sdpa_ref(Q, K, V, mask, cfg.get("causal", False),
                                                  cfg.get("scale")), rtol=1e-10, atol=1e-12)


def test_sdpa_gradcheck_with_masks():
    q, k, v = Q[:1, :1, :3, :2], K[:1, :1, :4, :2], V[:1, :1, :4, :3]
    bmask = fl.tensor(np.array([[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 1, 1]], dtype=bool))
    fmask = _t(RNG.standard_normal((3, 4)))
    for kw in ({}, dict(attn_mask=bmask), dict(attn_mask=fmask), dict(is_causal=True)):
        assert gradcheck(lambda a, b, c, kw=kw: F.scaled_dot_product_attention(a, b, c, **kw),
                         (_t(q, True), _t(k, True), _t(v, True)))


def test_sdpa_fully_masked_row_is_zero_with_finite_gradient():
    mask = np.ones((4, 6), dtype=bool)
    mask[2] = False
    q = _t(Q, True)
    out = F.scaled_dot_product_attention(q, _t(K), _t(V), fl.tensor(mask))
    np.testing.assert_allclose(_np(out), sdpa_ref(Q, K, V, mask), atol=1e-12)
    assert (_np(out)[:, :, 2] == 0).all()
    out.sum().backward()
    assert np.isfinite(_np(q.grad)).all() and (_np(q.grad)[:, :, 2] == 0).all()


def test_sdpa_grouped_query_attention():
    q = RNG.standard_normal((2, 6, 4, 8))
    out = F.scaled_dot_product_attention(_t(q), _t(K), _t(V), enable_gqa=True)
    want = sdpa_ref(q, np.repeat(K, 2, axis=1), np.repeat(V, 2, axis=1))
    np.testing.assert_allclose(_np(out), want, rtol=1e-10)


def test_sdpa_dropout_scales_kept_weights():
    # q = k = 0: uniform weights 1/S; with V = I the output rows are the weights
    s = 8
    out = F.scaled_dot_product_attention(_t(np.zeros((1, 50, 2))), _t(np.zeros((1, s, 2))),
                                         _t(np.eye(s)[None]), dropout_p=0.25)
    vals = np.unique(np.round(_np(out), 12))
    np.testing.assert_allclose(vals, [0.0, 1 / s / 0.75])
    fl.manual_seed(4)
    a = F.scaled_dot_product_attention(_t(Q), _t(K), _t(V), dropout_p=0.5)
    fl.manual_seed(4)
    np.testing.assert_array_equal(_np(a), _np(F.scaled_dot_product_attention(
        _t(Q), _t(K), _t(V), dropout_p=0.5)))


def test_sdpa_errors():
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(_t(Q), _t(K), _t(V), fl.ones(4, 6, dtype=fl.bool),
                                       is_causal=True)
    with pytest.raises(RuntimeError, match="incompatible shapes"):
        F.scaled_dot_product_attention(_t(Q), _t(K[..., :3]), _t(V))


# --- MultiheadAttention ----------------------------------------------------------------
def mha_ref(m, q, k, v, key_padding_mask=None, attn_mask=None, average=True):
    """Sequence-first NumPy multi-head attention with ``m``'s weights."""
    e, h = m.embed_dim, m.num_heads
    if m.in_proj_weight is not None:
        wq, wk, wv = np.split(_np(m.in_proj_weight), 3)
    else:
        wq, wk, wv = (_np(w) for w in (m.q_proj_weight, m.k_proj_weight, m.v_proj_weight))
    bq, bk, bv = np.split(_np(m.in_proj_bias), 3)
    l, n, _ = q.shape
    s = k.shape[0]

    def heads(x, t):
        return x.reshape(t, n, h, e // h).transpose(1, 2, 0, 3)        # (N, H, T, hd)

    qh, kh, vh = heads(q @ wq.T + bq, l), heads(k @ wk.T + bk, s), heads(v @ wv.T + bv, s)
    scores = qh @ kh.transpose(0, 1, 3, 2) / math.sqrt(e // h)
    bias = np.zeros((n, h, l, s))
    if attn_mask is not None:
        am = attn_mask if attn_mask.ndim == 2 else attn_mask.reshape(n, h, l, s)
        bias = bias + (np.where(am, -np.inf, 0) if am.dtype == bool else am)
    if key_padding_mask is not None:
        bias = bias + np.where(key_padding_mask, -np.inf, 0)[:, None, None, :]
    w = softmax_rows(scores + bias)
    out = (w @ vh).transpose(2, 0, 1, 3).reshape(l, n, e)
    out = out @ _np(m.out_proj.weight).T + _np(m.out_proj.bias)
    return out, (w.mean(1) if average else w)


def test_mha_parameters_names_and_init():
    m = nn.MultiheadAttention(8, 2)
    assert [n for n, _ in m.named_parameters()] == ["in_proj_weight", "in_proj_bias",
                                                    "out_proj.weight", "out_proj.bias"]
    assert m.in_proj_weight.shape == (24, 8) and m.out_proj.weight.shape == (8, 8)
    assert (_np(m.in_proj_bias) == 0).all() and (_np(m.out_proj.bias) == 0).all()
    assert np.abs(_np(m.in_proj_weight)).max() <= math.sqrt(6 / (8 + 24))
    m2 = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, bias=False)
    assert [n for n, _ in m2.named_parameters()] == ["q_proj_weight", "k_proj_weight",
                                                     "v_proj_weight", "out_proj.weight"]
    assert m2.k_proj_weight.shape == (8, 3) and m2.v_proj_weight.shape == (8, 5)
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(10, 3)


def _bool_mask(shape):
    m = RNG.random(shape) > 0.6
    m[..., 0] = False                                   # keep a key for every query
    return m


MHA_CASES = {
    "self": dict(self_attn=True),
    "cross": {},
    "kpm": dict(kpm=True),
    "bool_mask_kpm": dict(mask="bool", kpm=True, average=False),
    "float_mask_3d": dict(mask="float3d", need_weights=False),
    "batch_first_self": dict(batch_first=True, self_attn=True, mask="bool"),
    "kdim_vdim": dict(kdim=3, vdim=5, kpm=True),
    "unbatched": dict(unbatched=True, mask="bool"),
}


@pytest.mark.parametrize("case", list(MHA_CASES))
def test_mha_matches_numpy(case):
    cfg = MHA_CASES[case]
    e, h, l, s, n = 8, 2, 3, 5, 2
    m = nn.MultiheadAttention(e, h, kdim=cfg.get("kdim"), vdim=cfg.get("vdim"),
                              batch_first=cfg.get("batch_first", False), dtype=fl.float64)
    with fl.no_grad():
        if m.in_proj_bias is not None:
            m.in_proj_bias.copy_(_t(RNG.standard_normal(3 * e)))
            m.out_proj.bias.copy_(_t(RNG.standard_normal(e)))
    if cfg.get("self_attn"):
        s = l
    q = RNG.standard_normal((l, n, e))
    k = q if cfg.get("self_attn") else RNG.standard_normal((s, n, cfg.get("kdim", e)))
    v = q if cfg.get("self_attn") else RNG.standard_normal((s, n, cfg.get("vdim", e)))
    kpm = np.array([[False] * (s - 1) + [True], [False] * s]) if cfg.get("kpm") else None
    mask = {"bool": _bool_mask((l, s)), "float3d": RNG.standard_normal((n * h, l, s)),
            None: None}[cfg.get("mask")]
    want_out, want_w = mha_ref(m, q, k, v, kpm, mask, cfg.get("average", True))
    kw = dict(key_padding_mask=None if kpm is None else fl.tensor(kpm),
              attn_mask=None if mask is None else _t(mask, dtype=None),
              need_weights=cfg.get("need_weights", True),
              average_attn_weights=cfg.get("average", True))
    if cfg.get("unbatched"):
        qt = _t(q[:, 0])
        out, w = m(qt, qt if k is q else _t(k[:, 0]), qt if v is q else _t(v[:, 0]), **kw)
        np.testing.assert_allclose(_np(out), want_out[:, 0], atol=1e-12)
        np.testing.assert_allclose(_np(w), want_w[0], atol=1e-12)
        return
    if cfg.get("batch_first"):
        qt = _t(q.transpose(1, 0, 2))
        out, w = m(qt, qt, qt, **kw)
        out = _np(out).transpose(1, 0, 2)
    else:
        qt = _t(q)
        out, w = m(qt, qt if k is q else _t(k), qt if v is q else _t(v), **kw)
        out = _np(out)
    np.testing.assert_allclose(out, want_out, rtol=1e-10, atol=1e-12)
    if kw["need_weights"]:
        np.testing.assert_allclose(_np(w), want_w, rtol=1e-10, atol=1e-12)
    else:
        assert w is None


def test_mha_gradcheck_and_dropout_only_in_training():
    m = nn.MultiheadAttention(4, 2, dropout=0.5, dtype=fl.float64).eval()
    q, k = RNG.standard_normal((2, 1, 4)), RNG.standard_normal((3, 1, 4))
    mask = fl.tensor(np.array([[False, True, False], [False, False, True]]))
    assert gradcheck(lambda a, b, c: m(a, b, c, attn_mask=mask)[0],
                     (_t(q, True), _t(k, True), _t(k, True)))
    np.testing.assert_allclose(_np(m(_t(q), _t(k), _t(k))[0]), mha_ref(m, q, k, k)[0],
                               atol=1e-12)
    m.train()
    fl.manual_seed(0)
    dropped = _np(m(_t(q), _t(k), _t(k))[1])
    assert not np.allclose(dropped, mha_ref(m, q, k, k)[1])


def test_mha_is_causal_needs_a_mask():
    m = nn.MultiheadAttention(4, 2)
    x = fl.randn(3, 1, 4)
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        m(x, x, x, is_causal=True)


# --- Transformer -------------------------------------------------------------------------
def _ln(x, mod):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + mod.eps) \
        * _np(mod.weight) + _np(mod.bias)


def _ff(x, layer, act):
    hdn = x @ _np(layer.linear1.weight).T + _np(layer.linear1.bias)
    hdn = np.maximum(hdn, 0) if act == "relu" else 0.5 * hdn * (1 + _erf(hdn / math.sqrt(2)))
    return hdn @ _np(layer.linear2.weight).T + _np(layer.linear2.bias)


def encoder_layer_ref(layer, x, act, mask=None, kpm=None):
    sa = lambda y: mha_ref(layer.self_attn, y, y, y, kpm, mask)[0]  # noqa: E731
    if layer.norm_first:
        x = x + sa(_ln(x, layer.norm1))
        return x + _ff(_ln(x, layer.norm2), layer, act)
    x = _ln(x + sa(x), layer.norm1)
    return _ln(x + _ff(x, layer, act), layer.norm2)


def decoder_layer_ref(layer, x, mem, act, tgt_mask=None, mem_kpm=None):
    sa = lambda y: mha_ref(layer.self_attn, y, y, y, None, tgt_mask)[0]  # noqa: E731
    ca = lambda y: mha_ref(layer.multihead_attn, y, mem, mem, mem_kpm)[0]  # noqa: E731
    if layer.norm_first:
        x = x + sa(_ln(x, layer.norm1))
        x = x + ca(_ln(x, layer.norm2))
        return x + _ff(_ln(x, layer.norm3), layer, act)
    x = _ln(x + sa(x), layer.norm1)
    x = _ln(x + ca(x), layer.norm2)
    return _ln(x + _ff(x, layer, act), layer.norm3)


def _randomize(module):
    with fl.no_grad():
        for p in module.parameters():
            p.copy_(_t(RNG.standard_normal(p.shape) * 0.5))


@pytest.mark.parametrize("norm_first,act", [(False, "relu"), (True, "gelu")])
def test_encoder_and_decoder_layers_match_numpy(norm_first, act):
    enc = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=act,
                                     norm_first=norm_first, dtype=fl.float64)
    dec = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, activation=act,
                                     norm_first=norm_first, dtype=fl.float64)
    _randomize(enc)
    _randomize(dec)
    src, tgt = RNG.standard_normal((5, 2, 8)), RNG.standard_normal((3, 2, 8))
    kpm = np.array([[False] * 4 + [True], [False] * 5])
    tmask = _np(nn.Transformer.generate_square_subsequent_mask(3, dtype=fl.float64))
    out = enc(_t(src), src_key_padding_mask=fl.tensor(kpm))
    np.testing.assert_allclose(_np(out), encoder_layer_ref(enc, src, act, kpm=kpm), atol=1e-10)
    out = dec(_t(tgt), _t(src), tgt_mask=_t(tmask), memory_key_padding_mask=fl.tensor(kpm),
              tgt_is_causal=True)
    np.testing.assert_allclose(_np(out), decoder_layer_ref(dec, tgt, src, act, tmask, kpm),
                               atol=1e-10)


def test_transformer_end_to_end_batch_first():
    model = nn.Transformer(8, 2, 2, 1, 16, dropout=0.0, batch_first=True, dtype=fl.float64)
    assert len(model.encoder.layers) == 2 and len(model.decoder.layers) == 1
    layers = list(model.encoder.layers)
    assert layers[0].linear1.weight is not layers[1].linear1.weight    # deep copies
    for p in model.parameters():
        if p.dim() > 1:
            fan_out, fan_in = p.shape
            assert np.abs(_np(p)).max() <= math.sqrt(6 / (fan_in + fan_out))
    src, tgt = RNG.standard_normal((2, 5, 8)), RNG.standard_normal((2, 3, 8))
    tmask = model.generate_square_subsequent_mask(3, dtype=fl.float64)
    out = model(_t(src), _t(tgt), tgt_mask=tmask)
    mem = src.transpose(1, 0, 2)
    for layer in model.encoder.layers:
        mem = encoder_layer_ref(layer, mem, "relu")
    mem = _ln(mem, model.encoder.norm)
    want = decoder_layer_ref(model.decoder.layers[0], tgt.transpose(1, 0, 2), mem, "relu",
                             _np(tmask))
    want = _ln(want, model.decoder.norm).transpose(1, 0, 2)
    np.testing.assert_allclose(_np(out), want, atol=1e-10)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_square_subsequent_mask_and_transformer_errors():
    m = _np(nn.Transformer.generate_square_subsequent_mask(4))
    np.testing.assert_array_equal(m, np.triu(np.full((4, 4), -np.inf), 1))
    model = nn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="batch number"):
        model(fl.randn(5, 2, 8), fl.randn(3, 3, 8))
    with pytest.raises(RuntimeError, match="d_model"):
        model(fl.randn(5, 2, 6), fl.randn(3, 2, 6))
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")


def test_encoder_layer_gradcheck():
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, dtype=fl.float64)
    x = RNG.standard_normal((3, 1, 4))
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=fl.float64)
    assert gradcheck(lambda a: layer(a, src_mask=mask, is_causal=True), (_t(x, True),))
