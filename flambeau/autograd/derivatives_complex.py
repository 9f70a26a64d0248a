"""Derivative formulas of the complex rows, with PyTorch's convention: for a real loss
``L`` of ``z = x + iy`` the gradient is ``dL/dx + i dL/dy`` (twice the conjugate
Wirtinger derivative ``dL/dz*``), so ``grad_in = grad_out * conj(f'(z))`` for a
holomorphic ``f``. The engine takes the real part of a gradient for a real input."""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.optable import OPS


def _call(name, *args):
    return dispatch.call(OPS[name], *args)


def _angle(g, a):
    if a._dtype.category != 3:
        return g * 0
    # d angle = (x dy - y dx) / |z|^2: the gradient is g * i z / |z|^2
    r2 = a.real * a.real + a.imag * a.imag
    from ..frontend.elementwise import where
    return g * (a * 1j) / where(r2 == 0, float("inf"), r2)


DERIVATIVES = {
    "real": lambda g: g,  # cast back to the complex input's dtype by the engine
    "imag": lambda g: g * 1j,
    "conj": lambda g: _call("conj", g),
    "angle": _angle,
    "view_as_real": lambda g: _call("view_as_complex", g.contiguous()),
    "view_as_complex": lambda g: _call("view_as_real", g),
    "complex": lambda g, needs: (_call("real", g) if needs[0] else None,
                                 _call("imag", g) if needs[1] else None),
}
