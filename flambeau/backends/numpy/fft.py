"""The FFT rows on the CPU, on ``scipy.fft`` (pocketfft; keeps single precision)."""

from __future__ import annotations


def kernels() -> dict:
    import scipy.fft as sf

    def fft_c2c(x, dim, norm, forward):
        return (sf.fftn if forward else sf.ifftn)(x, axes=dim, norm=norm)

    def fft_r2c(x, dim, norm, forward):
        return (sf.rfftn if forward else sf.ihfftn)(x, axes=dim, norm=norm)

    def fft_c2r(x, dim, norm, forward, last_dim_size):
        s = [x.shape[d] for d in dim[:-1]] + [last_dim_size]
        return (sf.hfftn if forward else sf.irfftn)(x, s=s, axes=dim, norm=norm)

    return {"fft_c2c": fft_c2c, "fft_r2c": fft_r2c, "fft_c2r": fft_c2r}
