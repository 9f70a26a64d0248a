"""Multi-op workloads for the benchmarks: autograd overhead and training steps.

``build(name, lib)`` returns a zero-argument callable that runs one iteration of the
workload in ``lib`` ("flambeau", "numpy" or "torch"), or ``None`` where the library has
no such thing (NumPy has no autograd). The NumPy training step is written out by hand:
forward, backward and update, the floor flambeau is measured against.
"""

from __future__ import annotations

# name -> label
WORKLOADS = {
    "record_add": "record add, grad, 16 f32",
    "tiny_backward": "tiny backward, 16 f32",
    "mlp_step": "MLP 784-256-10 step, b64",
    "cnn_step": "LeNet CNN step, b32",
}


def build(name: str, lib: str):
    return globals()[f"_{name}"](lib)


def _record_add(lib):
    if lib == "numpy":
        return None
    m = _module(lib)
    a = m.ones(16, requires_grad=True)
    b = m.ones(16)
    return lambda: a + b


def _tiny_backward(lib):
    if lib == "numpy":
        return None
    m = _module(lib)
    a = m.ones(16, requires_grad=True)
    b = m.ones(16, requires_grad=True)
    return lambda: (a * b).sum().backward()


def _module(lib):
    if lib == "torch":
        import torch
        return torch
    import flambeau
    return flambeau


def _mlp_step(lib):
    if lib == "numpy":
        return _numpy_mlp()
    m = _module(lib)
    m.manual_seed(0)
    nn, F = m.nn, m.nn.functional
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = m.optim.SGD(model.parameters(), lr=0.01)
    x, y = m.randn(64, 784), m.randint(0, 10, (64,))

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def _numpy_mlp():
    import numpy as np
    rng = np.random.default_rng(0)
    w1 = (rng.standard_normal((256, 784)) * 0.03).astype(np.float32)
    b1 = np.zeros(256, np.float32)
    w2 = (rng.standard_normal((10, 256)) * 0.06).astype(np.float32)
    b2 = np.zeros(10, np.float32)
    x = rng.standard_normal((64, 784), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    rows = np.arange(64)
    lr = np.float32(0.01)

    def step():
        h = x @ w1.T + b1
        a = np.maximum(h, 0)
        o = a @ w2.T + b2
        e = np.exp(o - o.max(1, keepdims=True))
        p = e / e.sum(1, keepdims=True)
        -np.log(p[rows, y]).mean()  # the loss value, as a training loop computes it
        p[rows, y] -= 1
        p /= 64
        gw2, gb2 = p.T @ a, p.sum(0)
        da = p @ w2
        da[h <= 0] = 0
        gw1, gb1 = da.T @ x, da.sum(0)
        np.subtract(w1, lr * gw1, out=w1)  # in place, as an optimizer updates
        np.subtract(b1, lr * gb1, out=b1)
        np.subtract(w2, lr * gw2, out=w2)
        np.subtract(b2, lr * gb2, out=b2)
    return step


def _cnn_step(lib):
    if lib == "numpy":
        return None
    m = _module(lib)
    m.manual_seed(0)
    nn, F = m.nn, m.nn.functional
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    opt = m.optim.SGD(model.parameters(), lr=0.01)
    x, y = m.randn(32, 1, 28, 28), m.randint(0, 10, (32,))

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step
