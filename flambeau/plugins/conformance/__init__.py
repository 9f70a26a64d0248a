"""The conformance kit: one op database that any backend runs against its device.

Each entry of :data:`OP_DB` is an :class:`OpInfo` row: a public flambeau callable, a
generator of host sample inputs, a NumPy reference and the dtypes to try. The runner
moves the samples to the device under test, calls the op, and checks values (per-dtype
tolerances), output dtype, shape, device, and memory sharing for views. What the
device lacks is reported as unsupported, never passed.

Check a backend from the command line::

    python -m flambeau.plugins.conformance --device opencl

or from Python::

    from flambeau.plugins import conformance
    results = conformance.run("opencl")
    print(conformance.format_report(results))

The samples are kept apart from the checks so that other checks (gradcheck over the
samples marked ``differentiable``) can reuse them.
"""

from __future__ import annotations

from . import (samples_binary, samples_composite, samples_creation, samples_elementwise,
               samples_index, samples_linalg, samples_reductions, samples_shape)
from .opinfo import (ALL, BOOL, FLOATS, INTS, INTS_BOOL, NUMBERS, TOLERANCES, Expanded,
                     Layout, OpInfo, Sample, Strided, Transposed, make)
from .report import format_report, uncovered_ops
from .runner import (FAIL, PASS, UNSUPPORTED, CaseResult, assert_close, check_case, run,
                     support, to_device)

__all__ = ["OP_DB", "OpInfo", "Sample", "Layout", "Transposed", "Strided", "Expanded",
           "make", "CaseResult", "check_case", "run", "support", "to_device",
           "assert_close", "format_report", "uncovered_ops", "PASS", "FAIL",
           "UNSUPPORTED", "ALL", "BOOL", "INTS", "FLOATS", "NUMBERS", "INTS_BOOL",
           "TOLERANCES"]


def _collect() -> dict:
    db = {}
    for mod in (samples_elementwise, samples_binary, samples_reductions, samples_linalg,
                samples_shape, samples_index, samples_creation, samples_composite):
        for entry in mod.ENTRIES:
            if entry.name in db:
                raise ValueError(f"two conformance entries are called {entry.name!r}")
            db[entry.name] = entry
    return db


#: Every entry by name, in family order (elementwise, reductions, linalg, shape,
#: index, creation and random, then composites and in-place methods).
OP_DB: dict[str, OpInfo] = _collect()
