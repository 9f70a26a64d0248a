"""bfloat16 on the CPU: stored as ml_dtypes' ``bfloat16``, computed in float32.

NumPy has no bfloat16 arithmetic of its own (ml_dtypes' loops round after every step
and accumulate sums in bfloat16), so a kernel that computes gets its bfloat16 inputs
widened to float32 and its float32 results rounded back once, which is what PyTorch's
CPU kernels do. Rows that only move or reinterpret data run on the bfloat16 arrays
themselves, so views stay views and writes land in the tensor.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

from ...dispatcher.optable import OPS

__all__ = ["BFLOAT16", "kernel"]

BFLOAT16 = np.dtype(ml_dtypes.bfloat16)
_F32 = np.dtype(np.float32)

# rows that read and write bfloat16 values unchanged (views, copies, casts, creation)
_NATIVE_KINDS = ("view", "creation", "random", "inplace")
_NATIVE = {"cast", "contiguous", "clone", "cat", "flip", "roll", "tile", "tril", "triu",
           "gather", "index_select", "masked_select", "masked_fill", "nonzero", "pad",
           "scatter"}
# fused in-place arithmetic: left to the dispatcher, which composes the op and copy_
_FUSED = ("add_", "sub_", "mul_", "div_")


def _widen(x):
    if x.__class__ is np.ndarray and x.dtype == BFLOAT16:
        return x.astype(_F32)
    if x.__class__ is tuple:
        return tuple(_widen(v) for v in x)
    return x


def _round(r):
    if r.__class__ is np.ndarray and r.dtype == _F32:
        return r.astype(BFLOAT16)
    if r.__class__ is tuple:
        return tuple(_round(v) for v in r)
    return r


def kernel(name: str, fn):
    """The bfloat16 kernel for row ``name`` made from its kernel ``fn``, or None when
    the dispatcher should compose the row instead."""
    row = OPS[name]
    if name in _FUSED:
        return None
    if name in _NATIVE or row.kind in _NATIVE_KINDS:
        return fn

    def widened(*args, **params):
        return _round(fn(*(_widen(a) for a in args),
                         **{k: _widen(v) for k, v in params.items()}))
    widened.__name__ = f"{getattr(fn, '__name__', name)}_bf16"
    return widened
