"""fl.optim: update rules, parameter groups, state dicts, hooks and errors.

References: NumPy implementations of PyTorch's documented algorithms, written here
independently of flambeau's code, run on the same fixed gradients. One deliberate
reading of the docs: ``maximize`` negates the gradient before weight decay and momentum
(what ``torch.optim`` does; the SGD page's pseudo-code flips the sign only in the final
update, which differs when ``weight_decay != 0``).
"""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest

import flambeau as fl
import flambeau.optim as optim

SHAPES = [(3, 4), (5,)]
STEPS = 6


def _data(seed=0):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(STEPS)]
    return init, grads


def _params(init, dtype=fl.float64):
    return [fl.tensor(a, dtype=dtype, requires_grad=True) for a in init]


def _feed(params, grads):
    for p, g in zip(params, grads):
        p.grad = fl.tensor(g, dtype=p.dtype)


def _run(cls, kwargs, init, grads, dtype=fl.float64):
    params = _params(init, dtype)
    opt = cls(params, **kwargs)
    for step_grads in grads:
        _feed(params, step_grads)
        opt.step()
    return params, opt


# --- NumPy references, one parameter at a time ------------------------------------------
def ref_sgd(theta, grads, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False,
            maximize=False):
    theta, buf = theta.copy(), None
    for g in grads:
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * theta
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        theta = theta - lr * g
    return theta, {"momentum_buffer": buf}


def ref_adam(theta, grads, lr, betas, eps, weight_decay=0, amsgrad=False, maximize=False,
             decoupled=False):
    b1, b2 = betas
    theta = theta.copy()
    m, v, vmax = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        if weight_decay and decoupled:
            theta = theta * (1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)
        if amsgrad:
            vmax = np.maximum(vmax, v)
            v_hat = vmax / (1 - b2 ** t)
        else:
            v_hat = v / (1 - b2 ** t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    state = {"step": len(grads), "exp_avg": m, "exp_avg_sq": v}
    if amsgrad:
        state["max_exp_avg_sq"] = vmax
    return theta, state


def ref_rmsprop(theta, grads, lr, alpha, eps, weight_decay=0, momentum=0, centered=False,
                maximize=False):
    theta = theta.copy()
    v, gavg, buf = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    for g in grads:
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g * g
        if centered:
            gavg = alpha * gavg + (1 - alpha) * g
            denom = np.sqrt(v - gavg * gavg) + eps
        else:
            denom = np.sqrt(v) + eps
        if momentum > 0:
            buf = momentum * buf + g / denom
            theta = theta - lr * buf
        else:
            theta = theta - lr * g / denom
    state = {"step": len(grads), "square_avg": v}
    if momentum > 0:
        state["momentum_buffer"] = buf
    if centered:
        state["grad_avg"] = gavg
    return theta, state


def ref_adagrad(theta, grads, lr, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                eps=1e-10, maximize=False):
    theta = theta.copy()
    acc = np.full_like(theta, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * theta
        clr = lr / (1 + (t - 1) * lr_decay)
        acc = acc + g * g
        theta = theta - clr * g / (np.sqrt(acc) + eps)
    return theta, {"step": len(grads), "sum": acc}


def _check(cls, kwargs, ref, ref_kwargs, dtype=fl.float64, rtol=1e-12, atol=1e-14):
    init, grads = _data()
    params, opt = _run(cls, kwargs, init, grads, dtype)
    for i, p in enumerate(params):
        want, want_state = ref(init[i], [g[i] for g in grads], **ref_kwargs)
        np.testing.assert_allclose(p.detach().numpy(), want, rtol=rtol, atol=atol)
        state = opt.state[p]
        for key, value in want_state.items():
            if value is None:
                continue
            if key == "step":
                assert state["step"].dtype == fl.float32 and state["step"].dim() == 0
                assert state["step"].item() == value
            else:
                np.testing.assert_allclose(state[key].numpy(), value, rtol=rtol, atol=atol)
        assert set(state) == {k for k, v in want_state.items() if v is not None}


# --- update rules ------------------------------------------------------------------------
SGD_CASES = [dict(momentum=m, dampening=d, nesterov=n, weight_decay=wd, maximize=mx)
             for m, d, n, wd, mx in itertools.product((0, 0.9), (0, 0.3), (False, True),
                                                     (0, 0.1), (False, True))
             if not (n and (m == 0 or d != 0))]


@pytest.mark.parametrize("opts", SGD_CASES, ids=str)
def test_sgd_matches_reference(opts):
    _check(optim.SGD, dict(lr=0.1, **opts), ref_sgd, dict(lr=0.1, **opts))


ADAM_CASES = [dict(weight_decay=wd, amsgrad=a, maximize=mx)
              for wd, a, mx in itertools.product((0, 0.1), (False, True), (False, True))]


@pytest.mark.parametrize("opts", ADAM_CASES, ids=str)
def test_adam_matches_reference(opts):
    kw = dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, **opts)
    _check(optim.Adam, kw, ref_adam, kw)


@pytest.mark.parametrize("opts", ADAM_CASES, ids=str)
def test_adamw_matches_reference(opts):
    kw = dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, **opts)
    _check(optim.AdamW, kw, ref_adam, dict(kw, decoupled=True))


