"""flambeau against NumPy and PyTorch, as ratios measured in one run.

Run from the repo root::

    python -m asv_bench.compare            # 1 to 2 minutes
    python -m asv_bench.compare --quick    # under a minute
    python asv_bench/compare.py            # the same, as a script

How it measures, and why:

- each library is timed in its own subprocess: PyTorch's OpenMP threads slow NumPy's
  BLAS when both live in one process;
- the machine is noisy, so the subprocesses run in rounds (flambeau, numpy, torch, then
  the order rotated) and each library's figure is the median over rounds of the best
  ``timeit`` repeat in that round;
- ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` are removed from the children's
  environment (they slow NumPy's OpenBLAS here);
- PyTorch is compared when it is importable, and skipped otherwise.

A ratio above 1 means flambeau is slower. Targets are printed next to the ratios they
apply to; a missed target is reported, not fatal (timings never fail a build).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
import timeit

try:
    from .workloads import WORKLOADS, build
except ImportError:  # run as a script: asv_bench/ is on sys.path
    from workloads import WORKLOADS, build

LIBS = ("flambeau", "numpy", "torch")

# name, label, setup (shapes of the float32 standard-normal inputs), timed statement.
# ``exp`` is the library's own exp; the statement is compiled by timeit, so no extra
# Python call sits between the loop and the op.
CASES = [
    ("small_add", "small add, 16 elems f32", [(16,), (16,)], "a + b"),
    ("small_mul", "small mul by scalar, 16 f32", [(16,)], "a * 2.5"),
    ("small_exp", "small exp, 16 f32", [(16,)], "exp(a)"),
    ("small_sum", "small sum, 16 f32", [(16,)], "a.sum()"),
    ("add_1m", "add, 1M f32", [(1_000_000,), (1_000_000,)], "a + b"),
    ("exp_1m", "exp, 1M f32", [(1_000_000,)], "exp(a)"),
    ("sum_1m", "sum of 1M f32", [(1_000_000,)], "a.sum()"),
    ("matmul_1024", "matmul 1024x1024 f32", [(1024, 1024), (1024, 1024)], "a @ b"),
    ("matmul_64", "matmul 64x64 f32", [(64, 64), (64, 64)], "a @ b"),
]

# case -> (reference library, the most flambeau/reference may be)
TARGETS = {"small_add": ("torch", 1.0), "matmul_1024": ("numpy", 1.03),
           "record_add": ("torch", 1.0), "tiny_backward": ("torch", 0.3),
           "mlp_step": ("numpy", 1.1), "cnn_step": ("torch", 1.5)}

# mode -> (rounds, timeit repeats per round, seconds per repeat)
MODES = {"full": (5, 4, 0.04), "quick": (3, 3, 0.02)}

SCRUBBED_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# -- the child: time every case for one library ------------------------------------

def _library(lib: str):
    """``(module, randn(shape) -> float32 array/tensor)`` for ``lib``.

    Each child imports only its own library (and flambeau its NumPy backend)."""
    if lib == "numpy":
        import numpy as np
        rng = np.random.default_rng(0)
        return np, lambda shape: rng.standard_normal(shape, dtype=np.float32)
    if lib == "torch":
        import torch
        torch.manual_seed(0)
        return torch, lambda shape: torch.randn(*shape, dtype=torch.float32)
    import flambeau as fl
    fl.manual_seed(0)
    return fl, lambda shape: fl.randn(*shape, dtype=fl.float32)


def _runtime_info(lib: str, module) -> dict:
    info = {"version": module.__version__}
    if lib == "torch":
        info["threads"] = module.get_num_threads()
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return info
    info["threadpools"] = [
        {k: p.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
        for p in threadpool_info()]
    return info


def time_cases(lib: str, repeats: int, seconds: float) -> dict:
    """Seconds per call of every case for ``lib``: the best of ``repeats`` timeit
    runs, each about ``seconds`` long."""
    module, randn = _library(lib)
    times = {}
    for name, _, shapes, stmt in CASES:
        names = {"exp": module.exp}
        names.update(zip("ab", (randn(s) for s in shapes)))
        timer = timeit.Timer(stmt, globals=names)
        timer.timeit(1)  # warm up: first-call caches, page faults
        number = 1
        while timer.timeit(number) < seconds / 10:
            number *= 10
        # the first calls can be slow (thread pools waking, lazy init): calibrate on
        # the best of three, not on the first
        taken = min(timer.repeat(3, number))
        number = max(1, round(number * seconds / taken))
        times[name] = min(timer.repeat(repeats, number)) / number
    for name in WORKLOADS:
        fn = build(name, lib)
        times[name] = None if fn is None else _time_callable(fn, repeats, seconds)
    return {"times": times, "info": _runtime_info(lib, module)}


def _time_callable(fn, repeats: int, seconds: float) -> float:
    timer = timeit.Timer(fn)
    timer.timeit(3)  # warm up: caches, the allocator's first blocks
    number = 1
    while timer.timeit(number) < seconds / 10:
        number *= 2
    taken = min(timer.repeat(3, number))
    number = max(1, round(number * seconds / taken))
    return min(timer.repeat(repeats, number)) / number


# -- the parent: rounds of subprocesses, medians, ratios ---------------------------

def _child_env(lib: str) -> dict:
    env = dict(os.environ)
    for key in SCRUBBED_ENV:
        env.pop(key, None)
    if lib == "numpy":
        # the hand-written NumPy step at its best: glibc keeps freed blocks instead of
        # mapping every temporary over 128 KiB afresh (flambeau does this itself)
        env["GLIBC_TUNABLES"] = "glibc.malloc.mmap_threshold=67108864"
    return env


def _run_child(lib: str, mode: str) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", lib]
    if mode == "quick":
        cmd.append("--quick")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_child_env(lib))
    if proc.returncode != 0:
        raise RuntimeError(f"timing {lib} failed (exit {proc.returncode}):\n"
                           f"{proc.stderr.strip()}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(libs: list[str], mode: str, rounds: int) -> tuple[dict, dict]:
    """Median over ``rounds`` of each library's per-case time, and its runtime info."""
    per_round = {lib: [] for lib in libs}
    info = {}
    for r in range(rounds):
        order = libs[r % len(libs):] + libs[:r % len(libs)]
        for lib in order:
            out = _run_child(lib, mode)
            per_round[lib].append(out["times"])
            info[lib] = out["info"]
        print(f"  round {r + 1}/{rounds}: {', '.join(order)}", file=sys.stderr, flush=True)
    names = [c[0] for c in CASES] + list(WORKLOADS)
    medians = {lib: {name: None if runs[0][name] is None
                     else statistics.median(t[name] for t in runs) for name in names}
               for lib, runs in per_round.items()}
    return medians, info


