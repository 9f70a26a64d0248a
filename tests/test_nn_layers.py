"""The layers of ``flambeau.nn``: outputs against NumPy formulas, gradients against
finite differences (``fl.autograd.gradcheck`` in float64, through the module's own
parameters), default initialisations against PyTorch's closed forms, and ``repr``
strings as PyTorch prints them.

Normalisation, dropout and embedding are in ``test_nn_normalization.py``; activations
and losses in ``test_nn_activations_losses.py``.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest

import flambeau as fl
import flambeau.nn as nn

RNG = np.random.default_rng(0)


def t64(shape, requires_grad=False, scale=1.0):
    return fl.tensor(RNG.standard_normal(shape) * scale, dtype=fl.float64,
                     requires_grad=requires_grad)


def npy(t):
    return t.detach().numpy()


def check_module_grads(module, *inputs):
    """gradcheck of ``module(*inputs)`` with respect to the inputs that require grad and
    every parameter of the module (all float64)."""
    module.double()
    slots = [(mod, name) for mod in module.modules() for name, p in mod._parameters.items()
             if p is not None and p.requires_grad]
    params = [mod._parameters[name].detach().clone().requires_grad_() for mod, name in slots]

    def run(*args):
        ins, ps = args[:len(inputs)], args[len(inputs):]
        saved = [mod._parameters[name] for mod, name in slots]
        # call the module with these tensors in place of its parameters
        for (mod, name), p in zip(slots, ps):
            mod._parameters[name] = p
        try:
            return module(*ins)
        finally:
            for (mod, name), p in zip(slots, saved):
                mod._parameters[name] = p

    assert fl.autograd.gradcheck(run, (*inputs, *params))


def assert_uniform_bound(t, bound):
    """Samples of U(-bound, bound): inside the bounds; with many samples, filling the
    range with the uniform law's standard deviation bound / sqrt(3)."""
    a = npy(t)
    assert np.abs(a).max() <= bound * (1 + 1e-6)
    if a.size >= 1000:
        assert np.abs(a).max() > 0.98 * bound
        assert abs(a.std() - bound / math.sqrt(3)) < 0.05 * bound
    else:
        assert np.abs(a).max() > 0.5 * bound


# --- Linear, Bilinear, Identity, Flatten, Unflatten ----------------------------------------
def test_linear_matches_numpy_and_backpropagates():
    m = nn.Linear(4, 3)
    x = fl.randn(5, 2, 4)
    y = m(x)
    w, b = npy(m.weight), npy(m.bias)
    np.testing.assert_allclose(npy(y), npy(x) @ w.T + b, rtol=1e-5, atol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(npy(m.weight.grad),
                               np.broadcast_to(npy(x).reshape(-1, 4).sum(0), (3, 4)),
                               rtol=1e-5)
    np.testing.assert_allclose(npy(m.bias.grad), [10.0] * 3)
    nobias = nn.Linear(4, 3, bias=False)
    assert nobias.bias is None and len(list(nobias.parameters())) == 1
    np.testing.assert_allclose(npy(nobias(x)), npy(x) @ npy(nobias.weight).T, rtol=1e-5,
                               atol=1e-6)
    check_module_grads(nn.Linear(3, 2), t64((2, 3), True))


def test_linear_default_init_and_factory_kwargs():
    m = nn.Linear(256, 512)
    assert m.weight.shape == (512, 256) and m.bias.shape == (512,)
    assert_uniform_bound(m.weight, 1 / math.sqrt(256))
    assert_uniform_bound(m.bias, 1 / math.sqrt(256))
    m64 = nn.Linear(2, 3, dtype=fl.float64, device="cpu")
    assert m64.weight.dtype is fl.float64 and m64.bias.dtype is fl.float64
    assert repr(nn.Linear(20, 30)) == "Linear(in_features=20, out_features=30, bias=True)"
    assert repr(nn.Linear(1, 1, bias=False)) == \
        "Linear(in_features=1, out_features=1, bias=False)"


def test_bilinear():
    m = nn.Bilinear(3, 4, 2)
    x1, x2 = fl.randn(5, 3), fl.randn(5, 4)
    ref = np.einsum("ni,oij,nj->no", npy(x1), npy(m.weight), npy(x2)) + npy(m.bias)
    np.testing.assert_allclose(npy(m(x1, x2)), ref, rtol=1e-5, atol=1e-5)
    big = nn.Bilinear(100, 8, 50)
    assert_uniform_bound(big.weight, 0.1)
    assert_uniform_bound(big.bias, 0.1)
    assert repr(nn.Bilinear(20, 30, 40)) == \
        "Bilinear(in1_features=20, in2_features=30, out_features=40, bias=True)"
    check_module_grads(nn.Bilinear(2, 3, 2), t64((2, 2), True), t64((2, 3), True))


def test_identity_flatten_unflatten():
    x = fl.randn(2, 3, 4, 5)
    assert nn.Identity(54, unused=0.1)(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    np.testing.assert_array_equal(npy(nn.Flatten()(x)), npy(x).reshape(2, 60))
    u = nn.Unflatten(1, (3, 20))(nn.Flatten()(x))
    np.testing.assert_array_equal(npy(u), npy(x).reshape(2, 3, 20))
    assert repr(nn.Identity()) == "Identity()"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Unflatten(1, (2, 5, 5))) == "Unflatten(dim=1, unflattened_size=(2, 5, 5))"


# --- convolutions -------------------------------------------------------------------------
def np_conv2d(x, w, b, stride, padding, dilation, groups):
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, oh, ow))
    per_group = o // groups
    for oc in range(o):
        g = oc // per_group
        for i in range(oh):
            for j in range(ow):
                patch = xp[:, g * cg:(g + 1) * cg, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                           j * sw:j * sw + dw * (kw - 1) + 1:dw]
                out[:, oc, i, j] = (patch * w[oc]).sum((1, 2, 3))
    return out if b is None else out + b.reshape(1, -1, 1, 1)


