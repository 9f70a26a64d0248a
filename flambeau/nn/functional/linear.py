"""Affine maps: ``linear`` (one matmul and a bias add) and ``bilinear``."""

from __future__ import annotations

from ...dispatcher import dispatch
from ...dispatcher.optable import OPS
from ...frontend.tensor import Tensor

_LINEAR = OPS["linear"]

__all__ = ["linear", "bilinear"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y = x W^T + b``.

    Args:
        input: ``(*, in_features)``.
        weight: ``(out_features, in_features)`` (or ``(in_features,)`` for a scalar
            output per row).
        bias: ``(out_features,)`` or ``None``.

    Example::

        >>> F.linear(fl.ones(2, 3), fl.ones(4, 3)).shape
        flambeau.Size([2, 4])
    """
    if weight.dim() == 2 and input.dim() >= 1 and _has_kernel(input, weight, bias):
        if input.shape[-1] != weight.shape[1]:
            raise RuntimeError(f"linear(): input of shape {list(input.shape)} and weight "
                               f"of shape {list(weight.shape)} do not match: "
                               f"{input.shape[-1]} != {weight.shape[1]} in_features")
        if bias is not None and tuple(bias.shape) != (weight.shape[0],):
            raise RuntimeError(f"linear(): bias of shape {list(bias.shape)} does not "
                               f"match {weight.shape[0]} out_features")
        return dispatch.call(_LINEAR, input, weight, bias)
    if input.dim() > 2 and weight.dim() == 2:
        # one 2-D product, so the weight gradient is one matmul, not a batch of them
        lead = input.shape[:-1]
        out = input.reshape(-1, input.shape[-1]) @ weight.mT
        out = out.reshape(*lead, weight.shape[0])
    else:
        out = input @ (weight.mT if weight.dim() == 2 else weight)
    return out if bias is None else out + bias


def _has_kernel(input, weight, bias) -> bool:
    """Whether the backend has the fused ``linear`` kernel for these operands (it is
    optional: without it the composition below runs)."""
    d = input._dtype
    if weight._dtype is not d or (bias is not None and bias._dtype is not d):
        return False
    table = _LINEAR.kernels.get(input._device.type)
    return table is not None and d in table


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """``y_o = x1^T A_o x2 + b_o``.

    Args:
        input1: ``(*, in1_features)``; input2: ``(*, in2_features)`` with the same
            leading dims.
        weight: ``(out_features, in1_features, in2_features)``.
        bias: ``(out_features,)`` or ``None``.
    """
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D (out, in1, in2), got shape "
                           f"{list(weight.shape)}")
    o, i1, i2 = weight.shape
    if input1.shape[-1] != i1 or input2.shape[-1] != i2:
        raise RuntimeError(f"bilinear(): input1 [..., {input1.shape[-1]}] and input2 "
                           f"[..., {input2.shape[-1]}] do not match weight "
                           f"{list(weight.shape)}")
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input1 and input2 must have the same leading "
                           f"dims, got {list(input1.shape)} and {list(input2.shape)}")
    # (*, i1) @ (i1, o*i2) -> (*, o, i2), then contract i2 with input2
    left = input1 @ weight.permute(1, 0, 2).reshape(i1, o * i2)
    out = (left.reshape(*input1.shape[:-1], o, i2) * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias
