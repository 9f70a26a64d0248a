"""The pieces every sample module is written with: OpInfo rows, samples, host data.

An :class:`OpInfo` is one declarative row: the public callable under test, a plain
generator of :class:`Sample` inputs, a NumPy reference and the dtypes to try. Samples
hold host data only (NumPy arrays, Python scalars, :class:`Layout` wrappers that ask
for a non-contiguous view); the runner moves them to the device under test. Nothing
here knows about a device, and nothing computes an expected value with flambeau.

The expected dtype of a result follows PyTorch's rules, restated here from PyTorch's
own definition (``c10::ResultTypeState``) rather than taken from flambeau's dispatcher,
so that the kit checks the dispatcher instead of agreeing with it by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...dispatcher.dtypes import (bool_, float16, float32, float64, int8, int16, int32,
                                  int64, uint8)
from ...dispatcher.optable import OPS

__all__ = ["OpInfo", "Sample", "Layout", "Transposed", "Strided", "Expanded", "make",
           "host_value", "result_type", "promote", "ref_dtype", "finish", "upcast", "cast",
           "ALL", "BOOL", "INTS", "SIGNED", "FLOATS", "NUMBERS", "INTS_BOOL",
           "TOLERANCES"]

BOOL = (bool_,)
INTS = (uint8, int8, int16, int32, int64)
SIGNED = (int8, int16, int32, int64)
FLOATS = (float16, float32, float64)
NUMBERS = INTS + FLOATS
INTS_BOOL = BOOL + INTS
ALL = BOOL + INTS + FLOATS

# (rtol, atol) by dtype name; integers and bool compare exactly. float16 is loose
# because a device may compute it natively where the reference rounds once.
TOLERANCES = {"float16": (2e-3, 1e-3), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}


@dataclass
class Sample:
    """One set of inputs for an op.

    Attributes:
        args: positional inputs: NumPy arrays (moved to the device as tensors),
            :class:`Layout` wrappers (moved as non-contiguous views), lists of those
            (for ``cat``-like ops) and plain Python values (scalars, tuples, None).
        kwargs: keyword inputs, converted the same way (arrays inside tuples too, for
            index tuples); for creation ops the runner adds ``device``.
        desc: a short human description, shown when the sample fails.
        differentiable: whether the sample suits gradcheck: floating-point inputs,
            away from points where the op is not differentiable (ties, kinks, NaN).
    """

    args: tuple
    kwargs: dict = field(default_factory=dict)
    desc: str = ""
    differentiable: bool = True

    def host_args(self) -> tuple:
        """The positional inputs as plain contiguous NumPy values (what a reference or
        a finite-difference gradcheck reads)."""
        return tuple(host_value(a) for a in self.args)

    def float_positions(self) -> tuple[int, ...]:
        """Positions of floating-point tensor inputs (the ones gradcheck perturbs); a
        list input (``cat``'s) counts when it holds one."""
        def floaty(a):
            if isinstance(a, list):
                return any(floaty(v) for v in a)
            return isinstance(a, np.ndarray) and a.dtype.kind == "f"
        return tuple(i for i, a in enumerate(self.host_args()) if floaty(a))


@dataclass(frozen=True)
class OpInfo:
    """One row of the conformance database.

    Attributes:
        name: the entry's name, used in test ids (``add``, ``max_dim``, ``getitem_mask``).
        op: the public callable under test, called as ``op(*args, **kwargs)`` with the
            sample's inputs on the device.
        ref: the NumPy reference, called the same way with host values; returns an
            array (with the expected dtype) or a tuple of them. ``None`` with ``check``.
        samples: ``samples(dtype, rng) -> iterable of Sample`` for an input dtype.
        dtypes: input dtypes the op accepts by flambeau's contract.
        table_ops: op-table rows the entry exercises. The first is the main one: a
            device without it is unsupported up front; the others are reported
            unsupported if the device lacks them when the case reaches them.
        tol: per-dtype ``(rtol, atol)`` overrides of :data:`TOLERANCES`.
        memory: check memory sharing with the first input against the reference's:
            where NumPy's result is a view (the reference must return one for view
            ops), a write to the input shows in the result and a write through the
            result shows in the input; where it is a copy, neither does.
        check: for results with no single right value (random ops):
            ``check(out, sample)`` raises ``AssertionError`` when ``out`` is wrong.
        variants: more public spellings checked against the same reference
            (``operator.add`` next to ``fl.add``).
        creation: whether ``op`` makes tensors from nothing (the runner passes
            ``device=``).
        mutates: whether ``op`` writes into its first input (in-place ops); others
            are checked to leave their inputs unchanged.
    """

    name: str
    op: Callable
    ref: Callable | None
    samples: Callable[[Any, np.random.Generator], Iterable[Sample]]
    dtypes: tuple = ALL
    table_ops: tuple = ()
    tol: dict = field(default_factory=dict)
    memory: bool = False
    check: Callable | None = None
    variants: tuple = ()
    creation: bool = False
    mutates: bool = False

    def __post_init__(self):
        if not self.table_ops:
            object.__setattr__(self, "table_ops", (self.name,))
        unknown = [n for n in self.table_ops if n not in OPS]
        if unknown:
            raise ValueError(f"OpInfo {self.name!r} names ops not in the op table: "
                             f"{unknown}")

    @property
    def differentiable(self) -> bool:
        """Whether the main op has a derivative (from its op-table row)."""
        return OPS[self.table_ops[0]].differentiable

    def tolerance(self, dtype_name: str) -> tuple[float, float]:
        """``(rtol, atol)`` for results of ``dtype_name``; ``(0, 0)`` when exact."""
        return self.tol.get(dtype_name, TOLERANCES.get(dtype_name, (0.0, 0.0)))


# --- non-contiguous inputs -----------------------------------------------------------

class Layout:
    """Host values that reach the device as a view of a larger or permuted tensor,
    made there with flambeau's own view ops (so kernels see real strides)."""

    def __init__(self, array: np.ndarray):
        self.array = np.asarray(array)

    def host(self) -> np.ndarray:
        """A NumPy array with these values and the same kind of layout."""
        raise NotImplementedError

    def to_device(self, device: str):
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.array.dtype}{list(self.array.shape)})"


