"""``Parameter`` and ``Buffer``: tensors that a :class:`~flambeau.nn.Module` registers
when they are assigned as attributes."""

from __future__ import annotations

from ..frontend.tensor import Tensor

__all__ = ["Parameter", "Buffer"]


def _share(cls, data: Tensor | None) -> Tensor:
    """A new ``cls`` instance that shares ``data``'s memory, outside any graph."""
    if data is None:
        from ..frontend.creation import empty
        data = empty(0)
    if not isinstance(data, Tensor):
        raise TypeError(f"{cls.__name__}(): data must be a Tensor, got "
                        f"{type(data).__name__}")
    out = Tensor.__new__(cls)
    out._data, out._dtype, out._device = data._data, data._dtype, data._device
    return out


class Parameter(Tensor):
    r"""A tensor that is a module parameter.

    Assigning a ``Parameter`` as an attribute of a :class:`~flambeau.nn.Module` adds it to
    the module's :meth:`~flambeau.nn.Module.parameters`, so optimizers see it and
    :meth:`~flambeau.nn.Module.state_dict` saves it. The parameter shares memory with
    ``data``.

    Args:
        data (Tensor): the parameter's values (an empty tensor when ``None``).
        requires_grad (bool): whether the parameter requires gradient. Default: ``True``.

    Example::

        >>> w = nn.Parameter(fl.zeros(2))
        >>> w
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        out = _share(cls, data)
        out.requires_grad_(requires_grad)
        return out

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        pass  # everything happens in __new__; Tensor.__init__ would rebuild the data

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.detach().clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        # Tensor's reduction rebuilds a plain Tensor; a pickled model must get
        # Parameters back so that it still has parameters
        return (_rebuild_parameter, (self.detach().clone(), self.requires_grad))


def _rebuild_parameter(data: Tensor, requires_grad: bool) -> Parameter:
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    r"""A tensor that is a module buffer: state that is not a parameter (running
    statistics, masks). Assigning a ``Buffer`` as a module attribute registers it as by
    :meth:`~flambeau.nn.Module.register_buffer`.

    Args:
        data (Tensor): the buffer's values (shared, not copied).
        persistent (bool): whether the buffer is part of the module's
            :meth:`~flambeau.nn.Module.state_dict`. Default: ``True``.
    """

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        out = _share(cls, data)
        out.persistent = persistent
        return out

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True):
        pass

    def __reduce_ex__(self, protocol):
        return (_rebuild_buffer, (self.detach().clone(), self.persistent))


def _rebuild_buffer(data: Tensor, persistent: bool) -> Buffer:
    return Buffer(data, persistent=persistent)
