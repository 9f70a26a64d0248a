"""Kernels of complex numbers: parts, conjugate, angle, real views of complex arrays."""

from __future__ import annotations


def kernels(xp) -> dict:
    def real(x):
        return x.real

    def imag(x):
        return x.imag

    def conj(x):
        return xp.conj(x)

    def angle(x):
        return xp.angle(x).astype(x.real.dtype, copy=False)

    def view_as_real(x):
        r = x.real  # a view with x's strides, in units of the real type
        return xp.lib.stride_tricks.as_strided(
            r, shape=x.shape + (2,), strides=r.strides + (r.itemsize,))

    def view_as_complex(x):
        c = xp.complex128 if x.dtype == xp.float64 else xp.complex64
        return x.view(c)[..., 0]

    def complex_(a, b):
        shape = xp.broadcast_shapes(xp.shape(a), xp.shape(b))
        dtype = xp.result_type(a, b)
        out = xp.empty(shape, dtype=xp.complex128 if dtype == xp.float64 else xp.complex64)
        out.real = a
        out.imag = b
        return out

    return {"real": real, "imag": imag, "conj": conj, "angle": angle,
            "view_as_real": view_as_real, "view_as_complex": view_as_complex,
            "complex": complex_}
