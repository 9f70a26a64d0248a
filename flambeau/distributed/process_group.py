"""Process groups: the default (world) group from ``init_process_group``, and subgroups.

A :class:`ProcessGroup` is a set of ranks that run collectives together over one MPI
communicator. The world group wraps a duplicate of ``MPI.COMM_WORLD``, so flambeau's
traffic never mixes with a script's own mpi4py calls; :func:`new_group` splits it.
Ranks are launched by ``mpiexec``/``mpirun``, which also does the rendezvous that
``init_method`` does in ``torch.distributed``: there is nothing to configure.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from datetime import timedelta

from . import abort
from ._mpi import mpi, mpi4py_installed
from .reduce_op import fill_mpi_ops

__all__ = ["ProcessGroup", "init_process_group", "destroy_process_group", "is_available",
           "is_initialized", "is_mpi_launched", "get_rank", "get_world_size",
           "get_backend", "new_group", "get_process_group_ranks", "resolve",
           "warn_not_in_group"]

# environment variables that MPI launchers set in every process they start:
# MPICH (hydra) and Intel MPI, Open MPI, PMIx-based launchers, MVAPICH
_LAUNCHER_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "MV2_COMM_WORLD_SIZE")
_DEBUG_VAR = "FLAMBEAU_DISTRIBUTED_DEBUG"
_NOT_INITIALIZED = ("Default process group has not been initialized, please make sure to "
                    "call init_process_group.")


class ProcessGroup:
    """A set of ranks that run collectives together, over one MPI communicator.

    Made by :func:`init_process_group` (the world) and :func:`new_group`; pass one as
    ``group=`` to a collective. On a rank outside the group, ``rank()`` and ``size()``
    are ``-1`` and collectives on the group warn and do nothing, as in PyTorch.

    Attributes:
        ranks: the global ranks of the members, in group-rank order.
        debug: whether collectives on this group first check that every rank made the
            same call (``FLAMBEAU_DISTRIBUTED_DEBUG=1`` when the group was created).
        timeout: the default timeout of :meth:`Work.wait` for this group's async ops.
    """

    def __init__(self, comm, ranks: Sequence[int], debug: bool,
                 timeout: float | None) -> None:
        self.comm = comm  # None on ranks outside the group
        self.ranks = tuple(ranks)
        self.debug = debug
        self.timeout = timeout
        self._rank = comm.Get_rank() if comm is not None else -1
        self._size = len(self.ranks) if comm is not None else -1

    def rank(self) -> int:
        """This process's rank in the group (-1 if it is not a member)."""
        return self._rank

    def size(self) -> int:
        """The number of ranks in the group (-1 if this process is not a member)."""
        return self._size

    def group_rank(self, global_rank: int, op: str, arg: str) -> int:
        """The group rank of ``global_rank``; a clear error if it is not a member."""
        try:
            return self.ranks.index(global_rank)
        except ValueError:
            raise ValueError(f"{op}: {arg}={global_rank!r} is not a rank of this group "
                             f"(its global ranks are {list(self.ranks)})") from None

    def __repr__(self) -> str:
        return f"ProcessGroup(backend='mpi', ranks={list(self.ranks)}, rank={self._rank})"


class _State:
    world: ProcessGroup | None = None
    groups: list = []


_state = _State()


def is_available() -> bool:
    """Whether the distributed package can be used (mpi4py is installed).

    Checked without importing mpi4py, which would start MPI.
    """
    return mpi4py_installed()


def is_initialized() -> bool:
    """Whether :func:`init_process_group` has been called (and not destroyed since)."""
    return _state.world is not None


def is_mpi_launched() -> bool:
    """Whether this process was started by an MPI launcher (``mpiexec``/``mpirun``)."""
    return any(v in os.environ for v in _LAUNCHER_VARS)


def _debug_from_env() -> bool:
    return os.environ.get(_DEBUG_VAR, "").strip().lower() in ("1", "true", "yes", "on")


def _seconds(timeout) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, timedelta):
        return timeout.total_seconds()
    return float(timeout)


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: timedelta | float | None = None, world_size: int = -1,
                       rank: int = -1) -> None:
    """Initialise the default process group: every process started by ``mpiexec``.

    Run the script with ``mpiexec -n 4 python train.py`` (or ``mpirun``); MPI starts the
    processes and connects them, so there is no address or store to configure. Without a
    launcher, ``python train.py`` makes a world of one process, where every collective
    is correct and cheap.

    With more than one process, an uncaught exception on any rank (main thread or any
    other thread) prints its traceback with the rank and calls ``MPI_Abort``, ending
    the whole job instead of leaving the other ranks blocked in a collective.

    Args:
        backend: ``"mpi"`` (the default and the only backend).
        init_method: ``None`` or ``"env://"``; the MPI launcher does the rendezvous.
        timeout: default timeout of :meth:`Work.wait` for async operations (a
            ``timedelta`` or seconds). Blocking MPI calls cannot time out.
        world_size, rank: if given, checked against what the launcher started.

    Raises:
        RuntimeError: when called twice, or mpi4py is missing.
        ValueError: for another backend, or a ``world_size``/``rank`` that does not
            match the launch.

    Example::

        >>> import flambeau.distributed as dist
        >>> dist.init_process_group("mpi")
        >>> print(dist.get_rank(), dist.get_world_size())
    """
    if _state.world is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    name = "mpi" if backend is None else str(backend).lower()
    if name != "mpi":
        raise ValueError(f"init_process_group: backend {backend!r} is not available; "
                         f"flambeau.distributed runs on MPI: use backend='mpi' and start "
                         f"the script with mpiexec/mpirun")
    if init_method not in (None, "env://"):
        raise ValueError(f"init_process_group: init_method={init_method!r} is not "
                         f"supported; the MPI launcher (mpiexec) connects the processes, "
                         f"so leave init_method unset")
    launched = is_mpi_launched()
    if not launched and world_size not in (-1, 1):
        raise ValueError(f"init_process_group: world_size={world_size} was requested but "
                         f"this process was not started by an MPI launcher; run "
                         f"`mpiexec -n {world_size} python {_script()}`")
    MPI = mpi()
    fill_mpi_ops()
    comm = MPI.COMM_WORLD.Dup()
    size, me = comm.Get_size(), comm.Get_rank()
    if world_size not in (-1, size) or rank not in (-1, me):
        comm.Free()
        raise ValueError(f"init_process_group: world_size={world_size}, rank={rank} do not "
                         f"match the MPI launch (world size {size}, this is rank {me}); "
                         f"leave them unset or pass mpiexec -n {world_size}")
    _state.world = ProcessGroup(comm, range(size), _debug_from_env(), _seconds(timeout))
    _state.groups = [_state.world]
    if size > 1:
        abort.install(MPI.COMM_WORLD, me, size)


