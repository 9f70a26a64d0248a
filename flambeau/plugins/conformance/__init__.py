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

The samples are kept apart from the checks so that other checks reuse them: with
``--grad`` (or :func:`run_grad`) every differentiable entry of :data:`GRAD_DB` also runs
``gradcheck`` and ``gradgradcheck`` on its samples marked ``differentiable``, on the
device under test.
"""

from __future__ import annotations

from . import (samples_autograd, samples_binary, samples_composite, samples_creation,
               samples_elementwise, samples_index, samples_linalg, samples_reductions,
               samples_shape)
from .gradcheck_runner import (CHECKS, GRADCHECK, GRADGRADCHECK, SKIPPED, GradResult,
                               check_grad, grad_checked, grad_settings, run_grad)
from .opinfo import (ALL, BOOL, FLOATS, INTS, INTS_BOOL, NUMBERS, TOLERANCES, Expanded,
                     Layout, OpInfo, Sample, Strided, Transposed, make)
from .report import format_coverage, format_grad_report, format_report, uncovered_ops
from .runner import (FAIL, PASS, UNSUPPORTED, CaseResult, assert_close, check_case, run,
                     support, to_device)

__all__ = ["OP_DB", "OpInfo", "Sample", "Layout", "Transposed", "Strided", "Expanded",
           "make", "CaseResult", "check_case", "run", "support", "to_device",
           "assert_close", "format_report", "format_coverage", "uncovered_ops", "PASS",
           "FAIL",
           "UNSUPPORTED", "ALL", "BOOL", "INTS", "FLOATS", "NUMBERS", "INTS_BOOL",
           "TOLERANCES", "GRAD_DB", "GradResult", "check_grad", "run_grad",
           "grad_checked", "grad_settings", "format_grad_report", "GRADCHECK",
           "GRADGRADCHECK", "CHECKS", "SKIPPED"]


def _collect(*modules) -> dict:
    db = {}
    for mod in modules:
        for entry in mod.ENTRIES:
            if entry.name in db:
                raise ValueError(f"two conformance entries are called {entry.name!r}")
            db[entry.name] = entry
    return db


#: Every entry by name, in family order (elementwise, reductions, linalg, shape,
#: index, creation and random, then composites and in-place methods).
OP_DB: dict[str, OpInfo] = _collect(
    samples_elementwise, samples_binary, samples_reductions, samples_linalg,
    samples_shape, samples_index, samples_creation, samples_composite)
from . import samples_fft  # noqa: E402
OP_DB.update(_collect(samples_fft))

#: The entries that get gradient checks: the differentiable ones of :data:`OP_DB`
#: (in-place ones included), then composites of autograd's own plumbing.
GRAD_DB: dict[str, OpInfo] = {
    **{n: e for n, e in OP_DB.items() if grad_checked(e)},
    **_collect(samples_autograd)}
