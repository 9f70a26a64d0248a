"""Backends as pluggy plugins: the entry point, run-time registration, broken plugins,
and introspection (available, explain, supported_ops).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points

import fakedev_backend
import pytest
from fakedev_backend import MISSING_OPS, FakeDevBackend, unregister

import flambeau as fl
from flambeau.backends.numpy import NumpyBackend

fakedev = fakedev_backend.fakedev  # the fixture: a second device type

# --- the built-in NumPy backend arrives through the entry point -------------------------


def test_numpy_backend_is_an_entry_point():
    eps = {ep.name: ep.value for ep in entry_points(group="flambeau.backends")}
    assert eps.get("numpy") == "flambeau.backends.numpy"
    assert fl.plugins.ENTRY_POINT_GROUP == "flambeau.backends"


def test_numpy_plugin_is_registered_with_pluggy():
    pm = fl.plugins.plugin_manager
    assert pm.has_plugin("numpy")
    import flambeau.backends.numpy as numpy_plugin
    assert pm.get_plugin("numpy") is numpy_plugin
    cpu = fl.backends.backends()["cpu"]
    assert isinstance(cpu, NumpyBackend) and cpu.name == "numpy"
    assert fl.backends.backend_for("cpu") is cpu


def test_loading_entry_points_again_is_a_no_op():
    before = fl.backends.backends()
    assert fl.plugins.load_entry_points() == []
    assert fl.backends.backends() == before


def test_available_lists_device_types():
    avail = fl.backends.available()
    assert "cpu" in avail and avail == sorted(avail)


# --- run-time registration ----------------------------------------------------------------

def test_register_backend_at_run_time():
    fl.backends.register_backend(FakeDevBackend())
    try:
        assert "fakedev" in fl.backends.available()
        t = fl.arange(3.0).to("fakedev")
        assert (t * 2).cpu().tolist() == [0.0, 2.0, 4.0]
        with pytest.raises(ValueError, match="already served"):
            fl.backends.register_backend(FakeDevBackend())
        replacement = FakeDevBackend()
        fl.backends.register_backend(replacement, override=True)
        assert fl.backends.backend_for("fakedev") is replacement
    finally:
        unregister("fakedev")
    assert "fakedev" not in fl.backends.available()


def test_register_backend_rejects_incomplete_objects():
    class Partial:
        name = "partial"
        device_type = "partialdev"

    with pytest.raises(TypeError, match="device_count"):
        fl.backends.register_backend(Partial())
    assert "partialdev" not in fl.backends.available()


def test_register_backend_with_unknown_op_installs_nothing():
    class Extra(FakeDevBackend):
        device_type = "extradev"

        def kernels(self):
            table = super().kernels()
            table["not_an_op"] = lambda x: x
            return table

    with pytest.raises(ValueError, match="not_an_op"):
        fl.backends.register_backend(Extra())
    assert "extradev" not in fl.backends.available()
    assert fl.backends.supported_ops("extradev") == []


class _Plugin:
    """A pluggy plugin object (not a module) that provides one backend."""

    def __init__(self, backend):
        self.backend = backend

    @fl.plugins.hookimpl
    def flambeau_backends(self):
        return [self.backend]


def test_register_plugin_with_hookimpl_object():
    backend = FakeDevBackend()
    plugin = _Plugin(backend)
    try:
        installed = fl.plugins.register_plugin(plugin, name="test-fakedev-plugin")
        assert installed == [backend]
        assert fl.plugins.plugin_manager.has_plugin("test-fakedev-plugin")
        assert fl.backends.backend_for("fakedev") is backend
        assert fl.ones(2, device="fakedev").device is fl.device("fakedev:0")
    finally:
        fl.plugins.plugin_manager.unregister(plugin)
        unregister("fakedev")


def test_register_plugin_that_fails_is_not_left_registered():
    class Broken:
        name = "broken"
        device_type = "brokendev"  # lacks kernels() and the rest

    plugin = _Plugin(Broken())
    with pytest.raises(TypeError):
        fl.plugins.register_plugin(plugin, name="test-broken-plugin")
    assert not fl.plugins.plugin_manager.has_plugin("test-broken-plugin")
    assert "brokendev" not in fl.backends.available()


# --- broken third-party plugins do not break `import flambeau` --------------------------

_GOOD_PLUGIN = """
import flambeau.plugins as fp
from flambeau.backends.numpy import NumpyBackend

