"""Reductions and scans with PyTorch's ``dim``/``keepdim`` conventions."""

from __future__ import annotations

from collections import namedtuple

from ..dispatcher import dispatch
from ..dispatcher.dtypes import DType
from ..dispatcher.optable import OPS
from ..dispatcher.shapes import normalize_dim, normalize_dims
from .tensor import Tensor

_call = dispatch.call

__all__ = ["sum", "mean", "prod", "amax", "amin", "max", "min", "argmax", "argmin",
           "var", "std", "var_mean", "std_mean", "logsumexp", "all", "any", "norm",
           "cumsum", "cumprod", "softmax", "log_softmax", "count_nonzero", "aminmax",
           "nansum"]

# max(dim=...) and friends return a named pair like PyTorch's torch.return_types
values_indices = namedtuple("values_indices", ["values", "indices"])
_min_max = namedtuple("aminmax", ["min", "max"])


def _dims(input: Tensor, dim, op: str):
    return normalize_dims(dim, len(input._data.shape), op) if dim != () else None


def _cast(input: Tensor, dtype: DType | None) -> Tensor:
    return input if dtype is None else input.to(dtype)


def sum(input: Tensor, dim=None, keepdim: bool = False, *,
        dtype: DType | None = None) -> Tensor:
    """Sum over ``dim`` (an int, a tuple, or all when ``None``).

    Bool and integer inputs are summed as int64 unless ``dtype`` says otherwise.

    Example::

        >>> fl.tensor([[1, 2], [3, 4]]).sum(dim=0)
        tensor([4, 6])
    """
    # the row promotes integers to int64; an asked dtype is the result's, as PyTorch's
    return _cast(_call(OPS["sum"], _cast(input, dtype), dim=_dims(input, dim, "sum"),
                       keepdim=keepdim), dtype)


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum treating NaN as zero."""
    from .elementwise import isnan, where
    return sum(where(isnan(input), 0, input), dim, keepdim, dtype=dtype)


def prod(input: Tensor, dim=None, keepdim: bool = False, *,
         dtype: DType | None = None) -> Tensor:
    """Product over ``dim`` (a single int in PyTorch; tuples also accepted)."""
    # the row promotes integers to int64; an asked dtype is the result's, as PyTorch's
    return _cast(_call(OPS["prod"], _cast(input, dtype), dim=_dims(input, dim, "prod"),
                       keepdim=keepdim), dtype)


def mean(input: Tensor, dim=None, keepdim: bool = False, *,
         dtype: DType | None = None) -> Tensor:
    """Mean over ``dim``; the input must be floating point (or pass ``dtype``)."""
    return _call(OPS["mean"], _cast(input, dtype), dim=_dims(input, dim, "mean"),
                 keepdim=keepdim)


def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (all dims by default); gradients split evenly on ties."""
    return _call(OPS["amax"], input, dim=_dims(input, dim, "amax"), keepdim=keepdim)


