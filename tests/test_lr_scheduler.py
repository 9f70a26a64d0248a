"""fl.optim.lr_scheduler: learning-rate sequences, composition, plateaus, one-cycle.

References: the closed forms in PyTorch's scheduler docs, written out here per epoch
(the schedulers themselves compute most rates recursively), and hand-traced sequences
for ReduceLROnPlateau.
"""

from __future__ import annotations

import math
import pickle
import warnings
from bisect import bisect_right

import pytest

import flambeau as fl
import flambeau.optim as optim
from flambeau.optim import lr_scheduler as S

BASE = (0.1, 0.5)
N = 30


def _opt(cls=optim.SGD, base=BASE, **kwargs):
    groups = [{"params": [fl.zeros(2, requires_grad=True)], "lr": lr} for lr in base]
    return cls(groups, **kwargs)


def _lrs(opt, sched, n=N, metrics=None):
    """The rates of every group after construction and after each of ``n`` steps."""
    seq = [[g["lr"] for g in opt.param_groups]]
    assert sched.get_last_lr() == seq[0]
    for i in range(n):
        opt.step()  # the documented order: optimizer first
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        seq.append([g["lr"] for g in opt.param_groups])
        assert sched.get_last_lr() == seq[-1]
    return seq


def _expect(formula, n=N, base=BASE):
    return [[formula(b, e) for b in base] for e in range(n + 1)]


def _close(got, want, tol=1e-12):
    assert len(got) == len(want)
    for e, (g, w) in enumerate(zip(got, want)):
        assert g == pytest.approx(w, rel=tol, abs=tol), f"epoch {e}: {g} != {w}"


