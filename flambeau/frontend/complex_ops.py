"""Complex numbers: parts, conjugates, angles, polar form and real views, as
``torch.real``, ``torch.view_as_real`` and friends.

flambeau keeps no lazy conjugate or negative bit: :func:`conj` is a copy (PyTorch's
is a lazy view with the same values), and :func:`resolve_conj` / :func:`resolve_neg`
return their input.
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.optable import OPS
from .tensor import Tensor

__all__ = ["is_complex", "real", "imag", "conj", "conj_physical", "resolve_conj",
           "resolve_neg", "is_conj", "angle", "polar", "complex", "view_as_real",
           "view_as_complex", "sgn"]

_call = dispatch.call


def _tensor(x, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): expected a Tensor, got {type(x).__name__}")
    return x


def is_complex(input: Tensor) -> bool:
    """Whether ``input``'s dtype is complex (``complex64`` or ``complex128``)."""
    return _tensor(input, "is_complex")._dtype.category == 3


def is_conj(input: Tensor) -> bool:
    """Always False: flambeau's :func:`conj` materialises the conjugate."""
    _tensor(input, "is_conj")
    return False


def real(input: Tensor) -> Tensor:
    """The real parts of a complex tensor, as a view of the real dtype (writes to it
    change ``input``); a real tensor is returned as it is.

    Example::

        >>> fl.real(fl.tensor([1 + 2j, 3 - 4j]))
        tensor([1., 3.])
    """
    if _tensor(input, "real")._dtype.category != 3:
        return input
    return _call(OPS["real"], input)


def imag(input: Tensor) -> Tensor:
    """The imaginary parts of a complex tensor, as a view of the real dtype.

    Raises:
        RuntimeError: for a real tensor (as PyTorch).
    """
    if _tensor(input, "imag")._dtype.category != 3:
        raise RuntimeError(f"imag(): is not implemented for tensors with non-complex "
                           f"dtypes (got {input._dtype.name}); use fl.zeros_like(x) for "
                           f"the imaginary part of a real tensor")
    return _call(OPS["imag"], input)


def conj(input: Tensor) -> Tensor:
    """The complex conjugate of each element; a real tensor is returned as it is.

    PyTorch's ``conj`` is a lazy view; flambeau's is a copy of the same values.
    """
    if _tensor(input, "conj")._dtype.category != 3:
        return input
    return _call(OPS["conj"], input)


def conj_physical(input: Tensor) -> Tensor:
    """The complex conjugate of each element, materialised (for a real tensor, a copy
    would be the same values: the tensor itself is returned, as :func:`conj`)."""
    return conj(input)


def resolve_conj(input: Tensor) -> Tensor:
    """``input`` itself: flambeau has no lazy conjugate bit to resolve."""
    return _tensor(input, "resolve_conj")


def resolve_neg(input: Tensor) -> Tensor:
    """``input`` itself: flambeau has no lazy negative bit to resolve."""
    return _tensor(input, "resolve_neg")


def angle(input: Tensor) -> Tensor:
    """The argument (phase) of each element in radians, in ``(-pi, pi]``; of the real
    dtype for complex input, ``pi`` for negative and ``0`` for other real elements
    (integers give the default float dtype)."""
    return _call(OPS["angle"], _tensor(input, "angle"))


def complex(real: Tensor, imag: Tensor) -> Tensor:
    """The complex tensor ``real + 1j * imag`` (broadcasting); ``float32`` parts give
    ``complex64``, ``float64`` parts ``complex128``.

    Raises:
        TypeError: for complex or float16 parts.
    """
    for name, t in (("real", real), ("imag", imag)):
        if not isinstance(t, Tensor):
            raise TypeError(f"complex(): argument {name!r} must be a Tensor, got "
                            f"{type(t).__name__}")
        if t._dtype.category != 2:
            raise RuntimeError(f"complex(): expected both inputs to be float or double "
                               f"tensors, got {name} of dtype {t._dtype.name}")
    d = real._dtype.to_complex() if real._dtype is imag._dtype else None
    if d is not None:
        from ..dispatcher.registry import backend_for
        b = backend_for(real._device.type)
        if d not in b.supported_dtypes:
            raise TypeError(f"complex(): device {real._device} (backend {b.name!r}) "
                            f"cannot hold {d.name}; build complex tensors on a device "
                            f"that holds complex dtypes, e.g. .to('cpu')")
    return _call(OPS["complex"], real, imag)


def polar(abs: Tensor, angle: Tensor) -> Tensor:
    """The complex tensor with absolute value ``abs`` and angle ``angle``:
    ``abs * (cos(angle) + 1j * sin(angle))``."""
    return complex(abs * angle.cos(), abs * angle.sin())


def view_as_real(input: Tensor) -> Tensor:
    """A complex tensor of shape ``S`` as a real view of shape ``S + (2,)`` (the real
    and imaginary parts last).

    Raises:
        RuntimeError: for a real tensor.
    """
    if _tensor(input, "view_as_real")._dtype.category != 3:
        raise RuntimeError(f"view_as_real(): is only supported for complex tensors, got "
                           f"{input._dtype.name}")
    return _call(OPS["view_as_real"], input)


def view_as_complex(input: Tensor) -> Tensor:
    """A real tensor of shape ``S + (2,)`` (float32 or float64, last dim of stride 1)
    as a complex view of shape ``S``.

    Raises:
        RuntimeError: for other dtypes, a last dim not of size 2 or stride 1, or other
            strides that are not even.
    """
    t = _tensor(input, "view_as_complex")
    if t._dtype.name not in ("float32", "float64"):
        raise RuntimeError(f"view_as_complex(): is only supported for float and double "
                           f"tensors, but got a tensor of dtype {t._dtype.name}")
    shape = tuple(t.shape)
    if not shape or shape[-1] != 2:
        raise RuntimeError(f"view_as_complex(): Tensor must have a last dimension of "
                           f"size 2, got shape {shape}")
    strides = t.stride()
    if strides[-1] != 1:
        raise RuntimeError("view_as_complex(): Tensor must have a last dimension with "
                           "stride 1; call .contiguous() first")
    if any(s % 2 for s, n in zip(strides[:-1], shape[:-1]) if n > 1):
        raise RuntimeError("view_as_complex(): Tensor must have a stride divisible by 2 "
                           "for all but last dimension; call .contiguous() first")
    return _call(OPS["view_as_complex"], t)


def sgn(input: Tensor) -> Tensor:
    """The sign of each element: ``x / |x|`` for complex (0 at 0), :func:`sign` for
    real tensors."""
    t = _tensor(input, "sgn")
    if t._dtype.category != 3:
        return t.sign()
    from .elementwise import where
    r = t.abs()
    return where(r == 0, 0.0, t / where(r == 0, 1.0, r))
