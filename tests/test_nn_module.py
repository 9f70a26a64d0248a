"""``nn.Module``, ``nn.Parameter`` and the containers: registration, traversal, modes,
device/dtype moves, ``state_dict`` round trips, hooks and ``repr``.

Expected behaviour and message texts are PyTorch's documented ones; expected ``repr``
strings are written out literally as PyTorch prints them.
"""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import fakedev_backend
import flambeau as fl
import flambeau.nn as nn

fakedev = fakedev_backend.fakedev  # the fixture: a second device type


class Leaf(nn.Module):
    """A module with one parameter, one buffer and one non-persistent buffer, and a
    forward that is easy to compute by hand."""

    def __init__(self, n=3):
        super().__init__()
        self.w = nn.Parameter(fl.arange(n, dtype=fl.float32))
        self.register_buffer("count", fl.tensor(0))
        self.register_buffer("scratch", fl.zeros(n), persistent=False)

    def forward(self, x):
        return x * self.w


class Tree(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = Leaf()
        self.b = nn.Sequential(Leaf(), Leaf())
        self.bias = nn.Parameter(fl.zeros(3))

    def forward(self, x):
        return self.b(self.a(x)) + self.bias


# --- Parameter ---------------------------------------------------------------------------
def test_parameter_is_a_leaf_tensor_that_requires_grad_and_shares_memory():
    data = fl.tensor([1.0, 2.0])
    p = nn.Parameter(data)
    assert isinstance(p, fl.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf
    with fl.no_grad():
        p.mul_(3)
    np.testing.assert_array_equal(data.numpy(), [3.0, 6.0])
    assert not nn.Parameter(data, requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    # ops on a parameter give plain tensors
    assert type(p * 2) is fl.Tensor


def test_parameter_repr_is_pytorchs():
    assert repr(nn.Parameter(fl.tensor([1.0, 2.0]))) == \
        "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert repr(nn.Parameter(fl.tensor([1.5]), requires_grad=False)) == \
        "Parameter containing:\ntensor([1.5000])"


def test_parameter_survives_deepcopy_and_pickle():
    p = nn.Parameter(fl.tensor([1.0, 2.0]))
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is nn.Parameter and q.requires_grad
        np.testing.assert_array_equal(q.detach().numpy(), [1.0, 2.0])
        with fl.no_grad():
            q.zero_()
        assert p.detach().numpy()[1] == 2.0  # a copy, not a view


def test_int_parameter_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(fl.tensor([1, 2]))
    assert nn.Parameter(fl.tensor([1, 2]), requires_grad=False).dtype is fl.int64


# --- registration by attribute ---------------------------------------------------------
def test_attribute_assignment_registers_parameters_modules_and_buffers():
    m = Leaf()
    m.extra = nn.Linear(2, 2)
    m.plain = fl.ones(2)  # a plain tensor is just an attribute
    assert list(m._parameters) == ["w"]
    assert list(m._modules) == ["extra"]
    assert list(m._buffers) == ["count", "scratch"]
    assert "plain" in m.__dict__ and "w" not in m.__dict__
    assert m.w is m._parameters["w"] and m.extra is m._modules["extra"]
    m.count = fl.tensor(5)  # assigning a tensor to a buffer name replaces the buffer
    assert m._buffers["count"].item() == 5
    m.buf2 = nn.Buffer(fl.ones(1), persistent=False)
    assert "buf2" in m._buffers and "buf2" not in m.state_dict()


def test_assigning_none_and_wrong_types_to_registered_names():
    m = nn.Linear(2, 3)
    m.bias = None
    assert m.bias is None and "bias" in m._parameters
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        m.weight = fl.zeros(3, 2)
    seq = nn.Sequential(nn.ReLU())
    with pytest.raises(TypeError, match="as child module '0'"):
        setattr(seq, "0", 3)
    seq[0] = nn.Tanh()
    assert isinstance(seq[0], nn.Tanh)


def test_reassigning_a_name_moves_it_between_kinds():
    m = nn.Module()
    m.x = nn.Identity()
    m.x = nn.Parameter(fl.zeros(1))
    assert "x" in m._parameters and "x" not in m._modules
    m.register_buffer("y", fl.zeros(1))
    m.y = nn.Parameter(fl.zeros(1))
    assert "y" in m._parameters and "y" not in m._buffers
    # as in PyTorch, a parameter's name only takes a Parameter or None
    with pytest.raises(TypeError, match="cannot assign 'Identity' as parameter 'x'"):
        m.x = nn.Identity()


def test_delattr_and_getattr():
    m = Leaf()
    del m.w
    del m.count
    assert "w" not in m._parameters and "count" not in m._buffers
    with pytest.raises(AttributeError, match="'Leaf' object has no attribute 'w'"):
        _ = m.w
    m.plain = 1
    del m.plain
    assert not hasattr(m, "plain")


def test_dir_lists_registered_names():
    names = dir(Tree())
    for n in ("a", "b", "bias", "forward", "training", "state_dict"):
        assert n in names


def test_register_errors():
    m = Leaf()
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", fl.zeros(1))
    with pytest.raises(KeyError, match="already exists"):
        m.register_parameter("forward", None)
    with pytest.raises(KeyError, match="empty string"):
        m.register_parameter("", None)
    with pytest.raises(TypeError, match="name should be a string"):
        m.add_module(3, nn.ReLU())
    with pytest.raises(TypeError, match="cannot assign 'Tensor' object to parameter"):
        m.register_parameter("q", fl.zeros(1))
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("q", 3)
    with pytest.raises(TypeError, match="buffer"):
        m.register_buffer("q", 3)
    with pytest.raises(ValueError, match="non-leaf"):
        m.register_parameter("q", _nonleaf_parameter())

    class Early(nn.Module):
        def __init__(self):
            self.p = nn.Parameter(fl.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def _nonleaf_parameter():
    # a Parameter object that carries a graph node, the way a careless subclass could
    p = nn.Parameter(fl.zeros(1))
    p.grad_fn = (fl.zeros(1, requires_grad=True) * 2).grad_fn
    return p


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the '
                                                  r'required "forward" function'):
        nn.Module()(1)


# --- traversal --------------------------------------------------------------------------
def test_named_parameters_buffers_and_modules():
    t = Tree()
    assert [n for n, _ in t.named_parameters()] == ["bias", "a.w", "b.0.w", "b.1.w"]
    assert [n for n, _ in t.named_parameters(recurse=False)] == ["bias"]
    assert [n for n, _ in t.named_parameters(prefix="net")][:2] == ["net.bias", "net.a.w"]
    assert [n for n, _ in t.named_buffers()] == [
        "a.count", "a.scratch", "b.0.count", "b.0.scratch", "b.1.count", "b.1.scratch"]
    assert [n for n, _ in t.named_modules()] == ["", "a", "b", "b.0", "b.1"]
    assert [n for n, _ in t.named_children()] == ["a", "b"]
    assert len(list(t.modules())) == 5 and len(list(t.children())) == 2
    assert len(list(t.parameters())) == 4 and len(list(t.buffers())) == 6


def test_shared_parameters_and_modules_are_listed_once_unless_asked():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in seq.named_parameters(remove_duplicate=False)] == \
        ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in seq.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    seq.load_state_dict(seq.state_dict())


def test_get_submodule_and_get_parameter():
    t = Tree()
    assert t.get_submodule("b.1") is t.b[1]
    assert t.get_submodule("") is t
    assert t.get_parameter("b.0.w") is t.b[0].w
    assert t.get_buffer("a.count") is t.a.count
    with pytest.raises(AttributeError, match="Sequential has no attribute `7`"):
        t.get_submodule("b.7")
    with pytest.raises(AttributeError, match="`bias` is not an nn.Module"):
        t.get_submodule("bias")
    with pytest.raises(AttributeError, match="`count` is not an nn.Parameter"):
        t.get_parameter("a.count")


# --- modes and gradients ---------------------------------------------------------------
def test_train_and_eval_reach_every_descendant():
    t = Tree()
    assert t.training
    assert t.eval() is t
    assert not any(m.training for m in t.modules())
    t.train()
    assert all(m.training for m in t.modules())
    with pytest.raises(ValueError, match="boolean"):
        t.train("no")


def test_zero_grad_and_requires_grad_():
    m = nn.Linear(3, 2)
    m(fl.ones(4, 3)).sum().backward()
    assert m.weight.grad is not None
    m.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(m.weight.grad.numpy(), np.zeros((2, 3)))
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None
    assert m.requires_grad_(False) is m
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_visits_children_first():
    seen = []
    t = Tree()
    assert t.apply(lambda mod: seen.append(type(mod).__name__)) is t
    assert seen == ["Leaf", "Leaf", "Leaf", "Sequential", "Tree"]


# --- device and dtype moves -------------------------------------------------------------
def test_to_dtype_keeps_parameter_objects_and_integer_buffers():
    t = Tree()
    params = list(t.parameters())
    t.a(fl.ones(3)).sum().backward()
    assert t.double() is t
    assert [id(p) for p in t.parameters()] == [id(p) for p in params]
    assert all(p.dtype is fl.float64 for p in params)
    assert params[1].grad.dtype is fl.float64
    assert t.a.count.dtype is fl.int64 and t.a.scratch.dtype is fl.float64
    t.to(fl.float32)
    assert t.a.w.dtype is fl.float32
    t.half()
    assert t.bias.dtype is fl.float16
    t.to("cpu", dtype=fl.float32)
    assert t.bias.dtype is fl.float32 and t.bias.device == fl.device("cpu")
    t.to(fl.zeros(1, dtype=fl.float64))
    assert t.bias.dtype is fl.float64
    t.float().cpu()
    assert t.bias.dtype is fl.float32
    with pytest.raises(TypeError, match="floating point"):
        t.to(fl.int64)


def test_to_device_moves_parameters_in_place_and_buffers(fakedev):
    m = nn.BatchNorm1d(3)
    m(fl.randn(4, 3)).sum().backward()
    weight = m.weight
    assert m.to("fakedev") is m
    dev = fl.device("fakedev", 0)
    assert m.weight is weight and weight.device is dev and weight.grad.device is dev
    assert all(b.device is dev for b in m.buffers())
    assert m.num_batches_tracked.dtype is fl.int64
    y = m(fl.randn(4, 3).to("fakedev"))
    assert y.device is dev and m.num_batches_tracked.item() == 2
    m.cpu()
    assert m.weight.device == fl.device("cpu") and m.running_var.device == fl.device("cpu")


# --- state dict -------------------------------------------------------------------------
def test_state_dict_holds_parameters_and_persistent_buffers_in_order():
    t = Tree()
    sd = t.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["bias", "a.w", "a.count", "b.0.w", "b.0.count", "b.1.w",
                        "b.1.count"]
    assert not sd["a.w"].requires_grad and type(sd["a.w"]) is fl.Tensor
    with fl.no_grad():
        t.a.w.add_(1)
    np.testing.assert_array_equal(sd["a.w"].numpy(), [1.0, 2.0, 3.0])  # shares memory
    kept = t.state_dict(keep_vars=True)
    assert kept["a.w"] is t.a.w
    assert list(t.state_dict(prefix="m."))[0] == "m.bias"


def test_load_state_dict_round_trip():
    src, dst = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)), \
        nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    with fl.no_grad():
        src[1].running_mean.fill_(0.5)
        src[1].num_batches_tracked.fill_(7)
    weight = dst[0].weight
    result = dst.load_state_dict(src.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    assert dst[0].weight is weight  # loaded in place
    for (k, a), b in zip(src.state_dict().items(), dst.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    # a saved-and-reloaded state dict (pickle) loads too
    dst.load_state_dict(pickle.loads(pickle.dumps(src.state_dict())))


def test_strict_load_lists_missing_and_unexpected_keys():
    m = nn.Linear(2, 3)
    sd = m.state_dict()
    del sd["bias"]
    sd["extra"] = fl.zeros(1)
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict(sd)
    assert str(info.value) == ('Error(s) in loading state_dict for Linear:\n\t'
                               'Missing key(s) in state_dict: "bias". \n\t'
                               'Unexpected key(s) in state_dict: "extra". ')
    result = m.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(m.weight.detach().numpy(), sd["weight"].numpy())


def test_size_mismatch_is_an_error_even_when_not_strict():
    m = nn.Linear(2, 3)
    sd = nn.Linear(2, 4).state_dict()
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict(sd, strict=False)
    msg = str(info.value)
    assert msg.startswith("Error(s) in loading state_dict for Linear:\n\t")
    assert ("size mismatch for weight: copying a param with shape flambeau.Size([4, 2]) "
            "from checkpoint, the shape in current model is flambeau.Size([3, 2]).") in msg
    assert "size mismatch for bias" in msg
    with pytest.raises(TypeError, match="dict-like"):
        m.load_state_dict([1, 2])


def test_nested_unexpected_keys_and_non_persistent_buffers():
    t = Tree()
    sd = t.state_dict()
    sd["a.scratch"] = fl.zeros(3)     # non-persistent: not expected
    sd["b.0.w.x"] = fl.zeros(1)       # a dotted name under a parameter
    result = t.load_state_dict(sd, strict=False)
    assert sorted(result.unexpected_keys) == ["a.scratch", "b.0.w.x"]


# --- hooks ------------------------------------------------------------------------------
def test_forward_pre_hook_and_forward_hook():
    m = nn.Identity()
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    h2 = m.register_forward_hook(lambda mod, args, out: out + 1)
    h3 = m.register_forward_hook(lambda mod, args, out: calls.append((args[0].item(),
                                                                     out.item())))
    assert m(fl.tensor(3.0)).item() == 7.0
    assert calls == [(6.0, 7.0)]
    h1.remove()
    h2.remove()
    h3.remove()
    assert m(fl.tensor(3.0)).item() == 3.0
    # a pre-hook may return a single value
    with m.register_forward_pre_hook(lambda mod, args: args[0] + 10):
        assert m(fl.tensor(1.0)).item() == 11.0
    assert m(fl.tensor(1.0)).item() == 1.0


def test_hook_order_prepend_and_kwargs():
    m = nn.Identity()
    order = []
    m.register_forward_hook(lambda *a: order.append("first"))
    m.register_forward_hook(lambda *a: order.append("prepended"), prepend=True)
    m(fl.zeros(1))
    assert order == ["prepended", "first"]

    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    s = Scale()
    s.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 3.0}),
                                with_kwargs=True)
    seen = {}
    s.register_forward_hook(lambda mod, args, kwargs, out: seen.update(kwargs),
                            with_kwargs=True)
    assert s(fl.tensor(2.0)).item() == 6.0 and seen == {"factor": 3.0}


