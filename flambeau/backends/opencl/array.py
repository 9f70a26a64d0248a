"""The OpenCL backend's native array: a buffer and the layout to read it with.

``pyopencl.array`` neither broadcasts nor handles mixed layouts, so the backend keeps
its own small record: a pooled ``cl.Buffer``, a shape, strides in elements, an offset
in elements and a NumPy dtype. View ops (view, permute, expand, basic getitem,
diagonal) return new records over the same buffer; every kernel takes offsets and
strides as arguments, so views never need a copy.

Data crosses to the host only here, in :func:`to_host` and :func:`from_host`, which
count what they move in ``runtime.STATS``.
"""

from __future__ import annotations

import numpy as np

from .runtime import STATS, cl

__all__ = ["CLArray", "empty", "from_host", "to_host", "read_size", "contiguous_strides",
           "CTYPE", "is_contiguous", "dims", "collapse", "broadcast_strides", "MAXDIM",
           "np_scalar"]

MAXDIM = 8  # dims a kernel indexes (after merging contiguous ones)

# storage C type of each dtype; bool is one byte holding 0 or 1, like NumPy's
CTYPE = {"bool": "uchar", "uint8": "uchar", "int8": "char", "int16": "short",
         "int32": "int", "int64": "long", "float16": "half", "float32": "float",
         "float64": "double"}


def np_scalar(dtype):
    """The NumPy type a kernel's scalar argument of ``dtype`` travels as (half
    values travel as float: kernels compute float16 in float)."""
    dtype = np.dtype(dtype)
    if dtype == np.float16:
        return np.dtype(np.float32)
    if dtype == np.bool_:
        return np.dtype(np.uint8)
    return dtype


def contiguous_strides(shape) -> tuple:
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


class CLArray:
    """A strided view of an OpenCL buffer.

    Attributes:
        buf: the pooled buffer (shared by views).
        shape, strides: tuples; strides in elements (0 for broadcast dims).
        offset: where element ``(0, ..., 0)`` is, in elements from the buffer start.
        dtype: a NumPy dtype.
        dev: the :class:`runtime.DeviceState` that owns ``buf``.
    """

    __slots__ = ("buf", "shape", "strides", "offset", "dtype", "dev", "__weakref__")

    def __init__(self, buf, shape, strides, offset, dtype, dev):
        self.buf = buf
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.dtype = dtype
        self.dev = dev

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    def view(self, shape, strides, offset=None) -> CLArray:
        """Another record over the same buffer."""
        return CLArray(self.buf, tuple(shape), tuple(strides),
                       self.offset if offset is None else offset, self.dtype, self.dev)

    def __repr__(self) -> str:
        return (f"CLArray({self.dtype.name}, shape={self.shape}, strides={self.strides}, "
                f"offset={self.offset}, opencl:{self.dev.index})")


def is_contiguous(a: CLArray) -> bool:
    expected = 1
    for n, st in zip(reversed(a.shape), reversed(a.strides)):
        if n != 1 and st != expected:
            return False
        expected *= n
    return True


def empty(shape, dtype, dev) -> CLArray:
    """A new C-contiguous array (contents undefined)."""
    shape = tuple(shape)
    dtype = np.dtype(dtype)
    n = 1
    for s in shape:
        n *= s
    return CLArray(dev.alloc(n * dtype.itemsize), shape, contiguous_strides(shape), 0,
                   dtype, dev)


def from_host(array: np.ndarray, dev) -> CLArray:
    """Copy a host array to the device (blocking: the caller may reuse ``array``)."""
    a = array if array.flags.c_contiguous else array.copy()  # keeps 0-d arrays 0-d
    out = empty(a.shape, a.dtype, dev)
    if a.size:
        STATS["host_writes"] += 1
        cl.enqueue_copy(dev.queue, out.buf, a, is_blocking=True)
    return out


def to_host(a: CLArray) -> np.ndarray:
    """Copy ``a``'s elements to a new host array (the one place data leaves)."""
    out = np.empty(a.shape, a.dtype)
    if not out.size:
        return out
    if not is_contiguous(a):
        from .elementwise import copy_to_contiguous
        a = copy_to_contiguous(a)
    STATS["host_reads"] += 1
    cl.enqueue_copy(a.dev.queue, out, a.buf, src_offset=a.offset * a.itemsize,
                    is_blocking=True)
    return out


def read_size(a: CLArray) -> int:
    """One int64 count from the device: the documented host round trip that ops with
    data-dependent output shapes (nonzero, masked_select, unique) make to size their
    output. Nothing else an op does reads the device."""
    out = np.empty(1, np.int64)
    STATS["size_reads"] += 1
    cl.enqueue_copy(a.dev.queue, out, a.buf, src_offset=a.offset * 8, is_blocking=True)
    return int(out[0])


# --- kernel argument helpers ---------------------------------------------------------

def dims(values, fill: int) -> list:
    """Sizes or strides (outermost first, at most ``MAXDIM``) as the ``MAXDIM``
    scalar kernel arguments that carry them, innermost first and padded with
    ``fill``. Kernels take dims as plain ``long`` arguments: with POCL, a vector
    argument (``long8``) costs ~20 us per launch where a scalar costs ~0.1."""
    n = len(values)
    if n > MAXDIM:
        raise NotImplementedError(f"OpenCL kernels index at most {MAXDIM} dims after "
                                  f"merging contiguous ones; got {n}")
    out = list(values)
    out.reverse()
    return out + [fill] * (MAXDIM - n)


def collapse(shape: tuple, strides_list: list) -> tuple[tuple, list]:
    """Drop size-1 dims and merge neighbours that every operand walks contiguously,
    so kernels index as few dims as possible. Returns ``(shape, strides_list)``
    with at least one dim; the row-major order of elements is kept."""
    dims = [i for i, n in enumerate(shape) if n != 1]
    if not dims:
        return (1,), [(0,) for _ in strides_list]
    new_shape = [shape[dims[0]]]
    new_st = [[st[dims[0]]] for st in strides_list]
    for i in dims[1:]:
        n = shape[i]
        if all(ns[-1] == st[i] * n for ns, st in zip(new_st, strides_list)):
            new_shape[-1] *= n
            for ns, st in zip(new_st, strides_list):
                ns[-1] = st[i]
        else:
            new_shape.append(n)
            for ns, st in zip(new_st, strides_list):
                ns.append(st[i])
    return tuple(new_shape), [tuple(ns) for ns in new_st]


def broadcast_strides(a: CLArray, shape: tuple) -> tuple:
    """``a``'s strides seen at broadcast ``shape`` (0 where ``a`` is broadcast)."""
    lead = len(shape) - len(a.shape)
    out = [0] * lead
    for n, s, full in zip(a.shape, a.strides, shape[lead:]):
        out.append(0 if n == 1 and full != 1 else s)
    return tuple(out)