def test_adam_decoupled_flag_is_adamw():
    kw = dict(lr=0.01, weight_decay=0.3)
    _check(optim.Adam, dict(kw, decoupled_weight_decay=True), ref_adam,
           dict(kw, betas=(0.9, 0.999), eps=1e-8, decoupled=True))


RMSPROP_CASES = [dict(weight_decay=wd, momentum=m, centered=c, maximize=mx)
                 for wd, m, c, mx in itertools.product((0, 0.1), (0, 0.5), (False, True),
                                                       (False, True))]


@pytest.mark.parametrize("opts", RMSPROP_CASES, ids=str)
def test_rmsprop_matches_reference(opts):
    kw = dict(lr=0.01, alpha=0.9, eps=1e-6, **opts)
    _check(optim.RMSprop, kw, ref_rmsprop, kw)


ADAGRAD_CASES = [dict(lr_decay=ld, weight_decay=wd, initial_accumulator_value=iav,
                      maximize=mx)
                 for ld, wd, iav, mx in itertools.product((0, 0.2), (0, 0.1), (0, 0.5),
                                                          (False, True))]


@pytest.mark.parametrize("opts", ADAGRAD_CASES, ids=str)
def test_adagrad_matches_reference(opts):
    kw = dict(lr=0.1, eps=1e-6, **opts)
    _check(optim.Adagrad, kw, ref_adagrad, kw)


@pytest.mark.parametrize("cls, kwargs, ref, ref_kwargs", [
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True),
     ref_sgd, dict(lr=0.05, momentum=0.9, nesterov=True)),
    (optim.Adam, dict(lr=1e-3), ref_adam, dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)),
    (optim.AdamW, dict(), ref_adam,
     dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, decoupled=True)),
    (optim.RMSprop, dict(momentum=0.9, centered=True), ref_rmsprop,
     dict(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.9, centered=True)),
    (optim.Adagrad, dict(), ref_adagrad, dict(lr=1e-2)),
], ids=["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_float32_and_defaults(cls, kwargs, ref, ref_kwargs):
    # the defaults are PyTorch's; float32 parameters stay float32
    _check(cls, kwargs, ref, ref_kwargs, dtype=fl.float32, rtol=2e-5, atol=2e-6)


def test_defaults_are_pytorchs():
    p = [fl.zeros(2, requires_grad=True)]
    assert optim.SGD(p).defaults == dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                                         nesterov=False, maximize=False)
    adam = optim.Adam(p).defaults
    assert (adam["lr"], adam["betas"], adam["eps"], adam["weight_decay"],
            adam["amsgrad"]) == (1e-3, (0.9, 0.999), 1e-8, 0, False)
    assert optim.AdamW(p).defaults["weight_decay"] == 1e-2
    rms = optim.RMSprop(p).defaults
    assert (rms["lr"], rms["alpha"], rms["eps"], rms["momentum"], rms["centered"]) == \
        (1e-2, 0.99, 1e-8, 0, False)
    ada = optim.Adagrad(p).defaults
    assert (ada["lr"], ada["lr_decay"], ada["initial_accumulator_value"], ada["eps"]) == \
        (1e-2, 0, 0, 1e-10)


