"""Backend plugins: the hook specification, the plugin manager, the conformance kit."""

from .hookspecs import Backend, hookimpl, hookspec
from .manager import (ENTRY_POINT_GROUP, load_entry_points, plugin_manager,
                      register_backend, register_plugin)

__all__ = ["Backend", "hookimpl", "hookspec", "ENTRY_POINT_GROUP", "load_entry_points",
           "plugin_manager", "register_backend", "register_plugin"]
