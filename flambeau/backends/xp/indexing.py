"""Index kernels: gather/scatter, masks, sorting, unique, and in-place writes."""

from __future__ import annotations


def kernels(xp) -> dict:
    def gather(x, index, dim):
        return xp.take_along_axis(x, index, axis=dim)

    def _scatter_positions(index, dim):
        grids = list(xp.indices(index.shape, sparse=True))
        grids[dim] = index
        return tuple(grids)

    def scatter(x, index, src, dim):
        out = x.copy()
        pos = _scatter_positions(index, dim)
        out[pos] = src
        return out

    def scatter_add(x, index, src, dim):
        out = x.copy()
        xp.add.at(out, _scatter_positions(index, dim), src)
        return out

    def index_select(x, index, dim):
        return xp.take(x, index, axis=dim)

    def masked_fill(x, mask, value):
        return xp.where(mask, x.dtype.type(value), x)

    def masked_select(x, mask):
        x, mask = xp.broadcast_arrays(x, mask)
        return x[mask]

    def nonzero(x):
        return xp.stack(xp.nonzero(x), axis=1).astype(xp.int64) if x.ndim else \
            xp.zeros((int(bool(x)), 0), dtype=xp.int64)

    def sort(x, dim=-1, descending=False, stable=False):
        if x.ndim == 0:
            return x.copy(), xp.zeros((), xp.int64)
        key = x
        if descending:
            # stable descending order: sort the negated ranks, NaN first like PyTorch
            idx = xp.flip(xp.argsort(xp.flip(key, dim), axis=dim, kind="stable"), dim)
            idx = x.shape[dim] - 1 - idx
        else:
            idx = xp.argsort(key, axis=dim, kind="stable")
        return xp.take_along_axis(x, idx, axis=dim), idx.astype(xp.int64)

    def topk(x, k, dim=-1, largest=True, sorted=True):
        vals, idx = sort(x, dim=dim, descending=largest)
        sl = [slice(None)] * x.ndim
        if x.ndim:
            sl[dim] = slice(0, k)
        return vals[tuple(sl)], idx[tuple(sl)]

    def unique(x, return_inverse=False, return_counts=False, dim=None):
        res = xp.unique(x, return_inverse=True, return_counts=True, axis=dim)
        vals, inv, counts = res
        if dim is None:
            inv = inv.reshape(x.shape)
        return (vals, inv.astype(xp.int64) if return_inverse else None,
                counts.astype(xp.int64) if return_counts else None)

    def index_put(x, values, index, accumulate=False):
        out = x.copy()
        if accumulate:
            xp.add.at(out, index, values)
        else:
            out[index] = values
        return out

    def copy_(dst, src):
        dst[...] = src
        return dst

    def _scaled(src, alpha):
        return src if alpha == 1 else xp.multiply(src, alpha, dtype=None)

    def add_(dst, src, alpha=1):
        return xp.add(dst, _scaled(src, alpha), out=dst)

    def sub_(dst, src, alpha=1):
        return xp.subtract(dst, _scaled(src, alpha), out=dst)

    def mul_(dst, src):
        return xp.multiply(dst, src, out=dst)

    def div_(dst, src):
        return xp.true_divide(dst, src, out=dst)

    def setitem_(dst, value, index):
        dst[index] = value
        return dst

    return {"gather": gather, "scatter": scatter, "scatter_add": scatter_add,
            "index_select": index_select, "masked_fill": masked_fill,
            "masked_select": masked_select, "nonzero": nonzero, "sort": sort,
            "topk": topk, "unique": unique, "index_put": index_put, "copy_": copy_,
            "add_": add_, "sub_": sub_, "mul_": mul_, "div_": div_,
            "setitem_": setitem_}
