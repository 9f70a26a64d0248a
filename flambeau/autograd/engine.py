"""The backward engine: walk the graph from the outputs in dependency order.

Like micrograd's ``backward()``, with three additions PyTorch users rely on:
gradients meeting at a node are summed before it runs, leaves accumulate into
``.grad`` once per backward (then post-accumulate hooks fire, which DDP uses), and
saved tensors are freed as each node finishes unless ``retain_graph`` is set.
"""

from __future__ import annotations

from ..dispatcher.dtypes import DType
from ..frontend.grad_mode import STATE
from ..frontend.tensor import Tensor
from ..frontend.inplace import accumulate_into
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


def _fit(g, meta) -> Tensor:
    shape, dtype = meta
    if g._data.shape != shape:
        g = sum_to_shape(g, shape)
    if g._dtype is not dtype and isinstance(dtype, DType):
        g = g.to(dtype)
    return g


def _run_hooks(hooks, grad):
    for hook in hooks:
        new = hook(grad)
        if new is not None:
            grad = new
    return grad


def _accumulate(node: AccumulateGrad, grad: Tensor, create_graph: bool) -> None:
    leaf = node.variable  # its tensor hooks ran already, as the node's pre-hooks
    if leaf._grad is None:
        leaf._grad = grad if create_graph else grad.detach()
        if not create_graph and grad._base is not None:
            leaf._grad = grad.clone()  # never alias another tensor's memory as .grad
    elif create_graph:
        leaf._grad = leaf._grad + grad
    else:
        accumulate_into(leaf._grad, grad)
    if leaf._post_hooks:
        for hook in leaf._post_hooks:
            hook(leaf)


def run_backward(roots, grads, retain_graph: bool, create_graph: bool, inputs=None,
                 accumulate: bool = True):
    """Backpropagate ``grads`` from ``roots``.

    Args:
        roots, grads: output tensors and their incoming gradients.
        inputs: tensors whose gradients are wanted; with ``accumulate`` they are the
            only ones whose ``.grad`` is written, without it their gradients are
            returned instead (``autograd.grad``).

    Returns:
        With ``accumulate=False``, the list of gradients for ``inputs`` (None where a
        tensor got none).
    """
    targets = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            targets.setdefault(edge_of(t), []).append(i)
    captured = [None] * (len(inputs) if inputs is not None else 0)

    # count, for every node, how many edges lead into it: a node runs when all its
    # incoming gradients have arrived
    edges = [edge_of(r) for r in roots]
    deps: dict = {}
    stack = [n for n, _ in edges if n is not None]
    seen = set(stack)
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is not None:
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)

    buffers: dict = {}
    for (node, nr), g in zip(edges, grads):
        if node is not None:
            _add_to(buffers, node, nr, g)
    ready = [n for n in dict.fromkeys(n for n, _ in edges if n is not None)
             if n not in deps]

    prev = STATE.enabled
    STATE.enabled = create_graph
    _pass_callbacks.append([])
    try:
        while ready:
            node = ready.pop()
            slots = buffers.pop(node, None) or {}
            if node.pre_hooks or node.retain_refs or targets:
                _observe(node, slots, targets, captured, inputs, accumulate, create_graph)
            if node.__class__ is AccumulateGrad:
                g = slots.get(0)
                if g is not None and accumulate and (not targets or (node, 0) in targets):
                    _accumulate(node, g, create_graph)
                continue
            if slots:
                in_grads = node.apply(slots)
                if not retain_graph:
                    node.release()
            else:
                in_grads = _NONES
            for (nxt, nr), g, meta in zip(node.next_functions, in_grads, node.meta):
                if nxt is None:
                    continue
                if g is not None:
                    if meta is not None and (g._data.shape != meta[0] or
                                             g._dtype is not meta[1]):
                        g = _fit(g, meta)
                    _add_to(buffers, nxt, nr, g)
                left = deps[nxt] - 1
                deps[nxt] = left
                if not left:
                    ready.append(nxt)
    finally:
        STATE.enabled = prev
        callbacks = _pass_callbacks.pop()
    for fn in callbacks:
        fn()
    return captured


class _Nones:
    """Endless Nones, zipped against a node's edges when no gradient reached it."""

    def __iter__(self):
        while True:
            yield None


_NONES = _Nones()


def _observe(node, slots, targets, captured, inputs, accumulate, create_graph):
    """Tensor hooks, retain_grad and gradient capture at a node about to run."""
    if node.pre_hooks and not (targets and node.__class__ is AccumulateGrad
                               and (node, 0) not in targets):  # a leaf nobody asked for
        for nr, hooks in node.pre_hooks.items():
            if nr in slots:
                slots[nr] = _run_hooks(hooks, slots[nr])
    if node.retain_refs:
        for nr, ref in node.retain_refs.items():
            t = ref()
            if t is not None and nr in slots:
                g = slots[nr] if create_graph else slots[nr].detach()
                t._grad = g if t._grad is None else t._grad + g
    if targets:
        for nr, g in slots.items():
            for i in targets.get((node, nr), ()):
                captured[i] = g
                if accumulate and node.__class__ is not AccumulateGrad:
                    _store_nonleaf(inputs[i], g, create_graph)


def _store_nonleaf(t, g, create_graph):
    g = g if create_graph else g.detach()
    t._grad = g if t._grad is None else t._grad + g


def _add_to(buffers, node, nr, g):
    slots = buffers.get(node)
    if slots is None:
        buffers[node] = {nr: g}
    elif nr in slots:
        slots[nr] = slots[nr] + g
    else:
        slots[nr] = g
