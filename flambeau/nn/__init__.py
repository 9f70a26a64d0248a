"""``flambeau.nn``: modules, layers, losses, initialisation (PyTorch's names)."""

from . import functional

__all__ = ["functional"]
