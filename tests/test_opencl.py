"""The OpenCL backend beyond the conformance kit: agreement with the CPU on whole
computations, views on the device, layouts, device selection, the kernel cache,
Philox streams, and that ops never move data through the host.

Skipped where pyopencl or an OpenCL device is missing (CI runs it on POCL).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import flambeau as fl
import flambeau.nn as nn
import flambeau.nn.functional as F
from flambeau.backends.opencl import api as opencl
from flambeau.backends.opencl import runtime

pytestmark = pytest.mark.skipif(not opencl.is_available(),
                                reason="no OpenCL platform/device (or no pyopencl)")

CL = "opencl"


def _pair(a: np.ndarray, requires_grad: bool = False):
    """The same values as a CPU tensor and an OpenCL tensor."""
    return (fl.tensor(a, requires_grad=requires_grad),
            fl.tensor(a, device=CL, requires_grad=requires_grad))


def _close(t_cl, t_cpu, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(t_cl.detach().cpu().numpy(), t_cpu.detach().numpy(),
                               rtol=rtol, atol=atol)


def _run(code: str, **env) -> str:
    """Run ``code`` in a fresh interpreter (device selection happens once per
    process) and return its stdout."""
    full = dict(os.environ, **env)
    out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


# --- the same computations on cpu and opencl -------------------------------------------

def test_mlp_forward_backward_agrees_with_cpu():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 8)).astype(np.float32), rng.integers(0, 4, 16)
    fl.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
    twin = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
    twin.load_state_dict(model.state_dict())
    twin.to(CL)
    losses = []
    for m, dev in ((model, "cpu"), (twin, CL)):
        loss = F.cross_entropy(m(fl.tensor(x, device=dev)), fl.tensor(y, device=dev))
        loss.backward()
        losses.append(loss)
    _close(losses[1], losses[0])
    for p_cpu, p_cl in zip(model.parameters(), twin.parameters()):
        assert p_cl.device.type == CL and p_cl.grad.device.type == CL
        _close(p_cl.grad, p_cpu.grad, rtol=1e-4, atol=1e-6)


def test_conv2d_forward_backward_agrees_with_cpu():
    rng = np.random.default_rng(1)
    x_cpu, x_cl = _pair(rng.standard_normal((2, 3, 9, 8)).astype(np.float32), True)
    w_cpu, w_cl = _pair(rng.standard_normal((5, 3, 3, 3)).astype(np.float32), True)
    b_cpu, b_cl = _pair(rng.standard_normal(5).astype(np.float32), True)
    outs = [F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2))
            for x, w, b in ((x_cpu, w_cpu, b_cpu), (x_cl, w_cl, b_cl))]
    _close(outs[1], outs[0], rtol=1e-4, atol=1e-5)
    for o in outs:
        (o * o).sum().backward()
    for a, b in ((x_cl, x_cpu), (w_cl, w_cpu), (b_cl, b_cpu)):
        _close(a.grad, b.grad, rtol=1e-4, atol=1e-4)


def test_pooling_and_softmax_cross_entropy_agree_with_cpu():
    rng = np.random.default_rng(2)
    x_cpu, x_cl = _pair(rng.standard_normal((3, 2, 6, 6)).astype(np.float32), True)
    target = rng.integers(0, 8, 3)
    losses = []
    for x, dev in ((x_cpu, "cpu"), (x_cl, CL)):
        logits = F.max_pool2d(x, 2).flatten(1)[:, :8] + F.avg_pool2d(x, 3).sum()
        losses.append(F.cross_entropy(logits, fl.tensor(target, device=dev),
                                      label_smoothing=0.1))
        losses[-1].backward()
    _close(losses[1], losses[0])
    _close(x_cl.grad, x_cpu.grad, rtol=1e-4, atol=1e-6)


def test_float64_gradients_agree_with_cpu():
    rng = np.random.default_rng(3)
    a_cpu, a_cl = _pair(rng.standard_normal((4, 5)), True)
    for a in (a_cpu, a_cl):
        (a.softmax(1) * a.tanh()).logsumexp(0).sum().backward()
    _close(a_cl.grad, a_cpu.grad, rtol=1e-10, atol=1e-12)


# --- views, layouts, broadcasting ------------------------------------------------------

def test_views_share_memory_on_the_device():
    x = fl.arange(12, dtype=fl.float32, device=CL).reshape(3, 4)
    views = [x[1], x.T, x[:, 1::2], x.diagonal(), x.view(2, 6), x.unsqueeze(0)]
    for v in views:  # the same OpenCL buffer, no copy
        assert v._data.buf is x._data.buf
    x[1].fill_(-1.0)
    x.T[0].fill_(5.0)            # column 0 of x, through a transposed view
    x.diagonal().mul_(10)
    expected = np.arange(12, dtype=np.float32).reshape(3, 4)
    expected[1] = -1
    expected[:, 0] = 5
    expected[[0, 1, 2], [0, 1, 2]] *= 10
    np.testing.assert_array_equal(x.cpu().numpy(), expected)
    np.testing.assert_array_equal(x[:, 1::2].cpu().numpy(), expected[:, 1::2])


def test_non_contiguous_and_broadcast_inputs():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((6, 5)).astype(np.float32)
    b = rng.standard_normal((5,)).astype(np.float32)
    c = rng.standard_normal((4, 1, 6)).astype(np.float32)
    ta, tb, tc = (fl.tensor(v, device=CL) for v in (a, b, c))
    got = (ta.T[::2] * 2 + tc[..., ::2].transpose(1, 2) - tb[:3, None]).cpu().numpy()
    want = a.T[::2] * 2 + np.swapaxes(c[..., ::2], 1, 2) - b[:3, None]
    np.testing.assert_allclose(got, want, rtol=1e-6)
    np.testing.assert_allclose((ta.T @ ta[:, ::2]).cpu().numpy(), a.T @ a[:, ::2],
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ta.T.sum(1).cpu().numpy(), a.sum(0), rtol=1e-5)
    e = tb.expand(3, 5)
    assert e.stride() == (0, 1) and e._data.buf is tb._data.buf
    np.testing.assert_allclose(e.cumsum(0).cpu().numpy(), np.cumsum(np.broadcast_to(b, (
        3, 5)), 0), rtol=1e-6)
    with pytest.raises(RuntimeError):  # writing into an expanded view is refused
        e.add_(1.0)


def test_large_tiled_matmul_with_batch_broadcast():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((2, 1, 70, 130)).astype(np.float32)
    b = rng.standard_normal((3, 130, 90)).astype(np.float32)
    got = (fl.tensor(a, device=CL) @ fl.tensor(b, device=CL).mT.mT).cpu().numpy()
    np.testing.assert_allclose(got, a @ b, rtol=1e-4, atol=1e-4)


# --- devices ----------------------------------------------------------------------------

def test_device_api():
    assert opencl.device_count() >= 1 and fl.backends.backend_for(CL).device_count() >= 1
    assert fl.zeros(2, device=CL).device == fl.device("opencl:0")
    assert opencl.devices()[0].startswith("opencl:0: ")
    opencl.synchronize()
    opencl.synchronize("opencl:0")
    opencl.empty_cache()
    with pytest.raises(RuntimeError, match="does not exist"):
        fl.zeros(1, device=f"opencl:{opencl.device_count()}")


def test_device_selection_by_environment():
    code = ("import flambeau as fl; from flambeau.backends.opencl import api; "
            "print(api.is_available(), 'opencl' in fl.backends.available(), "
            "api.device_count())")
    assert _run(code, FLAMBEAU_OPENCL_PLATFORM="no such platform") == "False False 0"
    assert _run(code, FLAMBEAU_OPENCL_DEVICES="no such device") == "False False 0"
    platform = runtime.device(0).platform_name.split()[0]
    assert _run(code, FLAMBEAU_OPENCL_PLATFORM=platform,
                FLAMBEAU_OPENCL_DEVICES="0") == "True True 1"


def test_device_selection_api():
    code = ("import flambeau as fl; from flambeau.backends.opencl import api; "
            "print(api.select(devices=['no such device']), "
            "'opencl' in fl.backends.available()); "
            "print(len(api.select(platform=0, devices='0')), "
            "'opencl' in fl.backends.available(), fl.ones(2, device='opencl').sum().item())")
    assert _run(code).splitlines() == ["[] False", "1 True 2.0"]


def test_missing_pyopencl_registers_nothing():
    code = ("import sys; sys.modules['pyopencl'] = None; import flambeau as fl; "
            "from flambeau.backends.opencl import api; "
            "print(fl.backends.available(), api.is_available(), "
            "fl.ones(2).sum().item())")
    assert _run(code) == "['cpu'] False 2.0"


def test_missing_dtype_names_the_extension():
    b = fl.backends.backend_for(CL)
    dev = runtime.device(0)
    for name, ext, has in (("float16", "cl_khr_fp16", dev.fp16),
                           ("float64", "cl_khr_fp64", dev.fp64)):
        dtype = getattr(fl, name)
        if has:
            assert dtype in b.supported_dtypes
            continue
        with pytest.raises(TypeError, match=ext):
            fl.zeros(2, dtype=dtype, device=CL)
        with pytest.raises(TypeError, match=ext):
            fl.ones(2, device=CL).to(dtype)


# --- kernel cache, random numbers, host traffic ------------------------------------------

def test_second_call_compiles_nothing():
    x = fl.randn(7, 3, device=CL)
    ((x * 2).exp().sum(0) @ x.T[:, :3]).softmax(0)
    before = opencl.stats()["compiles"]
    y = fl.randn(5, 4, device=CL)          # other shapes reuse the same kernels
    ((y * 2).exp().sum(0) @ y.T[:, :4]).softmax(0)
    assert opencl.stats()["compiles"] == before
    assert os.environ.get("POCL_CACHE_DIR")  # compiled kernels also persist on disk


def test_philox_streams_follow_the_seed():
    def draws():
        return [f(device=CL).cpu().numpy() for f in (
            lambda **k: fl.rand(1000, **k), lambda **k: fl.randn(3, 5, **k),
            lambda **k: fl.randint(0, 10, (50,), **k), lambda **k: fl.randperm(20, **k))]
    fl.manual_seed(123)
    first = draws()
    fl.manual_seed(123)
    second = draws()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    fl.manual_seed(124)
    assert not np.array_equal(draws()[0], first[0])
    assert np.array_equal(np.sort(first[3]), np.arange(20))
    u = first[0]
    assert 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.05
    g1, g2 = fl.Generator(CL).manual_seed(7), fl.Generator(CL).manual_seed(7)
    np.testing.assert_array_equal(fl.rand(9, generator=g1, device=CL).cpu().numpy(),
                                  fl.rand(9, generator=g2, device=CL).cpu().numpy())
    drop = F.dropout(fl.ones(10000, device=CL), 0.25).cpu().numpy()
    assert set(np.unique(drop).tolist()) <= {0.0, float(np.float32(1 / 0.75))}
    assert abs((drop == 0).mean() - 0.25) < 0.03


def test_philox_matches_random123():
    # Random123's known answer for Philox4x32-10 at counter 0, key 0; seed 0 is key 0,
    # and rand() keeps the top 24 bits of each word: x = (word >> 8) / 2**24
    words = [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]
    g = fl.Generator(CL).manual_seed(0)
    got = fl.rand(4, generator=g, device=CL).cpu().numpy()
    np.testing.assert_array_equal(got, np.array([(w >> 8) / 2 ** 24 for w in words],
                                                np.float32))


def test_ops_make_no_host_round_trips():
    fl.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3)).to(CL)
    x = fl.randn(8, 6, device=CL)
    target = fl.randn(8, 3, device=CL)
    opencl.reset_stats()
    out = model(x).log_softmax(1)
    loss = F.mse_loss(out, target) + out.amax(1).mean() + x.T.matmul(x).norm()
    loss.backward()
    fl.optim.SGD(model.parameters(), lr=0.1).step()
    s = opencl.stats()
    assert s["launches"] > 10
    assert s["host_reads"] == 0 and s["host_writes"] == 0 and s["size_reads"] == 0
    loss.item()  # the user asks for host data: one read
    assert opencl.stats()["host_reads"] == 1


def test_data_dependent_shapes_read_only_a_size():
    x = fl.tensor([[0, 3, 0], [4, 0, 5]], device=CL)
    opencl.reset_stats()
    nz, sel, uq = x.nonzero(), x[x > 0], x.unique()
    s = opencl.stats()
    assert s["host_reads"] == 0 and s["size_reads"] == 3
    assert nz.cpu().tolist() == [[0, 1], [1, 0], [1, 2]]
    assert sel.cpu().tolist() == [3, 4, 5] and uq.cpu().tolist() == [0, 3, 4, 5]
