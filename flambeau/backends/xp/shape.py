"""Shape and view kernels: views share memory, the rest return new arrays."""

from __future__ import annotations


def kernels(xp) -> dict:
    def view(x, shape):
        return xp.reshape(x, shape, copy=False)

    def permute(x, dims):
        return xp.transpose(x, dims)

    def expand(x, shape):
        if shape == x.shape:
            return x.view()
        return xp.broadcast_to(x, shape)

    def getitem(x, index):
        if not any(i is Ellipsis for i in index):
            # with every dim taken by an int NumPy returns a scalar copy; a trailing
            # Ellipsis makes it a 0-d view, as PyTorch's x[i, j] is
            index = index + (Ellipsis,)
        return x[index]

    def diagonal(x, offset=0, dim1=0, dim2=1):
        # a writable view (xp.diagonal's is read-only), as PyTorch's diagonal is
        n1, n2 = x.shape[dim1], x.shape[dim2]
        length = max(0, min(n1 - max(-offset, 0), n2 - max(offset, 0)))
        s1, s2 = x.strides[dim1], x.strides[dim2]
        start = [0] * x.ndim
        if length:
            start[dim1], start[dim2] = max(-offset, 0), max(offset, 0)
        keep = [d for d in range(x.ndim) if d not in (dim1, dim2)]
        shape = tuple(x.shape[d] for d in keep) + (length,)
        strides = tuple(x.strides[d] for d in keep) + (s1 + s2,)
        origin = x[tuple(slice(s, None) for s in start)] if length else x
        return xp.lib.stride_tricks.as_strided(origin, shape, strides)

    def contiguous(x):
        return xp.ascontiguousarray(x)

    def clone(x):
        return x.copy(order="K")

    def cat(*xs, dim):
        return xp.concatenate(xs, axis=dim)

    def flip(x, dims):
        return xp.flip(x, dims).copy()

    def roll(x, shifts, dims=None):
        if dims is None:
            return xp.roll(x.reshape(-1), shifts).reshape(x.shape)
        return xp.roll(x, shifts, dims)

    def tile(x, reps):
        return xp.tile(x, reps)

    def tril(x, diagonal=0):
        return xp.tril(x, diagonal)

    def triu(x, diagonal=0):
        return xp.triu(x, diagonal)

    return {"view": view, "permute": permute, "expand": expand,
            "getitem": getitem, "diagonal": diagonal, "contiguous": contiguous,
            "clone": clone, "cat": cat, "flip": flip, "roll": roll, "tile": tile,
            "tril": tril, "triu": triu}
