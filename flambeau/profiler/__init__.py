"""``fl.profiler``: where the time of a training step goes, with PyTorch's names.

``profile()`` installs a profiling layer on the dispatcher's layer stack for a block;
every op that reaches the stack is timed on the host, ``record_function`` marks named
ranges of user code, ``key_averages().table()`` prints the summary, and
``export_chrome_trace`` writes a trace that chrome://tracing and Perfetto open.

Example::

    >>> import flambeau as fl
    >>> import flambeau.profiler
    >>> with fl.profiler.profile(record_shapes=True) as prof:
    ...     with fl.profiler.record_function("train_step"):
    ...         opt.zero_grad()
    ...         loss_fn(model(x), y).backward()
    ...         opt.step()
    >>> print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))
    >>> prof.export_chrome_trace("trace.json")

Modules: :mod:`.layer` (the layer and raw records), :mod:`.ranges`
(``record_function``), :mod:`.events` (events, averages, lists), :mod:`.table`,
:mod:`.trace`, :mod:`.profiling` (``profile``).
"""

from .events import EventList, FunctionEvent, FunctionEventAvg, Interval
from .profiling import ProfilerActivity, profile, supported_activities
from .ranges import record_function

__all__ = ["profile", "record_function", "ProfilerActivity", "supported_activities",
           "EventList", "FunctionEvent", "FunctionEventAvg", "Interval"]
