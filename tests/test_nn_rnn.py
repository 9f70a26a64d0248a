"""``nn.RNN``, ``nn.LSTM``, ``nn.GRU`` and their cells against a NumPy step-by-step
implementation that reads the module's own weights (PyTorch's documented equations and
gate orders), and gradients against finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

import flambeau as fl
import flambeau.nn as nn
from flambeau.autograd import gradcheck

RNG = np.random.default_rng(5)


def _t(a, grad=False):
    return fl.tensor(np.asarray(a), dtype=fl.float64, requires_grad=grad)


def _np(t):
    return t.detach().numpy()


def _sig(x):
    return 1 / (1 + np.exp(-x))


def cell_ref(mode, x, state, w_ih, w_hh, b_ih, b_hh, w_hr=None):
    """One step of PyTorch's equations; ``state`` is ``(h,)`` or ``(h, c)``."""
    gi, gh = x @ w_ih.T + b_ih, state[0] @ w_hh.T + b_hh
    if mode in ("tanh", "relu"):
        h = np.tanh(gi + gh) if mode == "tanh" else np.maximum(gi + gh, 0)
        return (h,)
    if mode == "lstm":
        i, f, g, o = np.split(gi + gh, 4, axis=-1)
        c = _sig(f) * state[1] + _sig(i) * np.tanh(g)
        h = _sig(o) * np.tanh(c)
        return (h if w_hr is None else h @ w_hr.T, c)
    r_i, z_i, n_i = np.split(gi, 3, axis=-1)
    r_h, z_h, n_h = np.split(gh, 3, axis=-1)
    r, z = _sig(r_i + r_h), _sig(z_i + z_h)
    n = np.tanh(n_i + r * n_h)
    return ((1 - z) * n + z * state[0],)


def rnn_ref(m, mode, x, states, zero_after_layer0=False):
    """Seq-first ``x`` ``(L, N, I)``; ``states``: tuple of ``(layers*D, N, *)``."""
    d_count = 2 if m.bidirectional else 1
    params = dict((n, _np(p)) for n, p in m.named_parameters())
    finals = [[] for _ in states]
    for layer in range(m.num_layers):
        if layer and zero_after_layer0:
            x = np.zeros_like(x)
        outs = []
        for d in range(d_count):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            w_ih, w_hh = params["weight_ih" + sfx], params["weight_hh" + sfx]
            g = w_ih.shape[0]
            b_ih = params.get("bias_ih" + sfx, np.zeros(g))
            b_hh = params.get("bias_hh" + sfx, np.zeros(g))
            st = tuple(s[layer * d_count + d] for s in states)
            seq = [None] * x.shape[0]
            order = range(x.shape[0]) if d == 0 else reversed(range(x.shape[0]))
            for t in order:
                st = cell_ref(mode, x[t], st, w_ih, w_hh, b_ih, b_hh, params.get("weight_hr" + sfx))
                seq[t] = st[0]
            outs.append(np.stack(seq))
            for f, s in zip(finals, st):
                f.append(s)
        x = np.concatenate(outs, -1)
    return x, tuple(np.stack(f) for f in finals)


CONFIGS = {
    "rnn_tanh": (nn.RNN, "tanh", {}),
    "rnn_relu_2layer": (nn.RNN, "relu", dict(nonlinearity="relu", num_layers=2)),
    "rnn_bidir_batch_first": (nn.RNN, "tanh", dict(bidirectional=True, batch_first=True)),
    "lstm": (nn.LSTM, "lstm", {}),
    "lstm_2layer_bidir": (nn.LSTM, "lstm", dict(num_layers=2, bidirectional=True)),
    "lstm_nobias_batch_first": (nn.LSTM, "lstm", dict(bias=False, batch_first=True)),
    "lstm_proj": (nn.LSTM, "lstm", dict(proj_size=2, num_layers=2, bidirectional=True)),
    "gru": (nn.GRU, "gru", {}),
    "gru_3layer_bidir": (nn.GRU, "gru", dict(num_layers=3, bidirectional=True)),
    "gru_nobias": (nn.GRU, "gru", dict(bias=False)),
}


def _build(name, n=2):
    cls, mode, kw = CONFIGS[name]
    m = cls(3, 4, dtype=fl.float64, **kw)
    d = 2 if kw.get("bidirectional") else 1
    shapes = [(d * kw.get("num_layers", 1), n, kw.get("proj_size") or 4)]
    if cls is nn.LSTM:
        shapes.append((d * kw.get("num_layers", 1), n, 4))
    return m, mode, kw, [RNG.standard_normal(s) for s in shapes]


def _call(m, x, states):
    if isinstance(m, nn.LSTM):
        out, (h, c) = m(x, None if states is None else tuple(states))
        return out, (h, c)
    out, h = m(x, None if states is None else states[0])
    return out, (h,)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_recurrent_layer_matches_numpy(name):
    m, mode, kw, states = _build(name)
    x = RNG.standard_normal((5, 2, 3))
    xin = x.transpose(1, 0, 2) if kw.get("batch_first") else x
    out, finals = _call(m, _t(xin), [_t(s) for s in states])
    want, want_finals = rnn_ref(m, mode, x, tuple(states))
    got = _np(out).transpose(1, 0, 2) if kw.get("batch_first") else _np(out)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    for a, b in zip(finals, want_finals):
        np.testing.assert_allclose(_np(a), b, rtol=1e-10, atol=1e-12)
    # no initial state means zeros; an unbatched (L, H_in) input works the same way
    out0, _ = _call(m, _t(xin), None)
    zeros = tuple(np.zeros_like(s) for s in states)
    want0 = rnn_ref(m, mode, x, zeros)[0]
    np.testing.assert_allclose(_np(out0).transpose(1, 0, 2) if kw.get("batch_first")
                               else _np(out0), want0, atol=1e-12)
    out1, fin1 = _call(m, _t(x[:, 0]), [_t(s[:, 0]) for s in states])
    np.testing.assert_allclose(_np(out1), rnn_ref(m, mode, x[:, :1],
                                                  tuple(s[:, :1] for s in states))[0][:, 0],
                               atol=1e-12)
    assert fin1[0].dim() == 2


