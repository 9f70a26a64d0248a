"""Write the frontend code that follows from the op table, as checked-in modules.

Run ``python -m flambeau.frontend.codegen`` after changing a row's signature or surface
(``function``, ``method``, ``inplace``, ``aliases``, ``operators``, ``doc``) in
:mod:`flambeau.dispatcher.optable`, or the signature of a frontend function that is a
Tensor method. It writes:

- ``frontend/elementwise_generated.py``: one ``def`` per unary and binary row whose
  ``function`` is ``"generated"`` or ``"wrapped"`` (``fl.exp``, ``fl.mul``, ...);
- ``frontend/tensor_methods.py``: the ``TensorMethods`` mixin that
  :class:`~flambeau.frontend.tensor.Tensor` inherits, one ``def`` per method, in-place
  variant and operator, with the real signature, so readers and type checkers see them.

The code is written out rather than made at import so that ``fl.exp`` and
``Tensor.softmax`` can be found, read and type-checked; ``tests/test_codegen.py`` fails
when the files are stale. ``--check`` exits 1 (naming the stale files) instead of
writing.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
import textwrap
from pathlib import Path

__all__ = ["render", "main", "EXTRA_METHODS", "EXTRA_INPLACE", "EXTRA_OPERATORS"]

HERE = Path(__file__).resolve().parent
COMMAND = "python -m flambeau.frontend.codegen"

# Tensor methods that are frontend functions but not rows of the op table (they compose
# rows, or parse arguments for one), by the module that defines them. Each is that
# function with the tensor as its first argument, as the rows' methods are.
EXTRA_METHODS = {
    "elementwise": ("rsub", "square", "positive", "clamp_min", "clamp_max", "float_power",
                    "isclose", "allclose", "equal"),
    "reductions": ("max", "min", "std", "var_mean", "std_mean", "count_nonzero", "aminmax",
                   "nansum"),
    "shape_ops": ("reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose",
                  "swapaxes", "swapdims", "movedim", "moveaxis", "t", "expand_as",
                  "broadcast_to", "broadcast_tensors", "stack", "hstack", "vstack", "chunk",
                  "split", "unbind", "narrow", "fliplr", "flipud", "repeat", "view_as",
                  "reshape_as", "ravel", "atleast_1d", "atleast_2d"),
    "indexing": ("argsort", "take_along_dim", "argwhere"),
    "linalg": ("mm", "bmm", "mv", "dot", "inner", "outer", "ger"),
    "random": ("uniform_", "normal_", "bernoulli_"),
    "inplace": ("fill_", "zero_"),
    "complex_ops": ("conj", "conj_physical", "resolve_conj", "resolve_neg", "is_conj",
                    "angle", "sgn"),
}
# extra methods that also have an in-place variant (``square_``, ...)
EXTRA_INPLACE = ("square", "clamp_min", "clamp_max")
# Python operators that are frontend functions but not rows: operator -> (module, name)
EXTRA_OPERATORS = {"__pos__": ("elementwise", "positive"),
                   "__getitem__": ("indexing", "getitem"),
                   "__setitem__": ("indexing", "setitem")}

# where codegen looks for the frontend function of a row, in this order
_MODULES = ("elementwise", "reductions", "shape_ops", "indexing", "linalg", "random",
            "inplace", "creation")
_MODULES += ("complex_ops",)
# reflected operators of these rows keep the tensor first (``2 * x`` runs ``mul(x, 2)``):
# the short path of ``dispatch.binary`` wants a tensor there, and the result is the same
_COMMUTATIVE = frozenset(("add", "mul", "bitwise_and", "bitwise_or", "bitwise_xor"))
# sample calls whose output goes into the generated docstrings (the main ones)
EXAMPLES = {
    "exp": "fl.tensor([0.0, 1.0])", "log": "fl.tensor([1.0, 10.0])",
    "sqrt": "fl.tensor([4.0, 2.0])", "sigmoid": "fl.tensor([-1.0, 0.0, 1.0])",
    "relu": "fl.tensor([-1.0, 0.0, 2.0])", "abs": "fl.tensor([-2, 3])",
    "floor": "fl.tensor([-1.5, 0.5])", "isnan": "fl.tensor([1.0, float('nan')])",
    "mul": "fl.tensor([1, 2, 3]), 2", "pow": "fl.tensor([1.0, 2.0, 3.0]), 2",
    "maximum": "fl.tensor([1, 5]), fl.tensor([3, 2])",
    "remainder": "fl.tensor([-3, 3]), 2", "floor_divide": "fl.tensor([-3, 3]), 2",
    "eq": "fl.tensor([1, 2]), fl.tensor([1, 3])",
    "logical_and": "fl.tensor([True, False]), True",
}
# what a generated function's result dtype is, per dtype rule of its row
_RULE_TEXT = {
    "same": "of the {d}",
    "float": "of the {d} when that is floating point, else of the default float dtype",
    "no_bool": "of the {d} (bool is refused)",
    "bool": "of dtype bool",
    "int_or_bool": "of the {d}, which must be an integer or bool dtype",
}
# annotation names a method signature may use, and where the mixin imports them from
_ANNOTATION_IMPORTS = {"Tensor": "from .tensor import Tensor",
                       "DType": "from ..dispatcher.dtypes import DType",
                       "Generator": "from .random import Generator"}
_BUILTIN_TYPES = {"bool", "int", "float", "str", "tuple", "list", "dict", "None", "object"}


# --- small text helpers ----------------------------------------------------------------

def _const(name: str) -> str:
    """The module constant holding row ``name`` (``_EXP``, ``_FLOOR_DIVIDE``)."""
    return "_" + name.upper()


def _fit(head: str, items: list[str], tail: str, indent: str) -> list[str]:
    """``head(items)tail`` on one line, or broken after commas to stay within 100
    characters, continuation lines aligned after the parenthesis."""
    one = f"{indent}{head}({', '.join(items)}){tail}"
    if len(one) <= 100:
        return [one]
    pad = " " * (len(indent) + len(head) + 1)
    lines, cur = [], f"{indent}{head}("
    for i, item in enumerate(items):
        piece = item + (", " if i < len(items) - 1 else f"){tail}")
        if len(cur) + len(piece.rstrip()) > 100 and cur.strip() not in ("", f"{head}("):
            lines.append(cur.rstrip())
            cur = pad
        cur += piece
    lines.append(cur)
    return lines


def _docstring(text: str, indent: str) -> list[str]:
    """A triple-quoted docstring of ``text`` within 100 columns: plain paragraphs are
    reflowed; in the others (``Args:``, examples) a long line wraps under itself,
    indented once more, and ``>>>`` lines and their output stay as they are."""
    out = []
    for para in ('"""' + text.strip("\n")).split("\n\n"):
        lines = para.split("\n")
        if not any(x.startswith((" ", ">>>")) or x.endswith(":") for x in lines):
            out += textwrap.wrap(" ".join(x.strip() for x in lines), 100,
                                 initial_indent=indent, subsequent_indent=indent)
        else:
            for x in lines:
                lead = indent + x[:len(x) - len(x.lstrip())]
                if len(indent + x) <= 100 or ">>>" in x:
                    out.append((indent + x).rstrip())
                else:
                    out += textwrap.wrap(x.strip(), 100, initial_indent=lead,
                                         subsequent_indent=lead + "    ")
        out.append("")
    out = out[:-1]
    if len(out) == 1 and len(out[0]) + 3 <= 100:
        return [out[0] + '"""']
    return out + [indent + '"""']


