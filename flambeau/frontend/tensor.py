"""The Tensor: a native array from a backend, its dtype and device, and autograd state.

Ops are not written here: the methods and operators that are frontend functions with
the tensor first (``x.exp()``, ``x.sum(0)``, ``x + y``, ``x.add_(y)``) come from
:class:`~flambeau.frontend.tensor_methods.TensorMethods`, generated from the op table.
This module holds what is about the tensor itself: attributes, conversions, device and
dtype moves, and the few methods that are not a function with the tensor first
(``T``, ``where``, ``new_zeros``, ...).
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.devices import as_device, device as Device
from ..dispatcher.dtypes import (DType, bfloat16, bool_, float16, float32, float64, int32,
                                 int64)
from ..dispatcher.optable import OPS
from ..dispatcher.registry import backend_for, dtype_note
from .tensor_methods import TensorMethods, bind_frontend

__all__ = ["Tensor", "Size"]

_CAST = OPS["cast"]
_CPU = Device("cpu")


class Size(tuple):
    """A tensor's shape: a tuple of ints, shown as ``flambeau.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"flambeau.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class Tensor(TensorMethods):
    """A multi-dimensional array on a device, with autograd support.

    Create tensors with :func:`flambeau.tensor`, :func:`flambeau.zeros` and friends;
    ``fl.Tensor(data)`` builds a tensor of the default float dtype like PyTorch's.

    Attributes:
        dtype: the element type (``flambeau.float32``, ...).
        device: where the memory lives.
        shape: the sizes, a :class:`Size`.
        requires_grad: whether autograd records ops on this tensor.
        grad: the accumulated gradient of a leaf, or ``None``.
        grad_fn: the graph node that made this tensor, ``None`` for leaves.
    """

    # Rarely-set state lives on the class, so a new tensor costs three attribute sets.
    _base = None            # the tensor whose memory a view shares (the root)
    _version = 0            # bumped on the root by in-place writes
    _requires_grad = False
    grad_fn = None
    _grad = None
    _retains_grad = False
    _hooks = None
    _post_hooks = None
    __array_priority__ = 1000  # numpy defers `ndarray + tensor` to us

    def __init__(self, *args, device=None, dtype=None):
        from . import creation
        if len(args) == 1 and not isinstance(args[0], int):
            t = creation.tensor(args[0], dtype=dtype or _default_float(), device=device)
        else:
            shape = args[0] if len(args) == 1 and not isinstance(args[0], int) else args
            t = creation.empty(*shape, dtype=dtype or _default_float(), device=device)
        self._data, self._dtype, self._device = t._data, t._dtype, t._device

    # --- attributes -------------------------------------------------------------------
    @property
    def dtype(self) -> DType:
        return self._dtype

    @property
    def device(self) -> Device:
        return self._device

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape, or the size of one dimension."""
        shape = self._data.shape
        if dim is None:
            return Size(shape)
        from ..dispatcher.shapes import normalize_dim
        return shape[normalize_dim(dim, len(shape), "size")] if shape else 1

    def dim(self) -> int:
        """Number of dimensions."""
        return len(self._data.shape)

    ndimension = dim

    @property
    def ndim(self) -> int:
        return len(self._data.shape)

    def numel(self) -> int:
        """Number of elements."""
        n = 1
        for s in self._data.shape:
            n *= s
        return n

    nelement = numel

    def element_size(self) -> int:
        """Bytes per element."""
        return self._dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.numel() * self._dtype.itemsize

    def is_floating_point(self) -> bool:
        """Whether the dtype is a floating-point type."""
        return self._dtype.is_floating_point

    @property
    def real(self) -> Tensor:
        """The real parts (a view of the real dtype; the tensor itself if real)."""
        from .complex_ops import real
        return real(self)

    @real.setter
    def real(self, value) -> None:
        self.real.copy_(value) if isinstance(value, Tensor) else self.real.fill_(value)

    @property
    def imag(self) -> Tensor:
        """The imaginary parts of a complex tensor (a view of the real dtype)."""
        from .complex_ops import imag
        return imag(self)

    @imag.setter
    def imag(self, value) -> None:
        self.imag.copy_(value) if isinstance(value, Tensor) else self.imag.fill_(value)

    def is_complex(self) -> bool:
        """Whether the dtype is a complex type (``complex64``, ``complex128``)."""
        return self._dtype.category == 3

    @property
    def is_cuda(self) -> bool:
        return self._device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self._device.type == "cpu"

    def stride(self, dim: int | None = None):
        """Strides in elements, like PyTorch's."""
        s = backend_for(self._device.type).strides(self._data)
        if dim is None:
            return s
        from ..dispatcher.shapes import normalize_dim
        return s[normalize_dim(dim, len(s), "stride")]

    def is_contiguous(self) -> bool:
        """Whether the elements are laid out in row-major order with no gaps."""
        expected = 1
        for n, st in zip(reversed(self._data.shape), reversed(self.stride())):
            if n != 1 and st != expected:
                return False
            expected *= n
        return True

    def data_ptr(self) -> int:
        """The address of the first element (CPU), or an id elsewhere."""
        ptr = getattr(self._data, "ctypes", None)
        return ptr.data if ptr is not None else id(self._data)

    # --- autograd state ---------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether autograd records ops on this (leaf) tensor; returns ``self``."""
        if requires_grad and self._dtype.category < 2:
            raise RuntimeError(f"only Tensors of floating point and complex dtype can require "
                               f"gradients, got {self._dtype.name}; convert with .float()")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf "
                               "variables. If you want to use a computed variable in a "
                               "subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded op (user-created, or no grad)."""
        return self.grad_fn is None

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"assigned grad has data of a different size "
                                   f"({list(value._data.shape)} vs "
                                   f"{list(self._data.shape)})")
            if value._device is not self._device:
                raise RuntimeError(f"assigned grad is on {value._device} but the tensor "
                                   f"is on {self._device}")
            if value._dtype is not self._dtype:
                raise RuntimeError(f"assigned grad has data of type {value._dtype.name} "
                                   f"but the tensor is {self._dtype.name}; convert it "
                                   f"with .to({self._dtype!r})")
        self._grad = value

    def detach(self) -> Tensor:
        """A tensor sharing memory with ``self`` but outside the autograd graph."""
        out = dispatch.wrap(self._data, self._dtype, self._device)
        out._base = self._base if self._base is not None else self
        return out

    def detach_(self) -> Tensor:
        """Take ``self`` out of the graph in place (it becomes a leaf)."""
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        return self.detach()

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data, self._dtype, self._device = value._data, value._dtype, value._device

    # --- conversions ------------------------------------------------------------------
    def numpy(self, *, force: bool = False):
        """The values as a NumPy array; shares memory for CPU tensors.

        Raises:
            TypeError: for a tensor on another device (unless ``force=True``), or one
                that requires grad (call ``.detach()`` first).
        """
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self._device.type != "cpu":
            if not force:
                raise TypeError(f"can't convert {self._device} device type tensor to "
                                f"numpy. Use Tensor.cpu() to copy the tensor to host "
                                f"memory first.")
        return backend_for(self._device.type).to_numpy(self._data)

    def __array__(self, dtype=None, copy=None):
        arr = self.detach().numpy(force=True)
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        return arr.copy() if copy else arr

    def __dlpack__(self, *args, **kwargs):
        if self._dtype is bfloat16 and self._device.type == "cpu":
            raise BufferError("__dlpack__(): a bfloat16 tensor on the CPU cannot be shared "
                              "through DLPack (NumPy's DLPack has no bfloat16); convert "
                              "it with .float() first")
        return self.detach().numpy(force=True).__dlpack__(*args, **kwargs) \
            if self._device.type == "cpu" else self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        if self._device.type == "cpu":
            return (1, 0)
        return self._data.__dlpack_device__()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be "
                               f"converted to Scalar; item() needs exactly one element")
        return self.detach().numpy(force=True).reshape(()).item()

    def tolist(self):
        """The values as (nested) Python lists of numbers."""
        return self.detach().numpy(force=True).tolist()

    def __len__(self) -> int:
        if not self._data.shape:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if not self._data.shape:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self.numel()} elements is "
                               f"ambiguous; use .any() or .all()")
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._dtype.category >= 2 or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted "
                            "to an index")
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from .formatting import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self.numel() == 1 and not self._data.shape:
            return format(self.item(), spec)
        return repr(self)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self.detach().numpy(force=True).copy(), self._dtype.name,
                           str(self._device), self._requires_grad))

    # --- dtype and device moves -------------------------------------------------------
    def to(self, *args, **kwargs) -> Tensor:
        """Return a tensor with the requested dtype and/or device (self when no change).

        Accepts ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``,
        and the keywords ``dtype``, ``device``, ``copy``, ``non_blocking``.
        """
        dev, dtype = None, kwargs.pop("dtype", None)
        dev = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, DType):
                dtype = a
            elif isinstance(a, Tensor):
                dev, dtype = a._device, a._dtype
            elif isinstance(a, (str, Device)):
                dev = a
            elif isinstance(a, bool):
                continue
            else:
                raise TypeError(f"to() received an invalid argument {a!r}; expected a "
                                f"dtype, a device or a tensor")
        out = self
        if dev is not None:
            dev = _resolve_device(as_device(dev))
            if dev is not self._device:
                out = _to_device(out, dev)
                copy = False
        if dtype is not None and dtype is not out._dtype:
            out = dispatch.call(_CAST, out, dtype=dtype)
            copy = False
        if copy:
            out = out.clone()
        return out

    def cpu(self) -> Tensor:
        """A copy on the CPU (self when already there)."""
        return self.to("cpu")

    def cuda(self, device=None) -> Tensor:
        """The tensor on a CUDA device (needs a CUDA backend plugin)."""
        return self.to(device if device is not None else "cuda")

    def type(self, dtype=None):
        """The type name (``'flambeau.float32'``), or a copy converted to ``dtype``."""
        if dtype is None:
            return f"flambeau.{self._dtype.name}"
        return self.to(dtype)

    def float(self):
        """A float32 copy (self when already float32)."""
        return self.to(float32)

    def double(self):
        """A float64 copy (self when already float64)."""
        return self.to(float64)

    def half(self):
        """A float16 copy (self when already float16)."""
        return self.to(float16)

    def bfloat16(self):
        """A bfloat16 copy (self when already bfloat16)."""
        return self.to(bfloat16)

    def cfloat(self):
        """A complex64 copy (self when already complex64)."""
        from ..dispatcher.dtypes import complex64
        return self.to(complex64)

    def cdouble(self):
        """A complex128 copy (self when already complex128)."""
        from ..dispatcher.dtypes import complex128
        return self.to(complex128)

    def long(self):
        """An int64 copy (self when already int64)."""
        return self.to(int64)

    def int(self):
        """An int32 copy (self when already int32)."""
        return self.to(int32)

    def bool(self):
        """A bool copy (self when already bool)."""
        return self.to(bool_)

    def short(self):
        """An int16 copy (self when already int16)."""
        from ..dispatcher.dtypes import int16
        return self.to(int16)

    def char(self):
        """An int8 copy (self when already int8)."""
        from ..dispatcher.dtypes import int8
        return self.to(int8)

    def byte(self):
        """A uint8 copy (self when already uint8)."""
        from ..dispatcher.dtypes import uint8
        return self.to(uint8)

    def type_as(self, other: Tensor) -> Tensor:
        """This tensor converted to ``other``'s dtype."""
        return self.to(other._dtype)

    # --- methods that are not a frontend function with the tensor first ---------------
    @property
    def T(self) -> Tensor:
        """The tensor with its dims reversed (a view)."""
        return self.permute(*reversed(range(len(self._data.shape))))

    H = T  # no complex dtypes: the conjugate transpose is the transpose

    @property
    def mT(self) -> Tensor:
        """The tensor with its last two dims swapped (a view)."""
        return self.transpose(-2, -1)

    mH = mT

    def where(self, condition: Tensor, other) -> Tensor:
        """Elements of ``self`` where ``condition`` holds, else of ``other``
        (``fl.where(condition, self, other)``)."""
        from .elementwise import where
        return where(condition, self, other)

    def new_tensor(self, data, *, dtype: DType | None = None, device=None,
                   requires_grad=False) -> Tensor:
        """A copy of ``data`` as a tensor with this tensor's dtype and device unless
        given."""
        from .creation import tensor
        return tensor(data, dtype=dtype or self._dtype,
                      device=device if device is not None else self._device,
                      requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype: DType | None = None, device=None,
                 requires_grad=False) -> Tensor:
        """A tensor of ``size`` filled with ``fill_value``, with this tensor's dtype and
        device unless given."""
        from .creation import full
        return full(size, fill_value, dtype=dtype or self._dtype,
                    device=device if device is not None else self._device,
                    requires_grad=requires_grad)

    def new_zeros(self, *size, dtype: DType | None = None, device=None,
                  requires_grad=False) -> Tensor:
        """A tensor like ``fl.zeros(*size)``, with this tensor's dtype and device unless
        given."""
        from .creation import zeros
        return zeros(*size, dtype=dtype or self._dtype,
                     device=device if device is not None else self._device,
                     requires_grad=requires_grad)

    def new_ones(self, *size, dtype: DType | None = None, device=None,
                 requires_grad=False) -> Tensor:
        """A tensor like ``fl.ones(*size)``, with this tensor's dtype and device unless
        given."""
        from .creation import ones
        return ones(*size, dtype=dtype or self._dtype,
                    device=device if device is not None else self._device,
                    requires_grad=requires_grad)

    def new_empty(self, *size, dtype: DType | None = None, device=None,
                  requires_grad=False) -> Tensor:
        """A tensor like ``fl.empty(*size)``, with this tensor's dtype and device unless
        given."""
        from .creation import empty
        return empty(*size, dtype=dtype or self._dtype,
                     device=device if device is not None else self._device,
                     requires_grad=requires_grad)