# --- closed forms --------------------------------------------------------------------
def test_step_lr():
    opt = _opt()
    _close(_lrs(opt, S.StepLR(opt, step_size=7, gamma=0.5)),
           _expect(lambda b, e: b * 0.5 ** (e // 7)))


def test_multistep_lr_with_a_repeated_milestone():
    opt = _opt()
    milestones = [3, 8, 8, 20]
    _close(_lrs(opt, S.MultiStepLR(opt, milestones, gamma=0.3)),
           _expect(lambda b, e: b * 0.3 ** bisect_right(milestones, e)))


def test_exponential_lr():
    opt = _opt()
    _close(_lrs(opt, S.ExponentialLR(opt, gamma=0.9)), _expect(lambda b, e: b * 0.9 ** e))


@pytest.mark.parametrize("eta_min", [0.0, 0.01])
def test_cosine_annealing_lr_matches_closed_form_past_t_max(eta_min):
    opt = _opt()
    T = 10  # 30 epochs cover the descent, the rise and another descent

    def closed(b, e):
        return eta_min + (b - eta_min) * (1 + math.cos(math.pi * e / T)) / 2

    _close(_lrs(opt, S.CosineAnnealingLR(opt, T_max=T, eta_min=eta_min)), _expect(closed))


def test_lambda_lr_one_function_per_group():
    opt = _opt()
    sched = S.LambdaLR(opt, [lambda e: 1 / (e + 1), lambda e: 0.95 ** e])
    want = [[BASE[0] / (e + 1), BASE[1] * 0.95 ** e] for e in range(N + 1)]
    _close(_lrs(opt, sched), want)


def test_lambda_lr_single_function():
    opt = _opt()
    _close(_lrs(opt, S.LambdaLR(opt, lambda e: e % 3 + 1)),
           _expect(lambda b, e: b * (e % 3 + 1)))


@pytest.mark.parametrize("start, end, total", [(1 / 3, 1.0, 5), (0.2, 0.9, 6),
                                               (1.0, 0.1, 12)])
def test_linear_lr(start, end, total):
    opt = _opt()
    _close(_lrs(opt, S.LinearLR(opt, start_factor=start, end_factor=end,
                                total_iters=total)),
           _expect(lambda b, e: b * (start + (end - start) * min(e, total) / total)))


# --- composition ---------------------------------------------------------------------
def test_chained_scheduler_multiplies():
    opt = _opt()
    sched = S.ChainedScheduler([S.LinearLR(opt, 0.5, total_iters=4),
                                S.ExponentialLR(opt, gamma=0.9)])
    _close(_lrs(opt, sched),
           _expect(lambda b, e: b * (0.5 + 0.5 * min(e, 4) / 4) * 0.9 ** e))


def test_two_schedulers_stepped_together_multiply():
    opt = _opt()
    step = S.StepLR(opt, step_size=5, gamma=0.5)
    expo = S.ExponentialLR(opt, gamma=0.95)
    seq = [[g["lr"] for g in opt.param_groups]]
    for _ in range(N):
        opt.step()
        step.step()
        expo.step()
        seq.append([g["lr"] for g in opt.param_groups])
    _close(seq, _expect(lambda b, e: b * 0.5 ** (e // 5) * 0.95 ** e))


def test_sequential_lr_warmup_then_cosine_then_exponential():
    opt = _opt()
    sched = S.SequentialLR(opt, [S.LinearLR(opt, start_factor=0.1, total_iters=5),
                                 S.CosineAnnealingLR(opt, T_max=12),
                                 S.ExponentialLR(opt, gamma=0.9)], milestones=[5, 15])

    def closed(b, e):
        if e < 5:
            return b * (0.1 + 0.9 * e / 5)
        if e < 15:
            return b * (1 + math.cos(math.pi * (e - 5) / 12)) / 2
        return b * 0.9 ** (e - 15)

    _close(_lrs(opt, sched), _expect(closed))


# --- OneCycleLR ----------------------------------------------------------------------
def _one_cycle_reference(max_lr, total, pct, div, final_div, three_phase, cos,
                         hi=0.95, lo=0.85):
    """(lr, momentum) per step, from the documented policy: warm up from max_lr/div to
    max_lr until step pct*total - 1, then anneal to max_lr/(div*final_div) at the last
    step (three_phase: back to the start by step 2*pct*total - 2 first)."""
    def anneal(a, b, frac):
        if cos:
            return b + (a - b) * (1 + math.cos(math.pi * frac)) / 2
        return a + (b - a) * frac

    start = max_lr / div
    end = start / final_div
    up = pct * total - 1
    if three_phase:
        knots = [(0, start, hi), (up, max_lr, lo), (2 * pct * total - 2, start, hi),
                 (total - 1, end, hi)]
    else:
        knots = [(0, start, hi), (up, max_lr, lo), (total - 1, end, hi)]
    out = []
    for s in range(total):
        for (s0, lr0, m0), (s1, lr1, m1) in zip(knots, knots[1:]):
            if s <= s1 or s1 == knots[-1][0]:
                frac = (s - s0) / (s1 - s0)
                out.append((anneal(lr0, lr1, frac), anneal(m0, m1, frac)))
                break
    return out


@pytest.mark.parametrize("three_phase, strategy", [(False, "cos"), (False, "linear"),
                                                   (True, "cos"), (True, "linear")])
def test_one_cycle_lr_and_momentum(three_phase, strategy):
    total = 40
    opt = _opt(momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=[1.0, 2.0], total_steps=total,
                         anneal_strategy=strategy, three_phase=three_phase)
    seen = [[(g["lr"], g["momentum"]) for g in opt.param_groups]]
    for _ in range(total - 1):
        opt.step()
        sched.step()
        seen.append([(g["lr"], g["momentum"]) for g in opt.param_groups])
    for k, max_lr in enumerate((1.0, 2.0)):
        want = _one_cycle_reference(max_lr, total, 0.3, 25.0, 1e4, three_phase,
                                    strategy == "cos")
        for s, ((lr, m), (wlr, wm)) in enumerate(zip([x[k] for x in seen], want)):
            assert lr == pytest.approx(wlr, rel=1e-12), f"group {k} step {s}"
            assert m == pytest.approx(wm, rel=1e-12), f"group {k} step {s}"
    first, peak, last = seen[0][0], seen[11][0], seen[-1][0]
    assert first == pytest.approx((1.0 / 25, 0.95))
    assert peak == pytest.approx((1.0, 0.85))  # step pct * total - 1 = 11
    assert last == pytest.approx((1.0 / 25 / 1e4, 0.95))
    opt.step()
    sched.step()  # step `total` is still allowed, as in PyTorch
    with pytest.raises(ValueError, match="Tried to step 41 times"):
        sched.step()


def test_one_cycle_cycles_adam_beta1_and_keeps_beta2():
    opt = _opt(optim.Adam, betas=(0.9, 0.99))
    sched = S.OneCycleLR(opt, max_lr=0.01, epochs=2, steps_per_epoch=5)
    assert sched.total_steps == 10
    betas = [opt.param_groups[0]["betas"]]
    for _ in range(9):
        opt.step()
        sched.step()
        betas.append(opt.param_groups[0]["betas"])
    want = _one_cycle_reference(0.01, 10, 0.3, 25.0, 1e4, False, True)
    assert [b[0] for b in betas] == pytest.approx([m for _, m in want], rel=1e-12)
    assert {b[1] for b in betas} == {0.99}


def test_one_cycle_without_momentum_cycling():
    opt = _opt(momentum=0.5)
    S.OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)
    assert opt.param_groups[0]["momentum"] == 0.5


# --- ReduceLROnPlateau ---------------------------------------------------------------
def test_plateau_patience_cooldown_and_min_lr():
    opt = _opt()
    sched = S.ReduceLROnPlateau(opt, patience=2, cooldown=1, min_lr=[0.002, 0.02])
    metrics = [1.0, 0.9, 0.9, 0.9,   # best 0.9 at epoch 2; bad epochs 3 and 4 ...
               0.9,                  # ... and 5: more than patience -> reduce
               0.9,                  # cooldown: not counted
               0.9, 0.9, 0.9,        # counted again: reduce at the third
               0.5, 0.5, 0.5, 0.5,   # improvement, then three bad epochs: reduce
               0.5, 0.5, 0.5, 0.5]   # cooldown, then three more: clamped at min_lr
    seq = _lrs(opt, sched, len(metrics), metrics)
    factors = [1] * 5 + [0.1] * 4 + [0.01] * 4 + [0.001] * 5
    want = [[max(b * f, lo) for b, lo in zip(BASE, (0.002, 0.02))] for f in factors]
    _close(seq, want)
    assert sched.best == 0.5


@pytest.mark.parametrize("mode, threshold_mode, metrics, reduced_at", [
    # best 1.0; 0.95 is not below 1.0 * (1 - 0.1): two bad epochs > patience 1
    ("min", "rel", [1.0, 0.95, 0.95, 0.85], 3),
    # best 1.0; 0.95 bad; 0.89 < 1.0 - 0.1 is the new best; 0.85, 0.84 not < 0.79
    ("min", "abs", [1.0, 0.95, 0.89, 0.85, 0.84], 5),
    ("max", "rel", [1.0, 1.05, 1.05, 1.2], 3),
    ("max", "abs", [1.0, 1.05, 1.11, 1.15, 1.2], 5),
])
def test_plateau_thresholds(mode, threshold_mode, metrics, reduced_at):
    opt = _opt()
    sched = S.ReduceLROnPlateau(opt, mode=mode, threshold=0.1,
                                threshold_mode=threshold_mode, patience=1, factor=0.5)
    seq = _lrs(opt, sched, len(metrics), metrics)
    first_cut = next(e for e, lrs in enumerate(seq) if lrs[0] < BASE[0])
    assert first_cut == reduced_at


def test_plateau_skips_reductions_smaller_than_eps():
    opt = _opt(base=(1e-9, 1.0))
    sched = S.ReduceLROnPlateau(opt, patience=0, factor=0.5, eps=1e-8)
    sched.step(1.0)
    sched.step(1.0)
    assert [g["lr"] for g in opt.param_groups] == [1e-9, 0.5]


def test_plateau_accepts_a_tensor_metric_and_round_trips():
    opt = _opt()
    sched = S.ReduceLROnPlateau(opt, mode="max", patience=3)
    sched.step(fl.tensor(2.0))
    sd = pickle.loads(pickle.dumps(sched.state_dict()))
    assert "optimizer" not in sd
    other = S.ReduceLROnPlateau(_opt())
    other.load_state_dict(sd)
    assert (other.mode, other.best, other.patience, other.mode_worse) == \
        ("max", 2.0, 3, -math.inf)


# --- bookkeeping ---------------------------------------------------------------------
def test_initial_lr_and_base_lrs():
    opt = _opt()
    sched = S.ExponentialLR(opt, gamma=0.5)
    assert sched.base_lrs == list(BASE) and sched.last_epoch == 0
    assert [g["initial_lr"] for g in opt.param_groups] == list(BASE)
    opt.step()
    sched.step()
    assert sched.last_epoch == 1
    assert [g["initial_lr"] for g in opt.param_groups] == list(BASE)


def test_state_dict_round_trip_continues_the_schedule():
    opt = _opt()
    sched = S.CosineAnnealingLR(opt, T_max=10)
    _lrs(opt, sched, 4)
    sd = pickle.loads(pickle.dumps(sched.state_dict()))
    assert "optimizer" not in sd and sd["last_epoch"] == 4
    rest = _lrs(opt, sched, 6)
    opt2 = _opt()
    for g, g_old in zip(opt2.param_groups, opt.param_groups):
        g["initial_lr"] = g_old["initial_lr"]
    sched2 = S.CosineAnnealingLR(opt2, T_max=10, last_epoch=3)
    sched2.load_state_dict(sd)
    for g, lr in zip(opt2.param_groups, rest[0]):
        g["lr"] = lr  # the optimizer's own state dict carries the rates
    _close(_lrs(opt2, sched2, 6), rest)


def test_lambda_lr_state_dict_keeps_callable_objects_state_only():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, e):
            return self.rate ** e

    opt = _opt()
    sched = S.LambdaLR(opt, [Decay(), lambda e: 1.0])
    sched.lr_lambdas[0].rate = 0.25
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"rate": 0.25}, None]
    other = S.LambdaLR(_opt(), [Decay(), lambda e: 1.0])
    other.load_state_dict(sd)
    assert other.lr_lambdas[0].rate == 0.25


def test_sequential_lr_state_dict_holds_its_schedulers():
    opt = _opt()
    sched = S.SequentialLR(opt, [S.ExponentialLR(opt, 0.9), S.StepLR(opt, 2)], [3])
    sd = sched.state_dict()
    assert [s["last_epoch"] for s in sd["_schedulers"]] == [0, -1]


def test_step_with_epoch_uses_the_closed_form_and_warns():
    opt = _opt()
    sched = S.StepLR(opt, step_size=3, gamma=0.1)
    opt.step()
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(7)
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([b * 0.01 for b in BASE])


def test_warns_when_scheduler_steps_before_optimizer():
    opt = _opt()
    sched = S.StepLR(opt, step_size=3)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt2 = _opt()
    sched2 = S.StepLR(opt2, step_size=3)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


@pytest.mark.parametrize("make, error, match", [
    (lambda o: S.LinearLR(o, start_factor=0), ValueError, "Starting multiplicative"),
    (lambda o: S.LinearLR(o, end_factor=1.5), ValueError, "Ending multiplicative"),
    (lambda o: S.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0), ValueError, "total_steps OR"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=0), ValueError,
     "positive integer total_steps"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.5), ValueError,
     "pct_start"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"),
     ValueError, "anneal_strategy"),
    (lambda o: S.OneCycleLR(o, max_lr=[1.0], total_steps=10), ValueError,
     "same length as optimizer.param_groups"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2), S.StepLR(o, 3)], milestones=[]),
     ValueError, "one more than the number of milestone"),
    (lambda o: S.SequentialLR(o, [S.StepLR(_opt(), 2)], milestones=[]), ValueError,
     "same optimizer"),
    (lambda o: S.SequentialLR(o, [S.ReduceLROnPlateau(o)], milestones=[]), ValueError,
     "ReduceLROnPlateau"),
    (lambda o: S.ChainedScheduler([]), ValueError, "at least one scheduler"),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be"),
    (lambda o: S.ReduceLROnPlateau(o, mode="up"), ValueError, "mode up is unknown"),
    (lambda o: S.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError, "unknown"),
    (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs"),
    (lambda o: S.StepLR(o, 3, last_epoch=5), KeyError, "initial_lr"),
    (lambda o: S.StepLR(object(), 3), TypeError, "is not an Optimizer"),
])
def test_errors(make, error, match):
    with pytest.raises(error, match=match):
        make(_opt())


def test_one_cycle_needs_an_optimizer_with_momentum():
    with pytest.raises(ValueError, match="momentum or beta1"):
        S.OneCycleLR(_opt(optim.Adagrad), max_lr=1.0, total_steps=10)
