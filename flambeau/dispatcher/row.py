"""One row of the op table: :class:`Op`, its parsed signature (:class:`Param`), and
:func:`parse_sig`. The rows themselves are in :mod:`flambeau.dispatcher.optable` (the
core) and :mod:`flambeau.dispatcher.rows` (by area); the module docstring of ``optable``
states the kernel contract every row follows.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["Op", "Param", "REQUIRED", "parse_sig"]

# the default of a parameter that has none (inspect's marker, so signatures compare)
REQUIRED = inspect.Parameter.empty

# the values of a row's ``function`` field
_FUNCTIONS = (None, "generated", "wrapped", "hand")


class Param(NamedTuple):
    """One parameter of a row's signature."""

    name: str
    kind: str                 # "tensor" (an input), "tensors" (*inputs) or "param"
    default: Any = REQUIRED   # for params; REQUIRED when the kernel always gets it

    @property
    def tensor(self) -> bool:
        """Whether this is a tensor input (a positional argument of the kernel)."""
        return self.kind != "param"


def parse_sig(sig: str, op: str = "?") -> tuple[Param, ...]:
    """The parameters of a row's ``sig``, e.g. ``"(input, *, dim=None)"``.

    Raises:
        ValueError: naming ``op`` when ``sig`` is not a parameter list of that shape
            (positional tensor inputs without defaults, then keyword-only params with
            literal defaults; no annotations, no ``**kwargs``).
    """
    try:
        fn = ast.parse(f"def _{sig}: pass").body[0]
    except SyntaxError:
        raise ValueError(f"op {op!r}: sig {sig!r} is not a Python parameter list") from None
    assert isinstance(fn, ast.FunctionDef)
    a = fn.args
    if a.posonlyargs or a.defaults or a.kwarg:
        raise ValueError(f"op {op!r}: sig {sig!r}: tensor inputs take no defaults and "
                         f"there is no '/' or '**'; kernel params are keyword-only")
    out = [Param(x.arg, "tensor") for x in a.args]
    if a.vararg is not None:
        out.append(Param(a.vararg.arg, "tensors"))
    for x, d in zip(a.kwonlyargs, a.kw_defaults):
        try:
            default = REQUIRED if d is None else ast.literal_eval(d)
        except ValueError:
            raise ValueError(f"op {op!r}: sig {sig!r}: the default of {x.arg!r} must be "
                             f"a literal") from None
        out.append(Param(x.arg, "param", default))
    for x in a.args + a.kwonlyargs + ([a.vararg] if a.vararg else []):
        if x.annotation is not None:
            raise ValueError(f"op {op!r}: sig {sig!r}: no annotations in a row's sig")
    return tuple(out)


@dataclass(eq=False)
class Op:
    name: str
    kind: str
    rule: str | None = "same"
    nin: int = 1
    scalars: bool = False
    differentiable: bool = True
    view: bool = False
    promote: tuple | None = None   # input positions that take part in promotion; None: all
    contract: str = ""
    # The kernel's call as a parameter list (see the module docstring); parsed into
    # ``params``. Empty only for ops made outside this table (dispatch.TRANSFER).
    sig: str = ""
    # How the row surfaces, read by flambeau.frontend.codegen. ``function``:
    #   "generated": codegen writes fl.<name> from the sig (frontend/elementwise_generated.py);
    #   "wrapped": codegen writes it, and a hand-written fl.<name> in elementwise.py
    #       wraps it to take more arguments (``alpha``, ``rounding_mode``);
    #   "hand": a hand-written frontend function <name> parses the arguments;
    #   None: no function of its own (reached through another one, or fl.nn).
    function: str | None = None
    method: bool = False       # a Tensor method: the function with the tensor first
    inplace: bool = False      # also ``name_`` (and ``alias_``) as in-place methods
    aliases: tuple = ()        # other names of the function (and method)
    operators: tuple = ()      # Python operators it implements ("__mul__", ...)
    doc: str = ""              # the summary line of a generated function's docstring
    params: tuple = field(default=(), init=False, repr=False)   # parse_sig(sig)
    # filled at run time: kernels[device_type][dtype] -> callable, by plugins/manager.py
    kernels: dict = field(default_factory=dict, repr=False)
    # derivative formula, set next to the row by flambeau.autograd (issue #3)
    backward: Callable | None = field(default=None, repr=False)
    # default written in flambeau ops, set next to the row by flambeau.composites; a
    # backend without a kernel for the row runs it (a row without one is a primitive)
    composite: Callable | None = field(default=None, repr=False)
    rule_cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.function not in _FUNCTIONS:
            raise ValueError(f"op {self.name!r}: function must be one of {_FUNCTIONS}, "
                             f"got {self.function!r}")
        if not self.sig:
            return
        self.params = parse_sig(self.sig, self.name)
        inputs = [p for p in self.params if p.tensor]
        variadic = any(p.kind == "tensors" for p in inputs)
        if variadic != (self.nin < 0) or (self.nin >= 0 and len(inputs) != self.nin):
            raise ValueError(f"op {self.name!r}: sig {self.sig!r} has {len(inputs)} "
                             f"tensor input(s){' (variadic)' if variadic else ''} but the "
                             f"row says nin={self.nin}")
        if self.function in ("generated", "wrapped") and (
                self.kind not in ("unary", "binary") or len(self.params) != self.nin):
            raise ValueError(f"op {self.name!r}: only unary and binary rows without "
                             f"params can have a generated function")

    @property
    def param_names(self) -> tuple[str, ...]:
        """The names of the kernel's keyword params, in sig order."""
        return tuple(p.name for p in self.params if not p.tensor)

    def __repr__(self) -> str:
        return f"<op {self.name} ({self.kind})>"
