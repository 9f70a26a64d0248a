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
        saved = {}
        if self.all_inputs:
            saved["inputs"] = [SavedTensor(x) if hasattr(x, "_dtype") else x
                               for x in inputs]
        for name in self.names:
            i = _POSITIONS.get(name)
            if i is not None:
                x = inputs[i]
                saved[name] = SavedTensor(x) if hasattr(x, "_dtype") else x
        if self.uses_out:
            saved["out"] = tuple(SavedTensor(o, is_output=True) if o is not None else None
                                 for o in out) if isinstance(out, tuple) \
                else SavedTensor(out, is_output=True)
        node.saved = saved

    def run(self, node, g) -> tuple:
        kwargs = {}
        saved = node.saved
        for name in self.names:
            if name in _POSITIONS:
                v = saved[name]
                kwargs[name] = v.unpack(node) if isinstance(v, SavedTensor) else v
            elif name == "inputs":
                kwargs[name] = [v.unpack(node) if isinstance(v, SavedTensor) else v
                                for v in saved["inputs"]]
            elif name == "out":
                v = saved["out"]
                kwargs[name] = tuple(s.unpack(node) if s is not None else None for s in v) \
                    if isinstance(v, tuple) else v.unpack(node)
            elif name == "needs":
                kwargs[name] = tuple(n is not None for n, _ in node.next_functions)
            elif name == "shapes":
                kwargs[name] = tuple(m[0] if m is not None else None for m in node.meta)
            else:
                kwargs[name] = node.params[name]
        res = self.fn(g, **kwargs)
        return res if isinstance(res, tuple) else (res,)