def _default_float():
    from ..dispatcher.dtypes import get_default_dtype
    return get_default_dtype()


def _resolve_device(dev: Device) -> Device:
    """Give a device its index (``opencl`` -> ``opencl:0``) and check it exists."""
    if dev is _CPU:
        return dev
    b = backend_for(dev.type)
    if dev.type == "cpu":
        return _CPU
    index = 0 if dev.index is None else dev.index
    count = b.device_count()
    if index >= count:
        raise RuntimeError(f"device {dev.type}:{index} does not exist: backend "
                           f"{b.name!r} has {count} {dev.type} device(s)")
    return Device(dev.type, index)


def _to_device(t: Tensor, dev: Device) -> Tensor:
    return dispatch.transfer(t, dev, _raw_to_device)


def _raw_to_device(t: Tensor, dev: Device) -> Tensor:
    src = backend_for(t._device.type)
    dst = backend_for(dev.type)
    if t._dtype not in dst.supported_dtypes:
        raise TypeError(f"to(): cannot move a {t._dtype.name} tensor to {dev}: backend "
                        f"{dst.name!r} does not support {t._dtype.name}"
                        f"{dtype_note(dst, t._dtype)}; convert first, "
                        f"e.g. .to(flambeau.float32)")
    host = src.to_numpy(t._data)
    if dev.type == "cpu" and t._device.type == "cpu":
        host = host.copy()
    return dispatch.wrap(dst.from_numpy(host, dev.index or 0), t._dtype, dev)


def _rebuild(array, dtype_name, device_str, requires_grad):
    from .creation import tensor
    from ..dispatcher.dtypes import dtype_from_name
    return tensor(array, dtype=dtype_from_name(dtype_name), device=device_str,
                  requires_grad=requires_grad)


dispatch.set_tensor_type(Tensor)
# the frontend modules the methods call import this module (for Tensor): bind them now
bind_frontend()
