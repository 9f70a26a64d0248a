"""Plugins cannot do harm: each failure mode of plugin loading, one test each.

A plugin may not take a device type that is already served (the built-ins register
first) unless it asks with ``override=True``; an entry point cannot shadow a built-in
by its name; a plugin that raises anything at import, or implements no hook, is
reported and skipped; the backend protocol is checked at registration, with defaults
for ``strides`` and ``make_generator``; and the debug mode ``FLAMBEAU_CHECK_KERNELS``
catches kernels whose results lie about their shape or dtype.

Import-time behaviour runs in a fresh interpreter that finds the test's plugins through
a real ``.dist-info`` entry-point file (as ``tests/test_plugins.py`` does); the rest
registers real backend objects in this process and removes them afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from fakedev_backend import FakeDevBackend, unregister

import flambeau as fl
from flambeau.backends.numpy import NumpyBackend
from flambeau.dispatcher.optable import OPS

# --- plugins found through entry points, in a fresh interpreter ---------------------------

_REPORT = """
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import flambeau as fl
print(json.dumps({
    "warnings": [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)],
    "cpu": type(fl.backends.backend_for("cpu")).__module__,
    "available": fl.backends.available(),
    "plugins": {n: getattr(p, "__name__", repr(p))
                for n, p in fl.plugins.plugin_manager.list_name_plugin()},
    "sum": (fl.ones(3) + 1).sum().item(),
}))
"""


def _import_with_plugins(tmp_path, modules: dict, eps: dict) -> dict:
    """Import flambeau in a new interpreter that also finds ``modules`` (name ->
    source) installed as the entry points ``eps`` (name -> module); returns what it
    reports (RuntimeWarnings, the CPU backend's module, device types, plugins)."""
    for name, source in modules.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    info = tmp_path / "flambeau_safety_plugins-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: flambeau-safety-plugins\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[flambeau.backends]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")])
    env.pop("FLAMBEAU_CHECK_KERNELS", None)
    proc = subprocess.run([sys.executable, "-c", _REPORT], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _about(report, name: str) -> list[str]:
    return [w for w in report["warnings"] if f"plugin {name!r}" in w]


_CPU_TAKEOVER = """
import flambeau.plugins as fp
from flambeau.backends.numpy import NumpyBackend

class Takeover(NumpyBackend):
    name = "takeover"

@fp.hookimpl
def flambeau_backends():
    return [Takeover()]
"""


def test_plugin_claiming_cpu_is_refused_and_named(tmp_path):
    # "aaa" sorts before "numpy": the built-ins must still register first
    report = _import_with_plugins(tmp_path, {"fl_takeover": _CPU_TAKEOVER},
                                  {"aaa_takeover": "fl_takeover"})
    assert report["cpu"] == "flambeau.backends.numpy"
    assert report["sum"] == 6.0
    (warning,) = _about(report, "aaa_takeover")
    assert "'takeover'" in warning and "'cpu'" in warning and "override=True" in warning
    assert "already served by backend 'numpy'" in warning
    assert not _about(report, "numpy")  # the built-in is not blamed
    assert "aaa_takeover" not in report["plugins"]


def test_override_true_replaces_a_served_device_type():
    first, second = FakeDevBackend(), FakeDevBackend()
    fl.backends.register_backend(first)
    try:
        with pytest.raises(ValueError, match="'fakedev-numpy' may not take device type "
                                             "'fakedev'.*override=True"):
            fl.backends.register_backend(second)
        assert fl.backends.backend_for("fakedev") is first
        fl.backends.register_backend(second, override=True)
        assert fl.backends.backend_for("fakedev") is second
        assert (fl.arange(3.0).to("fakedev") * 2).cpu().tolist() == [0.0, 2.0, 4.0]

        # a plugin asks through its backend object, and the replacement is reported
        third = FakeDevBackend()
        third.name = "third"
        third.override = True
        plugin = _Plugin([third])
        with pytest.warns(RuntimeWarning, match="plugin 'test-override'.*replaced backend "
                                                "'fakedev-numpy'.*'third'"):
            assert fl.plugins.register_plugin(plugin, name="test-override") == [third]
        assert fl.backends.backend_for("fakedev") is third
    finally:
        if fl.plugins.plugin_manager.has_plugin("test-override"):
            fl.plugins.plugin_manager.unregister(name="test-override")
        unregister("fakedev")


_NUMPY_IMPOSTOR = """
import flambeau.plugins as fp

@fp.hookimpl
def flambeau_backends():
    return []
"""


def test_entry_point_named_numpy_does_not_remove_the_builtin(tmp_path):
    report = _import_with_plugins(tmp_path, {"fl_impostor": _NUMPY_IMPOSTOR},
                                  {"numpy": "fl_impostor"})
    assert report["cpu"] == "flambeau.backends.numpy"
    assert report["plugins"]["numpy"] == "flambeau.backends.numpy"
    assert "fl_impostor" not in report["plugins"].values()
    assert report["sum"] == 6.0
    (warning,) = _about(report, "numpy")
    assert "fl_impostor" in warning and "built-in" in warning and "skipped" in warning


def test_plugin_raising_system_exit_is_reported_and_skipped(tmp_path):
    modules = {"fl_exit_import": "raise SystemExit(3)\n",
               "fl_exit_hook": """
                   import flambeau.plugins as fp

                   @fp.hookimpl
                   def flambeau_backends():
                       raise SystemExit("no device today")
                   """}
    report = _import_with_plugins(tmp_path, modules, {"exitimport": "fl_exit_import",
                                                      "exithook": "fl_exit_hook"})
    assert report["sum"] == 6.0 and "cpu" in report["available"]
    (at_import,) = _about(report, "exitimport")
    assert "SystemExit: 3" in at_import and "skipped" in at_import
    (in_hook,) = _about(report, "exithook")
    assert "SystemExit: no device today" in in_hook
    assert "exitimport" not in report["plugins"] and "exithook" not in report["plugins"]


def test_entry_point_without_hookimpl_warns(tmp_path):
    modules = {"fl_undecorated": """
                   def flambeau_backends():   # no @hookimpl: pluggy never calls it
                       return []
                   """,
               "fl_misnamed": """
                   import flambeau.plugins as fp

                   @fp.hookimpl
                   def flambeau_backend():    # the hook is flambeau_backends
                       return []
                   """}
    report = _import_with_plugins(tmp_path, modules, {"undecorated": "fl_undecorated",
                                                      "misnamed": "fl_misnamed"})
    (undecorated,) = _about(report, "undecorated")
    assert "implements no flambeau_backends hook" in undecorated
    assert "hookimpl" in undecorated
    (misnamed,) = _about(report, "misnamed")
    assert "it marks flambeau_backend" in misnamed
    assert report["sum"] == 6.0


# --- the backend protocol, checked at registration ------------------------------------------

class _Plugin:
    """A pluggy plugin object that provides the given backends."""

    def __init__(self, backends):
        self.backends = backends

    @fl.plugins.hookimpl
    def flambeau_backends(self):
        return self.backends


class MinimalBackend:
    """Only the required methods: no ``strides``, no ``make_generator``; its arrays
    are its own C-contiguous copies."""

    name = "minimal"
    device_type = "minidev"
    dtypes = ("bool", "int64", "float32", "float64")

    def device_count(self) -> int:
        return 1

    def from_numpy(self, array, index: int = 0):
        return np.array(array, copy=True, order="C")

    def to_numpy(self, native):
        return native

    def kernels(self) -> dict:
        return NumpyBackend().kernels()


def test_backend_without_strides_and_make_generator_gets_the_defaults():
    fl.backends.register_backend(MinimalBackend())
    try:
        x = fl.zeros(2, 3, 4, device="minidev")
        assert x.stride() == (12, 4, 1)
        assert fl.zeros(2, 0, 3, device="minidev").stride() == (3, 3, 1)
        g = fl.Generator("minidev").manual_seed(7)
        got = fl.rand(5, generator=g, device="minidev").cpu().numpy()
        want = np.random.Generator(np.random.PCG64(7)).uniform(0.0, 1.0, 5)
        np.testing.assert_array_equal(got, want.astype(np.float32))
        assert fl.randn(3, device="minidev").device == fl.device("minidev:0")
    finally:
        unregister("minidev")


def test_backend_whose_arrays_lack_shape_is_refused():
    class ListBackend(MinimalBackend):
        name = "lists"
        device_type = "listdev"

        def from_numpy(self, array, index: int = 0):
            return array.tolist()

    with pytest.raises(TypeError, match=r"backend 'lists': from_numpy\(\) of a float32 "
                                        r"array .* returned a list with no \.shape; a "
                                        r"native array must have a \.shape tuple"):
        fl.backends.register_backend(ListBackend())
    assert "listdev" not in fl.backends.available()
    assert fl.backends.supported_ops("listdev") == []


def test_plugin_with_one_bad_backend_installs_none():
    class Shapeless(MinimalBackend):
        name = "shapeless"
        device_type = "shapelessdev"

        def from_numpy(self, array, index: int = 0):
            return object()

    plugin = _Plugin([MinimalBackend(), Shapeless()])
    with pytest.raises(TypeError, match="'shapeless'.*no .shape"):
        fl.plugins.register_plugin(plugin, name="test-half")
    assert not fl.plugins.plugin_manager.has_plugin("test-half")
    assert "minidev" not in fl.backends.available()
    assert "shapelessdev" not in fl.backends.available()


# --- the debug mode: FLAMBEAU_CHECK_KERNELS ------------------------------------------------

def _wrong_dtype_add(a, b):
    return (a + b).astype(np.float64)


def _wrong_shape_sum(x, dim=None, keepdim=False):
    return x.copy()  # ignores dim: the result keeps x's shape


class LyingBackend(FakeDevBackend):
    name = "liar"
    device_type = "liardev"

    def kernels(self) -> dict:
        table = super().kernels()
        table["add"] = _wrong_dtype_add
        table["sum"] = _wrong_shape_sum
        return table


@pytest.fixture
def check_kernels():
    """Turn the kernel checks on for one test, then back to how they were (the whole
    suite may run with ``FLAMBEAU_CHECK_KERNELS=1``)."""
    before = fl.backends.check_kernels()
    fl.backends.set_check_kernels(True)
    try:
        yield
    finally:
        fl.backends.set_check_kernels(before)


@pytest.fixture
def no_check_kernels():
    """Turn the kernel checks off for one test, then back to how they were."""
    before = fl.backends.check_kernels()
    fl.backends.set_check_kernels(False)
    try:
        yield
    finally:
        fl.backends.set_check_kernels(before)


def test_check_kernels_catches_a_wrong_dtype(check_kernels):
    fl.backends.register_backend(LyingBackend())
    try:
        x = fl.ones(2, 3, device="liardev")
        with pytest.raises(RuntimeError, match="backend 'liar' returned the wrong dtype "
                                               "from op 'add' for float32: expected "
                                               "float32, got float64"):
            x + x
        assert (fl.ones(2, 3) + 1).sum().item() == 12.0  # the CPU's kernels pass
    finally:
        unregister("liardev")


def test_check_kernels_catches_a_wrong_shape(no_check_kernels):
    fl.backends.register_backend(LyingBackend())
    try:
        x = fl.ones(2, 3, device="liardev")
        assert x.sum(1).shape == (2, 3)  # off: the lie goes through, at no cost
        assert OPS["sum"].kernels["liardev"][fl.float32] is _wrong_shape_sum
        fl.backends.set_check_kernels(True)  # wraps the kernels already installed
        try:
            with pytest.raises(RuntimeError, match=r"backend 'liar' returned the wrong "
                                                   r"shape from op 'sum' for float32: "
                                                   r"expected \(2, 1\), got \(2, 3\)"):
                x.sum(1, keepdim=True)
        finally:
            fl.backends.set_check_kernels(False)
        assert OPS["sum"].kernels["liardev"][fl.float32] is _wrong_shape_sum
    finally:
        unregister("liardev")


def test_check_kernels_from_the_environment():
    script = textwrap.dedent("""
        import flambeau as fl
        from flambeau.dispatcher.optable import OPS
        x = fl.randn(3, 4)
        y = ((x * 2 + 1).relu().sum(1, keepdim=True) > 0).float().mean()
        print(fl.backends.check_kernels(), hasattr(OPS["add"].kernels["cpu"][fl.float32],
              "_unchecked"), tuple(y.shape), y.dtype)
        """)
    env = dict(os.environ, FLAMBEAU_CHECK_KERNELS="1")
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True", "()", "flambeau.float32"]
