"""Load backend plugins from the ``flambeau.backends`` entry points into the registry.

pluggy runs here, once at import and when a plugin is added later; after that the
dispatcher only reads plain dicts. A plugin that fails to import or to register is
reported with a warning that names it, and ``import flambeau`` carries on.
"""

from __future__ import annotations

import warnings
from importlib.metadata import entry_points

import pluggy

from ..dispatcher.registry import register_backend as _install
from . import hookspecs

__all__ = ["plugin_manager", "load_entry_points", "register_plugin", "register_backend",
           "ENTRY_POINT_GROUP"]

ENTRY_POINT_GROUP = "flambeau.backends"

plugin_manager = pluggy.PluginManager(hookspecs.PROJECT)
plugin_manager.add_hookspecs(hookspecs)


def _install_from(plugin, name: str) -> list:
    impls = [i for i in plugin_manager.hook.flambeau_backends.get_hookimpls()
             if i.plugin is plugin]
    installed = []
    for impl in impls:
        for backend in impl.function() or ():
            _install(backend)
            installed.append(backend)
    return installed


def register_plugin(plugin, name: str | None = None) -> list:
    """Register a pluggy plugin object now and install the backends it returns.

    Args:
        plugin: an object (module or instance) implementing ``flambeau_backends``.
        name: the name to show in errors; defaults to pluggy's canonical name.

    Returns:
        The backend objects installed.
    """
    name = plugin_manager.register(plugin, name=name)
    try:
        return _install_from(plugin, name)
    except Exception:
        plugin_manager.unregister(plugin)
        raise


def register_backend(backend, *, replace: bool = False) -> None:
    """Install one backend object at run time, without a plugin or entry point.

    See :func:`flambeau.dispatcher.registry.register_backend` for the checks.
    """
    _install(backend, replace=replace)


def load_entry_points() -> list[str]:
    """Load every plugin in the ``flambeau.backends`` group; warn for each one that
    fails. Returns the names that loaded."""
    loaded = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if plugin_manager.has_plugin(ep.name):
            continue
        try:
            register_plugin(ep.load(), name=ep.name)
        except Exception as e:  # a broken plugin must not break `import flambeau`
            warnings.warn(f"flambeau backend plugin {ep.name!r} ({ep.value}) failed to "
                          f"load and was skipped: {type(e).__name__}: {e}",
                          RuntimeWarning, stacklevel=2)
            continue
        loaded.append(ep.name)
    return loaded
