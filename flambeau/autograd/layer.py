"""Autograd as a dispatch layer: run the op below, then record a graph node.

The layer wants an op only when grad mode is on and an input requires grad; backends
never see it. In-place writes (every in-place row: ``copy_``, ``setitem_``, the fused
``add_``...) and device transfers are recorded here too.
"""

from __future__ import annotations

import weakref

from ..dispatcher import dispatch
from ..frontend.grad_mode import STATE, no_grad
from ..dispatcher.optable import OPS
from ..frontend.shape_ops import expand
from ..frontend.tensor import Tensor
from .node import Node, OpNode, edge_of

_NO_EDGE = (None, 0)
_CAST, _COPY, _FULL, _MUL = OPS["cast"], OPS["copy_"], OPS["full"], OPS["mul"]
_INDEX_PUT = OPS["index_put"]

__all__ = ["AutogradLayer", "record_write", "refresh_view"]


class AutogradLayer:
    """Records graph nodes; wants an op only when grad mode is on and an input
    requires grad (so the dispatcher's short paths may skip it and call
    :meth:`record` themselves)."""

    requires_grad_only = True

    def wants(self, op, inputs) -> bool:
        if not STATE.enabled:
            return False
        for t in inputs:
            if getattr(t, "_requires_grad", False):
                return True
        return False

    def handle(self, op, inputs, params, redispatch):
        if op.kind == "inplace":
            return record_write(op, inputs, params, redispatch)
        out = redispatch()
        if op is dispatch.TRANSFER:
            t = inputs[0]
            if t._dtype.category >= 2:
                out.grad_fn = ToDeviceNode(edge_of(t), t._device, t._data.shape, t._dtype)
                out._requires_grad = True
            return out
        self.record(op, inputs, params, out)
        return out

    def record(self, op, inputs, params, out) -> None:
        """Attach a node for ``op`` to ``out`` when grad mode is on and the op is
        differentiable with a floating-point output."""
        formula = op.backward
        if formula is None or not STATE.enabled:
            return
        first = out[0] if out.__class__ is tuple else out
        if first._dtype.category < 2:
            return  # integer and bool outputs are not differentiable
        nexts = []
        meta = []
        for x in inputs:
            if isinstance(x, Tensor):
                nexts.append(edge_of(x))
                meta.append((x._data.shape, x._dtype))
            else:
                nexts.append(_NO_EDGE)
                meta.append(None)
        node = OpNode(op, formula, nexts, meta, params)
        formula.save(node, inputs, out)
        first.grad_fn = node
        first._requires_grad = True
        if op.kind == "view":  # a view's grad_fn holds until its base is written in place
            src = inputs[0]
            first._grad_version = (src._base if src._base is not None else src)._version


class ToDeviceNode(Node):
    """Gradient of a device transfer: the gradient moved back."""

    __slots__ = ("device", "meta")

    def __init__(self, edge, device, shape, dtype):
        self.next_functions = (edge,)
        self.device = device
        self.meta = ((shape, dtype),)
        self.pre_hooks = None
        self.retain_refs = None

    def name(self) -> str:
        return "ToCopyBackward0"

    def apply(self, grads):
        return (grads[0].to(self.device),)  # grads: {output_nr: gradient}

    def release(self) -> None:
        pass


class CopySlicesNode(Node):
    """An in-place write through a view: the root's new value is the old root with the
    view's region replaced by the written result."""

    __slots__ = ("chain", "meta")

    def __init__(self, root_edge, result_edge, chain, root, result):
        self.next_functions = (root_edge, result_edge)
        self.chain = chain
        self.meta = ((root._data.shape, root._dtype), (result._data.shape, result._dtype))
        self.pre_hooks = None
        self.retain_refs = None

    def name(self) -> str:
        return "CopySlices"

    def apply(self, grads):
        g = grads[0]
        region = replay(self.chain, g).clone()
        old = None
        if self.next_functions[0][0] is not None and g._dtype.category == 3:
            # complex: the view may be a part (.real, .imag) that no elementwise mask
            # selects, so zero the written region of a copy through the view itself
            # (recorded like any write through a view, so create_graph still works)
            old = g.clone()
            replay(self.chain, old).zero_()
        elif self.next_functions[0][0] is not None:
            # the old root gets no gradient where the write replaced it; a constant
            # mask keeps this differentiable for create_graph
            with no_grad():
                mask = g.detach().new_ones(g.shape)
                replay(self.chain, mask).zero_()
            old = g * mask
        return (old, region)

    def release(self) -> None:
        pass


