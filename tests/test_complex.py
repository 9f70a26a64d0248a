"""complex64/complex128: promotion, parts and views, printing, errors, and complex
autograd (PyTorch's convention) checked by finite differences on real/imag parts."""

import numpy as np
import pytest

import flambeau as fl
from flambeau.autograd import gradcheck

RNG = np.random.default_rng(0)


def c(*shape, grad=True):
    a = RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)
    return fl.tensor(a, dtype=fl.complex128, requires_grad=grad)


def f(*shape, grad=True):
    return fl.tensor(RNG.standard_normal(shape), dtype=fl.float64, requires_grad=grad)


# --- dtypes and promotion ------------------------------------------------------------

def test_dtype_names_and_flags():
    assert fl.cfloat is fl.complex64 and fl.cdouble is fl.complex128
    assert fl.complex64.is_complex and not fl.complex64.is_floating_point
    assert not fl.float32.is_complex
    assert fl.complex64.itemsize == 8 and fl.complex128.itemsize == 16
    assert fl.finfo(fl.complex64).eps == fl.finfo(fl.float32).eps
    with pytest.raises(TypeError, match="complex32"):
        fl.tensor([1j], dtype=fl.dispatcher.dtypes.dtype_from_name("chalf"))


@pytest.mark.parametrize("a, b, want", [
    (fl.complex64, fl.float32, fl.complex64),
    (fl.complex64, fl.float64, fl.complex128),
    (fl.complex128, fl.float16, fl.complex128),
    (fl.complex64, fl.int64, fl.complex64),
    (fl.complex64, fl.bool, fl.complex64),
    (fl.complex64, fl.complex128, fl.complex128),
    (fl.float16, fl.complex64, fl.complex64),
])
def test_promote_types(a, b, want):
    assert fl.promote_types(a, b) is want
    assert fl.promote_types(b, a) is want


def test_inference_and_scalar_promotion():
    assert fl.tensor([1 + 2j]).dtype is fl.complex64
    assert fl.tensor(np.array([1j])).dtype is fl.complex128
    assert (fl.ones(2) * 1j).dtype is fl.complex64
    assert (fl.ones(2, dtype=fl.float64) * 1j).dtype is fl.complex128
    assert (fl.ones(2, dtype=fl.int32) + 1j).dtype is fl.complex64
    # a zero-dim complex tensor of a higher category wins over a dimensioned float64
    assert (fl.tensor(1j) + fl.ones(2, dtype=fl.float64)).dtype is fl.complex128
    assert (fl.tensor([1j]) + fl.tensor(2.0, dtype=fl.float64)).dtype is fl.complex64
    assert fl.result_type(fl.tensor([1, 2]), 1j) is fl.complex64
    old = fl.get_default_dtype()
    fl.set_default_dtype(fl.float64)
    try:
        assert fl.tensor([1j]).dtype is fl.complex128
    finally:
        fl.set_default_dtype(old)


def test_is_complex_and_printing():
    x = fl.tensor([1 + 2j, -0.5 - 3.25j])
    assert x.is_complex() and fl.is_complex(x) and not fl.is_complex(fl.ones(1))
    assert repr(x) == "tensor([ 1.0000+2.0000j, -0.5000-3.2500j])"
    assert repr(fl.tensor([1 + 2j], dtype=fl.complex128)) == \
        "tensor([1.+2.j], dtype=flambeau.complex128)"
    assert repr(fl.tensor([1.5 + 2j, 100 + 1e-3j])) == \
        "tensor([  1.5000+2.0000e+00j, 100.0000+1.0000e-03j])"
    assert repr(fl.tensor([complex("nan"), 1e10 + 1j, -0.0 - 2j])) == \
        "tensor([       nan+0.j, 1.0000e+10+1.j, -0.0000e+00-2.j])"


# --- values --------------------------------------------------------------------------

