"""Per-op overhead: ops on a 16-element float32 tensor, where dispatch is the cost."""

from .common import LIBS, MODULES, randn

EXP = {lib: MODULES[lib].exp for lib in LIBS}
X = randn(16, seed=0)
Y = randn(16, seed=1)
M = randn(4, 4, seed=2)


class SmallOps:
    params = LIBS
    param_names = ["lib"]

    def time_add(self, lib):
        return X[lib] + Y[lib]

    def time_mul_scalar(self, lib):
        return X[lib] * 2.5

    def time_exp(self, lib):
        return EXP[lib](X[lib])

    def time_sum(self, lib):
        return X[lib].sum()

    def time_index(self, lib):
        return X[lib][0]

    def time_slice(self, lib):
        return X[lib][2:10]

    def time_reshape(self, lib):
        # a view in both libraries (flambeau's x.view(4, 4) takes the same path)
        return X[lib].reshape(4, 4)

    def time_transpose(self, lib):
        return M[lib].T