def _fmt_time(s: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def _fmt_ratio(r: float) -> str:
    return f"{r:.2f}x" if r >= 0.1 else f"{r:.2g}x"


def _describe(lib: str, info: dict) -> str:
    text = f"{lib} {info['version']}"
    extras = []
    if "threads" in info:
        extras.append(f"{info['threads']} intra-op threads")
    for p in info.get("threadpools", []):
        arch = f", {p['architecture']}" if p.get("architecture") else ""
        version = f" {p['version']}" if p.get("version") else ""
        extras.append(f"{p['internal_api']}{version}{arch}, {p['num_threads']} threads")
    if "threadpools" not in info:
        extras.append("threadpoolctl not installed: BLAS unknown")
    return text + (f" ({'; '.join(extras)})" if extras else "")


def report(medians: dict, info: dict, rounds: int, mode: str) -> str:
    libs = list(medians)
    refs = [lib for lib in libs if lib != "flambeau"]
    lines = [_describe(lib, info[lib]) for lib in libs]
    repeats, seconds = MODES[mode][1:]
    lines.append(f"median of {rounds} rounds (one subprocess per library per round, "
                 f"order rotated); per round the best of {repeats} timeit repeats of "
                 f"~{seconds * 1e3:.0f} ms")
    if "torch" not in libs:
        lines.append("PyTorch is not importable here: no torch column")
    lines.append("")
    header = f"{'case':<30}" + "".join(f"{lib:>11}" for lib in libs)
    header += "".join(f"{'fl/' + r:>11}" for r in refs) + "   target"
    lines += [header, "-" * len(header)]
    rows = [(c[0], c[1]) for c in CASES] + list(WORKLOADS.items())
    for name, label in rows:
        row = f"{label:<30}" + "".join(
            f"{_fmt_time(medians[lib][name]) if medians[lib][name] else '-':>11}"
            for lib in libs)
        ratios = {r: medians["flambeau"][name] / medians[r][name] for r in refs
                  if medians[r][name]}
        row += "".join(f"{_fmt_ratio(ratios[r]) if r in ratios else '-':>11}"
                       for r in refs)
        if name in TARGETS:
            ref, most = TARGETS[name]
            if ref in ratios:
                verdict = "met" if ratios[ref] <= most else "MISSED"
                row += f"   fl/{ref} <= {most:.2f}x: {verdict}"
            else:
                row += f"   fl/{ref} <= {most:.2f}x: no {ref} to compare"
        lines.append(row)
    lines.append("")
    for name, label in rows:
        lines.append(f"{label}: " + ", ".join(
            f"flambeau/{r} = {_fmt_ratio(medians['flambeau'][name] / medians[r][name])}"
            for r in refs if medians[r][name]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time flambeau against NumPy and PyTorch (when importable), each in "
                    "its own subprocess, and print the ratios.")
    parser.add_argument("--quick", action="store_true",
                        help=f"{MODES['quick'][0]} rounds of shorter timings (under a minute)")
    parser.add_argument("--rounds", type=int, help="rounds of subprocesses (default: "
                        f"{MODES['full'][0]}, or {MODES['quick'][0]} with --quick)")
    parser.add_argument("--child", choices=LIBS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    mode = "quick" if args.quick else "full"
    rounds, repeats, seconds = MODES[mode]

    if args.child:
        print(json.dumps(time_cases(args.child, repeats, seconds)))
        return 0

    libs = ["flambeau", "numpy"]
    if importlib.util.find_spec("torch") is not None:
        libs.append("torch")
    rounds = args.rounds or rounds
    start, load_before = time.perf_counter(), os.getloadavg()[0]
    medians, info = measure(libs, mode, rounds)
    print(report(medians, info, rounds, mode))
    load_after, cores = os.getloadavg()[0], os.cpu_count() or 1
    print(f"\nmeasured in {time.perf_counter() - start:.0f} s; 1-minute load average "
          f"{load_before:.1f} before, {load_after:.1f} after, on {cores} cores")
    if max(load_before, load_after) > 0.75 * cores:
        print("warning: the machine was busy; multi-threaded timings (PyTorch's OpenMP "
              "threads, BLAS) suffer most. Rerun when it is idle.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
