"""Rows of complex numbers: the parts of a complex tensor, its conjugate, its angle,
building one from parts, and viewing it as pairs of reals (and back)."""

from __future__ import annotations

from ..row import Op

U = "unary"
ROWS = [
    # real on a real tensor is the tensor itself (the frontend returns it); imag refuses
    Op("real", U, "same", view=True, sig="(input)",
       contract="the real parts of a complex x: a view, of the real dtype"),
    Op("imag", U, "same", view=True, sig="(input)",
       contract="the imaginary parts of a complex x: a view, of the real dtype"),
    Op("conj", U, "same", sig="(input)",
       contract="the complex conjugate of x (a copy; flambeau keeps no lazy conj bit)"),
    Op("angle", U, "float", sig="(input)",
       contract="the argument of each element in radians, of the real dtype (0 or pi "
                "for real x)"),
    Op("view_as_real", U, "to_real", view=True, sig="(input)",
       contract="complex x of shape S as a real view of shape S + (2,)"),
    Op("view_as_complex", U, "to_complex", view=True, sig="(input)",
       contract="real x of shape S + (2,), last dim contiguous, as a complex view of "
                "shape S"),
    Op("complex", "binary", "to_complex", nin=2, sig="(real, imag)",
       contract="real + 1j * imag, broadcasting; float inputs, complex output"),
]
