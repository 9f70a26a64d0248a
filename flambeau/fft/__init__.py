"""Discrete Fourier transforms, as ``torch.fft``.

Every transform here is one of three rows of the op table (``fft_c2c``, ``fft_r2c``,
``fft_c2r``, see :mod:`flambeau.dispatcher.rows.fft`) after the input is cast to the
right kind and trimmed or zero-padded to the requested sizes, so all of them are
differentiable (PyTorch's complex-gradient convention). ``norm`` is ``"backward"``
(the default: the forward transform unscaled, the inverse scaled by ``1/n``),
``"ortho"`` (both by ``1/sqrt(n)``) or ``"forward"`` (the forward one by ``1/n``).
Real inputs of the complex transforms are promoted to the complex dtype of their
precision (integers through the default dtype); float16 (complex32) is not supported.
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.dtypes import DType, get_default_dtype
from ..dispatcher.optable import OPS
from ..frontend.tensor import Tensor

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2",
           "irfft2", "rfftn", "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn",
           "ihfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_call = dispatch.call
_NORMS = ("backward", "ortho", "forward")


# --- argument handling ---------------------------------------------------------------

def _norm(norm, op):
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise ValueError(f"{op}(): invalid normalization mode {norm!r}; expected "
                         f"'backward', 'ortho', 'forward' or None")
    return norm


def _check_tensor(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): expected a Tensor as input, got {type(x).__name__}")
    return x


def _holds_complex(x, d, op):
    """Refuse, naming the op, a device whose backend cannot hold complex ``d``."""
    from ..dispatcher.registry import backend_for
    b = backend_for(x._device.type)
    if d not in b.supported_dtypes:
        raise TypeError(f"{op}(): device {x._device} (backend {b.name!r}) cannot hold "
                        f"{d.name}, which the transform needs; move the input to a "
                        f"device that holds complex dtypes first, e.g. .to('cpu')")


def _as_complex(x, op):
    d = x._dtype
    if d.category == 3:
        return x
    if d.name == "float16":
        raise RuntimeError(f"{op}(): float16 input is not supported (it would need "
                           f"complex32); convert with .float() first")
    if d.category < 2:
        x = x.to(get_default_dtype())
    _holds_complex(x, x._dtype.to_complex(), op)
    return x.to(x._dtype.to_complex())


def _as_real(x, op):
    d = x._dtype
    if d.category == 3:
        raise RuntimeError(f"{op}(): expects a real input tensor, but got {d.name}")
    if d.name == "float16":
        raise RuntimeError(f"{op}(): float16 input is not supported (it would need "
                           f"complex32); convert with .float() first")
    x = x.to(get_default_dtype()) if d.category < 2 else x
    _holds_complex(x, x._dtype.to_complex(), op)
    return x


def _dims(x, s, dim, op, default_last: int | None):
    """Normalised dims and sizes (None where the input's size is kept)."""
    nd = x.dim()
    if dim is None:
        if s is not None:
            dim = tuple(range(nd - len(s), nd))
        elif default_last is not None:
            dim = tuple(range(nd - default_last, nd))
        else:
            dim = tuple(range(nd))
    elif isinstance(dim, int):
        dim = (dim,)
    dims = []
    for d in dim:
        if not -nd <= d < max(nd, 1) or nd == 0:
            raise IndexError(f"{op}(): dimension {d} out of range for a tensor of "
                             f"{nd} dimension(s)")
        dims.append(d % nd)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}(): dims must be unique, got {tuple(dim)}")
    if s is None:
        sizes = [None] * len(dims)
    else:
        sizes = [s] if isinstance(s, int) else list(s)
        if len(sizes) != len(dims):
            raise RuntimeError(f"{op}(): when given, dim and shape arguments must have "
                               f"the same length, got s={tuple(sizes)} and "
                               f"dim={tuple(dim)}")
    for n in sizes:
        if n is not None and n != -1 and n < 1:
            raise RuntimeError(f"{op}(): invalid number of data points ({n}) specified; "
                               f"sizes must be >= 1")
    sizes = [None if n == -1 else n for n in sizes]
    if not dims:
        raise RuntimeError(f"{op}(): must transform at least one dimension")
    return dims, sizes


def _resize(x, d, n):
    """``x`` trimmed or zero-padded at the end of dim ``d`` to size ``n``."""
    have = x.shape[d]
    if n is None or n == have:
        return x
    if n < have:
        return x.narrow(d, 0, n)
    from ..frontend.shape_ops import cat
    pad = x.new_zeros(tuple(x.shape[:d]) + (n - have,) + tuple(x.shape[d + 1:]))
    return cat([x, pad], d)


