"""Attention: ``scaled_dot_product_attention`` and the multi-head attention forward
used by ``nn.MultiheadAttention``, as matmuls, a masked softmax and dropout.

Masks follow PyTorch, whose two conventions differ: in ``scaled_dot_product_attention``
a boolean ``attn_mask`` is True where attention is *allowed*; in multi-head attention a
boolean ``attn_mask`` or ``key_padding_mask`` is True where it is *not*. Float masks are
added to the scores in both. A query row whose keys are all masked out gets zero
attention (PyTorch's SDPA does the same) rather than NaN.
"""

from __future__ import annotations

import math

from ...dispatcher.dtypes import bool_
from ...frontend import elementwise as E
from ...frontend import reductions as R
from ...frontend.creation import arange, zeros
from ...frontend.tensor import Tensor
from .dropout import dropout as _dropout
from .linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_NEG_INF = float("-inf")


def _causal_block(l: int, s: int, device) -> Tensor:
    """Bool ``(L, S)``, True above the diagonal: the positions a query may not see."""
    return arange(s, device=device).unsqueeze(0) > arange(l, device=device).unsqueeze(1)


def _masked_softmax(scores: Tensor, blocked: Tensor | None) -> Tensor:
    """Softmax over the last dim; rows that are entirely ``-inf`` give zeros.

    ``blocked``: a bool mask (broadcast to ``scores``) of positions set to ``-inf``, or
    None when the scores carry their masking already (a float mask was added)."""
    if blocked is not None:
        scores = scores.masked_fill(blocked, _NEG_INF)
        empty = blocked.all(-1, keepdim=True)
    else:
        empty = (scores == _NEG_INF).all(-1, keepdim=True)
    if not bool(empty.any()):
        return R.softmax(scores, -1)
    # keep the softmax finite on empty rows (its gradient would be NaN), then zero them
    return E.where(empty, 0.0, R.softmax(E.where(empty, 0.0, scores), -1))


def _repeat_heads(x: Tensor, repeats: int) -> Tensor:
    """``repeat_interleave(repeats, dim=-3)``: each key/value head serves ``repeats``
    query heads (grouped-query attention)."""
    shape = tuple(x.shape)
    x = x.unsqueeze(-3).expand(*shape[:-2], repeats, *shape[-2:])
    return x.reshape(*shape[:-3], shape[-3] * repeats, *shape[-2:])


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(Q K^T * scale + mask) V``.

    Args:
        query: ``(..., L, E)``; key: ``(..., S, E)``; value: ``(..., S, Ev)``.
        attn_mask: broadcastable to ``(..., L, S)``: bool (True = may attend) or float
            (added to the scores).
        dropout_p: dropout probability on the attention weights (always applied; pass
            0.0 in evaluation).
        is_causal: mask out keys after each query (lower-triangular; top-left aligned).
        scale: defaults to ``1 / sqrt(E)``.
        enable_gqa: allow fewer key/value heads (dim -3) than query heads.

    Returns:
        ``(..., L, Ev)``.

    Example::

        >>> q = k = v = fl.randn(2, 4, 5, 8)
        >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
        flambeau.Size([2, 4, 5, 8])
    """
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention(): explicit attn_mask should not "
                           "be set when is_causal=True")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("scaled_dot_product_attention(): query, key and value must be "
                           "at least 2-D (..., L, E)")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention(): incompatible shapes query "
                           f"{list(query.shape)}, key {list(key.shape)}, value "
                           f"{list(value.shape)}")
    if enable_gqa and key.dim() >= 3 and query.shape[-3] != key.shape[-3]:
        hq, hk = query.shape[-3], key.shape[-3]
        if hq % hk or hq % value.shape[-3]:
            raise RuntimeError(f"scaled_dot_product_attention(): number of query heads "
                               f"({hq}) must be divisible by key/value heads ({hk})")
        key, value = _repeat_heads(key, hq // hk), _repeat_heads(value, hq // hk)
    l, s = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query * scale) @ key.mT
    blocked = None
    if is_causal:
        blocked = _causal_block(l, s, query.device)
    elif attn_mask is not None:
        if attn_mask.dtype is bool_:
            blocked = E.logical_not(attn_mask)
        else:
            scores = scores + attn_mask
    weights = _masked_softmax(scores, blocked)
    if dropout_p > 0.0:
        weights = _dropout(weights, dropout_p, True)
    return weights @ value


def _float_mask(mask: Tensor | None, dtype) -> Tensor | None:
    """PyTorch's canonical mask: bool (True = masked) -> 0 / -inf in ``dtype``."""
    if mask is None or mask.dtype is not bool_:
        return mask
    return zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(mask, _NEG_INF)


