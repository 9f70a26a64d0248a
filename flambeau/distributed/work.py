"""``Work``: the handle an ``async_op=True`` collective returns.

It wraps the MPI requests of a non-blocking call (``Iallreduce``, ``Ibcast``, ...) and
what is left to do once they complete: divide for ``AVG``, copy a staged buffer back to
its device, spread a gathered block over a list of tensors. That finishing step runs
once, in whichever of :meth:`Work.wait` or :meth:`Work.is_completed` first sees the
requests done. The handle keeps the buffers alive until then.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ._mpi import mpi

__all__ = ["Work"]


class Work:
    """A running collective or point-to-point operation.

    Example::

        >>> work = dist.all_reduce(t, async_op=True)
        >>> ...                       # overlap computation with communication
        >>> work.wait()               # t now holds the sum over all ranks
    """

    __slots__ = ("_requests", "_finish", "_keep", "_done", "_result", "_timeout",
                 "_statuses")

    def __init__(self, requests: list, finish: Callable[[], None] | None = None,
                 keep: tuple = (), result: list | None = None,
                 timeout: float | None = None, statuses: list | None = None) -> None:
        self._requests = requests
        self._statuses = statuses  # filled by MPI when the requests complete
        self._finish = finish
        self._keep = keep  # buffers MPI reads or writes until the requests complete
        self._result = result if result is not None else []
        self._timeout = timeout
        self._done = False

    def _complete(self) -> None:
        self._done = True
        self._keep = ()
        finish, self._finish = self._finish, None
        if finish is not None:
            finish()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the operation has finished; its output tensors are then final.

        Args:
            timeout: seconds (or a ``timedelta``) to wait at most; default: the
                group's timeout from ``init_process_group``/``new_group``, else forever.

        Returns:
            ``True``.

        Raises:
            RuntimeError: if ``timeout`` passes first (the operation is still running).
        """
        if self._done:
            return True
        limit = self._timeout if timeout is None else timeout
        MPI = mpi()
        if limit is None:
            MPI.Request.Waitall(self._requests, self._statuses)
        else:
            if hasattr(limit, "total_seconds"):
                limit = limit.total_seconds()
            deadline = time.monotonic() + limit
            pause = 1e-5
            while not MPI.Request.Testall(self._requests, self._statuses):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Work.wait: the operation did not finish within "
                                       f"{limit} s; another rank may not have called it")
                time.sleep(pause)
                pause = min(pause * 2, 1e-2)
        self._complete()
        return True

    def is_completed(self) -> bool:
        """Whether the operation has finished (never blocks)."""
        if not self._done and mpi().Request.Testall(self._requests, self._statuses):
            self._complete()
        return self._done

    def is_success(self) -> bool:
        """Whether the operation finished without error (MPI errors raise instead)."""
        return self.is_completed()

    def result(self) -> list:
        """The output tensors of the operation (after :meth:`wait`)."""
        return self._result

    def __repr__(self) -> str:
        return f"Work(completed={self._done})"
