"""Built-in backends (each a pluggy plugin) and backend introspection.

``fl.backends.available()`` lists device types with a backend; ``fl.backends.explain``
says which kernel would serve (op, device, dtype), or why none would.
"""

from ..dispatcher.registry import (backend_for, backends, cpu_fallback, explain,
                                   set_cpu_fallback, unregister_backend)
from ..plugins.manager import register_backend, register_plugin

__all__ = ["available", "backend_for", "backends", "cpu_fallback", "explain",
           "set_cpu_fallback", "register_backend", "unregister_backend", "register_plugin",
           "supported_ops"]


def available() -> list[str]:
    """Device types that have a registered backend, e.g. ``['cpu', 'opencl']``."""
    return sorted(backends())


def supported_ops(device_type: str) -> list[str]:
    """Names of the ops that have a kernel on ``device_type``."""
    from ..dispatcher.optable import OPS
    return sorted(n for n, row in OPS.items() if row.kernels.get(device_type))
