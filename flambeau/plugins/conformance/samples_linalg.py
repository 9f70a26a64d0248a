"""Linear algebra: matmul (``@``) and its 1-d/2-d/batched spellings, einsum.

Integer inputs stay small so no product overflows; float16 is compared loosely
because a device may accumulate in float16.
"""

from __future__ import annotations

import operator

import numpy as np

import flambeau as fl

from .opinfo import NUMBERS, OpInfo, Sample, Strided, Transposed, finish, make, upcast

__all__ = ["ENTRIES"]

_TOL = {"float16": (1e-2, 1e-2), "float32": (1e-5, 1e-5)}


def _mk(dtype, rng):
    def mk(shape):
        return make(shape, dtype, rng, low=-3, high=4)
    return mk


def _matmul_samples(dtype, rng):
    mk = _mk(dtype, rng)
    f = dtype.is_floating_point
    yield Sample((mk((3, 4)), mk((4, 5))), {}, "(3,4) @ (4,5)", f)
    yield Sample((mk((4,)), mk((4,))), {}, "(4,) @ (4,)", f)
    yield Sample((mk((3, 4)), mk((4,))), {}, "(3,4) @ (4,)", f)
    yield Sample((mk((4,)), mk((4, 5))), {}, "(4,) @ (4,5)", f)
    yield Sample((mk((2, 3, 4)), mk((4, 5))), {}, "batched (2,3,4) @ (4,5)", f)
    yield Sample((mk((2, 1, 3, 4)), mk((5, 4, 2))), {}, "broadcast batch dims", f)
    yield Sample((mk((3, 0)), mk((0, 4))), {}, "inner size 0 gives zeros", f)
    yield Sample((mk((0, 4)), mk((4, 2))), {}, "empty rows", f)
    yield Sample((Transposed(mk((3, 4))), mk((4, 5))), {}, "transposed lhs", f)
    yield Sample((mk((3, 4)), Transposed(mk((4, 5)))), {}, "transposed rhs", f)
    yield Sample((Strided(mk((3, 4))), mk((4, 2))), {}, "strided lhs", f)


def _linear_samples(dtype, rng):
    mk = _mk(dtype, rng)
    f = dtype.is_floating_point
    yield Sample((mk((3, 4)), mk((5, 4)), mk((5,))), {}, "(3,4) x (5,4)^T + b", f)
    yield Sample((mk((2, 3, 4)), mk((5, 4)), None), {}, "batched, no bias", f)
    yield Sample((mk((4,)), mk((2, 4)), mk((2,))), {}, "1-D input", f)
    yield Sample((Transposed(mk((3, 4))), Transposed(mk((5, 4))), mk((5,))), {},
                 "transposed input and weight", f)
    yield Sample((mk((0, 4)), mk((3, 4)), mk((3,))), {}, "empty batch", f)


def _linear_ref(x, w, b):
    return _np_linalg(lambda x, w, *b: x @ w.T + (b[0] if b else 0))(
        *((x, w) if b is None else (x, w, b)))


def _np_linalg(fn):
    """``fn`` on float64 (floats) or int64 (integers), rounded to the input dtype."""
    def ref(*xs, **kw):
        d = xs[0].dtype
        wide = [upcast(x) if d.kind == "f" else x.astype(np.int64) for x in xs]
        return finish(fn(*wide, **kw), d)
    ref.__name__ = getattr(fn, "__name__", "ref")
    return ref


def _pairs(*shape_pairs):
    def gen(dtype, rng):
        mk = _mk(dtype, rng)
        for a, b in shape_pairs:
            yield Sample((mk(a), mk(b)), {}, f"{a} {b}", dtype.is_floating_point)
        a, b = shape_pairs[0]
        if len(a) >= 1:
            yield Sample((Strided(mk(a)), mk(b)), {}, f"strided {a} {b}",
                         dtype.is_floating_point)
    return gen


def _inner(a, b):
    return np.inner(a, b)


def _outer(a, b):
    return np.outer(a, b)


_EINSUM = (
    ("ij,jk->ik", ((3, 4), (4, 5))),
    ("bij,bjk->bik", ((2, 3, 4), (2, 4, 5))),
    ("ij->ji", ((3, 4),)),
    ("ii->i", ((4, 4),)),
    ("i,i->", ((5,), (5,))),
    ("ij->", ((3, 4),)),
    ("i,j->ij", ((3,), (4,))),
    ("ij,ij->i", ((3, 4), (3, 4))),
    ("...ij,...jk->...ik", ((2, 3, 4), (2, 4, 2))),
    ("ij,jk,kl->il", ((2, 3), (3, 4), (4, 2))),
    ("ij,jk->ik", ((3, 0), (0, 2))),
)


def _einsum_samples(dtype, rng):
    mk = _mk(dtype, rng)
    for eq, shapes in _EINSUM:
        yield Sample((eq,) + tuple(mk(s) for s in shapes), {}, eq, dtype.is_floating_point)
    yield Sample(("ij,jk->ik", Transposed(mk((3, 4))), Strided(mk((4, 2)))), {},
                 "non-contiguous operands", dtype.is_floating_point)


def _einsum_ref(eq, *xs):
    d = xs[0].dtype
    wide = [upcast(x) if d.kind == "f" else x.astype(np.int64) for x in xs]
    return finish(np.einsum(eq, *wide), d)


ENTRIES = [
    OpInfo("matmul", fl.matmul, _np_linalg(np.matmul), _matmul_samples, NUMBERS,
           tol=_TOL, variants=(operator.matmul,)),
    OpInfo("mm", fl.mm, _np_linalg(np.matmul),
           _pairs(((3, 4), (4, 5)), ((1, 1), (1, 3)), ((2, 0), (0, 3))), NUMBERS,
           table_ops=("matmul",), tol=_TOL),
    OpInfo("bmm", fl.bmm, _np_linalg(np.matmul),
           _pairs(((2, 3, 4), (2, 4, 5)), ((0, 3, 4), (0, 4, 2)), ((2, 2, 3), (2, 3, 2))),
           NUMBERS,
           table_ops=("matmul",), tol=_TOL),
    OpInfo("mv", fl.mv, _np_linalg(np.matmul), _pairs(((3, 4), (4,)), ((0, 4), (4,))),
           NUMBERS, table_ops=("matmul",), tol=_TOL),
    OpInfo("dot", fl.dot, _np_linalg(np.dot), _pairs(((5,), (5,)), ((0,), (0,))),
           NUMBERS, table_ops=("matmul",), tol=_TOL),
    OpInfo("inner", fl.inner, _np_linalg(_inner),
           _pairs(((5,), (5,)), ((3, 4), (2, 4)), ((2, 3, 4), (4,))), NUMBERS,
           table_ops=("matmul",), tol=_TOL),
    OpInfo("outer", fl.outer, _np_linalg(_outer), _pairs(((3,), (4,)), ((0,), (2,))),
           NUMBERS, table_ops=("mul", "view"), tol=_TOL),
    OpInfo("einsum", fl.einsum, _einsum_ref, _einsum_samples, NUMBERS, tol=_TOL),
    OpInfo("linear", fl.nn.functional.linear, _linear_ref, _linear_samples, NUMBERS,
           tol=_TOL),
]