# --- the three kinds -----------------------------------------------------------------

def _c2c(x, s, dim, norm, forward, op, default_last):
    _check_tensor(x, op)
    dims, sizes = _dims(x, s, dim, op, default_last)
    x = _as_complex(x, op)
    for d, n in zip(dims, sizes):
        x = _resize(x, d, n)
    return _call(OPS["fft_c2c"], x, dim=tuple(sorted(dims)), norm=_norm(norm, op),
                 forward=forward)


def _r2c(x, s, dim, norm, forward, op, default_last):
    _check_tensor(x, op)
    dims, sizes = _dims(x, s, dim, op, default_last)
    x = _as_real(x, op)
    for d, n in zip(dims, sizes):
        x = _resize(x, d, n)
    order = tuple(sorted(dims[:-1])) + (dims[-1],)
    return _call(OPS["fft_r2c"], x, dim=order, norm=_norm(norm, op), forward=forward)


def _c2r(x, s, dim, norm, forward, op, default_last):
    _check_tensor(x, op)
    dims, sizes = _dims(x, s, dim, op, default_last)
    x = _as_complex(x, op)
    for d, n in zip(dims[:-1], sizes[:-1]):
        x = _resize(x, d, n)
    last, n = dims[-1], sizes[-1]
    if n is None:
        n = 2 * (x.shape[last] - 1)
    if n < 1:
        raise RuntimeError(f"{op}(): invalid number of data points ({n}) specified; give "
                           f"n (or s) for an input of size {x.shape[last]} along dim "
                           f"{last}")
    x = _resize(x, last, n // 2 + 1)
    order = tuple(sorted(dims[:-1])) + (last,)
    return _call(OPS["fft_c2r"], x, dim=order, norm=_norm(norm, op), forward=forward,
                 last_dim_size=n)


# --- the public functions ------------------------------------------------------------

def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The one-dimensional discrete Fourier transform of ``input`` along ``dim``.

    Args:
        input: the signal (real inputs are promoted to complex).
        n: the signal length: the input is trimmed or zero-padded to ``n`` along
            ``dim`` first (default: its size).
        dim: the dimension to transform.
        norm: ``"backward"`` (default, no scaling), ``"ortho"`` (``1/sqrt(n)``) or
            ``"forward"`` (``1/n``).

    Example::

        >>> fl.fft.fft(fl.tensor([1., 0., 0., 0.]))
        tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    return _c2c(input, None if n is None else (n,), (dim,), norm, True, "fft", None)


def ifft(input: Tensor, n: int | None = None, dim: int = -1,
         norm: str | None = None) -> Tensor:
    """The one-dimensional inverse DFT of ``input`` along ``dim`` (``norm`` as
    :func:`fft`: ``"backward"`` scales by ``1/n`` here)."""
    return _c2c(input, None if n is None else (n,), (dim,), norm, False, "ifft", None)


def fft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """The two-dimensional DFT over ``dim`` (the last two by default); ``s`` gives
    the signal sizes (see :func:`fftn`)."""
    return _c2c(input, s, dim, norm, True, "fft2", None)


def ifft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """The two-dimensional inverse DFT over ``dim`` (the last two by default)."""
    return _c2c(input, s, dim, norm, False, "ifft2", None)


def fftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """The N-dimensional DFT over ``dim``.

    Args:
        s: signal sizes per transformed dim (``-1``: keep); without ``dim`` the last
            ``len(s)`` dims are transformed.
        dim: the dims to transform (default: all, or the last ``len(s)``).
        norm: see :func:`fft`.
    """
    return _c2c(input, s, dim, norm, True, "fftn", None)


def ifftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """The N-dimensional inverse DFT over ``dim`` (arguments as :func:`fftn`)."""
    return _c2c(input, s, dim, norm, False, "ifftn", None)


def rfft(input: Tensor, n: int | None = None, dim: int = -1,
         norm: str | None = None) -> Tensor:
    """The DFT of a real signal: the ``n // 2 + 1`` non-negative frequencies only.

    Raises:
        RuntimeError: for complex input (use :func:`fft`).
    """
    return _r2c(input, None if n is None else (n,), (dim,), norm, True, "rfft", None)


def irfft(input: Tensor, n: int | None = None, dim: int = -1,
          norm: str | None = None) -> Tensor:
    """The inverse of :func:`rfft`: a real signal of length ``n`` (default
    ``2 * (m - 1)`` for ``m`` input frequencies) from its one-sided spectrum. The
    imaginary parts of the zero (and Nyquist) frequencies are ignored."""
    return _c2r(input, None if n is None else (n,), (dim,), norm, False, "irfft", None)


def rfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """The two-dimensional DFT of a real signal, halved along the last of ``dim``."""
    return _r2c(input, s, dim, norm, True, "rfft2", None)


def irfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """The inverse of :func:`rfft2`."""
    return _c2r(input, s, dim, norm, False, "irfft2", None)


def rfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """The N-dimensional DFT of a real signal, halved along the last of ``dim``
    (arguments as :func:`fftn`)."""
    return _r2c(input, s, dim, norm, True, "rfftn", None)


def irfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """The inverse of :func:`rfftn`; the last of ``s`` defaults to
    ``2 * (m - 1)``."""
    return _c2r(input, s, dim, norm, False, "irfftn", None)


def hfft(input: Tensor, n: int | None = None, dim: int = -1,
         norm: str | None = None) -> Tensor:
    """The DFT of a Hermitian-symmetric signal given by its first half: a real
    spectrum of length ``n`` (default ``2 * (m - 1)``). ``norm="backward"`` leaves it
    unscaled (as :func:`fft`)."""
    return _c2r(input, None if n is None else (n,), (dim,), norm, True, "hfft", None)


def ihfft(input: Tensor, n: int | None = None, dim: int = -1,
          norm: str | None = None) -> Tensor:
    """The inverse of :func:`hfft`: the one-sided inverse DFT of a real signal."""
    return _r2c(input, None if n is None else (n,), (dim,), norm, False, "ihfft", None)


def hfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """The two-dimensional :func:`hfftn`."""
    return _c2r(input, s, dim, norm, True, "hfft2", None)


def ihfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """The two-dimensional :func:`ihfftn`."""
    return _r2c(input, s, dim, norm, False, "ihfft2", None)


def hfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """The N-dimensional DFT of a Hermitian-symmetric signal given by its half along
    the last of ``dim``: a real result (arguments as :func:`irfftn`)."""
    return _c2r(input, s, dim, norm, True, "hfftn", None)


def ihfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """The inverse of :func:`hfftn`: the N-dimensional inverse DFT of a real signal,
    halved along the last of ``dim``."""
    return _r2c(input, s, dim, norm, False, "ihfftn", None)


def _freq_dtype(dtype, op):
    dtype = get_default_dtype() if dtype is None else dtype
    if not isinstance(dtype, DType) or dtype.category != 2:
        raise TypeError(f"{op}(): dtype must be a floating-point dtype, got {dtype!r}")
    return dtype


def fftfreq(n: int, d: float = 1.0, *, dtype: DType | None = None, device=None,
            requires_grad: bool = False) -> Tensor:
    """The sample frequencies of :func:`fft` of a signal of ``n`` samples spaced
    ``d`` apart: ``[0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (d * n)``."""
    from ..frontend.creation import arange
    if n < 1:
        raise RuntimeError(f"fftfreq(): n must be positive, got {n}")
    dtype = _freq_dtype(dtype, "fftfreq")
    k = arange(n, dtype=dtype, device=device)
    k = k - (k >= (n + 1) // 2).to(dtype) * n
    out = k / (d * n)
    return out.requires_grad_(True) if requires_grad else out


def rfftfreq(n: int, d: float = 1.0, *, dtype: DType | None = None, device=None,
             requires_grad: bool = False) -> Tensor:
    """The sample frequencies of :func:`rfft` of ``n`` samples spaced ``d`` apart:
    ``[0, 1, ..., n // 2] / (d * n)``."""
    from ..frontend.creation import arange
    if n < 1:
        raise RuntimeError(f"rfftfreq(): n must be positive, got {n}")
    dtype = _freq_dtype(dtype, "rfftfreq")
    out = arange(n // 2 + 1, dtype=dtype, device=device) / (d * n)
    return out.requires_grad_(True) if requires_grad else out


def _shift(x, dim, op, sign):
    _check_tensor(x, op)
    nd = x.dim()
    if dim is None:
        dims = tuple(range(nd))
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if not dims:
        return x
    shifts = tuple(sign * (x.shape[d] // 2) for d in dims)
    return x.roll(shifts, dims)


def fftshift(input: Tensor, dim=None) -> Tensor:
    """Move the zero frequency to the middle: roll each of ``dim`` (default all) by
    half its size, as ``numpy.fft.fftshift``."""
    return _shift(input, dim, "fftshift", 1)


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """The inverse of :func:`fftshift` (they differ for odd sizes)."""
    return _shift(input, dim, "ifftshift", -1)

