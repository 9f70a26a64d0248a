"""``flambeau.nn``: modules, layers, losses, initialisation (PyTorch's names)."""

from . import functional
from . import init, utils
from .module import Module
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter

__all__ = ["functional", "init", "utils", "Module", "Parameter", "Buffer",
           *_modules_all]
