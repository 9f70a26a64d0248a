"""Shape and view kernels: views share memory, the rest return new arrays."""

from __future__ import annotations


def kernels(xp) -> dict:
    def view(x, shape):
        return xp.reshape(x, shape, copy=False)

    def reshape(x, shape):
        return xp.reshape(x, shape)

    def permute(x, dims):
        return xp.transpose(x, dims)

    def expand(x, shape):
        return xp.broadcast_to(x, shape)

    def getitem(x, index):
        return x[index]

    def diagonal(x, offset=0, dim1=0, dim2=1):
        return xp.diagonal(x, offset, dim1, dim2)

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

    return {"view": view, "reshape": reshape, "permute": permute, "expand": expand,
            "getitem": getitem, "diagonal": diagonal, "contiguous": contiguous,
            "clone": clone, "cat": cat, "flip": flip, "roll": roll, "tile": tile,
            "tril": tril, "triu": triu}
