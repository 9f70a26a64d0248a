"""Square float32 matrix products: 64x64 (call overhead shows) and 1024x1024 (BLAS)."""

from .common import LIBS, randn

SIZES = [64, 1024]
A = {n: randn(n, n, seed=0) for n in SIZES}
B = {n: randn(n, n, seed=1) for n in SIZES}


class Matmul:
    params = (LIBS, SIZES)
    param_names = ["lib", "n"]

    def time_matmul(self, lib, n):
        return A[n][lib] @ B[n][lib]
