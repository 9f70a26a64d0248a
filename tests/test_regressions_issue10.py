"""Regression tests for the wrong results listed in issue 10 (PyTorch semantics)."""
import numpy as np

import flambeau as fl


def test_sign_nan_is_zero():
    x = fl.tensor([float("nan"), -2.0, 0.0, 3.0])
    np.testing.assert_array_equal(fl.sign(x).numpy(), [0.0, -1.0, 0.0, 1.0])
    np.testing.assert_array_equal(x.sign().numpy(), [0.0, -1.0, 0.0, 1.0])
