"""``gradcheck`` / ``gradgradcheck`` across a representative set of ops, in float64.

gradcheck compares the engine's Jacobian with central finite differences (the
reference is numerical, not flambeau's own formula), so a True here means the
derivative formula in autograd/derivatives.py is right for these inputs. Inputs avoid
kinks (ties, zeros of abs, clamp boundaries) except where a test is about them.
A deliberately wrong backward must be caught.
"""

from __future__ import annotations

import numpy as np
import pytest

import flambeau as fl
from flambeau.autograd import Function, GradcheckError, gradcheck, gradgradcheck

_RNG = np.random.default_rng(1234)


def _t(shape, low=-1.0, high=1.0, grad=True):
    """Distinct, well-separated random float64 values (no ties, no exact zeros)."""
    n = int(np.prod(shape))
    # the 0.37 offset keeps values off 0 and off each other's negatives (abs ties)
    values = low + (high - low) * (np.arange(n) + 0.37) / n
    values = _RNG.permutation(values).reshape(shape)
    return fl.tensor(values, dtype=fl.float64, requires_grad=grad)


def _pos(shape):
    return _t(shape, 0.5, 2.0)


def _idx(values):
    return fl.tensor(values, dtype=fl.int64)


def _mask(values):
    return fl.tensor(values, dtype=fl.bool)


