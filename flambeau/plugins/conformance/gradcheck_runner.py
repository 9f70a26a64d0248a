"""Gradient checks over the op database: ``gradcheck`` and ``gradgradcheck`` on a device.

For every differentiable entry (its main op-table row is differentiable, or it writes
in place, which autograd records as the out-of-place op), a few of its samples marked
``differentiable`` run through :func:`flambeau.autograd.gradcheck` and
:func:`flambeau.autograd.gradgradcheck` on the device under test: analytical
Jacobians from the derivative formulas against central differences.

- dtype: float64 where the device holds it, else float32 with a larger step and looser
  tolerances (see :func:`grad_settings`);
- inputs: the sample's floating-point tensors become leaves that require grad on the
  device; index and mask tensors, Python scalars and other values stay as they are;
  in-place entries write into a clone of their first input (a non-leaf);
- samples: the conformance case's own (same seed) at that dtype, left out when not
  marked ``differentiable``, empty, holding a lossy float cast (float64 -> float32
  rounds at any step), a NaN or infinite reference value, or values too large for a
  finite difference in the dtype;
- cost: a numerical Jacobian costs two forward passes per input element, so only
  samples with at most :data:`MAX_ELEMENTS` elements per input are used, at most
  :data:`GRADCHECK_SAMPLES` of them for ``gradcheck`` and
  :data:`GRADGRADCHECK_SAMPLES` for ``gradgradcheck`` (``max_samples`` raises it).

A check is ``pass``, ``fail`` or ``skipped`` with the reason (no sample suits a
numerical check, no floating-point output, a dtype or kernel the device lacks). The
samples left out of a check are counted by reason in :attr:`GradResult.left_out`.
"""

from __future__ import annotations

import warnings
import zlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

import flambeau as fl

from ...autograd import GradcheckError, gradcheck, gradgradcheck
from ...dispatcher.dtypes import DType, float32, float64
from .opinfo import OpInfo, Sample, host_value
from .runner import (FAIL, PASS, _call_device, _held, _no_fallback, _seed, _Unsupported,
                     support, to_device)

__all__ = ["GradResult", "GRADCHECK", "GRADGRADCHECK", "SKIPPED", "CHECKS",
           "MAX_ELEMENTS", "GRADCHECK_SAMPLES", "GRADGRADCHECK_SAMPLES", "grad_settings",
           "grad_checked", "check_grad", "run_grad"]

GRADCHECK, GRADGRADCHECK = "gradcheck", "gradgradcheck"
CHECKS = (GRADCHECK, GRADGRADCHECK)
SKIPPED = "skipped"

#: At most this many elements in any one input of a checked sample.
MAX_ELEMENTS = 24
#: Samples checked per entry by gradcheck and by gradgradcheck.
GRADCHECK_SAMPLES, GRADGRADCHECK_SAMPLES = 2, 1

# why a sample is left out of a check (the keys of GradResult.left_out), read after
# "N samples"
_NOT_DIFF = "marked not differentiable (ties, kinks, NaN/inf or whole numbers)"
_NO_FLOAT = "with no floating-point input"
_EMPTY = "with an empty input"
_LARGE = f"with an input over {MAX_ELEMENTS} elements"
_LOSSY = "with a lossy cast inside (its rounding fails any numerical check)"
_HELD = "with a dtype the device cannot hold"
_NONFINITE = "with a NaN or infinite reference value (no derivative there)"
_COARSE = "with values too large for a finite difference in this dtype"
_NO_FLOAT_OUT = "with no floating-point output"
_CANNOT = "that the device cannot run (a kernel or dtype it lacks)"
_ENOUGH = "beyond the number a check takes"


@dataclass
class GradResult:
    """The outcome of one (entry, check) on one device."""

    device: str
    op: str
    check: str
    status: str
    reason: str = ""
    dtype: str = ""
    samples: int = 0  # samples checked
    left_out: Counter = field(default_factory=Counter)  # reason -> samples not checked

    @property
    def id(self) -> str:
        return f"{self.device}-{self.check}-{self.op}"


def grad_settings(device: str) -> tuple[DType, dict]:
    """The dtype and ``gradcheck`` keyword arguments used on ``device``: float64 with
    gradcheck's own defaults where the device holds float64, else float32 with a step
    and tolerances that float32 rounding allows."""
    dev = fl.device(device)
    b = fl.backends.backends().get(dev.type)
    if b is None or float64 in b.supported_dtypes:
        return float64, {"eps": 1e-6, "atol": 1e-5, "rtol": 1e-3}
    return float32, {"eps": 1e-3, "atol": 1e-2, "rtol": 1e-2}


