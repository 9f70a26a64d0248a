"""fl.profiler: op counts, gradients, times, ranges, the table and the trace.

References are independent of the profiler: a plain counting layer written here, the
closed-form op counts of an SGD step, NumPy for gradient equality, and the nesting and
timing invariants that hold for any correct profile.
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections import Counter

import numpy as np
import pytest

import flambeau as fl
import flambeau.profiler as profiler
from flambeau.profiler import layer as profiler_layer
from flambeau.profiler import profiling


class CountOps(fl.dispatcher.Layer):
    """The independent reference: counts every op that reaches the stack."""

    def __init__(self):
        self.counts = Counter()

    def handle(self, op, inputs, params, redispatch):
        self.counts[op.name] += 1
        return redispatch()


def op_counts(prof) -> Counter:
    return Counter(e.name for e in prof.events() if not e.is_user_annotation)


def make_problem(seed=0):
    fl.manual_seed(seed)
    model = fl.nn.Linear(3, 2)
    opt = fl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = fl.randn(4, 3)
    y = fl.randn(4, 2)
    return model, opt, x, y


def train(model, opt, x, y, steps=2):
    for _ in range(steps):
        opt.zero_grad(set_to_none=False)
        loss = fl.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
    return loss


def numpy_state(model):
    return [(p.detach().numpy().copy(), p.grad.numpy().copy()) for p in model.parameters()]


@pytest.fixture(autouse=True)
def clean_stack():
    before = fl.dispatcher.stack()
    yield
    assert fl.dispatcher.stack() == before
    assert profiler_layer.ACTIVE == []


# --- what it sees --------------------------------------------------------------------

def test_training_step_counts_match_a_counting_layer():
    model, opt, x, y = make_problem()
    with fl.dispatcher.installed(CountOps()) as counter:
        train(model, opt, x, y)
    model, opt, x, y = make_problem()
    with profiler.profile() as prof:
        train(model, opt, x, y)
    assert op_counts(prof) == counter.counts
    rows = {r.key: r.count for r in prof.key_averages()}
    assert rows == dict(counter.counts)


def test_training_step_closed_form_counts():
    model, opt, x, y = make_problem()
    n_params = len(list(model.parameters()))  # weight and bias
    phases = []
    for _ in range(2):
        with profiler.profile() as zero:
            opt.zero_grad(set_to_none=False)
        with profiler.profile() as fwd:
            loss = fl.nn.functional.mse_loss(model(x), y)
        with profiler.profile() as bwd:
            loss.backward()
        with profiler.profile() as step:
            opt.step()
        phases.append([op_counts(p) for p in (zero, fwd, bwd, step)])
    (z1, f1, b1, s1), (z2, f2, b2, s2) = phases
    # first step: no grads to zero; SGD with momentum clones g into the buffer, then
    # p.add_(buf, alpha=-lr)
    assert z1 == Counter()
    assert s1 == Counter({"clone": n_params, "add_": n_params})
    # second step: buf.mul_(momentum).add_(g), then p.add_(buf)
    assert s2 == Counter({"mul_": n_params, "add_": 2 * n_params})
    # zero_grad(set_to_none=False) writes each existing grad once, in place
    assert sum(z2.values()) == n_params and all(k.endswith("_") for k in z2)
    # one linear op forward; backward accumulates into existing grads with add_
    assert f1["linear"] == f2["linear"] == 1
    assert b1["add_"] == 0 and b2["add_"] == n_params
    assert b1 == b2 - Counter({"add_": n_params})
    assert sum(b1.values()) > 0  # backward's formulas reach the profiler


def test_creation_ops_are_seen():
    with profiler.profile() as prof:
        fl.zeros(3)
        fl.ones(2, 2)
        fl.randn(4)
    assert sum(op_counts(prof).values()) >= 3
    for e in prof.events():
        assert e.device == "cpu" and e.backend is not None


def test_gradients_bitwise_identical_with_and_without_profiler():
    model, opt, x, y = make_problem(seed=3)
    loss_a = train(model, opt, x, y).item()
    ref = numpy_state(model)
    model, opt, x, y = make_problem(seed=3)
    with profiler.profile(record_shapes=True, with_stack=True):
        loss_b = train(model, opt, x, y).item()
    got = numpy_state(model)
    assert loss_a == loss_b
    for (pa, ga), (pb, gb) in zip(ref, got):
        assert pa.tobytes() == pb.tobytes()
        assert ga.tobytes() == gb.tobytes()


def test_inplace_write_under_autograd_nests_the_ops_autograd_issues():
    with profiler.profile() as prof:
        h = fl.randn(3, requires_grad=True) * 2
        h.add_(1)
        h.sum().backward()
    nested = [e for e in prof.events()
              if e.cpu_parent is not None and not e.cpu_parent.is_user_annotation]
    assert nested, "autograd's recording of an in-place write issues ops inside it"


# --- times and nesting ---------------------------------------------------------------

def test_self_time_le_total_and_totals_add_up():
    model, opt, x, y = make_problem()
    with profiler.profile() as prof:
        with profiler.record_function("all"):
            train(model, opt, x, y)
            h = fl.randn(3, requires_grad=True) * 2
            h.add_(1)
    events = prof.events()
    for e in events:
        assert 0 <= e.self_cpu_time_total <= e.cpu_time_total
        children_ns = sum(c.end_ns - c.start_ns for c in e.cpu_children)
        assert e.end_ns - e.start_ns == (e.end_ns - e.start_ns - children_ns) + children_ns
        for c in e.cpu_children:
            assert c.cpu_parent is e and c.thread == e.thread
            assert e.start_ns <= c.start_ns <= c.end_ns <= e.end_ns
    (root,) = [e for e in events if e.name == "all"]
    assert all(e is root or e.cpu_parent is not None for e in events)

    def subtree_self(e):
        return e.self_cpu_time_total + sum(subtree_self(c) for c in e.cpu_children)

    assert subtree_self(root) == pytest.approx(root.cpu_time_total, rel=1e-9)
    rows = prof.key_averages()
    assert sum(r.self_cpu_time_total for r in rows) == pytest.approx(
        events.self_cpu_time_total, rel=1e-9)
    assert events.self_cpu_time_total == pytest.approx(root.cpu_time_total, rel=1e-9)
    for r in rows:
        assert r.cpu_time == pytest.approx(r.cpu_time_total / r.count)
        assert r.self_cpu_time_total <= r.cpu_time_total + 1e-9
    total = rows.total_average()
    assert total.key == "Total" and total.count == len(events)


def test_record_function_nests_and_contains_ops():
    a, b = fl.randn(4), fl.randn(4)

    @profiler.record_function("deco")
    def fact(n):
        return a * 1 if n == 0 else fact(n - 1) + b

    with profiler.profile() as prof:
        with profiler.record_function("outer"):
            with profiler.record_function("inner", args="note"):
                a + b
            fact(2)
    by_name = {}
    for e in prof.events():
        by_name.setdefault(e.name, []).append(e)
    (outer,), (inner,) = by_name["outer"], by_name["inner"]
    assert outer.is_user_annotation and outer.cpu_parent is None and outer.device is None
    assert inner.cpu_parent is outer and inner.args == "note"
    (add_in_inner,) = [c for c in inner.cpu_children if c.name == "add"]
    assert not add_in_inner.is_user_annotation
    decos = by_name["deco"]
    assert len(decos) == 3  # one range per call, nested by the recursion
    assert decos[0].cpu_parent is outer
    assert decos[1].cpu_parent is decos[0] and decos[2].cpu_parent is decos[1]
    assert [c.name for c in decos[2].cpu_children] == ["mul"]
    rows = {r.key: r for r in prof.key_averages()}
    assert rows["deco"].count == 3 and rows["deco"].is_user_annotation
    assert fact.__name__ == "fact"
    table = prof.key_averages().table()
    assert "outer" in table and "inner" in table and "deco" in table


def test_record_function_without_profiler_records_nothing():
    with profiler.record_function("before"):
        fl.randn(2) + 1
    with profiler.profile() as prof:
        pass
    assert list(prof.events()) == []
    assert prof.key_averages().table() == ""


# --- table ---------------------------------------------------------------------------

def test_table_columns_sorting_and_limits():
    a, b = fl.randn(16), fl.randn(16)
    with profiler.profile() as prof:
        for _ in range(5):
            a + b
        fl.matmul(fl.randn(8, 8), fl.randn(8, 8))
    rows = prof.key_averages()
    table = rows.table(sort_by="self_cpu_time_total", row_limit=100)
    header = table.splitlines()[1]
    for col in ("Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total",
                "CPU time avg", "# of Calls", "Device"):
        assert col in header
    assert "Input Shapes" not in header
    assert "cpu (numpy)" in table
    assert table.rstrip().splitlines()[-1].startswith("Self CPU time total:")
    body = table.splitlines()[3:-2]
    assert len(body) == len(rows)
    order = [line.split()[0] for line in body]
    expected = [r.key for r in sorted(rows, key=lambda r: -r.self_cpu_time_total)]
    assert order == expected
    assert {r.key: r.count for r in rows}["add"] == 5
    assert len(rows.table(row_limit=1).splitlines()) == 3 + 1 + 2
    assert len(rows.table(sort_by="count", row_limit=-1).splitlines()) == 3 + len(rows) + 2
    assert "ms" in rows.table(time_unit="ms").splitlines()[3]
    assert str(rows) == rows.table()
    with pytest.raises(ValueError, match="cannot sort by"):
        rows.table(sort_by="nonsense")


def test_record_shapes_and_group_by_input_shape():
    model = fl.nn.Linear(3, 2)
    with profiler.profile(record_shapes=True) as prof:
        model(fl.randn(4, 3))
        fl.randn(16) + fl.randn(16)
        fl.randn(2, 5) + 1.5
    linear = [e for e in prof.events() if e.name == "linear"][0]
    assert linear.input_shapes == [[4, 3], [2, 3], [2]]
    adds = sorted((e.input_shapes for e in prof.events() if e.name == "add"), key=str)
    assert adds == sorted([[[16], [16]], [[2, 5], []]], key=str)
    plain = {r.key: r for r in prof.key_averages()}
    assert plain["add"].count == 2 and plain["add"].input_shapes == ""
    split = [r for r in prof.key_averages(group_by_input_shape=True) if r.key == "add"]
    assert sorted(str(r.input_shapes) for r in split) == sorted(str(s) for s in adds)
    table = prof.key_averages(group_by_input_shape=True).table()
    assert "Input Shapes" in table and "[[4, 3], [2, 3], [2]]" in table

    with profiler.profile() as no_shapes:
        fl.randn(3) + 1
    assert all(e.input_shapes is None for e in no_shapes.events())


def test_with_stack_points_at_this_file():
    with profiler.profile(with_stack=True) as prof:
        fl.randn(3) + 1
    e = [e for e in prof.events() if e.name == "add"][0]
    assert e.stack and "test_profiler.py" in e.stack[0]
    assert not any(os.sep + "dispatcher" + os.sep in f for f in e.stack)
    table = prof.key_averages(group_by_stack_n=1).table()
    assert "Source Location" in table and "test_profiler.py" in table


# --- trace ---------------------------------------------------------------------------

def test_chrome_trace_parses_and_has_complete_events(tmp_path):
    model, opt, x, y = make_problem()
    with profiler.profile(record_shapes=True) as prof:
        with profiler.record_function("train_step"):
            train(model, opt, x, y, steps=1)
    path = tmp_path / "trace.json"
    path.write_text("old contents")
    prof.export_chrome_trace(str(path))
    doc = json.loads(path.read_text())
    complete = [ev for ev in doc["traceEvents"] if ev["ph"] == "X"]
    assert len(complete) == len(prof.events())
    for ev in complete:
        for field in ("name", "ts", "dur", "pid", "tid", "cat", "args"):
            assert field in ev
        assert ev["ts"] >= 0 and ev["dur"] >= 0
        assert isinstance(ev["pid"], int) and isinstance(ev["tid"], int)
    names = Counter(ev["name"] for ev in complete)
    assert names == Counter(e.name for e in prof.events())
    step = [ev for ev in complete if ev["name"] == "train_step"][0]
    assert step["cat"] == "user_annotation"
    linear = [ev for ev in complete if ev["name"] == "linear"][0]
    assert linear["cat"] == "cpu_op" and linear["args"]["Device"] == "cpu"
    assert linear["args"]["Input Dims"] == [[4, 3], [2, 3], [2]]
    # the range contains its ops on the timeline
    assert step["ts"] <= linear["ts"] <= linear["ts"] + linear["dur"] <= \
        step["ts"] + step["dur"] + 1e-3
    assert sorted(os.listdir(tmp_path)) == ["trace.json"]  # no temporary left behind
    prof.events().export_chrome_trace(tmp_path / "again.json")  # path-like works too
    assert json.loads((tmp_path / "again.json").read_text())["traceEvents"]


# --- lifecycle -----------------------------------------------------------------------

def test_off_means_nothing_installed():
    before = fl.dispatcher.stack()
    assert not any(isinstance(x, profiler_layer.ProfilerLayer) for x in before)
    with profiler.profile():
        assert len(fl.dispatcher.stack()) == len(before) + 1
        assert isinstance(fl.dispatcher.stack()[0], profiler_layer.ProfilerLayer)
    assert fl.dispatcher.stack() == before


def test_removed_from_stack_when_block_raises():
    before = fl.dispatcher.stack()
    with pytest.raises(ZeroDivisionError):
        with profiler.profile() as prof:
            with profiler.record_function("doomed"):
                fl.randn(2) * 2
                raise ZeroDivisionError("boom")
    assert fl.dispatcher.stack() == before
    names = [e.name for e in prof.events()]
    assert "doomed" in names and "mul" in names


class FailMul(fl.dispatcher.Layer):
    """Sits below the profiler and fails every mul, as a kernel error would."""

    def handle(self, op, inputs, params, redispatch):
        if op.name == "mul":
            raise ValueError("mul failed below the profiler")
        return redispatch()


def test_op_that_raises_is_recorded_and_nesting_recovers():
    a = fl.randn(3)
    with fl.dispatcher.installed(FailMul()):
        with profiler.profile() as prof:
            with pytest.raises(ValueError, match="failed below"):
                a * 2
            a + 1
    mul, add = [e for e in prof.events() if e.name in ("mul", "add")]
    assert mul.name == "mul" and mul.end_ns >= mul.start_ns
    assert add.cpu_parent is None  # the failed op closed its range


def test_start_stop_and_errors():
    prof = profiler.profile()
    with pytest.raises(RuntimeError, match="has not run"):
        prof.key_averages()
    prof.start()
    try:
        with pytest.raises(RuntimeError, match="already"):
            prof.start()
        fl.randn(2) + 1
        with pytest.raises(RuntimeError, match="still running"):
            prof.events()
    finally:
        prof.stop()
    prof.stop()  # a second stop is a no-op
    assert op_counts(prof)["add"] == 1
    prof.start()  # a restart starts afresh
    prof.stop()
    assert list(prof.events()) == []


def test_nested_profiles_are_allowed():
    with profiler.profile() as outer:
        fl.randn(2) * 3
        with profiler.profile() as inner:
            with profiler.record_function("r"):
                fl.randn(2) + 1
        fl.randn(2) - 1
    assert op_counts(inner)["add"] == 1
    assert "mul" not in op_counts(inner) and "sub" not in op_counts(inner)
    oc = op_counts(outer)
    assert oc["mul"] == oc["add"] == oc["sub"] == 1
    assert [e.name for e in inner.events() if e.is_user_annotation] == ["r"]
    assert [e.name for e in outer.events() if e.is_user_annotation] == ["r"]


def test_on_trace_ready_runs_at_stop():
    seen = []
    with profiler.profile(on_trace_ready=seen.append) as prof:
        fl.randn(2) + 1
    assert seen == [prof]


def test_other_threads_are_recorded_under_their_id():
    def work():
        with profiler.record_function("worker"):
            fl.randn(3) + 1

    with profiler.profile() as prof:
        t = threading.Thread(target=work)
        t.start()
        t.join()
        fl.randn(3) * 2
    worker = [e for e in prof.events() if e.name == "worker"][0]
    mul = [e for e in prof.events() if e.name == "mul"][0]
    assert worker.thread != mul.thread
    assert [c.name for c in worker.cpu_children if c.name == "add"] == ["add"]


def test_unsupported_options_warn_once_and_activities_are_checked():
    profiling._WARNED.clear()
    with pytest.warns(UserWarning, match="profile_memory"):
        profiler.profile(profile_memory=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        profiler.profile(profile_memory=True)  # once is enough
        profiler.profile(activities=[profiler.ProfilerActivity.CPU])
    with pytest.warns(UserWarning, match="host time"):
        profiler.profile(activities=[profiler.ProfilerActivity.CPU,
                                     profiler.ProfilerActivity.CUDA])
    with pytest.raises(TypeError, match="ProfilerActivity"):
        profiler.profile(activities=["cpu"])
    assert profiler.ProfilerActivity.CPU in profiler.supported_activities()
    assert fl.profiler is profiler


def test_times_are_finite_floats():
    with profiler.profile() as prof:
        fl.randn(3) + 1
    for r in prof.key_averages():
        assert isinstance(r.cpu_time_total, float)
        assert isinstance(r.self_cpu_time_total, float)
        assert np.isfinite(r.cpu_time)