def np_conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation):
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, c, h, wd = x.shape
    _, og, kh, kw = w.shape
    cg = c // groups
    full = np.zeros((n, og * groups, (h - 1) * sh + dh * (kh - 1) + 1 + output_padding[0],
                     (wd - 1) * sw + dw * (kw - 1) + 1 + output_padding[1]))
    for ci in range(c):
        g = ci // cg
        for o in range(og):
            for ki in range(kh):
                for kj in range(kw):
                    full[:, g * og + o, ki * dh:ki * dh + (h - 1) * sh + 1:sh,
                         kj * dw:kj * dw + (wd - 1) * sw + 1:sw] += x[:, ci] * w[ci, o, ki, kj]
    out = full[:, :, ph:full.shape[2] - ph, pw:full.shape[3] - pw]
    return out if b is None else out + b.reshape(1, -1, 1, 1)


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(1, 2), padding=(2, 0), dilation=(2, 1)),
    dict(groups=2, bias=False),
])
def test_conv2d_matches_numpy(kwargs):
    m = nn.Conv2d(4, 6, (3, 2), **kwargs)
    x = fl.randn(2, 4, 7, 6)
    ref = np_conv2d(npy(x), npy(m.weight), None if m.bias is None else npy(m.bias),
                    m.stride, m.padding, m.dilation, m.groups)
    np.testing.assert_allclose(npy(m(x)), ref, rtol=1e-4, atol=1e-5)


def test_conv2d_string_padding_and_padding_modes():
    x = fl.randn(1, 2, 5, 6)
    same = nn.Conv2d(2, 3, (3, 4), padding="same", dilation=(1, 2))
    assert same(x).shape == (1, 3, 5, 6)
    # 'same' pads the odd extra column on the right, as PyTorch
    ref = np_conv2d(np.pad(npy(x), ((0, 0), (0, 0), (1, 1), (3, 3))), npy(same.weight),
                    npy(same.bias), (1, 1), (0, 0), (1, 2), 1)
    np.testing.assert_allclose(npy(same(x)), ref, rtol=1e-4, atol=1e-5)
    valid = nn.Conv2d(2, 3, 3, padding="valid")
    assert valid(x).shape == (1, 3, 3, 4)
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(2, 3, 3, padding="same", stride=2)
    with pytest.raises(ValueError, match="Invalid padding string"):
        nn.Conv2d(2, 3, 3, padding="full")
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    for mode, np_mode in (("reflect", "reflect"), ("replicate", "edge"),
                          ("circular", "wrap")):
        m = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode)
        ref = np_conv2d(np.pad(npy(x), ((0, 0), (0, 0), (1, 1), (2, 2)), mode=np_mode),
                        npy(m.weight), npy(m.bias), (1, 1), (0, 0), (1, 1), 1)
        np.testing.assert_allclose(npy(m(x)), ref, rtol=1e-4, atol=1e-5, err_msg=mode)


