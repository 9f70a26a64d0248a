"""The conformance kit on every registered device type: one test per (entry, dtype).

Ids read ``cpu-add-float32``. A case the device cannot run (no device present, a dtype
it cannot hold, a kernel its backend lacks) is skipped with the kit's reason.
"""

from __future__ import annotations

import pytest

import flambeau as fl
from flambeau.dispatcher.optable import OPS
from flambeau.plugins import conformance
from flambeau.plugins.conformance import OP_DB, check_case

# Rows no public function reaches (none today); nn rows are checked by the nn tests.
_NOT_COVERED: set = set()

# Entries that fail because of a bug outside the files this kit may fix; strict, so the
# mark must go when the bug is fixed.
_KNOWN_BUGS: dict = {}


def _cases():
    for device in fl.backends.available():
        for entry in OP_DB.values():
            for dtype in entry.dtypes:
                bug = _KNOWN_BUGS.get(entry.name)
                marks = [pytest.mark.xfail(reason=bug, strict=True)] if bug else []
                yield pytest.param(device, entry, dtype, marks=marks,
                                   id=f"{device}-{entry.name}-{dtype.name}")


@pytest.mark.parametrize("device,entry,dtype", list(_cases()))
def test_conformance(device, entry, dtype):
    res = check_case(entry, dtype, device)
    if res.status == conformance.UNSUPPORTED:
        pytest.skip(res.reason)
    assert res.status == conformance.PASS, res.reason


def test_every_op_with_a_frontend_has_an_entry():
    missing = {n for n in conformance.uncovered_ops(OP_DB) if OPS[n].kind != "nn"}
    assert missing == _NOT_COVERED


def test_entries_name_real_ops_and_dtypes():
    for entry in OP_DB.values():
        assert entry.dtypes, entry.name
        assert all(n in OPS for n in entry.table_ops), entry.name


def test_unsupported_is_reported_not_passed():
    # a device type nobody serves: every case is unsupported, with a reason
    res = check_case(OP_DB["add"], fl.float32, "nosuchdevice")
    assert res.status == conformance.UNSUPPORTED
    assert "nosuchdevice" in res.reason


def test_samples_are_reusable_and_marked_for_gradcheck():
    import numpy as np
    samples = list(OP_DB["mul"].samples(fl.float64, np.random.default_rng(0)))
    assert any(s.differentiable for s in samples)
    # a differentiable sample has a floating-point input for gradcheck to perturb
    assert all(s.float_positions() for s in samples if s.differentiable)
    ints = list(OP_DB["mul"].samples(fl.int32, np.random.default_rng(0)))
    assert not any(s.differentiable for s in ints)
    assert OP_DB["mul"].differentiable and not OP_DB["eq"].differentiable


def test_report_lists_every_case():
    results = conformance.run("cpu", names=["add", "sum"], dtypes=["float32", "int64"])
    text = conformance.format_report(results)
    assert "add" in text and "sum" in text and "4 cases" in text
