"""Lookup tables: ``embedding`` (rows of a weight matrix) and ``one_hot``."""

from __future__ import annotations

from ...dispatcher.dtypes import int64
from ...frontend import elementwise as E
from ...frontend.creation import arange
from ...frontend.grad_mode import no_grad
from ...frontend.indexing import index_select, unique
from ...frontend.tensor import Tensor

__all__ = ["embedding", "one_hot"]


def _renorm_(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale, in place, the rows of ``weight`` used by ``input`` whose norm exceeds
    ``max_norm`` down to ``max_norm`` (PyTorch's ``embedding_renorm_``)."""
    with no_grad():
        rows = unique(input.reshape(-1))
        sub = index_select(weight, 0, rows)
        norms = sub.norm(norm_type, dim=1, keepdim=True)
        scale = E.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[rows] = sub * scale


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input``: ``out[..., :] =
    weight[input[...], :]``.

    Args:
        input: integer indices of any shape.
        weight: ``(num_embeddings, embedding_dim)``.
        padding_idx: the row at this index gets no gradient.
        max_norm: renormalise, in place, the rows used here whose ``norm_type``-norm
            exceeds it.
        scale_grad_by_freq: scale gradients by the inverse frequency of each index in
            ``input``.

    Example::

        >>> w = fl.randn(10, 3)
        >>> F.embedding(fl.tensor([[1, 2], [4, 5]]), w).shape
        flambeau.Size([2, 2, 3])
    """
    if sparse:
        raise NotImplementedError("embedding(): sparse gradients are not supported; use "
                                  "sparse=False (dense gradients)")
    if weight.dim() != 2:
        raise RuntimeError(f"embedding(): weight must be 2-D (num_embeddings, "
                           f"embedding_dim), got shape {list(weight.shape)}")
    if input.dtype.is_floating_point or input.dtype.name == "bool":
        raise RuntimeError(f"embedding(): Expected tensor for argument #1 'indices' to have "
                           f"an integer dtype, but got {input.dtype.name}")
    n = weight.shape[0]
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = padding_idx % n
    if max_norm is not None:
        _renorm_(weight, input, max_norm, norm_type)
    out = index_select(weight, 0, input.reshape(-1))
    if padding_idx is not None or scale_grad_by_freq:
        frozen = out.detach()
        if scale_grad_by_freq:
            # forward value unchanged, gradient scaled by 1 / count
            _, inverse, counts = unique(input.reshape(-1), return_inverse=True,
                                        return_counts=True)
            scale = (1.0 / counts.to(weight.dtype))[inverse].unsqueeze(1)
            out = out * scale + frozen * (1.0 - scale)
        if padding_idx is not None:
            out = E.where((input.reshape(-1) != padding_idx).unsqueeze(1), out, frozen)
    return out.reshape(*input.shape, weight.shape[1])


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``(*)`` int64 class indices -> ``(*, num_classes)`` int64 one-hot rows.

    ``num_classes=-1`` takes one more than the largest index.

    Example::

        >>> F.one_hot(fl.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    if tensor.dtype is not int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type int64")
    if tensor.numel():
        lo, hi = int(tensor.amin()), int(tensor.amax())
        if lo < 0:
            raise RuntimeError("one_hot(): Class values must be non-negative.")
    elif num_classes == -1:
        raise RuntimeError("one_hot(): Can not infer total number of classes from empty "
                           "tensor.")
    else:
        hi = -1
    if num_classes == -1:
        num_classes = hi + 1
    elif hi >= num_classes:
        raise RuntimeError("one_hot(): Class values must be smaller than num_classes.")
    classes = arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).to(int64)
