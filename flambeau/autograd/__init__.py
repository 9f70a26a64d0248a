"""Automatic differentiation, as a layer of the dispatcher.

``fl.autograd.backward`` / ``fl.autograd.grad`` run the engine; ``Function`` makes
custom ops; ``gradcheck`` / ``gradgradcheck`` compare against finite differences.
Importing this package installs the layer, the derivative formulas and the Tensor
methods (``backward``, ``register_hook``, ...).
"""

from __future__ import annotations

import weakref
from ..dispatcher import dispatch
from ..dispatcher.layers import push_layer
from ..dispatcher.optable import OPS
from ..frontend.grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                                  set_grad_enabled)
from ..frontend.tensor import Tensor
from . import derivatives, layer
from .engine import run_backward
from .function import Function, FunctionCtx
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .node import RemovableHandle, accumulator

_FULL = OPS["full"]

__all__ = ["backward", "grad", "Function", "FunctionCtx", "gradcheck", "gradgradcheck",
           "GradcheckError", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled"]


def _as_list(x) -> list:
    if x is None:
        return []
    return [x] if isinstance(x, Tensor) else list(x)


def _seed_grads(outputs, grad_outputs, op: str) -> list:
    grads = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"{op}: got {len(grads)} gradients for {len(outputs)} outputs")
    seeded = []
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if not o._requires_grad:
            raise RuntimeError(f"{op}: element {i} of tensors does not require grad and "
                               f"does not have a grad_fn")
        if g is None:
            if o.numel() != 1:
                raise RuntimeError(f"{op}: grad can be implicitly created only for scalar "
                                   f"outputs (output {i} has shape {list(o.shape)}); pass "
                                   f"a gradient tensor")
            g = dispatch.create(_FULL, o._dtype, o._device, shape=o._data.shape,
                                fill_value=1)
        elif not isinstance(g, Tensor):
            from ..frontend.creation import tensor
            g = tensor(g, dtype=o.dtype, device=o.device)
        elif g.shape != o.shape:
            raise RuntimeError(f"{op}: Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{list(g.shape)} and output[{i}] has a shape of "
                               f"{list(o.shape)}")
        seeded.append(g)
    return seeded


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs=None) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves.

    Args:
        tensors: outputs to differentiate.
        grad_tensors: the gradient of each output (may be omitted for scalars).
        retain_graph: keep saved tensors for another backward (default:
            ``create_graph``).
        create_graph: record the backward pass for higher-order gradients.
        inputs: accumulate only into these tensors' ``.grad``.
    """
    outputs = _as_list(tensors)
    grads = _seed_grads(outputs, grad_tensors, "backward")
    retain = create_graph if retain_graph is None else retain_graph
    ins = _as_list(inputs) if inputs is not None else None
    if ins is not None and not ins:
        raise RuntimeError("backward: inputs argument passed to backward() cannot be empty")
    run_backward(outputs, grads, retain, create_graph, inputs=ins)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None,
         materialize_grads: bool = False) -> tuple:
    """Gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``.

    Example::

        >>> x = fl.tensor(3.0, requires_grad=True)
        >>> fl.autograd.grad(x ** 2, x)
        (tensor(6.),)
    """
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    for i, t in enumerate(ins):
        if not t._requires_grad:
            raise RuntimeError(f"grad: One of the differentiated Tensors (input {i}) does "
                               f"not require grad")
    grads = _seed_grads(outs, grad_outputs, "grad")
    retain = create_graph if retain_graph is None else retain_graph
    result = run_backward(outs, grads, retain, create_graph, inputs=ins, accumulate=False)
    if materialize_grads:
        allow_unused = True
    for i, g in enumerate(result):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"grad: One of the differentiated Tensors (input {i}) "
                                   f"appears to not have been used in the graph. Set "
                                   f"allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                result[i] = ins[i].detach().new_zeros(ins[i].shape)
    return tuple(result)


# --- Tensor methods ---------------------------------------------------------------------
def _tensor_backward(self, gradient=None, retain_graph=None, create_graph=False,
                     inputs=None) -> None:
    """Compute the gradient of this tensor with respect to the graph leaves; see
    :func:`flambeau.autograd.backward`."""
    backward(self, gradient, retain_graph, create_graph, inputs)


def _register_hook(self, hook) -> RemovableHandle:
    """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
    replaces the gradient. Returns a handle with ``remove()``."""
    if not self._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                           "gradient")
    if self.grad_fn is not None:
        return self.grad_fn.add_pre_hook(self._output_nr, hook)
    if self._hooks is None:
        self._hooks = []
    self._hooks.append(hook)
    accumulator(self).pre_hooks = {0: self._hooks}  # also for a graph already recorded
    return RemovableHandle(self._hooks, hook)


def _register_post_accumulate_grad_hook(self, hook) -> RemovableHandle:
    """Call ``hook(tensor)`` after ``.grad`` of this leaf is accumulated in backward."""
    if self.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                           "tensors")
    if not self._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                           "gradient")
    if self._post_hooks is None:
        self._post_hooks = []
    self._post_hooks.append(hook)
    return RemovableHandle(self._post_hooks, hook)


def _retain_grad(self) -> None:
    """Keep ``.grad`` for this non-leaf tensor after backward."""
    if not self._requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if self.grad_fn is None or self._retains_grad:
        return
    node = self.grad_fn
    if node.retain_refs is None:
        node.retain_refs = {}
    node.retain_refs[self._output_nr] = weakref.ref(self)
    self._retains_grad = True


def _install() -> None:
    derivatives.install()
    push_layer(layer.AutogradLayer())
    Tensor._output_nr = 0
    Tensor.backward = _tensor_backward
    Tensor.register_hook = _register_hook
    Tensor.register_post_accumulate_grad_hook = _register_post_accumulate_grad_hook
    Tensor.retain_grad = _retain_grad
    Tensor.retains_grad = property(lambda self: self._retains_grad)
    Tensor.output_nr = property(lambda self: self._output_nr)


_install()

