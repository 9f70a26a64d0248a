"""flambeau.distributed against raw mpi4py, and DDP step time, in one MPI job.

Run from the repo root::

    mpiexec -n 2 python asv_bench/mpi_bench.py
    mpiexec -n 4 python asv_bench/mpi_bench.py --quick

What it measures:

- ``all_reduce``: ``fl.distributed.all_reduce(t)`` against
  ``MPI.COMM_WORLD.Allreduce(MPI.IN_PLACE, a)`` on the same float32 buffer (``t`` wraps
  ``a``), 4 KiB to 16 MiB. Calls alternate raw and flambeau one by one (so both see the
  same load on a busy machine); each figure is the median time of one call, on the
  slowest rank. Bus bandwidth uses
  the nccl-tests formula, ``algbw * 2 (n - 1) / n`` with ``algbw = bytes / time``.
  Targets: flambeau >= 0.95x raw's bandwidth from 1 MiB, and at 4 KiB a time per call
  <= 1.5x raw's.
- DDP: one training step (forward, backward with the bucketed all-reduce, SGD step)
  of an MLP on the whole batch by rank 0 alone (the other ranks sleep meanwhile, and
  its BLAS may use every core), then with DistributedDataParallel on every rank with
  1/n of the batch each (BLAS limited to cores/n threads per rank with threadpoolctl).

Timings never fail anything; missed targets are reported.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import flambeau as fl  # noqa: E402
import flambeau.distributed as dist  # noqa: E402
import flambeau.nn as nn  # noqa: E402
import flambeau.nn.functional as F  # noqa: E402

SIZES = [4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20]


def slowest(comm, seconds: float) -> float:
    """The largest of every rank's ``seconds`` (a collective is as slow as its last rank)."""
    return comm.allreduce(seconds, op=MPI.MAX)


def per_call_medians(comm, fns, calls: int) -> list[float]:
    """Median time of one call of each of ``fns``, calling them in turn (order rotating)
    so that all see the same machine; the slowest rank's median."""
    times = [[] for _ in fns]
    clock = time.perf_counter
    comm.Barrier()
    for k in range(calls):
        order = range(len(fns)) if k % 2 == 0 else reversed(range(len(fns)))
        for j in order:
            began = clock()
            fns[j]()
            times[j].append(clock() - began)
    return [slowest(comm, statistics.median(t)) for t in times]