def _project(query, key, value, in_proj_weight, in_proj_bias, separate):
    e = query.shape[-1]
    if separate is None:
        if query is key and key is value:         # self-attention: one matmul
            qkv = linear(query, in_proj_weight, in_proj_bias)
            return qkv.narrow(-1, 0, e), qkv.narrow(-1, e, e), qkv.narrow(-1, 2 * e, e)
        ws = in_proj_weight.split(e, 0)
    else:
        ws = separate
    bs = in_proj_bias.split(e, 0) if in_proj_bias is not None else (None,) * 3
    return tuple(linear(x, w, b) for x, w, b in zip((query, key, value), ws, bs))


def _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(f"For batched (3-D) query, expected key and value to be "
                                 f"3-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 f"respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(f"For batched (3-D) query, expected key_padding_mask to "
                                 f"be None or 2-D but found {key_padding_mask.dim()}-D")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(f"For unbatched (2-D) query, expected key and value to be "
                                 f"2-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 f"respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(f"For unbatched (2-D) query, expected key_padding_mask to "
                                 f"be None or 1-D but found {key_padding_mask.dim()}-D")
        if attn_mask is not None and attn_mask.dim() == 3 and \
                attn_mask.shape[0] != num_heads:
            raise AssertionError(f"Expected attn_mask shape to be ({num_heads}, "
                                 f"{query.shape[0]}, {key.shape[0]}) but got "
                                 f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float,
        out_proj_weight: Tensor, out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple:
    """Multi-head attention on sequence-first inputs, PyTorch's functional form.

    Args:
        query: ``(L, N, E)`` or unbatched ``(L, E)``; key, value: ``(S, N, Ek/Ev)``.
        key_padding_mask: ``(N, S)``: True (or ``-inf``) marks padding keys.
        attn_mask: ``(L, S)`` or ``(N * num_heads, L, S)``: True (or ``-inf``) blocks.
        is_causal: a hint that ``attn_mask`` is the causal mask (it must be given).

    Returns:
        ``(attn_output (L, N, E), attn_weights)``; the weights are ``(N, L, S)``
        averaged over heads (``(N, num_heads, L, S)`` otherwise), or None when
        ``need_weights`` is False.
    """
    if bias_k is not None or bias_v is not None or add_zero_attn:
        raise NotImplementedError("multi_head_attention_forward(): bias_k/bias_v "
                                  "(add_bias_kv) and add_zero_attn are not supported")
    if static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward(): static_k/static_v are "
                                  "not supported")
    batched = _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    l, n, e = query.shape
    s = key.shape[0]
    if e != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, "
                             f"but got {e}")
    hd = e // num_heads
    if hd * num_heads != e:
        raise AssertionError(f"embed_dim {e} not divisible by num_heads {num_heads}")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    separate = (q_proj_weight, k_proj_weight, v_proj_weight) \
        if use_separate_proj_weight else None
    q, k, v = _project(query, key, value, in_proj_weight, in_proj_bias, separate)

    mask = _float_mask(attn_mask, query.dtype)
    if mask is not None:
        want = (l, s) if mask.dim() == 2 else (n * num_heads, l, s)
        if mask.dim() not in (2, 3) or tuple(mask.shape) != want:
            raise RuntimeError(f"The shape of the {mask.dim()}D attn_mask is "
                               f"{list(mask.shape)}, but should be {list(want)}.")
        mask = mask.reshape(1, 1, l, s) if mask.dim() == 2 \
            else mask.reshape(n, num_heads, l, s)
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (n, s):
            raise AssertionError(f"expecting key_padding_mask shape of {(n, s)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        kpm = _float_mask(key_padding_mask, query.dtype).reshape(n, 1, 1, s)
        mask = kpm if mask is None else mask + kpm
    if not training:
        dropout_p = 0.0

    # (T, N, H*hd) -> (N, H, T, hd)
    def heads(x, t):
        return x.reshape(t, n, num_heads, hd).permute(1, 2, 0, 3)

    q, k, v = heads(q, l), heads(k, s), heads(v, s)
    scores = (q * (1.0 / math.sqrt(hd))) @ k.mT
    if mask is not None:
        weights = _masked_softmax(scores + mask, None)
    else:
        weights = R.softmax(scores, -1)
    if dropout_p > 0.0:
        weights = _dropout(weights, dropout_p, True)
    out = (weights @ v).permute(2, 0, 1, 3).reshape(l, n, e)
    out = linear(out, out_proj_weight, out_proj_bias)
    if not need_weights:
        weights = None
    elif average_attn_weights:
        weights = weights.mean(1)
    if not batched:
        out = out.squeeze(1)
        weights = weights.squeeze(0) if weights is not None else None
    return out, weights
