"""Turning a list of samples into a batch: :func:`default_collate`, :func:`default_convert`.

The rules are PyTorch's, so a batch has the structure a PyTorch user expects:

=====================================  ==============================================
sample element                         batch element
=====================================  ==============================================
Tensor                                 ``fl.stack(samples)`` (a new first dimension)
NumPy array                            the stacked arrays as a tensor (dtype kept)
NumPy scalar                           a 1-D tensor of its dtype
Python float                           a 1-D ``float64`` tensor
Python int / bool                      a 1-D ``int64`` / ``bool`` tensor
str / bytes                            the list of samples, unchanged
Mapping                                same type, each key collated
namedtuple                             same type, each field collated
tuple                                  a *list*, each position collated
other Sequence (list, ...)             same type (else a list), each position collated
=====================================  ==============================================
"""

from __future__ import annotations

import collections.abc
import re

import numpy as np

from ...dispatcher.dtypes import float64
from ...frontend.creation import as_tensor, tensor
from ...frontend.shape_ops import stack
from ...frontend.tensor import Tensor

__all__ = ["default_collate", "default_convert"]

# NumPy dtype strings of strings (S, U, a) and objects (O): these cannot become tensors
_NP_STR_OBJ = re.compile(r"[SaUO]")

_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
        "lists; found {}")


def _is_numpy(elem) -> bool:
    name = type(elem).__name__
    return type(elem).__module__ == "numpy" and name not in ("str_", "bytes_", "string_")


def default_collate(batch: list):
    """Collate a list of samples into a batch (see the module table for the rules).

    Args:
        batch: the samples, all of the same structure.

    Example::

        >>> default_collate([(fl.tensor([1, 2]), 0), (fl.tensor([3, 4]), 1)])
        [tensor([[1, 2],
                [3, 4]]), tensor([0, 1])]
        >>> default_collate([{"x": 1.0}, {"x": 2.0}])
        {'x': tensor([1., 2.], dtype=flambeau.float64)}
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if _is_numpy(elem):
        if isinstance(elem, np.ndarray):
            if _NP_STR_OBJ.search(elem.dtype.str) is not None:
                raise TypeError(_ERR.format(elem.dtype))
            return default_collate([as_tensor(b) for b in batch])
        if np.ndim(elem) == 0:  # a NumPy scalar: keep its dtype
            return as_tensor(np.asarray(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=float64)
    if isinstance(elem, int):  # bool too: tensor() infers bool or int64
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(collated)
        except TypeError:  # a mapping type that cannot be built from a dict
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(list(s)) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # PyTorch returns tuples as lists
        try:
            return type(elem)(columns)
        except TypeError:
            return columns
    raise TypeError(_ERR.format(type(elem)))


def default_convert(data):
    """Convert NumPy arrays and scalars inside ``data`` to tensors, keeping the
    structure; used when automatic batching is off (``batch_size=None``).

    Tuples become lists and other objects pass through unchanged, as in PyTorch.
    """
    if isinstance(data, Tensor):
        return data
    if _is_numpy(data):
        if isinstance(data, np.ndarray) and _NP_STR_OBJ.search(data.dtype.str):
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
