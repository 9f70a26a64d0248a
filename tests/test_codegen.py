"""The op table's signatures and surfaces, and the frontend code generated from them.

The generated modules must match what ``python -m flambeau.frontend.codegen`` writes
now; every Tensor method flambeau had before the methods were generated must still be
there; each row's ``sig`` must match the keyword params its kernels take; derivative
formulas may only name params of their row.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import numpy as np
import pytest

import flambeau as fl
from flambeau.autograd import derivatives
from flambeau.backends import xp as xp_kernels
from flambeau.dispatcher.optable import OPS, REQUIRED, Op, parse_sig
from flambeau.frontend import codegen, elementwise, elementwise_generated
from flambeau.frontend.tensor import Tensor
from flambeau.frontend.tensor_methods import TensorMethods

ROOT = Path(fl.__file__).resolve().parent

# Tensor's methods before they were generated: the hand list of the old
# frontend/methods.py (its _METHODS), the other names it attached, and the in-place
# variants it attached (OLD_INPLACE). Nothing of these may go missing.
OLD_METHODS = (
    "abs absolute add all allclose amax amin aminmax any arctan2 argmax argmin argsort "
    "argwhere atan2 atleast_1d atleast_2d bitwise_and bitwise_left_shift bitwise_not "
    "bitwise_or bitwise_right_shift bitwise_xor bmm broadcast_tensors broadcast_to cat ceil "
    "chunk clamp clamp_max clamp_min clip clone concat concatenate contiguous cos "
    "count_nonzero cumprod cumsum diagonal div divide dot eq equal erf exp exp2 expand "
    "expand_as expm1 fix flatten flip fliplr flipud float_power floor floor_divide fmod "
    "gather ge ger greater greater_equal gt hstack index_put index_select inner isclose "
    "isfinite isinf isnan le lerp less less_equal log log10 log1p log2 log_softmax "
    "logical_and logical_not logical_or logical_xor logsumexp lt masked_fill masked_select "
    "matmul max maximum mean min minimum mm moveaxis movedim mul multiply mv nan_to_num "
    "nansum narrow ne neg negative nonzero norm not_equal outer permute positive pow prod "
    "ravel reciprocal relu remainder repeat reshape reshape_as roll round rsqrt rsub "
    "scatter scatter_add sigmoid sign sin softmax sort special_expit split sqrt square "
    "squeeze stack std std_mean sub subtract sum swapaxes swapdims t take_along_dim tan "
    "tanh tile topk transpose tril triu true_divide trunc unbind unflatten unique unsqueeze "
    "var var_mean view view_as vstack where").split()
OLD_OTHERS = (
    "H T mH mT bernoulli bernoulli_ copy_ fill_ zero_ multinomial normal_ uniform_ "
    "new_empty new_full new_ones new_tensor new_zeros __getitem__ __setitem__ __abs__ "
    "__add__ __and__ __eq__ __floordiv__ __ge__ __gt__ __iadd__ __iand__ __ifloordiv__ "
    "__imod__ __imul__ __invert__ __ior__ __ipow__ __isub__ __itruediv__ __ixor__ __le__ "
    "__lshift__ __lt__ __matmul__ __mod__ __mul__ __ne__ __neg__ __or__ __pos__ __pow__ "
    "__radd__ __rand__ __rfloordiv__ __rlshift__ __rmatmul__ __rmod__ __rmul__ __ror__ "
    "__rpow__ __rrshift__ __rshift__ __rsub__ __rtruediv__ __rxor__ __sub__ "
    "__truediv__ __xor__").split()
OLD_INPLACE = (
    "add sub mul div pow remainder fmod floor_divide clamp clamp_min clamp_max clip "
    "masked_fill neg abs exp log sqrt rsqrt sigmoid tanh relu floor ceil round trunc sin "
    "cos reciprocal sign lerp nan_to_num scatter scatter_add tril triu logical_not "
    "bitwise_not bitwise_and bitwise_or bitwise_xor exp2 expm1 log1p log2 log10 erf tan "
    "maximum minimum atan2 square eq ne lt le gt ge logical_and logical_or logical_xor "
    "true_divide multiply subtract divide index_put").split()


# --- the generated modules -------------------------------------------------------------

def test_generated_modules_are_up_to_date():
    for path, text in codegen.render().items():
        assert path.exists(), f"{path.name} is missing: run {codegen.COMMAND}"
        assert path.read_text() == text, (
            f"{path.relative_to(ROOT.parent)} is stale (the op table or a frontend "
            f"function's signature changed): run {codegen.COMMAND}")


def test_generated_modules_parse_and_say_so():
    for path in codegen.render():
        src = path.read_text()
        ast.parse(src)
        assert "generated" in src.splitlines()[0] and "do not edit" in src.splitlines()[0]


def test_no_tensor_method_was_lost():
    wanted = set(OLD_METHODS) | set(OLD_OTHERS) | {n + "_" for n in OLD_INPLACE}
    lost = sorted(n for n in wanted if not hasattr(Tensor, n))
    assert not lost, f"Tensor lost methods: {lost}"


def test_methods_are_defined_once():
    # Tensor's own class body must not hide a generated method (it would win silently)
    own = set(vars(Tensor)) - {"__module__", "__doc__", "__init__", "__dict__",
                               "__weakref__", "__hash__", "__annotations__"}
    assert not own & set(vars(TensorMethods)) - {"__module__", "__doc__", "__dict__",
                                                 "__weakref__", "__hash__"}
    assert Tensor.__hash__ is object.__hash__  # the mixin's __eq__ must not unhash it


def test_rows_surface_as_declared():
    for name, row in OPS.items():
        names = (name, *row.aliases)
        for n in names:
            if row.method:
                assert callable(getattr(Tensor, n, None)), f"Tensor.{n} (row {name})"
            if row.inplace:
                assert callable(getattr(Tensor, n + "_", None)), f"Tensor.{n}_ (row {name})"
        for op in row.operators:
            assert op in vars(TensorMethods), f"{op} of row {name}"
        if row.function == "generated":
            fn = getattr(elementwise_generated, name)
            assert getattr(elementwise, name) is fn and getattr(fl, name) is fn
            for a in row.aliases:
                assert getattr(fl, a) is fn, f"alias {a} of {name}"
            assert fn.__doc__ and "Returns:" in fn.__doc__
        elif row.function == "wrapped":
            hand = getattr(elementwise, name)
            assert hand is not getattr(elementwise_generated, name)
            assert getattr(fl, name) is hand
            for a in row.aliases:
                assert getattr(fl, a) is hand, f"alias {a} of {name}"


def test_generated_methods_compute_what_the_functions_do():
    x = fl.tensor([[0.5, -1.5], [2.0, 0.0]])
    y = fl.tensor([[1.0, 2.0], [3.0, -4.0]])
    for name in ("exp", "abs", "neg", "floor", "isnan", "sigmoid"):
        assert fl.equal(getattr(x, name)(), getattr(fl, name)(x)), name
    assert fl.equal(x.mul(y), x * y) and fl.equal(x.maximum(y), fl.maximum(x, y))
    assert fl.equal(2 - x, fl.sub(2, x)) and fl.equal(2 / y, fl.div(2, y))
    assert fl.equal(x.sum(0, keepdim=True), fl.sum(x, 0, keepdim=True))
    assert fl.equal(x.T, x.permute(1, 0)) and fl.equal(x.where(x > 0, y), fl.where(x > 0, x, y))
    z = x.clone()
    assert z.div_(2) is z and fl.equal(z, x / 2)
    assert z.div_(fl.tensor(2.0), rounding_mode="floor") is z
    np.testing.assert_array_equal(z.numpy(), np.floor(x.numpy() / 4))


def test_method_signatures_are_the_functions():
    # the generated methods take what the functions take (after the tensor)
    for name in ("sum", "reshape", "view", "topk", "scatter", "max", "norm", "cat"):
        fn = getattr(fl, name)
        fp = list(inspect.signature(fn).parameters.values())
        mp = list(inspect.signature(getattr(Tensor, name)).parameters.values())
        assert [(p.name, p.kind, p.default) for p in fp[1:]] == \
            [(p.name, p.kind, p.default) for p in mp[1:]], name


# --- row signatures ----------------------------------------------------------------------

def test_every_row_has_a_signature_matching_nin():
    for name, row in OPS.items():
        assert row.sig, f"row {name} has no sig"
        inputs = [p for p in row.params if p.tensor]
        if row.nin >= 0:
            assert len(inputs) == row.nin, name
        else:
            assert [p.kind for p in inputs] == ["tensors"], name


def test_parse_sig():
    assert parse_sig("(input, *, dim=None, keepdim=False)") == (
        ("input", "tensor", REQUIRED), ("dim", "param", None), ("keepdim", "param", False))
    assert [p.kind for p in parse_sig("(*tensors, dim)")] == ["tensors", "param"]
    for bad in ("(input=1)", "(input, **kw)", "(input, *, dim: int)", "(x, *, d=len)", "x"):
        with pytest.raises(ValueError, match="op 'bad'"):
            parse_sig(bad, "bad")
    with pytest.raises(ValueError, match="nin=2"):
        Op("bad", "binary", nin=2, sig="(input)")


def _kernel_params(k, nin: int):
    """(keyword param name -> default, takes **kwargs) of a kernel, or None when it has
    no Python signature (a NumPy ufunc takes the arrays only)."""
    if isinstance(k, np.ufunc):
        return None
    try:
        ps = list(inspect.signature(k).parameters.values())
    except (TypeError, ValueError):
        return None
    var_kw = any(p.kind is p.VAR_KEYWORD for p in ps)
    # the tensors are the first nin positional params (or the *args); the rest are params
    ps = [p for p in ps if p.kind is p.KEYWORD_ONLY] if nin < 0 else ps[nin:]
    return {p.name: p.default for p in ps if p.kind is not p.VAR_KEYWORD}, var_kw


def test_shared_xp_kernels_take_exactly_the_rows_params():
    for name, k in xp_kernels.kernels(np).items():
        row = OPS[name]
        got = _kernel_params(k, row.nin)
        if got is None:
            assert not row.param_names, f"{name}: a ufunc kernel cannot take params"
            continue
        params, var_kw = got
        if var_kw and not params:
            continue  # a wrapper passing **kwargs through
        wanted = {p.name: p.default for p in row.params if not p.tensor}
        assert params == wanted, f"{name}: kernel takes {params}, sig says {row.sig}"


def test_every_backends_kernels_accept_the_rows_params():
    from flambeau.dispatcher.registry import _BACKENDS
    assert _BACKENDS
    for name, row in OPS.items():
        for device_type, per_dtype in row.kernels.items():
            for k in {id(k): k for k in per_dtype.values()}.values():
                got = _kernel_params(k, row.nin)
                if got is None:
                    continue
                params, var_kw = got
                lacking = set(row.param_names) - set(params)
                assert var_kw or not lacking, \
                    f"{device_type} kernel for {name} does not take {sorted(lacking)}"
                required = {n for n, d in params.items() if d is inspect.Parameter.empty}
                assert required <= set(row.param_names), \
                    f"{device_type} kernel for {name} requires {sorted(required)}"


# --- derivative formulas against the rows ----------------------------------------------

def test_install_checks_formula_names_against_the_sig(monkeypatch):
    before = OPS["softmax"].backward
    monkeypatch.setitem(derivatives.DERIVATIVES, "softmax", lambda g, out, axis: g)
    with pytest.raises(RuntimeError, match=r"'softmax' takes 'axis'.*softmax\(input, \*, "
                                           r"dim\)"):
        derivatives.install()
    monkeypatch.setitem(derivatives.DERIVATIVES, "softmax", lambda g, out, c: g)
    with pytest.raises(RuntimeError, match="'softmax' takes 'c'"):
        derivatives.install()
    assert OPS["softmax"].backward is before  # nothing half-installed


def test_every_formula_names_only_its_rows_params():
    for name, fn in derivatives.DERIVATIVES.items():
        names = list(inspect.signature(fn).parameters)[1:]
        special = {"a", "b", "c", "inputs", "out", "needs", "shapes"}
        assert set(names) - special <= set(OPS[name].param_names), name


# --- packaging -------------------------------------------------------------------------

def test_package_ships_py_typed():
    assert (ROOT / "py.typed").exists()
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    conf = tomllib.loads((ROOT.parent / "pyproject.toml").read_text())
    assert "py.typed" in conf["tool"]["setuptools"]["package-data"]["flambeau"]
