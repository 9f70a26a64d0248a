"""The OpenCL backend against NumPy, as throughput and ratios measured in one run.

Run from the repo root::

    python asv_bench/opencl_compare.py            # about a minute on 2 cores
    python asv_bench/opencl_compare.py --quick

Each case runs the same computation on NumPy arrays and on ``opencl`` tensors made
from the same values, checks that the results agree, and prints each side's best time
over a few repeats (after a warm-up that also compiles the kernels), its throughput
(GFLOP/s or GB/s) and the ratio ``opencl / numpy`` (above 1: OpenCL is faster).
OpenCL timings include ``fl.opencl.synchronize()``, so they measure the kernels, not
just their queueing. Targets from issue #5 (POCL on a 2-core CPU): GEMM 1024 float32
>= 0.2x NumPy, elementwise add of 16M floats >= 0.5x.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import flambeau as fl
from flambeau.backends.opencl import api as opencl

# name, label, NumPy inputs, the statement (on a, b), work for one call, unit, target
_F32 = np.float32


def _cases(quick: bool):
    rng = np.random.default_rng(0)

    def rand(*shape, dtype=_F32):
        return rng.standard_normal(shape).astype(dtype)
    n16 = 1 << 24 if not quick else 1 << 22
    cases = [
        ("matmul_1024_f32", "matmul 1024x1024 float32", (rand(1024, 1024), rand(1024, 1024)),
         lambda a, b: a @ b, 2 * 1024 ** 3, "GFLOP/s", 0.2),
        ("matmul_512_f32", "matmul 512x512 float32", (rand(512, 512), rand(512, 512)),
         lambda a, b: a @ b, 2 * 512 ** 3, "GFLOP/s", None),
        ("matmul_1024_f64", "matmul 1024x1024 float64",
         (rand(1024, 1024, dtype=np.float64), rand(1024, 1024, dtype=np.float64)),
         lambda a, b: a @ b, 2 * 1024 ** 3, "GFLOP/s", None),
        ("bmm_f32", "batched matmul 16x(256x256)", (rand(16, 256, 256), rand(16, 256, 256)),
         lambda a, b: a @ b, 2 * 16 * 256 ** 3, "GFLOP/s", None),
        ("add_16m", f"add, {n16 >> 20}M float32", (rand(n16), rand(n16)),
         lambda a, b: a + b, 3 * 4 * n16, "GB/s", 0.5),
        ("bias_add", "add (4096, 1024) + (1024,)", (rand(4096, 1024), rand(1024)),
         lambda a, b: a + b, 2 * 4 * 4096 * 1024, "GB/s", None),
        ("exp_16m", f"exp, {n16 >> 20}M float32", (rand(n16),),
         lambda a: np.exp(a) if isinstance(a, np.ndarray) else a.exp(), 2 * 4 * n16,
         "GB/s", None),
        ("sum_16m", f"sum of {n16 >> 20}M float32", (rand(n16),),
         lambda a: a.sum(), 4 * n16, "GB/s", None),
        ("sum_rows", "sum over dim 1 of (4096, 1024)", (rand(4096, 1024),),
         lambda a: a.sum(1), 4 * 4096 * 1024, "GB/s", None),
        ("transpose_copy", "contiguous copy of a transposed 2048x2048",
         (rand(2048, 2048),),
         lambda a: np.ascontiguousarray(a.T) if isinstance(a, np.ndarray)
         else a.T.contiguous(), 2 * 4 * 2048 * 2048, "GB/s", None),
    ]
    return cases


def _best(fn, args, repeats, sync):
    fn(*args)
    sync()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn(*args)
        sync()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, 3 repeats")
    parser.add_argument("--device", default="opencl", help="opencl or opencl:N")
    args = parser.parse_args(argv)
    if not opencl.is_available():
        print("OpenCL is not available (no pyopencl, platform or device); nothing to do")
        return 0
    dev = fl.device(args.device)
    print(f"device: {opencl.get_device_name(dev)}; numpy {np.__version__}")
    repeats = 3 if args.quick else 5
    rows = []
    for _name, label, host, fn, work, unit, target in _cases(args.quick):
        if any(h.dtype == np.float64 for h in host) and \
                fl.float64 not in fl.backends.backend_for("opencl").supported_dtypes:
            print(f"{label}: skipped (the device has no float64)")
            continue
        dev_args = tuple(fl.tensor(h, device=dev) for h in host)
        expect = fn(*host)
        got = fn(*dev_args).cpu().numpy()
        tol = 1e-3 * max(1.0, float(np.abs(expect).max()))
        if not np.allclose(got, expect, rtol=1e-3, atol=tol):
            print(f"{label}: results differ from NumPy (max error "
                  f"{np.abs(got - expect).max():.3g})", file=sys.stderr)
            return 1
        t_np = _best(fn, host, repeats, lambda: None)
        t_cl = _best(fn, dev_args, repeats, lambda: opencl.synchronize(dev))
        scale = 1e9
        rows.append((label, work / t_np / scale, work / t_cl / scale, unit,
                     t_np / t_cl, target))
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'numpy':>9}  {'opencl':>9}  unit      ratio  target")
    missed = []
    for label, v_np, v_cl, unit, ratio, target in rows:
        mark = ""
        if target is not None:
            mark = f">= {target}" + ("" if ratio >= target else "  MISSED")
            if ratio < target:
                missed.append(label)
        print(f"{label:<{width}}  {v_np:9.2f}  {v_cl:9.2f}  {unit:<8} {ratio:6.2f}  {mark}")
    if missed:
        print(f"targets missed: {', '.join(missed)} (reported, not fatal)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
