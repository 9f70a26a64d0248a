"""Datasets: map-style (``__getitem__`` + ``__len__``) and iterable-style (``__iter__``).

Same names and semantics as ``torch.utils.data.dataset``: :class:`Dataset`,
:class:`IterableDataset`, :class:`TensorDataset`, :class:`Subset`,
:class:`ConcatDataset`, :class:`ChainDataset` and :func:`random_split`.
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

from ...frontend.random import Generator, randperm
from ...frontend.tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
           "ChainDataset", "random_split"]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses define ``__getitem__(index)`` and ``__len__``.

    A subclass may also define ``__getitems__(indices)`` returning a list of samples,
    which the :class:`~flambeau.utils.data.DataLoader` then calls once per batch.
    ``dataset1 + dataset2`` concatenates (:class:`ConcatDataset`).

    Example::

        >>> class Squares(Dataset):
        ...     def __len__(self): return 10
        ...     def __getitem__(self, i): return i * i
    """

    def __getitem__(self, index) -> T_co:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """An iterable-style dataset: subclasses define ``__iter__`` (``__len__`` optional).

    With ``num_workers > 0`` each worker process iterates its own copy of the dataset,
    so a dataset that should not be duplicated splits its work using
    :func:`~flambeau.utils.data.get_worker_info` (``None`` in the main process).

    Example::

        >>> class Range(IterableDataset):
        ...     def __init__(self, start, end): self.start, self.end = start, end
        ...     def __iter__(self):
        ...         info = get_worker_info()
        ...         if info is None:
        ...             return iter(range(self.start, self.end))
        ...         per = math.ceil((self.end - self.start) / info.num_workers)
        ...         lo = self.start + info.id * per
        ...         return iter(range(lo, min(lo + per, self.end)))
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __add__(self, other: Dataset[T_co]) -> ChainDataset[T_co]:
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple]):
    """Samples are ``tuple(t[index] for t in tensors)``: rows of tensors that share
    their first dimension.

    Example::

        >>> ds = TensorDataset(fl.randn(100, 3), fl.arange(100))
        >>> x, y = ds[0]
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        n = tensors[0].size(0)
        if any(t.size(0) != n for t in tensors):
            raise ValueError(f"Size mismatch between tensors: first dimensions are "
                             f"{[t.size(0) for t in tensors]}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order.

    Args:
        dataset: the whole dataset.
        indices: the indices of the subset.
    """

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list:
        # keep the underlying dataset's batched fetch when it has one
        mapped = [self.indices[i] for i in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(mapped)
        return [self.dataset[i] for i in mapped]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Map-style datasets one after the other.

    Attributes:
        cumulative_sizes: the running totals of the datasets' lengths.
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset; use "
                                "ChainDataset")
        self.cumulative_sizes = list(accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        if which == len(self.datasets):
            raise IndexError(f"index {idx} is out of range for a ConcatDataset of length "
                             f"{len(self)}")
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]


class ChainDataset(IterableDataset[T_co]):
    """Iterable datasets one after the other (lazily, without copying)."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[T_co]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)  # type: ignore[arg-type]


def random_split(dataset: Dataset[T_co], lengths: Sequence[int | float],
                 generator: Generator | None = None) -> list[Subset[T_co]]:
    """Split ``dataset`` into disjoint random subsets.

    Args:
        dataset: the map-style dataset to split.
        lengths: the subsets' lengths, summing to ``len(dataset)``; or fractions summing
            to 1, turned into ``floor(len(dataset) * frac)`` each with the remainder
            handed out one by one to the first subsets (PyTorch's rule).
        generator: the :class:`flambeau.Generator` of the permutation (default: the
            default CPU generator).

    Example::

        >>> train, val = random_split(range(10), [0.7, 0.3],
        ...                           generator=fl.Generator().manual_seed(42))
        >>> len(train), len(val)
        (7, 3)
    """
    n = len(dataset)  # type: ignore[arg-type]
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(math.floor(n * frac))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in "
                              f"an empty dataset.", stacklevel=2)
        lengths = sizes
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input "
                         "dataset!")
    order = randperm(n, generator=generator).tolist()
    return [Subset(dataset, order[end - size:end])
            for end, size in zip(accumulate(lengths), lengths)]