def test_elementwise_and_reductions_match_numpy():
    a = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))
    b = RNG.standard_normal((4, 2)) + 1j * RNG.standard_normal((4, 2))
    x, y = fl.tensor(a), fl.tensor(b)
    for got, want in [(x + 1j, a + 1j), (x * x, a * a), (x / (x + 3), a / (a + 3)),
                      (x.exp(), np.exp(a)), (x.log(), np.log(a)), (x.sqrt(), np.sqrt(a)),
                      (x ** 2, a ** 2), (x.sum(1), a.sum(1)), (x.mean(), a.mean()),
                      (x @ y, a @ b), (x.abs(), np.abs(a)), (x.angle(), np.angle(a)),
                      (x.conj(), a.conj()), (fl.sgn(x), a / np.abs(a))]:
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    assert x.abs().dtype is fl.float64 and x.angle().dtype is fl.float64
    assert fl.tensor([1j]).abs().dtype is fl.float32
    assert x.exp().dtype is fl.complex128


def test_real_imag_are_writable_views():
    x = fl.tensor([1 + 2j, 3 - 4j])
    assert x.real.dtype is fl.float32 and x.imag.dtype is fl.float32
    np.testing.assert_array_equal(x.real.numpy(), [1, 3])
    np.testing.assert_array_equal(x.imag.numpy(), [2, -4])
    x.real[0] = 7.0
    x.imag[1] = 5.0
    np.testing.assert_array_equal(x.numpy(), [7 + 2j, 3 + 5j])
    r = fl.ones(2)
    assert fl.real(r) is r and r.real is r
    with pytest.raises(RuntimeError, match="imag"):
        _ = r.imag


def test_views_as_real_and_complex():
    x = fl.tensor([[1 + 2j, 3 - 4j]])
    v = fl.view_as_real(x)
    assert tuple(v.shape) == (1, 2, 2) and v.dtype is fl.float32
    np.testing.assert_array_equal(v.numpy(), [[[1, 2], [3, -4]]])
    v[0, 0, 1] = 9.0  # a view: writes reach x
    assert x.numpy()[0, 0] == 1 + 9j
    back = fl.view_as_complex(v)
    np.testing.assert_array_equal(back.numpy(), x.numpy())
    t = fl.view_as_real(x.t())  # a strided complex tensor
    np.testing.assert_array_equal(t.numpy(), np.stack([x.t().numpy().real,
                                                       x.t().numpy().imag], -1))
    with pytest.raises(RuntimeError, match="size 2"):
        fl.view_as_complex(fl.ones(2, 3))
    with pytest.raises(RuntimeError, match="stride 1"):
        fl.view_as_complex(fl.ones(2, 4)[:, ::2].contiguous().t())
    with pytest.raises(RuntimeError, match="float and double"):
        fl.view_as_complex(fl.ones(2, 2, dtype=fl.int64))
    with pytest.raises(RuntimeError, match="complex"):
        fl.view_as_real(fl.ones(2))


def test_complex_polar_conj():
    re, im = fl.tensor([1.0, 2.0]), fl.tensor([[3.0], [-1.0]])
    z = fl.complex(re, im)
    assert z.dtype is fl.complex64
    np.testing.assert_array_equal(z.numpy(), re.numpy() + 1j * im.numpy())
    assert fl.complex(re.double(), re.double()).dtype is fl.complex128
    with pytest.raises(RuntimeError, match="float or double"):
        fl.complex(fl.tensor([1]), fl.tensor([1]))
    p = fl.polar(fl.tensor([2.0]), fl.tensor([np.pi / 2]))
    np.testing.assert_allclose(p.numpy(), [2j], atol=1e-6)
    x = fl.tensor([1 + 1j])
    np.testing.assert_array_equal(fl.conj_physical(x).numpy(), [1 - 1j])
    assert fl.resolve_conj(x) is x and fl.resolve_neg(x) is x and not fl.is_conj(x)
    np.testing.assert_allclose(fl.angle(fl.tensor([-1.0, 2.0])).numpy(), [np.pi, 0])


