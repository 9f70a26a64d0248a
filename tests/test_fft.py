"""fl.fft against numpy.fft, identities (inverse, Parseval), gradients by finite
differences, the composite DFT (what backends without an FFT kernel run), errors."""

import numpy as np
import pytest

import flambeau as fl
from flambeau.autograd import gradcheck
from flambeau.composites import complex as composite

F = fl.fft
RNG = np.random.default_rng(0)
NORMS = (None, "backward", "ortho", "forward")


def crand(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


def rrand(*shape):
    return RNG.standard_normal(shape)


def close(t, want, tol=1e-10):
    np.testing.assert_allclose(t.numpy(), want, rtol=tol, atol=tol)


@pytest.mark.parametrize("norm", NORMS)
def test_c2c_vs_numpy(norm):
    a = crand(3, 4, 5)
    x = fl.tensor(a)
    close(F.fft(x, norm=norm), np.fft.fft(a, norm=norm))
    close(F.ifft(x, n=7, dim=1, norm=norm), np.fft.ifft(a, n=7, axis=1, norm=norm))
    close(F.fft(x, n=3, norm=norm), np.fft.fft(a, n=3, norm=norm))
    close(F.fft2(x, norm=norm), np.fft.fft2(a, norm=norm))
    close(F.ifft2(x, s=(2, 6), norm=norm), np.fft.ifft2(a, s=(2, 6), norm=norm))
    close(F.fftn(x, norm=norm), np.fft.fftn(a, norm=norm))
    close(F.fftn(x, s=(3, 3)), np.fft.fftn(a, s=(3, 3), axes=(1, 2)))
    close(F.ifftn(x, dim=(0, 2), norm=norm), np.fft.ifftn(a, axes=(0, 2), norm=norm))


@pytest.mark.parametrize("norm", NORMS)
def test_r2c_c2r_vs_numpy(norm):
    r, h = rrand(3, 4, 6), crand(3, 4, 4)
    x, z = fl.tensor(r), fl.tensor(h)
    close(F.rfft(x, norm=norm), np.fft.rfft(r, norm=norm))
    close(F.rfft(x, n=5, dim=0, norm=norm), np.fft.rfft(r, n=5, axis=0, norm=norm))
    close(F.irfft(z, norm=norm), np.fft.irfft(h, norm=norm))
    close(F.irfft(z, n=7, norm=norm), np.fft.irfft(h, n=7, norm=norm))
    close(F.rfft2(x, norm=norm), np.fft.rfft2(r, norm=norm))
    close(F.irfft2(z, s=(4, 5), norm=norm), np.fft.irfft2(h, s=(4, 5), norm=norm))
    close(F.rfftn(x, norm=norm), np.fft.rfftn(r, norm=norm))
    close(F.rfftn(x, dim=(2, 0), norm=norm), np.fft.rfftn(r, axes=(2, 0), norm=norm))
    close(F.irfftn(z, norm=norm), np.fft.irfftn(h, norm=norm))
    close(F.hfft(z, norm=norm), np.fft.hfft(h, norm=norm))
    close(F.hfft(z, n=5, norm=norm), np.fft.hfft(h, n=5, norm=norm))
    close(F.ihfft(x, norm=norm), np.fft.ihfft(r, norm=norm))


def test_hfftn_ihfftn_identities():
    # numpy has no hfftn: hfftn(x) = irfftn(conj(x)) * N, ihfftn(x) = conj(rfftn(x)) / N
    h, r = crand(3, 4), rrand(3, 6)
    close(F.hfftn(fl.tensor(h)), np.fft.irfftn(h.conj()) * (3 * 6))
    close(F.hfft2(fl.tensor(h), s=(3, 5)), np.fft.irfftn(h.conj(), s=(3, 5), axes=(0, 1)) * 15)
    close(F.ihfftn(fl.tensor(r)), np.fft.rfftn(r).conj() / 18)
    close(F.ihfft2(fl.tensor(r), norm="forward"), np.fft.rfftn(r).conj())


def test_inverse_and_parseval():
    a = crand(4, 6)
    x = fl.tensor(a)
    close(F.ifft(F.fft(x)), a)
    close(F.ifftn(F.fftn(x, norm="ortho"), norm="ortho"), a)
    r = fl.tensor(rrand(5, 7))
    close(F.irfft(F.rfft(r), n=7), r.numpy())
    close(F.irfftn(F.rfftn(r), s=(5, 7)), r.numpy())
    close(F.hfft(F.ihfft(r), n=7), r.numpy())
    y = F.fft(x, norm="ortho")
    np.testing.assert_allclose((y.abs() ** 2).sum().item(), (x.abs() ** 2).sum().item())


def test_dtypes_and_promotion():
    assert F.fft(fl.arange(4)).dtype is fl.complex64
    assert F.fft(fl.ones(4, dtype=fl.float64)).dtype is fl.complex128
    assert F.rfft(fl.ones(4)).dtype is fl.complex64
    assert F.irfft(fl.ones(3, dtype=fl.complex128)).dtype is fl.float64
    assert F.irfft(fl.ones(3)).dtype is fl.float32   # real input promoted to complex
    assert F.fft(fl.ones(4)).numpy().dtype == np.complex64


def test_freq_and_shift():
    close(F.fftfreq(5), np.fft.fftfreq(5), 1e-6)
    close(F.fftfreq(6, 0.1, dtype=fl.float64), np.fft.fftfreq(6, 0.1))
    close(F.rfftfreq(7, 2.0), np.fft.rfftfreq(7, 2.0), 1e-6)
    a = RNG.standard_normal((3, 5))
    close(F.fftshift(fl.tensor(a)), np.fft.fftshift(a))
    close(F.ifftshift(fl.tensor(a), dim=1), np.fft.ifftshift(a, axes=1))
    close(F.ifftshift(F.fftshift(fl.tensor(a))), a)


def test_errors():
    with pytest.raises(ValueError, match="normalization"):
        F.fft(fl.ones(4), norm="none")
    with pytest.raises(RuntimeError, match="real input"):
        F.rfft(fl.ones(4, dtype=fl.complex64))
    with pytest.raises(IndexError, match="out of range"):
        F.fft(fl.ones(4), dim=1)
    with pytest.raises(RuntimeError, match="unique"):
        F.fftn(fl.ones(4, 4), dim=(0, 0))
    with pytest.raises(RuntimeError, match="same length"):
        F.fftn(fl.ones(4, 4), s=(2,), dim=(0, 1))
    with pytest.raises(RuntimeError, match="data points"):
        F.fft(fl.ones(4), n=0)
    with pytest.raises(RuntimeError, match="data points"):
        F.irfft(fl.ones(1, dtype=fl.complex64))
    with pytest.raises(RuntimeError, match="float16"):
        F.fft(fl.ones(4, dtype=fl.float16))
    with pytest.raises(TypeError, match="Tensor"):
        F.fft([1.0, 2.0])


def c128(*shape):
    return fl.tensor(crand(*shape), dtype=fl.complex128, requires_grad=True)


def f64(*shape):
    return fl.tensor(rrand(*shape), dtype=fl.float64, requires_grad=True)


GRADS = {
    "fft": (lambda x, n: F.fft(x, norm=n), lambda: c128(5)),
    "ifft_n": (lambda x, n: F.ifft(x, n=7, norm=n), lambda: c128(5)),
    "fftn_s": (lambda x, n: F.fftn(x, s=(3, 4), norm=n), lambda: c128(2, 5)),
    "fft_real": (lambda x, n: F.fft(x, norm=n), lambda: f64(4)),
    "rfft_even": (lambda x, n: F.rfft(x, norm=n), lambda: f64(6)),
    "rfft_odd": (lambda x, n: F.rfft(x, norm=n), lambda: f64(5)),
    "rfftn_dims": (lambda x, n: F.rfftn(x, dim=(1, 0), norm=n), lambda: f64(3, 5)),
    "irfft": (lambda x, n: F.irfft(x, norm=n), lambda: c128(4)),
    "irfft_odd": (lambda x, n: F.irfft(x, n=7, norm=n), lambda: c128(4)),
    "irfft2_s": (lambda x, n: F.irfft2(x, s=(4, 5), norm=n), lambda: c128(3, 4)),
    "hfft": (lambda x, n: F.hfft(x, norm=n), lambda: c128(4)),
    "ihfft": (lambda x, n: F.ihfft(x, norm=n), lambda: f64(5)),
    "hfftn": (lambda x, n: F.hfftn(x, norm=n), lambda: c128(3, 4)),
    "ihfft2": (lambda x, n: F.ihfft2(x, norm=n), lambda: f64(3, 4)),
    "shift": (lambda x, n: F.fftshift(F.fft(x, norm=n)), lambda: c128(5)),
}


@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradcheck(name, norm):
    fn, make = GRADS[name]
    assert gradcheck(lambda x: fn(x, norm), (make(),))


def test_irfft_grad_closed_form():
    # L = sum(irfft(X, n=4)): only the zero frequency contributes, with weight 1
    x = c128(3)
    F.irfft(x, n=4).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1, 0, 0], atol=1e-12)


