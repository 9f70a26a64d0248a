"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

Each works as a context manager and as a decorator, nests, restores the previous mode
on exit (also on an exception), and is thread-local, as in PyTorch.
"""

from __future__ import annotations

import threading

import pytest

import flambeau as fl


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    assert fl.is_grad_enabled()
    yield
    enabled = fl.is_grad_enabled()
    fl.set_grad_enabled(True)  # leave the mode as found for the next test
    assert enabled, "the test left grad mode disabled"


def _leaf():
    return fl.tensor([1.0, 2.0], requires_grad=True)


def test_default_is_enabled_and_records():
    assert fl.is_grad_enabled()
    assert (_leaf() * 2).requires_grad


def test_no_grad_context_manager():
    x = _leaf()
    with fl.no_grad():
        assert not fl.is_grad_enabled()
        y = x * 2
    assert fl.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert (x * 2).requires_grad


def test_no_grad_decorator():
    @fl.no_grad()
    def double(t):
        assert not fl.is_grad_enabled()
        return t * 2

    assert not double(_leaf()).requires_grad
    assert fl.is_grad_enabled()


def test_no_grad_decorator_without_parentheses():
    @fl.no_grad
    def double(t):
        assert not fl.is_grad_enabled()
        return t * 2

    assert not double(_leaf()).requires_grad
    assert fl.is_grad_enabled()


def test_decorator_keeps_name_and_doc():
    @fl.no_grad()
    def f():
        """doc"""

    assert f.__name__ == "f" and f.__doc__ == "doc"


def test_enable_grad_inside_no_grad():
    x = _leaf()
    with fl.no_grad():
        with fl.enable_grad():
            assert fl.is_grad_enabled()
            y = x * 2
        assert not fl.is_grad_enabled()
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_enable_grad_decorator_inside_no_grad():
    @fl.enable_grad()
    def double(t):
        return t * 2

    with fl.no_grad():
        y = double(_leaf())
        assert not fl.is_grad_enabled()
    assert y.requires_grad


def test_nesting_restores_each_level():
    states = []
    with fl.no_grad():
        states.append(fl.is_grad_enabled())
        with fl.enable_grad():
            states.append(fl.is_grad_enabled())
            with fl.no_grad():
                states.append(fl.is_grad_enabled())
            states.append(fl.is_grad_enabled())
        states.append(fl.is_grad_enabled())
    states.append(fl.is_grad_enabled())
    assert states == [False, True, False, True, False, True]


def test_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with fl.no_grad():
            raise ValueError
    assert fl.is_grad_enabled()

    @fl.no_grad()
    def boom():
        raise ValueError

    with pytest.raises(ValueError):
        boom()
    assert fl.is_grad_enabled()


def test_set_grad_enabled_as_function():
    fl.set_grad_enabled(False)
    try:
        assert not fl.is_grad_enabled()
        assert not (_leaf() * 2).requires_grad
    finally:
        fl.set_grad_enabled(True)
    assert fl.is_grad_enabled()


@pytest.mark.parametrize("mode", [False, True])
def test_set_grad_enabled_as_context_manager(mode):
    with fl.no_grad():
        with fl.set_grad_enabled(mode):
            assert fl.is_grad_enabled() is mode
            y = _leaf() * 2
        assert not fl.is_grad_enabled()
    assert y.requires_grad is mode


def test_set_grad_enabled_as_decorator():
    try:
        @fl.set_grad_enabled(False)
        def double(t):
            assert not fl.is_grad_enabled()
            return t * 2

        # decorating must not change the mode (PyTorch restores it in __call__)
        assert fl.is_grad_enabled()
        assert not double(_leaf()).requires_grad
        assert fl.is_grad_enabled()
    finally:
        fl.set_grad_enabled(True)


def test_inference_mode():
    x = _leaf()
    with fl.inference_mode():
        assert not fl.is_grad_enabled()
        assert fl.is_inference_mode_enabled()
        y = x * 2
    assert fl.is_grad_enabled() and not fl.is_inference_mode_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_inference_mode_false_leaves_grad_mode_alone():
    with fl.inference_mode(False):
        assert fl.is_grad_enabled()
        assert (_leaf() * 2).requires_grad
    with fl.no_grad(), fl.inference_mode(False):
        assert not fl.is_grad_enabled()


def test_inference_mode_decorator():
    @fl.inference_mode()
    def double(t):
        assert fl.is_inference_mode_enabled()
        return t * 2

    assert not double(_leaf()).requires_grad
    assert not fl.is_inference_mode_enabled()


def test_backward_works_under_no_grad():
    # backward itself ignores the ambient mode; only recording is affected
    x = _leaf()
    y = (x * x).sum()
    with fl.no_grad():
        y.backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_grad_mode_is_thread_local():
    seen = {}

    def worker():
        seen["enabled"] = fl.is_grad_enabled()
        seen["records"] = (_leaf() * 2).requires_grad
        with fl.no_grad():
            seen["inner"] = fl.is_grad_enabled()

    with fl.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not fl.is_grad_enabled()  # the thread's no_grad did not leak here
    assert seen == {"enabled": True, "records": True, "inner": False}


def test_thread_no_grad_does_not_affect_main():
    started, release = threading.Event(), threading.Event()

    def worker():
        with fl.no_grad():
            started.set()
            release.wait(5)

    t = threading.Thread(target=worker)
    t.start()
    started.wait(5)
    try:
        assert fl.is_grad_enabled()
        assert (_leaf() * 2).requires_grad
    finally:
        release.set()
        t.join()
