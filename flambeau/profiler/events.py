"""Profiling results: events, their per-key averages, and lists of either.

Names and semantics follow PyTorch's ``torch.autograd.profiler_util``: a
:class:`FunctionEvent` is one op call or ``record_function`` range; a
:class:`FunctionEventAvg` sums the events that share a key (name, device and, when
asked, input shapes or stack); an :class:`EventList` holds either and prints a table.
Times are host (CPU) time in microseconds, measured from the start of the profile.
"""

from __future__ import annotations

from ..dispatcher.registry import _BACKENDS
from .layer import ARGS, DEVICE, END, NAME, PARENT, SHAPES, STACK, START

__all__ = ["Interval", "FunctionEvent", "FunctionEventAvg", "EventList", "build_events"]

# The attributes ``table(sort_by=...)`` accepts; PyTorch's device and memory names are
# accepted too and are zero here (no device-side timing, no memory profiling).
SORT_KEYS = ("cpu_time", "cpu_time_total", "self_cpu_time_total", "count",
             "device_time", "device_time_total", "self_device_time_total",
             "cuda_time", "cuda_time_total", "self_cuda_time_total",
             "cpu_memory_usage", "self_cpu_memory_usage")


class Interval:
    """A time range in microseconds: ``start``, ``end`` and :meth:`elapsed_us`."""

    __slots__ = ("start", "end")

    def __init__(self, start: float, end: float):
        self.start = start
        self.end = end

    def elapsed_us(self) -> float:
        """The length of the range, in microseconds."""
        return self.end - self.start

    def __repr__(self) -> str:
        return f"Interval(start={self.start:.3f}, end={self.end:.3f})"


class _Times:
    """Shared by events and averages: averages and formatted times."""

    # accepted for PyTorch compatibility: flambeau measures host time only
    device_time_total = 0.0
    self_device_time_total = 0.0
    cpu_memory_usage = 0
    self_cpu_memory_usage = 0

    @property
    def cpu_time(self) -> float:
        """Average CPU time per call, in microseconds."""
        return self.cpu_time_total / self.count if self.count else 0.0

    @property
    def device_time(self) -> float:
        return 0.0

    cuda_time = device_time
    cuda_time_total = property(lambda self: self.device_time_total)
    self_cuda_time_total = property(lambda self: self.self_device_time_total)


class FunctionEvent(_Times):
    """One op call or ``record_function`` range.

    Attributes:
        id (int): position in start order across all threads.
        name (str): the op's name (``"add"``, ``"linear"``, ``"copy_"``) or the range's.
        key (str): the name; what :meth:`EventList.key_averages` groups by.
        thread (int): the native id of the thread that ran it.
        time_range (Interval): start and end, in microseconds from the profile's start.
        cpu_time_total (float): wall time on the host, in microseconds.
        self_cpu_time_total (float): ``cpu_time_total`` minus that of the events
            nested directly inside it.
        cpu_parent (FunctionEvent | None) and cpu_children (list): the nesting.
        input_shapes (list | None): one shape per input (``[]`` for a non-tensor)
            when ``record_shapes=True``.
        stack (list | None): ``"file(line): function"`` frames, innermost first, when
            ``with_stack=True``.
        device (str | None): the device the op ran on (``"cpu"``, ``"opencl:0"``);
            ``None`` for a ``record_function`` range.
        backend (str | None): the name of the backend serving that device.
        is_user_annotation (bool): a ``record_function`` range, not an op.
        count (int): 1.
    """

    count = 1

    def __init__(self, id, name, thread, start_ns, end_ns, origin_ns, device=None,
                 input_shapes=None, stack=None, args=None):
        self.id = id
        self.name = name
        self.thread = thread
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.time_range = Interval((start_ns - origin_ns) / 1e3, (end_ns - origin_ns) / 1e3)
        self.is_user_annotation = device is None
        self.device = None if device is None else str(device)
        b = None if device is None else _BACKENDS.get(device.type)
        self.backend = None if b is None else b.name
        self.input_shapes = input_shapes
        self.stack = stack
        self.args = args
        self.cpu_parent = None
        self.cpu_children: list = []

    @property
    def key(self) -> str:
        return self.name

    @property
    def cpu_time_total(self) -> float:
        return (self.end_ns - self.start_ns) / 1e3

    @property
    def self_cpu_time_total(self) -> float:
        # in integer nanoseconds first, so the self times of a tree sum exactly to
        # its root's total
        inner = sum(c.end_ns - c.start_ns for c in self.cpu_children)
        return (self.end_ns - self.start_ns - inner) / 1e3

    def __repr__(self) -> str:
        return (f"<FunctionEvent id={self.id} name={self.name} device={self.device} "
                f"cpu_time={_fmt(self.cpu_time_total)} start_us={self.time_range.start:.3f} "
                f"end_us={self.time_range.end:.3f} "
                f"cpu_children={[c.id for c in self.cpu_children]} thread={self.thread} "
                f"input_shapes={self.input_shapes}>")