@pytest.mark.parametrize("op", [lambda x: x < x, lambda x: x.max(), lambda x: x.sort(),
                                lambda x: x.clamp(0, 1), lambda x: x.floor(),
                                lambda x: x.sign(), lambda x: fl.maximum(x, x)])
def test_ordered_ops_refuse_complex(op):
    with pytest.raises(NotImplementedError, match="complex"):
        op(fl.tensor([1 + 1j, 2j]))


def test_bitwise_refuses_complex():
    with pytest.raises(RuntimeError):
        fl.tensor([1j]) & fl.tensor([1j])


def test_requires_grad_on_complex():
    assert fl.tensor([1j], requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="floating point and complex"):
        fl.tensor([1], requires_grad=True)


# --- autograd ------------------------------------------------------------------------

def test_convention_closed_form():
    # L = sum |z|^2: PyTorch's gradient is dL/dx + i dL/dy = 2z
    z = c(4)
    (z * z.conj()).real.sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), 2 * z.detach().numpy())
    # L = sum(|z| + angle(z)): z/|z| + i z/|z|^2
    z = c(3)
    (z.abs().sum() + z.angle().sum()).backward()
    a = z.detach().numpy()
    np.testing.assert_allclose(z.grad.numpy(), a / abs(a) + 1j * a / abs(a) ** 2)


def test_real_input_of_complex_op_gets_real_grad():
    x, z = f(3), c(3, grad=False)
    (x * z).abs().sum().backward()
    assert x.grad.dtype is fl.float64


