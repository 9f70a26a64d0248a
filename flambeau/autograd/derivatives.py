"""Derivative formulas, one per differentiable row of the op table, in its order.

Each entry is ``op name -> f(g, ...)`` written with flambeau ops, so gradients run on
every backend and are themselves differentiable (``create_graph=True``). Parameter
names say what a formula uses (see :mod:`flambeau.autograd.formula`). The engine sums
each gradient back to its input's shape (undoing broadcasting) and casts it to the
input's dtype, so formulas need not.

Kept in its own module rather than inside ``dispatcher/optable.py`` so that the
dispatcher never imports the frontend; :func:`install` attaches each formula to its row.
"""

from __future__ import annotations

import importlib
import math

from ..dispatcher import dispatch
from ..dispatcher.optable import OPS
from ..frontend import elementwise as E
from .formula import Formula

__all__ = ["DERIVATIVES", "install", "unreduce"]

_LN2, _LN10 = math.log(2.0), math.log(10.0)


_VIEW, _EXPAND = OPS["view"], OPS["expand"]


def unreduce(g, dim, keepdim: bool, shape):
    """Broadcast a reduction's gradient back over the reduced ``dim`` of ``shape``."""
    shape = tuple(shape)
    if not keepdim:
        kept = tuple(1 if dim is None or i in dim else n for i, n in enumerate(shape))
        if g._data.shape != kept:
            g = dispatch.call(_VIEW, g, shape=kept)
    return dispatch.call(_EXPAND, g, shape=shape)


def index_put(x, values, index, accumulate=False):
    """``x`` with ``values`` written (or added) at a native ``index``; differentiable."""
    return dispatch.call(OPS["index_put"], x, values, index=index, accumulate=accumulate)


def _cj(x):
    """The conjugate of a complex tensor or number; anything real as it is. PyTorch's
    convention for complex gradients: ``grad_in = grad_out * conj(f'(z))``."""
    if x.__class__ is complex:
        return x.conjugate()
    if getattr(x, "_dtype", None) is not None and x._dtype.category == 3:
        return dispatch.call(OPS["conj"], x)
    return x


def _sgn(x):
    """``x / |x|`` of a complex tensor, 0 where ``x`` is 0."""
    r = x.abs()
    return _where(r == 0, 0.0, x / _where(r == 0, 1.0, r))


def _sign(x):
    """The slope of ``|x|``: ``sign(x)``, or ``x / |x|`` for complex ``x``."""
    return _sgn(x) if x._dtype.category == 3 else x.sign()


def _zeros(shape, like):
    return like.new_zeros(shape)


def _where(cond, x, y):
    return E.where(cond, x, y)


def _even_split(g, a, out, dim, keepdim):
    # ties share the gradient evenly, PyTorch's rule for amax/amin and max()/min()
    shape = a.shape
    mask = (a == unreduce(out, dim, keepdim, shape)).to(g.dtype)
    count = mask.sum(dim, keepdim=True)
    return unreduce(g, dim, keepdim, shape) * mask / count


def _pick(g, a, out, dim, keepdim):
    # max(dim)/min(dim): the gradient goes to the index that was returned
    idx = out[1]
    if a.dim() == 0:  # a 0-d input is its own max: the gradient passes through
        return g.reshape(())
    if not keepdim:
        g, idx = g.unsqueeze(dim), idx.unsqueeze(dim)
    # a one-hot mask of the returned indices: two elementwise passes, cheaper than
    # zeros + scatter, and differentiable in g
    from ..frontend.creation import arange
    n = a.shape[dim]
    positions = arange(n, device=g.device).reshape((n,) + (1,) * (a.dim() - dim - 1))
    return _where(positions == idx, g, 0.0)


def _count(shape, dim) -> int:
    return math.prod(shape) if dim is None else math.prod(shape[d] for d in dim)