# --- repr ---------------------------------------------------------------------------------
def test_nested_repr_matches_pytorch():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.features = nn.Sequential(nn.Linear(400, 120), nn.ReLU(inplace=True))
            self.fc3 = nn.Linear(84, 10, bias=False)

        def forward(self, x):
            return x

    assert repr(Net()) == """Net(
  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
  (pool): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (features): Sequential(
    (0): Linear(in_features=400, out_features=120, bias=True)
    (1): ReLU(inplace=True)
  )
  (fc3): Linear(in_features=84, out_features=10, bias=False)
)"""
    assert repr(nn.Sequential()) == "Sequential()"


def test_extra_repr_with_children_and_multiline():
    class WithExtra(nn.Module):
        def __init__(self):
            super().__init__()
            self.child = nn.Tanh()

        def extra_repr(self):
            return "k=1"

    assert repr(WithExtra()) == "WithExtra(\n  k=1\n  (child): Tanh()\n)"


# --- containers ---------------------------------------------------------------------------
def test_sequential_runs_in_order_and_supports_list_operations():
    seq = nn.Sequential(nn.Identity(), nn.ReLU())
    assert seq(fl.tensor([-1.0, 2.0])).tolist() == [0.0, 2.0]
    assert len(seq) == 2 and isinstance(seq[-1], nn.ReLU)
    seq.append(nn.Tanh())
    seq.insert(0, nn.Sigmoid())
    seq.extend([nn.ELU()])
    assert [type(m).__name__ for m in seq] == ["Sigmoid", "Identity", "ReLU", "Tanh", "ELU"]
    assert list(seq._modules) == ["0", "1", "2", "3", "4"]
    sub = seq[1:3]
    assert isinstance(sub, nn.Sequential) and list(sub._modules) == ["1", "2"]
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2", "3"]
    assert isinstance(seq[0], nn.Identity)
    assert isinstance(seq.pop(0), nn.Identity) and len(seq) == 3
    assert len(seq + nn.Sequential(nn.ReLU())) == 4
    with pytest.raises(IndexError):
        seq[10]