class Transposed(Layout):
    """The values seen through a transpose of the last two dims of a contiguous base."""

    def _base(self):
        return np.ascontiguousarray(np.swapaxes(self.array, -1, -2))

    def host(self):
        return np.swapaxes(self._base(), -1, -2)

    def to_device(self, device):
        import flambeau as fl
        return fl.tensor(self._base(), device=device).transpose(-1, -2)


class Strided(Layout):
    """The values seen through ``base[..., ::2]``: every other element of the last dim,
    the ones in between holding a different value that must never leak out."""

    def _base(self):
        a = self.array
        base = np.empty(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype)
        base[..., ::2] = a
        base[..., 1::2] = (~a) if a.dtype.kind == "b" else a.dtype.type(7)
        return base

    def host(self):
        return self._base()[..., ::2]

    def to_device(self, device):
        import flambeau as fl
        return fl.tensor(self._base(), device=device)[..., ::2]


class Expanded(Layout):
    """``array`` (with size-1 dims) broadcast to ``shape`` by ``expand``: stride 0."""

    def __init__(self, array: np.ndarray, shape: tuple):
        super().__init__(array)
        self.small = self.array
        self.shape = tuple(shape)
        self.array = np.broadcast_to(self.small, self.shape).copy()

    def host(self):
        return np.broadcast_to(self.small.copy(), self.shape)

    def to_device(self, device):
        import flambeau as fl
        return fl.tensor(self.small, device=device).expand(*self.shape)


def host_value(x):
    """A sample input as a plain host value: layouts become contiguous arrays."""
    if isinstance(x, Layout):
        return x.array.copy()
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, list):
        return [host_value(v) for v in x]
    if isinstance(x, tuple):
        return tuple(host_value(v) for v in x)
    return x


# --- host data -----------------------------------------------------------------------

