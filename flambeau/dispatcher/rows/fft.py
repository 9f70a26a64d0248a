"""Rows of the discrete Fourier transform: complex-to-complex, real-to-complex (one-sided)
and complex-to-real (Hermitian input). ``fl.fft``'s 20 functions are compositions of
these three rows with padding, trimming and casts (see :mod:`flambeau.fft`).
"""

from __future__ import annotations

from ..row import Op

_CONTRACT = ("params dim (sorted tuple of the transformed dims), norm ('backward', "
             "'ortho' or 'forward'), forward (bool: the sign of the exponent, -1 when "
             "True), as numpy.fft/scipy.fft; for r2c and c2r, the last of dim is the "
             "halved dim and the others come sorted before it")
ROWS = [
    Op("fft_c2c", "fft", "same", sig="(input, *, dim, norm, forward)",
       contract="complex x -> its DFT over dim (fftn/ifftn); " + _CONTRACT),
    Op("fft_r2c", "fft", "to_complex", sig="(input, *, dim, norm, forward)",
       contract="real x -> the one-sided DFT over dim, the last of dim halved to "
                "n//2 + 1 (rfftn when forward, ihfftn when not); " + _CONTRACT),
    Op("fft_c2r", "fft", "to_real", sig="(input, *, dim, norm, forward, last_dim_size)",
       contract="complex Hermitian half x (last of dim of length last_dim_size//2 + 1) "
                "-> the real signal of length last_dim_size there (irfftn when not "
                "forward, hfftn when forward); " + _CONTRACT),
]
