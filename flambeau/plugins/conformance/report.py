"""The summary a backend author reads: a grid of entries by dtype, then the reasons."""

from __future__ import annotations

from collections import Counter

from ...dispatcher.optable import OPS
from .opinfo import ALL

__all__ = ["format_report", "uncovered_ops"]

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


def uncovered_ops(db) -> list[str]:
    """Op-table rows that no entry of ``db`` exercises."""
    covered = {name for entry in db.values() for name in entry.table_ops}
    return sorted(set(OPS) - covered)
