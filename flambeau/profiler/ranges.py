"""``record_function``: a named range of user code in the profile."""

from __future__ import annotations

import functools

from .layer import ACTIVE

__all__ = ["record_function"]


class record_function:
    """Mark a range of code with a name, as ``torch.profiler.record_function``.

    While a :class:`~flambeau.profiler.profile` runs, the range becomes an event: a row
    of the table (keyed by ``name``), a span of the trace, and the parent of the ops
    and ranges that run inside it (its self time excludes theirs). Ranges nest. With
    no profiler running it records nothing and costs one check.

    Usable as a context manager and as a decorator (each call is one range).

    Args:
        name: the range's name in the table and the trace.
        args: optional text stored with the range, shown in the trace's ``args``.

    Example::

        >>> with fl.profiler.profile() as prof:
        ...     with fl.profiler.record_function("forward"):
        ...         y = model(x)
        >>> @fl.profiler.record_function("loss")
        ... def loss_fn(y, t):
        ...     return ((y - t) ** 2).mean()
    """

    def __init__(self, name: str, args: str | None = None):
        if not isinstance(name, str):
            raise TypeError(f"record_function(): name must be a str, not "
                            f"{type(name).__name__}")
        self.name = name
        self.args = args
        self._open: list = []  # a stack, so one object may be entered again inside itself

    def __enter__(self):
        self._open.append([(r, r.open_range(self.name, self.args)) for r in ACTIVE]
                          if ACTIVE else None)
        return self

    def __exit__(self, *exc) -> bool:
        opened = self._open.pop()
        if opened:
            for r, rec in reversed(opened):
                r.close_range(rec)
        return False

    def __call__(self, fn):
        # a fresh range per call, so recursive and concurrent calls each get their own
        name, args = self.name, self.args

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with record_function(name, args):
                return fn(*a, **k)
        return wrapper

    def __repr__(self) -> str:
        return f"record_function({self.name!r})"