# (id, function, input factory); second derivatives are checked for all of them too,
# except those marked first_only (piecewise-linear ops have zero second derivatives,
# which gradgradcheck checks fine, but some are slow for no gain)
CASES = [
    # elementwise, unary
    ("exp", lambda x: x.exp(), lambda: (_t((2, 3)),)),
    ("log", lambda x: x.log(), lambda: (_pos((2, 3)),)),
    ("log1p_expm1", lambda x: x.log1p() + x.expm1(), lambda: (_t((4,), -0.5, 0.5),)),
    ("sin_cos_tan", lambda x: x.sin() * x.cos() + x.tan(), lambda: (_t((5,)),)),
    ("tanh_sigmoid", lambda x: x.tanh() + x.sigmoid(), lambda: (_t((5,), -2, 2),)),
    ("sqrt_rsqrt", lambda x: x.sqrt() + x.rsqrt(), lambda: (_pos((4,)),)),
    ("erf", lambda x: x.erf(), lambda: (_t((4,)),)),
    ("reciprocal", lambda x: x.reciprocal(), lambda: (_pos((3,)),)),
    ("abs_relu_away_from_0", lambda x: x.abs() * 2 + x.relu(), lambda: (_t((6,)),)),
    ("log2_log10_exp2", lambda x: x.log2() + x.log10() + x.exp2(), lambda: (_pos((3,)),)),
    # elementwise, binary / ternary (with broadcasting)
    ("mul_broadcast", lambda a, b: a * b, lambda: (_t((2, 1, 3)), _t((4, 1)))),
    ("div", lambda a, b: a / b, lambda: (_t((2, 3)), _pos((3,)))),
    ("sub_scalar", lambda a: 3.0 - a * 2.5, lambda: (_t((3,)),)),
    ("pow_tensor", lambda a, b: a ** b, lambda: (_pos((3,)), _t((3,)))),
    ("pow_scalar_exponent", lambda a: a ** 3 + a ** 0.5, lambda: (_pos((4,)),)),
    ("scalar_base_pow", lambda b: 2.0 ** b, lambda: (_t((3,)),)),
    ("atan2", lambda a, b: fl.atan2(a, b), lambda: (_t((4,)), _pos((4,)))),
    ("maximum_minimum", lambda a, b: fl.maximum(a, b) + fl.minimum(a, b) * 2,
     lambda: (_t((5,)), _t((5,), -0.9, 0.95))),
    ("where", lambda a, b: fl.where(_mask([True, False, True]), a, b),
     lambda: (_t((3,)), _t((2, 3)))),
    ("lerp", lambda a, b, w: fl.lerp(a, b, w), lambda: (_t((3,)), _t((3,)), _t((3,)))),
    ("clamp_inside_and_outside", lambda x: x.clamp(-0.5, 0.5), lambda: (_t((6,)),)),
    ("clamp_tensor_bounds", lambda x, lo, hi: x.clamp(lo, hi),
     lambda: (_t((5,)), _t((5,), -2.0, -1.5), _t((5,), -0.2, 0.3))),
    # reductions
    ("sum_all", lambda x: x.sum(), lambda: (_t((2, 3)),)),
    ("sum_dim_keepdim", lambda x: x.sum(1, keepdim=True), lambda: (_t((2, 3, 2)),)),
    ("sum_dims", lambda x: x.sum((0, 2)), lambda: (_t((2, 3, 2)),)),
    ("mean_dim", lambda x: x.mean(-1), lambda: (_t((3, 4)),)),
    ("prod_all", lambda x: x.prod(), lambda: (_t((2, 3)),)),
    ("prod_dim_keepdim", lambda x: x.prod(1, keepdim=True), lambda: (_t((3, 3)),)),
    ("amax_amin", lambda x: x.amax(0) + x.amin(1).sum(), lambda: (_t((3, 4)),)),
    ("max_min_dim", lambda x: x.max(1)[0] + x.min(1).values, lambda: (_t((3, 4)),)),
    ("max_all", lambda x: x.max(), lambda: (_t((3, 4)),)),
    ("logsumexp", lambda x: x.logsumexp(1), lambda: (_t((3, 4)),)),
    ("var_std", lambda x: x.var(1) + x.std(0, keepdim=True).sum(), lambda: (_t((3, 4)),)),
    ("var_correction_0", lambda x: x.var(correction=0) + x.std(), lambda: (_t((5,)),)),
    ("norm_p1", lambda x: x.norm(1), lambda: (_t((5,)),)),
    ("norm_p2", lambda x: x.norm(), lambda: (_t((2, 3)),)),
    ("norm_p3_dim", lambda x: x.norm(3, dim=1), lambda: (_t((2, 4)),)),
    ("norm_inf", lambda x: x.norm(float("inf")), lambda: (_t((5,)),)),
    ("norm_p2_dim_keepdim", lambda x: x.norm(2, dim=0, keepdim=True), lambda: (_t((3, 2)),)),
    # scans
    ("cumsum", lambda x: x.cumsum(1), lambda: (_t((2, 4)),)),
    ("cumprod", lambda x: x.cumprod(0), lambda: (_t((4, 2)),)),
    ("softmax", lambda x: x.softmax(1), lambda: (_t((2, 4)),)),
    ("log_softmax", lambda x: x.log_softmax(0), lambda: (_t((3, 2)),)),
    # linear algebra
    ("matmul_2d", lambda a, b: a @ b, lambda: (_t((2, 3)), _t((3, 4)))),
    ("matmul_batched_broadcast", lambda a, b: a @ b, lambda: (_t((2, 1, 2, 3)), _t((3, 3, 2)))),
    ("matmul_vec_mat", lambda a, b: a @ b, lambda: (_t((3,)), _t((3, 2)))),
    ("matmul_mat_vec", lambda a, b: a @ b, lambda: (_t((2, 3)), _t((3,)))),
    ("matmul_vec_vec", lambda a, b: a @ b, lambda: (_t((4,)), _t((4,)))),
    ("matmul_batched_vec", lambda a, b: fl.matmul(a, b), lambda: (_t((2, 2, 3)), _t((3,)))),
    ("einsum_mm", lambda a, b: fl.einsum("ij,jk->ik", a, b), lambda: (_t((2, 3)), _t((3, 2)))),
    ("einsum_bmm", lambda a, b: fl.einsum("bij,bjk->bik", a, b),
     lambda: (_t((2, 2, 3)), _t((2, 3, 2)))),
    ("einsum_outer", lambda a, b: fl.einsum("i,j->ij", a, b), lambda: (_t((3,)), _t((2,)))),
    ("einsum_implicit_sum", lambda a, b: fl.einsum("ij,j", a, b), lambda: (_t((2, 3)), _t((3,)))),
    ("einsum_reduce_own_axis", lambda a, b: fl.einsum("ij,k->k", a, b),
     lambda: (_t((2, 3)), _t((2,)))),
    ("einsum_ellipsis", lambda a, b: fl.einsum("...ij,...jk->...ik", a, b),
     lambda: (_t((2, 2, 3)), _t((2, 3, 2)))),
    ("einsum_trace_diagonal", lambda x: fl.einsum("ii->", x) + fl.einsum("ii->i", x).sum(),
     lambda: (_t((3, 3)),)),
    ("einsum_ellipsis_one_side", lambda a, b: fl.einsum("...ij,jk->...ik", a, b),
     lambda: (_t((2, 2, 3)), _t((3, 2)))),
    # shape and view ops
    ("reshape_view", lambda x: x.reshape(3, 2).view(6) * 1, lambda: (_t((2, 3)),)),
    ("permute_transpose", lambda x: x.permute(2, 0, 1).transpose(0, 1), lambda: (_t((2, 3, 2)),)),
    ("t_mT", lambda x: x.t() + x.mT, lambda: (_t((3, 3)),)),
    ("expand", lambda x: x.expand(2, 3, 4) * 1, lambda: (_t((3, 1)),)),
    ("squeeze_unsqueeze", lambda x: x.unsqueeze(0).squeeze(2), lambda: (_t((2, 1, 3)),)),
    ("flip_roll", lambda x: x.flip(0).roll(1, 1), lambda: (_t((2, 3)),)),
    ("roll_flat", lambda x: x.roll(2), lambda: (_t((2, 3)),)),
    ("tile", lambda x: x.tile((2, 1, 2)), lambda: (_t((2, 3)),)),
    ("cat_stack", lambda a, b: fl.cat([a, b], 1) * fl.stack([b, a], 0).reshape(2, 6),
     lambda: (_t((2, 3)), _t((2, 3)))),
    ("split_chunk", lambda x: x.split([1, 2], 0)[1] * x.chunk(3, 0)[0],
     lambda: (_t((3, 2)),)),
    ("unbind", lambda x: x.unbind(1)[0] * x.unbind(1)[2], lambda: (_t((2, 3)),)),
    ("narrow", lambda x: x.narrow(1, 1, 2), lambda: (_t((2, 4)),)),
    ("diagonal", lambda x: x.diagonal() + x.diagonal(1, 0, 1).sum(), lambda: (_t((3, 3)),)),
    ("diagonal_3d_offset", lambda x: x.diagonal(-1, 1, 2), lambda: (_t((2, 3, 3)),)),
    ("tril_triu", lambda x: x.tril() + x.triu(1) * 3, lambda: (_t((3, 3)),)),
    ("movedim", lambda x: fl.movedim(x, 0, -1), lambda: (_t((2, 3, 2)),)),
    # indexing
    ("getitem_slices", lambda x: x[1:, ::2], lambda: (_t((3, 4)),)),
    ("getitem_negative_step_ellipsis", lambda x: x[..., 0], lambda: (_t((2, 3, 2)),)),
    ("getitem_int_array_repeats", lambda x: x[_idx([0, 2, 0, 0])], lambda: (_t((3, 2)),)),
    ("getitem_two_arrays", lambda x: x[_idx([0, 1, 1]), _idx([2, 0, 2])], lambda: (_t((2, 3)),)),
    ("getitem_bool_mask", lambda x: x[_mask([[True, False, True], [False, True, False]])],
     lambda: (_t((2, 3)),)),
    ("setitem_slice", lambda x, v: _setitem(x, (slice(0, 2), 1), v),
     lambda: (_t((3, 3)), _t((2,)))),
    ("setitem_index_array", lambda x, v: _setitem(x, _idx([2, 0]), v),
     lambda: (_t((3, 2)), _t((2, 2)))),
    ("setitem_broadcast_value", lambda x, v: _setitem(x, (slice(None), 0), v),
     lambda: (_t((3, 2)), _t(()))),
    ("setitem_bool_mask", lambda x, v: _setitem(x, _mask([True, False, True]), v),
     lambda: (_t((3, 2)), _t((2,)))),
    ("gather", lambda x: x.gather(1, _idx([[0, 0], [2, 1]])), lambda: (_t((2, 3)),)),
    ("scatter", lambda x, s: x.scatter(1, _idx([[0, 2], [1, 0]]), s),
     lambda: (_t((2, 3)), _t((2, 2)))),
    ("scatter_add_repeats", lambda x, s: x.scatter_add(0, _idx([[0, 1], [0, 0]]), s),
     lambda: (_t((2, 2)), _t((2, 2)))),
    ("index_select", lambda x: x.index_select(0, _idx([2, 0, 2])), lambda: (_t((3, 2)),)),
    ("masked_fill", lambda x: x.masked_fill(_mask([True, False, True]), 0.5),
     lambda: (_t((2, 3)),)),
    ("masked_select", lambda x: x.masked_select(_mask([False, True, True])),
     lambda: (_t((2, 3)),)),
    ("take_along_dim", lambda x: fl.take_along_dim(x, _idx([[1], [0]]), 1),
     lambda: (_t((2, 3)),)),
    ("sort", lambda x: x.sort(1)[0], lambda: (_t((3, 4)),)),
    ("sort_descending_dim0", lambda x: x.sort(0, descending=True).values, lambda: (_t((3, 2)),)),
    ("topk", lambda x: x.topk(2, 1)[0], lambda: (_t((3, 4)),)),
    ("topk_smallest", lambda x: x.topk(2, 0, largest=False).values, lambda: (_t((4, 2)),)),
    # compositions
    ("mlp_like", lambda x, w, b: ((x @ w + b).tanh() ** 2).mean(),
     lambda: (_t((3, 2)), _t((2, 4)), _t((4,)))),
    ("cross_entropy_like", lambda x: -(x.log_softmax(1) * fl.tensor(
        [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=fl.float64)).sum(),
     lambda: (_t((2, 3)),)),
    ("non_leaf_in_place", lambda x: _in_place_chain(x), lambda: (_t((4,)),)),
]


def _setitem(x, index, v):
    y = x * 1
    y[index] = v
    return y


def _in_place_chain(x):
    y = x.sin() * 1  # not x.exp(): exp saves its output, which the writes below change
    y[1:3].mul_(x[:2])
    y.add_(x.sin())
    return y * 2


@pytest.mark.parametrize("fn, make", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_gradcheck(fn, make):
    assert gradcheck(fn, make())


_SECOND_ORDER = {"exp", "log", "log1p_expm1", "sin_cos_tan", "tanh_sigmoid", "sqrt_rsqrt",
                 "erf", "reciprocal", "mul_broadcast", "div", "pow_tensor",
                 "pow_scalar_exponent", "scalar_base_pow", "atan2", "where", "lerp",
                 "sum_dim_keepdim", "mean_dim", "prod_all", "prod_dim_keepdim",
                 "amax_amin", "max_min_dim", "logsumexp", "var_std", "norm_p2",
                 "norm_p3_dim", "norm_inf", "cumsum", "cumprod", "softmax", "log_softmax",
                 "matmul_batched_broadcast", "matmul_vec_mat", "matmul_vec_vec",
                 "einsum_bmm", "einsum_reduce_own_axis", "einsum_trace_diagonal",
                 "permute_transpose", "expand",
                 "tile", "cat_stack", "diagonal", "getitem_int_array_repeats",
                 "getitem_bool_mask", "setitem_index_array", "gather", "scatter",
                 "scatter_add_repeats", "index_select", "masked_select", "sort", "topk",
                 "mlp_like", "cross_entropy_like", "non_leaf_in_place", "clamp_tensor_bounds",
                 "maximum_minimum", "abs_relu_away_from_0"}


@pytest.mark.parametrize("fn, make", [c[1:] for c in CASES if c[0] in _SECOND_ORDER],
                         ids=[c[0] for c in CASES if c[0] in _SECOND_ORDER])
def test_gradgradcheck(fn, make):
    assert gradgradcheck(fn, make())


def test_second_order_cases_exist():
    assert _SECOND_ORDER <= {c[0] for c in CASES}


def test_masked_fill_with_a_tensor_value():
    mask = _mask([True, False, True])
    assert gradcheck(lambda x, v: x.masked_fill(mask, v), (_t((2, 3)), _t(())))


# --- zeros in products ------------------------------------------------------------------
@pytest.mark.parametrize("values", [
    [[2.0, 0.0, 3.0], [1.5, -1.0, 0.5]],     # one zero in a row
    [[0.0, 0.0, 3.0], [1.5, -1.0, 0.5]],     # two zeros in a row
    [[0.0, 2.0, -1.0], [0.0, 0.7, 0.0]],     # zeros in a column too
])
@pytest.mark.parametrize("fn", [
    lambda x: x.prod(),
    lambda x: x.prod(1),
    lambda x: x.prod(0, keepdim=True),
    lambda x: x.cumprod(1),
    lambda x: x.cumprod(0),
], ids=["prod_all", "prod_dim1", "prod_dim0_keepdim", "cumprod_dim1", "cumprod_dim0"])
def test_products_with_zeros(fn, values):
    x = fl.tensor(values, dtype=fl.float64, requires_grad=True)
    assert gradcheck(fn, (x,))


def test_prod_gradient_with_one_zero_closed_form():
    # d/dx_i prod(x) = product of the others: only the zero's entry is non-zero
    x = fl.tensor([2.0, 0.0, 3.0, -1.0], dtype=fl.float64, requires_grad=True)
    x.prod().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, -6.0, 0.0, 0.0])


