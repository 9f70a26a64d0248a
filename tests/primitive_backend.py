"""A backend that implements only ``fl.backends.primitives()``, in memory of its own.

``PrimitiveBackend`` serves the device type ``"prim"``. Its native array is a small
box around a NumPy array: ``from_numpy`` and ``to_numpy`` copy, so nothing it holds is
host memory that flambeau could write through by accident (as on a real accelerator),
while views share the boxed array's memory the way a device's views share its buffer.
Its kernels are the shared NumPy ones for the primitive rows only; every other row runs
through the composites. The ``prim`` fixture registers it for one test.
"""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fl
from flambeau.backends.xp import kernels as xp_kernels
from flambeau.backends import primitives
from flambeau.frontend import random as fl_random

DEVICE_TYPE = "prim"


class Box:
    """A native array of the ``prim`` device: NumPy memory that flambeau cannot see."""

    __slots__ = ("a",)

    def __init__(self, a):
        self.a = a

    @property
    def shape(self):
        return self.a.shape

    @property
    def dtype(self):
        return self.a.dtype

    def __repr__(self) -> str:
        return f"Box({self.a!r})"


def _unbox(x):
    if x.__class__ is Box:
        return x.a
    if x.__class__ is tuple:
        return tuple(_unbox(v) for v in x)
    if x.__class__ is list:
        return [_unbox(v) for v in x]
    return x


def _box(r):
    if r is None or r.__class__ is Box:
        return r
    if r.__class__ is tuple:
        return tuple(_box(v) for v in r)
    return Box(np.asarray(r))


def _boxed(fn):
    def kernel(*args, **kwargs):
        return _box(fn(*[_unbox(a) for a in args],
                       **{k: _unbox(v) for k, v in kwargs.items()}))
    kernel.__name__ = getattr(fn, "__name__", "kernel")
    return kernel


class PrimitiveBackend:
    """Serves ``prim`` with the primitive kernels only, in memory that is not shared."""

    name = "primitives-only"
    device_type = DEVICE_TYPE
    dtypes = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
              "float64", "complex64", "complex128")

    def device_count(self) -> int:
        return 1

    def from_numpy(self, array, index: int = 0):
        return Box(np.array(array, copy=True))

    def to_numpy(self, native):
        return native.a.copy()

    def strides(self, native) -> tuple:
        size = native.a.itemsize
        return tuple(s // size for s in native.a.strides)

    def make_generator(self, seed: int, index: int = 0):
        return np.random.Generator(np.random.PCG64(seed))

    def kernels(self) -> dict:
        table = xp_kernels(np)
        return {name: _boxed(table[name]) for name in primitives()}


def unregister() -> None:
    if DEVICE_TYPE in fl.backends.available():
        fl.backends.unregister_backend(DEVICE_TYPE)
    for dev in [d for d in fl_random._defaults if d.type == DEVICE_TYPE]:
        del fl_random._defaults[dev]


@pytest.fixture
def prim():
    """Register :class:`PrimitiveBackend` for one test (or module) and remove it after."""
    backend = PrimitiveBackend()
    fl.backends.register_backend(backend)
    try:
        yield backend
    finally:
        unregister()
