"""Load backend plugins from the ``flambeau.backends`` entry points into the registry.

pluggy runs here, once at import and when a plugin is added later; after that the
dispatcher only reads plain dicts. Any installed package can add an entry point, so
loading guards against plugins that do harm:

- the built-in plugins (``numpy``, ``opencl``) load first and their names are
  reserved, so no plugin can take their device types by loading earlier or shadow
  them by reusing a name;
- an entry point whose name is taken is reported and skipped;
- a plugin that raises anything at import or in its hook (``SystemExit`` included;
  only ``KeyboardInterrupt`` goes through) is reported with a warning that names it
  and skipped, and ``import flambeau`` carries on;
- a plugin that implements no hook is reported;
- every backend a plugin returns is checked before any is installed, and a backend
  replaces the one serving its device type only when it sets ``override = True``.
"""

from __future__ import annotations

import warnings
from importlib.metadata import entry_points

import pluggy

from ..dispatcher import registry
from . import hookspecs

__all__ = ["plugin_manager", "load_entry_points", "register_plugin", "register_backend",
           "ENTRY_POINT_GROUP"]

ENTRY_POINT_GROUP = "flambeau.backends"

# the entry points of pyproject.toml; a third party's entry point may not use a name
BUILTIN_PLUGINS = {"numpy": "flambeau.backends.numpy",
                   "opencl": "flambeau.backends.opencl"}

plugin_manager = pluggy.PluginManager(hookspecs.PROJECT)
plugin_manager.add_hookspecs(hookspecs)

# entry-point name -> value, for those loaded: loading again skips them quietly
_loaded: dict[str, str] = {}


def _warn(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=3)


def _backends_of(plugin, name: str) -> list:
    impls = [i for i in plugin_manager.hook.flambeau_backends.get_hookimpls()
             if i.plugin is plugin]
    if not impls:
        # a typo in the hook's name registers fine with pluggy and provides nothing
        marked = [a for a in dir(plugin) if a != "flambeau_backends" and getattr(
            getattr(plugin, a, None), hookspecs.PROJECT + "_impl", None) is not None]
        also = f" (it marks {', '.join(marked)}; the hook is flambeau_backends)" \
            if marked else ""
        _warn(f"flambeau backend plugin {name!r} implements no flambeau_backends hook"
              f"{also}, so it provides no backend; decorate the hook with "
              f"@flambeau.plugins.hookimpl")
    backends = []
    for impl in impls:
        got = impl.function()
        if got is None:
            continue
        if not isinstance(got, (list, tuple)):
            raise TypeError(f"flambeau_backends() of plugin {name!r} returned a "
                            f"{type(got).__name__}; expected a list of backend objects")
        backends.extend(got)
    return backends


def _install_all(backends: list, name: str) -> None:
    # check every backend before installing any: a plugin is installed whole or not
    installs = [registry.prepare_backend(b, override=getattr(b, "override", False) is True)
                for b in backends]
    types = [b.device_type for b in backends]
    twice = sorted({t for t in types if types.count(t) > 1})
    if twice:
        raise ValueError(f"plugin {name!r} returns more than one backend for device "
                         f"type {', '.join(map(repr, twice))}")
    for backend, install in zip(backends, installs):
        replaced = registry.backends().get(backend.device_type)
        install()
        if replaced is not None and replaced is not backend:
            _warn(f"flambeau backend plugin {name!r} replaced backend {replaced.name!r} "
                  f"on device type {backend.device_type!r} with {backend.name!r} (it "
                  f"sets override = True)")


def register_plugin(plugin, name: str | None = None) -> list:
    """Register a pluggy plugin object now and install the backends it returns.

    Every backend is checked before any is installed; on any error the plugin is
    unregistered again and nothing is installed.

    Args:
        plugin: an object (module or instance) implementing ``flambeau_backends``.
        name: the name to show in errors; defaults to pluggy's canonical name.

    Returns:
        The backend objects installed (none, with a warning, when ``plugin``
        implements no hook).

    Raises:
        TypeError, ValueError: when a backend fails the checks of
            :func:`flambeau.dispatcher.registry.register_backend`, e.g. when it would
            replace a registered device type without ``override = True``.

    Example::

        >>> class MyPlugin:
        ...     @fl.plugins.hookimpl
        ...     def flambeau_backends(self):
        ...         return [MyBackend()]
        >>> fl.plugins.register_plugin(MyPlugin(), name="my-plugin")
    """
    name = plugin_manager.register(plugin, name=name)
    if name is None:  # blocked with plugin_manager.set_blocked()
        return []
    try:
        backends = _backends_of(plugin, name)
        _install_all(backends, name)
    except BaseException:
        plugin_manager.unregister(plugin)
        raise
    return backends


def register_backend(backend, *, override: bool = False) -> None:
    """Install one backend object at run time, without a plugin or entry point.

    Args:
        backend: see :class:`flambeau.plugins.hookspecs.Backend`.
        override: allow replacing the backend that already serves the device type.

    See :func:`flambeau.dispatcher.registry.register_backend` for the checks.
    """
    registry.register_backend(backend, override=override)


def _load_order(eps) -> list:
    builtin = [ep for ep in eps if BUILTIN_PLUGINS.get(ep.name) == ep.value]
    # sorted, so which of two plugins claiming one device type wins does not depend
    # on the order in which packages happen to be found
    others = sorted((ep for ep in eps if BUILTIN_PLUGINS.get(ep.name) != ep.value),
                    key=lambda ep: (ep.name, ep.value))
    return builtin + others


def _name_clash(ep) -> str | None:
    builtin = BUILTIN_PLUGINS.get(ep.name)
    if builtin is not None:
        if ep.value == builtin:
            return None
        return (f"{ep.name!r} is the name of the built-in backend plugin {builtin}; "
                f"rename the entry point")
    if ep.name in _loaded or plugin_manager.has_plugin(ep.name):
        held = _loaded.get(ep.name) or plugin_manager.get_plugin(ep.name)
        return (f"a plugin named {ep.name!r} is already registered ({held}); rename "
                f"the entry point")
    return None


def load_entry_points() -> list[str]:
    """Load every plugin in the ``flambeau.backends`` group, the built-in ones first.

    An entry point already loaded is skipped quietly, so calling this again loads
    only what was installed since. A plugin that fails to load or to register, or
    whose name is taken, is reported with a ``RuntimeWarning`` naming it and skipped.

    Returns:
        The names of the entry points this call loaded.
    """
    loaded = []
    for ep in _load_order(entry_points(group=ENTRY_POINT_GROUP)):
        if _loaded.get(ep.name) == ep.value:
            continue
        clash = _name_clash(ep)
        if clash:
            _warn(f"flambeau backend plugin {ep.name!r} ({ep.value}) was skipped: {clash}")
            continue
        try:
            register_plugin(ep.load(), name=ep.name)
        except KeyboardInterrupt:
            raise
        except BaseException as e:  # SystemExit too: a plugin must not end the import
            _warn(f"flambeau backend plugin {ep.name!r} ({ep.value}) failed to load and "
                  f"was skipped: {type(e).__name__}: {e}")
            continue
        _loaded[ep.name] = ep.value
        loaded.append(ep.name)
    return loaded
