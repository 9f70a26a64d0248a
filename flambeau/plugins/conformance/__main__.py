"""``python -m flambeau.plugins.conformance --device NAME [--grad]``: say how the
backend covers the op table (primitive, overridden, derived, missing), run the kit,
print the report, exit 1 when a case fails. ``--grad`` adds the gradient checks
(``gradcheck`` and ``gradgradcheck`` per differentiable entry) and their report."""

from __future__ import annotations

import argparse
import sys

from . import (GRAD_DB, OP_DB, format_coverage, format_grad_report, format_report, run,
               run_grad)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m flambeau.plugins.conformance",
                                description="Check a flambeau backend against NumPy "
                                            "references, op by op and dtype by dtype.")
    p.add_argument("--device", default="cpu",
                   help="device to test, e.g. cpu, opencl, opencl:1 (default: cpu)")
    p.add_argument("--ops", nargs="*", metavar="NAME",
                   help=f"entries to run (default: all {len(OP_DB)}, and with --grad "
                        f"the {len(GRAD_DB)} differentiable ones)")
    p.add_argument("--dtypes", nargs="*", metavar="DTYPE",
                   help="input dtypes to run, e.g. float32 int64 (default: all)")
    p.add_argument("--grad", action="store_true",
                   help="also run gradcheck and gradgradcheck on every differentiable "
                        "entry (float64 where the device holds it, else float32)")
    p.add_argument("--grad-only", action="store_true",
                   help="run only the gradient checks")
    p.add_argument("--grad-samples", type=int, metavar="N",
                   help="samples per gradient check (default: 2 for gradcheck, 1 for "
                        "gradgradcheck; more is thorough and slow)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="list every case on its own line")
    args = p.parse_args(argv)
    unknown = [n for n in args.ops or () if n not in OP_DB and n not in GRAD_DB]
    if unknown:
        p.error(f"unknown entries: {', '.join(unknown)}")
    failed = False
    print(format_coverage(args.device.split(":")[0]))
    print()
    if not args.grad_only:
        results = run(args.device, names=args.ops, dtypes=args.dtypes)
        print(format_report(results, verbose=args.verbose))
        failed |= any(r.status == "fail" for r in results)
    if args.grad or args.grad_only:
        grads = run_grad(args.device, names=args.ops, max_samples=args.grad_samples)
        if not args.grad_only:
            print()
        print(format_grad_report(grads, verbose=args.verbose))
        failed |= any(r.status == "fail" for r in grads)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
