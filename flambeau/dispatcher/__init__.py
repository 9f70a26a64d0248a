"""The dispatcher: op table, dtypes and promotion, devices, kernel tables, layers.

``fl.dispatcher.push_layer`` / ``pop_layer`` / ``installed`` manage the layer stack
(see :mod:`flambeau.dispatcher.layers`).
"""

from . import dispatch, dtypes, optable, registry
from .devices import device
from .layers import Layer, installed, pop_layer, push_layer, stack
from .optable import OPS

__all__ = ["dispatch", "dtypes", "optable", "registry", "device", "OPS", "Layer",
           "installed", "pop_layer", "push_layer", "stack"]
