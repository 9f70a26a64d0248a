"""Checkpoints: :func:`save` and :func:`load`, in the safetensors format.

Every file :func:`save` writes is a valid safetensors file (written and read with the
``safetensors`` package): any safetensors reader sees its tensors, and loading it never
runs code unless the caller asks for that with ``weights_only=False``.

**Tensor names.** A tensor is stored under its key path: the dict keys and list/tuple
positions leading to it, joined with ``"."``. So the keys of a state dict stay exactly
as they are (``{"fc.weight": w}`` stores ``"fc.weight"``), ``{"model": {"fc.weight": w}}``
stores ``"model.fc.weight"``, an optimizer's ``{"state": {0: {"exp_avg": m}}}`` stores
``"state.0.exp_avg"``, and a tensor saved alone is named ``"tensor"``. When two paths
give the same name (``{"a.b": x, "a": {"b": y}}``), the later tensor gets ``~1`` (then
``~2``, ...) appended. Tensors are saved from host copies whatever their device; their
values, shapes and dtypes (bool, uint8, int8/16/32/64, float16/32/64, bfloat16) are kept,
``requires_grad`` is not (as in a state dict), and a Tensor subclass loads as a Tensor.

**Structure.** The safetensors metadata has one entry, ``"flambeau"``: a JSON object
``{"version": 1, "kind": "tree", "tree": T}``, where ``T`` rebuilds the saved object:
``null``, booleans, integers, strings and finite floats stand for themselves, a JSON
array is a list, and tagged objects stand for the rest: ``{"$tuple": [...]}``,
``{"$dict": [[key, value], ...]}`` (keys of any plain type, order kept; ``"$odict"`` for
an ``OrderedDict``), ``{"$float": "nan" | "inf" | "-inf"}`` and
``{"$tensor": name, "device": "cpu"}``.

**Other objects.** An object that is not made of tensors and those plain values (a
Module, a NumPy scalar, any class instance) is pickled: ``kind`` is ``"pickle"`` and
the metadata's JSON holds the pickle (base64) under ``"pickle"``, while every NumPy
array the pickle meets (a tensor pickles as one) is still stored as a named tensor,
``"0"``, ``"1"``, ... in the order met. Unpickling can run arbitrary code, so
:func:`load` refuses such a file unless ``weights_only=False``.

A safetensors file without the ``"flambeau"`` entry (written by any other tool) loads
as a dict of tensors.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import os
import pickle
import secrets
from collections import OrderedDict
from collections.abc import Callable
from typing import IO, Any

import ml_dtypes
import numpy as np
import safetensors.numpy

from .dispatcher.devices import device as Device
from .frontend.creation import from_numpy
from .frontend.tensor import Tensor, _rebuild

__all__ = ["save", "load"]

FileLike = str | os.PathLike | IO[bytes]
MapLocation = str | Device | dict | Callable[[Tensor, str], Any] | None

_META_KEY = "flambeau"
_VERSION = 1
_LONE_TENSOR = "tensor"
# safetensors readers reject larger headers, so a pickle that big could not be loaded
_MAX_HEADER = 100_000_000
_STORED_DTYPES = frozenset(np.dtype(n) for n in (
    "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")) | {
    np.dtype(ml_dtypes.bfloat16)}  # safetensors' BF16
_UNSAFE = ("Weights only load failed: this file holds a pickle of Python objects (it was "
           "saved from something other than tensors and plain values), and unpickling "
           "can execute arbitrary code. Pass weights_only=False to flambeau.load only if "
           "you trust the source of the file.")


class _NotPlain(Exception):
    """Raised by the tree encoder at the first value JSON and tensors cannot hold."""


# --- save -----------------------------------------------------------------------------
def save(obj: Any, f: FileLike) -> None:
    """Save ``obj`` (a tensor, a state dict, nested containers) to a safetensors file.

    Args:
        obj: tensors and plain values (None, bool, int, float, str) in dicts, lists and
            tuples, e.g. ``model.state_dict()`` or an optimizer's state dict. Anything
            else is pickled and needs ``weights_only=False`` to load (see the module
            docstring for the format).
        f: a path, or a binary file object opened for writing. A path is written
            atomically: to a temporary file in the same directory, flushed to disk, then
            renamed over ``f``, so a crash leaves the previous file intact. A file
            object simply gets the bytes.

    Example::

        >>> fl.save(model.state_dict(), "ckpt.safetensors")
        >>> safetensors.numpy.load_file("ckpt.safetensors")["fc.weight"].shape
    """
    arrays: dict[str, np.ndarray] = {}
    try:
        info = {"version": _VERSION, "kind": "tree", "tree": _encode(obj, [], arrays)}
    except _NotPlain:
        arrays = {}
        info = {"version": _VERSION, "kind": "pickle", "pickle": _pickle(obj, arrays)}
    metadata = {_META_KEY: json.dumps(info, allow_nan=False)}
    if len(metadata[_META_KEY]) > _MAX_HEADER:
        raise ValueError(f"save(): the pickled part of this object is over "
                         f"{_MAX_HEADER} bytes, more than a safetensors header can hold; "
                         f"keep large data in tensors or NumPy arrays")
    # bytes in memory rather than save_file(): save_file makes owner-only (0600) files,
    # while a checkpoint should get the usual permissions, and one write path serves
    # paths and file objects alike
    data = safetensors.numpy.save(arrays, metadata)
    if isinstance(f, (str, os.PathLike)):
        _atomic_write(f, data)
    else:
        f.write(data)


def _name(path: list[str], arrays: dict) -> str:
    name = ".".join(path) if path else _LONE_TENSOR
    if name in arrays:
        n = 1
        while f"{name}~{n}" in arrays:
            n += 1
        name = f"{name}~{n}"
    return name


def _encode(obj, path: list[str], arrays: dict):
    """The JSON tree of ``obj``; its tensors' host copies go into ``arrays``."""
    t = type(obj)
    if obj is None or t is bool or t is int or t is str:
        return obj
    if t is float:
        return obj if math.isfinite(obj) else {"$float": repr(obj)}
    if isinstance(obj, Tensor):
        name = _name(path, arrays)
        arrays[name] = _c_order(obj.detach().numpy(force=True))
        return {"$tensor": name, "device": str(obj.device)}
    if t is list:
        return [_encode(v, path + [str(i)], arrays) for i, v in enumerate(obj)]
    if t is tuple:
        return {"$tuple": [_encode(v, path + [str(i)], arrays) for i, v in enumerate(obj)]}
    if t is dict or t is OrderedDict:
        tag = "$dict" if t is dict else "$odict"
        return {tag: [[_encode_key(k), _encode(v, path + [str(k)], arrays)]
                      for k, v in obj.items()]}
    raise _NotPlain(t)


