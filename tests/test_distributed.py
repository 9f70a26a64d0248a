"""flambeau.distributed and DistributedDataParallel under mpiexec, one test per check.

For each world size the check script ``tests/distributed/run_checks.py`` runs once:
under ``mpiexec -n 2`` and ``-n 4`` (oversubscribed on small machines), and as a plain
``python`` process for a world of one without a launcher. Every rank records every
check; each test here asserts one check passed on all ranks.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import flambeau.distributed as dist

sys.path.insert(0, str(Path(__file__).parent / "distributed"))
import harness  # noqa: E402
from checks_collectives import checks as collective_checks  # noqa: E402
from checks_ddp import checks as ddp_checks  # noqa: E402
from checks_groups import checks as group_checks  # noqa: E402

pytestmark = pytest.mark.skipif(not dist.is_available() or harness.find_mpiexec() is None,
                                reason="needs mpi4py and mpiexec (pip install flambeau[mpi])")

SCRIPT = Path(__file__).parent / "distributed" / "run_checks.py"
TIMEOUT = 180
WORLDS = {"world1-no-launcher": (None, 1), "world2": (2, 2), "world4": (4, 4)}
SUITES = {"collectives": collective_checks, "groups": group_checks, "ddp": ddp_checks}
CASES = [(suite, name) for suite, checks in SUITES.items() for name in checks.names]
_runs: dict = {}


def _run(world: str, tmp_path_factory) -> dict:
    if world not in _runs:
        launcher_n, ranks = WORLDS[world]
        outdir = tmp_path_factory.mktemp(world)
        code, out, err, seconds = harness.launch(SCRIPT, launcher_n, [str(outdir)], TIMEOUT)
        _runs[world] = {
            "code": code, "ranks": ranks, "seconds": seconds,
            "log": (out[-3000:] + "\n--- stderr ---\n" + err[-3000:]),
            "results": {suite: harness.results(outdir / suite, ranks)
                        for suite in SUITES},
        }
    return _runs[world]


@pytest.mark.parametrize("suite,check", CASES, ids=[f"{s}-{c}" for s, c in CASES])
@pytest.mark.parametrize("world", list(WORLDS))
def test_check(world, suite, check, tmp_path_factory):
    run = _run(world, tmp_path_factory)
    per_rank = run["results"][suite].get(check, {})
    status = "timed out" if run["code"] is None else f"exit code {run['code']}"
    missing = [r for r in range(run["ranks"]) if r not in per_rank]
    assert not missing, (f"{check}: no result from ranks {missing} ({status} after "
                         f"{run['seconds']:.0f} s)\n{run['log']}")
    failed = {r: res["detail"] for r, res in per_rank.items() if not res["ok"]}
    assert not failed, f"{check} failed on ranks {sorted(failed)} ({world}):\n" + \
        "\n".join(f"--- rank {r} ---\n{d}" for r, d in sorted(failed.items()))


@pytest.mark.parametrize("world", list(WORLDS))
def test_job_exits_cleanly(world, tmp_path_factory):
    run = _run(world, tmp_path_factory)
    assert run["code"] == 0, f"{world}: exit code {run['code']}\n{run['log']}"
