"""An exception in a helper thread of rank 0 ends the job, while every rank's main
thread waits in a barrier that rank 0 never reaches."""

from __future__ import annotations

import threading
import time

import flambeau.distributed as dist


def loader() -> None:
    time.sleep(0.2)
    raise ValueError("data loader thread failed on purpose")


def main() -> None:
    dist.init_process_group("mpi")
    if dist.get_rank() == 0:
        threading.Thread(target=loader, name="loader").start()
        time.sleep(3600)        # rank 0's main thread never reaches the barrier
    dist.barrier()
    print("unreachable: the job should have been aborted", flush=True)


if __name__ == "__main__":
    main()