def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (all dims by default)."""
    return _call(OPS["amin"], input, dim=_dims(input, dim, "amin"), keepdim=keepdim)


def _extreme(name: str, input: Tensor, dim, keepdim, other):
    if isinstance(dim, Tensor) and other is None:
        dim, other = None, dim
    if other is not None:
        from . import elementwise
        return getattr(elementwise, "maximum" if name == "max" else "minimum")(input, other)
    if dim is None:
        return _call(OPS["a" + name], input, dim=None, keepdim=False)
    d = normalize_dim(dim, len(input._data.shape), name)
    values, indices = _call(OPS[name + "_dim"], input, dim=d, keepdim=keepdim)
    return values_indices(values, indices)


def max(input: Tensor, dim=None, keepdim: bool = False, *, other=None):
    """The largest element; with ``dim``, a ``(values, indices)`` pair; with a tensor
    second argument, the elementwise :func:`maximum`."""
    return _extreme("max", input, dim, keepdim, other)


def min(input: Tensor, dim=None, keepdim: bool = False, *, other=None):
    """The smallest element; with ``dim``, a ``(values, indices)`` pair."""
    return _extreme("min", input, dim, keepdim, other)


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    """``(amin, amax)`` over ``dim`` as a named pair ``(min, max)``."""
    d = () if dim is None else dim
    return _min_max(amin(input, d, keepdim), amax(input, d, keepdim))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the first maximum, over the flattened tensor when ``dim`` is None."""
    d = None if dim is None else normalize_dim(dim, len(input._data.shape), "argmax")
    return _call(OPS["argmax"], input, dim=d, keepdim=keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the first minimum, over the flattened tensor when ``dim`` is None."""
    d = None if dim is None else normalize_dim(dim, len(input._data.shape), "argmin")
    return _call(OPS["argmin"], input, dim=d, keepdim=keepdim)


def _correction(unbiased, correction) -> float:
    if correction is not None:
        if unbiased is not None:
            raise RuntimeError("var()/std(): pass either unbiased or correction, not both")
        return correction
    return 1 if unbiased is None or unbiased else 0


def var(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None) -> Tensor:
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default, like PyTorch).

    ``unbiased=False`` is ``correction=0``.
    """
    if isinstance(dim, bool):  # var(x, False): the old positional `unbiased`
        dim, unbiased = None, dim
    return _call(OPS["var"], input, dim=_dims(input, dim, "var"),
                 correction=_correction(unbiased, correction), keepdim=keepdim)


def std(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None) -> Tensor:
    """Standard deviation: the square root of :func:`var` with the same arguments."""
    return var(input, dim, unbiased, keepdim, correction=correction).sqrt()


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``."""
    if isinstance(dim, bool):  # var_mean(x, False): the old positional `unbiased`
        dim, unbiased = None, dim
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``."""
    if isinstance(dim, bool):  # std_mean(x, False): the old positional `unbiased`
        dim, unbiased = None, dim
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input), dim))`` computed without overflow."""
    d = normalize_dims(dim, len(input._data.shape), "logsumexp")
    return _call(OPS["logsumexp"], input, dim=d, keepdim=keepdim)


def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Whether all elements (over ``dim``) are non-zero; a bool tensor."""
    return _call(OPS["all"], input, dim=_dims(input, dim, "all"), keepdim=keepdim)


def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Whether any element (over ``dim``) is non-zero; a bool tensor."""
    return _call(OPS["any"], input, dim=_dims(input, dim, "any"), keepdim=keepdim)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """Number of non-zero elements over ``dim``."""
    from .elementwise import ne
    return sum(ne(input, 0), dim)


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, *,
         dtype: DType | None = None) -> Tensor:
    """Vector p-norm over ``dim`` (``"fro"`` is the 2-norm of all elements).

    ``p`` may be any number, ``inf`` or ``-inf``.
    """
    if p == "fro" or p is None:
        p = 2
    if isinstance(p, str):
        raise RuntimeError(f"norm(): p={p!r} is not supported; use a number, inf or "
                           f"'fro'")
    return _call(OPS["norm"], _cast(input, dtype), p=float(p),
                 dim=_dims(input, dim, "norm"), keepdim=keepdim)


def _scan(name: str, input: Tensor, dim: int, dtype: DType | None) -> Tensor:
    d = normalize_dim(dim, len(input._data.shape), name)
    return _call(OPS[name], _cast(input, dtype), dim=d)


def cumsum(input: Tensor, dim: int, *, dtype: DType | None = None) -> Tensor:
    """Running sum along ``dim`` (integers accumulate in int64)."""
    return _scan("cumsum", input, dim, dtype)


def cumprod(input: Tensor, dim: int, *, dtype: DType | None = None) -> Tensor:
    """Running product along ``dim`` (integers accumulate in int64)."""
    return _scan("cumprod", input, dim, dtype)


def softmax(input: Tensor, dim: int, dtype: DType | None = None) -> Tensor:
    """``exp(x) / sum(exp(x), dim)`` computed stably."""
    return _scan("softmax", input, dim, dtype)


def log_softmax(input: Tensor, dim: int, dtype: DType | None = None) -> Tensor:
    """``x - logsumexp(x, dim)`` computed stably."""
    return _scan("log_softmax", input, dim, dtype)
