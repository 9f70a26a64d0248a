"""fl.save / fl.load: safetensors checkpoints.

References: NumPy arrays for values, ``safetensors.numpy`` (an independent reader and
writer) for the file format and tensor names, literal structures for the metadata, and
the file system for atomicity. The security test uses an object whose unpickling would
create a marker file.
"""

from __future__ import annotations

import io
import json
import math
import os
import pathlib
import pickle
from collections import OrderedDict

import fakedev_backend
import numpy as np
import pytest
import safetensors
import safetensors.numpy

import flambeau as fl
from flambeau.serialization import load, save

fakedev = fakedev_backend.fakedev  # the fixture: a second device type

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
          "float64"]


def _host(name, shape=(2, 3)):
    rng = np.random.default_rng(0)
    if name == "bool":
        arr = rng.random(shape) < 0.5
    elif name.startswith(("int", "uint")):
        info = np.iinfo(name)  # the extremes too
        arr = rng.integers(info.min, info.max, size=shape, dtype=name, endpoint=True)
    else:
        arr = rng.standard_normal(shape).astype(name)
    return np.asarray(arr)  # 0-d draws come back as NumPy scalars


def _same(a, b):
    """Structural equality, tensors compared by dtype, shape and values."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, fl.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


# --- round trips ----------------------------------------------------------------------
@pytest.mark.parametrize("name", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3), (), (0, 4)], ids=["2x3", "scalar", "empty"])
def test_every_dtype_round_trips(tmp_path, name, shape):
    arr = _host(name, shape)
    path = tmp_path / "t.safetensors"
    save({"w": fl.from_numpy(arr)}, path)
    out = load(path)["w"]
    assert out.dtype == getattr(fl, name) and tuple(out.shape) == shape
    np.testing.assert_array_equal(out.numpy(), arr)
    assert safetensors.numpy.load_file(path)["w"].dtype == np.dtype(name)


def test_nested_structures(tmp_path):
    opt_state = {
        "state": {0: {"step": fl.tensor(3.0), "exp_avg": fl.ones(2, 2)},
                  1: {"step": fl.tensor(3.0), "exp_avg": fl.zeros(4)}},
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                          "weight_decay": 0, "amsgrad": False, "foreach": None,
                          "params": [0, 1], "name": "all"}],
    }
    obj = {"model": OrderedDict([("fc.weight", fl.randn(3, 2)), ("fc.bias", fl.zeros(3))]),
           "optimizer": opt_state, "epoch": 7, "best": float("inf"), "nan": float("nan"),
           "history": [1.5, -2, [True, None]], (1, "k"): "tuple key", 2.5: "float key",
           "bare": fl.arange(3)}
    path = tmp_path / "ckpt.safetensors"
    save(obj, path)
    _same(obj, load(path))
    _same(opt_state, load(_bytes_round_trip(opt_state)))


def _bytes_round_trip(obj):
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    return buf


def test_plain_values_and_lone_tensor(tmp_path):
    for obj in (3, "s", None, [], {}, (1, 2.0), fl.tensor([1, 2])):
        path = tmp_path / "x.safetensors"
        save(obj, path)
        _same(obj, load(path))
    assert list(safetensors.numpy.load_file(path)) == ["tensor"]


def test_views_grad_and_paths(tmp_path):
    base = fl.arange(12, dtype=fl.float32).reshape(3, 4)
    w = fl.ones(2, requires_grad=True)
    save({"t": base.T, "w": w}, str(tmp_path / "a.safetensors"))
    out = load(pathlib.Path(tmp_path / "a.safetensors"))
    np.testing.assert_array_equal(out["t"].numpy(), np.arange(12).reshape(3, 4).T)
    assert not out["w"].requires_grad  # like a state dict, no autograd state is kept


# --- interop with safetensors.numpy -----------------------------------------------------
def test_keys_are_documented_paths(tmp_path):
    w = fl.randn(2, 2)
    obj = {"model": {"layer.weight": w}, "state": {0: {"exp_avg": w}}, "list": [w, (w,)],
           "a.b": w, "a": {"b": w}}
    path = tmp_path / "k.safetensors"
    save(obj, path)
    arrays = safetensors.numpy.load_file(path)
    assert set(arrays) == {"model.layer.weight", "state.0.exp_avg", "list.0", "list.1.0",
                           "a.b", "a.b~1"}
    for arr in arrays.values():
        np.testing.assert_array_equal(arr, w.numpy())
    sd = {"fc.weight": w, "fc.bias": fl.zeros(2)}
    save(sd, path)
    assert set(safetensors.numpy.load_file(path)) == {"fc.weight", "fc.bias"}
    with safetensors.safe_open(path, framework="np") as f:
        info = json.loads(f.metadata()["flambeau"])
    assert info["version"] == 1 and info["kind"] == "tree"
    assert info["tree"] == {"$dict": [
        ["fc.weight", {"$tensor": "fc.weight", "device": "cpu"}],
        ["fc.bias", {"$tensor": "fc.bias", "device": "cpu"}]]}


def test_plain_safetensors_file_loads(tmp_path):
    arrays = {name: _host(name) for name in DTYPES}
    path = tmp_path / "foreign.safetensors"
    safetensors.numpy.save_file(arrays, path)
    out = load(path)
    assert set(out) == set(arrays)
    for name, arr in arrays.items():
        assert out[name].dtype == getattr(fl, name)
        np.testing.assert_array_equal(out[name].numpy(), arr)
    data = safetensors.numpy.save({"w": np.ones(2, np.float32)}, metadata={"format": "pt"})
    assert load(io.BytesIO(data))["w"].tolist() == [1.0, 1.0]


def test_not_a_safetensors_file(tmp_path):
    path = tmp_path / "junk.bin"
    path.write_bytes(b"\x80\x04junk" * 10)
    with pytest.raises(RuntimeError, match="not a safetensors file"):
        load(path)


# --- map_location ---------------------------------------------------------------------
def test_map_location_forms(tmp_path, fakedev):
    path = tmp_path / "dev.safetensors"
    save({"a": fl.tensor([1.0, 2.0], device="fakedev:1"), "b": fl.tensor([3])}, path)
    np.testing.assert_array_equal(safetensors.numpy.load_file(path)["a"], [1.0, 2.0])
    out = load(path)  # default: back where each was saved
    assert str(out["a"].device) == "fakedev:1" and out["b"].device.type == "cpu"
    assert load(path, map_location="cpu")["a"].device.type == "cpu"
    assert load(path, map_location=fl.device("fakedev", 0))["b"].device.index == 0
    out = load(path, map_location={"fakedev:1": "fakedev:0"})
    assert str(out["a"].device) == "fakedev:0" and out["b"].device.type == "cpu"
    seen = []

    def fn(t, location):
        seen.append(location)
        return t.double() if location == "cpu" else None
    out = load(path, map_location=fn)
    assert sorted(seen) == ["cpu", "fakedev:1"]
    assert out["b"].dtype == fl.float64 and str(out["a"].device) == "fakedev:1"
    assert out["a"].tolist() == [1.0, 2.0]


def test_missing_device_suggests_map_location(tmp_path, fakedev):
    path = tmp_path / "dev.safetensors"
    save({"a": fl.tensor([1.0], device="fakedev:1")}, path)
    fakedev_backend.unregister("fakedev")
    with pytest.raises(RuntimeError, match="map_location='cpu'"):
        load(path)
    assert load(path, map_location="cpu")["a"].tolist() == [1.0]
    fl.backends.register_backend(fakedev)  # the fixture unregisters it again


# --- atomic writes --------------------------------------------------------------------
def _old_file(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    save({"w": fl.ones(3)}, path)
    return path, path.read_bytes()


def test_failed_save_keeps_previous_file(tmp_path):
    path, before = _old_file(tmp_path)
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        save({"w": fl.zeros(3), "f": lambda: 0}, path)  # a lambda cannot be pickled
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_crash_during_write_keeps_previous_file(tmp_path, monkeypatch):
    path, before = _old_file(tmp_path)

    def crash(fd):
        # the temporary file is written and on its way to disk: check, then fail
        assert len(os.listdir(tmp_path)) == 2
        raise OSError("disk on fire")
    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk on fire"):
        save({"w": fl.zeros(3)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]
    save({"w": fl.zeros(3)}, path)  # a successful save replaces it, leaving one file
    assert load(path)["w"].tolist() == [0.0, 0.0, 0.0]
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]


# --- pickled objects and weights_only -------------------------------------------------
def _touch(path):
    pathlib.Path(path).write_text("unpickled")
    return "payload"


class Booby:
    """Unpickling this creates a marker file: the code execution to guard against."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (_touch, (self.marker,))