def test_cumprod_gradient_with_zero_closed_form():
    # y = [a, ab, abc] with b = 0: dy/da = [1, b, bc] = [1, 0, 0]; dy/db = [0, a, ac];
    # dy/dc = [0, 0, ab] = 0
    a, c = 2.0, 3.0
    x = fl.tensor([a, 0.0, c], dtype=fl.float64, requires_grad=True)
    x.cumprod(0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, a + a * c, 0.0])


def test_gradgradcheck_prod_with_zero():
    x = fl.tensor([[2.0, 0.0, 3.0], [1.5, -1.0, 0.5]], dtype=fl.float64, requires_grad=True)
    assert gradgradcheck(lambda t: t.prod(1), (x,))


# --- the checker catches mistakes -------------------------------------------------------
class _WrongSquare(Function):
    """x^2 whose backward forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x


class _WrongSecondOrder(Function):
    """x^3 with a right gradient whose own gradient is wrong (computed out of graph)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (3 * x.detach() ** 2)


def test_gradcheck_catches_wrong_backward():
    x = _t((3,))
    with pytest.raises(GradcheckError):
        gradcheck(_WrongSquare.apply, (x,))
    assert gradcheck(_WrongSquare.apply, (x,), raise_exception=False) is False


def test_gradgradcheck_catches_wrong_second_derivative():
    x = _t((3,))
    assert gradcheck(_WrongSecondOrder.apply, (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(_WrongSecondOrder.apply, (x,))
    assert gradgradcheck(_WrongSecondOrder.apply, (x,), raise_exception=False) is False


def test_gradcheck_error_is_a_runtime_error():
    assert issubclass(GradcheckError, RuntimeError)


def test_gradcheck_checks_each_input_and_several_outputs():
    a, b = _t((2,)), _t((2,), grad=False)

    def two_outputs(a, b):
        return a * b, a.exp()

    assert gradcheck(two_outputs, (a, b))

    class WrongSecondOutput(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 2  # should be g2 * 3

    with pytest.raises(GradcheckError):
        gradcheck(WrongSecondOutput.apply, (a,))


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError):
        gradcheck(lambda x: x * 2, (_t((2,), grad=False),))