def _summary(fn) -> str:
    """The first paragraph of ``fn``'s docstring."""
    doc = inspect.cleandoc(fn.__doc__ or "")
    return doc.split("\n\n")[0].strip()


def _public_path(fn, module: str, name: str) -> str:
    import flambeau
    if getattr(flambeau, name, None) is fn:
        return f"flambeau.{name}"
    return f"flambeau.frontend.{module}.{name}"


# --- the elementwise functions -----------------------------------------------------------

def _generated_rows(ops):
    return [r for r in ops.values() if r.function in ("generated", "wrapped")]


def _example(row) -> list[str]:
    """``Example::`` lines with the output of running the sample call now."""
    args = EXAMPLES.get(row.name)
    if args is None or row.function != "generated":
        return []
    import flambeau as fl
    call = f"fl.{row.name}({args})"
    shown = repr(eval(call, {"fl": fl}))  # a call from the EXAMPLES table above
    return ["", "Example::", "", f"    >>> {call}"] + [f"    {x}" for x in shown.split("\n")]


def _function_doc(row) -> str:
    binary = row.kind == "binary"
    d = "dtype ``input`` and ``other`` promote to" if binary else "input's dtype"
    lines = [row.doc]
    if binary:
        lines += ["", "Broadcasts ``input`` against ``other`` and promotes their dtypes "
                      "like PyTorch; either may be a Python number."]
    if row.function == "wrapped":
        lines += ["", f"The core of :func:`flambeau.{row.name}`, which wraps it (and "
                      f"takes more arguments)."]
    lines += ["", "Args:"]
    if binary:
        lines += ["    input (Tensor or Number): the first operand.",
                  "    other (Tensor or Number): the second operand."]
    else:
        lines += ["    input (Tensor): the input tensor."]
    lines += ["", "Returns:", f"    Tensor: a new tensor {_RULE_TEXT[row.rule].format(d=d)}."]
    return "\n".join(lines + _example(row))


