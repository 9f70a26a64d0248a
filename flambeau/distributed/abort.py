"""End the whole job when one rank dies of an uncaught exception.

Without this, a rank that raises exits (or hangs in ``MPI_Finalize``) while the other
ranks wait forever in their next collective. :func:`install` replaces
``sys.excepthook`` and ``threading.excepthook`` with hooks that print the traceback
with the rank, then call ``MPI_Abort`` on ``MPI.COMM_WORLD``, which the launcher turns
into the end of every process of the job with a non-zero exit status.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback

__all__ = ["install", "uninstall"]

_saved: tuple | None = None
_FORWARD_PAUSE = 0.25  # seconds


def _report_and_abort(comm_world, rank: int, size: int, exc_type, exc, tb,
                      where: str) -> None:
    lines = traceback.format_exception(exc_type, exc, tb)
    text = "".join(f"[rank {rank}] {line}" for chunk in lines
                   for line in chunk.splitlines(keepends=True))
    try:
        sys.stderr.write(f"[rank {rank}] flambeau.distributed: uncaught exception in "
                         f"{where} of rank {rank} (of {size}); calling MPI_Abort to end "
                         f"the job\n{text}")
        sys.stderr.flush()
        # MPI_Abort makes the launcher kill every process at once; give its I/O
        # forwarding a moment to pass the traceback on first, or it can be lost
        time.sleep(_FORWARD_PAUSE)
    finally:
        comm_world.Abort(1)


def install(comm_world, rank: int, size: int) -> None:
    """Abort the job on an uncaught exception in any thread of this process."""
    global _saved
    if _saved is None:
        _saved = (sys.excepthook, threading.excepthook)

    def excepthook(exc_type, exc, tb):
        _report_and_abort(comm_world, rank, size, exc_type, exc, tb, "the main thread")

    def thread_excepthook(args):
        if args.exc_type is SystemExit:  # a thread's sys.exit() is not an error
            return
        name = args.thread.name if args.thread is not None else "a thread"
        _report_and_abort(comm_world, rank, size, args.exc_type, args.exc_value,
                          args.exc_traceback, f"thread {name!r}")

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook


def uninstall() -> None:
    """Put back the hooks that :func:`install` replaced."""
    global _saved
    if _saved is not None:
        sys.excepthook, threading.excepthook = _saved
        _saved = None