def _prod(g, a, out, dim, keepdim):
    gu = unreduce(g, dim, keepdim, a.shape)
    if not bool((a == 0).any()):
        return gu * _cj(unreduce(out, dim, keepdim, a.shape) / a)
    # with zeros: the product of all other elements, from exclusive cumulative products
    # taken along the reduced dims moved last and flattened
    n = a.dim()
    dims = tuple(range(n)) if dim is None else dim
    perm = [k for k in range(n) if k not in dims] + list(dims)
    x = a.permute(*perm).reshape([a.shape[k] for k in perm[:n - len(dims)]] + [-1])
    m = x.shape[-1]
    ones = x.new_ones(tuple(x.shape[:-1]) + (1,))
    left = _cat([ones, x.narrow(-1, 0, m - 1).cumprod(-1)], -1)
    right = _cat([ones, x.flip((-1,)).narrow(-1, 0, m - 1).cumprod(-1)], -1).flip((-1,))
    others = (left * right).reshape([a.shape[k] for k in perm])
    return gu * _cj(others.permute(*sorted(range(n), key=perm.__getitem__)))


def _cat(tensors, dim):
    from ..frontend.shape_ops import cat
    return cat(tensors, dim)


def _cumprod(g, a, out, dim):
    if not bool((a == 0).any()):
        return (g * _cj(out)).flip((dim,)).cumsum(dim).flip((dim,)) / _cj(a)
    # exact with zeros: d out_j / d a_i = prod_{k<=j, k!=i} a_k, summed over j >= i
    n = a.shape[dim]
    cols = []
    for i in range(n):
        masked = _cat([a.narrow(dim, 0, i), a.narrow(dim, i, 1).new_ones(
            a.narrow(dim, i, 1).shape), a.narrow(dim, i + 1, n - i - 1)], dim)
        partial = masked.cumprod(dim).narrow(dim, i, n - i)
        cols.append((g.narrow(dim, i, n - i) * _cj(partial)).sum(dim, keepdim=True))
    return _cat(cols, dim)


def _norm(g, a, out, p, dim, keepdim):
    shape = a.shape
    gu, ou = unreduce(g, dim, keepdim, shape), unreduce(out, dim, keepdim, shape)
    if p == 2:
        return gu * _where(ou == 0, 0.0, a / ou)
    if p == 1:
        return gu * _sign(a)
    if p == 0:
        return gu * 0
    if math.isinf(p):
        mask = (a.abs() == ou).to(g.dtype)
        return gu * _sign(a) * mask / mask.sum(dim, keepdim=True)
    return gu * _where(ou == 0, 0.0, a * a.abs().pow(p - 2) / ou.pow(p - 1))


def _matmul(g, a, b, needs):
    if a.dim() == 1 and b.dim() == 1:
        return (g * _cj(b) if needs[0] else None, g * _cj(a) if needs[1] else None)
    if a.dim() > 2 and b.dim() == 2:
        # a batch against one matrix: fold the batch into rows, so the weight
        # gradient is one GEMM instead of a batched product summed afterwards
        k, n = b.shape
        ga = g @ _cj(b).mT if needs[0] else None
        gb = _cj(a).reshape(-1, k).mT @ g.reshape(-1, n) if needs[1] else None
        return ga, gb
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    g2 = g
    if a.dim() == 1:
        g2 = g2.unsqueeze(-2)
    if b.dim() == 1:
        g2 = g2.unsqueeze(-1)
    ga = gb = None
    if needs[0]:
        ga = g2 @ _cj(b2).mT
        if a.dim() == 1:
            ga = ga.squeeze(-2)
    if needs[1]:
        gb = _cj(a2).mT @ g2
        if b.dim() == 1:
            gb = gb.squeeze(-1)
    return ga, gb


