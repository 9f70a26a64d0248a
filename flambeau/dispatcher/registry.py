"""Backends and kernel tables: who serves (op, device type, dtype).

The plugin manager (``flambeau.plugins``) hands backend objects to
:func:`register_backend`; this module copies their kernels into each op's plain dict
table, so dispatch is a couple of dict lookups and never a pluggy call.
"""

from __future__ import annotations

import warnings
from typing import Any

from .dtypes import ALL_DTYPES, DType, dtype_from_name
from .optable import OPS, op as op_row

__all__ = ["register_backend", "unregister_backend", "backend_for", "backends", "explain",
           "cpu_fallback",
           "set_cpu_fallback", "REQUIRED_METHODS", "dtype_note"]

# device type -> backend object
_BACKENDS: dict[str, Any] = {}
_fallback = {"on": False, "warned": set()}

REQUIRED_METHODS = ("device_count", "from_numpy", "to_numpy", "kernels")


def _supported_dtypes(backend) -> tuple[DType, ...]:
    names = getattr(backend, "dtypes", None)
    if names is None:
        return ALL_DTYPES
    return tuple(dtype_from_name(n) if isinstance(n, str) else n for n in names)


def register_backend(backend, *, replace: bool = False) -> None:
    """Make ``backend`` serve its device type: fill every op's kernel table from it.

    Args:
        backend: an object with ``name``, ``device_type``, optional ``dtypes`` (names),
            and the methods ``device_count()``, ``from_numpy(array, index)``,
            ``to_numpy(native)``, ``kernels()`` (see ``flambeau.plugins.hookspecs``).
        replace: allow replacing an existing backend of the same device type.

    Raises:
        TypeError: when the object lacks part of the backend interface.
        ValueError: when the device type is taken and ``replace`` is false, or when
            the backend names a kernel for an op that is not in the op table.
    """
    missing = [m for m in ("name", "device_type") + REQUIRED_METHODS
               if not hasattr(backend, m)]
    if missing:
        raise TypeError(f"register_backend(): {backend!r} lacks {', '.join(missing)}; "
                        f"see flambeau.plugins.hookspecs.Backend for the interface")
    dtype_ = backend.device_type
    if dtype_ in _BACKENDS and not replace:
        raise ValueError(f"register_backend(): device type {dtype_!r} is already served "
                         f"by backend {_BACKENDS[dtype_].name!r}; pass replace=True to "
                         f"swap it")
    supported = _supported_dtypes(backend)
    table = backend.kernels()
    unknown = [n for n in table if n not in OPS]
    if unknown:
        raise ValueError(f"register_backend(): backend {backend.name!r} has kernels for "
                         f"ops not in the op table: {', '.join(sorted(unknown))}")
    # Build every table first, install after: a failure leaves nothing half-registered.
    new_tables = {}
    for name, entry in table.items():
        if callable(entry):
            per_dtype = {d: entry for d in supported}
        else:
            per_dtype = {dtype_from_name(k) if isinstance(k, str) else k: fn
                         for k, fn in entry.items()}
        new_tables[name] = per_dtype
    for row in OPS.values():
        row.kernels.pop(dtype_, None)
    for name, per_dtype in new_tables.items():
        OPS[name].kernels[dtype_] = per_dtype
    backend.supported_dtypes = supported
    _BACKENDS[dtype_] = backend


def dtype_note(backend, dtype: DType) -> str:
    """Why ``backend`` cannot hold ``dtype`` (its optional ``dtype_notes``, e.g. the
    OpenCL extension a device lacks) as ``" (reason)"``, or ``""``."""
    note = getattr(backend, "dtype_notes", {}).get(dtype.name)
    return f" ({note})" if note else ""


def unregister_backend(device_type: str) -> None:
    """Remove the backend serving ``device_type`` and its kernels from every op.

    Raises:
        KeyError: when no backend serves ``device_type``.
    """
    if device_type not in _BACKENDS:
        raise KeyError(f"unregister_backend(): no backend serves {device_type!r}")
    for row in OPS.values():
        row.kernels.pop(device_type, None)
    del _BACKENDS[device_type]


def backends() -> dict[str, Any]:
    """Registered backends by device type (a copy)."""
    return dict(_BACKENDS)


def backend_for(device_type: str):
    """The backend serving ``device_type``; ``RuntimeError`` naming the known ones."""
    b = _BACKENDS.get(device_type)
    if b is None:
        known = ", ".join(sorted(_BACKENDS)) or "none"
        hint = {"opencl": "pip install 'flambeau[opencl]'",
                "cuda": "pip install 'flambeau[cuda]'"}.get(
            device_type, "install the plugin package that provides it")
        raise RuntimeError(f"no backend serves device type {device_type!r} (registered: "
                           f"{known}); {hint}")
    return b


def explain(name: str, device, dtype: DType | str) -> str:
    """Say which kernel would serve op ``name`` on ``device`` for ``dtype``, or why none.

    Example::

        >>> fl.backends.explain("add", "cpu", fl.float32)
        "add on cpu for float32: kernel add from backend 'numpy'"
    """
    from .devices import as_device
    row = op_row(name)
    dev = as_device(device)
    if isinstance(dtype, str):
        dtype = dtype_from_name(dtype)
    b = _BACKENDS.get(dev.type)
    head = f"{name} on {dev} for {dtype.name}"
    if b is None:
        return f"{head}: no backend serves device type {dev.type!r}"
    if dtype not in b.supported_dtypes:
        return (f"{head}: backend {b.name!r} cannot hold {dtype.name}"
                f"{dtype_note(b, dtype)} (it supports "
                f"{', '.join(d.name for d in b.supported_dtypes)})")
    per_dtype = row.kernels.get(dev.type)
    if not per_dtype:
        where = ", ".join(sorted(row.kernels)) or "no device"
        return (f"{head}: backend {b.name!r} has no kernel for {name} (available on: "
                f"{where}){'; CPU fallback is on' if _fallback['on'] else ''}")
    k = per_dtype.get(dtype)
    if k is None:
        have = ", ".join(d.name for d in per_dtype)
        return f"{head}: backend {b.name!r} has {name} only for {have}"
    return f"{head}: kernel {getattr(k, '__name__', k)!r} from backend {b.name!r}"


def cpu_fallback() -> bool:
    """Whether ops missing on a device run on the CPU and copy back."""
    return _fallback["on"]


def set_cpu_fallback(on: bool) -> None:
    """Opt in (or out) of running ops a backend lacks on the CPU.

    The result is copied back to the tensor's device, and a warning is shown once per
    op so the slow path is never silent.
    """
    _fallback["on"] = bool(on)


def warn_fallback_once(name: str, device_type: str) -> None:
    key = (name, device_type)
    if key not in _fallback["warned"]:
        _fallback["warned"].add(key)
        warnings.warn(f"{name} has no kernel on {device_type}; running it on the CPU and "
                      f"copying back (CPU fallback is on). This is slow.", stacklevel=4)
