"""Linear algebra kernels: matmul (batched, broadcasting) and einsum."""

from __future__ import annotations


def kernels(xp) -> dict:
    def matmul(a, b):
        if a.ndim > 2 and b.ndim == 2:
            # one 2-D GEMM over the folded batch: batched matmul against a shared
            # matrix runs a slow per-matrix loop in NumPy
            out = xp.matmul(a.reshape(-1, a.shape[-1]), b)
            return out.reshape(a.shape[:-1] + (b.shape[-1],))
        return xp.matmul(a, b)

    def linear(x, w, b):
        out = xp.matmul(x.reshape(-1, x.shape[-1]), w.T)
        if b is not None:
            out += b
        return out.reshape(x.shape[:-1] + (w.shape[0],))

    def einsum(*operands, equation):
        return xp.einsum(equation, *operands, optimize=len(operands) > 2)

    return {"matmul": matmul, "linear": linear, "einsum": einsum}