def _script() -> str:
    import sys
    return os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "script.py"


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Free a group's communicator; with no argument, all groups and the default one.

    After destroying the default group, :func:`init_process_group` may be called
    again (MPI itself stays initialised until the process exits).
    """
    if group is None or group is _state.world:
        if _state.world is None:
            raise RuntimeError(_NOT_INITIALIZED)
        for g in _state.groups:
            _free(g)
        _state.world, _state.groups = None, []
        abort.uninstall()
        return
    if group not in _state.groups:
        raise ValueError("destroy_process_group: this group is not (or no longer) "
                         "registered")
    _free(group)
    _state.groups.remove(group)


def _free(group: ProcessGroup) -> None:
    if group.comm is not None:
        group.comm.Free()
        group.comm = None
    group._rank = group._size = -1


def resolve(group: ProcessGroup | None) -> ProcessGroup:
    """``group``, or the default group; a clear error if there is none."""
    if group is None:
        group = _state.world
        if group is None:
            raise RuntimeError(_NOT_INITIALIZED)
        return group
    if group.__class__ is not ProcessGroup:
        raise TypeError(f"group must be a ProcessGroup (from new_group) or None, got "
                        f"{type(group).__name__}")
    if group not in _state.groups:
        raise RuntimeError("this process group has been destroyed")
    return group


def warn_not_in_group(op: str) -> None:
    """PyTorch's behaviour for a collective on a group this rank is not in."""
    warnings.warn(f"Running {op} on global rank {get_rank()} which does not belong to the "
                  f"given group.", stacklevel=3)


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank in ``group`` (default: the world); -1 if not a member."""
    return resolve(group).rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    """The number of processes in ``group`` (default: the world); -1 if not a member."""
    return resolve(group).size()


def get_backend(group: ProcessGroup | None = None) -> str:
    """The backend of ``group``: always ``"mpi"``."""
    resolve(group)
    return "mpi"


def get_process_group_ranks(group: ProcessGroup | None = None) -> list[int]:
    """The global ranks of the members of ``group``, in group-rank order."""
    return list(resolve(group).ranks)


def new_group(ranks: Sequence[int] | None = None,
              timeout: timedelta | float | None = None,
              backend: str | None = None) -> ProcessGroup:
    """Make a group of some of the world's ranks.

    Like PyTorch, every process of the world must call it with the same ``ranks``,
    members or not; the ranks are sorted, and a member's group rank is its position
    in that order. Processes outside the group get a group object on which
    collectives warn and do nothing. ``FLAMBEAU_DISTRIBUTED_DEBUG`` is read here, so a
    group can be made with debug checks on while the world group has them off.

    Args:
        ranks: global ranks of the members (default: all).
        timeout: default timeout of async :meth:`Work.wait` on this group.
        backend: ``None`` or ``"mpi"``.

    Raises:
        ValueError: for ranks out of range or repeated, or ranks that differ between
            processes (raised on every process).

    Example::

        >>> evens = dist.new_group([r for r in range(dist.get_world_size()) if r % 2 == 0])
        >>> if dist.get_rank() % 2 == 0:
        ...     dist.all_reduce(t, group=evens)
    """
    world = resolve(None)
    if backend not in (None, "mpi"):
        raise ValueError(f"new_group: backend {backend!r} is not available; use 'mpi'")
    n = world.size()
    members = list(range(n)) if ranks is None else sorted(int(r) for r in ranks)
    if len(set(members)) != len(members) or any(r < 0 or r >= n for r in members):
        raise ValueError(f"new_group: ranks {list(ranks)} must be distinct ranks in "
                         f"[0, {n - 1}]")
    everyone = world.comm.allgather(tuple(members))  # a few ints: metadata, not tensors
    if any(m != everyone[0] for m in everyone):
        detail = "; ".join(f"rank {r}: {list(m)}" for r, m in enumerate(everyone))
        raise ValueError(f"new_group: every process must pass the same ranks, got {detail}")
    me = world.rank()
    MPI = mpi()
    color = 0 if me in members else MPI.UNDEFINED
    comm = world.comm.Split(color, key=me)
    if comm == MPI.COMM_NULL:
        comm = None
    timeout_s = world.timeout if timeout is None else _seconds(timeout)
    group = ProcessGroup(comm, members, _debug_from_env(), timeout_s)
    _state.groups.append(group)
    return group