GRAD_CASES = {
    "add": (lambda a, b: a + b, lambda: (c(3), c(3))),
    "sub": (lambda a, b: a - b, lambda: (c(3), c(3))),
    "mul": (lambda a, b: a * b, lambda: (c(3), c(3))),
    "div": (lambda a, b: a / b, lambda: (c(3), c(3))),
    "mul_real": (lambda a, b: a * b, lambda: (c(3), f(3))),
    "scalar": (lambda a: a * (2 - 1j) + 1j, lambda: (c(3),)),
    "pow": (lambda a: a ** 3, lambda: (c(3),)),
    "exp": (lambda a: a.exp(), lambda: (c(3),)),
    "log": (lambda a: a.log(), lambda: (c(3),)),
    "sqrt": (lambda a: a.sqrt(), lambda: (c(3),)),
    "reciprocal": (lambda a: a.reciprocal(), lambda: (c(3),)),
    "sin_cos_tanh": (lambda a: a.sin() + a.cos() * a.tanh(), lambda: (c(3),)),
    "log_family": (lambda a: a.log2() + a.log10() + a.log1p() + a.exp2() + a.expm1(),
                   lambda: (c(3),)),
    "rsqrt_tan": (lambda a: a.rsqrt() + a.tan(), lambda: (c(3),)),
    "lerp": (lambda a, b, w: fl.lerp(a, b, w), lambda: (c(3), c(3), c(3))),
    "prod": (lambda a: a.prod(1), lambda: (c(2, 3),)),
    "cumsum_cumprod": (lambda a: a.cumsum(0) + a.cumprod(0), lambda: (c(4),)),
    "conj": (lambda a: a.conj(), lambda: (c(3),)),
    "real_imag": (lambda a: a.real * a.imag, lambda: (c(3),)),
    "abs": (lambda a: a.abs(), lambda: (c(3),)),
    "angle": (lambda a: a.angle(), lambda: (c(3),)),
    "sgn": (lambda a: fl.sgn(a), lambda: (c(3),)),
    "norms": (lambda a: a.norm(p=1) + a.norm(p=3) + a.norm(p=float("inf")), lambda: (c(3),)),
    "sum_mean": (lambda a: a.sum(0) + a.mean(1).sum(), lambda: (c(2, 3),)),
    "matmul": (lambda a, b: a @ b, lambda: (c(2, 3), c(3, 2))),
    "matvec": (lambda a, b: a @ b, lambda: (c(2, 3), c(3))),
    "dot": (lambda a, b: a @ b, lambda: (c(3), c(3))),
    "complex": (lambda a, b: fl.complex(a, b), lambda: (f(3), f(3))),
    "polar": (lambda a, b: fl.polar(a, b), lambda: (f(3), f(3))),
    "view_as_real": (lambda a: fl.view_as_real(a) * 2, lambda: (c(3),)),
    "view_as_complex": (lambda a: fl.view_as_complex(a) ** 2, lambda: (f(3, 2),)),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_gradcheck_complex(name):
    fn, make = GRAD_CASES[name]
    assert gradcheck(fn, make())


def test_real_valued_reductions_and_creation():
    a = np.array([1j, 2, 3 - 1j], dtype=np.complex64)
    x = fl.tensor(a)
    v, n = x.var(), x.norm()
    assert v.dtype is fl.float32 and n.dtype is fl.float32
    assert v.numpy().dtype == np.float32 and n.numpy().dtype == np.float32
    np.testing.assert_allclose(v.item(), np.var(a, ddof=1), rtol=1e-6)
    np.testing.assert_allclose(n.item(), np.linalg.norm(a), rtol=1e-6)
    assert fl.full((2,), 1j).dtype is fl.complex64
    assert fl.zeros(2, dtype=fl.cdouble).numpy().dtype == np.complex128
    z = c(4)
    assert gradcheck(lambda t: t.var(), (z,)) and gradcheck(lambda t: t.norm(), (z,))


def test_gradcheck_linear_einsum_inplace():
    assert gradcheck(lambda x, w, b: fl.nn.functional.linear(x, w, b), (c(2, 3), c(4, 3), c(4)))
    assert gradcheck(lambda a, b: fl.einsum("ij,jk->ik", a, b), (c(2, 3), c(3, 2)))
    assert gradcheck(lambda a: a.clone().mul_(2j).add_(1), (c(3),))


def test_inplace_complex_scalars():
    x = fl.tensor([1j, 2])
    x.mul_(2j)
    x += 1
    np.testing.assert_allclose(x.numpy(), [-1, 1 + 4j])
    y = fl.ones(2)
    with pytest.raises(RuntimeError, match="can't be cast"):
        y += 1j


def test_cfloat_cdouble_methods():
    x = fl.ones(2)
    assert x.cfloat().dtype is fl.complex64 and x.cdouble().dtype is fl.complex128
    z = x.cfloat()
    assert z.cfloat() is z


@pytest.mark.parametrize("name", ["mul", "div", "exp", "abs", "angle", "matmul"])
def test_gradgradcheck_complex(name):
    from flambeau.autograd import gradgradcheck
    fn, make = GRAD_CASES[name]
    assert gradgradcheck(fn, make())


def test_random_complex():
    fl.manual_seed(0)
    z = fl.randn(20000, dtype=fl.complex64)
    assert z.dtype is fl.complex64 and tuple(z.shape) == (20000,)
    a = z.numpy()
    assert abs(np.mean(np.abs(a) ** 2) - 1) < 0.05
    assert abs(np.var(a.real) - 0.5) < 0.05 and abs(np.var(a.imag) - 0.5) < 0.05
    u = fl.rand(2, 3, dtype=fl.complex128).numpy()
    assert u.dtype == np.complex128 and u.shape == (2, 3)
    assert (u.real >= 0).all() and (u.real < 1).all() and (u.imag >= 0).all()


def test_writes_through_real_and_imag_views_are_differentiable():
    z = fl.tensor([1 + 1j, 2 - 1j, 3j], dtype=fl.complex128, requires_grad=True)
    w = z * 1
    w.real[0] = 5.0
    (w * w.conj()).real.sum().backward()
    # the overwritten real part gets no gradient; the rest is 2w
    np.testing.assert_allclose(z.grad.numpy(), [2j, 4 - 2j, 6j])

    def f(a):
        w = a * 1
        w.imag[1:] = a.real[:2] * 3
        w.real[0] = a.imag[1] * 2
        return w * w

    from flambeau.autograd import gradgradcheck
    assert gradcheck(f, (c(3),)) and gradgradcheck(f, (c(3),))
