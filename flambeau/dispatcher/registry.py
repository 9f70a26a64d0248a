"""Backends and kernel tables: who serves (op, device type, dtype).

The plugin manager (``flambeau.plugins``) hands backend objects to
:func:`register_backend`; this module checks each one against the whole backend
protocol (``flambeau.plugins.hookspecs.Backend``) and copies its kernels into each op's
plain dict table, so dispatch is a couple of dict lookups and never a pluggy call.

Debug mode: with ``FLAMBEAU_CHECK_KERNELS=1`` in the environment at import, or after
:func:`set_check_kernels`, every installed kernel is wrapped in a check of its result's
shape and dtype against what the dispatcher expects. When the mode is off no wrapper
is installed, so it costs nothing.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .dtype_rules import RULES
from .dtypes import ALL_DTYPES, DType, bfloat16, dtype_from_name, float32, int64
from .optable import OPS, Op, op as op_row
from .shapes import broadcast_shapes

__all__ = ["register_backend", "prepare_backend", "unregister_backend", "backend_for",
           "backends", "explain", "cpu_fallback", "set_cpu_fallback", "check_kernels",
           "set_check_kernels", "default_strides", "default_make_generator",
           "REQUIRED_METHODS", "OPTIONAL_METHODS", "dtype_note"]

# device type -> backend object
_BACKENDS: dict[str, Any] = {}
_fallback = {"on": False, "warned": set()}
_check = {"on": os.environ.get("FLAMBEAU_CHECK_KERNELS", "0") not in ("", "0")}

REQUIRED_METHODS = ("device_count", "from_numpy", "to_numpy", "kernels")
# methods with a default (below) for backends that leave them out
OPTIONAL_METHODS = ("strides", "make_generator")

_ELEMENTWISE = frozenset(("unary", "binary", "ternary"))


def default_strides(native) -> tuple[int, ...]:
    """C-contiguous strides, in elements, computed from ``native.shape``.

    What ``Tensor.stride()`` reports for a backend without a ``strides`` method, so
    such a backend's arrays (view results included) must be C-contiguous. Empty
    dimensions count as size 1, as in NumPy and PyTorch.
    """
    strides, step = [], 1
    for n in reversed(native.shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def default_make_generator(seed: int, index: int = 0) -> np.random.Generator:
    """A NumPy ``Generator`` on the PCG64 bit generator, seeded with ``seed``.

    What the random kernels of a backend without a ``make_generator`` method receive
    as ``gen`` (the CPU backend makes the same one). It runs on the host: such a
    backend's random kernels sample with it and copy the samples to the device.
    """
    return np.random.Generator(np.random.PCG64(seed))


def _supported_dtypes(backend) -> tuple[DType, ...]:
    names = getattr(backend, "dtypes", None)
    if names is None:
        # bfloat16 needs a native type most array libraries lack: a backend opts in
        return tuple(d for d in ALL_DTYPES if d is not bfloat16)
    return tuple(_as_dtype(n) for n in names)


def register_backend(backend, *, override: bool = False) -> None:
    """Make ``backend`` serve its device type: fill every op's kernel table from it.

    The whole protocol of :class:`flambeau.plugins.hookspecs.Backend` is checked first
    (see :func:`prepare_backend`); nothing is installed unless every check passes.

    Args:
        backend: an object with ``name``, ``device_type``, optional ``dtypes`` (names),
            the methods ``device_count()``, ``from_numpy(array, index)``,
            ``to_numpy(native)``, ``kernels()``, and optionally ``strides(native)`` and
            ``make_generator(seed, index)`` (defaults: :func:`default_strides`,
            :func:`default_make_generator`).
        override: allow replacing the backend that already serves the device type.

    Raises:
        TypeError: when the object lacks part of the backend interface, or its native
            arrays lack what flambeau reads (a ``.shape`` tuple).
        ValueError: when the device type is taken and ``override`` is false, or when
            the backend names a kernel for an op that is not in the op table.

    Example::

        >>> fl.backends.register_backend(MyBackend())            # serves "mydev"
        >>> fl.backends.register_backend(FasterCPU(), override=True)  # replaces "cpu"
    """
    prepare_backend(backend, override=override)()


def prepare_backend(backend, *, override: bool = False) -> Callable[[], None]:
    """Check ``backend`` as :func:`register_backend` does, without installing it.

    The plugin manager prepares every backend a plugin returns before it installs
    any, so a plugin is installed whole or not at all.

    Returns:
        A function of no arguments that installs the backend.

    Raises:
        TypeError, ValueError: as :func:`register_backend`.
    """
    who = _describe(backend)
    _check_interface(backend, who)
    device_type = backend.device_type
    if device_type in _BACKENDS and not override:
        raise ValueError(f"register_backend(): {who} may not take device type "
                         f"{device_type!r}: it is already served by backend "
                         f"{_BACKENDS[device_type].name!r}; pass override=True (a "
                         f"plugin's backend object: set override = True) to replace it")
    try:
        supported = _supported_dtypes(backend)
    except TypeError as e:
        raise TypeError(f"register_backend(): {who} has bad dtypes: {e}") from None
    tables = _kernel_tables(backend, supported, who)
    for method, default in (("strides", default_strides),
                            ("make_generator", default_make_generator)):
        if getattr(backend, method, None) is None:
            # an attribute on the backend, so every caller of backend.strides() and
            # backend.make_generator() gets the default without a special case
            try:
                setattr(backend, method, default)
            except AttributeError:
                raise TypeError(f"register_backend(): {who} has no {method} method and "
                                f"takes no attributes, so it cannot get the default; "
                                f"give it a {method} method") from None
    _check_arrays(backend, supported, who)

    def install() -> None:
        backend.supported_dtypes = supported
        for row in OPS.values():
            row.kernels.pop(device_type, None)
        for name, per_dtype in tables.items():
            if _check["on"]:
                per_dtype = {d: _checked(k, backend.name, OPS[name], d)
                             for d, k in per_dtype.items()}
            OPS[name].kernels[device_type] = per_dtype
        _BACKENDS[device_type] = backend

    return install


def _describe(backend) -> str:
    name = getattr(backend, "name", None)
    return f"backend {name!r}" if isinstance(name, str) else f"backend object {backend!r}"


def _check_interface(backend, who: str) -> None:
    lacks = [m for m in ("name", "device_type") + REQUIRED_METHODS
             if getattr(backend, m, None) is None]
    if lacks:
        raise TypeError(f"register_backend(): {who} lacks {', '.join(lacks)}; see "
                        f"flambeau.plugins.hookspecs.Backend for the interface")
    not_methods = [m for m in REQUIRED_METHODS + OPTIONAL_METHODS
                   if getattr(backend, m, None) is not None
                   and not callable(getattr(backend, m))]
    if not_methods:
        raise TypeError(f"register_backend(): {who}: {', '.join(not_methods)} must be "
                        f"methods; see flambeau.plugins.hookspecs.Backend")
    if not isinstance(backend.name, str):
        raise TypeError(f"register_backend(): {who}: name must be a str")
    dt = backend.device_type
    # the rule fl.device() parses device strings by, so "mydev:1" can name it
    if not isinstance(dt, str) or not dt.replace("_", "").isalnum():
        raise ValueError(f"register_backend(): {who} has device_type {dt!r}; a device "
                         f"type is letters, digits and underscores, like 'mydev'")


def _as_dtype(d) -> DType:
    d = dtype_from_name(d) if isinstance(d, str) else d
    if not isinstance(d, DType):
        raise TypeError(f"expected a dtype name such as 'float32', got {d!r}")
    return d


def _kernel_tables(backend, supported, who: str) -> dict[str, dict[DType, Callable]]:
    """{op name: {dtype: kernel}} from ``backend.kernels()``, checked."""
    table = backend.kernels()
    if not isinstance(table, Mapping):
        raise TypeError(f"register_backend(): {who}: kernels() returned a "
                        f"{type(table).__name__}; expected a mapping of op name -> "
                        f"kernel or op name -> {{dtype name: kernel}}")
    unknown = [n for n in table if n not in OPS]
    if unknown:
        raise ValueError(f"register_backend(): backend {backend.name!r} has kernels for "
                         f"ops not in the op table: {', '.join(sorted(unknown))}")
    tables = {}
    for name, entry in table.items():
        if callable(entry):
            per_dtype = {d: entry for d in supported}
        elif isinstance(entry, Mapping):
            try:
                per_dtype = {_as_dtype(k): fn for k, fn in entry.items()}
            except TypeError as e:
                raise TypeError(f"register_backend(): {who}: kernels for {name!r}: "
                                f"{e}") from None
        else:
            raise TypeError(f"register_backend(): {who}: the kernel for {name!r} is a "
                            f"{type(entry).__name__}, not a callable or a "
                            f"{{dtype name: kernel}} mapping")
        bad = [d.name for d, fn in per_dtype.items() if not callable(fn)]
        if bad:
            raise TypeError(f"register_backend(): {who}: the kernel for {name!r} "
                            f"({', '.join(bad)}) is not callable")
        tables[name] = per_dtype
    return tables


def _call(who: str, what: str, fn, *args):
    # a backend method raising during the checks is the backend's fault: say which
    try:
        return fn(*args)
    except Exception as e:
        raise TypeError(f"register_backend(): {who}: {what} raised "
                        f"{type(e).__name__}: {e}") from e


def _check_arrays(backend, supported, who: str) -> None:
    """Round-trip a tiny array through device 0: the native must carry a ``.shape``
    tuple (every op reads it) and strides of its rank, and come back unchanged."""
    count = _call(who, "device_count()", backend.device_count)
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
        raise TypeError(f"register_backend(): {who}: device_count() returned "
                        f"{count!r}; expected an int >= 0")
    if count == 0 or not supported:
        return  # no device to try; a backend re-registers when devices appear
    dtype = float32 if float32 in supported else supported[0]
    sample = np.array([[0, 1, 0], [1, 1, 0]], dtype=dtype.name)
    what = f"from_numpy() of a {dtype.name} array of shape (2, 3)"
    native = _call(who, what, backend.from_numpy, sample, 0)
    shape = getattr(native, "shape", None)
    if not isinstance(shape, tuple):
        has = "no .shape" if shape is None else f"a .shape of type {type(shape).__name__}"
        raise TypeError(f"register_backend(): {who}: {what} returned a "
                        f"{type(native).__name__} with {has}; a native array must have "
                        f"a .shape tuple (see flambeau.plugins.hookspecs.Backend)")
    if shape != (2, 3):
        raise TypeError(f"register_backend(): {who}: {what} returned shape {shape}")
    strides = _call(who, "strides()", backend.strides, native)
    if len(tuple(strides)) != 2:
        raise TypeError(f"register_backend(): {who}: strides() of a 2-d array returned "
                        f"{strides!r}; expected one stride per dimension")
    back = np.asarray(_call(who, "to_numpy()", backend.to_numpy, native))
    if back.shape != (2, 3) or not np.array_equal(back, sample):
        raise TypeError(f"register_backend(): {who}: to_numpy(from_numpy(a)) did not "
                        f"give back a: {sample.tolist()} became {back.tolist()}")


def dtype_note(backend, dtype: DType) -> str:
    """Why ``backend`` cannot hold ``dtype`` (its optional ``dtype_notes``, e.g. the
    OpenCL extension a device lacks) as ``" (reason)"``, or ``""``."""
    note = getattr(backend, "dtype_notes", {}).get(dtype.name)
    return f" ({note})" if note else ""


def unregister_backend(device_type: str) -> None:
    """Remove the backend serving ``device_type`` and its kernels from every op.

    Raises:
        KeyError: when no backend serves ``device_type``.
    """
    if device_type not in _BACKENDS:
        raise KeyError(f"unregister_backend(): no backend serves {device_type!r}")
    for row in OPS.values():
        row.kernels.pop(device_type, None)
    del _BACKENDS[device_type]


def backends() -> dict[str, Any]:
    """Registered backends by device type (a copy)."""
    return dict(_BACKENDS)


def backend_for(device_type: str):
    """The backend serving ``device_type``; ``RuntimeError`` naming the known ones."""
    b = _BACKENDS.get(device_type)
    if b is None:
        known = ", ".join(sorted(_BACKENDS)) or "none"
        hint = {"opencl": "pip install 'flambeau[opencl]'",
                "cuda": "pip install 'flambeau[cuda]'"}.get(
            device_type, "install the plugin package that provides it")
        raise RuntimeError(f"no backend serves device type {device_type!r} (registered: "
                           f"{known}); {hint}")
    return b


def explain(name: str, device, dtype: DType | str) -> str:
    """Say which kernel would serve op ``name`` on ``device`` for ``dtype``, or why none.

    Example::

        >>> fl.backends.explain("add", "cpu", fl.float32)
        "add on cpu for float32: kernel add from backend 'numpy'"
    """
    from .devices import as_device
    row = op_row(name)
    dev = as_device(device)
    if isinstance(dtype, str):
        dtype = dtype_from_name(dtype)
    b = _BACKENDS.get(dev.type)
    head = f"{name} on {dev} for {dtype.name}"
    if b is None:
        return f"{head}: no backend serves device type {dev.type!r}"
    if dtype not in b.supported_dtypes:
        return (f"{head}: backend {b.name!r} cannot hold {dtype.name}"
                f"{dtype_note(b, dtype)} (it supports "
                f"{', '.join(d.name for d in b.supported_dtypes)})")
    per_dtype = row.kernels.get(dev.type)
    if not per_dtype and row.composite is not None:
        return (f"{head}: backend {b.name!r} has no kernel for {name}; it runs {name}'s "
                f"composite (flambeau.composites), made of other ops")
    if not per_dtype:
        where = ", ".join(sorted(row.kernels)) or "no device"
        return (f"{head}: backend {b.name!r} has no kernel for {name} (available on: "
                f"{where}){'; CPU fallback is on' if _fallback['on'] else ''}")
    k = per_dtype.get(dtype)
    if k is None:
        have = ", ".join(d.name for d in per_dtype)
        return f"{head}: backend {b.name!r} has {name} only for {have}"
    return f"{head}: kernel {getattr(k, '__name__', k)!r} from backend {b.name!r}"


def cpu_fallback() -> bool:
    """Whether ops missing on a device run on the CPU and copy back."""
    return _fallback["on"]


def set_cpu_fallback(on: bool) -> None:
    """Opt in (or out) of running ops a backend lacks on the CPU.

    The result is copied back to the tensor's device, and a warning is shown once per
    op so the slow path is never silent.
    """
    _fallback["on"] = bool(on)


def warn_fallback_once(name: str, device_type: str) -> None:
    key = (name, device_type)
    if key not in _fallback["warned"]:
        _fallback["warned"].add(key)
        warnings.warn(f"{name} has no kernel on {device_type}; running it on the CPU and "
                      f"copying back (CPU fallback is on). This is slow.", stacklevel=4)


# --- debug mode: check every kernel's result ----------------------------------------------

def check_kernels() -> bool:
    """Whether every kernel's result is checked (``FLAMBEAU_CHECK_KERNELS=1``)."""
    return _check["on"]