def test_parameter_names_shapes_and_init():
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    names = [n for n, _ in m.named_parameters()]
    want = []
    for layer in range(2):
        for sfx in ("", "_reverse"):
            want += [f"{k}_l{layer}{sfx}" for k in ("weight_ih", "weight_hh", "bias_ih",
                                                    "bias_hh", "weight_hr")]
    assert names == want
    assert m.weight_ih_l0.shape == (16, 3) and m.weight_hh_l0.shape == (16, 2)
    assert m.weight_ih_l1.shape == (16, 4) and m.weight_hr_l1_reverse.shape == (2, 4)
    g = nn.GRU(3, 5, bias=False)
    assert [n for n, _ in g.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    assert g.weight_hh_l0.shape == (15, 5)
    assert nn.RNN(3, 6).weight_ih_l0.shape == (6, 3)
    bound = 1 / math.sqrt(4)
    for p in nn.GRU(3, 4, num_layers=2).parameters():
        vals = _np(p)
        assert np.abs(vals).max() <= bound and vals.std() > bound / 4


@pytest.mark.parametrize("name", ["rnn_bidir_batch_first", "lstm_proj", "gru"])
def test_recurrent_layer_gradcheck(name):
    m, _, kw, states = _build(name, n=1)
    x = RNG.standard_normal((1, 3, 3) if kw.get("batch_first") else (2, 1, 3))
    inputs = (_t(x, True),) + tuple(_t(s, True) for s in states)
    assert gradcheck(lambda x_, *st: _call(m, x_, st)[0], inputs)


def test_weight_gradients_match_numpy_finite_differences():
    m = nn.GRU(2, 2, num_layers=2, dtype=fl.float64)
    x, h0 = RNG.standard_normal((3, 1, 2)), RNG.standard_normal((2, 1, 2))
    out, _ = m(_t(x), _t(h0))
    out.sum().backward()
    eps = 1e-6
    for name, p in m.named_parameters():
        flat = _np(p).reshape(-1)
        for k in range(flat.size):
            orig = flat[k]
            vals = []
            for delta in (eps, -eps):
                with fl.no_grad():
                    p.reshape(-1)[k] = orig + delta
                vals.append(rnn_ref(m, "gru", x, (h0,))[0].sum())
            with fl.no_grad():
                p.reshape(-1)[k] = orig
            assert abs(_np(p.grad).reshape(-1)[k] - (vals[0] - vals[1]) / (2 * eps)) < 1e-6, name


def test_dropout_between_layers_only_in_training():
    m = nn.LSTM(3, 4, num_layers=2, dropout=1.0, dtype=fl.float64)
    x = RNG.standard_normal((4, 2, 3))
    zeros = (np.zeros((2, 2, 4)),) * 2
    out, _ = m(_t(x))
    # p = 1 zeroes the first layer's output: the second layer sees only zeros
    np.testing.assert_allclose(_np(out), rnn_ref(m, "lstm", x, zeros, zero_after_layer0=True)[0],
                               atol=1e-12)
    m.eval()
    np.testing.assert_allclose(_np(m(_t(x))[0]), rnn_ref(m, "lstm", x, zeros)[0], atol=1e-12)
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.5)


@pytest.mark.parametrize("cls,mode", [(nn.RNNCell, "tanh"), (nn.LSTMCell, "lstm"),
                                      (nn.GRUCell, "gru")])
def test_cells_match_numpy(cls, mode):
    cell = cls(3, 4, dtype=fl.float64)
    x, h, c = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 4)), RNG.standard_normal((2, 4))
    ws = [_np(cell.weight_ih), _np(cell.weight_hh), _np(cell.bias_ih), _np(cell.bias_hh)]
    state = (h, c) if mode == "lstm" else (h,)
    want = cell_ref(mode, x, state, *ws)
    got = cell(_t(x), tuple(_t(s) for s in state)) if mode == "lstm" else cell(_t(x), _t(h))
    got = got if mode == "lstm" else (got,)
    for a, b in zip(got, want):
        np.testing.assert_allclose(_np(a), b, rtol=1e-10)
    unbatched = cell(_t(x[0]))
    first = unbatched[0] if mode == "lstm" else unbatched
    zero = (np.zeros((1, 4)),) * len(state)
    np.testing.assert_allclose(_np(first), cell_ref(mode, x[:1], zero, *ws)[0][0], rtol=1e-10)
    assert gradcheck(lambda a, b: (cell(a, (b, b))[0] if mode == "lstm" else cell(a, b)),
                     (_t(x, True), _t(h, True)))


def test_errors_and_repr():
    m = nn.GRU(3, 4, num_layers=2)
    with pytest.raises(RuntimeError, match="input_size"):
        m(fl.randn(5, 2, 7))
    with pytest.raises(RuntimeError, match="Expected hidden size"):
        m(fl.randn(5, 2, 3), fl.randn(1, 2, 4))
    with pytest.raises(RuntimeError, match="3-D"):
        m(fl.randn(5, 2, 3), fl.randn(2, 4))
    with pytest.raises(ValueError, match="proj_size"):
        nn.RNNBase("GRU", 3, 4, proj_size=2)
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    assert repr(nn.LSTM(3, 4, num_layers=2, batch_first=True)) == \
        "LSTM(3, 4, num_layers=2, batch_first=True)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity=relu)"
