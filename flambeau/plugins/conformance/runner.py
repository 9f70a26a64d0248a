"""Run the op database on a device: move samples there, call, compare, report.

A case is one (entry, input dtype) on one device. Its status is

- ``pass``: every sample that could run matched the reference (values within the
  dtype's tolerance, output dtype, shape, device, and memory sharing for views);
- ``fail``: some sample did not match, or raised;
- ``unsupported``: the device has no backend or no device, cannot hold the dtype,
  or its backend lacks a kernel the entry needs. Samples that need a dtype the
  device cannot hold (a float64 operand, say) are skipped and counted, never passed.

The CPU fallback is switched off while a case runs: the kit measures the device's own
kernels, not the CPU's.
"""

from __future__ import annotations

import contextlib
import warnings
import zlib
from dataclasses import dataclass

import numpy as np

import flambeau as fl

from ...dispatcher.dtypes import DType
from ...dispatcher.optable import OPS
from .opinfo import Layout, OpInfo, Sample, host_value

__all__ = ["CaseResult", "PASS", "FAIL", "UNSUPPORTED", "check_case", "run",
           "support", "to_device"]

PASS, FAIL, UNSUPPORTED = "pass", "fail", "unsupported"


@dataclass
class CaseResult:
    """The outcome of one (entry, dtype) on one device."""

    device: str
    op: str
    dtype: str
    status: str
    reason: str = ""
    samples: int = 0   # samples checked
    skipped: int = 0   # samples the device could not run

    @property
    def id(self) -> str:
        return f"{self.device}-{self.op}-{self.dtype}"


class _Unsupported(Exception):
    """The device cannot run this sample (dtype it cannot hold, kernel it lacks)."""


# --- support -------------------------------------------------------------------------

def support(entry: OpInfo, dtype: DType, device: str) -> str | None:
    """Why ``device`` cannot run ``entry`` at ``dtype``, or ``None`` when it may.

    Uses the registry and the kernel tables for the entry's main row; a kernel the
    entry reaches otherwise (another row, or a dtype the input is promoted to) that is
    missing shows up when the case runs, and is reported the same way.
    """
    dev = fl.device(device)
    b = fl.backends.backends().get(dev.type)
    if b is None:
        return f"no backend serves device type {dev.type!r}"
    if b.device_count() < (dev.index or 0) + 1:
        return f"backend {b.name!r} has no {dev} device"
    if dtype not in b.supported_dtypes:
        return fl.backends.explain(entry.table_ops[0], dev, dtype)
    main = entry.table_ops[0]
    if not OPS[main].kernels.get(dev.type) and OPS[main].composite is None:
        return fl.backends.explain(main, dev, dtype)
    return None


def _held(sample: Sample, backend) -> None:
    """Raise _Unsupported when a sample input has a dtype the device cannot hold."""
    names = {d.name for d in backend.supported_dtypes}

    def walk(x):
        if isinstance(x, Layout):
            x = x.array
        if isinstance(x, np.ndarray) and x.dtype.name not in names:
            raise _Unsupported(f"the device cannot hold {x.dtype.name}")
        if isinstance(x, DType) and x.name not in names:
            raise _Unsupported(f"the device cannot hold {x.name}")
        if isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
    walk(sample.args)
    walk(tuple(sample.kwargs.values()))


# --- moving data ---------------------------------------------------------------------

def to_device(x, device: str):
    """Sample inputs on the device: arrays become tensors, layouts become views;
    lists and tuples are converted element by element; other values pass."""
    if isinstance(x, np.ndarray):
        return fl.tensor(x, device=device)
    if isinstance(x, Layout):
        return x.to_device(device)
    if isinstance(x, list):
        return [to_device(v, device) for v in x]
    if isinstance(x, tuple):
        return tuple(to_device(v, device) for v in x)
    if isinstance(x, dict):
        return {k: to_device(v, device) for k, v in x.items()}
    return x


def _host_layout(x):
    # host arrays laid out like the device inputs, for the memory-sharing check
    if isinstance(x, Layout):
        return x.host()
    if isinstance(x, np.ndarray):
        return x.copy()
    return host_value(x)


def _host(t) -> np.ndarray:
    """A tensor's values as a fresh host array (whatever its device)."""
    return np.array(t.detach().to("cpu").numpy(), copy=True)


def _flat(x) -> list:
    if isinstance(x, (tuple, list)):
        return [v for item in x for v in _flat(item)]
    return [x]


