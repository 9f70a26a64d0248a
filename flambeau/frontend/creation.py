"""Creation functions: tensor, as_tensor, from_numpy, zeros/ones/full/empty, ranges.

Host data enters through NumPy, the interchange format every backend's ``from_numpy``
accepts; after that it is the backend's native array.
"""

from __future__ import annotations

import math
from numbers import Number

import numpy as np

from ..dispatcher import dispatch
from ..dispatcher.devices import as_device, device as Device
from ..dispatcher.dtypes import (DType, bool_, default_complex_dtype, dtype_from_name,
                                 get_default_dtype, int64)
from ..dispatcher.optable import OPS
from ..dispatcher.registry import backend_for, dtype_note
from .tensor import Size, Tensor, _resolve_device

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "from_dlpack", "zeros", "ones",
           "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like",
           "arange", "linspace", "eye", "scalar_tensor"]

_CPU = Device("cpu")
_FULL = OPS["full"]
_create = dispatch.create


def _device(device) -> Device:
    if device is None or device is _CPU:
        return _CPU
    return _resolve_device(as_device(device))


def _np_to_dtype(npdtype, op: str) -> DType:
    try:
        return dtype_from_name(np.dtype(npdtype).name)
    except TypeError:
        raise TypeError(f"{op}(): can't convert np.ndarray of type {np.dtype(npdtype)}; "
                        f"the supported types are: bool, uint8, int8, int16, int32, "
                        f"int64, float16, bfloat16, float32, float64, complex64, "
                        f"complex128") from None


def _infer(data) -> tuple[np.ndarray, DType]:
    """Host array and dtype for Python data, following PyTorch's inference."""
    if isinstance(data, np.ndarray) or isinstance(data, np.generic):
        arr = np.asarray(data)
        return arr, _np_to_dtype(arr.dtype, "tensor")
    if isinstance(data, Tensor):
        return data.detach().numpy(force=True), data._dtype
    arr = np.asarray(data)
    kind = arr.dtype.kind
    if kind == "b":
        return arr, bool_
    if kind in "iu":
        return arr, int64
    if kind == "f":
        return arr, get_default_dtype()
    if kind == "c":
        return arr, default_complex_dtype()
    if kind == "O" or kind in "US":
        raise TypeError(f"tensor(): could not infer a dtype from {type(data).__name__} "
                        f"data (ragged nesting or non-numbers?); pass numbers nested "
                        f"in lists of equal length")
    raise TypeError(f"tensor(): unsupported data of NumPy kind {arr.dtype}")


def _from_host(arr: np.ndarray, dtype: DType, device: Device, copy: bool) -> Tensor:
    b = backend_for(device.type)
    if dtype not in b.supported_dtypes:
        raise TypeError(f"tensor(): device {device} (backend {b.name!r}) cannot hold "
                        f"{dtype.name}{dtype_note(b, dtype)}; choose a dtype it supports")
    if arr.dtype.name != dtype.name:
        if dtype.category < 2 and arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise RuntimeError(f"tensor(): cannot convert non-finite floats to "
                               f"{dtype.name}")
        arr = arr.astype(dtype.name)
    elif copy:
        arr = np.array(arr, copy=True)
    if not arr.flags.writeable:
        arr = arr.copy()
    return dispatch.wrap(b.from_numpy(arr, device.index or 0), dtype, device)


