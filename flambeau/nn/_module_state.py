"""The half of :class:`~flambeau.nn.Module` that moves its tensors: device and dtype
conversion (``to``, ``cpu``, ``float``, ...), ``apply``, and ``state_dict`` /
``load_state_dict``. Kept apart so that ``module.py`` reads as the registration and
calling protocol."""

from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..frontend.grad_mode import no_grad
from ..frontend.tensor import Tensor

if TYPE_CHECKING:
    from .module import Module

__all__ = ["ModuleStateMixin"]


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys",
                                                        "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys that did not match."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


class ModuleStateMixin:
    """Methods of :class:`~flambeau.nn.Module`; see there."""

    # --- device and dtype -------------------------------------------------------------
    def _apply(self, fn: Callable[[Tensor], Tensor]) -> Module:
        for module in self.children():
            module._apply(fn)
        for param in self._parameters.values():
            if param is None:
                continue
            with no_grad():
                moved = fn(param)
            # in place, so that optimizers holding the parameter see the new data
            param.data = moved
            if param.grad is not None:
                with no_grad():
                    param.grad.data = fn(param.grad)
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule (children first) and then on ``self``; the
        usual way to run a custom initialisation."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs) -> Module:
        """Move and/or cast parameters and buffers in place: ``to(device)``,
        ``to(dtype)``, ``to(device, dtype)`` or ``to(tensor)``. Only floating-point
        tensors change dtype. Returns ``self``."""
        from ..dispatcher.dtypes import DType
        device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, DType):
                dtype = a
            elif isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif not isinstance(a, bool):
                device = a
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got "
                            f"desired dtype={dtype}")

        def convert(t):
            if dtype is not None and t.is_floating_point():
                return t.to(device=device, dtype=dtype)
            return t.to(device=device)
        return self._apply(convert)

    def cpu(self) -> Module:
        return self._apply(lambda t: t.cpu())

    def cuda(self, device=None) -> Module:
        return self._apply(lambda t: t.cuda(device))

    def type(self, dst_type) -> Module:
        return self._apply(lambda t: t.to(dst_type))

    def float(self) -> Module:
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self) -> Module:
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self) -> Module:
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    # --- state dict -------------------------------------------------------------------
    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()

    def state_dict(self, *, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict:
        """An ordered dict of every parameter and persistent buffer by dotted name;
        the values share memory with the module (detached unless ``keep_vars``)."""
        if destination is None:
            destination = OrderedDict()
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def _load_from_state_dict(self, state_dict: Mapping, prefix: str,
                              missing_keys: list, unexpected_keys: list,
                              error_msgs: list) -> None:
        local = {k: v for k, v in itertools.chain(self._parameters.items(),
                                                  self._buffers.items())
                 if v is not None and k not in self._non_persistent_buffers_set}
        for name, param in local.items():
            key = prefix + name
            if key not in state_dict:
                missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected '
                                  f'Tensor from checkpoint but received '
                                  f'{type(value).__name__}')
            elif value.shape != param.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape "
                                  f"{value.shape} from checkpoint, the shape in current "
                                  f"model is {param.shape}.")
            else:
                with no_grad():
                    param.copy_(value.to(param.device))
        for key in state_dict:
            if key.startswith(prefix):
                # a dotted rest must name a child; a plain rest, a local tensor
                parts = key[len(prefix):].split(".", 1)
                known = self._modules if len(parts) > 1 else local
                if parts[0] not in known:
                    unexpected_keys.append(key)

    def load_state_dict(self, state_dict: Mapping, strict: bool = True):
        """Copy parameters and buffers from ``state_dict`` into this module.

        Args:
            state_dict (dict): as made by :meth:`state_dict`.
            strict (bool): require the keys to match this module's exactly.

        Returns:
            ``NamedTuple`` with ``missing_keys`` and ``unexpected_keys``.

        Raises:
            RuntimeError: listing missing and unexpected keys (when ``strict``) and any
                size mismatch.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got "
                            f"{type(state_dict).__name__}.")
        missing, unexpected, errors = [], [], []
        # every alias of a shared submodule has its own keys, as in state_dict()
        for prefix, module in self.named_modules(remove_duplicate=False):
            module._load_from_state_dict(state_dict, prefix + "." if prefix else "",
                                         missing, unexpected, errors)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)))
        return _IncompatibleKeys(missing, unexpected)
