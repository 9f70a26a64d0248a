"""The summary a backend author reads: a grid of entries by dtype, then the reasons."""

from __future__ import annotations

import textwrap
from collections import Counter

from ...dispatcher.optable import OPS
from .opinfo import ALL

__all__ = ["format_report", "format_grad_report", "format_coverage", "uncovered_ops"]

_SHORT = {"bool": "b", "uint8": "u8", "int8": "i8", "int16": "i16", "int32": "i32",
          "int64": "i64", "float16": "f16", "float32": "f32", "float64": "f64"}
_CELL = {"pass": "ok", "fail": "FAIL", "unsupported": "--"}


def format_report(results, verbose: bool = False) -> str:
    """A text report of conformance results.

    One line per entry with a cell per dtype (``ok`` pass, ``FAIL`` fail, ``--``
    unsupported, blank when the entry does not take that dtype), the totals, then
    every failure and the distinct reasons for unsupported cases.

    Args:
        results: :class:`~flambeau.plugins.conformance.runner.CaseResult` objects.
        verbose: also list every case as ``op dtype status reason``.
    """
    if not results:
        return "no cases run"
    devices = sorted({r.device for r in results})
    counts = Counter(r.status for r in results)
    skipped = sum(r.skipped for r in results)
    lines = [f"flambeau conformance on {', '.join(devices)}: {len(results)} cases, "
             f"{counts['pass']} pass, {counts['fail']} fail, "
             f"{counts['unsupported']} unsupported"
             + (f" ({skipped} samples skipped)" if skipped else ""), ""]
    width = max(len(r.op) for r in results) + 2
    cols = [d.name for d in ALL]
    lines.append("".join(["op".ljust(width)] + [_SHORT[c].ljust(5) for c in cols]).rstrip())
    grid: dict = {}
    for r in results:
        grid.setdefault((r.device, r.op), {})[r.dtype] = r.status
    for (dev, op), cells in grid.items():
        name = op if len(devices) == 1 else f"{dev}:{op}"
        lines.append("".join([name.ljust(width)]
                             + [_CELL.get(cells.get(c), "").ljust(5) for c in cols]
                             ).rstrip())
    lines.append("")
    lines.append("legend: ok pass, FAIL fail, -- unsupported, blank: dtype not taken")
    failed = [r for r in results if r.status == "fail"]
    if failed:
        lines += ["", "failures:"]
        lines += [f"  {r.op} {r.dtype} on {r.device}: {r.reason}" for r in failed]
    unsupported = Counter(r.reason for r in results if r.status == "unsupported")
    if unsupported:
        lines += ["", "unsupported (cases: reason):"]
        lines += [f"  {n}: {reason}" for reason, n in unsupported.most_common()]
    partial = [r for r in results if r.status == "pass" and r.skipped]
    if partial:
        lines += ["", "passed with samples skipped:"]
        lines += [f"  {r.op} {r.dtype}: {r.reason}" for r in partial]
    if verbose:
        lines += ["", "all cases:"]
        lines += [f"  {r.device} {r.op} {r.dtype} {r.status} {r.reason}".rstrip()
                  for r in results]
    return "\n".join(lines)


def format_coverage(device_type: str) -> str:
    """How a backend covers the op table: the primitives it implements, the composite
    rows it overrides with kernels of its own, the rows it runs as composites, and
    the primitives it lacks (each breaks the composites that use it)."""
    from ...composites import coverage
    by = {}
    for name, how in coverage(device_type).items():
        by.setdefault(how, []).append(name)
    lines = [f"op table coverage on {device_type}: "
             + ", ".join(f"{len(by.get(k, ()))} {k}" for k in _COVERAGE)]
    for how in _COVERAGE:
        if by.get(how) and how != "overridden":
            lines.append(textwrap.fill(" ".join(sorted(by[how])), 88,
                                       initial_indent=f"  {how}: ",
                                       subsequent_indent="    "))
    return "\n".join(lines)


_COVERAGE = ("primitive", "overridden", "derived", "missing")


def uncovered_ops(db) -> list[str]:
    """Op-table rows that no entry of ``db`` exercises."""
    covered = {name for entry in db.values() for name in entry.table_ops}
    return sorted(set(OPS) - covered)


_GRAD_CELL = {"pass": "ok", "fail": "FAIL", "skipped": "skip"}


def format_grad_report(results, verbose: bool = False) -> str:
    """A text report of gradient checks.

    One line per entry with a cell per check (``ok`` pass, ``FAIL`` fail, ``skip``
    skipped), the totals, every failure, every skipped check with its reason, and the
    samples left out of the checks, counted by reason.

    Args:
        results: :class:`~flambeau.plugins.conformance.gradcheck_runner.GradResult`
            objects.
        verbose: also list every check as ``op check status reason``, and the samples
            each left out.
    """
    if not results:
        return "no gradient checks run"
    devices = sorted({r.device for r in results})
    dtypes = sorted({r.dtype for r in results})
    counts = Counter(r.status for r in results)
    checks = list(dict.fromkeys(r.check for r in results))
    lines = [f"flambeau gradient checks on {', '.join(devices)} in {', '.join(dtypes)}: "
             f"{len(results)} checks, {counts['pass']} pass, {counts['fail']} fail, "
             f"{counts['skipped']} skipped", ""]
    width = max(len(r.op) for r in results) + 2
    cw = max(len(c) for c in checks) + 2
    lines.append("".join(["op".ljust(width)] + [c.ljust(cw) for c in checks]).rstrip())
    grid: dict = {}
    for r in results:
        grid.setdefault((r.device, r.op), {})[r.check] = r.status
    for (dev, op), cells in grid.items():
        name = op if len(devices) == 1 else f"{dev}:{op}"
        lines.append("".join([name.ljust(width)]
                             + [_GRAD_CELL.get(cells.get(c), "").ljust(cw) for c in checks]
                             ).rstrip())
    lines += ["", "legend: ok pass, FAIL fail, skip skipped (reasons below)"]
    failed = [r for r in results if r.status == "fail"]
    if failed:
        lines += ["", "failures:"]
        lines += [f"  {r.op} {r.check} on {r.device}: {r.reason}" for r in failed]
    skipped = [r for r in results if r.status == "skipped"]
    if skipped:
        lines += ["", "skipped:"]
        lines += [f"  {r.op} {r.check}: {r.reason}" for r in skipped]
    left = Counter()
    for r in results:
        left.update(r.left_out)
    if left:
        lines += ["", "samples left out of the checks:"]
        lines += [f"  {n} {why}" for why, n in left.most_common()]
    if verbose:
        lines += ["", "all checks:"]
        for r in results:
            lines.append(f"  {r.device} {r.op} {r.check} {r.status} {r.reason}".rstrip())
            lines += [f"      left out: {n} {why}" for why, n in r.left_out.most_common()]
    return "\n".join(lines)