def _c_order(array: np.ndarray) -> np.ndarray:
    # not np.ascontiguousarray: it turns 0-d arrays into 1-d ones
    return array if array.flags.c_contiguous else array.copy(order="C")


def _encode_key(key):
    t = type(key)
    if key is None or t in (bool, int, str, float):
        return _encode(key, [], {})
    if t is tuple:
        return {"$tuple": [_encode_key(k) for k in key]}
    raise _NotPlain(t)


class _ArrayPickler(pickle.Pickler):
    """Pickles ``obj`` but stores each NumPy array (so each tensor) as a named tensor."""

    def __init__(self, file, arrays: dict):
        super().__init__(file, protocol=4)
        self._arrays = arrays
        self._names: dict[int, str] = {}
        self._keep: list = []  # keeps arrays alive so that their ids stay unique

    def persistent_id(self, obj):
        if type(obj) is not np.ndarray or obj.dtype not in _STORED_DTYPES:
            return None
        name = self._names.get(id(obj))
        if name is None:
            name = self._names[id(obj)] = str(len(self._names))
            self._keep.append(obj)
            self._arrays[name] = _c_order(obj)
        return ("array", name)


def _pickle(obj, arrays: dict) -> str:
    buf = io.BytesIO()
    _ArrayPickler(buf, arrays).dump(obj)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _atomic_write(path, data: bytes) -> None:
    # write through a symlink to its target, as opening the path would
    target = os.path.realpath(os.fspath(path))
    directory, base = os.path.split(target)
    tmp = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # the data is on disk before the name points at it
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename durable too (POSIX only)
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- load -----------------------------------------------------------------------------
def load(f: FileLike, map_location: MapLocation = None, weights_only: bool = True) -> Any:
    """Load an object saved by :func:`save`, or any safetensors file.

    Args:
        f: a path, or a binary file object opened for reading.
        map_location: where tensors go. ``None``: the device each was saved from (the
            CPU for files from other tools); a device or device string: there; a dict
            ``{"cuda:1": "cuda:0"}``: saved location to new location (others stay); a
            callable ``fn(cpu_tensor, saved_location)`` returning the tensor to use, or
            ``None`` for the default.
        weights_only: keep the default ``True`` unless the file holds pickled objects
            and you trust its source; with ``True`` nothing in the file is executed.

    Returns:
        The saved object; a plain safetensors file gives a dict of tensors.

    Raises:
        pickle.UnpicklingError: the file holds pickled objects and ``weights_only`` is
            ``True``.

    Example::

        >>> model.load_state_dict(fl.load("ckpt.safetensors", map_location="cpu"))
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            metadata = _read_metadata(fh.read(8), fh)
        arrays = safetensors.numpy.load_file(f)
    else:
        data = f.read()
        buf = io.BytesIO(data)
        metadata = _read_metadata(buf.read(8), buf)
        arrays = safetensors.numpy.load(data)
    if _META_KEY not in metadata:
        return {k: _place(_host_tensor(a), "cpu", map_location) for k, a in arrays.items()}
    info = json.loads(metadata[_META_KEY])
    if info.get("version", 0) > _VERSION:
        raise RuntimeError(f"load(): this file has format version {info['version']}, "
                           f"newer than this flambeau reads ({_VERSION}); upgrade flambeau")
    if info.get("kind") == "pickle":
        if weights_only:
            raise pickle.UnpicklingError(_UNSAFE)
        blob = base64.b64decode(info["pickle"])
        return _ArrayUnpickler(io.BytesIO(blob), arrays, map_location).load()
    if info.get("kind") != "tree":
        raise RuntimeError(f"load(): unknown checkpoint kind {info.get('kind')!r}")
    return _decode(info["tree"], arrays, map_location)


def _read_metadata(size_bytes: bytes, fh) -> dict:
    """The ``__metadata__`` of a safetensors header: an 8-byte little-endian length,
    then that many bytes of JSON."""
    n = int.from_bytes(size_bytes, "little") if len(size_bytes) == 8 else -1
    header = fh.read(n) if 0 < n <= _MAX_HEADER else b""
    try:
        if len(header) != n:
            raise ValueError("truncated")
        return json.loads(header).get("__metadata__") or {}
    except (ValueError, AttributeError):
        raise RuntimeError("load(): not a safetensors file (flambeau.save writes the "
                           "safetensors format; files from torch.save are not "
                           "readable)") from None


def _host_tensor(array: np.ndarray) -> Tensor:
    if not array.flags.writeable or not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return from_numpy(array)


def _place(t: Tensor, location: str, map_location: MapLocation) -> Tensor:
    """Move the CPU tensor ``t``, saved from ``location``, where ``map_location`` says."""
    target = location
    if isinstance(map_location, (str, Device)):
        target = str(map_location)
    elif isinstance(map_location, dict):
        remap = {str(k): str(v) for k, v in map_location.items()}
        target = remap.get(location, location)
    elif callable(map_location):
        out = map_location(t, location)
        if out is not None:
            return out
    elif map_location is not None:
        raise TypeError(f"load(): map_location must be None, a device, a dict or a "
                        f"callable, got {type(map_location).__name__}")
    if target == "cpu":
        return t
    try:
        return t.to(target)
    except (RuntimeError, TypeError) as e:
        raise RuntimeError(f"load(): cannot restore a tensor saved on '{location}' to "
                           f"'{target}': {e}. Pass map_location='cpu' (or another "
                           f"device) to load it elsewhere.") from e


def _decode(node, arrays: dict, map_location: MapLocation):
    if isinstance(node, list):
        return [_decode(v, arrays, map_location) for v in node]
    if not isinstance(node, dict):
        return node
    if "$tensor" in node:
        return _place(_host_tensor(arrays[node["$tensor"]]), node.get("device", "cpu"),
                      map_location)
    if "$tuple" in node:
        return tuple(_decode(v, arrays, map_location) for v in node["$tuple"])
    if "$float" in node:
        return float(node["$float"])
    for tag, cls in (("$dict", dict), ("$odict", OrderedDict)):
        if tag in node:
            return cls((_decode(k, arrays, map_location), _decode(v, arrays, map_location))
                       for k, v in node[tag])
    raise RuntimeError(f"load(): corrupt checkpoint structure: unknown node {node!r}")


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles what :class:`_ArrayPickler` wrote; tensors go where ``map_location``
    says instead of their saved device."""

    def __init__(self, file, arrays: dict, map_location: MapLocation):
        super().__init__(file)
        self._arrays = arrays
        self._map_location = map_location

    def persistent_load(self, pid):
        return self._arrays[pid[1]]

    def find_class(self, module, name):
        found = super().find_class(module, name)
        if found is _rebuild:
            return self._rebuild
        return found

    def _rebuild(self, array, dtype_name, device_str, requires_grad):
        t = _rebuild(array, dtype_name, "cpu", False)
        t = _place(t, device_str, self._map_location)
        return t.requires_grad_(True) if requires_grad else t
