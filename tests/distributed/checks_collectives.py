"""Checks of the collectives, run on every rank of one mpiexec job.

Every rank's input is a known function of its rank, so each rank computes the expected
result of a collective with NumPy from the inputs of all ranks and compares.
"""

from __future__ import annotations


import numpy as np

import flambeau as fl
import flambeau.distributed as dist
from flambeau.backends.numpy import NumpyBackend
from harness import Checks, expect

checks = Checks()
Op = dist.ReduceOp


def inputs(rank: int, shape, dtype: str, for_product: bool = False) -> np.ndarray:
    """The input of ``rank``: small exact values of ``dtype``."""
    k = int(np.prod(shape))
    i = np.arange(k)
    if dtype == "bool":
        a = (i + rank) % 3 == 0
    elif for_product:
        a = (i + rank) % 3 + 1
    elif np.dtype(dtype).kind == "f":
        a = (i % 11) * 0.5 - 2 + rank * 1.25
    else:
        a = (i * 7 + rank * 5) % 13 + rank
    return a.reshape(shape).astype(dtype)


def expected_reduce(op, stack: np.ndarray) -> np.ndarray:
    n = len(stack)
    if stack.dtype == np.bool_:
        table = {Op.SUM: np.logical_or, Op.MAX: np.logical_or, Op.BOR: np.logical_or,
                 Op.PRODUCT: np.logical_and, Op.MIN: np.logical_and,
                 Op.BAND: np.logical_and, Op.BXOR: np.logical_xor}
        return table[op].reduce(stack, axis=0)
    table = {Op.SUM: np.add, Op.PRODUCT: np.multiply, Op.MIN: np.minimum,
             Op.MAX: np.maximum, Op.BAND: np.bitwise_and, Op.BOR: np.bitwise_or,
             Op.BXOR: np.bitwise_xor}
    if op is Op.AVG:
        return (np.add.reduce(stack, axis=0) / n).astype(stack.dtype)
    return table[op].reduce(stack, axis=0).astype(stack.dtype)


def assert_equal(got, want, what: str, tol: float = 0.0) -> bool:
    """Compare with the NumPy reference; a failure is recorded (see harness.expect)
    and the check goes on, so every rank still makes the same collectives."""
    got = np.asarray(got.numpy() if isinstance(got, fl.Tensor) else got)
    want = np.asarray(want)
    if not expect(got.shape == want.shape and got.dtype == want.dtype,
                  f"{what}: {got.dtype}{list(got.shape)} != expected "
                  f"{want.dtype}{list(want.shape)}"):
        return False
    if tol:
        ok = np.allclose(got.astype(np.float64), want.astype(np.float64), atol=tol, rtol=tol)
    else:
        ok = np.array_equal(got, want)
    return expect(ok, f"{what}: got\n{got}\nexpected\n{want}")


def raises(exc, fn, *match: str):
    """``fn()`` raises ``exc`` with every ``match`` in its message (soft, as above)."""
    try:
        fn()
    except exc as e:
        for m in match:
            expect(m in str(e), f"message {str(e)!r} lacks {m!r}")
        return e
    expect(False, f"expected {exc.__name__} from {getattr(fn, '__name__', fn)}")
    return None


class StagedBackend(NumpyBackend):
    """A device whose memory is not host memory: every transfer copies, as a GPU's or
    an OpenCL device's does, so collectives must stage and copy back."""

    name = "staged-numpy"
    device_type = "stagedev"
    dlpack_device_type = None

    def from_numpy(self, array, index: int = 0):
        return np.array(array, copy=True)

    def to_numpy(self, native):
        return np.array(native, copy=True)


def stagedev():
    if "stagedev" not in fl.backends.available():
        fl.backends.register_backend(StagedBackend())
    return "stagedev"


# --- process group ------------------------------------------------------------------
@checks
def world_queries(ctx):
    expect(dist.is_available() and dist.is_initialized(), "is_available/is_initialized")
    expect(dist.get_rank() == ctx.rank and dist.get_world_size() == ctx.size,
           f"rank {dist.get_rank()} of {dist.get_world_size()}")
    expect(dist.get_backend() == "mpi", 'dist.get_backend() == "mpi"')
    expect(dist.get_process_group_ranks() == list(range(ctx.size)), "world ranks")
    expect(dist.is_mpi_launched() == ctx.launched, 'dist.is_mpi_launched() == ctx.launched')
    raises(RuntimeError, lambda: dist.init_process_group("mpi"), "twice")