@contextlib.contextmanager
def _no_fallback():
    was = fl.backends.cpu_fallback()
    fl.backends.set_cpu_fallback(False)
    try:
        yield
    finally:
        fl.backends.set_cpu_fallback(was)


def _call_device(fn, args, kwargs):
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as e:  # the dispatcher's "no kernel" error
        raise _Unsupported(str(e)) from None
    except TypeError as e:
        if "cannot hold" in str(e):   # the dispatcher's "dtype not on device" error
            raise _Unsupported(str(e)) from None
        raise


# --- comparing -----------------------------------------------------------------------

def assert_close(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float,
                 what: str = "values") -> None:
    """Values equal (exactly for integers and bool), NaN where NaN is expected, infs
    of the right sign; ``AssertionError`` naming the first differing element."""
    if got.shape != expected.shape:
        raise AssertionError(f"{what}: shape {got.shape} != expected {expected.shape}")
    if expected.dtype.kind == "f" or got.dtype.kind == "f":
        g, e = got.astype(np.float64), expected.astype(np.float64)
        bad = np.isnan(g) != np.isnan(e)
        both = ~np.isnan(g) & ~np.isnan(e)
        inf = both & (np.isinf(g) | np.isinf(e))
        bad |= inf & (g != e)
        fin = both & ~inf
        bad |= fin & ~(np.abs(g - e) <= atol + rtol * np.abs(e))
    else:
        bad = got != expected
    if np.any(bad):
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise AssertionError(
            f"{what}: {int(np.sum(bad))} of {bad.size} elements differ (rtol={rtol}, "
            f"atol={atol}); first at {where}: got {got[where]!r}, expected "
            f"{expected[where]!r}")


def _compare(entry: OpInfo, out, expected, device) -> None:
    outs, exps = _flat(out), _flat(expected)
    if len(outs) != len(exps):
        raise AssertionError(f"{len(outs)} outputs, expected {len(exps)}")
    dev_type = fl.device(device).type
    for i, (o, e) in enumerate(zip(outs, exps)):
        tag = f"output {i}" if len(outs) > 1 else "output"
        if isinstance(e, np.generic):
            e = np.asarray(e)
        if e is None:
            if o is not None:
                raise AssertionError(f"{tag}: expected None, got {type(o).__name__}")
            continue
        if not isinstance(e, np.ndarray):  # a Python value (fl.equal returns a bool)
            if o != e or type(o) is not type(e):
                raise AssertionError(f"{tag}: got {o!r}, expected {e!r}")
            continue
        if not isinstance(o, fl.Tensor):
            raise AssertionError(f"{tag}: expected a Tensor, got {type(o).__name__}")
        if o.device.type != dev_type:
            raise AssertionError(f"{tag}: on {o.device}, expected {dev_type}")
        if o.dtype.name != e.dtype.name:
            raise AssertionError(f"{tag}: dtype {o.dtype.name}, expected {e.dtype.name}")
        if tuple(o.shape) != e.shape:
            raise AssertionError(f"{tag}: shape {list(o.shape)}, expected {list(e.shape)}")
        h = _host(o)
        if h.dtype != e.dtype:
            raise AssertionError(f"{tag}: the backend's array holds {h.dtype}, but the "
                                 f"tensor says {o.dtype.name}")
        assert_close(h, e, *entry.tolerance(e.dtype.name), what=tag)


def _check_outputs_native(out) -> list:
    """Host copies of every tensor output, checking each declared dtype is held."""
    hosts = []
    for o in _flat(out):
        if isinstance(o, fl.Tensor):
            h = _host(o)
            if h.dtype.name != o.dtype.name:
                raise AssertionError(f"the backend's array holds {h.dtype}, but the "
                                     f"tensor says {o.dtype.name}")
            hosts.append(h)
        else:
            hosts.append(o)
    return hosts