class Holder:
    def __init__(self, tensor, note):
        self.tensor, self.note = tensor, note


def test_weights_only_refuses_pickles(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "evil.safetensors"
    save({"w": fl.ones(2), "x": Booby(str(marker))}, path)
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError, match="weights_only=False") as info:
        load(path)
    assert "trust" in str(info.value)
    assert not marker.exists()  # nothing ran
    with pytest.raises(pickle.UnpicklingError):
        load(io.BytesIO(path.read_bytes()))
    assert not marker.exists()
    # the guard was needed: an explicit opt-in really does run the pickle
    assert load(path, weights_only=False)["x"] == "payload" and marker.exists()


def test_pickled_objects_round_trip_with_tensors_out_of_band(tmp_path):
    big = fl.arange(50_000, dtype=fl.float64)
    obj = {"h": Holder(big, np.float32(1.5)), "w": fl.ones(2, requires_grad=True)}
    path = tmp_path / "obj.safetensors"
    save(obj, path)
    arrays = safetensors.numpy.load_file(path)  # still a plain safetensors file
    assert any(a.shape == (50_000,) for a in arrays.values())
    with safetensors.safe_open(path, framework="np") as f:
        info = json.loads(f.metadata()["flambeau"])
    assert info["kind"] == "pickle" and len(info["pickle"]) < 4000  # data not in pickle
    out = load(path, weights_only=False)
    np.testing.assert_array_equal(out["h"].tensor.numpy(), np.arange(50_000.0))
    assert out["h"].note == np.float32(1.5) and out["w"].requires_grad