@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
@pytest.mark.parametrize("forward", [True, False])
def test_composites_match_kernels(norm, forward):
    # the DFT-matrix composites a backend without an FFT kernel runs
    import scipy.fft as sf
    a, r, h = crand(3, 5), rrand(3, 5), crand(3, 3)
    close(composite.fft_c2c(fl.tensor(a), (0, 1), norm, forward),
          (sf.fftn if forward else sf.ifftn)(a, axes=(0, 1), norm=norm))
    close(composite.fft_r2c(fl.tensor(r), (1, 0), norm, forward),
          (sf.rfftn if forward else sf.ihfftn)(r, axes=(1, 0), norm=norm))
    for n in (4, 5):
        close(composite.fft_c2r(fl.tensor(h), (0, 1), norm, forward, n),
              (sf.hfftn if forward else sf.irfftn)(h, s=(3, n), axes=(0, 1), norm=norm))


def test_complex_composites():
    a = crand(2, 3)
    x = fl.tensor(a)
    close(composite.real(x), a.real)
    close(composite.imag(x), a.imag)
    close(composite.conj(x), a.conj())
    close(composite.angle(x), np.angle(a))
    close(composite.complex_(fl.tensor(a.real), fl.tensor(a.imag[:1])), a.real + 1j * a.imag[:1])


@pytest.mark.parametrize("name", ["fft", "rfft_odd", "irfft_odd", "hfft"])
def test_gradgradcheck(name):
    from flambeau.autograd import gradgradcheck
    fn, make = GRADS[name]
    assert gradgradcheck(lambda x: fn(x, "ortho"), (make(),))
