"""Chrome trace export: the events as JSON that chrome://tracing and Perfetto open.

The file is the "JSON Object Format" of the Trace Event Format: ``{"traceEvents":
[...]}`` with one complete (``"ph": "X"``) event per op or range, times in
microseconds from the start of the profile, plus metadata (``"ph": "M"``) events that
name the process and threads. It is written to a temporary file in the target's
directory and moved into place with ``os.replace``, so a reader (or a crash) never sees
half a trace.
"""

from __future__ import annotations

import json
import os
import tempfile

__all__ = ["export_chrome_trace", "trace_events"]


def trace_events(events) -> list:
    """The Trace Event Format dicts for ``events`` (:class:`FunctionEvent` objects)."""
    pid = os.getpid()
    out = [{"name": "process_name", "ph": "M", "pid": pid, "tid": 0,
            "args": {"name": "flambeau"}}]
    for tid in sorted({e.thread for e in events}):
        out.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid,
                    "args": {"name": f"thread {tid}"}})
    # parents before their children at equal start times, so viewers nest them
    for e in sorted(events, key=lambda e: (e.thread, e.start_ns, -e.end_ns, e.id)):
        args = {}
        if e.device is not None:
            args["Device"] = e.device
            if e.backend is not None:
                args["Backend"] = e.backend
        if e.input_shapes is not None:
            args["Input Dims"] = e.input_shapes
        if e.stack:
            args["Call stack"] = ";".join(e.stack)
        if e.args is not None:
            args["args"] = e.args
        out.append({"name": e.name, "ph": "X",
                    "cat": "user_annotation" if e.is_user_annotation else "cpu_op",
                    "ts": round(e.time_range.start, 3),
                    "dur": round(e.cpu_time_total, 3),
                    "pid": pid, "tid": e.thread, "args": args})
    return out


def export_chrome_trace(events, path) -> None:
    """Write ``events`` as a Chrome trace to ``path``, atomically.

    Args:
        events: :class:`~flambeau.profiler.events.FunctionEvent` objects.
        path: the file to write (a ``str`` or path-like); replaced if it exists.
    """
    path = os.fspath(path)
    doc = {"traceEvents": trace_events(events), "displayTimeUnit": "ms"}
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".trace-", suffix=".json.tmp", dir=folder)
    try:
        # mkstemp makes the file private (0600); a trace is an ordinary file
        try:
            mode = os.stat(path).st_mode & 0o777
        except OSError:
            mode = 0o644
        os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, separators=(",", ":"), default=str)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