def _distinct_subscripts(term, x, equation):
    """``term`` with each repeat of a subscript renamed to a fresh letter, plus the
    identity matrices (and their terms) that tie the fresh letter to the one it
    repeats: ``x`` under ``ii`` is ``x`` under ``ij`` times ``eye`` under ``ij``."""
    from string import ascii_letters
    from ..frontend.creation import eye
    fresh = (c for c in ascii_letters if c not in equation)
    head, dots, tail = term.partition("...")
    n = x.dim()
    dims = list(range(len(head))) + list(range(n - len(tail), n))
    seen, out, terms, eyes = set(), [], [], []
    for c, d in zip(head + tail, dims):
        if c in seen:
            new = next(fresh)
            terms.append(c + new)
            eyes.append(eye(x.shape[d], dtype=x.dtype, device=x.device))
            c = new
        seen.add(c)
        out.append(c)
    return "".join(out[:len(head)]) + dots + "".join(out[len(head):]), terms, eyes


def _einsum(g, inputs, needs, equation):
    from ..dispatcher.shapes import broadcast_shapes
    from ..frontend.linalg import einsum
    lhs, _, rhs = equation.partition("->")
    terms = lhs.split(",")
    if not _:
        letters = lhs.replace(",", "").replace("...", "")
        rhs = ("..." if "..." in lhs else "") + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1))
    grads = []
    for i, term in enumerate(terms):
        if not needs[i]:
            grads.append(None)
            continue
        # a repeated subscript (a diagonal) becomes two, tied by an identity matrix
        term, eye_terms, eyes = _distinct_subscripts(term, inputs[i], equation)
        others = [t for j, t in enumerate(terms) if j != i] + eye_terms
        present = set(rhs + "".join(others))  # "." when some other term has "..."
        kept = "".join(c for c in term if c in present)
        eq = ",".join([rhs] + others) + "->" + kept
        gi = einsum(eq, g, *[_cj(x) for j, x in enumerate(inputs) if j != i], *eyes)
        if kept != term:  # dims summed away only in this operand: broadcast back
            shape = tuple(inputs[i].shape)
            head, dots, tail = term.partition("...")
            n_dots = len(shape) - len(head) - len(tail)
            kept_dims = ([c in present for c in head] + ["." in present] * n_dots
                         + [c in present for c in tail])
            for pos, keep in enumerate(kept_dims):
                if not keep:
                    gi = gi.unsqueeze(pos)
            gi = gi.expand(broadcast_shapes(tuple(gi.shape), shape))
        grads.append(gi)
    return tuple(grads)


def _diagonal(g, shapes, offset, dim1, dim2):
    from ..frontend.creation import arange
    shape = shapes[0]
    n = len(shape)
    order = [d for d in range(n) if d not in (dim1, dim2)] + [dim1, dim2]
    moved = tuple(shape[d] for d in order)
    length = g.shape[-1]
    i = arange(length, device=g.device)
    rows, cols = i + max(-offset, 0), i + max(offset, 0)
    z = index_put(_zeros(moved, g), g, (Ellipsis, rows._data, cols._data))
    inverse = [0] * n
    for k, d in enumerate(order):
        inverse[d] = k
    return z.permute(*inverse)


def _tile(g, shapes, reps):
    shape = (1,) * (len(reps) - len(shapes[0])) + tuple(shapes[0])
    split = []
    for r, s in zip(reps, shape):
        split += [r, s]
    return g.reshape(split).sum(tuple(range(0, 2 * len(reps), 2))).reshape(shapes[0])


def _index_select(g, shapes, b, dim):
    index = (slice(None),) * dim + (b._data,)
    return index_put(_zeros(shapes[0], g), g, index, accumulate=True), None


def _masked_select(g, shapes, b):
    from ..dispatcher.shapes import broadcast_shapes
    full = broadcast_shapes(shapes[0], shapes[1])
    mask = b.expand(full)
    return index_put(_zeros(full, g), g, (mask._data,)), None


def _sorted(g, shapes, out, dim):
    if not shapes[0]:
        return g
    return _zeros(shapes[0], g).scatter(dim, out[1], g)