def test_pickle_honours_map_location(tmp_path, fakedev):
    path = tmp_path / "obj.safetensors"
    save(Holder(fl.tensor([1.0], device="fakedev:1"), "n"), path)
    assert str(load(path, weights_only=False).tensor.device) == "fakedev:1"
    out = load(path, map_location="cpu", weights_only=False)
    assert out.tensor.device.type == "cpu" and out.tensor.tolist() == [1.0]


# --- end to end: a model and its optimizer --------------------------------------------
def test_model_and_optimizer_checkpoint(tmp_path):
    from flambeau import nn, optim  # imported here so a break there stays in this test

    def make():
        return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    model = make()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    model(fl.randn(5, 3)).sum().backward()
    opt.step()
    path = tmp_path / "ckpt.safetensors"
    save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 3}, path)
    names = set(safetensors.numpy.load_file(path))
    assert {"model.0.weight", "model.2.bias", "opt.state.0.exp_avg"} <= names
    ckpt = load(path)
    model2 = make()
    model2.load_state_dict(ckpt["model"])
    opt2 = optim.Adam(model2.parameters(), lr=1e-3)
    opt2.load_state_dict(ckpt["opt"])
    _same(opt.state_dict(), opt2.state_dict())
    x = fl.randn(2, 3)
    np.testing.assert_array_equal(model2(x).detach().numpy(), model(x).detach().numpy())
    # a whole Module is pickled: it needs the explicit opt-in, then comes back whole
    save(model, path)
    with pytest.raises(pickle.UnpicklingError):
        load(path)
    again = load(path, weights_only=False)
    assert type(again[0].weight) is nn.Parameter and again[0].weight.requires_grad
    np.testing.assert_array_equal(again(x).detach().numpy(), model(x).detach().numpy())