def tensor(data, *, dtype: DType | None = None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """Build a tensor by copying ``data`` (numbers, nested lists, NumPy arrays).

    Args:
        data: the values. Python floats become the default dtype, ints ``int64``,
            bools ``bool``; NumPy arrays keep their dtype.
        dtype: the element type; inferred when ``None``.
        device: where to put it (default ``"cpu"``).
        requires_grad: whether autograd should record ops on it.

    Example::

        >>> fl.tensor([[1, 2], [3, 4]], dtype=fl.float32)
        tensor([[1., 2.],
                [3., 4.]])
    """
    arr, inferred = _infer(data)
    out = _from_host(arr, dtype or inferred, _device(device), copy=True)
    if requires_grad:
        out.requires_grad_(True)
    return out


def as_tensor(data, dtype: DType | None = None, device=None) -> Tensor:
    """Like :func:`tensor`, but shares memory with ``data`` when it already has the
    requested dtype and device (a tensor, or a NumPy array for the CPU)."""
    if isinstance(data, Tensor):
        return data.to(device=device if device is not None else data._device,
                       dtype=dtype or data._dtype)
    arr, inferred = _infer(data)
    return _from_host(arr, dtype or inferred, _device(device), copy=False)


asarray = as_tensor


def scalar_tensor(value, *, dtype: DType | None = None, device=None,
                  requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding ``value`` (default dtype unless given)."""
    return full((), value, dtype=dtype or get_default_dtype(), device=device,
                requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A CPU tensor sharing memory with ``array``: writes to one show in the other.

    Example::

        >>> a = np.zeros(3, dtype=np.float32); t = fl.from_numpy(a); t[0] = 1; a[0]
        1.0
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy(): expected np.ndarray, got {type(array).__name__}")
    dtype = _np_to_dtype(array.dtype, "from_numpy")
    if not array.dtype.isnative:
        raise TypeError("from_numpy(): the array's byte order is not native; call "
                        "array.astype(array.dtype.newbyteorder('='))")
    return dispatch.wrap(backend_for("cpu").from_numpy(array, 0), dtype, _CPU)


def from_dlpack(obj) -> Tensor:
    """A tensor sharing memory with a DLPack-capable object (``__dlpack__``)."""
    if isinstance(obj, Tensor):
        return obj
    kind, index = obj.__dlpack_device__()
    for b in _all_backends():
        if getattr(b, "dlpack_device_type", None) == kind and hasattr(b, "from_dlpack"):
            try:
                native = b.from_dlpack(obj)
            except (RuntimeError, BufferError, TypeError) as e:
                raise type(e)(f"from_dlpack(): backend {b.name!r} cannot take this "
                              f"object ({e}); bfloat16 and complex tensors from other "
                              f"libraries are among the types NumPy's DLPack lacks: "
                              f"convert them to float32 first") from e
            dev = _CPU if b.device_type == "cpu" else Device(b.device_type, index)
            host_dtype = np.dtype(str(native.dtype))
            return dispatch.wrap(native, _np_to_dtype(host_dtype, "from_dlpack"), dev)
    raise RuntimeError(f"from_dlpack(): no registered backend takes DLPack device type "
                       f"{kind}")


def _all_backends():
    from ..dispatcher.registry import backends
    return backends().values()


def _shape_args(size, op: str) -> tuple:
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        size = size[0]
        if size.__class__ is Size:
            return tuple(size)
    try:
        shape = tuple(int(s.__index__()) for s in size)
    except (AttributeError, TypeError):
        raise TypeError(f"{op}(): size must be ints or a sequence of ints, got "
                        f"{size!r}") from None
    if any(s < 0 for s in shape):
        raise RuntimeError(f"{op}(): Trying to create tensor with negative dimension: "
                           f"{shape}")
    return shape


def _finish(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        t.requires_grad_(True)
    return t


def full(size, fill_value, *, dtype: DType | None = None, device=None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``.

    The dtype is inferred from ``fill_value`` when not given (bool, int64 or the
    default float), like PyTorch's.
    """
    shape = _shape_args((size,), "full")
    if dtype is None:
        if isinstance(fill_value, Tensor):
            fill_value = fill_value.item()
        dtype = bool_ if isinstance(fill_value, bool) else \
            int64 if isinstance(fill_value, (int, np.integer)) else \
            default_complex_dtype() if isinstance(fill_value, complex) else get_default_dtype()
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _finish(_create(_FULL, dtype, _device(device), shape=shape,
                           fill_value=fill_value), requires_grad)


def zeros(*size, dtype: DType | None = None, device=None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros; ``size`` as separate ints or one sequence."""
    return _finish(_create(_FULL, dtype or get_default_dtype(), _device(device),
                           shape=_shape_args(size, "zeros"), fill_value=0), requires_grad)


def ones(*size, dtype: DType | None = None, device=None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones; ``size`` as separate ints or one sequence."""
    return _finish(_create(_FULL, dtype or get_default_dtype(), _device(device),
                           shape=_shape_args(size, "ones"), fill_value=1), requires_grad)


def empty(*size, dtype: DType | None = None, device=None,
          requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor; ``size`` as separate ints or one sequence."""
    return _finish(_create(OPS["empty"], dtype or get_default_dtype(), _device(device),
                           shape=_shape_args(size, "empty")), requires_grad)


def _like(fn, t: Tensor, dtype, device, requires_grad, *extra):
    return fn(t.shape, *extra, dtype=dtype or t._dtype,
              device=device if device is not None else t._device,
              requires_grad=requires_grad)


def zeros_like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Zeros with ``input``'s shape, dtype and device unless overridden."""
    return _like(zeros, input, dtype, device, requires_grad)


def ones_like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Ones with ``input``'s shape, dtype and device unless overridden."""
    return _like(ones, input, dtype, device, requires_grad)


def empty_like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uninitialised, with ``input``'s shape, dtype and device unless overridden."""
    return _like(empty, input, dtype, device, requires_grad)


def full_like(input: Tensor, fill_value, *, dtype=None, device=None,
              requires_grad=False) -> Tensor:
    """``fill_value`` everywhere, with ``input``'s shape, dtype and device."""
    return full(input.shape, fill_value, dtype=dtype or input._dtype,
                device=device if device is not None else input._device,
                requires_grad=requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start, end=None, step=1, *, dtype: DType | None = None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` (inclusive) to ``end`` (exclusive) spaced by ``step``.

    With one argument it is the end and the start is 0. The dtype is int64 when all
    arguments are integers, else the default float dtype.
    """
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    for v in (start, end, step):
        if not isinstance(v, Number):
            raise TypeError(f"arange(): start, end and step must be numbers, got {v!r}")
    if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
        # an integer range, as PyTorch's: start, end and step are truncated first
        start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange(): upper bound and larger bound inconsistent with "
                           f"step sign (start={start}, end={end}, step={step})")
    ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    if dtype is None:
        dtype = int64 if ints else get_default_dtype()
    # PyTorch's length, ceil((end - start) / step) in double; the end handed to the
    # kernel sits half a step past the last value so rounding cannot add one more
    n = max(math.ceil((end - start) / step), 0)
    stop = start + n * step if ints else start + (n - 0.5) * step
    return _finish(dispatch.call(OPS["arange"], start=start, end=stop,
                                 step=step, dtype=dtype, device=_device(device)),
                   requires_grad)


def linspace(start, end, steps: int, *, dtype: DType | None = None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if not isinstance(steps, int) or steps < 0:
        raise RuntimeError(f"linspace(): number of steps must be a non-negative int, "
                           f"got {steps!r}")
    return _finish(dispatch.call(OPS["linspace"], start=_num(start), end=_num(end),
                                 steps=steps, dtype=dtype or get_default_dtype(),
                                 device=_device(device)), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: DType | None = None, device=None,
        requires_grad: bool = False) -> Tensor:
    """A 2-D tensor with ones on the diagonal and zeros elsewhere."""
    m = n if m is None else m
    if n < 0 or m < 0:
        raise RuntimeError(f"eye(): n and m must be non-negative, got n={n}, m={m}")
    return _finish(dispatch.call(OPS["eye"], n=n, m=m, dtype=dtype or get_default_dtype(),
                                 device=_device(device)), requires_grad)