class GoodBackend(NumpyBackend):
    name = "good"
    device_type = "gooddev"
    def from_numpy(self, array, index=0):
        return array.copy()

@fp.hookimpl
def flambeau_backends():
    return [GoodBackend()]
"""

_BAD_REGISTER_PLUGIN = """
import flambeau.plugins as fp

class NotABackend:
    name = "half"
    device_type = "halfdev"

@fp.hookimpl
def flambeau_backends():
    return [NotABackend()]
"""

_CHECK = """
import warnings
warnings.simplefilter("always")
import flambeau as fl
print("available:", [d for d in fl.backends.available() if d in ("cpu", "gooddev",
      "badimport", "badregister")])  # other installed plugins (opencl) do not matter
print("device:", fl.ones(2).to("gooddev").device)
print("sum:", (fl.ones(3) + 1).sum().item())
"""


def test_broken_plugins_warn_and_import_still_works(tmp_path):
    (tmp_path / "flbad_import").mkdir()
    (tmp_path / "flbad_import" / "__init__.py").write_text(
        "raise ImportError('boom on import')\n")
    (tmp_path / "flbad_register").mkdir()
    (tmp_path / "flbad_register" / "__init__.py").write_text(_BAD_REGISTER_PLUGIN)
    (tmp_path / "flgood").mkdir()
    (tmp_path / "flgood" / "__init__.py").write_text(_GOOD_PLUGIN)
    info = tmp_path / "flambeau_test_plugins-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: flambeau-test-plugins\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(textwrap.dedent("""\
        [flambeau.backends]
        badimport = flbad_import
        badregister = flbad_register
        gooddev = flgood
        """))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, "-c", _CHECK], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "available: ['cpu', 'gooddev']" in proc.stdout
    assert "device: gooddev:0" in proc.stdout
    assert "sum: 6.0" in proc.stdout
    warned = [line for line in proc.stderr.splitlines() if "RuntimeWarning" in line]
    assert any("'badimport'" in w and "boom on import" in w for w in warned), proc.stderr
    assert any("'badregister'" in w for w in warned), proc.stderr
    assert not any("gooddev" in w for w in warned)


# --- introspection ---------------------------------------------------------------------

def test_explain_served_op():
    msg = fl.backends.explain("add", "cpu", fl.float32)
    assert msg.startswith("add on cpu for float32") and "numpy" in msg and "kernel" in msg


def test_explain_missing_backend():
    msg = fl.backends.explain("add", "cuda", fl.float32)
    assert "no backend" in msg and "cuda" in msg


def test_explain_unknown_op_suggests_names():
    with pytest.raises(KeyError, match="did you mean"):
        fl.backends.explain("ad", "cpu", fl.float32)


def test_explain_missing_op_and_unsupported_dtype(fakedev):
    msg = fl.backends.explain("sin", "fakedev", fl.float32)
    assert "no kernel for sin" in msg and "cpu" in msg and "fakedev-numpy" in msg
    fl.backends.set_cpu_fallback(True)
    assert "CPU fallback is on" in fl.backends.explain("sin", "fakedev", fl.float32)
    msg = fl.backends.explain("add", "fakedev", fl.int32)
    assert "cannot hold int32" in msg and "float32" in msg
    assert "kernel" in fl.backends.explain("add", "fakedev:1", fl.float64)


def test_supported_ops(fakedev):
    cpu = fl.backends.supported_ops("cpu")
    assert cpu == sorted(NumpyBackend().kernels())
    assert {"add", "matmul", "sin", "sum", "getitem"} <= set(cpu)
    assert fl.backends.supported_ops("fakedev") == sorted(set(cpu) - set(MISSING_OPS))
    assert fl.backends.supported_ops("nosuchdev") == []