def test_adam_zero_lr_leaves_params_unchanged():
    init, grads = _data()
    params, opt = _run(optim.Adam, dict(lr=0.0), init, grads)
    for p, a in zip(params, init):
        np.testing.assert_array_equal(p.detach().numpy(), a)
    assert opt.state[params[0]]["step"].item() == STEPS


# --- what a step does to the tensors ----------------------------------------------------
def test_step_updates_in_place_outside_the_graph():
    p = fl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    view = p.detach()[1:]
    version = p._version
    opt = optim.SGD([p], lr=0.5)
    p.grad = fl.tensor([1.0, 1.0, 1.0])
    opt.step()
    assert p.tolist() == [0.5, 1.5, 2.5]
    assert view.tolist() == [1.5, 2.5]  # the same memory was written
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    assert p._version > version
    assert fl.is_grad_enabled()


def test_params_without_grad_are_skipped():
    a = fl.tensor([1.0, 2.0], requires_grad=True)
    b = fl.tensor([3.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = fl.tensor([1.0, -1.0])
    opt.step()
    assert b.tolist() == [3.0] and b not in opt.state
    assert a in opt.state


def test_closure_runs_with_grad_and_its_loss_is_returned():
    x = fl.tensor([3.0, -2.0], requires_grad=True)
    opt = optim.SGD([x], lr=0.25)
    seen = []

    def closure():
        opt.zero_grad()
        loss = (x * x).sum()
        seen.append(fl.is_grad_enabled())
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert seen == [True]
    assert loss.item() == 13.0
    assert x.tolist() == [1.5, -1.0]  # x - 0.25 * 2x


def test_sgd_momentum_trains_a_least_squares_fit():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((32, 3))
    w_true = np.array([1.0, -2.0, 0.5])
    x, y = fl.tensor(a), fl.tensor(a @ w_true)
    w = fl.zeros(3, dtype=fl.float64, requires_grad=True)
    opt = optim.SGD([w], lr=0.05, momentum=0.9)
    for _ in range(200):
        opt.zero_grad()
        loss = ((x @ w - y) ** 2).mean()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.detach().numpy(), w_true, atol=1e-4)


# --- parameter groups --------------------------------------------------------------------
def test_param_groups_with_their_own_options():
    init, grads = _data()
    a, b = _params(init)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.5}],
                    lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert len(opt.param_groups[1]["params"]) == 1  # a lone tensor becomes a list
    assert opt.param_groups[1]["params"][0] is b
    assert opt.param_groups[0]["dampening"] == 0  # defaults filled in
    for step_grads in grads:
        _feed([a, b], step_grads)
        opt.step()
    want_a, _ = ref_sgd(init[0], [g[0] for g in grads], lr=0.1, momentum=0.9)
    want_b, _ = ref_sgd(init[1], [g[1] for g in grads], lr=0.5, momentum=0.5)
    np.testing.assert_allclose(a.detach().numpy(), want_a, rtol=1e-12)
    np.testing.assert_allclose(b.detach().numpy(), want_b, rtol=1e-12)


def test_add_param_group_later_and_lr_change():
    a = fl.tensor([1.0], requires_grad=True)
    b = fl.tensor([1.0], requires_grad=True)
    opt = optim.Adagrad([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 1.0})
    a.grad, b.grad = fl.tensor([2.0]), fl.tensor([2.0])
    opt.step()
    # first Adagrad step is lr * g / (|g| + eps)
    np.testing.assert_allclose(a.item(), 1.0 - 0.1, rtol=1e-6)
    np.testing.assert_allclose(b.item(), 1.0 - 1.0, atol=1e-6)
    after_one = a.item()
    opt.param_groups[0]["lr"] = 0.0
    opt.step()
    assert a.item() == after_one
    assert b.item() < -0.5  # the new group still moves


def test_param_group_errors():
    p = fl.zeros(2, requires_grad=True)
    q = fl.zeros(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    refused = {"params": [q, p]}
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group(refused)
    assert len(opt.param_groups) == 1
    assert set(refused) == {"params"}  # nothing half-applied
    with pytest.raises(ValueError, match="non-leaf"):
        opt.add_param_group({"params": [q * 2]})
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {q}})
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        opt.add_param_group({"params": [q, 1.0]})
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)