# --- all_reduce ---------------------------------------------------------------------
def _all_reduce_case(ctx, op, dtype, shape=(3, 5), tol=0.0, async_op=False):
    prod = op is Op.PRODUCT
    t = fl.from_numpy(inputs(ctx.rank, shape, dtype, prod).copy())
    before = t._version
    work = dist.all_reduce(t, op=op, async_op=async_op)
    if async_op:
        expect(work.wait() is True and work.is_completed(), "wait/is_completed")
        expect(work.result() == [t], 'work.result() == [t]')
    else:
        expect(work is None, 'work is None')
    stack = np.stack([inputs(r, shape, dtype, prod) for r in range(ctx.size)])
    assert_equal(t, expected_reduce(op, stack), f"all_reduce {op.name} {dtype}", tol)
    expect(t._version > before, "an in-place collective must bump the version counter")


@checks
def all_reduce_sum(ctx):
    for dtype in ("float32", "float64", "float16", "int64", "int32", "int16", "int8",
                  "uint8", "bool"):
        _all_reduce_case(ctx, Op.SUM, dtype)


@checks
def all_reduce_avg(ctx):
    for dtype in ("float32", "float64"):
        _all_reduce_case(ctx, Op.AVG, dtype, tol=1e-6)
    raises(ValueError, lambda: dist.all_reduce(fl.ones(2, dtype=fl.int64), Op.AVG),
           "AVG", "int64")


@checks
def all_reduce_product_min_max(ctx):
    for op in (Op.PRODUCT, Op.MIN, Op.MAX):
        for dtype in ("float32", "float64", "int64", "int32", "uint8", "bool"):
            _all_reduce_case(ctx, op, dtype)


@checks
def all_reduce_bitwise(ctx):
    for op in (Op.BAND, Op.BOR, Op.BXOR):
        for dtype in ("int64", "int32", "int8", "uint8", "bool"):
            _all_reduce_case(ctx, op, dtype)
    raises(ValueError, lambda: dist.all_reduce(fl.ones(2), Op.BAND), "bitwise", "float32")


@checks
def all_reduce_async(ctx):
    for op in (Op.SUM, Op.AVG, Op.MAX):
        _all_reduce_case(ctx, op, "float32", shape=(1000,), tol=1e-6, async_op=True)
    # several in flight at once, completed by polling
    ts = [fl.from_numpy(inputs(ctx.rank, (64,), "float64") + k) for k in range(4)]
    works = [dist.all_reduce(t, async_op=True) for t in ts]
    while not all(w.is_completed() for w in works):
        pass
    for k, t in enumerate(ts):
        want = sum(inputs(r, (64,), "float64") + k for r in range(ctx.size))
        assert_equal(t, want, f"concurrent all_reduce {k}", 1e-12)


@checks
def all_reduce_in_place_view(ctx):
    base = fl.zeros(4, 6)
    row = base[1]                      # a contiguous view: writes land in base
    row.copy_(fl.from_numpy(inputs(ctx.rank, (6,), "float32")))
    dist.all_reduce(row)
    want = np.zeros((4, 6), np.float32)
    want[1] = sum(inputs(r, (6,), "float32") for r in range(ctx.size))
    assert_equal(base, want, "all_reduce of a view updates its base")
    arr = np.asarray(inputs(ctx.rank, (5,), "float64"))
    t = fl.from_numpy(arr)            # shares memory with the NumPy array
    dist.all_reduce(t)
    assert_equal(arr, sum(inputs(r, (5,), "float64") for r in range(ctx.size)),
                 "all_reduce writes the tensor's own memory (no copy)")


@checks
def non_contiguous_is_refused_when_written(ctx):
    t = fl.zeros(4, 3).T
    raises(ValueError, lambda: dist.all_reduce(t), "not contiguous", "contiguous()")
    raises(ValueError, lambda: dist.broadcast(t, 0), "not contiguous")
    # a tensor that is only read may have any layout: staged through a contiguous copy
    src = fl.from_numpy(inputs(ctx.rank, (3, 4), "float32")).T
    out = [fl.zeros(4, 3) for _ in range(ctx.size)]
    dist.all_gather(out, src)
    for r in range(ctx.size):
        assert_equal(out[r], inputs(r, (3, 4), "float32").T, f"all_gather of a .T, rank {r}")


# --- broadcast / reduce ---------------------------------------------------------------
@checks
def broadcast_each_src(ctx):
    for src in range(ctx.size):
        for async_op in (False, True):
            t = fl.from_numpy(inputs(ctx.rank, (2, 7), "float32"))
            work = dist.broadcast(t, src=src, async_op=async_op)
            if async_op:
                work.wait()
            assert_equal(t, inputs(src, (2, 7), "float32"), f"broadcast from {src}")
    t = fl.from_numpy(inputs(ctx.rank, (5,), "int64"))
    dist.broadcast(t, ctx.size - 1)
    assert_equal(t, inputs(ctx.size - 1, (5,), "int64"), "broadcast int64")
    raises(ValueError, lambda: dist.broadcast(fl.zeros(1), src=ctx.size), "src")


