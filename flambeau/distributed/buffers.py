"""Tensors as the contiguous buffers MPI reads and writes.

A CPU tensor is handed to MPI as its own NumPy array, without a copy, so in-place
collectives write the tensor's memory. A tensor on another device (OpenCL, a plugin's)
is staged through host memory: copied to a NumPy array before the call, and copied
back with ``copy_`` after a call that writes it. A device whose memory MPI can use
directly (CUDA-aware MPI reading CuPy arrays) skips the staging once its backend
registers a converter with :func:`register_direct_buffer`: that is the hook point.

MPI needs one contiguous block per tensor. A tensor that a call only reads (what
``send``, ``all_gather`` or ``scatter`` send) may have any layout: it is copied into a
contiguous block first. A tensor that a call writes (``all_reduce``, ``broadcast``,
``recv``, outputs) must be contiguous: otherwise the call raises an error that says
what to do, never writes it as if it were contiguous.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..dispatcher.registry import backend_for
from ..frontend.creation import from_numpy
from ..frontend.grad_mode import no_grad
from ..frontend.inplace import bump_version
from ..frontend.tensor import Tensor

__all__ = ["register_direct_buffer", "inout", "read", "out", "written", "host_dtype",
           "check_tensor", "check_like", "host_copy", "store"]

_DIRECT: dict[str, Callable[[Tensor], Any]] = {}


def register_direct_buffer(device_type: str, to_buffer: Callable[[Tensor], Any] | None
                           ) -> None:
    """Let MPI use the memory of ``device_type`` tensors directly, without host staging.

    For an MPI library that reads device memory itself (CUDA-aware MPI),
    ``to_buffer(tensor)`` returns an object mpi4py accepts as a buffer for the tensor's
    memory, e.g. the tensor's CuPy array (mpi4py reads it through
    ``__cuda_array_interface__`` / DLPack). It is only called on contiguous tensors.
    Pass ``None`` to go back to staging through host memory.

    Example::

        >>> # in a CUDA backend, when MPI reports CUDA awareness:
        >>> dist.register_direct_buffer("cuda", lambda t: t._data)
    """
    if to_buffer is None:
        _DIRECT.pop(device_type, None)
    else:
        _DIRECT[device_type] = to_buffer


def host_dtype(t: Tensor) -> np.dtype:
    """The NumPy dtype of ``t``'s elements."""
    return np.dtype(t._dtype.name)


def check_tensor(t, op: str, arg: str) -> None:
    """A flambeau Tensor laid out as one contiguous block, or a clear error."""
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {arg} must be a flambeau.Tensor, got {type(t).__name__}")
    data = t._data
    if t._device.type == "cpu":
        if data.flags.c_contiguous:
            return
    elif t.is_contiguous():
        return
    raise ValueError(f"{op}: {arg} is not contiguous (shape {list(t.shape)}, strides "
                     f"{t.stride()}); MPI needs one contiguous buffer. Pass "
                     f"x.contiguous() (and copy the result back into x where the "
                     f"collective writes it)")


def check_like(t, ref: Tensor, op: str, arg: str, shape: bool = True,
               contiguous: bool = True) -> None:
    """``t`` has ``ref``'s device and dtype (and shape), or a clear error."""
    if contiguous:
        check_tensor(t, op, arg)
    elif not isinstance(t, Tensor):
        raise TypeError(f"{op}: {arg} must be a flambeau.Tensor, got {type(t).__name__}")
    if t._device != ref._device:
        raise ValueError(f"{op}: {arg} is on {t._device} but the input tensor is on "
                         f"{ref._device}; all tensors of a collective must be on one "
                         f"device")
    if t._dtype is not ref._dtype:
        raise TypeError(f"{op}: {arg} has dtype {t._dtype.name} but the input tensor is "
                        f"{ref._dtype.name}")
    if shape and t._data.shape != ref._data.shape:
        raise ValueError(f"{op}: {arg} has shape {list(t.shape)} but the input tensor has "
                         f"{list(ref.shape)}")


def inout(t: Tensor, op: str, arg: str):
    """A buffer MPI reads and then writes; call :func:`written` after the write."""
    check_tensor(t, op, arg)
    kind = t._device.type
    if kind == "cpu":
        return t._data
    direct = _DIRECT.get(kind)
    if direct is not None:
        return direct(t)
    return np.ascontiguousarray(backend_for(kind).to_numpy(t._data))


def read(t: Tensor, op: str, arg: str):
    """A buffer MPI only reads. A non-contiguous tensor is copied into a contiguous
    block first (nothing is written back, so the copy is safe)."""
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {arg} must be a flambeau.Tensor, got {type(t).__name__}")
    kind = t._device.type
    if kind == "cpu":
        return np.ascontiguousarray(t._data)  # the tensor's own array when contiguous
    direct = _DIRECT.get(kind)
    if direct is not None:
        return direct(t if t.is_contiguous() else t.contiguous())
    return np.ascontiguousarray(backend_for(kind).to_numpy(t._data))


def out(t: Tensor, op: str, arg: str):
    """A buffer MPI only writes; call :func:`written` after the write."""
    check_tensor(t, op, arg)
    kind = t._device.type
    if kind == "cpu":
        return t._data
    direct = _DIRECT.get(kind)
    if direct is not None:
        return direct(t)
    return np.empty(t._data.shape, host_dtype(t))


def written(t: Tensor, buf) -> None:
    """MPI wrote ``buf``: copy it back into ``t`` if it was staged; bump the version."""
    kind = t._device.type
    if kind == "cpu" or kind in _DIRECT:
        bump_version(t)
        return
    with no_grad():
        t.copy_(from_numpy(buf))


def host_copy(t: Tensor) -> np.ndarray:
    """The values of ``t`` (any layout, any device) as a NumPy array, for packing."""
    if t._device.type == "cpu":
        return t._data
    return backend_for(t._device.type).to_numpy(t._data)


def store(t: Tensor, block: np.ndarray) -> None:
    """Write the host array ``block`` (of ``t``'s shape) into ``t``, any layout."""
    if t._device.type == "cpu":
        np.copyto(t._data, block)
        bump_version(t)
        return
    with no_grad():
        t.copy_(from_numpy(block))
