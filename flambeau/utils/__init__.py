"""Utilities with the names of ``torch.utils``: :mod:`flambeau.utils.data`."""

from . import data

__all__ = ["data"]
