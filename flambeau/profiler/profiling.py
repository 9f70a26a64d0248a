"""``profile``: the context manager that installs the profiling layer for a block."""

from __future__ import annotations

import enum
import warnings

from ..dispatcher import layers
from ..dispatcher.registry import _BACKENDS
from .events import EventList, build_events
from .layer import ACTIVE, ProfilerLayer, Recorder

__all__ = ["profile", "ProfilerActivity", "supported_activities"]


class ProfilerActivity(enum.Enum):
    """What to profile, as ``torch.profiler.ProfilerActivity``.

    ``CPU``: host time of every op and ``record_function`` range (what flambeau
    measures). ``CUDA``: accepted for scripts written for PyTorch; flambeau does not
    read device-side kernel timers, so a CUDA op's time is its host time (the launch,
    plus any synchronisation it does).
    """

    CPU = "cpu"
    CUDA = "cuda"


def supported_activities() -> set:
    """The activities this installation can profile: ``CPU``, and ``CUDA`` when a
    backend serves the ``cuda`` device (its ops are timed on the host)."""
    out = {ProfilerActivity.CPU}
    if "cuda" in _BACKENDS:
        out.add(ProfilerActivity.CUDA)
    return out


_WARNED: set = set()


def _warn_once(key: str, message: str) -> None:
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, UserWarning, stacklevel=3)


