"""Built-in backends (each a pluggy plugin) and backend introspection.

``fl.backends.available()`` lists device types with a backend; ``fl.backends.explain``
says which kernel would serve (op, device, dtype), or why none would;
``fl.backends.set_check_kernels(True)`` checks every kernel's result (a debug mode);
``fl.backends.primitives()`` lists the rows a backend must implement and
``fl.backends.coverage(device_type)`` how a backend covers the table.
"""

from ..dispatcher.registry import (backend_for, backends, check_kernels, cpu_fallback,
                                   explain, set_check_kernels, set_cpu_fallback,
                                   unregister_backend)
from ..plugins.manager import register_backend, register_plugin


def primitives() -> list[str]:
    """The ops a backend must implement (see :func:`flambeau.composites.primitives`)."""
    from ..composites import primitives as rows
    return rows()


def coverage(device_type: str) -> dict[str, str]:
    """Per row, ``primitive``, ``overridden``, ``derived`` or ``missing`` on
    ``device_type`` (see :func:`flambeau.composites.coverage`)."""
    from ..composites import coverage as cover
    return cover(device_type)

__all__ = ["available", "backend_for", "backends", "check_kernels", "cpu_fallback",
           "explain", "set_check_kernels", "set_cpu_fallback", "register_backend",
           "unregister_backend", "register_plugin", "supported_ops", "primitives", "coverage"]


def available() -> list[str]:
    """Device types that have a registered backend, e.g. ``['cpu', 'opencl']``."""
    return sorted(backends())


def supported_ops(device_type: str) -> list[str]:
    """Names of the ops that have a kernel on ``device_type``."""
    from ..dispatcher.optable import OPS
    return sorted(n for n, row in OPS.items() if row.kernels.get(device_type))