def make(shape, dtype, rng: np.random.Generator, *, low=None, high=None,
         nonzero: bool = False, away_from_int: bool = False,
         integral: bool = False) -> np.ndarray:
    """Seeded host values of flambeau dtype ``dtype`` and shape ``shape``.

    Integers are drawn from ``[low, high)`` (default ``[-9, 10)``, ``[0, 10)`` for
    uint8), floats uniformly from ``[low, high)`` (default ``[-5, 5)``).

    Args:
        nonzero: keep values away from zero (divisors; kinks of abs/relu/sign).
        away_from_int: keep floats at least 0.1 from an integer (floor/round kinks).
        integral: whole-number floats, so that ties and equal elements occur.
    """
    npd = np.dtype(dtype.name)
    shape = tuple(shape)
    if npd.kind == "b":
        a = rng.random(shape) < 0.5
        if nonzero:
            a = np.ones(shape, dtype=bool)
        return np.asarray(a, dtype=npd)
    if npd.kind in "iu":
        lo = int(np.ceil(low)) if low is not None else (0 if npd.kind == "u" else -9)
        hi = int(np.ceil(high)) if high is not None else 10
        a = np.asarray(rng.integers(lo, hi, size=shape), dtype=np.int64)
        if nonzero:
            a = np.where(a == 0, 1, a)
        return a.astype(npd)
    lo = -5.0 if low is None else low
    hi = 5.0 if high is None else high
    a = np.asarray(rng.uniform(lo, hi, size=shape), dtype=np.float64)
    if nonzero:
        a = np.where(np.abs(a) < 0.25, np.copysign(0.25, a) + a, a)
    if away_from_int:
        a = np.floor(a) + 0.1 + 0.8 * (a - np.floor(a))
    if integral:
        a = np.floor(a)
    return np.asarray(a).astype(npd)  # NumPy turns 0-d results into scalars


# --- PyTorch's dtype rules, restated for references -----------------------------------

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def promote(a, b) -> np.dtype:
    """PyTorch's ``promote_types``: the higher category wins; within one category
    the NumPy lattice agrees with PyTorch's (uint8 with int8 gives int16)."""
    if a is None:
        return None if b is None else np.dtype(b)
    if b is None:
        return np.dtype(a)
    a, b = np.dtype(a), np.dtype(b)
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def _combine(higher, lower):
    # c10::combine_categories: a lower-priority operand only matters when it is of a
    # higher category (or when the higher-priority result is bool)
    if higher is None:
        return lower
    if lower is None or _CATEGORY[higher.kind] == 2:
        return higher
    if higher.kind == "b" or _CATEGORY[lower.kind] == 2:
        return promote(higher, lower)
    return higher


def result_type(*operands, default_float=np.float32) -> np.dtype:
    """The dtype PyTorch gives a mix of tensors (host arrays here) and Python scalars:
    dimensioned tensors outrank 0-d tensors, which outrank Python scalars, unless a
    lower-priority operand is of a higher category (bool < integer < float)."""
    dim = zero = weak = None
    for x in operands:
        if x is None:
            continue
        if isinstance(x, Layout):
            x = x.array
        if isinstance(x, np.ndarray):
            if x.ndim:
                dim = promote(dim, x.dtype)
            else:
                zero = promote(zero, x.dtype)
        elif isinstance(x, (bool, np.bool_)):
            weak = promote(weak, np.bool_)
        elif isinstance(x, int):
            weak = promote(weak, np.int64)
        elif isinstance(x, float):
            weak = promote(weak, default_float)
        else:
            raise TypeError(f"result_type(): unexpected operand {x!r}")
    return _combine(dim, _combine(zero, weak))


def ref_dtype(rule: str, d: np.dtype) -> tuple[np.dtype, np.dtype]:
    """(compute dtype, output dtype) of an elementwise rule for promoted dtype ``d``."""
    d = np.dtype(d)
    f32 = np.dtype(np.float32)
    if rule == "same":
        return d, d
    if rule == "float":
        return (d, d) if d.kind == "f" else (f32, f32)
    if rule == "bool":
        return d, np.dtype(bool)
    if rule == "sum":
        return (d, d) if d.kind == "f" else (np.dtype(np.int64),) * 2
    raise ValueError(f"unknown rule {rule!r}")


def upcast(x):
    """Floats to float64 so a reference rounds once, at the end; the rest unchanged."""
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return x.astype(np.float64)
    return x


def finish(value, dtype) -> np.ndarray:
    """A reference result as an array of ``dtype`` (rounding floats once)."""
    return np.asarray(value).astype(dtype)


def cast(x, dtype):
    """An operand cast to ``dtype``; Python scalars become 0-d arrays of it."""
    return np.asarray(x).astype(dtype)
