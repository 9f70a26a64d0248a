"""Autograd overhead and whole training steps (the compare script's workloads).

The MLP step is compared with the same step written out by hand in NumPy; NumPy has no
autograd and no hand-written CNN here, so those run for flambeau alone.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from workloads import build  # noqa: E402  (asv_bench/workloads.py, shared with compare.py)

RECORD_ADD = build("record_add", "flambeau")
TINY_BACKWARD = build("tiny_backward", "flambeau")
MLP = {lib: build("mlp_step", lib) for lib in ("flambeau", "numpy")}
CNN = build("cnn_step", "flambeau")


class Autograd:
    def time_record_add(self):
        RECORD_ADD()

    def time_tiny_backward(self):
        TINY_BACKWARD()


class MLPStep:
    params = ["flambeau", "numpy"]
    param_names = ["lib"]

    def time_mlp_step(self, lib):
        MLP[lib]()


class CNNStep:
    def time_lenet_step(self):
        CNN()
