"""The OpenCL backend (device type ``opencl``), registered through the
``flambeau.backends`` entry point like the NumPy one.

Tensors live in OpenCL buffers described by :class:`~.array.CLArray` records; every
op is a generated OpenCL kernel (see the modules of this package, one per job), so
nothing goes through the host except what the user asks for (``.numpy()``,
``.item()``, ``.tolist()``, printing, ``.to("cpu")``) and the one integer that sizes
the output of ``nonzero``/``masked_select``/``unique``/``getitem`` with a mask.

Without pyopencl, or without an OpenCL platform and device, the plugin registers
nothing and ``fl.opencl.is_available()`` is false.

Pick the platform and devices with ``FLAMBEAU_OPENCL_PLATFORM`` and
``FLAMBEAU_OPENCL_DEVICES`` (or ``fl.opencl.select``); see :mod:`.runtime`.
"""

from __future__ import annotations

import numpy as np

from ...plugins.hookspecs import hookimpl
from . import runtime

__all__ = ["OpenCLBackend", "flambeau_backends"]

_ALL_DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
               "float32", "float64")


class OpenCLBackend:
    """Serves ``opencl`` devices with generated OpenCL kernels.

    Attributes:
        dtypes: what every selected device can hold: float16 needs ``cl_khr_fp16``
            and float64 ``cl_khr_fp64``.
        dtype_notes: dtype name -> why a dtype is missing (the extension a device
            lacks); the dispatcher adds it to its "cannot hold" errors.
    """

    name = "opencl"
    device_type = "opencl"
    dlpack_device_type = None

    def __init__(self, devices):
        # one dtype list for the backend: what every selected device can hold
        self.dtype_notes = runtime.extension_notes(devices)
        self.dtype_notes["bfloat16"] = ("OpenCL C has no bfloat16 type; use float16 or "
                                        "float32 on OpenCL")
        self.dtypes = tuple(d for d in _ALL_DTYPES if d not in self.dtype_notes)

    def device_count(self) -> int:
        return len(runtime.devices())

    def from_numpy(self, array, index: int = 0):
        from .array import from_host
        return from_host(np.asarray(array), runtime.device(index))

    def to_numpy(self, native):
        from .array import to_host
        return to_host(native)

    def strides(self, native) -> tuple:
        return tuple(native.strides)

    def make_generator(self, seed: int, index: int = 0):
        from .random import PhiloxGenerator
        return PhiloxGenerator(seed, runtime.device(index))

    def kernels(self) -> dict:
        from . import (creation, elementwise, gemm, indexing, nn, random, reductions,
                       scans, shape, sort)
        table = {}
        for mod in (elementwise, shape, creation, indexing, reductions, scans, gemm,
                    random, nn, sort):
            table.update(mod.kernels())
        return table

    def synchronize(self, index: int | None = None) -> None:
        """Wait for the queued kernels of one device (all when ``index`` is None)."""
        for d in runtime.devices() if index is None else [runtime.device(index)]:
            d.synchronize()


@hookimpl
def flambeau_backends():
    if not runtime.available():
        return []
    return [OpenCLBackend(runtime.devices())]
