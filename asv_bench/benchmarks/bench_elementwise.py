"""Large elementwise ops: 1M float32 elements, where the kernel is the cost."""

from .common import LIBS, MODULES, randn

N = 1_000_000
EXP = {lib: MODULES[lib].exp for lib in LIBS}
X = randn(N, seed=0)
Y = randn(N, seed=1)
ROW = randn(1000, seed=2)
ACC = randn(N, seed=3)  # written by the in-place benchmark only


class LargeElementwise:
    params = LIBS
    param_names = ["lib"]

    def time_add(self, lib):
        return X[lib] + Y[lib]

    def time_mul(self, lib):
        return X[lib] * Y[lib]

    def time_mul_scalar(self, lib):
        return X[lib] * 2.5

    def time_exp(self, lib):
        return EXP[lib](X[lib])

    def time_add_inplace(self, lib):
        acc = ACC[lib]
        acc += Y[lib]

    def time_add_broadcast_row(self, lib):
        # (1000, 1000) + (1000,): a row broadcast over every row
        return X[lib].reshape(1000, 1000) + ROW[lib]