class profile:
    """Profile the ops run inside a block, as ``torch.profiler.profile``.

    While it runs, a profiling layer sits on the dispatcher's layer stack above
    autograd and times every op that reaches the stack: forward ops as the user
    called them, creation and random ops, in-place writes, the ops of backward and of
    gradient accumulation, and the optimizer's in-place updates. Ops that a composite
    runs inside one op are part of that op's time. Results are ready once the block
    ends (or :meth:`stop` is called). Outside a profile nothing is installed, so the
    profiler costs nothing when off.

    Profiles may nest: each records the ops of its own block (an outer one's times
    include the inner one's recording). Ops from every thread are recorded, each
    under its thread's id.

    Args:
        activities: a list of :class:`ProfilerActivity`; default: all of
            :func:`supported_activities`. Times are host times for every activity.
        record_shapes: record each op's input shapes (``[]`` for non-tensor inputs);
            see ``key_averages(group_by_input_shape=True)``.
        profile_memory: not supported; accepted and ignored, with a warning.
        with_stack: record the Python stack (outside flambeau's dispatch machinery)
            of each op and range; see ``key_averages(group_by_stack_n=...)``. Slow.
        with_flops, with_modules: not supported; accepted and ignored, with a warning.
        on_trace_ready: called with this profiler when it stops (e.g. to export).

    Example::

        >>> import flambeau as fl
        >>> import flambeau.profiler
        >>> with fl.profiler.profile(record_shapes=True) as prof:
        ...     with fl.profiler.record_function("step"):
        ...         loss = model(x).sum()
        ...         loss.backward()
        >>> print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))
        >>> prof.export_chrome_trace("trace.json")   # open in chrome://tracing or Perfetto
    """

    def __init__(self, *, activities=None, record_shapes: bool = False,
                 profile_memory: bool = False, with_stack: bool = False,
                 with_flops: bool = False, with_modules: bool = False,
                 on_trace_ready=None):
        if activities is None:
            activities = supported_activities()
        activities = set(activities)
        bad = [a for a in activities if not isinstance(a, ProfilerActivity)]
        if bad:
            raise TypeError(f"profile(): activities must be fl.profiler.ProfilerActivity "
                            f"members (CPU, CUDA), not {bad!r}")
        if ProfilerActivity.CUDA in activities:
            _warn_once("cuda", "fl.profiler: ProfilerActivity.CUDA reads no device-side "
                       "kernel timers; every op's time is host time (for a CUDA op, its "
                       "launch and any synchronisation)")
        for flag, on in (("profile_memory", profile_memory), ("with_flops", with_flops),
                         ("with_modules", with_modules)):
            if on:
                _warn_once(flag, f"fl.profiler: {flag}=True is not supported and is "
                           f"ignored; the results have no {flag[5:]} figures")
        if on_trace_ready is not None and not callable(on_trace_ready):
            raise TypeError("profile(): on_trace_ready must be callable")
        self.activities = activities
        self.record_shapes = bool(record_shapes)
        self.profile_memory = bool(profile_memory)
        self.with_stack = bool(with_stack)
        self.on_trace_ready = on_trace_ready
        self._recorder = None
        self._layer = None
        self._events = None

    # --- running ---------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the profiler is recording now."""
        return self._layer is not None

    def start(self) -> None:
        """Start recording: install the profiling layer. Results of an earlier run of
        this profiler are dropped.

        Raises:
            RuntimeError: when this profiler is running already.
        """
        if self.running:
            raise RuntimeError("profile.start(): this profiler is running already; "
                               "call stop() first")
        recorder = Recorder(self.record_shapes, self.with_stack)
        layer = ProfilerLayer(recorder)
        layers.push_layer(layer)
        self._recorder, self._layer, self._events = recorder, layer, None
        ACTIVE.append(recorder)

    def stop(self) -> None:
        """Stop recording: remove the profiling layer (wherever it is on the stack)
        and make the results available. A no-op when not running."""
        layer, self._layer = self._layer, None
        if layer is None:
            return
        recorder = self._recorder
        try:
            if any(x is layer for x in layers.stack()):
                layers.pop_layer(layer)
        finally:
            if recorder in ACTIVE:
                ACTIVE.remove(recorder)
            recorder.finish()
            self._events = build_events(recorder)
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> bool:
        self.stop()
        return False

    # --- results ---------------------------------------------------------------------

    def _results(self, what: str) -> EventList:
        if self.running:
            raise RuntimeError(f"profile.{what}(): the profiler is still running; call it "
                               f"after the `with` block ends or after prof.stop()")
        if self._events is None:
            raise RuntimeError(f"profile.{what}(): the profiler has not run; use it as "
                               f"`with fl.profiler.profile() as prof:` or call start() "
                               f"and stop()")
        return self._events

    def events(self) -> EventList:
        """Every recorded op and range, in start order.

        Returns:
            EventList: of :class:`~flambeau.profiler.events.FunctionEvent`; each has
            ``name``, ``cpu_time_total``, ``self_cpu_time_total``, ``cpu_parent``,
            ``cpu_children``, ``device``, ``input_shapes``, ``time_range``...

        Raises:
            RuntimeError: while the profiler runs, or before it has run.
        """
        return self._results("events")

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        """The events summed per op name (and device), one row per key.

        Args:
            group_by_input_shape: split rows by input shapes (needs
                ``record_shapes=True``); the table then has an Input Shapes column.
            group_by_stack_n: split rows by the innermost n stack frames (needs
                ``with_stack=True``); the table then has a Source Location column.

        Returns:
            EventList: of :class:`~flambeau.profiler.events.FunctionEventAvg` with
            ``key``, ``count``, ``cpu_time_total``, ``self_cpu_time_total``,
            ``cpu_time`` (the average), ``input_shapes``, ``device``; ``.table()``
            prints them.

        Raises:
            RuntimeError: while the profiler runs, or before it has run.

        Example::

            >>> rows = prof.key_averages()
            >>> {r.key: r.count for r in rows}["add_"]
            2
            >>> print(rows.table(sort_by="self_cpu_time_total", row_limit=10))
        """
        return self._results("key_averages").key_averages(group_by_input_shape,
                                                          group_by_stack_n)

    def export_chrome_trace(self, path) -> None:
        """Write the events as a Chrome trace, JSON that chrome://tracing and Perfetto
        (ui.perfetto.dev) open: one ``"ph": "X"`` event per op or range, with ``ts``
        and ``dur`` in microseconds and the device, backend and (when recorded) input
        shapes in ``args``. Written atomically.

        Args:
            path: the file to write; replaced if it exists.

        Raises:
            RuntimeError: while the profiler runs, or before it has run.
        """
        self._results("export_chrome_trace").export_chrome_trace(path)

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped" if self._events is not None \
            else "not started"
        return f"<fl.profiler.profile {state}>"
