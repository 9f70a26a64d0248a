"""Reductions over a 1000x1000 float32 tensor, whole and along one dim."""

from .common import LIBS, MODULES, randn

AMAX = {lib: MODULES[lib].amax for lib in LIBS}
X = randn(1000, 1000)


class Reductions:
    params = LIBS
    param_names = ["lib"]

    def time_sum(self, lib):
        return X[lib].sum()

    def time_mean(self, lib):
        return X[lib].mean()

    def time_max(self, lib):
        return X[lib].max()

    def time_sum_dim0(self, lib):
        return X[lib].sum(0)

    def time_sum_dim1(self, lib):
        return X[lib].sum(1)

    def time_mean_dim1(self, lib):
        return X[lib].mean(1)

    def time_amax_dim1(self, lib):
        return AMAX[lib](X[lib], 1)