def test_the_given_dict_becomes_the_group():
    group = {"params": [fl.zeros(2, requires_grad=True)], "lr": 0.2}
    opt = optim.SGD([group], lr=0.1)
    assert opt.param_groups[0] is group and group["momentum"] == 0


def test_duplicate_parameters_in_a_group_warn():
    p = fl.zeros(2, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p], lr=0.1)


def test_required_lr_must_be_given():
    class Plain(optim.Optimizer):
        def __init__(self, params, lr=optim.required):
            super().__init__(params, {"lr": lr})

    p = fl.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        Plain([p])
    opt = Plain([{"params": [p], "lr": 0.3}])
    assert opt.param_groups[0]["lr"] == 0.3


@pytest.mark.parametrize("make, match", [
    (lambda p: optim.SGD(p, lr=-0.1), "Invalid learning rate"),
    (lambda p: optim.SGD(p, momentum=-1), "Invalid momentum value"),
    (lambda p: optim.SGD(p, weight_decay=-1), "Invalid weight_decay value"),
    (lambda p: optim.SGD(p, nesterov=True), "Nesterov momentum requires"),
    (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
     "Nesterov momentum requires"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.9)), "beta parameter at index 0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "beta parameter at index 1"),
    (lambda p: optim.Adam(p, eps=-1.0), "Invalid epsilon value"),
    (lambda p: optim.AdamW(p, lr=-1.0), "Invalid learning rate"),
    (lambda p: optim.RMSprop(p, alpha=-0.5), "Invalid alpha value"),
    (lambda p: optim.Adagrad(p, lr_decay=-0.5), "Invalid lr_decay value"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1),
     "Invalid initial_accumulator_value value"),
])
def test_constructor_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make([fl.zeros(2, requires_grad=True)])


# --- zero_grad ---------------------------------------------------------------------------
def test_zero_grad_to_none_and_to_zeros():
    a = fl.tensor([1.0, 2.0], requires_grad=True)
    b = fl.tensor([3.0], requires_grad=True)
    opt = optim.SGD([a, b], lr=0.1)
    (a * a).sum().backward()
    assert a.grad is not None and b.grad is None
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad and a.grad.tolist() == [0.0, 0.0] and b.grad is None
    assert not a.grad.requires_grad
    opt.zero_grad()
    assert a.grad is None


# --- state dicts -------------------------------------------------------------------------
STATEFUL = [
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True), {"momentum_buffer"}),
    (optim.Adam, dict(lr=0.01, amsgrad=True), {"step", "exp_avg", "exp_avg_sq",
                                               "max_exp_avg_sq"}),
    (optim.AdamW, dict(lr=0.01), {"step", "exp_avg", "exp_avg_sq"}),
    (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True),
     {"step", "square_avg", "momentum_buffer", "grad_avg"}),
    (optim.Adagrad, dict(lr=0.1, lr_decay=0.1), {"step", "sum"}),
]


@pytest.mark.parametrize("cls, kwargs, keys", STATEFUL, ids=lambda x: getattr(x, "__name__",
                                                                               None))
def test_state_dict_layout(cls, kwargs, keys):
    init, grads = _data()
    a, b = _params(init)
    opt = cls([{"params": [a]}, {"params": [b], "lr": 0.02}], **kwargs)
    _feed([a, b], grads[0])
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sorted(sd["state"]) == [0, 1]
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.02
    assert set(sd["param_groups"][0]) == set(opt.defaults) | {"params"}
    for i in (0, 1):
        assert set(sd["state"][i]) == keys
    if "step" in keys:
        assert sd["state"][0]["step"].item() == 1.0


@pytest.mark.parametrize("cls, kwargs, keys", STATEFUL, ids=lambda x: getattr(x, "__name__",
                                                                               None))
def test_state_dict_round_trip_continues_the_same_trajectory(cls, kwargs, keys):
    init, grads = _data()
    a = _params(init)
    opt_a = cls([{"params": [a[0]]}, {"params": [a[1]], "lr": 0.05}], **kwargs)
    for g in grads[:3]:
        _feed(a, g)
        opt_a.step()
    saved = pickle.loads(pickle.dumps(opt_a.state_dict()))  # as if written to disk
    b = _params([p.detach().numpy() for p in a])
    opt_b = cls([{"params": [b[0]]}, {"params": [b[1]]}], **kwargs)
    opt_b.load_state_dict(saved)
    assert opt_b.param_groups[1]["lr"] == 0.05
    assert opt_b.param_groups[0]["params"][0] is b[0]
    for g in grads[3:]:
        _feed(a, g)
        opt_a.step()
        _feed(b, g)
        opt_b.step()
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())


