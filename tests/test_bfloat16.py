"""bfloat16: storage through ml_dtypes, float32 compute on the CPU, PyTorch's promotion.

References: ml_dtypes' own float32 -> bfloat16 rounding (round to nearest even) applied
to a float32 NumPy computation on the same (already bfloat16) values, which is how
PyTorch's CPU kernels compute bfloat16; PyTorch's documented promotion table; the
safetensors reader for files.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
import safetensors.numpy

import flambeau as fl
import flambeau.nn.functional as F
from flambeau.backends.opencl import api as opencl

BF16 = ml_dtypes.bfloat16


def _bf16(shape, seed=0, low=-2.0, high=2.0):
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, size=shape).astype(np.float32).astype(BF16)


def _ref(fn, *arrays):
    """``fn`` in float32 on the bfloat16 values, rounded to bfloat16 once."""
    return np.asarray(fn(*(a.astype(np.float32) for a in arrays))).astype(BF16)


def test_bfloat16_is_a_16_bit_float_with_float32_range():
    d = fl.bfloat16
    assert d.is_floating_point and d.itemsize == 2 and repr(d) == "flambeau.bfloat16"
    info = fl.finfo(fl.bfloat16)
    assert info.bits == 16
    assert info.eps == float(ml_dtypes.finfo(BF16).eps)
    assert info.max == float(ml_dtypes.finfo(BF16).max)
    assert info.tiny == float(ml_dtypes.finfo(BF16).tiny)


@pytest.mark.parametrize("a, b, want", [
    ("bfloat16", "float16", "float32"),     # neither holds the other
    ("bfloat16", "float32", "float32"),
    ("bfloat16", "float64", "float64"),
    ("bfloat16", "int64", "bfloat16"),
    ("bfloat16", "uint8", "bfloat16"),
    ("bfloat16", "bool", "bfloat16"),
    ("bfloat16", "bfloat16", "bfloat16"),
])
def test_promotion_follows_pytorch(a, b, want):
    da, db = getattr(fl, a), getattr(fl, b)
    assert fl.promote_types(da, db) is getattr(fl, want)
    assert fl.promote_types(db, da) is getattr(fl, want)
    x, y = fl.ones(2, dtype=da), fl.ones(2, dtype=db)
    assert (x + y).dtype is getattr(fl, want)


def test_python_scalars_and_zero_dim_tensors_keep_bfloat16():
    x = fl.ones(3, dtype=fl.bfloat16)
    assert (x * 2.5).dtype is fl.bfloat16
    assert (x + fl.tensor(1.0, dtype=fl.float64)).dtype is fl.bfloat16
    assert (fl.ones(3, dtype=fl.int32) * fl.tensor(2.0, dtype=fl.bfloat16)).dtype \
        is fl.bfloat16


@pytest.mark.parametrize("name, fn, ref", [
    ("add", lambda a, b: a + b, lambda a, b: a + b),
    ("mul", lambda a, b: a * b, lambda a, b: a * b),
    ("div", lambda a, b: a / b, lambda a, b: a / b),
    ("matmul", lambda a, b: a @ b.T, lambda a, b: a @ b.T),
    ("maximum", fl.maximum, np.maximum),
])
def test_binary_ops_compute_in_float32_and_round_once(name, fn, ref):
    a, b = _bf16((4, 5), 1), _bf16((4, 5), 2, 0.5, 2.0)
    out = fn(fl.tensor(a), fl.tensor(b))
    assert out.dtype is fl.bfloat16
    np.testing.assert_array_equal(out.numpy().astype(np.float32),
                                  _ref(ref, a, b).astype(np.float32))


@pytest.mark.parametrize("name, fn, ref", [
    ("exp", fl.exp, np.exp),
    ("tanh", fl.tanh, np.tanh),
    ("sum", lambda x: x.sum(), np.sum),
    ("mean over dim", lambda x: x.mean(1), lambda x: x.mean(1)),
    ("cumsum", lambda x: x.cumsum(0), lambda x: x.cumsum(0)),
    ("softmax", lambda x: F.softmax(x, dim=1),
     lambda x: np.exp(x - x.max(1, keepdims=True))
     / np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True)),
])
def test_unary_and_reduction_ops(name, fn, ref):
    a = _bf16((6, 7), 3)
    out = fn(fl.tensor(a))
    assert out.dtype is fl.bfloat16
    # one rounding of a float32 result: at most half a bfloat16 ulp apart
    np.testing.assert_allclose(out.numpy().astype(np.float32),
                               _ref(ref, a).astype(np.float32), rtol=2**-8, atol=1e-6)


def test_sum_accumulates_in_float32():
    # 4096 ones: a bfloat16 accumulator would stall at 256
    x = fl.ones(4096, dtype=fl.bfloat16)
    assert x.sum().item() == 4096.0


def test_views_share_memory_and_inplace_writes_land():
    x = fl.zeros(4, 4, dtype=fl.bfloat16)
    x.T[0].fill_(1.5)
    x[1, 1] = 3.0
    x.add_(1.0)
    x[2:].mul_(2.0)
    want = np.ones((4, 4), np.float32)
    want[:, 0] += 1.5
    want[1, 1] = 4.0
    want[2:] *= 2
    np.testing.assert_array_equal(x.numpy().astype(np.float32), want)
    assert x.dtype is fl.bfloat16


def test_conversions_printing_and_values():
    x = fl.tensor([1.0, 2.0, 3.3333]).bfloat16()
    assert x.dtype is fl.bfloat16
    assert x.tolist() == [1.0, 2.0, float(np.float32(3.3333).astype(BF16))]
    assert repr(x) == "tensor([1.0000, 2.0000, 3.3281], dtype=flambeau.bfloat16)"
    assert fl.tensor(np.array([1.5], dtype=BF16)).dtype is fl.bfloat16
    assert x.float().dtype is fl.float32 and x.float()[2].item() == 3.328125
    assert fl.zeros(2, dtype=fl.bfloat16).sum().item() == 0.0


def test_autograd_gives_bfloat16_gradients_close_to_float32():
    a32 = fl.tensor(_bf16((3, 4), 5).astype(np.float32), requires_grad=True)
    b32 = fl.tensor(_bf16((4, 2), 6).astype(np.float32))
    a = a32.detach().bfloat16().requires_grad_()
    (a @ b32.bfloat16()).tanh().sum().backward()
    (a32 @ b32).tanh().sum().backward()
    assert a.grad.dtype is fl.bfloat16
    np.testing.assert_allclose(a.grad.float().numpy(), a32.grad.numpy(), rtol=2e-2,
                               atol=2e-2)


def test_a_bfloat16_model_trains():
    fl.manual_seed(0)
    model = fl.nn.Linear(3, 1).to(fl.bfloat16)
    opt = fl.optim.SGD(model.parameters(), lr=0.1)
    x = fl.randn(64, 3).bfloat16()
    y = x @ fl.tensor([[1.0], [-2.0], [0.5]]).bfloat16()
    first = None
    for _ in range(50):
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert model.weight.dtype is fl.bfloat16
    assert loss.item() < 0.05 * first


def test_safetensors_files_hold_bf16(tmp_path):
    a = _bf16((3, 2), 7)
    path = tmp_path / "w.safetensors"
    fl.save({"w": fl.tensor(a)}, path)
    # read back with safetensors' own reader: the file says BF16 and holds these bits
    raw = safetensors.numpy.load_file(str(path))["w"]
    assert raw.dtype == np.dtype(BF16)
    np.testing.assert_array_equal(raw.view(np.uint16), a.view(np.uint16))
    back = fl.load(path)["w"]
    assert back.dtype is fl.bfloat16
    np.testing.assert_array_equal(back.numpy().view(np.uint16), a.view(np.uint16))
    # and a BF16 file written by safetensors itself loads
    safetensors.numpy.save_file({"v": a}, str(tmp_path / "v.safetensors"))
    v = fl.load(tmp_path / "v.safetensors")["v"]
    assert v.dtype is fl.bfloat16


def test_dlpack_refuses_bfloat16_clearly():
    with pytest.raises(BufferError, match="bfloat16.*float\\(\\)"):
        fl.ones(2, dtype=fl.bfloat16).__dlpack__()


@pytest.mark.skipif(not opencl.is_available(), reason="no OpenCL device")
def test_opencl_says_it_cannot_hold_bfloat16():
    with pytest.raises(TypeError, match="cannot hold bfloat16.*OpenCL C has no bfloat16"):
        fl.zeros(2, dtype=fl.bfloat16, device="opencl")
    with pytest.raises(TypeError, match="bfloat16"):
        fl.ones(2, dtype=fl.bfloat16).to("opencl")
