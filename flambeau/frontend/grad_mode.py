"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

Thread-local like PyTorch's; each works as a context manager and as a decorator.
"""

from __future__ import annotations

import functools
import threading

__all__ = ["is_grad_enabled", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_inference_mode_enabled", "STATE"]


class _State(threading.local):
    enabled = True
    inference = False


STATE = _State()


def is_grad_enabled() -> bool:
    """Whether ops on tensors that require grad are being recorded (this thread)."""
    return STATE.enabled


def is_inference_mode_enabled() -> bool:
    """Whether ``inference_mode`` is on (this thread)."""
    return STATE.inference


class _Mode:
    """Base for the grad-mode context managers: also usable as decorators."""

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args):
                return fn(*args, **kwargs)
        return wrapper

    _args: tuple = ()

    def __enter__(self):
        self._prev = (STATE.enabled, STATE.inference)
        self._apply()
        return self

    def __exit__(self, *exc):
        STATE.enabled, STATE.inference = self._prev
        return False


class no_grad(_Mode):
    """Context manager / decorator that turns off recording for autograd.

    Example::

        >>> with fl.no_grad():
        ...     y = x * 2          # y.requires_grad is False
    """

    def __new__(cls, orig_func=None):
        if callable(orig_func):  # used as @no_grad without parentheses
            return super().__new__(cls)(orig_func)
        return super().__new__(cls)

    def __init__(self, orig_func=None):
        pass

    def _apply(self):
        STATE.enabled = False


class enable_grad(_Mode):
    """Context manager / decorator that turns recording back on inside ``no_grad``."""

    def _apply(self):
        STATE.enabled = True


class set_grad_enabled(_Mode):
    """Turn recording on or off; works as a function call, a context manager and a
    decorator."""

    def __init__(self, mode: bool):
        self._args = (mode,)
        self._prev = (STATE.enabled, STATE.inference)
        STATE.enabled = bool(mode)

    def _apply(self):
        STATE.enabled = self._args[0]

    def __enter__(self):
        return self

    def __call__(self, fn):
        # as a decorator it must not change the mode now, only inside calls
        STATE.enabled = self._prev[0]
        return super().__call__(fn)


class inference_mode(_Mode):
    """Like ``no_grad``, for code that will never need gradients (``mode=False``
    leaves grad mode as it is)."""

    def __init__(self, mode: bool = True):
        self._args = (mode,)

    def _apply(self):
        if self._args[0]:
            STATE.enabled = False
            STATE.inference = True