@checks
def reduce_each_dst(ctx):
    for dst in range(ctx.size):
        for op in (Op.SUM, Op.MAX, Op.AVG):
            mine = inputs(ctx.rank, (4,), "float64")
            t = fl.from_numpy(mine.copy())
            work = dist.reduce(t, dst=dst, op=op, async_op=op is Op.MAX)
            if work is not None:
                work.wait()
            stack = np.stack([inputs(r, (4,), "float64") for r in range(ctx.size)])
            want = expected_reduce(op, stack) if ctx.rank == dst else mine
            assert_equal(t, want, f"reduce {op.name} to {dst}", 1e-12)


# --- gathers and scatters -----------------------------------------------------------------
@checks
def all_gather_list(ctx):
    for async_op in (False, True):
        mine = fl.from_numpy(inputs(ctx.rank, (2, 3), "float32"))
        big = fl.zeros(3, 2 * ctx.size)         # outputs as non-contiguous views: fine
        out = [big[:, 2 * r:2 * r + 2].T for r in range(ctx.size)]
        work = dist.all_gather(out, mine, async_op=async_op)
        if async_op:
            work.wait()
            expect(work.result() == out, 'work.result() == out')
        for r in range(ctx.size):
            assert_equal(out[r], inputs(r, (2, 3), "float32"), f"all_gather slot {r}")
    raises(ValueError, lambda: dist.all_gather([fl.zeros(2)] * (ctx.size + 1), fl.zeros(2)),
           "world_size")
    raises(ValueError, lambda: dist.all_gather([fl.zeros(3)] * ctx.size, fl.zeros(2)),
           "shape")


@checks
def all_gather_into_tensor(ctx):
    n = ctx.size
    mine = fl.from_numpy(inputs(ctx.rank, (2, 3), "int32"))
    every = np.stack([inputs(r, (2, 3), "int32") for r in range(n)])
    cat = fl.zeros(2 * n, 3, dtype=fl.int32)
    dist.all_gather_into_tensor(cat, mine)
    assert_equal(cat, every.reshape(2 * n, 3), "concatenated output")
    stacked = fl.zeros(n, 2, 3, dtype=fl.int32)
    dist.all_gather_into_tensor(stacked, mine, async_op=True).wait()
    assert_equal(stacked, every, "stacked output")
    # the input may be this rank's slot of the output (MPI_IN_PLACE)
    out = fl.zeros(n * 4)
    slot = out[ctx.rank * 4:(ctx.rank + 1) * 4]
    slot.copy_(fl.from_numpy(inputs(ctx.rank, (4,), "float32")))
    dist.all_gather_into_tensor(out, slot)
    assert_equal(out, np.concatenate([inputs(r, (4,), "float32") for r in range(n)]),
                 "in-place all_gather_into_tensor")
    raises(ValueError, lambda: dist.all_gather_into_tensor(fl.zeros(n * 6 + 1), fl.zeros(6)),
           "world_size")


@checks
def gather_each_dst(ctx):
    for dst in range(ctx.size):
        mine = fl.from_numpy(inputs(ctx.rank, (3,), "float64"))
        out = [fl.zeros(3, dtype=fl.float64) for _ in range(ctx.size)] \
            if ctx.rank == dst else None
        work = dist.gather(mine, out, dst=dst, async_op=dst % 2 == 1)
        if work is not None:
            work.wait()
        if ctx.rank == dst:
            for r in range(ctx.size):
                assert_equal(out[r], inputs(r, (3,), "float64"), f"gather to {dst}: {r}")
    if ctx.size > 1:
        other = (ctx.rank + 1) % ctx.size
        raises(ValueError, lambda: dist.gather(fl.zeros(1), [fl.zeros(1)] * ctx.size, other),
               "destination")


@checks
def scatter_each_src(ctx):
    for src in range(ctx.size):
        t = fl.zeros(2, 2)
        lst = [fl.from_numpy(inputs(100 + r, (2, 2), "float32")) for r in range(ctx.size)] \
            if ctx.rank == src else None
        work = dist.scatter(t, lst, src=src, async_op=src % 2 == 0)
        if work is not None:
            work.wait()
        assert_equal(t, inputs(100 + ctx.rank, (2, 2), "float32"), f"scatter from {src}")


