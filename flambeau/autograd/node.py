"""Graph nodes: what autograd records for each differentiable op.

A :class:`Node` is a tensor's ``grad_fn``. It holds the derivative formula, the
tensors the formula asked for (checked against in-place writes through version
counters), and ``next_functions``: for each input, the node its gradient flows to.
Leaves that require grad get one :class:`AccumulateGrad` node each, which writes
``.grad``. Nodes never hold their own outputs, so a finished graph frees itself.
"""

from __future__ import annotations

import weakref

from ..dispatcher import dispatch

__all__ = ["Node", "AccumulateGrad", "SavedTensor", "RemovableHandle", "accumulator",
           "edge_of"]

_RELEASED = ("Trying to backward through the graph a second time (or directly access "
             "saved tensors after they have already been freed). Saved intermediate values "
             "of the graph are freed when you call .backward() or autograd.grad(). Specify "
             "retain_graph=True if you need to backward through the graph a second time "
             "or if you need to access saved tensors after calling backward.")


class RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` takes the hook away."""

    def __init__(self, hooks: list, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class SavedTensor:
    """A tensor saved for backward, with the version it had when saved.

    An op's output is saved as its native data plus a weak reference to its memory's
    root, never as the tensor itself, so the output -> node -> output cycle never forms.
    """

    __slots__ = ("tensor", "data", "dtype", "device", "root", "version", "is_output")

    def __init__(self, t, is_output: bool = False):
        root = t._base if t._base is not None else t
        self.version = root._version
        self.is_output = is_output
        if is_output:
            self.tensor = None
            self.data, self.dtype, self.device = t._data, t._dtype, t._device
            self.root = weakref.ref(root)
        else:
            self.tensor = t
            self.root = root

    def unpack(self, node: Node):
        root = self.root() if self.is_output else self.root
        if root is not None and root._version != self.version:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified "
                f"by an inplace operation: [{self._describe()}], which is "
                f"{'output' if self.is_output else 'an input'} of {node.name()}, is at "
                f"version {root._version}; expected version {self.version} instead. "
                f"Hint: clone() the tensor before modifying it in place, or do the "
                f"in-place update out of place.")
        if not self.is_output:
            return self.tensor
        t = dispatch.wrap(self.data, self.dtype, self.device)
        t.grad_fn = node  # so formulas that use the output stay differentiable
        t._output_nr = 0
        t._requires_grad = True
        return t

    def _describe(self) -> str:
        d = self.dtype if self.is_output else self.tensor._dtype
        shape = self.data.shape if self.is_output else self.tensor._data.shape
        return f"flambeau.{d.name}{list(shape)}"


class Node:
    """A recorded op: ``apply(grad)`` returns one gradient per input.

    Attributes:
        next_functions: for each input, ``(node, output_nr)`` or ``(None, 0)``.
    """

    __slots__ = ("next_functions", "pre_hooks", "retain_refs", "__weakref__")

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    def register_hook(self, fn) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` after the node runs (kept for parity)."""
        raise NotImplementedError(f"{self.name()}.register_hook is not supported; use "
                                  f"Tensor.register_hook")

    def add_pre_hook(self, output_nr: int, fn) -> RemovableHandle:
        if self.pre_hooks is None:
            self.pre_hooks = {}
        hooks = self.pre_hooks.setdefault(output_nr, [])
        hooks.append(fn)
        return RemovableHandle(hooks, fn)


class OpNode(Node):
    """The node of an op from the op table."""

    __slots__ = ("op", "formula", "saved", "params", "meta", "released", "n_inputs")

    def __init__(self, op, formula, next_functions, meta, params):
        self.op = op
        self.formula = formula
        self.next_functions = next_functions
        self.meta = meta  # per input: (shape, dtype) or None for non-tensors
        self.params = params
        self.saved = None
        self.released = False
        self.pre_hooks = None
        self.retain_refs = None

    def name(self) -> str:
        return self.formula.node_name

    def apply(self, grads: dict) -> tuple:
        if self.released:
            raise RuntimeError(_RELEASED)
        return self.formula.run(self, grads[0])

    def release(self) -> None:
        self.saved = None
        self.released = True


class AccumulateGrad(Node):
    """The node of a leaf: sums incoming gradients into ``leaf.grad``."""

    __slots__ = ("variable", "meta")

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()
        self.meta = ()
        # the leaf's own hook list: they run before its gradient is captured or summed
        self.pre_hooks = {0: variable._hooks} if variable._hooks else None
        self.retain_refs = None

    def release(self) -> None:
        pass


def accumulator(leaf) -> AccumulateGrad:
    """The one AccumulateGrad of ``leaf`` (the leaf only points to it weakly)."""
    ref = leaf.__dict__.get("_accum_ref")
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(leaf)
        leaf._accum_ref = weakref.ref(node)
    return node


def edge_of(t) -> tuple:
    """Where the gradient of tensor ``t`` goes: ``(node, output_nr)``."""
    fn = t.grad_fn
    if fn is not None:
        base = t._base
        if base is not None and t.__dict__.get("_grad_version", base._version) != \
                base._version:
            # a view whose base was written in place after its grad_fn was recorded
            from .layer import refresh_view
            fn = refresh_view(t)
        return (fn, t._output_nr)
    if t._requires_grad:
        ref = t.__dict__.get("_accum_ref")
        node = ref() if ref is not None else None
        return (node if node is not None else accumulator(t), 0)
    return _NO_EDGE


_NO_EDGE = (None, 0)
