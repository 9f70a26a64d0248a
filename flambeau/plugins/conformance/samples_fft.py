"""FFT and complex numbers, checked through real data.

The kit's references and comparisons are real-valued (its tolerances, ``make`` and
gradcheck's perturbations are for real dtypes), so complex results are compared as
their real views (``view_as_real``) and complex inputs are built inside the op from
real parts (``fl.complex``). A device that cannot hold complex dtypes reports these
entries unsupported ("cannot hold complex64"); float16 is left out (no complex32).
"""

from __future__ import annotations

import numpy as np

import flambeau as fl

from .opinfo import ALL, NUMBERS, OpInfo, Sample, Transposed, make

__all__ = ["ENTRIES"]

_F = (fl.float32, fl.float64)
_TOL = {"float32": (1e-4, 1e-4), "float64": (1e-9, 1e-9)}


def _vr(c, dtype):
    """A complex NumPy result as the real view the op returns, in ``dtype``."""
    c = np.asarray(c)
    return np.stack([c.real, c.imag], -1).astype(dtype)


def _signals(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng, low=-2, high=2)
    yield Sample((mk((8,)),), {}, "1-D, even length")
    yield Sample((mk((3, 5)),), {}, "(3,5), odd last dim")
    yield Sample((Transposed(mk((4, 6))),), {}, "transposed (6,4) input")
    yield Sample((mk((2, 3, 4)),), {}, "3-D")


def _signals_2d(dtype, rng):
    return (s for s in _signals(dtype, rng) if s.host_args()[0].ndim >= 2)


def _pairs(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng, low=-2, high=2, nonzero=True)
    yield Sample((mk((5,)), mk((5,))), {}, "(5,) parts")
    yield Sample((mk((2, 3)), mk((3,))), {}, "broadcast parts (2,3) and (3,)")


def _c(re, im):
    return re + 1j * im


def _entry(name, op, ref, samples=_signals, table=(), dtypes=_F):
    return OpInfo(name, op, ref, samples, dtypes=dtypes, table_ops=table, tol=_TOL)


def _real_ref(fn):
    # a real result of real input x, in x's dtype
    return lambda x: np.asarray(fn(x)).real.astype(x.dtype)