def test_conv1d_matches_numpy_and_unbatched_input():
    m = nn.Conv1d(3, 4, 3, stride=2, padding=1, dilation=2)
    x = fl.randn(2, 3, 11)
    ref = np_conv2d(npy(x)[:, :, None], npy(m.weight)[:, :, None], npy(m.bias), (1, 2),
                    (0, 1), (1, 2), 1)[:, :, 0]
    np.testing.assert_allclose(npy(m(x)), ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(npy(m(x[0])), ref[0], rtol=1e-4, atol=1e-5)
    assert m.weight.shape == (4, 3, 3)


def test_conv_transpose2d_matches_numpy():
    for kwargs in (dict(stride=2), dict(stride=(2, 3), padding=1, output_padding=(1, 2)),
                   dict(groups=2, dilation=2, bias=False)):
        m = nn.ConvTranspose2d(4, 6, 3, **kwargs)
        assert m.weight.shape == (4, 6 // m.groups, 3, 3)
        x = fl.randn(2, 4, 4, 3)
        ref = np_conv_transpose2d(npy(x), npy(m.weight),
                                  None if m.bias is None else npy(m.bias), m.stride,
                                  m.padding, m.output_padding, m.groups, m.dilation)
        np.testing.assert_allclose(npy(m(x)), ref, rtol=1e-4, atol=1e-5, err_msg=str(kwargs))


def test_conv_transpose_output_size_picks_the_output_padding():
    down = nn.Conv2d(2, 2, 3, stride=2, padding=1)
    up = nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
    x = fl.randn(1, 2, 12, 11)
    h = down(x)
    assert up(h).shape == (1, 2, 11, 11)
    assert up(h, output_size=x.shape).shape == (1, 2, 12, 11)
    assert up(h, output_size=[12, 12]).shape == (1, 2, 12, 12)
    with pytest.raises(ValueError, match="requested an output size"):
        up(h, output_size=(14, 11))
    with pytest.raises(ValueError, match="zeros"):
        nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")


def test_conv_default_init():
    conv = nn.Conv2d(16, 32, 3)
    assert_uniform_bound(conv.weight, 1 / math.sqrt(16 * 9))
    assert_uniform_bound(conv.bias, 1 / math.sqrt(16 * 9))
    # transposed weights are (in, out / groups, k, k): fan_in is out / groups * k * k
    tconv = nn.ConvTranspose2d(64, 16, 3, groups=2)
    assert_uniform_bound(tconv.weight, 1 / math.sqrt(8 * 9))


def test_conv_gradients():
    check_module_grads(nn.Conv2d(2, 2, 2, stride=(1, 2), padding=1, groups=2),
                       t64((1, 2, 3, 3), True))
    check_module_grads(nn.Conv1d(1, 2, 2, dilation=2), t64((1, 1, 5), True))
    check_module_grads(nn.ConvTranspose2d(2, 1, 2, stride=2), t64((1, 2, 2, 2), True))


def test_conv_reprs():
    assert repr(nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1))) \
        == ("Conv2d(16, 33, kernel_size=(3, 5), stride=(2, 1), padding=(4, 2), "
            "dilation=(3, 1))")
    assert repr(nn.Conv2d(1, 1, 3, padding="same", bias=False)) == \
        "Conv2d(1, 1, kernel_size=(3, 3), stride=(1, 1), padding=same, bias=False)"
    assert repr(nn.Conv2d(4, 4, 3, padding=1, padding_mode="reflect")) == \
        ("Conv2d(4, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), "
         "padding_mode=reflect)")
    assert repr(nn.Conv1d(16, 33, 3, stride=2)) == \
        "Conv1d(16, 33, kernel_size=(3,), stride=(2,))"
    assert repr(nn.ConvTranspose2d(3, 6, 3, stride=2, output_padding=1, groups=3)) == \
        ("ConvTranspose2d(3, 6, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1), "
         "groups=3)")


