"""``repr(tensor)`` the way PyTorch prints it.

Floats share one format per tensor: ``1.`` when every value is whole, ``1.2500``
otherwise, ``1.2500e+05`` when the magnitudes span too much; large tensors are
summarised with ``...`` after 1000 elements.
"""

from __future__ import annotations

import numpy as np

from ..dispatcher.dtypes import bool_, default_complex_dtype, get_default_dtype, int64

__all__ = ["tensor_repr"]

_THRESHOLD, _EDGE, _WIDTH = 1000, 3, 80


def _float_formatter(values: np.ndarray):
    finite = values[np.isfinite(values)].astype(np.float64)
    nonzero = np.abs(finite[finite != 0])
    whole = finite.size == 0 or bool(np.all(np.ceil(finite) == finite))
    sci = False
    if nonzero.size:
        hi, lo = float(nonzero.max()), float(nonzero.min())
        sci = hi / lo > 1000.0 or hi > 1e8 or (not whole and lo < 1e-4)
    if sci:
        return lambda v: _special(v) or f"{v:.4e}"
    if whole:
        return lambda v: _special(v) or f"{v:.0f}."
    return lambda v: _special(v) or f"{v:.4f}"


def _special(v) -> str | None:
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return None


def _complex_formatter(sample: np.ndarray):
    # PyTorch formats and pads the real and the imaginary parts separately: 1.0000+2.0000j
    re = _formatter(sample.real, False)
    im_fmt = _formatter(np.abs(sample.imag), False)

    def fmt(v):
        sign = "-" if np.signbit(v.imag) and not np.isnan(v.imag) else "+"
        return f"{re(v.real)}{sign}{im_fmt(abs(v.imag)).strip()}j"
    return fmt


def _formatter(arr: np.ndarray, summarize: bool):
    sample = _edges(arr) if summarize else arr.reshape(-1)
    kind = arr.dtype.kind
    if kind == "c":
        fmt = _complex_formatter(sample)
        width = max((len(fmt(v)) for v in sample), default=1)

        # PyTorch pads the real parts only: elements are not padded further
        fmt.width = width
        return fmt
    if kind == "f":
        fmt = _float_formatter(sample)
    elif kind == "b":
        def fmt(v):
            return "True" if v else "False"
    else:
        def fmt(v):
            return str(int(v))
    if kind == "f":
        # PyTorch sizes float columns by the non-zero finite values only
        sample = sample[np.isfinite(sample) & (sample != 0)]
    width = max((len(fmt(v)) for v in sample), default=1)

    def padded(v):
        return fmt(v).rjust(width)
    padded.width = width
    return padded


def _edges(arr: np.ndarray) -> np.ndarray:
    if arr.ndim == 0:
        return arr.reshape(-1)
    parts = []
    if arr.shape[0] > 2 * _EDGE:
        rows = list(arr[:_EDGE]) + list(arr[-_EDGE:])
    else:
        rows = list(arr)
    for r in rows:
        parts.append(_edges(np.asarray(r)))
    return np.concatenate(parts) if parts else arr.reshape(-1)


def _format(arr: np.ndarray, fmt, indent: int, summarize: bool) -> str:
    if arr.ndim == 0:
        return fmt(arr.item())
    if arr.ndim == 1:
        items = [fmt(v) for v in arr.tolist()] if not summarize or arr.shape[0] <= 2 * _EDGE \
            else [fmt(v) for v in arr[:_EDGE].tolist()] + [" ..."] + \
            [fmt(v) for v in arr[-_EDGE:].tolist()]
        per_line = max((_WIDTH - indent) // (fmt.width + 2), 1)
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if summarize and arr.shape[0] > 2 * _EDGE:
        rows = [_format(r, fmt, indent + 1, summarize) for r in arr[:_EDGE]] + ["..."] + \
               [_format(r, fmt, indent + 1, summarize) for r in arr[-_EDGE:]]
    else:
        rows = [_format(r, fmt, indent + 1, summarize) for r in arr]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(rows) + "]"


def tensor_repr(t) -> str:
    arr = t.detach().numpy(force=True)
    if arr.dtype.kind == "V":  # ml_dtypes' bfloat16: printed through float32, exactly
        arr = arr.astype(np.float32)
    prefix = "tensor("
    suffixes = []
    if arr.size == 0 and arr.shape != (0,):
        body = "[]"
        suffixes.append(f"size={tuple(arr.shape)}")
    elif arr.size == 0:
        body = "[]"
    else:
        summarize = arr.size > _THRESHOLD
        body = _format(arr, _formatter(arr, summarize), len(prefix), summarize)
    if t._device.type != "cpu":
        suffixes.append(f"device='{t._device}'")
    default = {3: default_complex_dtype(), 2: get_default_dtype(), 1: int64,
               0: bool_}[t._dtype.category]
    # an empty tensor has no values to tell its dtype by: PyTorch names any but the default
    if t._dtype is not (get_default_dtype() if arr.size == 0 else default):
        suffixes.append(f"dtype={t._dtype!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return prefix + body + "".join(", " + s for s in suffixes) + ")"