def grad_checked(entry: OpInfo) -> bool:
    """Whether ``entry`` gets gradient checks: its main op has a derivative, or it
    writes in place (autograd records the write as the out-of-place op)."""
    return entry.differentiable or entry.mutates


# --- which samples ---------------------------------------------------------------------

def _float_inputs(sample: Sample) -> list[np.ndarray]:
    host = sample.host_args()
    out = []
    for i in sample.float_positions():
        a = host[i]
        out += [v for v in a if v.dtype.kind == "f"] if isinstance(a, list) else [a]
    return out


def _lossy_cast(sample: Sample, dtype: DType) -> bool:
    # a cast to a narrower float (float64 -> float32) rounds at every step size
    size = np.dtype(dtype.name).itemsize
    return any(isinstance(v, DType) and v.is_floating_point
               and np.dtype(v.name).itemsize < size for v in sample.kwargs.values())


def _too_coarse(floats: list, dtype: DType, settings: dict) -> bool:
    # rounding a result near the largest input spoils a central difference of step
    # eps by about ulp / (2 eps): float32 loses values in the hundreds
    big = max(float(np.max(np.abs(a))) for a in floats)
    return big * float(np.finfo(dtype.name).eps) / (2 * settings["eps"]) > settings["atol"] / 2


def _nonfinite_reference(entry: OpInfo, sample: Sample) -> bool:
    if entry.ref is None:
        return False
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = entry.ref(*sample.host_args(), **host_value(sample.kwargs))
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return any(isinstance(o, np.ndarray) and o.dtype.kind == "f" and
               not np.all(np.isfinite(o)) for o in outs)


def _why_not(entry: OpInfo, sample: Sample, dtype: DType, settings: dict,
             backend) -> str | None:
    """Why ``sample`` is left out of a numerical check, or None when it suits one."""
    if not sample.differentiable:
        return _NOT_DIFF
    floats = _float_inputs(sample)
    if not floats:
        return _NO_FLOAT
    if any(a.size == 0 for a in floats):
        return _EMPTY
    if any(a.size > MAX_ELEMENTS for a in floats):
        return _LARGE
    if _lossy_cast(sample, dtype):
        return _LOSSY
    try:
        _held(sample, backend)
    except _Unsupported:
        return _HELD
    if _too_coarse(floats, dtype, settings):
        return _COARSE
    if _nonfinite_reference(entry, sample):
        return _NONFINITE
    return None


def _suitable(entry: OpInfo, dtype: DType, settings: dict, backend, rng):
    """The samples that suit a numerical check, ones with more than one element first,
    and the reasons the others were left out."""
    left_out, fit = Counter(), []
    for sample in entry.samples(dtype, rng):
        why = _why_not(entry, sample, dtype, settings, backend)
        if why is None:
            fit.append(sample)
        else:
            left_out[why] += 1
    # one-element inputs say least about a formula: prefer the others, keep the order
    fit.sort(key=lambda s: all(a.size == 1 for a in _float_inputs(s)))
    return fit, left_out


# --- building the function under check ---------------------------------------------------

class _Slot:
    """Where the i-th checked input goes in a sample's arguments."""

    __slots__ = ("i",)

    def __init__(self, i: int):
        self.i = i


def _leaf(x, leaves: list):
    """Swap floating-point tensors in ``x`` (a tensor, or a list for ``cat``) for slots,
    collecting fresh leaves that require grad."""
    if isinstance(x, list):
        return [_leaf(v, leaves) for v in x]
    if isinstance(x, fl.Tensor) and x.is_floating_point():
        leaves.append(x.detach().requires_grad_())
        return _Slot(len(leaves) - 1)
    return x


def _fill(x, xs):
    if isinstance(x, _Slot):
        return xs[x.i]
    if isinstance(x, list):
        return [_fill(v, xs) for v in x]
    return x


def _function(entry: OpInfo, sample: Sample, device: str):
    """``(fn, leaves)``: ``fn(*leaves)`` calls the entry on the device with the leaves
    in the sample's floating-point positions; the rest is fixed."""
    args = list(to_device(sample.args, device))
    kwargs = to_device(sample.kwargs, device)
    if entry.creation:
        kwargs["device"] = device
    leaves: list = []
    for i in sample.float_positions():
        args[i] = _leaf(args[i], leaves)

    def fn(*xs):
        filled = [_fill(a, xs) for a in args]
        if entry.mutates and isinstance(filled[0], fl.Tensor):
            filled[0] = filled[0].clone()  # in place on a non-leaf, as users must
        return entry.op(*filled, **kwargs)
    fn.__name__ = entry.name
    return fn, leaves


def _float_outputs(out) -> list:
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, fl.Tensor) and o.is_floating_point()]


class _NoFloatOutput(Exception):
    pass