def _binary_body(row, a: str, b: str, indent: str) -> list[str]:
    # the common operands (a tensor, a float) go straight to the dispatcher's short
    # path; everything else to the shared parse
    c = _const(row.name)
    return [f"{indent}if {b}.__class__ is Tensor or {b}.__class__ is float:",
            f"{indent}    return _binary({c}, {a}, {b})",
            f"{indent}return _operands({c}, {a}, {b})"]


def render_elementwise(ops) -> str:
    rows = _generated_rows(ops)
    public = [r for r in rows if r.function == "generated"]
    names = [n for r in public for n in (r.name, *r.aliases)]
    out = ['"""Elementwise functions generated from the op table: do not edit by hand.',
           "",
           f"Written by ``{COMMAND}`` from the unary and binary rows of",
           ":mod:`flambeau.dispatcher.optable` whose ``function`` is ``\"generated\"`` (and",
           "the cores of the ``\"wrapped\"`` ones, ``add``, ``sub`` and ``div``, which",
           ":mod:`flambeau.frontend.elementwise` wraps). Each function is one step into the",
           "dispatcher: ``dispatch.unary``, or ``dispatch.binary`` when the second operand",
           "is a tensor or a float (checked inline: the hot path), else the shared parse",
           "of :mod:`flambeau.frontend.operands`.",
           '"""',
           "",
           "from __future__ import annotations",
           "",
           "from ..dispatcher import dispatch",
           "from ..dispatcher.optable import OPS",
           "from .operands import binary as _operands",
           "from .tensor import Tensor",
           ""]
    out += _list_assign("__all__", names)
    out += ["", "_unary = dispatch.unary", "_binary = dispatch.binary", ""]
    out += [f'{_const(r.name)} = OPS["{r.name}"]' for r in rows]
    for r in rows:
        out += ["", ""]
        if r.kind == "unary":
            out += [f"def {r.name}(input: Tensor) -> Tensor:"]
            out += _docstring(_function_doc(r), "    ")
            out += [f"    return _unary({_const(r.name)}, input)"]
        else:
            out += [f"def {r.name}(input: Tensor | float, other: Tensor | float) -> Tensor:"]
            out += _docstring(_function_doc(r), "    ")
            out += _binary_body(r, "input", "other", "    ")
    aliases = [(a, r.name) for r in public for a in r.aliases]
    if aliases:
        out += ["", ""] + [f"{a} = {n}" for a, n in aliases]
    return "\n".join(out) + "\n"


def _list_assign(target: str, names: list[str]) -> list[str]:
    items = [f'"{n}"' for n in names]
    lines, cur = [], f"{target} = ["
    pad = " " * len(cur)
    for i, item in enumerate(items):
        piece = item + (", " if i < len(items) - 1 else "]")
        if len(cur) + len(piece.rstrip()) > 100:
            lines.append(cur.rstrip())
            cur = pad
        cur += piece
    return lines + [cur]


# --- the Tensor methods ------------------------------------------------------------------

