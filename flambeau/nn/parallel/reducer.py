"""The gradient reducer of DistributedDataParallel: buckets all-reduced during backward.

Parameters are split, in reverse registration order (roughly the order backward
produces their gradients), into buckets of at most ``bucket_cap_mb`` of one dtype and
device; the first bucket is capped at 1 MiB so communication starts early. A
post-accumulate-grad hook on every parameter copies its gradient into its bucket's
flat host buffer; when a bucket's last gradient arrives, an asynchronous averaging
all-reduce (``Iallreduce``) starts on it while backward goes on.

MPI needs every rank to start collectives in the same order, so buckets start strictly
in index order: a bucket that fills early waits for the ones before it. Gradients are
copied in their memory order (a transposed weight gradient is not transposed twice);
a per-parameter layout flag, averaged with the bucket, tells every rank whether the
ranks agreed, and a parameter whose layouts differed is averaged again row-major. The end of
backward (an engine callback queued by the first hook) marks the parameters that got
no gradient (only with ``find_unused_parameters``), waits for every bucket and writes
the averaged gradients back into ``.grad``.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ...autograd.engine import queue_callback
from ...distributed import ReduceOp, all_reduce
from ...distributed.buffers import host_copy, host_dtype, store
from ...frontend.creation import from_numpy
from ..parameter import Parameter

__all__ = ["Reducer"]

_FIRST_BUCKET_BYTES = 1 << 20


class _Bucket:
    """Parameters whose gradients are averaged by one all-reduce."""

    __slots__ = ("indices", "offsets", "flat", "layout", "tensor", "pending", "work")

    def __init__(self, indices: list[int], offsets: list[int], flat: np.ndarray) -> None:
        self.indices = indices   # positions in Reducer.params
        self.offsets = offsets   # where each one's gradient starts in ``flat``
        self.flat = flat         # host buffer the all-reduce works on
        # one element per parameter after the gradients: 1 where this rank copied the
        # gradient in column-major order (see Reducer._copy_in), else 0
        self.layout = flat[len(flat) - len(indices):]
        self.tensor = from_numpy(flat)
        self.pending = len(indices)
        self.work = None


def _assign_buckets(params: list[Parameter], cap_bytes: int) -> list[list[int]]:
    """Indices of ``params`` grouped into buckets, reverse order, one dtype/device each."""
    buckets: list[list[int]] = []
    open_: dict = {}  # (dtype, device) -> [indices, bytes so far, byte limit]
    for i in reversed(range(len(params))):
        p = params[i]
        key = (p._dtype, p._device)
        entry = open_.get(key)
        if entry is None or (entry[1] and entry[1] + p.nbytes > entry[2]):
            limit = min(_FIRST_BUCKET_BYTES, cap_bytes) if not buckets else cap_bytes
            entry = open_[key] = [[], 0, limit]
            buckets.append(entry[0])
        entry[0].append(i)
        entry[1] += p.nbytes
    return buckets


class Reducer:
    """Averages the gradients of ``params`` over ``group`` during backward.

    Args:
        params: the parameters that require grad, in registration order.
        names: their dotted names, for error messages.
        group: the process group.
        bucket_cap_mb: the bucket size limit.
        find_unused_parameters: treat parameters that got no gradient in a backward
            pass as ready with a zero gradient, instead of raising.
    """

    def __init__(self, params: list[Parameter], names: list[str], group,
                 bucket_cap_mb: float, find_unused_parameters: bool) -> None:
        self.params = params
        self.names = names
        self.group = group
        self.find_unused = find_unused_parameters
        self.buckets: list[_Bucket] = []
        # per parameter: its bucket, its offset there, its position in the bucket
        self.slot: list[tuple[_Bucket, int, int]] = [None] * len(params)  # type: ignore
        for indices in _assign_buckets(params, int(bucket_cap_mb * (1 << 20))):
            offsets, total = [], 0
            for i in indices:
                offsets.append(total)
                total += params[i].numel()
            flat = np.empty(total + len(indices), host_dtype(params[indices[0]]))
            bucket = _Bucket(indices, offsets, flat)
            self.buckets.append(bucket)
            for pos, (i, off) in enumerate(zip(indices, offsets)):
                self.slot[i] = (bucket, off, pos)
        self.expect_hooks = False  # set by forward when this backward must sync
        self.in_pass = False       # a hook of the current backward pass has fired
        self.ready = [False] * len(params)
        self.next_bucket = 0
        for i, p in enumerate(params):
            p.register_post_accumulate_grad_hook(partial(self._grad_ready, i))

    def prepare(self) -> None:
        """Called by forward: the next backward pass averages the gradients."""
        if self.in_pass:
            raise RuntimeError(
                "DistributedDataParallel: the previous backward pass did not finish its "
                "gradient reduction (it raised part-way). Expected to have finished "
                "reduction in the prior iteration before starting a new one; the ranks "
                "may now be out of step, so restart training from a checkpoint.")
        self.expect_hooks = True

    def _grad_ready(self, index: int, param: Parameter) -> None:
        if not self.expect_hooks or self.ready[index]:
            return
        if not self.in_pass:
            self.in_pass = True
            queue_callback(self._finish_pass)
        self._copy_in(index, param._grad)
        self._mark(index)

    def _copy_in(self, index: int, grad) -> None:
        """Copy ``grad`` into its slot in memory order.

        A weight gradient is often a transposed (column-major) array; copying it in
        row-major order would be a slow transpose, and so would the copy back. It is
        copied as laid out instead, and its layout flag says so. The all-reduce averages
        the flags too, so every rank learns whether all ranks used the same layout.
        """
        bucket, off, pos = self.slot[index]
        n = self.params[index].numel()
        if grad is None:
            bucket.flat[off:off + n] = 0
            bucket.layout[pos] = 0
            return
        g = host_copy(grad)
        if g.flags.f_contiguous and not g.flags.c_contiguous:
            bucket.flat[off:off + n] = g.T.reshape(-1)  # a view: a straight copy
            bucket.layout[pos] = 1
        else:
            bucket.flat[off:off + n] = g.reshape(-1)
            bucket.layout[pos] = 0

    def _mark(self, index: int) -> None:
        self.ready[index] = True
        bucket = self.slot[index][0]
        bucket.pending -= 1
        if bucket.pending == 0:
            buckets = self.buckets
            while self.next_bucket < len(buckets) and not buckets[self.next_bucket].pending:
                b = buckets[self.next_bucket]
                b.work = all_reduce(b.tensor, ReduceOp.AVG, self.group, async_op=True)
                self.next_bucket += 1

    def _finish_pass(self) -> None:
        """End of backward: complete every bucket and write the averages to ``.grad``."""
        unready = [i for i, r in enumerate(self.ready) if not r]
        used = None
        if unready and not self.find_unused:
            self._wait()
            self._reset()
            names = ", ".join(self.names[i] for i in unready[:10])
            more = f" (and {len(unready) - 10} more)" if len(unready) > 10 else ""
            raise RuntimeError(
                f"DistributedDataParallel: parameters received no gradient in this "
                f"backward pass: {names}{more}. Pass find_unused_parameters=True to "
                f"DistributedDataParallel if some parameters are unused in forward "
                f"(or only on some ranks), or make sure all outputs contribute to the loss.")
        if self.find_unused:
            local = np.array(self.ready, np.int32)  # before the unused are marked ready
            for i in unready:
                self._copy_in(i, self.params[i]._grad)
                self._mark(i)
            all_reduce(from_numpy(local), ReduceOp.SUM, self.group)  # after the buckets
            used = local
        self._wait()
        mixed = []
        for bucket in self.buckets:
            for pos, (i, off) in enumerate(zip(bucket.indices, bucket.offsets)):
                if used is not None and not used[i]:
                    continue  # unused on every rank: leave .grad as it is, like PyTorch
                p = self.params[i]
                block = bucket.flat[off:off + p.numel()]
                flag = bucket.layout[pos]
                if flag == 0:
                    self._write_back(p, block.reshape(p._data.shape))
                elif flag == 1:
                    self._write_back(p, block.reshape(p._data.shape[::-1]).T)
                else:  # the ranks' layouts differed: that average mixed up elements
                    mixed.append(p)
        for p in mixed:  # every rank has the same list: redo them in row-major order
            g = from_numpy(np.ascontiguousarray(host_copy(p._grad)) if p._grad is not None
                           else np.zeros(p._data.shape, host_dtype(p)))
            all_reduce(g, ReduceOp.AVG, self.group)
            self._write_back(p, g.numpy())
        self._reset()

    @staticmethod
    def _write_back(p: Parameter, block: np.ndarray) -> None:
        if p._grad is None:  # unused here, used on another rank
            p._grad = from_numpy(block.copy()).to(p._device)
        else:
            store(p._grad, block)

    def _wait(self) -> None:
        for bucket in self.buckets[:self.next_bucket]:
            bucket.work.wait()

    def _reset(self) -> None:
        for bucket in self.buckets:
            bucket.pending = len(bucket.indices)
            bucket.work = None
        self.ready = [False] * len(self.params)
        self.next_bucket = 0
        self.expect_hooks = False
        self.in_pass = False
