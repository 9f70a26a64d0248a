"""The one place that imports mpi4py, and only when a process group is created.

``from mpi4py import MPI`` initialises MPI, so ``import flambeau`` must not do it: a
script that never calls :func:`~flambeau.distributed.init_process_group` should not
start an MPI runtime. Everything else in this package asks :func:`mpi` for the module.
"""

from __future__ import annotations

import importlib.util

__all__ = ["mpi", "mpi4py_installed", "IN_PLACE"]

_MPI = None
IN_PLACE = None  # MPI.IN_PLACE once MPI is imported: read on every all_reduce


def mpi4py_installed() -> bool:
    """Whether mpi4py can be imported (checked without importing it)."""
    return importlib.util.find_spec("mpi4py") is not None


def mpi():
    """The ``mpi4py.MPI`` module, imported (and MPI initialised) on first use."""
    global _MPI, IN_PLACE
    if _MPI is None:
        if not mpi4py_installed():
            raise RuntimeError("flambeau.distributed needs mpi4py and an MPI library; "
                               "install them with `pip install \"flambeau[mpi]\"` (mpi4py "
                               "and the MPICH wheel)")
        from mpi4py import MPI
        _MPI, IN_PLACE = MPI, MPI.IN_PLACE
    return _MPI