class _Method:
    """One method of the mixin: its name, its parameters after ``self`` as source
    text, its return annotation, its docstring and its body lines."""

    def __init__(self, name, params, returns, doc, body):
        self.name, self.params, self.returns = name, params, returns
        self.doc, self.body = doc, body

    def head(self) -> str:
        return f"({', '.join(self.params)}) -> {self.returns}"

    def lines(self) -> list[str]:
        tail = f" -> {self.returns}:" if self.returns else ":"
        out = _fit(f"def {self.name}", ["self", *self.params], tail, "    ")
        if self.name in ("__eq__", "__ne__"):
            # they return a tensor, as in PyTorch, not object.__eq__'s bool
            out[-1] += "  # type: ignore[override]"
        return out + _docstring(self.doc, "        ") + self.body


def _signature(fn):
    """(parameter source texts, call argument texts, return annotation) of ``fn``
    without its first (tensor) parameter; a leading ``*tensors`` stays."""
    sig = inspect.signature(fn)
    ps = list(sig.parameters.values())
    if ps and ps[0].kind is not ps[0].VAR_POSITIONAL:
        ps = ps[1:]
    params, args, star = [], [], False
    for p in ps:
        text = p.name
        if p.annotation is not p.empty:
            _check_annotation(p.annotation, fn)
            text += f": {p.annotation}"
        if p.default is not p.empty:
            rep = repr(p.default)
            if isinstance(p.default, str) and '"' not in p.default:
                rep = f'"{p.default}"'  # double quotes, as the code base writes them
            if ast.literal_eval(rep) != p.default:
                raise ValueError(f"{fn.__qualname__}: default of {p.name!r} is not a "
                                 f"literal codegen can write")
            text += f" = {rep}" if p.annotation is not p.empty else f"={rep}"
        if p.kind is p.VAR_POSITIONAL:
            text, star = "*" + text, True
            args.append("*" + p.name)
        elif p.kind is p.KEYWORD_ONLY:
            if not star:
                params.append("*")
                star = True
            args.append(f"{p.name}={p.name}")
        elif p.kind is p.VAR_KEYWORD:
            text = "**" + text
            args.append("**" + p.name)
        else:
            args.append(p.name)
        params.append(text)
    ret = sig.return_annotation
    if ret is not sig.empty:
        _check_annotation(ret, fn)
    return params, args, (None if ret is sig.empty else str(ret))


def _check_annotation(text: str, fn) -> None:
    for node in ast.walk(ast.parse(str(text), mode="eval")):
        if isinstance(node, ast.Name) and node.id not in _BUILTIN_TYPES \
                and node.id not in _ANNOTATION_IMPORTS:
            raise ValueError(f"{fn.__qualname__}: codegen does not know where to import "
                             f"{node.id!r} from; add it to _ANNOTATION_IMPORTS")