def set_check_kernels(on: bool) -> None:
    """Check (or stop checking) the shape and dtype of every kernel's result.

    Re-wraps the kernels already installed, and those of backends registered later.
    A result that differs from what the dispatcher expects raises ``RuntimeError``
    naming the backend, the op, the dtype, and the expected and actual shape or dtype.
    Shapes are checked for elementwise ops (the broadcast shape of the array inputs)
    and reductions (from ``dim`` and ``keepdim``); dtypes for every op whose output
    dtype the dispatcher decides, on natives that have a ``.dtype``. Off (the
    default), no wrapper is installed, so dispatch pays nothing. Setting the
    environment variable ``FLAMBEAU_CHECK_KERNELS=1`` turns it on at import.

    Example::

        >>> fl.backends.set_check_kernels(True)
        >>> fl.ones(2, device="mydev") + 1   # RuntimeError if mydev's add lies
    """
    _check["on"] = bool(on)
    for device_type, backend in _BACKENDS.items():
        for row in OPS.values():
            per_dtype = row.kernels.get(device_type)
            for d, k in (per_dtype or {}).items():
                raw = getattr(k, "_unchecked", k)
                per_dtype[d] = _checked(raw, backend.name, row, d) if on else raw


_FROM_PARAM = "the dtype param"  # cast and creation ops return their ``dtype`` param