def _split_cat(g, shapes, dim):
    from ..frontend.shape_ops import split
    return split(g, [s[dim] for s in shapes], dim)


def _index_put_grad(g, needs, index, accumulate):
    ga = g if accumulate else (index_put(g, g.new_zeros(()), index) if needs[0] else None)
    gb = dispatch.call(OPS["getitem"], g, index=index) if needs[1] else None
    return ga, gb


def _pow(g, a, b, out, needs):
    ga = gb = None
    if needs[0]:
        if isinstance(b, (int, float, complex)):
            ga = g * 0 if b == 0 else g * _cj(b * a.pow(b - 1))
        else:
            # 0 ** 0 has slope 0; elsewhere b == 0 needs no mask, and a mask there
            # would hide the slope of the gradient in b (gradgradcheck)
            ga = _where((b == 0) & (a == 0), 0.0, g * _cj(b * a.pow(b - 1)))
    if needs[1]:
        if isinstance(a, (int, float)):
            gb = g * _cj(out * math.log(a)) if a > 0 else g * 0
        else:
            gb = _where((a == 0) & (b >= 0), 0.0, g * _cj(out * a.log()))
    return ga, gb


def _clamp(g, a, b, c, needs):
    keep = None
    if b is not None:
        keep = a >= b
    if c is not None:
        keep = (a <= c) if keep is None else keep & (a <= c)
    ga = _where(keep, g, 0.0) if needs[0] else None
    # PyTorch's rule: min(max(a, b), c), so where b > c the result (and gradient) is c's
    gb = gc = None
    if needs[1]:
        gb = _where((a < b) if c is None else (a < b) & (b < c), g, 0.0)
    if needs[2]:
        gc = _where((a > c) if b is None else (a > c) | (c < b), g, 0.0)
    return ga, gb, gc


def _extremum(g, a, b, needs, greater):
    win = (a > b) if greater else (a < b)
    tie = (a == b).to(g.dtype) * 0.5
    ga = g * (win.to(g.dtype) + tie) if needs[0] else None
    gb = g * ((~win).to(g.dtype) - tie) if needs[1] else None
    return ga, gb


_SQRT_PI_2 = 2.0 / math.sqrt(math.pi)

