"""View and shape kernels.

Views (view, permute, expand, basic getitem, diagonal) only compute a new shape,
strides and offset over the same buffer. The copying ops (contiguous, clone, cat,
flip, roll, tile, tril/triu) are elementwise copies between views: a flip is a copy
from a view that walks backwards; a roll is two copies; cat is one copy per part into
a slice of the output; tile copies from a broadcast view.
"""

from __future__ import annotations

import numpy as np

from . import codegen
from .array import CTYPE, CLArray, contiguous_strides, empty, is_contiguous
from .elementwise import copy_into, copy_to_contiguous

__all__ = ["kernels", "basic_index", "view", "permute", "expand"]

_I64 = np.dtype(np.int64)


def view(x: CLArray, shape) -> CLArray:
    """``x`` with a new shape, sharing memory; ``ValueError`` when the strides do not
    allow it (PyTorch's ``computeStride``: each group of old dims that maps onto
    new dims must be contiguous within itself)."""
    shape = tuple(shape)
    if is_contiguous(x):
        return x.view(shape, contiguous_strides(shape))
    old_shape, old_st = x.shape, x.strides
    if x.size == 0:
        return x.view(shape, contiguous_strides(shape))
    new_st = [0] * len(shape)
    view_d = len(shape) - 1
    chunk_base = old_st[-1] if old_st else 1
    tensor_numel, view_numel = 1, 1
    for d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[d]
        if d == 0 or (old_shape[d - 1] != 1 and
                      old_st[d - 1] != tensor_numel * chunk_base):
            while view_d >= 0 and (view_numel < tensor_numel or shape[view_d] == 1):
                new_st[view_d] = view_numel * chunk_base
                view_numel *= shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                raise ValueError("the strides of the input do not allow this view")
            if d > 0:
                chunk_base = old_st[d - 1]
                tensor_numel, view_numel = 1, 1
    if view_d != -1:
        raise ValueError("the strides of the input do not allow this view")
    return x.view(shape, new_st)


def permute(x: CLArray, dims) -> CLArray:
    return x.view(tuple(x.shape[d] for d in dims), tuple(x.strides[d] for d in dims))


def expand(x: CLArray, shape) -> CLArray:
    shape = tuple(shape)
    lead = len(shape) - x.ndim
    strides = [0] * lead
    for n, s, m in zip(x.shape, x.strides, shape[lead:]):
        strides.append(0 if n == 1 and m != 1 else s)
    return x.view(shape, strides)


