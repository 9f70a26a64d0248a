"""The profiling layer: times every op that reaches the layer stack, cheaply.

While a :class:`~flambeau.profiler.profile` runs, a :class:`ProfilerLayer` sits on the
layer stack above autograd and records one *raw record* per op: a short list, because
building a list is several times cheaper than building an object, and this runs on
every op. The records are turned into :class:`~flambeau.profiler.events.FunctionEvent`
objects only after the profiler stops.

Nesting is recorded as it happens rather than guessed afterwards from overlapping time
intervals: each thread keeps a stack of the ranges it has open (ops and
``record_function`` ranges), and a new record stores the top of that stack as its
parent. An op nests inside another when the outer op's layers issue it (autograd
computing the value of an in-place write); ops inside a composite never reach the
stack, so they are part of the composite op's own (self) time.
"""

from __future__ import annotations

import os
import sys
import threading
from time import perf_counter_ns

from ..dispatcher.layers import Layer

__all__ = ["ProfilerLayer", "Recorder", "ACTIVE", "NAME", "DEVICE", "PARENT", "SHAPES",
           "STACK", "ARGS", "START", "END"]

# Slots of a raw record (a list; see the module docstring for why not an object).
NAME, DEVICE, PARENT, SHAPES, STACK, ARGS, START, END = range(8)

# The recorders of the profilers now running, oldest first; record_function reads it.
# Usually empty (then record_function costs one truth test) or one long.
ACTIVE: list = []

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Frames from these parts of flambeau are the machinery between the user's line and
# the op (argument parsing, dispatch, layers); a stack shows the user's code and the
# training kit (nn, optim), as PyTorch's shows torch/nn but not its C++ dispatcher.
_HIDDEN = tuple(os.path.join(_PKG, p) + os.sep
                for p in ("dispatcher", "frontend", "autograd", "profiler"))


class Recorder:
    """The raw records of one profiling session, one list per thread.

    Each thread gets its own record list and open-range stack (through a
    ``threading.local``), so threads never share a list that one of them appends to
    while another reads its top, and each record list belongs to one thread id.
    """

    def __init__(self, record_shapes: bool = False, with_stack: bool = False):
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self.threads: list = []          # (thread id, records), one per thread seen
        self.local = threading.local()
        self._lock = threading.Lock()
        self.start_ns = perf_counter_ns()
        self.end_ns = None

    def thread_ctx(self):
        """This thread's ``(records, open ranges)``, made on its first record."""
        ctx = getattr(self.local, "ctx", None)
        if ctx is None:
            records: list = []
            ctx = self.local.ctx = (records, [])
            with self._lock:
                self.threads.append((threading.get_native_id(), records))
        return ctx

    def open_range(self, name: str, args=None):
        """Open a user range (``record_function``) on this thread; returns its record."""
        records, opened = self.thread_ctx()
        # a range has no inputs: [] when shapes are recorded, as PyTorch's
        rec = [name, None, opened[-1] if opened else None,
               [] if self.record_shapes else None,
               user_stack() if self.with_stack else None, args, 0, 0]
        records.append(rec)
        opened.append(rec)
        rec[START] = perf_counter_ns()
        return rec

    def close_range(self, rec) -> None:
        """Close a range opened by :meth:`open_range` (a no-op once the session ended,
        when :meth:`finish` has closed it already)."""
        now = perf_counter_ns()
        if rec[END]:
            return
        rec[END] = now
        opened = self.thread_ctx()[1]
        if opened and opened[-1] is rec:
            opened.pop()
        elif rec in opened:  # ranges closed out of order (enter/exit called by hand)
            opened.remove(rec)

    def finish(self) -> None:
        """End the session: ranges still open (a ``record_function`` left open, an op
        still running on another thread) end now."""
        self.end_ns = now = perf_counter_ns()
        for _, records in self.threads:
            for rec in records:
                if not rec[START]:
                    rec[START] = now
                if not rec[END]:
                    rec[END] = now


def user_stack() -> list:
    """The calling Python frames outside flambeau's machinery, innermost first, as
    ``"path(line): function"`` strings (PyTorch's format)."""
    out = []
    f = sys._getframe(1)
    while f is not None:
        code = f.f_code
        path = code.co_filename
        if not path.startswith(_HIDDEN):
            out.append(f"{path}({f.f_lineno}): {code.co_name}")
        f = f.f_back
    return out


def _shapes(inputs) -> list:
    # PyTorch records [] for an input that is not a tensor (a scalar, None)
    return [list(x._data.shape) if hasattr(x, "_data") else [] for x in inputs]


class ProfilerLayer(Layer):
    """A dispatch layer that times each op it sees into a :class:`Recorder`.

    ``handle`` is made per layer as a closure over the recorder's state, so the hot
    path reads local cells instead of attributes; the plain variant (no shapes, no
    stacks) does two clock reads and two list appends per op.
    """

    def __init__(self, recorder: Recorder):
        self.recorder = recorder
        self.handle = _make_handle(recorder)

    def __repr__(self) -> str:
        return "<flambeau.profiler layer>"


def _make_handle(recorder: Recorder):
    local = recorder.local
    ctx_of = recorder.thread_ctx
    shapes = recorder.record_shapes
    stacks = recorder.with_stack
    now = perf_counter_ns

    if not (shapes or stacks):
        def handle(op, inputs, params, redispatch):
            try:
                records, opened = local.ctx
            except AttributeError:
                records, opened = ctx_of()
            rec = [op.name, redispatch.device, opened[-1] if opened else None,
                   None, None, None, 0, 0]
            records.append(rec)
            opened.append(rec)
            rec[START] = now()
            try:
                return redispatch()
            finally:
                rec[END] = now()
                opened.pop()
        return handle

    def handle_full(op, inputs, params, redispatch):
        records, opened = ctx_of()
        rec = [op.name, redispatch.device, opened[-1] if opened else None,
               _shapes(inputs) if shapes else None, user_stack() if stacks else None,
               None, 0, 0]
        records.append(rec)
        opened.append(rec)
        rec[START] = now()
        try:
            return redispatch()
        finally:
            rec[END] = now()
            opened.pop()
    return handle_full