ENTRIES = [
    _entry("fft_fft", lambda x: fl.view_as_real(fl.fft.fft(x)),
           lambda x: _vr(np.fft.fft(x), x.dtype), table=("fft_c2c", "cast")),
    _entry("fft_ifft_ortho", lambda x: fl.view_as_real(fl.fft.ifft(x, n=6, norm="ortho")),
           lambda x: _vr(np.fft.ifft(x, n=6, norm="ortho"), x.dtype),
           table=("fft_c2c", "cast")),
    _entry("fft_fftn", lambda x: fl.view_as_real(fl.fft.fftn(x, norm="forward")),
           lambda x: _vr(np.fft.fftn(x, norm="forward"), x.dtype), table=("fft_c2c",)),
    _entry("fft_rfft", lambda x: fl.view_as_real(fl.fft.rfft(x)),
           lambda x: _vr(np.fft.rfft(x), x.dtype), table=("fft_r2c",)),
    _entry("fft_rfft2", lambda x: fl.view_as_real(fl.fft.rfft2(x, norm="ortho")),
           lambda x: _vr(np.fft.rfft2(x, norm="ortho"), x.dtype), samples=_signals_2d,
           table=("fft_r2c",)),
    _entry("fft_ihfft", lambda x: fl.view_as_real(fl.fft.ihfft(x)),
           lambda x: _vr(np.fft.ihfft(x), x.dtype), table=("fft_r2c",)),
    # real inputs of the complex-to-real transforms are promoted to complex
    _entry("fft_irfft", lambda x: fl.fft.irfft(x, n=7),
           _real_ref(lambda x: np.fft.irfft(x, n=7)), table=("fft_c2r", "cast")),
    _entry("fft_irfftn", lambda x: fl.fft.irfftn(x),
           _real_ref(lambda x: np.fft.irfftn(x)), table=("fft_c2r", "cast")),
    _entry("fft_hfft", lambda x: fl.fft.hfft(x), _real_ref(lambda x: np.fft.hfft(x)),
           table=("fft_c2r", "cast")),
    OpInfo("fft_fftshift", lambda x: fl.fft.fftshift(x), lambda x: np.fft.fftshift(x),
           _signals, dtypes=ALL, table_ops=("roll",)),
    OpInfo("fft_ifftshift", lambda x: fl.fft.ifftshift(x, dim=-1),
           lambda x: np.fft.ifftshift(x, axes=-1), _signals, dtypes=ALL,
           table_ops=("roll",)),
    # the angle of real numbers: pi for negatives, 0 otherwise (integers give floats)
    OpInfo("angle", lambda x: fl.angle(x),
           lambda x: np.angle(x.astype(np.float64)).astype(
               x.dtype if x.dtype.kind == "f" else np.float32),
           _signals, dtypes=NUMBERS, table_ops=("angle",)),
    # complex numbers, built from real parts
    _entry("complex", lambda a, b: fl.view_as_real(fl.complex(a, b)),
           lambda a, b: _vr(_c(a, b), a.dtype), samples=_pairs,
           table=("complex", "view_as_real")),
    _entry("complex_parts", lambda a, b: fl.complex(a, b).real * 2 + fl.complex(b, a).imag,
           lambda a, b: (2 * a + a).astype(a.dtype), samples=_pairs,
           table=("complex", "real", "imag")),
    # one entry led by each complex row, so each row's own gradient is checked
    _entry("real", lambda a, b: fl.complex(a, b * 3).real,
           lambda a, b: a.copy(), samples=_pairs, table=("real", "complex")),
    _entry("imag", lambda a, b: fl.complex(a * 3, b).imag,
           lambda a, b: np.broadcast_to(b, np.broadcast_shapes(a.shape, b.shape)).copy(),
           samples=_pairs, table=("imag", "complex")),
    _entry("conj", lambda a, b: fl.view_as_real(fl.complex(a, b).conj() * 1),
           lambda a, b: _vr(np.conj(_c(a, b)), a.dtype), samples=_pairs,
           table=("conj", "complex", "view_as_real")),
    _entry("view_as_real", lambda a, b: fl.view_as_real(fl.complex(a, b) * (1 - 2j)),
           lambda a, b: _vr(_c(a, b) * (1 - 2j), a.dtype), samples=_pairs,
           table=("view_as_real", "complex", "mul")),
    _entry("view_as_complex", lambda a: fl.view_as_real(fl.view_as_complex(a) * 2j),
           lambda a: _vr((a[..., 0] + 1j * a[..., 1]) * 2j, a.dtype),
           samples=lambda d, r: (Sample((make(s, d, r),), {}, f"{s}") for s in
                                 ((2,), (3, 2), (2, 4, 2))),
           table=("view_as_complex", "view_as_real")),
    _entry("complex_abs", lambda a, b: fl.complex(a, b).abs(),
           lambda a, b: np.abs(_c(a, b)).astype(a.dtype), samples=_pairs,
           table=("complex", "abs")),
    _entry("complex_angle", lambda a, b: fl.complex(a, b).angle(),
           lambda a, b: np.angle(_c(a, b)).astype(a.dtype), samples=_pairs,
           table=("complex", "angle")),
    _entry("complex_mul_conj", lambda a, b: fl.view_as_real(fl.complex(a, b) *
                                                            fl.complex(b, a).conj()),
           lambda a, b: _vr(_c(a, b) * np.conj(_c(b, a)), a.dtype), samples=_pairs,
           table=("complex", "mul", "conj")),
    _entry("polar", lambda a, b: fl.view_as_real(fl.polar(a.abs(), b)),
           lambda a, b: _vr(np.abs(a) * np.exp(1j * b), a.dtype), samples=_pairs,
           table=("complex",)),
]
