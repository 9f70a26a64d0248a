"""The main-process side of a DataLoader with worker processes.

Each worker has its own index queue; all share one result queue. Tasks (batches of
indices) are numbered and handed out round-robin, at most ``prefetch_factor`` per worker
ahead of the consumer; results arrive in any order and are released in task order, so
the batches are those of ``num_workers=0``, in the same order.

Nothing may hang: waiting on the result queue wakes up regularly to check that the
workers are alive, ``timeout`` bounds the wait when set, and the workers are stopped
when the epoch ends, when an error is raised, and when the iterator is garbage
collected (e.g. after a ``break``). A worker also exits by itself if the main process
dies.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import queue

from .worker import (STATUS_CHECK_INTERVAL, ExceptionWrapper, IterableStopped,
                     ResumeIteration, worker_loop)
from .dataloader import _BaseIter


class MultiProcessIter(_BaseIter):
    """Iterator over a DataLoader's batches, loaded by ``loader.num_workers`` processes."""

    _shutdown = True  # until workers exist, __del__ has nothing to stop

    def __init__(self, loader) -> None:
        super().__init__(loader)
        self._num_workers = loader.num_workers
        self._prefetch = loader.prefetch_factor * loader.num_workers
        self._timeout = loader.timeout
        self._persistent = loader.persistent_workers
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        self._result_queue = ctx.Queue()
        self._done_event = ctx.Event()
        self._index_queues, self._workers = [], []
        self._shutdown = False
        try:
            for i in range(self._num_workers):
                q = ctx.Queue()
                # unsent tasks are worthless at shutdown; never block exit on them
                q.cancel_join_thread()
                w = ctx.Process(target=worker_loop, daemon=True, args=(
                    self._iterable, self._dataset, q, self._result_queue, self._done_event,
                    self._auto_collation, self._collate_fn, self._drop_last,
                    self._base_seed, loader.worker_init_fn, i, self._num_workers,
                    os.getpid()))
                w.start()
                self._index_queues.append(q)
                self._workers.append(w)
        except BaseException:
            self._shutdown_workers()
            raise
        self._start_epoch()

    def _start_epoch(self) -> None:
        self._send_idx = 0       # next task number to hand out
        self._rcvd_idx = 0       # next task number to give the caller
        self._task_info = {}     # task -> [worker id] or [worker id, result]
        self._active = [True] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        for _ in range(self._prefetch):
            self._put_task()

    def reset(self, loader) -> None:
        """Start a new epoch with the same (persistent) workers."""
        self._sampler_iter = iter(self._index_sampler)
        for q in self._index_queues:
            q.put(ResumeIteration())
        # results of an epoch left early come before each worker's acknowledgement
        acks = self._num_workers
        while acks:
            task, _ = self._get_result()
            if isinstance(task, ResumeIteration):
                acks -= 1
        self._start_epoch()

    def _put_task(self) -> None:
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker = next(self._worker_cycle)
            if self._active[worker]:
                break
        else:
            return  # every worker's IterableDataset copy is exhausted
        self._index_queues[worker].put((self._send_idx, index))
        self._task_info[self._send_idx] = [worker]
        self._send_idx += 1

    def __next__(self):
        while True:
            # skip tasks that went to a worker whose IterableDataset ran out
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._active[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._release(info[1])
            task, data = self._get_result()
            if isinstance(data, IterableStopped):
                self._retire(data.worker_id)
                self._put_task()
                continue
            if task != self._rcvd_idx:
                self._task_info[task].append(data)  # early: keep it until its turn
                continue
            del self._task_info[task]
            self._rcvd_idx += 1
            return self._release(data)

    def _release(self, data):
        self._put_task()
        if isinstance(data, ExceptionWrapper):
            # like PyTorch, the workers live on: the caller may catch this and go on
            data.reraise()
        return data

    def _get_result(self):
        """The next ``(task, data)`` from any worker, waiting in short slices so that a
        dead worker or an expired ``timeout`` is noticed."""
        waited = 0.0
        while True:
            slice_s = STATUS_CHECK_INTERVAL
            if self._timeout > 0:
                slice_s = min(slice_s, self._timeout - waited)
            try:
                task, payload = self._result_queue.get(timeout=slice_s)
                if isinstance(task, ResumeIteration):
                    return task, payload
                return task, pickle.loads(payload)
            except queue.Empty:
                waited += slice_s
            dead = [w.pid for i, w in enumerate(self._workers)
                    if self._active[i] and not w.is_alive()]
            if dead:
                self._shutdown_workers()
                raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))})"
                                   f" exited unexpectedly")
            if self._timeout > 0 and waited >= self._timeout:
                self._shutdown_workers()
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")

    def _retire(self, worker: int) -> None:
        """Stop handing tasks to ``worker``; a non-persistent one is told to exit."""
        if not self._persistent:
            self._index_queues[worker].put(None)
        self._active[worker] = False

    def _shutdown_workers(self) -> None:
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._done_event.set()
            for q in self._index_queues:
                q.put(None)
            for w in self._workers:
                # long enough for a worker to notice the event between two polls
                w.join(timeout=2 * STATUS_CHECK_INTERVAL)
            for q in self._index_queues:
                q.close()
            self._result_queue.cancel_join_thread()
            self._result_queue.close()
        finally:
            # a worker stuck in user code gets no more grace than that
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=STATUS_CHECK_INTERVAL)

    def __del__(self) -> None:
        try:
            self._shutdown_workers()
        except Exception:  # at interpreter exit, modules may already be torn down
            pass
