"""The dispatcher: op table, dtypes and promotion, devices, kernel tables, layers."""

from . import dispatch, dtypes, optable, registry
from .devices import device
from .optable import OPS

__all__ = ["dispatch", "dtypes", "optable", "registry", "device", "OPS"]