DERIVATIVES = {
    # unary
    "exp": lambda g, out: g * _cj(out),
    "exp2": lambda g, out: g * _cj(out) * _LN2,
    "expm1": lambda g, out: g * _cj(out + 1),
    "log": lambda g, a: g / _cj(a),
    "log2": lambda g, a: g / (_cj(a) * _LN2),
    "log10": lambda g, a: g / (_cj(a) * _LN10),
    "log1p": lambda g, a: g / _cj(a + 1),
    "sqrt": lambda g, out: g / (_cj(out) * 2),
    "rsqrt": lambda g, out: g * _cj(out.pow(3)) * -0.5,
    "sin": lambda g, a: g * _cj(a.cos()),
    "cos": lambda g, a: -(g * _cj(a.sin())),
    "tan": lambda g, out: g * _cj(out * out + 1),
    "tanh": lambda g, out: g * _cj(1 - out * out),
    "sigmoid": lambda g, out: g * _cj(out * (1 - out)),
    "erf": lambda g, a: g * (-(a * a)).exp() * _SQRT_PI_2,
    "reciprocal": lambda g, out: -(g * _cj(out * out)),
    "abs": lambda g, a: g * _sign(a),
    "sign": lambda g: g * 0,
    "relu": lambda g, out: _where(out > 0, g, 0.0),
    "neg": lambda g: -g,
    "floor": lambda g: g * 0,
    "ceil": lambda g: g * 0,
    "trunc": lambda g: g * 0,
    "round": lambda g: g * 0,
    "nan_to_num": lambda g, a: _where(a.isfinite(), g, 0.0),
    "cast": lambda g: g,
    # binary and ternary
    "add": lambda g: (g, g),
    "sub": lambda g: (g, -g),
    "mul": lambda g, a, b, needs: (g * _cj(b) if needs[0] else None,
                                   g * _cj(a) if needs[1] else None),
    "div": lambda g, b, out, needs: (g / _cj(b) if needs[0] else None,
                                     -(g * _cj(out)) / _cj(b) if needs[1] else None),
    "maximum": lambda g, a, b, needs: _extremum(g, a, b, needs, True),
    "minimum": lambda g, a, b, needs: _extremum(g, a, b, needs, False),
    "pow": _pow,
    "remainder": lambda g, a, b, needs: (g, -(g * E.floor_divide(a, b)) if needs[1]
                                         else None),
    "fmod": lambda g, a, b, needs: (g, -(g * E.div(a, b, rounding_mode="trunc"))
                                    if needs[1] else None),
    "floor_divide": lambda g: (g * 0, g * 0),
    "trunc_divide": lambda g: (g * 0, g * 0),
    "atan2": lambda g, a, b: (g * b / (a * a + b * b), -(g * a) / (a * a + b * b)),
    "where": lambda g, a: (None, _where(a, g, 0.0), _where(a, 0.0, g)),
    "lerp": lambda g, a, b, c, needs: (g * _cj(1 - c) if needs[0] else None,
                                       g * _cj(c) if needs[1] else None,
                                       g * _cj(b - a) if needs[2] else None),
    "clamp": _clamp,
    # reductions and scans
    "sum": lambda g, shapes, dim, keepdim: unreduce(g, dim, keepdim, shapes[0]),
    "mean": lambda g, shapes, dim, keepdim: unreduce(g, dim, keepdim, shapes[0]) / _count(
        shapes[0], dim),
    "prod": _prod,
    "amax": _even_split,
    "amin": _even_split,
    "max_dim": _pick,
    "min_dim": _pick,
    "var": lambda g, a, dim, correction, keepdim: unreduce(g, dim, keepdim, a.shape) * 2 * (
        a - a.mean(dim, keepdim=True)) / float(_count(a.shape, dim) - correction),
    "logsumexp": lambda g, a, out, dim, keepdim: unreduce(g, dim, keepdim, a.shape) * (
        a - unreduce(out, dim, keepdim, a.shape)).exp(),
    "norm": _norm,
    "cumsum": lambda g, dim: g.flip((dim,)).cumsum(dim).flip((dim,)) if g.dim() else g,
    "cumprod": lambda g, a, out, dim: _cumprod(g, a, out, dim) if a.dim() else g,
    "softmax": lambda g, out, dim: out * (g - (g * out).sum(dim, keepdim=True)),
    "log_softmax": lambda g, out, dim: g - out.exp() * g.sum(dim, keepdim=True),
    # linear algebra
    "matmul": _matmul,
    "linear": lambda g, a, b, needs: (
        g @ _cj(b) if needs[0] else None,
        g.reshape(-1, g.shape[-1]).mT @ _cj(a).reshape(-1, a.shape[-1]) if needs[1] else None,
        g.reshape(-1, g.shape[-1]).sum(0) if needs[2] else None),
    "einsum": _einsum,
    # shape and view
    "view": lambda g, shapes: g.reshape(shapes[0]),
    "permute": lambda g, dims: g.permute(*sorted(range(len(dims)), key=dims.__getitem__)),
    "expand": lambda g: g,
    "getitem": lambda g, shapes, index: index_put(_zeros(shapes[0], g), g, index,
                                                  accumulate=True),
    "diagonal": _diagonal,
    "contiguous": lambda g: g,
    "clone": lambda g: g,
    "cat": _split_cat,
    "flip": lambda g, dims: g.flip(dims),
    "roll": lambda g, shifts, dims: g.roll(-shifts if dims is None else
                                           tuple(-s for s in shifts), dims),
    "tile": _tile,
    "tril": lambda g, diagonal: g.tril(diagonal),
    "triu": lambda g, diagonal: g.triu(diagonal),
    "gather": lambda g, shapes, b, dim: (dispatch.call(OPS["scatter_add"], _zeros(shapes[0], g),
                                                       b, g, dim=dim), None),
    "scatter": lambda g, b, needs, dim: (
        dispatch.call(OPS["scatter"], g, b, 0.0, dim=dim) if needs[0] else None, None,
        g.gather(dim, b) if needs[2] else None),
    "scatter_add": lambda g, b, needs, dim: (g, None, g.gather(dim, b) if needs[2] else None),
    "index_select": _index_select,
    "masked_fill": lambda g, b: (_where(b, 0.0, g), None),
    "masked_select": _masked_select,
    "sort": _sorted,
    "topk": _sorted,
    "index_put": _index_put_grad,
    # nn primitives: unfold and fold are each other's adjoint
    "unfold": lambda g, shapes, kernel_size, dilation, padding, stride: dispatch.call(
        OPS["fold"], g, output_size=tuple(shapes[0][2:]), kernel_size=kernel_size,
        dilation=dilation, padding=padding, stride=stride),
    "fold": lambda g, kernel_size, dilation, padding, stride: dispatch.call(
        OPS["unfold"], g, kernel_size=kernel_size, dilation=dilation, padding=padding,
        stride=stride),
    "pad": lambda g, shapes, pad: dispatch.call(
        OPS["getitem"], g, index=tuple(slice(b, b + n) for (b, _), n in zip(pad, shapes[0]))),
}


