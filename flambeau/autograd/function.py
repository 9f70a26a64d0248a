"""Custom differentiable functions: subclass ``Function`` with static ``forward`` and
``backward``, call ``MyFn.apply(...)``.

Example::

    class Square(fl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad
"""

from __future__ import annotations

from ..dispatcher.shapes import broadcast_shapes
from ..frontend.grad_mode import STATE, no_grad
from ..frontend.tensor import Tensor
from .node import Node, SavedTensor, edge_of

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """The ``ctx`` passed to ``forward`` and ``backward``."""

    def __init__(self, needs_input_grad: tuple):
        self.needs_input_grad = needs_input_grad
        self._saved = ()
        self._non_differentiable = set()
        self._materialize = True
        self._node = None

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors for ``backward``; in-place changes to them are caught."""
        self._saved = tuple(SavedTensor(t) if isinstance(t, Tensor) else t
                            for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        if self._saved is None:
            raise RuntimeError("saved tensors were freed after backward; pass "
                               "retain_graph=True to backward twice")
        return tuple(s.unpack(self._node) if isinstance(s, SavedTensor) else s
                     for s in self._saved)

    def mark_non_differentiable(self, *tensors) -> None:
        """Declare outputs that get no gradient (indices, masks)."""
        self._non_differentiable.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """Whether ``backward`` receives zeros (True, default) or None for outputs that
        got no gradient."""
        self._materialize = bool(value)

    def mark_dirty(self, *tensors) -> None:
        """Accepted for compatibility: in-place outputs are handled like new ones."""


class FunctionNode(Node):
    __slots__ = ("cls", "ctx", "meta", "out_meta", "released")

    def __init__(self, cls, ctx, next_functions, meta):
        self.cls, self.ctx = cls, ctx
        self.next_functions = next_functions
        self.meta = meta
        self.out_meta = ()
        self.released = False
        self.pre_hooks = None
        self.retain_refs = None

    def name(self) -> str:
        return f"{self.cls.__name__}Backward"

    def apply(self, grads):
        if self.released:
            raise RuntimeError("Trying to backward through the graph a second time; "
                               "specify retain_graph=True")
        grads = [grads.get(i) for i in range(len(self.out_meta))]
        if self.ctx._materialize:
            grads = [g if g is not None else _zeros(m) for g, m in zip(grads, self.out_meta)]
        res = self.cls.backward(self.ctx, *grads)
        res = res if isinstance(res, tuple) else (res,)
        n = len(self.next_functions)
        if len(res) > n and all(g is None for g in res[n:]):
            res = res[:n]  # trailing Nones are allowed, as in PyTorch
        if len(res) != n:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {n}, got {len(res)})")
        for i, (g, m) in enumerate(zip(res, self.meta)):
            if g is not None and m is not None and not _sums_to(g._data.shape, m[0]):
                raise RuntimeError(f"function {self.name()} returned an invalid gradient at "
                                   f"index {i} - got {list(g._data.shape)} but expected "
                                   f"shape compatible with {list(m[0])}")
        return res

    def release(self) -> None:
        self.ctx._saved = None
        self.released = True


def _sums_to(gshape, shape) -> bool:
    """Whether a gradient of ``gshape`` sums down to an input of ``shape`` (the input
    broadcasts to it)."""
    if gshape == shape:
        return True
    try:
        return broadcast_shapes(shape, gshape) == gshape
    except RuntimeError:
        return False


def _zeros(meta):
    from ..frontend.creation import zeros
    shape, dtype, device = meta
    return zeros(shape, dtype=dtype, device=device)


class Function:
    """Base class for custom autograd operations (PyTorch's ``torch.autograd.Function``).

    Subclasses define ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` as
    static methods; ``backward`` returns one gradient (or None) per ``forward`` input.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("subclasses of Function must implement forward")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("subclasses of Function must implement backward")

    @classmethod
    def apply(cls, *args, **kwargs):
        tensors = [a for a in args if isinstance(a, Tensor)]
        recording = STATE.enabled and any(t._requires_grad for t in tensors)
        ctx = FunctionCtx(tuple(isinstance(a, Tensor) and a._requires_grad for a in args))
        with no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        if not recording:
            return out
        outs = out if isinstance(out, tuple) else (out,)
        node = FunctionNode(cls, ctx,
                            tuple(edge_of(a) if isinstance(a, Tensor) else (None, 0)
                                  for a in args),
                            tuple((a._data.shape, a._dtype) if isinstance(a, Tensor)
                                  else None for a in args))
        ctx._node = node
        node.out_meta = tuple((o._data.shape, o._dtype, o._device)
                              if isinstance(o, Tensor) else None for o in outs)
        wrapped = []
        for i, o in enumerate(outs):
            if isinstance(o, Tensor) and id(o) not in ctx._non_differentiable \
                    and o._dtype.is_floating_point:
                if any(o is a for a in args):
                    o = o.detach()  # an input returned as is becomes a new output
                o.grad_fn, o._output_nr, o._requires_grad = node, i, True
            wrapped.append(o)
        return tuple(wrapped) if isinstance(out, tuple) else wrapped[0]
