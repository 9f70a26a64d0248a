"""The kit's gradient checks on every registered device type: one test per
(differentiable entry, check).

Ids read ``cpu-gradcheck-mul`` and ``cpu-gradgradcheck-mul``. Each runs
``fl.autograd.gradcheck`` / ``gradgradcheck`` on a few of the entry's samples marked
differentiable, on the device, in float64 (float32 with looser tolerances where the
device has no float64). A check the kit skips (no sample suits a numerical check, no
floating-point output, a dtype or kernel the device lacks) is skipped with its reason.
"""

from __future__ import annotations

import functools

import pytest

import flambeau as fl
from flambeau.dispatcher.optable import OPS
from flambeau.plugins import conformance
from flambeau.plugins.conformance import CHECKS, GRAD_DB, check_grad

# Checks that fail because of a bug outside the files this kit may fix; strict, so the
# mark must go when the bug is fixed. Keys are (entry, check).
_KNOWN_BUGS: dict = {}

# Checks the kit skips on purpose on every device, with the reason it gives.
_SKIPPED_BY_DESIGN = {
    "round_half_even": "marked not differentiable",  # its samples are all ties
    "round_decimals": "marked not differentiable",   # jumps every 0.01
    "pow": "takes no float",                         # integer pow; pow_float is checked
    "argsort": "no floating-point output",
}


@functools.cache
def _result(device: str, name: str, check: str):
    return check_grad(GRAD_DB[name], device, check)


def _cases():
    for device in fl.backends.available():
        for name in GRAD_DB:
            for check in CHECKS:
                bug = _KNOWN_BUGS.get((name, check))
                marks = [pytest.mark.xfail(reason=bug, strict=True)] if bug else []
                yield pytest.param(device, name, check, marks=marks,
                                   id=f"{device}-{check}-{name}")


@pytest.mark.parametrize("device,name,check", list(_cases()))
def test_grad(device, name, check):
    res = _result(device, name, check)
    if res.status == conformance.SKIPPED:
        pytest.skip(res.reason)
    assert res.status == conformance.PASS, res.reason


def test_every_differentiable_row_is_checked():
    # every differentiable op-table row is the main row of an entry whose checks pass
    rows = {n for n, op in OPS.items()
            if op.differentiable and op.kind not in ("creation", "random", "inplace")}
    checked = {GRAD_DB[name].table_ops[0] for name in GRAD_DB
               if all(_result("cpu", name, c).status == conformance.PASS for c in CHECKS)}
    assert rows - checked == set()


def test_only_the_expected_checks_are_skipped_on_cpu():
    skipped = {name: _result("cpu", name, c).reason for name in GRAD_DB for c in CHECKS
               if _result("cpu", name, c).status == conformance.SKIPPED}
    assert set(skipped) == set(_SKIPPED_BY_DESIGN)
    for name, why in _SKIPPED_BY_DESIGN.items():
        assert why in skipped[name], skipped[name]


def test_grad_db_holds_the_differentiable_entries():
    names = {n for n, e in conformance.OP_DB.items() if e.differentiable or e.mutates}
    assert names <= set(GRAD_DB)
    assert not {n for n, e in GRAD_DB.items() if not (e.differentiable or e.mutates)}
    for composite in ("autograd_broadcast", "autograd_view_inplace",
                      "autograd_getitem_setitem"):
        assert composite in GRAD_DB


def test_samples_left_out_say_why():
    res = _result("cpu", "exp", "gradcheck")
    assert res.samples == 2
    assert any("not differentiable" in why for why in res.left_out)  # NaN/inf sample
    assert any("empty" in why for why in res.left_out)
    lossy = _result("cpu", "cast", "gradcheck")
    assert lossy.status == conformance.PASS
    assert any("lossy cast" in why for why in lossy.left_out)


@pytest.mark.parametrize("name", ["einsum", "getitem_advanced", "matmul"])
def test_every_suitable_sample_passes(name):
    # entries whose samples differ in kind (einsum's diagonal 'ii->i', a bool mask, 1-d
    # and batched matmul), beyond the two the default budget takes
    res = check_grad(GRAD_DB[name], "cpu", "gradcheck", max_samples=50)
    assert res.status == conformance.PASS, res.reason
    assert res.samples > 2


def test_a_wrong_formula_fails(monkeypatch):
    # the check has teeth: a formula off by a factor of two is caught
    from flambeau.autograd.formula import Formula
    sin = OPS["sin"]
    monkeypatch.setattr(sin, "backward", Formula("sin", lambda g, a: g * a.cos() * 2))
    res = check_grad(GRAD_DB["sin"], "cpu", "gradcheck")
    assert res.status == conformance.FAIL
    assert "Jacobian mismatch" in res.reason


def test_a_device_without_float64_is_checked_in_float32(monkeypatch):
    backend = fl.backends.backend_for("cpu")
    assert conformance.grad_settings("cpu")[0] is fl.float64
    monkeypatch.setattr(backend, "supported_dtypes",
                        tuple(d for d in backend.supported_dtypes if d is not fl.float64))
    dtype, settings = conformance.grad_settings("cpu")
    assert dtype is fl.float32 and settings["eps"] == 1e-3 and settings["atol"] == 1e-2
    for name in ("mul", "softmax", "autograd_view_inplace"):
        res = check_grad(GRAD_DB[name], "cpu", "gradcheck")
        assert (res.status, res.dtype) == (conformance.PASS, "float32"), res.reason
    # float_power computes in float64, which this device cannot hold
    res = check_grad(GRAD_DB["float_power"], "cpu", "gradcheck")
    assert res.status == conformance.SKIPPED and "cannot hold" in res.reason


def test_report_lists_checks_and_reasons():
    results = conformance.run_grad("cpu", names=["mul", "argsort", "autograd_broadcast"])
    text = conformance.format_grad_report(results)
    assert "6 checks" in text and "4 pass" in text and "2 skipped" in text
    assert "argsort gradcheck: no floating-point output" in text
    assert "samples left out of the checks" in text


def test_cli_runs_the_grad_checks(capsys):
    from flambeau.plugins.conformance.__main__ import main
    assert main(["--device", "cpu", "--grad-only", "--ops", "mul", "sum"]) == 0
    out = capsys.readouterr().out
    assert "gradient checks on cpu in float64: 4 checks, 4 pass" in out
