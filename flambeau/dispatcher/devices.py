"""Devices: ``fl.device("cpu")``, ``fl.device("opencl:1")``, ``fl.device("cuda", 0)``.

Device objects are interned, so the dispatcher compares them with ``is``.
"""

from __future__ import annotations

__all__ = ["device", "as_device"]

_INTERNED: dict[tuple[str, int | None], device] = {}


class device:
    """Where a tensor's memory lives: a device type and an optional index.

    Args:
        type: ``"cpu"``, ``"cuda"``, ``"opencl"`` or a plugin's device type; may carry
            the index after a colon (``"opencl:1"``).
        index: the device number within its type; ``None`` means the current one.

    Example::

        >>> fl.device("opencl:1")
        device(type='opencl', index=1)
    """

    __slots__ = ("type", "index")

    def __new__(cls, type: str | device, index: int | None = None):
        if isinstance(type, device):
            if index is not None:
                raise ValueError(f"device(): index given twice for {type!r}")
            return type
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string like 'cpu' or 'opencl:0', "
                            f"got {type!r}")
        name = type
        if ":" in name:
            if index is not None:
                raise ValueError(f"device(): index given both in {name!r} and as {index}")
            name, _, idx = name.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}; expected "
                                   f"'<type>' or '<type>:<index>' like 'opencl:1'")
            index = int(idx)
        if not name or not name.replace("_", "").isalnum():
            raise RuntimeError(f"Invalid device string: {type!r}")
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int) or index < 0:
                raise RuntimeError(f"device(): index must be a non-negative int, "
                                   f"got {index!r}")
        key = (name, index)
        obj = _INTERNED.get(key)
        if obj is None:
            obj = object.__new__(cls)
            object.__setattr__(obj, "type", name)
            object.__setattr__(obj, "index", index)
            _INTERNED[key] = obj
        return obj

    def __setattr__(self, name, value):
        raise AttributeError("device objects are immutable")

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (self.type, self.index))


def as_device(d: str | device | int | None) -> device | None:
    """Turn a user's device argument into a :class:`device` (``None`` stays ``None``)."""
    if d is None or type(d) is device:
        return d
    if isinstance(d, int) and not isinstance(d, bool):
        raise RuntimeError(f"a bare device index ({d}) is ambiguous in flambeau; "
                           f"say 'cuda:{d}' or 'opencl:{d}'")
    return device(d)
