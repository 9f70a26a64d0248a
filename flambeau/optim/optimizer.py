"""The :class:`Optimizer` base class: parameter groups, per-parameter state, state dicts.

Subclasses hold the update rule in ``step``; everything else (groups and their
defaults, ``zero_grad``, saving and loading, step hooks) lives here and follows
``torch.optim.Optimizer``, so a state dict has PyTorch's layout::

    {"state": {0: {"momentum_buffer": tensor(...)}, ...},
     "param_groups": [{"lr": 0.1, ..., "params": [0, 1]}, ...]}
"""

from __future__ import annotations

import functools
import warnings
from collections import defaultdict
from collections.abc import Callable
from copy import deepcopy
from itertools import chain
from typing import Any

from ..autograd.node import RemovableHandle
from ..dispatcher.dtypes import float32
from ..frontend.creation import tensor
from ..frontend.grad_mode import STATE, enable_grad
from ..frontend.tensor import Tensor

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks a default that every parameter group must set itself (e.g. ``lr``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _hooked_step(step):
    """Wrap a subclass's ``step``: run it with grad mode off, between the step hooks."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if self._in_step:  # a subclass's step calling super().step(): hooks ran already
            return step(self, *args, **kwargs)
        for hook in list(self._step_pre_hooks):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"a step pre-hook must return None or a tuple "
                                       f"(new_args, new_kwargs), but got {result!r}")
                args, kwargs = result
        # grad mode is set by hand: cheaper than a no_grad() object on every step
        prev = STATE.enabled
        STATE.enabled = False
        self._in_step = True
        try:
            out = step(self, *args, **kwargs)
        finally:
            STATE.enabled = prev
            self._in_step = False
        self._opt_called = True  # lets a scheduler warn when it steps first
        for hook in list(self._step_post_hooks):
            hook(self, args, kwargs)
        return out

    wrapper._hooked = True
    return wrapper


class Optimizer:
    r"""Base class for all optimizers.

    Args:
        params: an iterable of tensors to optimize, or of dicts that define parameter
            groups (each with a ``"params"`` entry and any per-group options).
        defaults: the options (``lr``, ...) used by groups that do not set them.

    Attributes:
        param_groups: a list of dicts, one per group, each holding ``"params"`` (a list
            of tensors) and every option with its defaults filled in.
        state: a ``defaultdict(dict)`` mapping each parameter to its optimizer state
            (momentum buffers, running averages, step counts).

    Subclasses define ``step(closure=None)``; it runs with grad mode off, and between
    the hooks of :meth:`register_step_pre_hook` and :meth:`register_step_post_hook`.

    Example::

        >>> opt = fl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> opt.zero_grad()
        >>> loss_fn(model(x), y).backward()
        >>> opt.step()
    """

    _in_step = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _hooked_step(step)

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._step_pre_hooks: list = []
        self._step_post_hooks: list = []
        if isinstance(params, Tensor):
            raise TypeError(f"params argument given to the optimizer should be an "
                            f"iterable of Tensors or dicts, but got a Tensor of shape "
                            f"{list(params.shape)}; wrap it in a list")
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{self.__class__.__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {group[k]}" for k in sorted(group) if k != "params")
        lines.append(")")
        return "\n".join(lines)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_step_pre_hooks", [])
        self.__dict__.setdefault("_step_post_hooks", [])

    # --- parameter groups ---------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own options) to :attr:`param_groups`.

        Useful when fine-tuning: unfreeze layers and hand them to the optimizer as
        training goes on.

        Args:
            param_group: a dict with ``"params"`` (a tensor or an ordered iterable of
                tensors) and any options that differ from the optimizer's defaults.

        Raises:
            TypeError: ``params`` is a set (its order changes between runs) or holds
                something that is not a tensor.
            ValueError: a parameter is not a leaf, a required option (``lr`` where it
                has no default) is missing, or a parameter is already in a group.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got "
                            f"{type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered "
                            "collections, but the ordering of tensors in sets will change "
                            "between runs. Please use a list instead.")
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the "
                                f"params is {type(p).__module__}.{type(p).__name__}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
        # ids, not tensors: a tensor's == is elementwise, so it cannot go through `in`
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate "
                          "parameters; each is updated once per occurrence", stacklevel=3)
        # the caller's dict becomes the group, as in PyTorch; only now that every check
        # passed, so a refused group is left as it was given
        param_group["params"] = params
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        self.param_groups.append(param_group)

    # --- gradients ----------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors.

        Args:
            set_to_none: set ``.grad`` to ``None`` (the default: no memory is written,
                and optimizers skip parameters whose grad is ``None``) instead of
                filling it with zeros.
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                    continue
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                g.zero_()

    def step(self, closure: Callable[[], Any] | None = None):
        """Perform one optimization step (update the parameters).

        Args:
            closure: re-evaluates the model and returns the loss; optional for most
                optimizers. It runs with grad mode on.

        Returns:
            The closure's loss, or ``None``.
        """
        raise NotImplementedError

    @staticmethod
    def _evaluate(closure):
        # step() runs under no_grad, but a closure must record a graph to backprop
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # --- hooks --------------------------------------------------------------------------
    def register_step_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each :meth:`step`; it may return
        ``(new_args, new_kwargs)`` to replace the step's arguments.

        Returns:
            A handle whose ``remove()`` unregisters the hook.
        """
        self._step_pre_hooks.append(hook)
        return RemovableHandle(self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each :meth:`step`.

        Returns:
            A handle whose ``remove()`` unregisters the hook.
        """
        self._step_post_hooks.append(hook)
        return RemovableHandle(self._step_post_hooks, hook)

    # --- saving and loading -------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as a dict, in PyTorch's layout.

        ``"state"`` maps each parameter's index (its position across all groups, in
        order) to its state dict; ``"param_groups"`` lists each group's options, with
        ``"params"`` as a list of those indices. Tensors are not copied: save the dict
        (or deep-copy it) before stepping again if you need a snapshot.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state dict made by :meth:`state_dict`.

        Parameters are matched by position: the optimizer must have as many groups as
        the dict, each with as many parameters. State tensors are copied, with floating
        point ones cast to their parameter's dtype, and all moved to its device (the
        ``"step"`` counter stays as saved, like PyTorch's).

        Raises:
            ValueError: the group count or a group's parameter count differs.
        """
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has a different number of parameter "
                             f"groups ({len(saved_groups)}) than the optimizer "
                             f"({len(self.param_groups)})")
        for i, (g, s) in enumerate(zip(self.param_groups, saved_groups)):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(f"loaded state dict contains a parameter group that "
                                 f"doesn't match the size of optimizer's group: group {i} "
                                 f"has {len(s['params'])} saved parameters, the optimizer "
                                 f"has {len(g['params'])}")
        params_of = dict(zip(chain.from_iterable(s["params"] for s in saved_groups),
                             chain.from_iterable(g["params"] for g in self.param_groups)))
        state: defaultdict = defaultdict(dict)
        for key, value in state_dict["state"].items():
            param = params_of.get(key)
            if param is None:
                state[key] = deepcopy(value)
            else:
                state[param] = _cast_state(param, value)
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            for name, default in self.defaults.items():  # options newer than the dict
                saved.setdefault(name, group.get(name, default))
        self.state = state
        self.param_groups = saved_groups


def _cast_state(param: Tensor, value, key=None):
    """A copy of ``value`` whose tensors live on ``param``'s device (floating-point ones
    in its dtype); ``step`` keeps its own dtype and device, as in PyTorch."""
    if isinstance(value, Tensor):
        if key == "step":
            return value.clone()
        if value.is_floating_point() and param.is_floating_point():
            return value.to(device=param.device, dtype=param.dtype, copy=True)
        return value.to(device=param.device, copy=True)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return deepcopy(value)



def _step_counter() -> Tensor:
    """A new ``state["step"]``: a float32 0-d CPU tensor, as in PyTorch's state dicts."""
    return tensor(0.0, dtype=float32)


def _check_nonnegative(**values) -> None:
    """PyTorch's constructor checks: ``ValueError("Invalid <name> value: <v>")``."""
    for name, v in values.items():
        if not 0.0 <= v:
            what = {"lr": "learning rate", "eps": "epsilon value"}.get(name,
                                                                      f"{name} value")
            raise ValueError(f"Invalid {what}: {v}")
