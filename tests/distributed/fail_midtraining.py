"""One rank raises in the middle of DDP training; the job must end, not hang.

``mpiexec -n N python fail_midtraining.py``: the last rank raises at step 3, while the
others go on into a backward pass whose all-reduce it will never join. The abort hook
installed by ``init_process_group`` must print the traceback with the rank and end the
whole job with a non-zero status.
"""

from __future__ import annotations

import flambeau as fl
import flambeau.distributed as dist
import flambeau.nn as nn
import flambeau.nn.functional as F


def main() -> None:
    dist.init_process_group("mpi")
    rank, size = dist.get_rank(), dist.get_world_size()
    model = nn.parallel.DistributedDataParallel(nn.Sequential(nn.Linear(8, 16), nn.ReLU(),
                                                              nn.Linear(16, 2)))
    opt = fl.optim.SGD(model.parameters(), lr=0.1)
    for step in range(1000):
        if step == 3 and rank == size - 1:
            raise RuntimeError(f"boom on purpose at step {step}")
        x, y = fl.randn(4, 8), fl.randint(0, 2, (4,))
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    print("unreachable: the job should have been aborted", flush=True)


if __name__ == "__main__":
    main()