# The formulas of the op table's areas (flambeau.dispatcher.rows), one module each,
# named derivatives_<area>.py, with a DERIVATIVES dict of its own.
AREAS: tuple = ()
AREAS += ("complex", "fft")


def _table() -> dict:
    # read here rather than at import: the area modules use this module's helpers
    table = dict(DERIVATIVES)
    for area in AREAS:
        more = importlib.import_module(f"{__package__}.derivatives_{area}").DERIVATIVES
        twice = table.keys() & more.keys()
        if twice:
            raise RuntimeError(f"derivative formulas defined twice: {sorted(twice)}")
        table.update(more)
    return table


def install() -> None:
    """Attach each formula to its op-table row, after checking them all: every
    differentiable row needs a formula, and every name a formula takes must be one the
    engine passes (``g``, ``a``/``b``/``c`` for the row's inputs, ``inputs``, ``out``,
    ``needs``, ``shapes``) or a keyword param of the row's signature.

    Raises:
        RuntimeError: naming the op and the parameter; nothing is installed then.
    """
    table = _table()
    missing = [n for n, row in OPS.items()
               if row.differentiable and row.kind not in ("creation", "random", "inplace")
               and n not in table]
    if missing:
        raise RuntimeError(f"derivative formulas missing for: {', '.join(missing)}")
    formulas = {}
    for name, fn in table.items():
        row = OPS.get(name)
        if row is None:
            raise RuntimeError(f"derivative formula for {name!r}: no row of that name in "
                               f"the op table")
        formula = formulas[name] = Formula(name, fn)
        for p in formula.param_names:
            if p not in row.param_names:
                raise RuntimeError(
                    f"derivative formula for {name!r} takes {p!r}, which is not a param of "
                    f"the row's signature {name}{row.sig}; a formula's names are g, a, b, "
                    f"c, inputs, out, needs, shapes and the row's keyword params")
        if row.nin >= 0:
            for p, i in zip([n for n in formula.names if n in ("a", "b", "c")],
                            formula.positions):
                if i >= row.nin:
                    raise RuntimeError(f"derivative formula for {name!r} takes {p!r} (input "
                                       f"{i}), but the row {name}{row.sig} has {row.nin} "
                                       f"tensor input(s)")
    for name, formula in formulas.items():
        OPS[name].backward = formula