def bench_all_reduce(comm, budget: float) -> list[dict]:
    n = comm.Get_size()
    rows = []
    for size in SIZES:
        a = np.zeros(size // 4, np.float32)   # zeros stay zeros: no overflow over calls
        t = fl.from_numpy(a)                  # the same memory
        raw = lambda a=a: comm.Allreduce(MPI.IN_PLACE, a)  # noqa: E731
        ours = lambda t=t: dist.all_reduce(t)  # noqa: E731
        warm = per_call_medians(comm, [raw, ours], 10)[0]
        calls = int(comm.bcast(max(60, min(20000, budget / max(warm, 1e-7)))))
        t_raw, t_ours = per_call_medians(comm, [raw, ours], calls)
        factor = 2 * (n - 1) / n if n > 1 else 1.0
        rows.append({"bytes": size, "t_raw": t_raw, "t_ours": t_ours,
                     "bw_raw": size / t_raw * factor / 1e9,
                     "bw_ours": size / t_ours * factor / 1e9})
    return rows


class MLP(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(256, width), nn.ReLU(), nn.Linear(width, width),
                                 nn.ReLU(), nn.Linear(width, 10))

    def forward(self, x):
        return self.net(x)


@contextlib.contextmanager
def blas_threads(n: int):
    """Limit NumPy's BLAS to ``n`` threads (with threadpoolctl, when installed)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield


def sleep_until_all_arrive(comm) -> None:
    """A barrier that sleeps instead of spinning, so idle ranks leave the CPUs to the
    one being timed."""
    request = comm.Ibarrier()
    while not request.Test():
        time.sleep(1e-3)


def step_time(model, opt, x, y, steps: int) -> float:
    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(2):
        step()
    times = []
    for _ in range(steps):
        began = time.perf_counter()
        step()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def bench_ddp(comm, batch: int, width: int, steps: int) -> dict:
    rank, n = comm.Get_rank(), comm.Get_size()
    rng = np.random.default_rng(0)
    x = fl.from_numpy(rng.standard_normal((batch, 256)).astype(np.float32))
    y = fl.from_numpy(rng.integers(0, 10, batch).astype(np.int64))
    single = single_1t = None
    if rank == 0:
        fl.manual_seed(0)
        model = MLP(width)
        opt = fl.optim.SGD(model.parameters(), lr=0.01)
        single = step_time(model, opt, x, y, steps)
        with blas_threads(1):
            single_1t = step_time(model, opt, x, y, steps)
    sleep_until_all_arrive(comm)
    fl.manual_seed(0)
    ddp = nn.parallel.DistributedDataParallel(MLP(width))
    part = slice(rank * batch // n, (rank + 1) * batch // n)
    with blas_threads(max(1, (os.cpu_count() or 1) // n)):  # share the cores, not n x all
        local = step_time(ddp, fl.optim.SGD(ddp.parameters(), lr=0.01), x[part], y[part],
                          steps)
    params = sum(p.numel() for p in ddp.parameters())
    return {"single": single, "single_1t": single_1t, "ddp": slowest(comm, local),
            "params": params, "threads": max(1, (os.cpu_count() or 1) // n),
            "buckets": len(ddp.reducer.buckets)}


def human(size: int) -> str:
    return f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and steps")
    args = parser.parse_args()
    dist.init_process_group("mpi")
    comm = MPI.COMM_WORLD
    rank, n = comm.Get_rank(), comm.Get_size()
    budget, steps = (0.1, 5) if args.quick else (0.5, 15)
    rows = bench_all_reduce(comm, budget)
    ddp = bench_ddp(comm, batch=512, width=1024, steps=steps)
    if rank != 0:
        return
    print(f"all_reduce, float32, {n} ranks ({MPI.Get_library_version().splitlines()[0]})")
    print(f"{'size':>8} {'raw us':>9} {'flambeau us':>12} {'raw GB/s':>9} "
          f"{'fl GB/s':>8} {'bw ratio':>9}  target")
    for r in rows:
        ratio = r["bw_ours"] / r["bw_raw"]
        if r["bytes"] >= 1 << 20:
            target = "ok" if ratio >= 0.95 else "MISSED (>= 0.95x)"
        elif r["bytes"] == SIZES[0]:
            overhead = r["t_ours"] / r["t_raw"]
            target = f"time {overhead:.2f}x raw: " + ("ok" if overhead <= 1.5
                                                       else "MISSED (<= 1.5x)")
        else:
            target = ""
        print(f"{human(r['bytes']):>8} {r['t_raw'] * 1e6:9.1f} {r['t_ours'] * 1e6:12.1f} "
              f"{r['bw_raw']:9.2f} {r['bw_ours']:8.2f} {ratio:9.3f}  {target}")
    print(f"\nDDP step, MLP 256-1024-1024-10 ({ddp['params'] / 1e6:.2f} M parameters, "
          f"{ddp['buckets']} buckets), global batch 512")
    print(f"  1 rank, whole batch, BLAS default threads: {ddp['single'] * 1e3:8.1f} ms")
    print(f"  1 rank, whole batch, BLAS 1 thread:        {ddp['single_1t'] * 1e3:8.1f} ms")
    print(f"  {n} ranks DDP, batch/{n} each, BLAS {ddp['threads']} thread(s): "
          f"{ddp['ddp'] * 1e3:8.1f} ms (speed-up {ddp['single'] / ddp['ddp']:.2f}x, "
          f"{ddp['single_1t'] / ddp['ddp']:.2f}x against 1 thread)")


if __name__ == "__main__":
    from mpi4py import MPI
    main()
