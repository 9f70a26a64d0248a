"""The OpenCL backend: GEMM, elementwise, reductions, a conv layer, a training step.

Every timed call ends with ``synchronize()``: OpenCL ops return once their kernels
are queued, so without it asv would time the queueing. Inputs live on the device
before timing starts, and a warm-up call in ``setup`` compiles the kernels (once per
process; POCL's disk cache keeps them across runs). Skipped (``NotImplementedError``
from ``setup``, asv's way) where pyopencl or an OpenCL device is missing. The NumPy
figures for the same work are in ``bench_matmul``/``bench_elementwise``, and
``python asv_bench/opencl_compare.py`` prints the ratios from one run.
"""

import numpy as np

import flambeau as fl
import flambeau.nn as nn
import flambeau.nn.functional as F
from flambeau.backends.opencl import api as opencl

AVAILABLE = opencl.is_available()


def _device(*shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)
    return fl.tensor(a, device="opencl")


class _OpenCL:
    """Skip without a device; time ``run`` followed by a device synchronisation."""

    def setup(self, *params):
        if not AVAILABLE:
            raise NotImplementedError("no OpenCL device")
        self.prepare(*params)
        self.run(*params)
        opencl.synchronize()

    def prepare(self, *params):
        pass


class Matmul(_OpenCL):
    params = [64, 256, 1024]
    param_names = ["n"]

    def prepare(self, n):
        self.a, self.b = _device(n, n), _device(n, n, seed=1)

    def run(self, n):
        return self.a @ self.b

    def time_matmul(self, n):
        self.run(n)
        opencl.synchronize()


class Elementwise(_OpenCL):
    params = [["add", "mul_scalar", "exp", "bias_add"], [1 << 16, 1 << 24]]
    param_names = ["op", "n"]

    def prepare(self, op, n):
        self.a, self.b = _device(n), _device(n, seed=1)
        self.rows = _device(n // 1024, 1024)
        self.bias = _device(1024, seed=2)

    def run(self, op, n):
        if op == "add":
            return self.a + self.b
        if op == "mul_scalar":
            return self.a * 2.5
        if op == "exp":
            return self.a.exp()
        return self.rows + self.bias

    def time_elementwise(self, op, n):
        self.run(op, n)
        opencl.synchronize()


class Reductions(_OpenCL):
    params = [["sum_all", "sum_rows", "softmax_rows", "argmax_rows"]]
    param_names = ["op"]

    def prepare(self, op):
        self.x = _device(4096, 1024)

    def run(self, op):
        if op == "sum_all":
            return self.x.sum()
        if op == "sum_rows":
            return self.x.sum(1)
        if op == "softmax_rows":
            return self.x.softmax(1)
        return self.x.argmax(1)

    def time_reduction(self, op):
        self.run(op)
        opencl.synchronize()


class Conv2d(_OpenCL):
    """A 3x3 conv layer (unfold + GEMM) forward and backward, batch 16."""

    def prepare(self):
        fl.manual_seed(0)
        self.conv = nn.Conv2d(16, 32, 3, padding=1).to("opencl")
        self.x = _device(16, 16, 32, 32)

    def run(self):
        y = self.conv(self.x)
        (y * y).mean().backward()

    def time_conv2d_forward_backward(self):
        self.run()
        opencl.synchronize()


class TrainingStep(_OpenCL):
    """One step of an MLP (784-256-10) on a batch of 128: forward, loss, backward, Adam."""

    def prepare(self):
        fl.manual_seed(0)
        self.model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(),
                                   nn.Linear(256, 10)).to("opencl")
        self.opt = fl.optim.Adam(self.model.parameters(), lr=1e-3)
        self.x = _device(128, 784)
        self.y = fl.randint(0, 10, (128,), device="opencl")

    def run(self):
        loss = F.cross_entropy(self.model(self.x), self.y)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()

    def time_training_step(self):
        self.run()
        opencl.synchronize()
