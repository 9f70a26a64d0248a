"""``fl.opencl``: what a user asks of the OpenCL backend, like ``torch.cuda``.

Example::

    >>> import flambeau as fl
    >>> fl.opencl.is_available(), fl.opencl.device_count()
    (True, 1)
    >>> fl.opencl.devices()
    ["opencl:0: pthread-AMD EPYC (Portable Computing Language)"]
    >>> y = fl.randn(1000, 1000, device="opencl") @ fl.randn(1000, 1000, device="opencl")
    >>> fl.opencl.synchronize()   # wait for the queued kernels (to time them)
"""

from __future__ import annotations

from . import runtime

__all__ = ["is_available", "device_count", "synchronize", "select", "devices", "stats",
           "reset_stats", "get_device_name", "empty_cache"]


def is_available() -> bool:
    """Whether pyopencl is installed and at least one OpenCL device is selected."""
    return runtime.available()


def device_count() -> int:
    """How many OpenCL devices are selected (``opencl:0`` .. ``opencl:N-1``)."""
    return len(runtime.devices())


def synchronize(device=None) -> None:
    """Wait until every kernel queued on ``device`` (default: all devices) is done.

    Ops return as soon as their kernels are queued; call this before reading a clock.
    """
    if device is None:
        for d in runtime.devices():
            d.synchronize()
        return
    runtime.device(_index(device)).synchronize()


def empty_cache() -> None:
    """Release the device memory the buffer pools keep for reuse (freed tensors'
    buffers stay pooled, like ``torch.cuda.empty_cache``)."""
    synchronize()
    for d in runtime.devices():
        if d._ctx is not None:
            d.pool.free_held()


def select(platform=None, devices=None) -> list[str]:
    """Choose the platform and devices that ``opencl:N`` name (see
    :func:`flambeau.backends.opencl.runtime.select`); returns their descriptions.

    Environment variables do the same without code: ``FLAMBEAU_OPENCL_PLATFORM``
    (index or part of the platform name) and ``FLAMBEAU_OPENCL_DEVICES``
    (comma-separated indices or parts of device names).
    """
    chosen = runtime.select(platform, devices)
    _refresh_backend()
    return [_describe(d) for d in chosen]


def devices() -> list[str]:
    """A description of each selected device, in ``opencl:N`` order."""
    return [_describe(d) for d in runtime.devices()]


def get_device_name(device=None) -> str:
    return runtime.device(_index(device)).name


def stats() -> dict:
    """What the backend has done since start (or :func:`reset_stats`): programs
    compiled, kernels launched, host reads (``.numpy()`` and friends), host writes,
    and size reads (the single integer that sizes ``nonzero``-like results)."""
    return dict(runtime.STATS)


def reset_stats() -> None:
    for k in runtime.STATS:
        runtime.STATS[k] = 0


def _describe(d) -> str:
    return f"opencl:{d.index}: {d.name} ({d.platform_name})"


def _index(device) -> int:
    if device is None:
        return 0
    if isinstance(device, int):
        return device
    from ...dispatcher.devices import as_device
    dev = as_device(device)
    return dev.index or 0


def _refresh_backend() -> None:
    """Re-register the backend after a new selection (its dtypes may change), and
    drop the default generators made for the devices of the old selection."""
    from ...dispatcher import registry
    from ...frontend import random as fl_random
    from . import OpenCLBackend
    for dev in [d for d in fl_random._defaults if d.type == "opencl"]:
        del fl_random._defaults[dev]
    if runtime.available():
        registry.register_backend(OpenCLBackend(runtime.devices()), override=True)
    elif "opencl" in registry.backends():
        registry.unregister_backend("opencl")
