"""Entry point of the distributed checks: ``mpiexec -n N python run_checks.py OUTDIR``
(or plain ``python run_checks.py OUTDIR`` for a world of one without a launcher).

Every rank runs every check of :mod:`checks_collectives`, :mod:`checks_groups` and
:mod:`checks_ddp`, and
writes ``OUTDIR/rank<r>.json``; the pytest side (``tests/test_distributed.py``) turns
each check into one test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import flambeau.distributed as dist
from checks_collectives import checks as collective_checks
from checks_ddp import checks as ddp_checks
from checks_groups import checks as group_checks


class Context:
    def __init__(self) -> None:
        self.launched = dist.is_mpi_launched()
        self.rank = dist.get_rank()
        self.size = dist.get_world_size()


def main() -> None:
    outdir = Path(sys.argv[1])
    dist.init_process_group("mpi")
    ctx = Context()
    collective_checks.run(ctx, outdir / "collectives", ctx.rank)
    group_checks.run(ctx, outdir / "groups", ctx.rank)
    ddp_checks.run(ctx, outdir / "ddp", ctx.rank)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
