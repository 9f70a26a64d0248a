"""The hook a backend plugin implements, and the interface of the backend it returns.

A plugin is any importable object (usually a module) listed in the entry-point group
``flambeau.backends``; it implements :func:`flambeau_backends` with ``@hookimpl``::

    # my_backend/plugin.py
    import flambeau.plugins as fp

    @fp.hookimpl
    def flambeau_backends():
        return [MyBackend()]

and its ``pyproject.toml`` says::

    [project.entry-points."flambeau.backends"]
    mydevice = "my_backend.plugin"

The built-in plugins (``numpy``, ``opencl``) load first and their entry-point names
are reserved. A plugin that fails to import, raises in its hook, implements no hook,
or returns a backend that fails the checks below is reported with a warning that
names it and skipped.
"""

from __future__ import annotations

from typing import Any, Protocol
from collections.abc import Callable, Mapping

import pluggy

PROJECT = "flambeau"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["hookspec", "hookimpl", "Backend", "flambeau_backends", "PROJECT"]


class Backend(Protocol):
    """What a backend object provides. Everything else flambeau derives.

    The whole protocol is checked when the backend registers
    (:func:`flambeau.dispatcher.registry.register_backend`), with a message naming
    what is missing; nothing is installed unless every check passes.

    Attributes:
        name: the plugin's name, shown in errors and introspection (``"numpy"``).
        device_type: the device type it serves (``"cpu"``, ``"opencl"``, ...):
            letters, digits and underscores.
        dtypes: names of the dtypes its devices can hold; omit for all nine.
        dlpack_device_type: the DLPack device code of its arrays (1 = CPU), optional.
        dtype_notes: optional ``{dtype name: why it is missing}`` (e.g. the OpenCL
            extension a device lacks), added to "cannot hold" errors.
        override: optional; ``True`` lets the backend of a plugin replace the one
            already serving its device type (the built-in CPU backend, say). Without
            it such a plugin is refused, with a warning naming it.

    Native arrays (what ``from_numpy`` and the kernels return) may be any class, but
    must have a ``.shape`` tuple; registration round-trips a tiny array through
    device 0 (when there is one) to check it. A ``.dtype`` (a NumPy dtype, or
    anything whose ``.name`` is a flambeau dtype name) lets the debug mode
    ``FLAMBEAU_CHECK_KERNELS=1`` check kernels' result dtypes too.

    ``strides`` and ``make_generator`` are optional: a backend without them gets
    :func:`~flambeau.dispatcher.registry.default_strides` (C-contiguous strides
    computed from ``native.shape``) and
    :func:`~flambeau.dispatcher.registry.default_make_generator` (a NumPy
    ``Generator`` on PCG64, as the CPU backend uses).
    """

    name: str
    device_type: str
    dtypes: tuple[str, ...]

    def device_count(self) -> int:
        """How many devices of this type are present (0 is allowed)."""

    def from_numpy(self, array, index: int) -> Any:
        """A native array on device ``index`` holding ``array``'s values.

        A CPU backend may return ``array`` itself (flambeau's ``from_numpy`` shares
        memory); others copy.
        """

    def to_numpy(self, native) -> Any:
        """A NumPy array with ``native``'s values (a view where the memory is host)."""

    def kernels(self) -> Mapping[str, Callable | Mapping[str, Callable]]:
        """Op name -> kernel, or op name -> {dtype name -> kernel}.

        Op names and kernel contracts are the rows of
        ``flambeau.dispatcher.optable``. Ops left out are reported as missing (or run
        on the CPU when the user opted in to fallback).
        """

    def strides(self, native) -> tuple[int, ...]:
        """Strides of ``native`` in elements.

        Optional: the default is C-contiguous strides computed from ``native.shape``,
        right for a backend whose arrays (view results too) are always C-contiguous.
        """

    def make_generator(self, seed: int, index: int) -> Any:
        """A fresh random generator for device ``index``, seeded with ``seed``; the
        random kernels receive it as ``gen``.

        Optional: the default is ``numpy.random.Generator(numpy.random.PCG64(seed))``,
        the CPU backend's generator, for random kernels that sample on the host.
        """


@hookspec
def flambeau_backends() -> list:
    """Return the backend objects this plugin provides (see :class:`Backend`)."""
