"""Rows of the op table by area (linear algebra, FFT, special functions, ...).

The core rows (elementwise, reductions, views, indexing, creation) are in
:mod:`flambeau.dispatcher.optable`; each module listed in ``AREAS`` holds the rows of
one area as ``ROWS: list[Op]``, declared the same way. ``optable.OPS`` is the union,
and a name declared twice is an error at import.
"""

from __future__ import annotations

AREAS: tuple = ()
from . import complex as _complex, fft as _fft  # noqa: E402
AREAS += (_complex, _fft)


def rows() -> list:
    """Every area's rows, in ``AREAS`` order."""
    return [row for area in AREAS for row in area.ROWS]