def test_sequential_from_ordered_dict_keeps_names():
    seq = nn.Sequential(OrderedDict([("conv", nn.Conv1d(1, 2, 3)), ("act", nn.ReLU())]))
    assert seq.conv is seq[0]
    assert list(seq.state_dict()) == ["conv.weight", "conv.bias"]
    assert repr(seq) == ("Sequential(\n  (conv): Conv1d(1, 2, kernel_size=(3,), "
                         "stride=(1,))\n  (act): ReLU()\n)")


def test_module_list():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ml.append(nn.ReLU())
    ml += [nn.ReLU()]
    ml.insert(0, nn.Tanh())
    assert len(ml) == 6 and isinstance(ml[0], nn.Tanh) and isinstance(ml[-1], nn.ReLU)
    assert len(list(ml.parameters())) == 6
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    del ml[0]
    assert list(ml._modules) == ["0", "1", "2", "3", "4"]
    assert repr(ml) == """ModuleList(
  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)
  (3-4): 2 x ReLU()
)"""
    assert repr(nn.ModuleList()) == "ModuleList()"
    with pytest.raises(TypeError, match="iterable"):
        ml.extend(3)


def test_module_dict():
    md = nn.ModuleDict({"a": nn.Linear(1, 1), "b": nn.ReLU()})
    md["c"] = nn.Tanh()
    md.update([("d", nn.Identity())])
    assert list(md.keys()) == ["a", "b", "c", "d"] and "c" in md and len(md) == 4
    assert [n for n, _ in md.named_parameters()] == ["a.weight", "a.bias"]
    assert isinstance(md.pop("b"), nn.ReLU) and list(md) == ["a", "c", "d"]
    assert repr(nn.ModuleDict({"act": nn.ReLU()})) == "ModuleDict(\n  (act): ReLU()\n)"