def basic_index(x: CLArray, index: tuple) -> CLArray:
    """The view ``x[index]`` for ints, slices (positive steps), None and Ellipsis."""
    n_real = sum(1 for i in index if i is not None and i is not Ellipsis)
    shape, strides, off, d = [], [], x.offset, 0
    for it in index:
        if it is Ellipsis:
            for _ in range(x.ndim - n_real):
                shape.append(x.shape[d])
                strides.append(x.strides[d])
                d += 1
        elif it is None:
            shape.append(1)
            strides.append(0)
        elif isinstance(it, slice):
            start, stop, step = it.indices(x.shape[d])
            n = max(0, -(-(stop - start) // step))
            if n:
                off += start * x.strides[d]
            shape.append(n)
            strides.append(x.strides[d] * step)
            d += 1
        else:
            i = int(it)
            off += (i + x.shape[d] if i < 0 else i) * x.strides[d]
            d += 1
    shape += x.shape[d:]
    strides += x.strides[d:]
    return x.view(shape, strides, off)


def diagonal(x: CLArray, offset=0, dim1=0, dim2=1) -> CLArray:
    n1, n2 = x.shape[dim1], x.shape[dim2]
    length = max(0, min(n1 - max(-offset, 0), n2 - max(offset, 0)))
    off = x.offset
    if length:
        off += max(-offset, 0) * x.strides[dim1] + max(offset, 0) * x.strides[dim2]
    keep = [d for d in range(x.ndim) if d not in (dim1, dim2)]
    return x.view([x.shape[d] for d in keep] + [length],
                  [x.strides[d] for d in keep] + [x.strides[dim1] + x.strides[dim2]], off)


def clone(x: CLArray) -> CLArray:
    return copy_to_contiguous(x)


def cat(*xs, dim):
    shape = list(xs[0].shape)
    shape[dim] = sum(x.shape[dim] for x in xs)
    out = empty(shape, xs[0].dtype, xs[0].dev)
    start = 0
    for x in xs:
        n = x.shape[dim]
        if n:
            index = (slice(None),) * dim + (slice(start, start + n),)
            copy_into(basic_index(out, index), x)
        start += n
    return out


def flip(x: CLArray, dims) -> CLArray:
    strides, off = list(x.strides), x.offset
    for d in dims:
        if x.shape[d]:
            off += (x.shape[d] - 1) * x.strides[d]
        strides[d] = -strides[d]
    # a view walking backwards: every kernel takes signed strides
    return copy_to_contiguous(x.view(x.shape, strides, off))


def roll(x: CLArray, shifts, dims=None) -> CLArray:
    if dims is None:
        flat = copy_to_contiguous(x) if not is_contiguous(x) else x
        flat = flat.view((x.size,), (1,))
        return view(roll(flat, (shifts,), (0,)), x.shape)
    out = copy_to_contiguous(x)
    for s, d in zip(shifts, dims):
        n = out.shape[d]
        if n == 0 or s % n == 0:
            continue
        s %= n
        src = out
        out = empty(src.shape, src.dtype, src.dev)
        pre = (slice(None),) * d
        copy_into(basic_index(out, pre + (slice(s, None),)),
                  basic_index(src, pre + (slice(0, n - s),)))
        copy_into(basic_index(out, pre + (slice(0, s),)),
                  basic_index(src, pre + (slice(n - s, None),)))
    return out


def tile(x: CLArray, reps) -> CLArray:
    reps = tuple(reps)
    lead = len(reps) - x.ndim
    shape = (1,) * lead + x.shape
    src = x.view(shape, (0,) * lead + x.strides)
    # (r0, n0, r1, n1, ...): repeat dims broadcast (stride 0), then merge pairs
    big = src.view([v for r, n in zip(reps, shape) for v in (r, n)],
                   [v for s in src.strides for v in (0, s)])
    out = copy_to_contiguous(big)
    return view(out, tuple(r * n for r, n in zip(reps, shape)))


def _tri(lower: bool):
    keep = "col - row <= p0" if lower else "col - row >= p0"

    def kernel(x: CLArray, diagonal=0) -> CLArray:
        # the generic kernel knows no coordinates, so tril/triu have their own
        x = copy_to_contiguous(x)
        dev, ct = x.dev, CTYPE[x.dtype.name]
        src = f"""
__kernel void tri(long n, long rows, long cols, long p0, __global {ct} *o,
                  __global const {ct} *x) {{
  long i = get_global_id(0);
  if (i >= n) return;
  long col = i % cols, row = (i / cols) % rows;
  if ({keep}) {{ o[i] = x[i]; }} else {{ {codegen.store_stmt("o", "i", "0", x.dtype)} }}
}}
"""
        k = dev.kernel(("tri", lower, x.dtype.name), lambda: src, "tri",
                       [_I64, _I64, _I64, _I64, None, None])
        out = empty(x.shape, x.dtype, dev)
        dev.launch(k, x.size, [x.size, x.shape[-2], x.shape[-1], diagonal, out.buf, x.buf])
        return out
    kernel.__name__ = "tril" if lower else "triu"
    return kernel


def kernels() -> dict:
    return {"view": view, "permute": permute, "expand": expand, "diagonal": diagonal,
            "contiguous": copy_to_contiguous, "clone": clone, "cat": cat, "flip": flip,
            "roll": roll, "tile": tile, "tril": _tri(True), "triu": _tri(False)}
