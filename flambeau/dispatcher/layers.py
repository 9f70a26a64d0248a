"""The layer stack: dispatch layers above the backends, pushed and popped at run time.

A layer is an object with two methods::

    class CountOps(fl.dispatcher.Layer):
        def __init__(self):
            self.counts = {}

        def handle(self, op, inputs, params, redispatch):
            self.counts[op.name] = self.counts.get(op.name, 0) + 1
            return redispatch()          # the layers below, then the backend

    with fl.dispatcher.installed(CountOps()) as counter:
        model(x).sum().backward()
    print(counter.counts)

``wants(op, inputs)`` says whether the layer takes an op (the default: every op);
``handle(op, inputs, params, redispatch)`` does the layer's work and returns the op's
result, normally by calling ``redispatch()``, which runs the rest of the stack below
the layer: never the backend directly, so layers compose. ``redispatch(op2, inputs2,
params2)`` runs another op below the layer instead, and ``redispatch.device``,
``.compute`` and ``.out_dtype`` are what the dispatcher resolved (ops without tensor
inputs carry their device only there). Every op reaches the stack:
creation and random ops (no tensor inputs), in-place writes (``copy_``, ``add_``,
``setitem_``, ...: their result is the destination), device transfers (the op ``to``)
and the ops of backward and of gradient accumulation.

Autograd is the bottom layer, installed when flambeau is imported; layers pushed later
sit above it, so they see each op once, as the user called it, and what autograd
records does not depend on them.
"""

from __future__ import annotations

import contextlib

from . import dispatch

__all__ = ["Layer", "push_layer", "pop_layer", "installed", "stack"]


class Layer:
    """Base class for dispatch layers: takes every op and passes it on unchanged.

    Subclasses override :meth:`handle` (and :meth:`wants` to take fewer ops).
    """

    #: True for layers that only ever want ops with an input that requires grad
    #: (autograd): while only such layers are installed, the dispatcher's short paths
    #: skip the stack and call their ``record(op, inputs, params, out)`` instead.
    requires_grad_only = False

    def wants(self, op, inputs) -> bool:
        """Whether this layer handles ``op`` called on ``inputs``."""
        return True

    def handle(self, op, inputs, params, redispatch):
        """Do the layer's work for ``op``; ``redispatch()`` runs the layers below and
        the backend and returns the op's result."""
        return redispatch()


def stack() -> tuple:
    """The installed layers, top first (autograd last)."""
    return tuple(dispatch.stack)


def push_layer(layer) -> None:
    """Install ``layer`` on top of the stack.

    Raises:
        TypeError: when ``layer`` lacks ``wants`` or ``handle``.
        ValueError: when it is installed already.
    """
    missing = [m for m in ("wants", "handle") if not callable(getattr(layer, m, None))]
    if missing:
        raise TypeError(f"push_layer(): {layer!r} lacks {' and '.join(missing)}; "
                        f"subclass fl.dispatcher.Layer")
    if any(x is layer for x in dispatch.stack):
        raise ValueError(f"push_layer(): {layer!r} is installed already")
    dispatch.restack([layer] + dispatch.stack)


def pop_layer(layer=None):
    """Remove ``layer`` (default: the top one) from the stack and return it.

    Raises:
        ValueError: when ``layer`` is not installed, or the stack is empty.
    """
    layers = list(dispatch.stack)
    if layer is None:
        if not layers:
            raise ValueError("pop_layer(): the layer stack is empty")
        layer = layers[0]
    kept = [x for x in layers if x is not layer]
    if len(kept) == len(layers):
        raise ValueError(f"pop_layer(): {layer!r} is not installed")
    dispatch.restack(kept)
    return layer


@contextlib.contextmanager
def installed(layer):
    """Push ``layer`` for the duration of a ``with`` block; yields the layer."""
    push_layer(layer)
    try:
        yield layer
    finally:
        pop_layer(layer)