class _Builder:
    """Collects the mixin's methods, in-place callables and operators."""

    def __init__(self, ops, modules):
        self.ops, self.modules = ops, modules
        self.methods: list[_Method | str] = []   # a str is a section comment
        self.seen: set[str] = set()               # method names so far
        self.first_of: dict[int, str] = {}        # id(function) -> first method name
        self.inplace: list[tuple[str, str]] = []  # (method name, make_inplace call)
        self.consts: list[str] = []               # rows whose constant a body uses
        self.used: set[str] = {"inplace"}         # frontend modules the bodies call

    def const(self, name: str) -> str:
        if name not in self.consts:
            self.consts.append(name)
        return _const(name)

    def _add(self, m: _Method | str) -> None:
        if isinstance(m, _Method):
            if m.name in self.seen:
                raise ValueError(f"Tensor method {m.name!r} is declared twice")
            self.seen.add(m.name)
        self.methods.append(m)

    def find(self, name: str) -> tuple[str, object]:
        for mod in _MODULES:
            m = self.modules[mod]
            if name in getattr(m, "__all__", ()):
                return mod, getattr(m, name)
        raise ValueError(f"no frontend function named {name!r} in {', '.join(_MODULES)}")

    def delegate(self, name: str, mod: str, fn) -> None:
        """``def name(self, ...): return mod.name(self, ...)``, or ``name = first``
        when ``fn`` is already a method under another name."""
        first = self.first_of.get(id(fn))
        if first is not None:
            self.seen.add(name)
            self.methods.append(f"    {name} = {first}")
            return
        self.first_of[id(fn)] = name
        self.used.add(mod)
        params, args, ret = _signature(fn)
        call = _fit(f"return {mod}.{name}", ["self", *args], "", "        ")
        doc = f"{_summary(fn)} See :func:`{_public_path(fn, mod, name)}`."
        self._add(_Method(name, params, ret, doc, call))

    def generated(self, row) -> None:
        """A method with the generated function's body, so a method call costs what
        the function call costs."""
        doc = f"{row.doc} See :func:`flambeau.{row.name}`."
        if row.kind == "unary":
            m = _Method(row.name, [], "Tensor", doc,
                        [f"        return _unary({self.const(row.name)}, self)"])
        else:
            self.const(row.name)
            m = _Method(row.name, ["other: Tensor | float"], "Tensor", doc,
                        _binary_body(row, "self", "other", "        "))
        self._add(m)
        for alias in row.aliases:
            self.seen.add(alias)
            self.methods.append(f"    {alias} = {row.name}")

    def add_inplace(self, name: str, mod: str, fn, attr: str | None = None) -> None:
        """``name_`` (or operator ``attr``) as the callable ``make_inplace`` builds."""
        key = attr or name + "_"
        self.used.add(mod)
        params, args, _ = _signature(fn)
        if attr:  # an operator takes the other operand only, typed as its operator
            params, args = ["other: Tensor | float"], ["other"]
        fused = name + "_" in self.ops
        extra = [a for a in args if "=" in a and not a.startswith("alpha=")]
        target = f'_INPLACE["{key}"]'
        if fused and extra:
            # make_inplace takes the fused kernel only when no other keyword is given:
            # pass one only when it is set
            if len(extra) > 1:
                raise ValueError(f"{key}: codegen passes at most one optional keyword "
                                 f"to a fused in-place op")
            kw = extra[0].split("=")[0]
            plain = [a for a in args if a != extra[0]]
            default = inspect.signature(fn).parameters[kw].default
            same = "is" if default is None or isinstance(default, bool) else "=="
            body = [f"        if {kw} {same} {default!r}:"]
            body += _fit(f"return {target}", ["self", *plain], "", "            ")
            body += _fit(f"return {target}", ["self", *args], "", "        ")
        else:
            body = _fit(f"return {target}", ["self", *args], "", "        ")
        doc = (f"``self {_INPLACE_SYMBOL[attr]} other`` in place; returns ``self``."
               if attr else f"In-place version of :meth:`{name}`; returns ``self``.")
        self._add(_Method(key, params, "Tensor", doc, body))
        call = f'inplace.make_inplace({mod}.{name}, "{name}_"' + \
            (f', "{attr}")' if attr else ")")
        self.inplace.append((key, call))

    def operator(self, op: str, name: str, row=None, mod=None, fn=None) -> None:
        """Python operator ``op`` as function ``name`` (the function of ``row``, or
        ``mod.fn``); a reflected one swaps the operands unless the op commutes."""
        if op in _INPLACE_SYMBOL:
            mod, fn = self.find(name)
            self.add_inplace(name, mod, fn, attr=op)
            return
        swap = op in _REFLECTED and name not in _COMMUTATIVE
        shown = _shown(_REFLECTED.get(op, op), reflected=op in _REFLECTED)
        if row is not None and row.function in ("generated", "wrapped"):
            # the generated function's body, with self in place of input
            c = self.const(name)
            doc = f"``{shown}``: :func:`flambeau.{name}`."
            if row.kind == "unary":
                params, body = [], [f"        return _unary({c}, self)"]
            elif swap:
                params = ["other: Tensor | float"]
                body = ["        if self.__class__ is Tensor:",
                        f"            return _binary({c}, other, self)",
                        f"        return _operands({c}, other, self)"]
            else:
                params = ["other: object" if op in ("__eq__", "__ne__")
                          else "other: Tensor | float"]
                body = _binary_body(row, "self", "other", "        ")
            self._add(_Method(op, params, "Tensor", doc, body))
            return
        if fn is None:
            mod, fn = self.find(name)
        self.used.add(mod)
        params, args, ret = _signature(fn)
        call = [f"{mod}.{fn.__name__}", ["self", *args]] if not swap else \
            [f"{mod}.{fn.__name__}", [args[0], "self"]]
        body = _fit(f"return {call[0]}", call[1], "", "        ")
        doc = f"``{shown}``: :func:`{_public_path(fn, mod, fn.__name__)}`."
        self._add(_Method(op, params, ret, doc, body))


