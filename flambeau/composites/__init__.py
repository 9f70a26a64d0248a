"""Composite defaults: op-table rows written in other flambeau ops.

A backend implements the primitives (:func:`primitives`, the rows without a composite)
and whatever else it does better; every other row it lacks runs its composite here, on
that backend (JAX's lowering with per-platform overrides). A composite is a plain
function of the row's inputs (tensors of the compute dtype, already on one device and
cast; Python scalars or ``None`` where the row takes them) and the row's keyword
params exactly as a kernel receives them; rows without tensor inputs get ``device``
instead of the kernel's ``index``. It returns what the row returns (a tensor, or a
tuple for multi-output rows); an in-place row writes into its first input.

The dispatcher runs a composite below every layer: autograd records the row itself,
with the row's own derivative formula, and the ops a composite issues are not recorded.
"""

from __future__ import annotations

import inspect

from ..dispatcher.optable import OPS
from ..dispatcher.registry import _BACKENDS
from . import creation, elementwise, index, nn, reductions, shape

__all__ = ["COMPOSITES", "install", "primitives", "coverage"]

COMPOSITES: dict = {}
for _module in (elementwise, reductions, shape, index, nn, creation):
    _overlap = COMPOSITES.keys() & _module.COMPOSITES.keys()
    assert not _overlap, f"composites defined twice: {sorted(_overlap)}"
    COMPOSITES.update(_module.COMPOSITES)
from . import complex as _complex  # noqa: E402
assert not COMPOSITES.keys() & _complex.COMPOSITES.keys()
COMPOSITES.update(_complex.COMPOSITES)


def install() -> None:
    """Attach each composite to its row, after checking it names a real row and
    accepts the row's keyword params."""
    for name, fn in COMPOSITES.items():
        if name not in OPS:
            raise RuntimeError(f"composite for {name!r}: no such row in the op table")
        row = OPS[name]
        params = getattr(row, "params", None)
        if params:
            sig = inspect.signature(fn)
            takes = set(sig.parameters)
            wanted = {p.name for p in params if not p.tensor}
            if row.nin == 0:
                wanted = (wanted - {"index"}) | {"device"}
            if not any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
                lacking = wanted - takes
                if lacking:
                    raise RuntimeError(f"composite for {name!r} does not take the row's "
                                       f"params {sorted(lacking)}")
        row.composite = fn


def primitives() -> list[str]:
    """The ops a backend must implement: the rows that have no composite.

    Every other row runs, on a backend without a kernel for it, as its composite in
    terms of these. Example::

        >>> len(fl.backends.primitives()) <= 40
        True
    """
    return sorted(n for n, row in OPS.items() if row.composite is None)


def coverage(device_type: str) -> dict[str, str]:
    """How the backend serving ``device_type`` covers each row: ``"primitive"`` (a
    row without a composite, implemented), ``"overridden"`` (a composite row the
    backend implements itself), ``"derived"`` (runs the composite) or ``"missing"`` (a
    primitive the backend lacks: it and the composites that use it fail there).

    Raises:
        RuntimeError: when no backend serves ``device_type``.
    """
    if device_type not in _BACKENDS:
        from ..dispatcher.registry import backend_for
        backend_for(device_type)  # raises, naming the registered ones
    out = {}
    for name, row in OPS.items():
        has = bool(row.kernels.get(device_type))
        if row.composite is None:
            out[name] = "primitive" if has else "missing"
        else:
            out[name] = "overridden" if has else "derived"
    return out


install()
