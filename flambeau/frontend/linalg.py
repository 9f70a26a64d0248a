"""Linear algebra: matmul (and ``@``), mm, bmm, mv, dot, outer, einsum."""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.optable import OPS
from ..dispatcher.shapes import broadcast_shapes
from .tensor import Tensor

_call = dispatch.call
_MATMUL = OPS["matmul"]

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "inner", "outer", "ger", "einsum"]


def _same_dtype(op: str, a: Tensor, b: Tensor) -> None:
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"{op}(): expected two tensors, got {type(a).__name__} and "
                        f"{type(b).__name__}")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"{op}(): expected both arguments to have the same dtype, but "
                           f"got {a._dtype.name} != {b._dtype.name}; convert one with "
                           f".to(dtype)")


def _show(shape) -> str:
    return "x".join(map(str, shape)) or "scalar"


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with NumPy/PyTorch rules: 1-D operands are vectors, leading
    dims broadcast as batch dims.

    Example::

        >>> fl.matmul(fl.ones(2, 3), fl.ones(3)).shape
        flambeau.Size([2])
    """
    _same_dtype("matmul", input, other)
    a, b = input._data.shape, other._data.shape
    if not a or not b:
        raise RuntimeError(f"matmul(): both arguments to matmul need to be at least 1D, "
                           f"but they are {len(a)}D and {len(b)}D")
    ka = a[-1]
    kb = b[0] if len(b) == 1 else b[-2]
    if ka != kb:
        raise RuntimeError(f"matmul(): shapes cannot be multiplied ({_show(a)} and "
                           f"{_show(b)}): the inner sizes {ka} and {kb} differ")
    if len(a) > 2 or len(b) > 2:
        broadcast_shapes(a[:-2], b[:-2], op="matmul (batch dims)")
    return _call(_MATMUL, input, other)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Product of two 2-D matrices."""
    if input.dim() != 2 or mat2.dim() != 2:
        raise RuntimeError(f"mm(): expected 2-D tensors, got {input.dim()}-D and "
                           f"{mat2.dim()}-D")
    if input._data.shape[1] != mat2._data.shape[0]:
        raise RuntimeError(f"mm(): mat1 and mat2 shapes cannot be multiplied "
                           f"({_show(input._data.shape)} and {_show(mat2._data.shape)})")
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched product of ``(b, n, m)`` and ``(b, m, p)`` tensors (no broadcasting)."""
    a, b = input._data.shape, mat2._data.shape
    if len(a) != 3 or len(b) != 3:
        raise RuntimeError(f"bmm(): batch1 and batch2 must be 3-D, got {len(a)}-D and "
                           f"{len(b)}-D")
    if a[0] != b[0] or a[2] != b[1]:
        raise RuntimeError(f"bmm(): shapes {list(a)} and {list(b)} do not match: expected "
                           f"batch sizes equal and {a[2]} == {b[1]}")
    return matmul(input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix-vector product of ``(n, m)`` and ``(m,)``."""
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"mv(): expected a 2-D matrix and a 1-D vector, got "
                           f"{input.dim()}-D and {vec.dim()}-D")
    return matmul(input, vec)


def dot(input: Tensor, other: Tensor) -> Tensor:
    """Inner product of two 1-D tensors of the same size."""
    _same_dtype("dot", input, other)
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(f"dot(): 1D tensors expected, but got {input.dim()}D and "
                           f"{other.dim()}D tensors")
    if input._data.shape != other._data.shape:
        raise RuntimeError(f"dot(): inconsistent tensor size, expected tensor "
                           f"[{input._data.shape[0]}] and src [{other._data.shape[0]}] to "
                           f"have the same number of elements")
    return matmul(input, other)


def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum over the last dims of both (a dot product for 1-D tensors)."""
    if input.dim() == 0 or other.dim() == 0:
        return input * other
    return matmul(input, other.transpose(-1, -2) if other.dim() > 1 else other)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two 1-D tensors: ``out[i, j] = input[i] * vec2[j]``."""
    if input.dim() != 1 or vec2.dim() != 1:
        raise RuntimeError(f"outer(): expected 1-D tensors, got {input.dim()}-D and "
                           f"{vec2.dim()}-D")
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, e.g. ``fl.einsum("bij,bjk->bik", a, b)``.

    Operands may also be given as one list.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError("einsum(): the first argument must be the equation string")
    for t in operands:
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): operands must be tensors, got {type(t).__name__}")
    _check_equation(equation, operands)
    for t in operands[1:]:
        _same_dtype("einsum", operands[0], t)
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    if arrow and "..." in lhs and "..." not in rhs:
        # PyTorch sums over broadcast (ellipsis) dims the output leaves out; NumPy
        # needs them named, so keep them in front and sum them away afterwards
        out = _call(OPS["einsum"], *operands, equation=f"{lhs}->...{rhs}")
        lead = out.dim() - len(rhs)
        return out.sum(tuple(range(lead))) if lead else out
    return _call(OPS["einsum"], *operands, equation=eq)


def _check_equation(equation: str, operands) -> None:
    eq = equation.replace(" ", "")
    lhs = eq.split("->")[0]
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(f"einsum(): the equation {equation!r} has {len(terms)} operand "
                           f"terms but {len(operands)} tensors were given")
    sizes: dict = {}
    for term, t in zip(terms, operands):
        shape = t._data.shape
        letters = term.replace("...", "")
        if not letters.isalpha() and letters:
            raise RuntimeError(f"einsum(): invalid subscript in {term!r}; use letters "
                               f"a-z, A-Z and '...'")
        if "..." in term:
            if len(letters) > len(shape):
                raise RuntimeError(f"einsum(): term {term!r} has more subscripts than the "
                                   f"operand's {len(shape)} dims")
            head = term.split("...")[0]
            dims = list(shape[:len(head)]) + list(shape[len(shape) - (len(letters) - len(head)):])
        else:
            if len(letters) != len(shape):
                raise RuntimeError(f"einsum(): the term {term!r} has {len(letters)} "
                                   f"subscripts but its operand has {len(shape)} dims "
                                   f"(shape {list(shape)})")
            dims = list(shape)
        for ch, n in zip(letters, dims):
            if ch in sizes and sizes[ch] != n and 1 not in (n, sizes[ch]):
                raise RuntimeError(f"einsum(): subscript {ch!r} has size {n} for an "
                                   f"operand but {sizes[ch]} for another")
            sizes[ch] = max(n, sizes.get(ch, n))
    if "->" in eq:
        for ch in eq.split("->")[1].replace("...", ""):
            if ch not in sizes:
                raise RuntimeError(f"einsum(): output subscript {ch!r} does not appear in "
                                   f"the inputs")
