"""Print what the layer stack costs per small op, as ratios measured in one run.

    python asv_bench/layer_overhead.py

Rows: adding two 16-element float32 tensors, the same with one input requiring grad
(autograd records), and an in-place ``add_``; columns: only autograd installed (the
dispatcher's short paths), a pass-through layer pushed (the general path), and
``fl.profiler.profile()`` on. PyTorch's eager add is timed too where it is installed.
"""

from __future__ import annotations

import timeit

import flambeau as fl
import flambeau.profiler as profiler


class PassThrough(fl.dispatcher.Layer):
    pass


def _best(fn, number=20000, repeat=7) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def _cases(m, requires_grad_kw):
    a, b = m.ones(16), m.ones(16)
    g = m.ones(16, **requires_grad_kw)
    return {"add 16 f32": lambda: a + b, "record add (grad)": lambda: g + b,
            "add_ 16 f32": lambda: a.add_(b)}


def main() -> None:
    cases = _cases(fl, {"requires_grad": True})
    rows = {name: {} for name in cases}
    for name, fn in cases.items():
        rows[name]["autograd only"] = _best(fn)
        with fl.dispatcher.installed(PassThrough()):
            rows[name]["pass-through"] = _best(fn)
        with profiler.profile():
            rows[name]["profiler"] = _best(fn, number=2000)
    try:
        import torch
        for name, fn in _cases(torch, {"requires_grad": True}).items():
            rows[name]["torch"] = _best(fn)
    except ImportError:
        pass
    cols = ["autograd only", "pass-through", "profiler", "torch"]
    print(f"{'op':22}" + "".join(f"{c:>16}" for c in cols))
    for name, r in rows.items():
        base = r["autograd only"]
        cells = []
        for c in cols:
            if c not in r:
                cells.append(f"{'-':>16}")
            elif c == "autograd only":
                cells.append(f"{base * 1e6:>13.2f} us")
            else:
                cells.append(f"{r[c] / base:>14.2f}x")
        print(f"{name:22}" + "".join(cells))
    print("\nratios are to the 'autograd only' column of the same row, same run")


if __name__ == "__main__":
    main()
