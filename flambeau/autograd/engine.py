"""The backward engine: walk the graph from the outputs in dependency order.

Like micrograd's ``backward()``, in three steps: count, for every node, the edges
that lead into it (:func:`_count_dependencies`); put the given gradients on the roots
(:func:`_seed`); then run nodes as they become ready, passing each one's gradients
to its next functions (:func:`_backprop`). A node is ready once every edge into it
has delivered, so gradients meeting at a node are summed before it runs.

What happens at a node besides running it lives in one small :class:`_Policy`:
tensor hooks and ``retain_grad``, capturing the inputs of ``autograd.grad``, and
writing leaves' ``.grad`` (once per backward; then post-accumulate hooks fire, which
DDP uses). Saved tensors are freed as each node finishes unless ``retain_graph`` is
set.
"""

from __future__ import annotations

from ..dispatcher.dtypes import DType
from ..frontend.grad_mode import STATE
from ..frontend.inplace import accumulate_into
from ..frontend.tensor import Tensor
from .node import AccumulateGrad, edge_of

__all__ = ["run_backward", "sum_to_shape", "queue_callback"]

# one list per backward pass in progress (nested passes stack): callbacks queued with
# queue_callback, run once that pass has finished
_pass_callbacks: list[list] = []


def queue_callback(fn) -> None:
    """Run ``fn()`` once the backward pass now running has finished successfully.

    Called from a hook during backward; DDP uses it to wait for its gradient
    all-reduces before ``backward()`` returns.
    """
    if not _pass_callbacks:
        raise RuntimeError("queue_callback: no backward pass is running; call it from a "
                           "hook during backward")
    _pass_callbacks[-1].append(fn)


def sum_to_shape(g: Tensor, shape: tuple) -> Tensor:
    """Sum ``g`` over the dims that broadcasting added or expanded to reach its shape."""
    gs = g._data.shape
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    dims = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape)
                                      if n == 1 and gs[i + lead] != 1)
    if dims:
        g = g.sum(dims, keepdim=True)
    if lead:
        g = g.reshape(shape)
    return g


def run_backward(roots, grads, retain_graph: bool, create_graph: bool, inputs=None,
                 accumulate: bool = True):
    """Backpropagate ``grads`` from ``roots``.

    Args:
        roots, grads: output tensors and their incoming gradients.
        retain_graph: keep saved tensors so the graph can be walked again.
        create_graph: record the backward pass itself, for higher derivatives.
        inputs: tensors whose gradients are wanted; with ``accumulate`` they are the
            only ones whose ``.grad`` is written, without it their gradients are
            returned instead (``autograd.grad``).

    Returns:
        With ``accumulate=False``, the list of gradients for ``inputs`` (None where a
        tensor got none).
    """
    policy = _Policy(inputs, accumulate, create_graph)
    edges = [edge_of(r) for r in roots]
    # a node given twice (two outputs of one node, or one root repeated) is still one
    # node: it is counted and run once, with the gradients summed
    starts = list(dict.fromkeys(n for n, _ in edges if n is not None))
    deps = _count_dependencies(starts)
    buffers = _seed(edges, grads)
    ready = [n for n in starts if n not in deps]

    prev = STATE.enabled
    STATE.enabled = create_graph  # so the gradient formulas record only when asked
    _pass_callbacks.append([])
    try:
        _backprop(ready, deps, buffers, policy, retain_graph)
    finally:
        STATE.enabled = prev
        callbacks = _pass_callbacks.pop()
    for fn in callbacks:
        fn()
    return policy.captured


def _count_dependencies(starts: list) -> dict:
    """For every node reachable from ``starts``, how many edges lead into it."""
    deps: dict = {}
    seen = set(starts)
    stack = list(starts)
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _seed(edges: list, grads) -> dict:
    """The gradient buffers at the start: each root's given gradient on its edge."""
    buffers: dict = {}
    for (node, nr), g in zip(edges, grads):
        if node is not None:
            _add_to(buffers, node, nr, g)
    return buffers


def _backprop(ready: list, deps: dict, buffers: dict, policy: _Policy,
              retain_graph: bool) -> None:
    """The main loop: run each ready node, pass its gradients on to its next functions.

    ``buffers`` maps a node to ``{output_nr: gradient}`` collected so far; a node
    becomes ready when its count in ``deps`` reaches zero.
    """
    watching = policy.targets  # read once: it is the same for the whole pass
    while ready:
        node = ready.pop()
        grads = buffers.pop(node, None) or {}
        if watching or node.pre_hooks or node.retain_refs:
            policy.observe(node, grads)
        if node.__class__ is AccumulateGrad:
            policy.write_leaf(node, grads)
            continue
        if grads:
            in_grads = node.apply(grads)
            if not retain_graph:
                node.release()
        else:
            # no gradient reached this node: it does not run, but its next functions
            # still wait for this edge, so count it as delivered (with nothing)
            in_grads = (None,) * len(node.next_functions)
        for (nxt, nr), g, meta in zip(node.next_functions, in_grads, node.meta):
            if nxt is None:
                continue
            if g is not None:
                _add_to(buffers, nxt, nr, g, meta)
            left = deps[nxt] - 1
            deps[nxt] = left
            if not left:
                ready.append(nxt)


