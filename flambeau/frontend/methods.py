"""Attach the frontend functions to Tensor as methods and operators.

A method is the function of the same name with the tensor as its first argument, as
in PyTorch; in-place methods (``add_``) come from the out-of-place ones.
"""

from __future__ import annotations

from . import elementwise as E
from . import indexing as I
from . import inplace, linalg, random, reductions, shape_ops
from .tensor import Tensor

_MODULES = (E, reductions, shape_ops, I, linalg)

_METHODS = (
    # elementwise
    E._UNARY + E._BINARY + tuple(E._ALIASES) + (
        "rsub", "round", "nan_to_num", "square", "positive", "where", "clamp", "clip",
        "clamp_min", "clamp_max", "lerp", "float_power", "isclose", "allclose", "equal",
        "subtract", "divide", "true_divide")
    + tuple(reductions.__all__) + tuple(shape_ops.__all__)
    + ("gather", "scatter", "scatter_add", "index_select", "masked_fill", "masked_select",
       "nonzero", "sort", "argsort", "topk", "unique", "take_along_dim", "argwhere",
       "index_put")
    + ("matmul", "mm", "bmm", "mv", "dot", "inner", "outer", "ger")
)


def _lookup(name: str):
    for mod in _MODULES:
        fn = getattr(mod, name, None)
        if fn is not None:
            return fn
    raise AttributeError(name)


def _where_method(self, condition, other):
    """``x.where(condition, y)``: elements of ``x`` where ``condition`` holds, else
    of ``y`` (``fl.where(condition, x, y)``)."""
    return E.where(condition, self, other)


def _attach() -> None:
    for name in _METHODS:
        if name in ("where",):
            continue
        setattr(Tensor, name, _lookup(name))
    Tensor.where = _where_method
    Tensor.T = property(lambda self: shape_ops.permute(self, *reversed(range(self.dim()))))
    Tensor.mT = property(lambda self: shape_ops.transpose(self, -2, -1))
    Tensor.H = Tensor.T
    Tensor.mH = Tensor.mT

    for name in inplace.INPLACE_OF:
        setattr(Tensor, name + "_", inplace.make_inplace(_lookup(name), name + "_"))
    Tensor.copy_ = inplace.copy_
    Tensor.fill_ = inplace.fill_
    Tensor.zero_ = inplace.zero_
    Tensor.uniform_ = random.uniform_
    Tensor.normal_ = random.normal_
    Tensor.bernoulli_ = random.bernoulli_
    Tensor.bernoulli = random.bernoulli
    Tensor.multinomial = random.multinomial
    Tensor.__getitem__ = I.getitem
    Tensor.__setitem__ = I.setitem
    Tensor.new_tensor = lambda self, data, *, dtype=None, device=None, \
        requires_grad=False: _creation().tensor(
            data, dtype=dtype or self._dtype,
            device=device if device is not None else self._device,
            requires_grad=requires_grad)
    for kind in ("zeros", "ones", "empty"):  # new_zeros, new_ones, new_empty
        setattr(Tensor, f"new_{kind}", _new_like(kind))
    Tensor.new_tensor.__doc__ = ("A copy of ``data`` as a tensor with this tensor's dtype "
                                 "and device unless given.")
    Tensor.new_full = lambda self, size, fill_value, *, dtype=None, device=None, \
        requires_grad=False: _creation().full(
            size, fill_value, dtype=dtype or self._dtype,
            device=device if device is not None else self._device,
            requires_grad=requires_grad)
    Tensor.new_full.__doc__ = ("A tensor of ``size`` filled with ``fill_value``, with this "
                               "tensor's dtype and device unless given.")
    _operators()


def _creation():
    from . import creation
    return creation


def _new_like(kind: str):
    def method(self, *size, dtype=None, device=None, requires_grad=False):
        return getattr(_creation(), kind)(*size, dtype=dtype or self._dtype,
                                          device=device if device is not None
                                          else self._device, requires_grad=requires_grad)
    method.__name__ = f"new_{kind}"
    method.__doc__ = (f"A tensor like ``fl.{kind}(*size)``, with this tensor's dtype and "
                      f"device unless given.")
    return method


def _reflected(fn):
    def method(self, other):
        return fn(other, self)
    return method


def _operators() -> None:
    T = Tensor
    T.__add__ = T.__radd__ = E._add
    T.__sub__ = E._sub
    T.__rsub__ = _reflected(E._sub)
    T.__mul__ = T.__rmul__ = E._mul
    T.__truediv__ = E._div
    T.__rtruediv__ = _reflected(E._div)
    T.__floordiv__ = E.floor_divide
    T.__rfloordiv__ = _reflected(E.floor_divide)
    T.__mod__ = E.remainder
    T.__rmod__ = _reflected(E.remainder)
    T.__pow__ = E.pow
    T.__rpow__ = _reflected(E.pow)
    T.__matmul__ = linalg.matmul
    T.__rmatmul__ = _reflected(linalg.matmul)
    T.__and__ = T.__rand__ = E.bitwise_and
    T.__or__ = T.__ror__ = E.bitwise_or
    T.__xor__ = T.__rxor__ = E.bitwise_xor
    T.__lshift__ = E.bitwise_left_shift
    T.__rlshift__ = _reflected(E.bitwise_left_shift)
    T.__rshift__ = E.bitwise_right_shift
    T.__rrshift__ = _reflected(E.bitwise_right_shift)
    T.__eq__ = E.eq
    T.__ne__ = E.ne
    T.__lt__ = E.lt
    T.__le__ = E.le
    T.__gt__ = E.gt
    T.__ge__ = E.ge
    T.__neg__ = E.neg
    T.__pos__ = E.positive
    T.__abs__ = E.abs
    T.__invert__ = E.bitwise_not
    for op, name in (("add", "__iadd__"), ("sub", "__isub__"), ("mul", "__imul__"),
                     ("div", "__itruediv__"), ("floor_divide", "__ifloordiv__"),
                     ("remainder", "__imod__"), ("pow", "__ipow__"),
                     ("bitwise_and", "__iand__"), ("bitwise_or", "__ior__"),
                     ("bitwise_xor", "__ixor__")):
        setattr(T, name, inplace.make_inplace(getattr(E, op), op + "_", name))


_attach()
