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

    Attributes:
        name: the plugin's name, shown in errors and introspection (``"numpy"``).
        device_type: the device type it serves (``"cpu"``, ``"opencl"``, ...).
        dtypes: names of the dtypes its devices can hold; omit for all nine.
        dlpack_device_type: the DLPack device code of its arrays (1 = CPU), optional.
        dtype_notes: optional ``{dtype name: why it is missing}`` (e.g. the OpenCL
            extension a device lacks), added to "cannot hold" errors.
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
        """Strides of ``native`` in elements."""

    def make_generator(self, seed: int, index: int) -> Any:
        """A fresh random generator for device ``index``, seeded with ``seed``; the
        random kernels receive it as ``gen``."""


@hookspec
def flambeau_backends() -> list:
    """Return the backend objects this plugin provides (see :class:`Backend`)."""
