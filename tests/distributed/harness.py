"""Running check scripts under mpiexec and reading back one result per check.

Both sides use this module. In a launched script, :class:`Checks` runs registered check
functions one after another on every rank, catches what each raises, and rewrites the
rank's JSON result file after every check (so a job that hangs still tells which check
it hung in). In pytest, :func:`launch` starts ``mpiexec -n N`` (or plain ``python`` for
a world of one without a launcher) with a timeout, and :func:`results` merges the
ranks' files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def find_mpiexec() -> str | None:
    """``mpiexec`` next to this Python (the mpich wheel puts it there), else on PATH."""
    here = Path(sys.executable).parent
    for name in ("mpiexec", "mpirun"):
        if (here / name).exists():
            return str(here / name)
    for name in ("mpiexec", "mpirun"):
        found = shutil.which(name)
        if found:
            return found
    return None


def launch(script: Path, n: int | None, args: list[str], timeout: float,
           env: dict | None = None) -> tuple[int | None, str, str, float]:
    """Run ``script`` on ``n`` ranks (``None``: plain python, no launcher).

    Returns ``(returncode or None on timeout, stdout, stderr, seconds)``; on timeout the
    whole process group is killed.
    """
    cmd = [sys.executable, str(script), *args]
    if n is not None:
        mpiexec = find_mpiexec()
        if mpiexec is None:
            raise RuntimeError("mpiexec not found next to sys.executable or on PATH")
        cmd = [mpiexec, "-n", str(n), *cmd]
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), str(REPO / "tests"), full_env.get("PYTHONPATH", "")])
    for var in ("PMI_SIZE", "PMI_RANK", "PMI_FD", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK"):
        full_env.pop(var, None)  # never inherit a launcher from the pytest process
    full_env.update(env or {})
    began = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=full_env, cwd=str(REPO), start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        code = None
    return code, out, err, time.monotonic() - began


def results(outdir: Path, n: int) -> dict[str, dict[int, dict]]:
    """``{check name: {rank: {"ok": ..., "detail": ...}}}`` from the ranks' files."""
    merged: dict[str, dict[int, dict]] = {}
    for rank in range(n):
        path = outdir / f"rank{rank}.json"
        if not path.exists():
            continue
        for name, res in json.loads(path.read_text()).items():
            merged.setdefault(name, {})[rank] = res
    return merged


_soft_failures: list[str] = []


def expect(condition: bool, message: str) -> bool:
    """A soft assertion: record a failure but let the check go on.

    A rank that stopped a check at its first failed assertion would skip the
    collectives the other ranks still make, and the job would hang; checks with
    collectives after a comparison use this instead of ``assert``.
    """
    if not condition:
        _soft_failures.append(message)
    return bool(condition)


class Checks:
    """A registry of check functions, run in order on every rank.

    A check is ``fn(ctx)``; it passes by returning with no :func:`expect` failed, is
    skipped by returning the string ``"skip: why"``, and fails by raising (the
    traceback is recorded) or by failed :func:`expect` calls.
    """

    def __init__(self) -> None:
        self.funcs: list = []

    def __call__(self, fn):
        self.funcs.append(fn)
        return fn

    @property
    def names(self) -> list[str]:
        return [f.__name__ for f in self.funcs]

    def run(self, ctx, outdir: Path, rank: int) -> None:
        outdir.mkdir(parents=True, exist_ok=True)
        path = outdir / f"rank{rank}.json"
        done: dict[str, dict] = {}
        for fn in self.funcs:
            done[fn.__name__] = {"ok": None, "detail": "started, never finished"}
            path.write_text(json.dumps(done))
            _soft_failures.clear()
            try:
                outcome = fn(ctx)
                if _soft_failures:
                    raise AssertionError("\n".join(_soft_failures))
                if isinstance(outcome, str) and outcome.startswith("skip"):
                    done[fn.__name__] = {"ok": True, "detail": outcome}
                else:
                    done[fn.__name__] = {"ok": True, "detail": ""}
            except Exception:  # record it and go on with the next check
                done[fn.__name__] = {"ok": False, "detail": traceback.format_exc()}
            path.write_text(json.dumps(done))