def _add_to(buffers: dict, node, nr: int, g: Tensor, meta=None) -> None:
    """Add ``g`` to the buffered gradient of ``node``'s output ``nr``.

    ``meta`` is the ``(shape, dtype)`` of the input that output fed, if known; a
    gradient that came out broadcast or in another dtype is brought back to it.
    """
    if meta is not None and (g._data.shape != meta[0] or g._dtype is not meta[1]):
        g = _fit(g, meta)
    slots = buffers.get(node)
    if slots is None:
        buffers[node] = {nr: g}
    elif nr in slots:
        slots[nr] = slots[nr] + g
    else:
        slots[nr] = g


def _fit(g: Tensor, meta: tuple) -> Tensor:
    shape, dtype = meta
    if g._data.shape != shape:
        g = sum_to_shape(g, shape)
    if g._dtype is not dtype and isinstance(dtype, DType):
        if g._dtype.category == 3 and dtype.category != 3:
            g = g.real  # a real input of a complex op gets the real part (PyTorch)
        g = g.to(dtype)
    return g


class _Policy:
    """What a backward pass does at a node besides running it.

    Attributes:
        targets: ``{(node, output_nr): [input indices]}`` for the tensors in
            ``inputs``; empty when every leaf is wanted (plain ``backward()``).
        captured: one gradient slot per input, filled as the pass reaches it.
    """

    __slots__ = ("inputs", "accumulate", "create_graph", "targets", "captured")

    def __init__(self, inputs, accumulate: bool, create_graph: bool):
        self.inputs, self.accumulate, self.create_graph = inputs, accumulate, create_graph
        self.targets: dict = {}
        if inputs is not None:
            for i, t in enumerate(inputs):
                self.targets.setdefault(edge_of(t), []).append(i)
        self.captured = [None] * (len(inputs) if inputs is not None else 0)

    def observe(self, node, grads: dict) -> None:
        """Tensor hooks, ``retain_grad`` and capture at a node about to run.

        Hooks may replace a gradient in ``grads``, and the node then runs on the
        replaced one.
        """
        if node.pre_hooks and self._wants(node):
            for nr, hooks in node.pre_hooks.items():
                if nr in grads:
                    grads[nr] = _run_hooks(hooks, grads[nr])
        if node.retain_refs:
            for nr, ref in node.retain_refs.items():
                t = ref()
                if t is not None and nr in grads:
                    _store(t, grads[nr], self.create_graph)
        if self.targets:
            for nr, g in grads.items():
                for i in self.targets.get((node, nr), ()):
                    self.captured[i] = g
                    if self.accumulate and node.__class__ is not AccumulateGrad:
                        _store(self.inputs[i], g, self.create_graph)  # a non-leaf input

    def write_leaf(self, node: AccumulateGrad, grads: dict) -> None:
        """Add the gradient that reached a leaf to its ``.grad``, if wanted, then fire
        its post-accumulate hooks."""
        g = grads.get(0)
        if g is None or not self.accumulate or not self._wants(node):
            return
        leaf = node.variable  # its tensor hooks ran already, as the node's pre-hooks
        if leaf._grad is None:
            if self.create_graph:
                leaf._grad = g
            elif g._base is not None:
                leaf._grad = g.clone()  # never alias another tensor's memory as .grad
            else:
                leaf._grad = g.detach()
        elif self.create_graph:
            leaf._grad = leaf._grad + g
        else:
            accumulate_into(leaf._grad, g)
        if leaf._post_hooks:
            for hook in leaf._post_hooks:
                hook(leaf)

    def _wants(self, node) -> bool:
        # with inputs given, a leaf that is not one of them is only passed through:
        # its .grad stays as it was and its hooks do not fire
        return (not self.targets or node.__class__ is not AccumulateGrad
                or (node, 0) in self.targets)


def _run_hooks(hooks, grad):
    for hook in hooks:
        new = hook(grad)
        if new is not None:
            grad = new
    return grad


def _store(t: Tensor, g: Tensor, create_graph: bool) -> None:
    """Add ``g`` to a non-leaf's ``.grad`` (retain_grad, or a ``backward(inputs=)``)."""
    g = g if create_graph else g.detach()
    t._grad = g if t._grad is None else t._grad + g
