"""A training loop must not leak: graphs are freed when the loss goes away.

The engine promises (autograd/node.py) that nodes never hold their own outputs, so a
finished graph is freed by reference counting alone, without the cycle collector.
tracemalloc sees NumPy's buffers, so it measures the arrays a leak would keep alive.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import numpy as np

import flambeau as fl

N = 64  # larger matmuls go multi-threaded in BLAS and slow down a busy machine


def _params():
    rng = np.random.default_rng(0)
    w1 = fl.tensor(rng.standard_normal((N, N)) * 0.05, dtype=fl.float32, requires_grad=True)
    b1 = fl.zeros(N, requires_grad=True)
    w2 = fl.tensor(rng.standard_normal((N, N)) * 0.05, dtype=fl.float32, requires_grad=True)
    x = fl.tensor(rng.standard_normal((N, N)), dtype=fl.float32)
    return x, (w1, b1, w2)


def _step(x, params, keep=None):
    w1, b1, w2 = params
    h = (x @ w1 + b1).relu()
    out = (h @ w2).tanh()
    loss = (out * out).mean()
    if keep is not None:
        keep.extend([weakref.ref(h), weakref.ref(out), weakref.ref(loss),
                     weakref.ref(loss.grad_fn), weakref.ref(h.grad_fn)])
    loss.backward()
    with fl.no_grad():
        w1.sub_(0.01 * w1.grad)  # an optimizer step, in place under no_grad
    for p in params:
        p.grad = None


def test_training_loop_memory_stays_flat():
    x, params = _params()
    for _ in range(5):  # warm caches (kernel lookups, dtype tables) before measuring
        _step(x, params)
    gc.collect()
    gc.disable()  # so that a reference cycle would show up in gc.collect() below
    tracemalloc.start()
    try:
        for _ in range(95):
            _step(x, params)
        # a full collection also empties CPython's free lists, which tracemalloc counts
        cycles_100 = gc.collect()
        at_100 = tracemalloc.get_traced_memory()[0]
        for _ in range(900):
            _step(x, params)
        cycles_1000 = gc.collect()
        at_1000 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        gc.enable()
    assert cycles_100 == cycles_1000 == 0, "training steps created reference cycles"
    # one 64x64 float32 array is 16 KiB; a leaked node would be ~100 bytes a step
    assert at_1000 - at_100 < 16 * 1024, (at_100, at_1000)


def test_intermediates_die_after_the_loop():
    x, params = _params()
    refs: list = []
    for _ in range(20):
        _step(x, params, keep=refs)
    assert refs and all(r() is None for r in refs)


def test_finished_graph_freed_without_cycle_collector():
    x, params = _params()
    gc.collect()
    gc.disable()
    try:
        refs: list = []
        _step(x, params, keep=refs)
        assert all(r() is None for r in refs)
        # a graph dropped without backward is freed too
        w1, b1, w2 = params
        h = (x @ w1 + b1).relu()
        loss = (h @ w2).sum()
        dropped = [weakref.ref(h), weakref.ref(loss), weakref.ref(loss.grad_fn),
                   weakref.ref(h.grad_fn)]
        del h, loss
        assert all(r() is None for r in dropped)
    finally:
        gc.enable()


def test_retained_graph_freed_when_output_dropped():
    w = fl.randn(8, 8, requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        y = (w.exp() * w).sum()
        y.backward(retain_graph=True)
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        gc.enable()


def test_create_graph_grad_chain_freed():
    # .grad built with create_graph holds a graph; clearing .grad releases it
    w = fl.randn(16, requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        (w.exp() * w).sum().backward(create_graph=True)
        node = weakref.ref(w.grad.grad_fn)
        w.grad = None
        assert node() is None
    finally:
        gc.enable()


def test_in_place_and_view_graphs_freed_without_cycle_collector():
    w = fl.randn(6, requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        y = w * 1
        v = y[2:]
        v.mul_(w[2:])
        y[0] = 3.0
        loss = (y * y).sum()
        refs = [weakref.ref(t) for t in (y, v, loss)] + [weakref.ref(loss.grad_fn),
                                                         weakref.ref(y.grad_fn)]
        loss.backward()
        del y, v, loss
        assert all(r() is None for r in refs)
    finally:
        gc.enable()
