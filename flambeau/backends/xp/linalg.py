"""Linear algebra kernels: matmul (batched, broadcasting) and einsum."""

from __future__ import annotations


def kernels(xp) -> dict:
    def matmul(a, b):
        return xp.matmul(a, b)

    def einsum(*operands, equation):
        return xp.einsum(equation, *operands, optimize=len(operands) > 2)

    return {"matmul": matmul, "einsum": einsum}
