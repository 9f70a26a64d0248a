"""Shape rules the dispatcher checks before a kernel runs: broadcasting and dims."""

from __future__ import annotations

__all__ = ["broadcast_shapes", "normalize_dim", "normalize_dims", "describe"]


def describe(t) -> str:
    """``float32[2, 3] on cpu``: how error messages show a tensor."""
    shape = ", ".join(map(str, t._data.shape))
    return f"{t._dtype.name}[{shape}] on {t._device}"


def broadcast_shapes(*shapes: tuple, op: str = "broadcast_shapes") -> tuple:
    """The shape all ``shapes`` broadcast to, PyTorch/NumPy style.

    Raises:
        RuntimeError: naming the first dimension where two sizes disagree.
    """
    ndim = max(len(s) for s in shapes)
    out = [1] * ndim
    for s in shapes:
        off = ndim - len(s)
        for i, n in enumerate(s):
            j = off + i
            m = out[j]
            if n != m:
                if m == 1:
                    out[j] = n
                elif n != 1:
                    shown = " and ".join(str(list(x)) for x in shapes)
                    raise RuntimeError(
                        f"{op}(): shapes {shown} cannot be broadcast: the size {m} must "
                        f"match the size {n} at non-singleton dimension {j - ndim} "
                        f"(from the right); reshape or unsqueeze one side")
    return tuple(out)


def normalize_dim(dim: int, ndim: int, op: str) -> int:
    """Map a possibly negative ``dim`` into ``range(ndim)``; scalars accept -1 and 0."""
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"{op}(): dim must be an int, got {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}(): Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {dim}) for a {ndim}-d tensor")
    return dim % n


def normalize_dims(dim, ndim: int, op: str) -> tuple | None:
    """``None`` stays ``None``; an int or a sequence becomes a sorted tuple of dims."""
    if dim is None:
        return None
    if isinstance(dim, int):
        dims = (normalize_dim(dim, ndim, op),)
    else:
        dims = tuple(normalize_dim(d, ndim, op) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{op}(): dim {tuple(dim)} names a dimension twice")
    if ndim == 0:
        return None
    return tuple(sorted(dims))