def test_parameter_list_and_dict():
    pl = nn.ParameterList([fl.zeros(3), nn.Parameter(fl.ones(2, 4))])
    assert all(isinstance(p, nn.Parameter) for p in pl)  # tensors are wrapped
    pl.append(fl.zeros(1))
    assert len(pl) == 3 and [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    assert repr(nn.ParameterList([nn.Parameter(fl.zeros(3))])) == \
        "ParameterList(  (0): Parameter containing: [flambeau.float32 of size 3])"
    assert repr(pl) == ("ParameterList(\n"
                        "    (0): Parameter containing: [flambeau.float32 of size 3]\n"
                        "    (1): Parameter containing: [flambeau.float32 of size 2x4]\n"
                        "    (2): Parameter containing: [flambeau.float32 of size 1]\n)")
    pd = nn.ParameterDict({"a": fl.zeros(2)})
    pd["b"] = nn.Parameter(fl.ones(1, dtype=fl.float64))
    assert list(pd) == ["a", "b"] and isinstance(pd["a"], nn.Parameter)
    assert list(dict(pd.named_parameters())) == ["a", "b"]
    assert repr(pd) == ("ParameterDict(\n"
                        "    (a): Parameter containing: [flambeau.float32 of size 2]\n"
                        "    (b): Parameter containing: [flambeau.float64 of size 1]\n)")
    del pd["a"]
    assert list(pd.keys()) == ["b"] and len(list(pd.parameters())) == 1


def test_deepcopy_of_a_model_keeps_sharing_and_copies_values():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, shared)
    clone = copy.deepcopy(seq)
    assert clone[0] is clone[1] and clone[0] is not shared
    assert type(clone[0].weight) is nn.Parameter
    np.testing.assert_array_equal(clone[0].weight.detach().numpy(),
                                  shared.weight.detach().numpy())
    restored = pickle.loads(pickle.dumps(seq))
    assert type(restored[0].weight) is nn.Parameter
