"""A second, real backend for tests that need two device types.

``FakeDevBackend`` serves the device type ``"fakedev"`` (two devices) with the shared
NumPy kernels, but with its own memory (it copies on the way in), only some dtypes and
without a few kernels, so tests can see mixed-device errors, unsupported dtypes, missing
kernels and the CPU fallback. The ``fakedev`` fixture registers it and puts the registry
back as it was afterwards.

Import the fixture into a test module with ``from fakedev_backend import fakedev``.
"""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fl
from flambeau.backends.numpy import NumpyBackend
from flambeau.dispatcher import registry
from flambeau.frontend import random as fl_random

DEVICE_TYPE = "fakedev"
# ops deliberately left out of the fake backend's kernel table
MISSING_OPS = ("sin", "cos", "exp", "matmul", "sort", "cumsum")
# dtypes the fake device can hold (no int32, uint8, int8, int16, float16)
DTYPES = ("bool", "int64", "float32", "float64")


class FakeDevBackend(NumpyBackend):
    """NumPy kernels serving ``fakedev``: two devices, separate memory, fewer kernels."""

    name = "fakedev-numpy"
    device_type = DEVICE_TYPE
    dtypes = DTYPES
    dlpack_device_type = None

    def device_count(self) -> int:
        return 2

    def from_numpy(self, array, index: int = 0):
        return np.array(array, copy=True)

    def to_numpy(self, native):
        return native

    def kernels(self) -> dict:
        table = super().kernels()
        for name in MISSING_OPS:
            table.pop(name, None)
        return table


def unregister(device_type: str) -> None:
    """Remove a backend that a test registered, and its default generators."""
    if device_type in fl.backends.available():
        fl.backends.unregister_backend(device_type)
    for dev in [d for d in fl_random._defaults if d.type == device_type]:
        del fl_random._defaults[dev]


@pytest.fixture
def fakedev():
    """Register :class:`FakeDevBackend` for one test; restore registry and fallback."""
    assert DEVICE_TYPE not in fl.backends.available()
    fallback = fl.backends.cpu_fallback()
    warned = set(registry._fallback["warned"])
    backend = FakeDevBackend()
    fl.backends.register_backend(backend)
    try:
        yield backend
    finally:
        unregister(DEVICE_TYPE)
        fl.backends.set_cpu_fallback(fallback)
        registry._fallback["warned"].clear()
        registry._fallback["warned"].update(warned)
