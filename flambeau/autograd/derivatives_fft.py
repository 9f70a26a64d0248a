"""Derivative formulas of the FFT rows (PyTorch's complex convention).

A DFT is linear, so its gradient is its adjoint: the DFT of the other sign with the
dual normalisation (``backward`` <-> ``forward``, ``ortho`` itself). The one-sided rows
add the Hermitian bookkeeping: ``r2c`` drops the upper half, so its adjoint pads it
with zeros and keeps the real part; ``c2r`` counts each bin strictly between 0 and the
Nyquist bin twice (it stands for itself and its mirror image).
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.optable import OPS

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _c2c(g, dim, norm, forward):
    return dispatch.call(OPS["fft_c2c"], g, dim=dim, norm=_DUAL[norm], forward=not forward)


def _r2c(g, shapes, dim, norm, forward):
    last = dim[-1]
    n = shapes[0][last]
    h = g.shape[last]
    if n > h:  # the dropped half of the spectrum had no effect: zeros
        pad = g.new_zeros(tuple(g.shape[:last]) + (n - h,) + tuple(g.shape[last + 1:]))
        from ..frontend.shape_ops import cat
        g = cat([g, pad], last)
    full = dispatch.call(OPS["fft_c2c"], g, dim=dim, norm=_DUAL[norm], forward=not forward)
    return dispatch.call(OPS["real"], full)


def _c2r(g, dim, norm, forward, last_dim_size):
    half = dispatch.call(OPS["fft_r2c"], g, dim=dim, norm=_DUAL[norm], forward=not forward)
    last = dim[-1]
    h = half.shape[last]
    # bins 1 .. (n - 1) // 2 appear twice in the real signal
    twice = (last_dim_size - 1) // 2
    from ..frontend.creation import arange
    k = arange(h, device=g.device).reshape((h,) + (1,) * (half.dim() - last - 1))
    from ..frontend.elementwise import where
    return half * where((k >= 1) & (k <= twice), 2.0, 1.0)


DERIVATIVES = {
    "fft_c2c": _c2c,
    "fft_r2c": _r2c,
    "fft_c2r": _c2r,
}