def _expected_dtype(row: Op, dtype: DType):
    """The dtype the dispatcher wraps the result of ``row``'s ``dtype`` kernel in
    (``_FROM_PARAM`` for cast and creation ops), or None when it does not decide."""
    if row.rule is not None:
        try:
            compute, out = RULES[row.rule](row.name, dtype)
        except (RuntimeError, TypeError):  # the rule refuses the dtype: never called
            return None
        # dispatch runs this kernel only where ``dtype`` is the compute dtype
        return out if compute is dtype else None
    if row.name == "cast" or row.nin == 0:
        return _FROM_PARAM
    if row.kind == "inplace":
        return None
    return dtype


def _expected_shape(row: Op, args, kwargs):
    if row.kind in _ELEMENTWISE:
        shapes = [a.shape for a in args if isinstance(getattr(a, "shape", None), tuple)]
        return broadcast_shapes(*shapes, op=row.name) if shapes else None
    if len(args) != 1:  # a reduction called with positional params: do not guess
        return None
    shape = args[0].shape
    dim = kwargs.get("dim")
    dims = range(len(shape)) if dim is None else (dim,) if isinstance(dim, int) else dim
    keep = kwargs.get("keepdim", False)
    return tuple(1 if i in dims else n for i, n in enumerate(shape)
                 if keep or i not in dims)


