"""Creation kernels: full, empty, arange, linspace, eye.

All of them write a fresh contiguous array on the device from a formula of the flat
index ``i``; nothing is built on the host and copied over.
"""

from __future__ import annotations

import numpy as np

from . import codegen, runtime
from .array import CTYPE, empty as _empty
from .elementwise import fill

__all__ = ["kernels", "indexed"]

_I64 = np.dtype(np.int64)


def indexed(dev, key, shape, dtype, expr: str, params=(), param_dtype=None):
    """A new contiguous array whose flat element ``i`` is ``expr`` (C, may use ``i``,
    ``n`` and the parameters ``p0``, ``p1``, ...)."""
    dtype = np.dtype(dtype)
    out = _empty(shape, dtype, dev)
    n = out.size
    if n == 0:
        return out
    pct = CTYPE[np.dtype(param_dtype).name] if params else ""
    pargs = "".join(f", {pct} p{k}" for k in range(len(params)))

    def source():
        return f"""
__kernel void idx(long n, __global {CTYPE[dtype.name]} *o{pargs}) {{
  long i = get_global_id(0);
  if (i >= n) return;
  {codegen.store_stmt("o", "i", expr, dtype)}
}}
"""
    pdt = [np.dtype(param_dtype)] * len(params) if params else []
    k = dev.kernel(("indexed", key, dtype.name, len(params), str(param_dtype)), source,
                   "idx", [_I64, None] + pdt)
    dev.launch(k, n, [n, out.buf, *params])
    return out


def _wide(dev):
    # positions are computed in double where the device has it, like NumPy's float64
    return np.float64 if dev.fp64 else np.float32


def kernels() -> dict:
    def full(shape, fill_value, dtype, index=0):
        dev = runtime.device(index)
        return fill(_empty(shape, dtype.name, dev), fill_value)

    def empty(shape, dtype, index=0):
        return _empty(shape, dtype.name, runtime.device(index))

    def arange(start, end, step, dtype, index=0):
        dev = runtime.device(index)
        n = max(int(np.ceil((end - start) / step)), 0)
        if dtype.is_floating_point:
            return indexed(dev, "arange_f", (n,), dtype.name, "p0 + i * p1",
                           (float(start), float(step)), _wide(dev))
        return indexed(dev, "arange_i", (n,), dtype.name, "p0 + i * p1",
                       (int(start), int(step)), _I64)

    def linspace(start, end, steps, dtype, index=0):
        dev = runtime.device(index)
        # NumPy's formula: start + i * step, with the last point exactly ``end``
        div = max(steps - 1, 1)
        step = (end - start) / div
        e = "(i == n - 1 && n > 1) ? p1 : p0 + i * p2"
        return indexed(dev, "linspace", (steps,), dtype.name, e,
                       (float(start), float(end), float(step)), _wide(dev))

    def eye(n, m, dtype, index=0):
        dev = runtime.device(index)
        m = n if m is None else m
        return indexed(dev, "eye", (n, m), dtype.name, "(i / p0 == i % p0) ? 1 : 0",
                       (max(m, 1),), _I64)

    return {"full": full, "empty": empty, "arange": arange, "linspace": linspace,
            "eye": eye}