def test_load_state_dict_copies_and_casts():
    init, grads = _data()
    a = _params(init)
    opt_a = optim.Adam(a, lr=0.01)
    _feed(a, grads[0])
    opt_a.step()
    sd = opt_a.state_dict()
    b = _params(init, dtype=fl.float32)
    opt_b = optim.Adam(b, lr=0.01)
    opt_b.load_state_dict(sd)
    state = opt_b.state[b[0]]
    assert state["exp_avg"].dtype == fl.float32
    assert state["step"].dtype == fl.float32 and state["step"].item() == 1.0
    # loading copies: stepping the loaded optimizer leaves the saved dict alone
    before = sd["state"][0]["exp_avg"].numpy().copy()
    _feed(b, grads[1])
    opt_b.step()
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"].numpy(), before)
    assert sd["state"][0]["step"].item() == 1.0


def test_load_state_dict_validates_groups():
    init, grads = _data()
    a = _params(init)
    opt = optim.SGD([{"params": [a[0]]}, {"params": [a[1]]}], lr=0.1, momentum=0.9)
    sd = opt.state_dict()
    one_group = optim.SGD(_params(init), lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        one_group.load_state_dict(sd)
    other_sizes = optim.SGD([{"params": _params(init)}, {"params": _params(init)[:1]}],
                            lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size"):
        other_sizes.load_state_dict(sd)


def test_load_fills_options_missing_from_the_dict():
    a = _params(_data()[0])
    opt = optim.SGD(a, lr=0.1, momentum=0.9)
    sd = opt.state_dict()
    del sd["param_groups"][0]["maximize"]  # a dict saved before the option existed
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["maximize"] is False


def test_adamw_stays_decoupled_after_loading_adam_state():
    a = _params(_data()[0])
    sd = optim.Adam(a, lr=0.01).state_dict()
    w = optim.AdamW(_params(_data()[0]), lr=0.01)
    w.load_state_dict(sd)
    assert all(g["decoupled_weight_decay"] for g in w.param_groups)


def test_adagrad_state_exists_before_the_first_step():
    p = fl.zeros(3, dtype=fl.float64, requires_grad=True)
    opt = optim.Adagrad([p], initial_accumulator_value=0.25)
    state = opt.state_dict()["state"][0]
    assert state["step"].item() == 0.0
    assert state["sum"].tolist() == [0.25, 0.25, 0.25]


# --- hooks -------------------------------------------------------------------------------
def test_step_hooks():
    p = fl.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    calls = []

    def pre(o, args, kwargs):
        calls.append(("pre", o is opt, args, kwargs))

    def post(o, args, kwargs):
        calls.append(("post", o is opt, args, kwargs))

    h1 = opt.register_step_pre_hook(pre)
    h2 = opt.register_step_post_hook(post)
    p.grad = fl.tensor([0.5])
    opt.step()
    assert calls == [("pre", True, (), {}), ("post", True, (), {})]
    h1.remove()
    h2.remove()
    opt.step()
    assert len(calls) == 2


def test_pre_hook_can_replace_the_arguments():
    p = fl.tensor([2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.5)
    opt.register_step_pre_hook(lambda o, args, kwargs: ((), {"closure": lambda: 7.0}))
    p.grad = fl.tensor([1.0])
    assert opt.step() == 7.0
    assert p.tolist() == [1.5]


def test_subclass_step_calling_super_runs_hooks_once():
    class Logged(optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    p = fl.tensor([1.0], requires_grad=True)
    opt = Logged([p], lr=0.1)
    calls = []
    opt.register_step_post_hook(lambda *a: calls.append(1))
    p.grad = fl.tensor([1.0])
    opt.step()
    assert calls == [1]
    np.testing.assert_allclose(p.item(), 0.9)


def test_repr_lists_the_groups():
    opt = optim.SGD([fl.zeros(1, requires_grad=True)], lr=0.1)
    text = repr(opt)
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "lr: 0.1" in text