def replay(chain, t):
    """Apply the recorded view ops of ``chain`` to ``t``."""
    for op, params in chain:
        t = dispatch.call(op, t, **params)
    return t


def _written_value(op, dst, src, params):
    """The value an in-place row leaves in ``dst``, computed out of place so autograd
    records it; from a copy of ``dst``, whose old value a formula may save."""
    name = op.name
    if name == "copy_":
        if src._dtype is not dst._dtype:
            src = dispatch.call(_CAST, src, dtype=dst._dtype)
        return expand(src, dst._data.shape)
    if not isinstance(src, Tensor):
        src = dispatch.create(_FULL, dst._dtype, dst._device, shape=(), fill_value=src)
    if name == "setitem_":
        return dispatch.call(_INDEX_PUT, dst.clone(), src, index=params["index"],
                             accumulate=False)
    alpha = params.get("alpha", 1)
    if alpha != 1:
        src = dispatch.call(_MUL, src, alpha)
    return dispatch.call(OPS[name[:-1]], dst.clone(), src)  # add_ -> add, ...


def record_write(op, inputs, params, redispatch):
    """An in-place row under autograd: compute the written value out of place
    (recorded), write it with ``copy_`` below this layer, and rewire the graph so the
    destination (or the root it is a view of) now comes from that value."""
    dst = inputs[0]
    chain = dst.__dict__.get("_view_chain")  # set only on differentiable views
    root = dst._base if chain is not None else dst
    if root is not dst and root._requires_grad and root.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                           "an in-place operation; operate on a clone or under "
                           "fl.no_grad()")
    result = _written_value(op, dst, inputs[1], params)
    redispatch(_COPY, (dst, result.detach()), {})
    if root is dst:
        _rebase(dst, result.grad_fn, result._output_nr)
        return dst
    node = CopySlicesNode(edge_of(root), edge_of(result), chain, root, result)
    _rebase(root, node, 0)
    fresh = replay(chain, _graph_alias(root))
    _rebase(dst, fresh.grad_fn, fresh._output_nr)
    dst._grad_version = root._version
    return dst


def refresh_view(view):
    """The grad_fn of a view whose base was written in place after the view's grad_fn
    was recorded: the view ops replayed on the base as it is now (PyTorch regenerates
    it the same way). Other views of the base see the write through this."""
    root = view._base
    prev = STATE.enabled
    STATE.enabled = True
    try:
        fresh = replay(view._view_chain, root)
    finally:
        STATE.enabled = prev
    _rebase(view, fresh.grad_fn, fresh._output_nr)
    view._grad_version = root._version
    return view.grad_fn


def _rebase(t, fn, output_nr) -> None:
    """Point ``t`` at a new grad_fn; its retain_grad moves along, as in PyTorch."""
    if t._retains_grad and fn is not None:
        old = t.grad_fn
        refs = old.retain_refs if old is not None else None
        if refs and refs.get(t._output_nr) is not None and refs[t._output_nr]() is t:
            del refs[t._output_nr]
        if fn.retain_refs is None:
            fn.retain_refs = {}
        fn.retain_refs[output_nr] = weakref.ref(t)
    t.grad_fn, t._output_nr, t._requires_grad = fn, output_nr, fn is not None


def _graph_alias(t):
    a = dispatch.wrap(t._data, t._dtype, t._device)
    a.grad_fn, a._output_nr, a._requires_grad = t.grad_fn, t._output_nr, t._requires_grad
    return a
