"""A derivative formula and what it needs saved, read from its parameter names.

A formula is a plain function ``f(g, ...)`` of the output's gradient ``g``. Its other
parameter names say what it uses, like PyTorch's derivatives.yaml: ``a``, ``b``, ``c``
are the op's inputs by position, ``inputs`` all of them, ``out`` the output,
``needs`` which inputs want a gradient, ``shapes`` the inputs' shapes, and any other
name is the op's parameter of that name. Only what a formula names is saved, so
``x + y`` keeps nothing alive and an in-place write to ``x`` afterwards is fine.
"""

from __future__ import annotations

import inspect

from .node import SavedTensor

__all__ = ["Formula"]

_POSITIONS = {"a": 0, "b": 1, "c": 2}
_SPECIAL = {"g", "inputs", "out", "needs", "shapes"}


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


class Formula:
    __slots__ = ("fn", "node_name", "positions", "all_inputs", "uses_out", "param_names",
                 "names")

    def __init__(self, op_name: str, fn):
        self.fn = fn
        self.node_name = _camel(op_name) + "Backward0"
        self.names = [p for p in inspect.signature(fn).parameters][1:]
        self.positions = tuple(_POSITIONS[n] for n in self.names if n in _POSITIONS)
        self.all_inputs = "inputs" in self.names
        self.uses_out = "out" in self.names
        self.param_names = tuple(n for n in self.names
                                 if n not in _POSITIONS and n not in _SPECIAL)

    def save(self, node, inputs, out) -> None:
        """Save what this formula names, at the versions the tensors have now."""
        saved = []
        for name in self.names:
            i = _POSITIONS.get(name)
            if i is not None:
                saved.append(_save_input(inputs[i]))
            elif name == "inputs":
                saved.append([_save_input(x) for x in inputs])
            elif name == "out":
                saved.append(tuple(SavedTensor(o, is_output=True) if o is not None else None
                                   for o in out) if out.__class__ is tuple
                             else SavedTensor(out, is_output=True))
            else:
                saved.append(None)
        node.saved = saved

    def run(self, node, g) -> tuple:
        kwargs = {}
        saved = node.saved
        for name, v in zip(self.names, saved):
            if name in _POSITIONS:
                kwargs[name] = _unpack_input(v, node)
            elif name == "inputs":
                kwargs[name] = [_unpack_input(x, node) for x in v]
            elif name == "out":
                kwargs[name] = tuple(s.unpack(node) if s is not None else None for s in v) \
                    if v.__class__ is tuple else v.unpack(node)
            elif name == "needs":
                kwargs[name] = tuple(n is not None for n, _ in node.next_functions)
            elif name == "shapes":
                kwargs[name] = tuple(m[0] if m is not None else None for m in node.meta)
            else:
                kwargs[name] = node.params[name]
        res = self.fn(g, **kwargs)
        return res if res.__class__ is tuple else (res,)


def _save_input(x):
    """An input saved as (tensor, root, version); non-tensors as themselves."""
    if not hasattr(x, "_dtype"):
        return x
    root = x._base if x._base is not None else x
    return (x, root, root._version)


def _unpack_input(v, node):
    if v.__class__ is not tuple:
        return v
    t, root, version = v
    if root._version != version:
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by "
            f"an inplace operation: [flambeau.{t._dtype.name}{list(t._data.shape)}], which "
            f"is an input of {node.name()}, is at version {root._version}; expected "
            f"version {version} instead. Hint: clone() the tensor before modifying it in "
            f"place, or do the in-place update out of place.")
    return t
