"""``python -m flambeau.plugins.conformance --device NAME``: run the kit, print the
report, exit 1 when a case fails."""

from __future__ import annotations

import argparse
import sys

from . import OP_DB, format_report, run


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m flambeau.plugins.conformance",
                                description="Check a flambeau backend against NumPy "
                                            "references, op by op and dtype by dtype.")
    p.add_argument("--device", default="cpu",
                   help="device to test, e.g. cpu, opencl, opencl:1 (default: cpu)")
    p.add_argument("--ops", nargs="*", metavar="NAME",
                   help=f"entries to run (default: all {len(OP_DB)})")
    p.add_argument("--dtypes", nargs="*", metavar="DTYPE",
                   help="input dtypes to run, e.g. float32 int64 (default: all)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="list every case on its own line")
    args = p.parse_args(argv)
    unknown = [n for n in args.ops or () if n not in OP_DB]
    if unknown:
        p.error(f"unknown entries: {', '.join(unknown)}")
    results = run(args.device, names=args.ops, dtypes=args.dtypes)
    print(format_report(results, verbose=args.verbose))
    return 1 if any(r.status == "fail" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
