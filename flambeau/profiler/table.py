"""The text table of profiling results, laid out like PyTorch's.

Columns: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time avg, # of Calls,
Device (the device and the backend that served it), then Input Shapes when the rows
carry shapes and Source Location when they carry stacks. Percentages are of the sum of
all rows' self times, as in PyTorch, so the Self CPU % column adds up to 100%.
"""

from __future__ import annotations

__all__ = ["build_table", "format_time"]

_WIDTH = 12     # every numeric column
_SPACING = 2    # between columns


def format_time(us: float, unit: str | None = None) -> str:
    """``us`` microseconds as text, in ``unit`` (``"s"``, ``"ms"``, ``"us"``) or, by
    default, the largest unit that keeps the number at least 1."""
    if unit is None:
        unit = "s" if us >= 1e6 else "ms" if us >= 1e3 else "us"
    scale = {"s": 1e6, "ms": 1e3, "us": 1.0}.get(unit)
    if scale is None:
        raise ValueError(f"table(): time_unit must be 's', 'ms' or 'us', not {unit!r}")
    return f"{us / scale:.3f}{unit}"


def _share(part: float, whole: float) -> str:
    return "NaN" if whole == 0 else f"{part * 100.0 / whole:.2f}%"


def _device(e) -> str:
    if e.device is None:
        return "-"
    return e.device if e.backend is None else f"{e.device} ({e.backend})"


def _trim_path(path: str, width: int) -> str:
    # keep the end of a long path (the file name and line), as PyTorch does
    if len(path) > width:
        path = "..." + path[len(path) - width + 3:]
    return path


def build_table(events, sort_by=None, row_limit=100, max_name_column_width=55,
                max_shapes_column_width=80, max_src_column_width=75, header=None,
                top_level_events_only=False, time_unit=None) -> str:
    """The table of ``events`` (events or averages); see :meth:`EventList.table`."""
    from .events import SORT_KEYS

    if not events:
        return ""
    if sort_by is not None:
        if sort_by not in SORT_KEYS:
            raise ValueError(f"table(): cannot sort by {sort_by!r}; use one of "
                             f"{', '.join(SORT_KEYS)}")
        events = sorted(events, key=lambda e: getattr(e, sort_by), reverse=True)
    has_shapes = any(e.input_shapes for e in events)
    has_stack = any(e.stack for e in events)

    name_w = max(len(e.key) for e in events) + 4
    if max_name_column_width is not None:
        name_w = min(name_w, max_name_column_width)
    device_w = max(_WIDTH, max(len(_device(e)) for e in events) + 2)
    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total",
               "CPU time avg", "# of Calls", "Device"]
    widths = [name_w] + [_WIDTH] * 6 + [device_w]
    aligns = [">"] * 8
    if has_shapes:
        shapes_w = max(len(str(e.input_shapes)) for e in events) + 4
        if max_shapes_column_width is not None:
            shapes_w = min(shapes_w, max_shapes_column_width)
        headers.append("Input Shapes")
        widths.append(shapes_w)
        aligns.append(">")
    if has_stack:
        src_w = max(len(f) for e in events for f in (e.stack or ())) + 4
        if max_src_column_width is not None:
            src_w = min(src_w, max_src_column_width)
        headers.append("Source Location")
        widths.append(src_w)
        aligns.append("<")

    row_format = "".join(f"{{:{a}{w}}}" + " " * _SPACING for a, w in zip(aligns, widths))
    sep = "".join("-" * w + " " * _SPACING for w in widths)
    line_length = sum(widths) + _SPACING * (len(widths) - 1)
    total_self = sum(e.self_cpu_time_total for e in events)

    lines = []
    if header is not None:
        lines += ["=" * line_length, header]
    if top_level_events_only:
        lines += ["=" * line_length, "This report only display top-level ops statistics"]
    lines += [sep, row_format.format(*headers), sep]
    shown = 0
    for e in events:
        if shown == row_limit:
            break
        if top_level_events_only and e.cpu_parent is not None:
            continue
        shown += 1
        name = e.key
        if max_name_column_width is not None and len(name) >= max_name_column_width - 3:
            name = name[:max_name_column_width - 3] + "..."
        values = [name,
                  _share(e.self_cpu_time_total, total_self),
                  format_time(e.self_cpu_time_total, time_unit),
                  _share(e.cpu_time_total, total_self),
                  format_time(e.cpu_time_total, time_unit),
                  format_time(e.cpu_time, time_unit),
                  e.count,
                  _device(e)]
        if has_shapes:
            values.append(str(e.input_shapes)[:widths[8]])
        stack = e.stack or []
        if has_stack:
            values.append(_trim_path(stack[0], src_w) if stack else "")
        lines.append(row_format.format(*values))
        if has_stack and stack:
            blank = [""] * (len(headers) - 1)
            lines += [row_format.format(*blank, _trim_path(f, src_w)) for f in stack[1:]]
            lines.append(row_format.format(*blank, ""))
    lines += [sep, f"Self CPU time total: {format_time(total_self, time_unit)}"]
    return "\n".join(line.rstrip() for line in lines) + "\n"
