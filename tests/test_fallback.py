"""The opt-in CPU fallback on a backend whose memory is not host memory: in-place
writes land in the device tensor, creation and random ops fall back too, views raise
a clear error, and without the opt-in the error names the op and the backend."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import flambeau as fl
from flambeau.dispatcher import registry
from primitive_backend import PrimitiveBackend, unregister

LACKING = ("setitem_", "sin", "full", "normal", "permute")


class Lacking(PrimitiveBackend):
    """The primitive-only backend without a few primitives (its arrays are copies)."""

    name = "primitives-minus-some"

    def kernels(self) -> dict:
        table = super().kernels()
        for name in LACKING:
            del table[name]
        return table


@pytest.fixture
def lacking():
    fallback = fl.backends.cpu_fallback()
    warned = set(registry._fallback["warned"])
    fl.backends.register_backend(Lacking())
    try:
        yield "prim"
    finally:
        unregister()
        fl.backends.set_cpu_fallback(fallback)
        registry._fallback["warned"].clear()
        registry._fallback["warned"].update(warned)


def _on(dev, values, dtype=fl.float32):
    return fl.tensor(np.asarray(values), dtype=dtype).to(dev)


def test_without_the_opt_in_the_error_names_op_backend_and_fix(lacking):
    x = _on(lacking, [0.0, 1.0])
    with pytest.raises(NotImplementedError) as e:
        fl.sin(x)
    msg = str(e.value)
    assert "'sin'" in msg and "primitives-minus-some" in msg and "set_cpu_fallback" in msg


def test_inplace_writes_under_fallback_land_in_device_memory(lacking):
    fl.backends.set_cpu_fallback(True)
    x = _on(lacking, [1.0, 2.0, 3.0])
    with pytest.warns(UserWarning, match="setitem_"):
        x[1] = 7.0
    np.testing.assert_array_equal(x.cpu().numpy(), [1.0, 7.0, 3.0])
    x.fill_(4.0)
    np.testing.assert_array_equal(x.cpu().numpy(), [4.0, 4.0, 4.0])
    x.add_(1.0)  # a composite on the device (add + copy_), no fallback needed
    np.testing.assert_array_equal(x.cpu().numpy(), [5.0, 5.0, 5.0])
    x.sin_()  # sin on the CPU, the write back into device memory
    np.testing.assert_allclose(x.cpu().numpy(), np.sin([5.0, 5.0, 5.0]), rtol=1e-6)


def test_a_view_written_under_fallback_writes_its_base(lacking):
    fl.backends.set_cpu_fallback(True)
    base = _on(lacking, np.zeros((2, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base[1][2] = 5.0  # getitem is a real view on the device; setitem_ falls back
    np.testing.assert_array_equal(base.cpu().numpy(), [[0, 0, 0], [0, 0, 5.0]])


def test_an_optimizer_step_under_fallback_changes_the_parameters(lacking):
    fl.backends.set_cpu_fallback(True)
    w = _on(lacking, [1.0, -2.0]).requires_grad_()
    opt = fl.optim.SGD([w], lr=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (w * w).sum().backward()
        opt.step()
    np.testing.assert_allclose(w.detach().cpu().numpy(), [0.0, 0.0])


def test_creation_and_random_ops_fall_back(lacking):
    fl.backends.set_cpu_fallback(True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = fl.zeros(2, 3, device=lacking)
        r = fl.randn(1000, device=lacking)
    assert z.device.type == "prim" and r.device.type == "prim"
    np.testing.assert_array_equal(z.cpu().numpy(), np.zeros((2, 3), np.float32))
    host = r.cpu().numpy()
    assert abs(host.mean()) < 0.2 and 0.8 < host.std() < 1.2


def test_a_view_op_without_a_kernel_is_a_clear_error_under_fallback(lacking):
    fl.backends.set_cpu_fallback(True)
    x = _on(lacking, np.ones((2, 3)))
    with pytest.raises(NotImplementedError, match="view op permute"):
        x.permute(1, 0)


def test_fallback_warns_once_per_op(lacking):
    fl.backends.set_cpu_fallback(True)
    x = _on(lacking, [0.5])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fl.sin(x)
        fl.sin(x)
    assert sum("sin has no kernel" in str(w.message) for w in caught) == 1