class FunctionEventAvg(_Times):
    """The sum of the events that share a key, as a row of the table.

    Attributes:
        key (str): the events' name.
        count (int): how many events were summed.
        cpu_time_total, self_cpu_time_total (float): summed, in microseconds;
            ``cpu_time`` is ``cpu_time_total / count``.
        input_shapes: the shapes when grouped by them, else ``""`` (as PyTorch).
        stack (list): the first ``group_by_stack_n`` frames when grouped by them.
        device, backend, is_user_annotation: as on the events.
    """

    def __init__(self):
        self.key = None
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.input_shapes = None
        self.stack = None
        self.device = None
        self.backend = None
        self.is_user_annotation = False
        self.cpu_parent = None
        self.cpu_children = None

    def add(self, other):
        """Add an event's (or another average's) times and count; returns ``self``."""
        if self.key is None:
            self.key = other.key
            self.input_shapes = other.input_shapes
            self.stack = other.stack
            self.device = other.device
            self.backend = other.backend
            self.is_user_annotation = other.is_user_annotation
            self.cpu_parent = other.cpu_parent
            self.cpu_children = other.cpu_children
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.count += other.count
        return self

    __iadd__ = add

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} device={self.device} count={self.count} "
                f"self_cpu_time={_fmt(self.self_cpu_time_total)} "
                f"cpu_time={_fmt(self.cpu_time)} input_shapes={self.input_shapes}>")


class EventList(list):
    """A list of :class:`FunctionEvent` or :class:`FunctionEventAvg`, printable as a
    table (``print(events)`` shows :meth:`table`)."""

    def __str__(self) -> str:
        return self.table()

    @property
    def self_cpu_time_total(self) -> float:
        """The sum of the events' self CPU times, in microseconds."""
        return sum(e.self_cpu_time_total for e in self)

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_name_column_width: int = 55, max_shapes_column_width: int = 80,
              max_src_column_width: int = 75, header: str | None = None,
              top_level_events_only: bool = False, time_unit: str | None = None) -> str:
        """The events as a PyTorch-style text table.

        Args:
            sort_by: the attribute to sort rows by, largest first (``None``: in the
                order recorded): ``"self_cpu_time_total"``, ``"cpu_time_total"``,
                ``"cpu_time"`` or ``"count"``.
            row_limit: at most this many rows (``-1``: all).
            max_name_column_width, max_shapes_column_width, max_src_column_width:
                column widths; longer text is cut.
            header: a line printed above the table.
            top_level_events_only: only rows of events not nested in another.
            time_unit: ``"s"``, ``"ms"`` or ``"us"`` for every time (default: each
                time in the unit that suits it).

        Returns:
            str: the table.

        Example::

            >>> print(prof.key_averages().table(sort_by="self_cpu_time_total",
            ...                                 row_limit=10))
        """
        from .table import build_table
        return build_table(self, sort_by=sort_by, row_limit=row_limit,
                           max_name_column_width=max_name_column_width,
                           max_shapes_column_width=max_shapes_column_width,
                           max_src_column_width=max_src_column_width, header=header,
                           top_level_events_only=top_level_events_only,
                           time_unit=time_unit)

    def key_averages(self, group_by_input_shapes: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        """Sum the events per key: name, device and whether it is a user range, plus
        the input shapes and the first ``group_by_stack_n`` stack frames when asked.

        Args:
            group_by_input_shapes: one row per (name, input shapes); needs
                ``record_shapes=True``.
            group_by_stack_n: one row per (name, innermost n frames); needs
                ``with_stack=True``.

        Returns:
            EventList: of :class:`FunctionEventAvg`, in order of first appearance.
        """
        rows: dict = {}
        for e in self:
            key = (e.key, e.device, e.is_user_annotation)
            if group_by_input_shapes:
                key += (repr(e.input_shapes),)
            if group_by_stack_n > 0:
                key += tuple((e.stack or ())[:group_by_stack_n])
            row = rows.get(key)
            if row is None:
                row = rows[key] = FunctionEventAvg()
            row.add(e)
        out = EventList(rows.values())
        for row in out:
            row.stack = (row.stack or [])[:group_by_stack_n]
            if not group_by_input_shapes:
                row.input_shapes = ""
        return out

    def total_average(self) -> FunctionEventAvg:
        """All events summed into one row keyed ``"Total"``."""
        total = FunctionEventAvg()
        for e in self:
            total.cpu_time_total += e.cpu_time_total
            total.self_cpu_time_total += e.self_cpu_time_total
            total.count += e.count
        total.key = "Total"
        return total

    def export_chrome_trace(self, path) -> None:
        """Write the events as a Chrome trace (JSON) to ``path``; see
        :func:`flambeau.profiler.trace.export_chrome_trace`."""
        from .trace import export_chrome_trace
        export_chrome_trace(self, path)


def build_events(recorder) -> EventList:
    """The events of a finished :class:`~flambeau.profiler.layer.Recorder`, in start
    order, linked to their parents and children."""
    flat = [(rec[START], tid, rec) for tid, records in recorder.threads for rec in records]
    # stable: a parent was appended before its children, so it stays first on a tie
    flat.sort(key=lambda x: x[0])
    origin = recorder.start_ns
    events = EventList()
    made: dict = {}
    for i, (_, tid, rec) in enumerate(flat):
        e = FunctionEvent(i, rec[NAME], tid, rec[START], rec[END], origin,
                          device=rec[DEVICE], input_shapes=rec[SHAPES], stack=rec[STACK],
                          args=rec[ARGS])
        made[id(rec)] = e
        events.append(e)
    for _, _, rec in flat:
        parent = rec[PARENT]
        if parent is not None:
            e, p = made[id(rec)], made[id(parent)]
            e.cpu_parent = p
            p.cpu_children.append(e)
    return events


def _fmt(us: float) -> str:
    from .table import format_time
    return format_time(us)