def _checked(kernel, backend: str, row: Op, dtype: DType):
    """``kernel`` wrapped in a check of its result, or ``kernel`` itself where there
    is nothing to check."""
    want = _expected_dtype(row, dtype)
    shaped = row.kind in _ELEMENTWISE or row.kind == "reduction"
    if want is None and not shaped:
        return kernel

    def checked(*args, **kwargs):
        res = kernel(*args, **kwargs)
        outs = res if res.__class__ is tuple else (res,)
        if shaped:
            shape = _expected_shape(row, args, kwargs)
            # a reduction's indices (max_dim) have the values' shape
            for out in outs if row.kind == "reduction" else outs[:1]:
                got = getattr(out, "shape", None)
                if shape is not None and out is not None and got != shape:
                    _mismatch(backend, row, dtype, "shape", shape, got)
        if want is not None:
            first = kwargs.get("dtype") if want is _FROM_PARAM else want
            for out, expect in zip(outs, (first,) + (int64,) * (len(outs) - 1)):
                got = getattr(out, "dtype", None)
                if expect is None or got is None:
                    continue
                got = getattr(got, "name", str(got))
                if got != expect.name:
                    _mismatch(backend, row, dtype, "dtype", expect.name, got)
        return res

    checked.__name__ = getattr(kernel, "__name__", "kernel")
    checked._unchecked = kernel
    return checked


def _mismatch(backend: str, row: Op, dtype: DType, what: str, expect, got):
    raise RuntimeError(f"kernel check: backend {backend!r} returned the wrong {what} "
                       f"from op {row.name!r} for {dtype.name}: expected {expect}, got "
                       f"{got} (FLAMBEAU_CHECK_KERNELS is on)")