_SYMBOL = {"__add__": "+", "__sub__": "-", "__mul__": "*", "__truediv__": "/",
           "__floordiv__": "//", "__mod__": "%", "__pow__": "**", "__matmul__": "@",
           "__and__": "&", "__or__": "|", "__xor__": "^", "__lshift__": "<<",
           "__rshift__": ">>", "__eq__": "==", "__ne__": "!=", "__lt__": "<",
           "__le__": "<=", "__gt__": ">", "__ge__": ">="}
_UNARY_SYMBOL = {"__neg__": "-self", "__pos__": "+self", "__abs__": "abs(self)",
                 "__invert__": "~self", "__getitem__": "self[index]",
                 "__setitem__": "self[index] = value"}
# reflected operator -> the operator it reflects (``__radd__`` -> ``__add__``)
_REFLECTED = {"__r" + op[2:]: op for op in _SYMBOL
              if op not in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__")}
_INPLACE_SYMBOL = {"__i" + op[2:]: sym + "=" for op, sym in _SYMBOL.items()
                   if op in ("__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__",
                             "__mod__", "__pow__", "__and__", "__or__", "__xor__")}


def _shown(op: str, reflected: bool = False) -> str:
    """How the operator reads, for its docstring (``self + other``)."""
    if op in _UNARY_SYMBOL:
        return _UNARY_SYMBOL[op]
    return f"other {_SYMBOL[op]} self" if reflected else f"self {_SYMBOL[op]} other"


def _section(title: str) -> str:
    return f"    # --- {title} ".ljust(92, "-")


def _frontend_modules() -> dict:
    import importlib
    return {m: importlib.import_module(f"flambeau.frontend.{m}") for m in _MODULES}


def _import_lines(names) -> list[str]:
    """``from . import a, b, ...`` within 100 columns (parenthesised when long)."""
    line = "    from . import " + ", ".join(names)
    if len(line) <= 100:
        return [line]
    body = textwrap.wrap(", ".join(names), 100 - 20)
    return (["    from . import (" + body[0]] + ["                   " + b for b in body[1:-1]]
            + (["                   " + body[-1] + ")"] if len(body) > 1 else []))


def _global_lines(names) -> list[str]:
    """``global a, b, ...`` split into several statements within 100 columns."""
    if len("    global " + ", ".join(names)) <= 100:
        return ["    global " + ", ".join(names)]
    return ["    global " + chunk.rstrip(",")
            for chunk in textwrap.wrap(", ".join(names), 100 - 11)]


def render_methods(ops, modules) -> str:
    b = _Builder(ops, modules)
    method_rows = [r for r in ops.values() if r.method]
    for mod in _MODULES:
        rows = [r for r in method_rows if b.find(r.name)[0] == mod]
        extras = EXTRA_METHODS.get(mod, ())
        if not rows and not extras:
            continue
        b.methods.append(_section(mod))
        for r in rows:
            if r.function == "generated":
                b.generated(r)
                continue
            fn = b.find(r.name)[1]
            b.delegate(r.name, mod, fn)
            for alias in r.aliases:
                b.delegate(alias, mod, getattr(modules[mod], alias))
        for name in extras:
            b.delegate(name, mod, getattr(modules[mod], name))
    b.methods.append(_section("in-place variants"))
    for r in [r for r in ops.values() if r.inplace] + list(EXTRA_INPLACE):
        for name in ((r.name, *r.aliases) if not isinstance(r, str) else (r,)):
            mod, fn = b.find(name)
            b.add_inplace(name, mod, fn)
    b.methods.append(_section("operators"))
    for r in ops.values():
        for op in r.operators:
            b.operator(op, r.name, row=r)
    for op, (mod, name) in EXTRA_OPERATORS.items():
        b.operator(op, name, mod=mod, fn=getattr(modules[mod], name))
    return _methods_module(b, ops)


def _methods_module(b: _Builder, ops) -> str:
    used = [m for m in _MODULES if m in b.used]
    out = ['"""Tensor methods and operators, generated from the op table: do not edit by hand.',
           "",
           f"Written by ``{COMMAND}``. :class:`~flambeau.frontend.tensor.Tensor`",
           "inherits :class:`TensorMethods`, which holds one ``def`` per method: the rows of",
           ":mod:`flambeau.dispatcher.optable` with ``method``, ``inplace`` or ``operators``",
           "set, and the frontend functions in the table of :mod:`flambeau.frontend.codegen`.",
           "A method is the frontend function of its name with the tensor first; those of",
           "generated rows repeat that function's one-line body, so ``x.exp()`` and ``x + y``",
           "cost what ``fl.exp(x)`` costs. In-place variants are the callables",
           ":func:`flambeau.frontend.inplace.make_inplace` builds.",
           "",
           "The frontend modules import :mod:`flambeau.frontend.tensor` (for ``Tensor``), which",
           "imports this one, so they are bound by :func:`bind_frontend` once ``Tensor``",
           "exists: ``tensor.py`` calls it last.",
           '"""',
           "# The bodies pass self (a TensorMethods to mypy, always a Tensor at run time) to",
           "# functions typed for Tensor; a mixin cannot say so otherwise.",
           '# mypy: disable-error-code="arg-type"',
           "",
           "from __future__ import annotations",
           "",
           "from typing import TYPE_CHECKING",
           "",
           "from ..dispatcher import dispatch",
           "from ..dispatcher.optable import OPS",
           "",
           "if TYPE_CHECKING:",
           "    from collections.abc import Callable",
           ""]
    heads = " ".join(m.head() for m in b.methods if isinstance(m, _Method))
    imports = sorted(line for name, line in _ANNOTATION_IMPORTS.items()
                     if name == "Tensor" or re.search(rf"\b{name}\b", heads))
    out += ["    " + line for line in imports]
    out += [*_import_lines(used),
            "    from .operands import binary as _operands",
            "",
            '__all__ = ["TensorMethods", "bind_frontend"]',
            "",
            "_unary = dispatch.unary",
            "_binary = dispatch.binary",
            ""]
    out += [f'{_const(n)} = OPS["{n}"]' for n in b.consts]
    out += ["",
            "# the in-place methods' callables, by method name; filled by bind_frontend",
            "_INPLACE: dict[str, Callable[..., Tensor]] = {}",
            "",
            "",
            "class TensorMethods:",
            '    """The methods and operators of :class:`~flambeau.frontend.tensor.Tensor`'
            ' that',
            "    are frontend functions (``x.sum(0)`` is ``fl.sum(x, 0)``), generated from "
            "the op",
            '    table."""',
            ""]
    for m in b.methods:
        if isinstance(m, str):
            if m.lstrip().startswith("#"):
                if out[-1] != "":
                    out.append("")
                out += [m, ""]
            else:
                if out[-1] == "":
                    out.pop()
                out += [m, ""]
        else:
            out += m.lines() + [""]
    out.pop()
    out += ["",
            "",
            "def bind_frontend() -> None:",
            '    """Import the frontend modules the methods call, and build the in-place',
            '    callables; ``tensor.py`` calls this once ``Tensor`` exists."""',
            *_global_lines(["Tensor", "_operands", *used]),
            *_import_lines(used),
            "    from .operands import binary as _operands",
            "    from .tensor import Tensor",
            "",
            "    _INPLACE.update({"]
    for key, call in b.inplace:
        out += _fit(f'"{key}": {call.split("(")[0]}',
                    call[call.index("(") + 1:-1].split(", "), ",", "        ")
    out += ["    })"]
    return "\n".join(out) + "\n"


# --- entry points ------------------------------------------------------------------------

def render() -> dict[Path, str]:
    """The generated files' paths and contents, as the rows and frontend functions say
    now."""
    from ..dispatcher.optable import OPS
    return {HERE / "elementwise_generated.py": render_elementwise(OPS),
            HERE / "tensor_methods.py": render_methods(OPS, _frontend_modules())}


def main(argv: list[str] | None = None) -> int:
    """Write the generated modules (``--check``: only report the stale ones)."""
    argv = sys.argv[1:] if argv is None else argv
    stale = [p for p, text in render().items()
             if not p.exists() or p.read_text() != text]
    if "--check" in argv:
        for p in stale:
            print(f"stale: {p}; run {COMMAND}")
        return 1 if stale else 0
    for p, text in render().items():
        if p in stale:
            p.write_text(text)
            print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