def _run_one(check: str, entry: OpInfo, sample: Sample, device: str, settings: dict,
             rng: np.random.Generator) -> None:
    fn, leaves = _function(entry, sample, device)
    outs = _float_outputs(_call_device(fn, leaves, {}))  # raises _Unsupported
    if not outs:
        raise _NoFloatOutput
    if check == GRADCHECK:
        gradcheck(fn, leaves, **settings)
        return
    # seeded gradients of the outputs, so a failure can be reproduced
    grads = [fl.tensor(np.asarray(rng.standard_normal(tuple(o.shape)),
                                  dtype=o.dtype.name), device=device, requires_grad=True)
             for o in outs]
    gradgradcheck(fn, leaves, grads, **settings)


def _short(e: Exception, limit: int = 400) -> str:
    text = " ".join(str(e).split())
    if not isinstance(e, GradcheckError):
        text = f"raised {type(e).__name__}: {text}"
    return text if len(text) <= limit else text[:limit] + " ..."


def check_grad(entry: OpInfo, device: str, check: str = GRADCHECK,
               max_samples: int | None = None) -> GradResult:
    """Run ``check`` (``"gradcheck"`` or ``"gradgradcheck"``) on the suitable samples of
    ``entry`` on ``device``: at most ``max_samples`` of them (default
    :data:`GRADCHECK_SAMPLES` or :data:`GRADGRADCHECK_SAMPLES`).

    Example::

        >>> from flambeau.plugins import conformance as c
        >>> c.check_grad(c.OP_DB["mul"], "cpu", "gradgradcheck").status
        'pass'
    """
    if check not in CHECKS:
        raise ValueError(f"check must be one of {CHECKS}, got {check!r}")
    dtype, settings = grad_settings(device)
    res = GradResult(str(device), entry.name, check, SKIPPED, dtype=dtype.name)
    if not grad_checked(entry):
        res.reason = f"{entry.table_ops[0]} has no derivative"
        return res
    if dtype not in entry.dtypes:
        res.reason = (f"the entry takes no {dtype.name} inputs (its dtypes: "
                      f"{', '.join(d.name for d in entry.dtypes)})")
        return res
    why = support(entry, dtype, device)
    if why is not None:
        res.reason = why
        return res
    backend = fl.backends.backend_for(fl.device(device).type)
    rng = np.random.default_rng(_seed(entry, dtype))  # the conformance case's samples
    count = max_samples if max_samples is not None else \
        GRADCHECK_SAMPLES if check == GRADCHECK else GRADGRADCHECK_SAMPLES
    fit, res.left_out = _suitable(entry, dtype, settings, backend, rng)
    grad_rng = np.random.default_rng(zlib.crc32(f"{entry.name}/{check}".encode()))
    failures, checked, cannot = [], [], ""
    with _no_fallback(), fl.enable_grad(), np.errstate(all="ignore"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for k, sample in enumerate(fit):
            if len(checked) == count:
                res.left_out[_ENOUGH] += len(fit) - k
                break
            try:
                _run_one(check, entry, sample, device, settings, grad_rng)
                checked.append(sample.desc)
            except _NoFloatOutput:
                res.left_out[_NO_FLOAT_OUT] += 1
            except _Unsupported as e:
                res.left_out[_CANNOT] += 1
                cannot = cannot or str(e)
            except Exception as e:  # a failing sample is reported, the others still run
                checked.append(sample.desc)
                failures.append(f"sample {sample.desc!r}: {_short(e)}")
    res.samples = len(checked)
    if failures:
        res.status = FAIL
        more = f" (and {len(failures) - 1} more failing samples)" if len(failures) > 1 else ""
        res.reason = failures[0] + more
    elif checked:
        res.status = PASS
        res.reason = ", ".join(repr(d) for d in checked)
    elif cannot:
        res.reason = cannot
    elif _NO_FLOAT_OUT in res.left_out:
        res.reason = "no floating-point output: nothing to differentiate"
    else:
        reasons = "; ".join(f"{n} {why}" for why, n in res.left_out.most_common())
        res.reason = f"no sample suits a numerical check: {reasons or 'no samples'}"
    return res


def run_grad(device: str = "cpu", names=None, db=None, checks=CHECKS,
             max_samples: int | None = None) -> list[GradResult]:
    """Run ``checks`` on every gradient-checked entry of ``db`` (default: the op
    database and the autograd composites), or those in ``names``, with at most
    ``max_samples`` samples each (default: the kit's small budget); one
    :class:`GradResult` per (entry, check)."""
    from . import GRAD_DB
    db = GRAD_DB if db is None else db
    out = []
    for entry in db.values():
        if not grad_checked(entry) or (names is not None and entry.name not in names):
            continue
        for check in checks:
            out.append(check_grad(entry, device, check, max_samples))
    return out