# --- pooling ------------------------------------------------------------------------------
def np_pool2d(x, k, s, p, reduce, fill):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=fill)
    oh, ow = (h + 2 * p[0] - k[0]) // s[0] + 1, (w + 2 * p[1] - k[1]) // s[1] + 1
    out = np.empty((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = reduce(xp[:, :, i * s[0]:i * s[0] + k[0],
                                        j * s[1]:j * s[1] + k[1]], axis=(2, 3))
    return out


def test_pooling_layers_match_numpy():
    x = fl.randn(2, 3, 7, 6)
    xn = npy(x)
    np.testing.assert_allclose(npy(nn.MaxPool2d(3, 2, 1)(x)),
                               np_pool2d(xn, (3, 3), (2, 2), (1, 1), np.max, -np.inf))
    np.testing.assert_allclose(npy(nn.MaxPool2d((3, 2))(x)),
                               np_pool2d(xn, (3, 2), (3, 2), (0, 0), np.max, -np.inf))
    np.testing.assert_allclose(npy(nn.AvgPool2d(2, 1, 1)(x)),
                               np_pool2d(xn, (2, 2), (1, 1), (1, 1), np.mean, 0.0),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(npy(nn.MaxPool1d(2)(x[0])),
                               np_pool2d(xn[:1], (1, 2), (1, 2), (0, 0), np.max, 0)[0])
    np.testing.assert_allclose(npy(nn.AvgPool1d(3, 2)(x[0])),
                               np_pool2d(xn[:1], (1, 3), (1, 2), (0, 0), np.mean, 0)[0],
                               rtol=1e-5, atol=1e-6)
    out, idx = nn.MaxPool2d(2, return_indices=True)(x)
    flat = xn.reshape(2, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, npy(idx).reshape(2, 3, -1), 2),
                                  npy(out).reshape(2, 3, -1))


def test_adaptive_avg_pooling_matches_numpy():
    x = fl.randn(2, 3, 7, 5)
    xn = npy(x)

    def ref(a, oh, ow):
        h, w = a.shape[-2:]
        out = np.empty(a.shape[:-2] + (oh, ow))
        for i in range(oh):
            for j in range(ow):
                r0, r1 = i * h // oh, -(-(i + 1) * h // oh)
                c0, c1 = j * w // ow, -(-(j + 1) * w // ow)
                out[..., i, j] = a[..., r0:r1, c0:c1].mean((-2, -1))
        return out

    np.testing.assert_allclose(npy(nn.AdaptiveAvgPool2d((3, 2))(x)), ref(xn, 3, 2),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(npy(nn.AdaptiveAvgPool2d(1)(x)), ref(xn, 1, 1), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(npy(nn.AdaptiveAvgPool2d((None, 2))(x)), ref(xn, 7, 2),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(npy(nn.AdaptiveAvgPool1d(3)(x[0])),
                               ref(xn[0][:, :, None, :], 1, 3)[:, :, 0], rtol=1e-5,
                               atol=1e-6)


def test_pooling_gradients_and_reprs():
    check_module_grads(nn.AvgPool2d(2, 1), t64((1, 1, 3, 3), True))
    check_module_grads(nn.MaxPool2d(2), t64((1, 1, 4, 4), True))
    check_module_grads(nn.AdaptiveAvgPool2d(2), t64((1, 1, 3, 3), True))
    assert repr(nn.MaxPool2d(3, stride=2)) == \
        "MaxPool2d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.MaxPool2d((3, 2), stride=(2, 1))) == \
        ("MaxPool2d(kernel_size=(3, 2), stride=(2, 1), padding=0, dilation=1, "
         "ceil_mode=False)")
    assert repr(nn.MaxPool1d(3)) == \
        "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool1d(3, stride=2)) == \
        "AvgPool1d(kernel_size=(3,), stride=(2,), padding=(0,))"
    assert repr(nn.AvgPool2d(3, stride=2)) == "AvgPool2d(kernel_size=3, stride=2, padding=0)"
    assert repr(nn.AdaptiveAvgPool2d((5, 7))) == "AdaptiveAvgPool2d(output_size=(5, 7))"
    assert repr(nn.AdaptiveAvgPool1d(5)) == "AdaptiveAvgPool1d(output_size=5)"


# --- a small CNN end to end ---------------------------------------------------------------
def test_small_cnn_trains_one_step():
    model = nn.Sequential(OrderedDict([
        ("conv", nn.Conv2d(1, 4, 3, padding=1)), ("bn", nn.BatchNorm2d(4)),
        ("act", nn.ReLU()), ("pool", nn.MaxPool2d(2)), ("flat", nn.Flatten()),
        ("drop", nn.Dropout(0.1)), ("fc", nn.Linear(4 * 4 * 4, 3))]))
    x, y = fl.randn(5, 1, 8, 8), fl.tensor([0, 1, 2, 1, 0])
    loss = nn.CrossEntropyLoss()(model(x), y)
    loss.backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())
    assert model.bn.num_batches_tracked.item() == 1
    model.eval()
    assert model(x).shape == (5, 3)
