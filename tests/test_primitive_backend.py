"""A backend with only the primitives passes the whole conformance kit, forward and
gradients, through the composites; and the coverage report says how.

The ``prim`` backend (tests/primitive_backend.py) holds its arrays in memory that
flambeau cannot write through, implements exactly ``fl.backends.primitives()``, and
can hold every dtype: on it, an unsupported case is a failure (an op the composites
cannot derive), never a skip.
"""

from __future__ import annotations

import functools

import pytest

import flambeau as fl
from flambeau.backends import coverage, primitives
from flambeau.dispatcher.optable import OPS
from flambeau.plugins import conformance
from flambeau.plugins.conformance import CHECKS, GRAD_DB, OP_DB, check_case, check_grad
from primitive_backend import DEVICE_TYPE, PrimitiveBackend, unregister

from test_conformance_grad import _SKIPPED_BY_DESIGN


@pytest.fixture(scope="module", autouse=True)
def prim_backend():
    backend = PrimitiveBackend()
    fl.backends.register_backend(backend)
    try:
        yield backend
    finally:
        unregister()


def test_the_contract_is_small():
    assert len(primitives()) <= 40, primitives()


def test_coverage_reports_every_row():
    cov = coverage(DEVICE_TYPE)
    assert set(cov) == set(OPS)
    assert {n for n, s in cov.items() if s == "primitive"} == set(primitives())
    assert {n for n, s in cov.items() if s == "derived"} == set(OPS) - set(primitives())
    cpu = coverage("cpu")
    assert "missing" not in cpu.values() and "derived" not in cpu.values()


@pytest.mark.parametrize("entry,dtype", [
    pytest.param(entry, dtype, id=f"{entry.name}-{dtype.name}")
    for entry in OP_DB.values() for dtype in entry.dtypes])
def test_forward(entry, dtype):
    res = check_case(entry, dtype, DEVICE_TYPE)
    assert res.status == conformance.PASS, res.reason


@functools.cache
def _grad(name: str, check: str):
    return check_grad(GRAD_DB[name], DEVICE_TYPE, check)


@pytest.mark.parametrize("name,check", [
    pytest.param(name, check, id=f"{check}-{name}")
    for name in GRAD_DB for check in CHECKS])
def test_grad(name, check):
    res = _grad(name, check)
    if res.status == conformance.SKIPPED and name in _SKIPPED_BY_DESIGN:
        pytest.skip(res.reason)
    assert res.status == conformance.PASS, res.reason


def test_explain_names_the_composite():
    msg = fl.backends.explain("softmax", DEVICE_TYPE, fl.float32)
    assert "composite" in msg and "primitives-only" in msg
    x = fl.tensor([1.0, 2.0, 3.0]).to(DEVICE_TYPE)
    ref = fl.softmax(fl.tensor([1.0, 2.0, 3.0]), dim=0).numpy()
    assert abs(fl.softmax(x, dim=0).cpu().numpy() - ref).max() < 1e-6