def _bumped(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "b":
        return ~a
    return (a + a.dtype.type(1)).astype(a.dtype)


def _check_memory(entry: OpInfo, sample: Sample, device) -> None:
    """Views share memory with their input as NumPy's same view does: a write to the
    input shows in the result, and a write through the result shows in the input."""
    dargs = to_device(sample.args, device)
    hargs = tuple(_host_layout(a) for a in sample.args)
    kw = to_device(sample.kwargs, device)
    out = _call_device(entry.op, dargs, kw)
    ref = entry.ref(*hargs, **host_value(sample.kwargs))
    outs, refs = _flat(out), _flat(ref)
    base_d, base_h = dargs[0], hargs[0]
    if not isinstance(base_h, np.ndarray) or not base_h.flags.writeable:
        return
    new = _bumped(base_h)
    base_h[...] = new
    base_d.copy_(fl.tensor(np.asarray(new), device=device))
    for i, (o, r) in enumerate(zip(outs, refs)):
        assert_close(_host(o), np.asarray(r), 0.0, 0.0,
                     what=f"after writing to the input, output {i} (view semantics)")
    for i, (o, r) in enumerate(zip(outs, refs)):
        if not (isinstance(r, np.ndarray) and r.size and r.flags.writeable
                and np.shares_memory(r, base_h)):
            continue
        value = (not bool(r.flat[0])) if r.dtype.kind == "b" else r.dtype.type(99)
        r[...] = value
        o.fill_(value.item() if hasattr(value, "item") else value)
        assert_close(_host(base_d), base_h, 0.0, 0.0,
                     what=f"after writing through output {i}, the input (view semantics)")


def _check_inputs_unchanged(sample: Sample, dargs) -> None:
    for i, (a, d) in enumerate(zip(sample.args, dargs)):
        if isinstance(d, fl.Tensor):
            assert_close(_host(d), host_value(a), 0.0, 0.0,
                         what=f"input {i} after the call (an out-of-place op wrote it)")


def _check_sample(entry: OpInfo, sample: Sample, device, backend) -> None:
    _held(sample, backend)
    host_kw = host_value(sample.kwargs)
    expected = None if entry.ref is None else entry.ref(*sample.host_args(), **host_kw)
    calls = (entry.op,) + (entry.variants if not sample.kwargs else ())
    for fn in calls:
        args = to_device(sample.args, device)
        kwargs = to_device(sample.kwargs, device)
        if entry.creation:
            kwargs["device"] = device
        out = _call_device(fn, args, kwargs)
        if entry.check is not None:
            entry.check(_check_outputs_native(out), sample)
        else:
            _compare(entry, out, expected, device)
        if not entry.mutates:
            _check_inputs_unchanged(sample, args)
    if entry.memory:
        _check_memory(entry, sample, device)


def _seed(entry: OpInfo, dtype: DType) -> int:
    return zlib.crc32(f"{entry.name}/{dtype.name}".encode())


def check_case(entry: OpInfo, dtype: DType, device: str) -> CaseResult:
    """Run every sample of ``entry`` at input dtype ``dtype`` on ``device``.

    Example::

        >>> from flambeau.plugins import conformance as c
        >>> c.check_case(c.OP_DB["add"], fl.float32, "cpu").status
        'pass'
    """
    res = CaseResult(str(device), entry.name, dtype.name, UNSUPPORTED)
    why = support(entry, dtype, device)
    if why is not None:
        res.reason = why
        return res
    backend = fl.backends.backend_for(fl.device(device).type)
    rng = np.random.default_rng(_seed(entry, dtype))
    failures, skipped = [], []
    with _no_fallback(), np.errstate(all="ignore"), warnings.catch_warnings():
        # references take means of empty slices and the like on purpose
        warnings.simplefilter("ignore", RuntimeWarning)
        for sample in entry.samples(dtype, rng):
            try:
                _check_sample(entry, sample, device, backend)
                res.samples += 1
            except _Unsupported as e:
                skipped.append(f"{sample.desc}: {e}")
            except Exception as e:  # a failing sample is reported, the others still run
                kind = "" if isinstance(e, AssertionError) else f"raised {type(e).__name__}: "
                failures.append(f"sample {sample.desc!r}: {kind}{e}")
    res.skipped = len(skipped)
    if failures:
        res.status = FAIL
        more = f" (and {len(failures) - 1} more failing samples)" if len(failures) > 1 else ""
        res.reason = failures[0] + more
    elif res.samples:
        res.status = PASS
        if skipped:
            res.reason = f"{len(skipped)} samples skipped: {skipped[0]}"
    else:
        res.reason = skipped[0] if skipped else "no samples"
    return res


def run(device: str = "cpu", names=None, dtypes=None, db=None) -> list[CaseResult]:
    """Check every entry (or those in ``names``) at every dtype it takes (or those in
    ``dtypes``) on ``device``; returns one :class:`CaseResult` per case."""
    from . import OP_DB
    db = OP_DB if db is None else db
    out = []
    for entry in db.values():
        if names is not None and entry.name not in names:
            continue
        for dt in entry.dtypes:
            if dtypes is None or dt in dtypes or dt.name in dtypes:
                out.append(check_case(entry, dt, device))
    return out
