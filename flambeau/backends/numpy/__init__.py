"""The CPU backend on NumPy, registered through the ``flambeau.backends`` entry point."""

from __future__ import annotations

import numpy as np

from ...plugins.hookspecs import hookimpl
from ..xp import kernels as xp_kernels
from . import bfloat16

__all__ = ["NumpyBackend", "flambeau_backends", "keep_freed_memory"]

_MB = 1 << 20


def keep_freed_memory(threshold: int = 64 * _MB) -> bool:
    """Let glibc reuse freed NumPy buffers instead of returning them to the OS.

    By default glibc serves every allocation above 128 KiB with a fresh ``mmap`` and
    unmaps it on free, so each large temporary of a training step costs page faults.
    Raising the mmap and trim thresholds keeps such blocks in the heap for the next
    step; this is the CPU backend's memory pool. Set ``FLAMBEAU_MALLOC_TUNING=0`` to
    leave malloc alone. Returns whether the setting took effect (glibc only).
    """
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        m_trim_threshold, m_mmap_threshold = -1, -3
        ok = libc.mallopt(m_mmap_threshold, threshold) == 1
        return ok and libc.mallopt(m_trim_threshold, 2 * threshold) == 1
    except (OSError, AttributeError):
        return False

_ndarray = np.ndarray
_asarray = np.asarray


def _arrays_out(fn):
    # NumPy hands back scalars for 0-d results; the kernel contract wants arrays.
    def kernel(*args, **kwargs):
        r = fn(*args, **kwargs)
        if r.__class__ is _ndarray:
            return r
        if r.__class__ is tuple:
            return tuple(x if x is None or x.__class__ is _ndarray else _asarray(x)
                         for x in r)
        return _asarray(r)
    kernel.__name__ = getattr(fn, "__name__", "kernel")
    kernel.__wrapped__ = fn
    return kernel


class NumpyBackend:
    """Serves ``cpu`` with NumPy arrays; ``from_numpy`` shares memory."""

    name = "numpy"
    device_type = "cpu"
    dtypes = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
              "float32", "float64", "complex64", "complex128")
    dlpack_device_type = 1

    def device_count(self) -> int:
        return 1

    def from_numpy(self, array, index: int = 0):
        return array

    def to_numpy(self, native):
        return native

    def strides(self, native) -> tuple:
        size = native.itemsize
        return tuple(s // size for s in native.strides)

    def from_dlpack(self, obj):
        return np.from_dlpack(obj)

    def make_generator(self, seed: int, index: int = 0):
        return np.random.Generator(np.random.PCG64(seed))

    def kernels(self) -> dict:
        from .fft import kernels as fft_kernels
        table = dict(xp_kernels(np))
        table.update(fft_kernels())
        out = {}
        for name, fn in table.items():
            fn = _arrays_out(fn)
            out[name] = {d: fn for d in self.dtypes if d != "bfloat16"}
            bf16 = bfloat16.kernel(name, fn)
            if bf16 is not None:
                out[name]["bfloat16"] = bf16
        return out


@hookimpl
def flambeau_backends():
    import os
    if os.environ.get("FLAMBEAU_MALLOC_TUNING", "1") != "0":
        keep_freed_memory()
    return [NumpyBackend()]
