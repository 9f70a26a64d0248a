"""The worker side of a multi-process DataLoader, and the fetchers both sides share.

A worker process is seeded (``base_seed + worker_id`` for flambeau, :mod:`random` and
NumPy's global generator), runs ``worker_init_fn``, then loops: take ``(task, indices)``
from its index queue, fetch and collate the batch, put ``(task, pickled batch)`` on the
shared result queue. Errors travel back as :class:`ExceptionWrapper` and are re-raised
in the main process with the worker id. ``None`` on the index queue means "exit".
"""

from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info"]

# How often a blocked worker or main process looks up from its queue to check that the
# other side is alive (and a worker, whether it was told to stop); short, because a dead
# peer or a stop is only noticed then.
STATUS_CHECK_INTERVAL = 0.5


@dataclass(frozen=True)
class WorkerInfo:
    """What a DataLoader worker process knows about itself (see :func:`get_worker_info`).

    Attributes:
        id: this worker's index, ``0 .. num_workers - 1``.
        num_workers: how many workers the DataLoader has.
        seed: this worker's seed, ``base_seed + id`` (flambeau, ``random`` and NumPy's
            global generator are seeded from it before ``worker_init_fn`` runs).
        dataset: this worker's copy of the dataset.
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker process, its :class:`WorkerInfo`; ``None`` in the main
    process. Use it in an :class:`IterableDataset`'s ``__iter__`` to give each worker
    its own shard, or in ``worker_init_fn`` to configure each worker's dataset copy.
    """
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process as text (the
    traceback object itself cannot be pickled)."""

    def __init__(self, where: str) -> None:
        exc_type, exc, tb = sys.exc_info()
        self.exc_type = exc_type
        self.msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)  # KeyError's str() would show the repr
        try:
            exc = self.exc_type(msg)
        except Exception:  # a type whose constructor takes other arguments
            raise RuntimeError(msg) from None
        try:
            raise exc
        finally:
            del exc  # no cycle exception -> traceback -> this frame -> exception


class _KeyErrorMessage(str):
    def __repr__(self):
        return self


class IterableStopped:
    """A worker's answer when its copy of an IterableDataset is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


class ResumeIteration:
    """Sent to persistent workers at a new epoch; echoed back as an acknowledgement."""


# --- fetchers: one batch from a list of indices (map-style) or an iterator ---------------
class MapFetcher:
    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        getitems = getattr(dataset, "__getitems__", None)
        self.getitems = getitems if callable(getitems) else None

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.getitems is not None:
            return self.collate_fn(self.getitems(index))
        return self.collate_fn([self.dataset[i] for i in index])


class IterableFetcher:
    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool):
        self.iterator = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = \
            auto_collation, collate_fn, drop_last

    def fetch(self, index):
        """The next batch; ``index`` is a list of ``None`` whose length is the batch
        size. Raises StopIteration when there is no (full, with ``drop_last``) batch."""
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        data = []
        for _ in index:
            try:
                data.append(next(self.iterator))
            except StopIteration:
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def make_fetcher(iterable: bool, dataset, auto_collation, collate_fn, drop_last):
    cls = IterableFetcher if iterable else MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


def _seed_everything(seed: int, worker_id: int) -> None:
    from ...frontend.random import manual_seed
    random.seed(seed)
    manual_seed(seed)
    # NumPy's legacy seed takes 32-bit words; mixing in the worker id keeps workers apart
    # even if a user reseeds flambeau identically in each worker
    np.random.seed(np.random.SeedSequence([worker_id, seed]).generate_state(4))


def _parent_alive(parent_pid: int) -> bool:
    # when the main process dies, the worker is reparented and its parent pid changes
    return os.getppid() == parent_pid


def worker_loop(iterable: bool, dataset, index_queue, result_queue, done_event,
                auto_collation: bool, collate_fn, drop_last: bool, base_seed: int,
                init_fn, worker_id: int, num_workers: int, parent_pid: int) -> None:
    """The body of a worker process (see the module docstring)."""
    global _worker_info
    where = f"in DataLoader worker process {worker_id}"
    try:
        seed = base_seed + worker_id
        _seed_everything(seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_error = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(where)  # reported with the first task
        exhausted = False
        while _parent_alive(parent_pid):
            try:
                r = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                # the event, not only the None on the index queue, says stop: when the
                # main iterator is collected in a reference cycle, the garbage collector
                # may already have stopped the queue's feeder thread that would send it
                if done_event.is_set():
                    break
                continue
            if r is None:
                break
            if isinstance(r, ResumeIteration):
                exhausted = False
                if init_error is None:
                    fetcher = make_fetcher(iterable, dataset, auto_collation, collate_fn,
                                           drop_last)
                result_queue.put((r, None))
                continue
            if done_event.is_set() or exhausted:
                continue  # draining: the main process no longer wants results
            task, index = r
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(where)
                    else:
                        data, exhausted = IterableStopped(worker_id), True
                except Exception:
                    data = ExceptionWrapper(where)
            result_queue.put((task, _pickled(data, where)))
            del data, index, r
    except KeyboardInterrupt:
        pass  # the main process handles Ctrl-C; exit quietly
    if done_event.is_set():
        # the main process stopped reading: do not block exit on flushing the pipe
        result_queue.cancel_join_thread()
        result_queue.close()


def _pickled(data, where: str) -> bytes:
    """Pickle here, not in the queue's feeder thread: a batch that cannot be pickled
    must come back as an error, not vanish and leave the main process waiting."""
    try:
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps(ExceptionWrapper(where), protocol=pickle.HIGHEST_PROTOCOL)