@checks
def reduce_scatter_both_forms(ctx):
    n = ctx.size
    for op in (Op.SUM, Op.AVG, Op.MIN):
        lists = {r: [inputs(10 * r + j, (3,), "float64") for j in range(n)] for r in range(n)}
        out = fl.zeros(3, dtype=fl.float64)
        dist.reduce_scatter(out, [fl.from_numpy(a) for a in lists[ctx.rank]], op=op)
        want = expected_reduce(op, np.stack([lists[r][ctx.rank] for r in range(n)]))
        assert_equal(out, want, f"reduce_scatter {op.name}", 1e-12)

        out2 = fl.zeros(3, dtype=fl.float64)
        flat = fl.from_numpy(np.concatenate(lists[ctx.rank]))
        dist.reduce_scatter_tensor(out2, flat, op=op, async_op=True).wait()
        assert_equal(out2, want, f"reduce_scatter_tensor {op.name}", 1e-12)


@checks
def all_to_all_single_even_and_uneven(ctx):
    n, r = ctx.size, ctx.rank
    inp = fl.from_numpy(inputs(r, (2 * n, 3), "float32"))
    out = fl.zeros(2 * n, 3)
    dist.all_to_all_single(out, inp)
    want = np.concatenate([inputs(s, (2 * n, 3), "float32")[2 * r:2 * r + 2]
                           for s in range(n)])
    assert_equal(out, want, "even all_to_all_single")
    # rank s sends (s + d) % 3 + 1 rows to rank d
    rows = lambda s, d: (s + d) % 3 + 1  # noqa: E731
    send_sizes = [rows(r, d) for d in range(n)]
    recv_sizes = [rows(s, r) for s in range(n)]
    mine = inputs(r, (sum(send_sizes), 2), "int64")
    out = fl.zeros(sum(recv_sizes), 2, dtype=fl.int64)
    dist.all_to_all_single(out, fl.from_numpy(mine), recv_sizes, send_sizes,
                           async_op=True).wait()
    parts = []
    for s in range(n):
        theirs = inputs(s, (sum(rows(s, d) for d in range(n)), 2), "int64")
        start = sum(rows(s, d) for d in range(r))
        parts.append(theirs[start:start + rows(s, r)])
    assert_equal(out, np.concatenate(parts), "uneven all_to_all_single")


# --- point to point -------------------------------------------------------------------
@checks
def send_recv_ring(ctx):
    if ctx.size == 1:
        raises(ValueError, lambda: dist.send(fl.zeros(1), 0), "deadlock")
        return "skip: a ring needs two ranks"
    n, r = ctx.size, ctx.rank
    nxt, prv = (r + 1) % n, (r - 1) % n
    t = fl.zeros(4, dtype=fl.float64)
    if r % 2 == 0:
        dist.send(fl.from_numpy(inputs(r, (4,), "float64")), nxt)
        got = dist.recv(t, prv)
    else:
        got = dist.recv(t, None)          # any source
        dist.send(fl.from_numpy(inputs(r, (4,), "float64")), nxt)
    expect(got == prv, f"recv returned {got}, expected {prv}")
    assert_equal(t, inputs(prv, (4,), "float64"), "ring send/recv")
    out = fl.zeros(3, 2, dtype=fl.int32)
    works = [dist.irecv(out, prv, tag=7),
             dist.isend(fl.from_numpy(inputs(r, (3, 2), "int32")), nxt, tag=7)]
    for w in works:
        w.wait()
    assert_equal(out, inputs(prv, (3, 2), "int32"), "isend/irecv")
    raises(ValueError, lambda: dist.send(fl.zeros(1), r), "deadlock")


@checks
def recv_of_a_shorter_message_raises(ctx):
    if ctx.size == 1:
        return "skip: needs two ranks"
    if ctx.rank == 0:
        dist.send(fl.ones(3), 1, tag=3)
    elif ctx.rank == 1:
        raises(RuntimeError, lambda: dist.recv(fl.zeros(5), 0, tag=3), "sent 12 bytes")


@checks
def work_wait_timeout(ctx):
    if ctx.size == 1:
        return "skip: needs two ranks"
    n, r = ctx.size, ctx.rank
    t = fl.zeros(2)
    work = dist.irecv(t, (r - 1) % n, tag=11)
    raises(RuntimeError, lambda: work.wait(timeout=0.05), "did not finish")
    expect(not work.is_completed(), 'not work.is_completed()')
    dist.barrier()                       # now every rank sends what the others wait for
    dist.send(fl.ones(2) * r, (r + 1) % n, tag=11)
    expect(work.wait(timeout=30), 'work.wait(timeout=30)')
    assert_equal(t, np.full(2, (r - 1) % n, np.float32), "late message")


@checks
def barrier_sync_and_async(ctx):
    expect(dist.barrier() is None, 'dist.barrier() is None')
    work = dist.barrier(async_op=True)
    work.wait()
    expect(work.is_completed() and work.is_success(), 'work.is_completed() and work.is_success()')
