"""What every benchmark here shares: the libraries compared and same-valued inputs.

Each benchmark class is parametrized by ``lib``, so asv prints flambeau and NumPy in
one table. Inputs are float32, drawn from NumPy with a fixed seed (flambeau gets its own
copy through ``fl.from_numpy``), so both libraries see the same values.

Inputs are built when a benchmark module is imported, not in ``setup()``: asv_runner
(0.3) times every call separately when a benchmark has a ``setup`` hook, and for
microsecond ops that measures the timer, not the op. Without the hook, calls are
batched the way ``timeit`` does.
"""

import numpy as np

import flambeau as fl

LIBS = ["flambeau", "numpy"]
MODULES = {"flambeau": fl, "numpy": np}


def randn(*shape: int, seed: int = 0) -> dict:
    """``{lib: float32 array or tensor}`` of standard-normal values, equal across libs."""
    a = np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)
    return {"numpy": a, "flambeau": fl.from_numpy(a.copy())}
