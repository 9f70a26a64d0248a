"""Checks of object collectives, subgroups, devices and the debug mode, run on every
rank of one mpiexec job (see :mod:`checks_collectives` for the conventions)."""

from __future__ import annotations

import os
import warnings

import numpy as np

import flambeau as fl
import flambeau.distributed as dist
from checks_collectives import assert_equal, inputs, raises, stagedev
from harness import Checks, expect

checks = Checks()


# --- objects ---------------------------------------------------------------------------
@checks
def object_collectives(ctx):
    objs = [{"a": 1, "rank": ctx.rank}, "text", [1, 2, 3]] if ctx.rank == 0 \
        else [None, None, None]
    dist.broadcast_object_list(objs, src=0)
    expect(objs == [{"a": 1, "rank": 0}, "text", [1, 2, 3]], objs)
    out = [None] * ctx.size
    dist.all_gather_object(out, {"rank": ctx.rank, "blob": "x" * (ctx.rank * 100)})
    expect(out == [{"rank": r, "blob": "x" * (r * 100)} for r in range(ctx.size)], str(out))


# --- groups ----------------------------------------------------------------------------
@checks
def subgroups(ctx):
    n, r = ctx.size, ctx.rank
    evens = [q for q in range(n) if q % 2 == 0]
    g = dist.new_group(list(reversed(evens)))     # sorted, as in PyTorch
    expect(dist.get_process_group_ranks(g) == evens, 'dist.get_process_group_ranks(g) == evens')
    t = fl.from_numpy(inputs(r, (3,), "float32"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = dist.all_reduce(t, group=g)
    expect(result is None, 'result is None')
    if r in evens:
        expect(dist.get_rank(g) == evens.index(r) and dist.get_world_size(g) == len(evens),
               "member rank/size")
        assert_equal(t, sum(inputs(q, (3,), "float32") for q in evens), "subgroup sum")
        b = fl.zeros(2)
        dist.broadcast(b if r != evens[-1] else fl.ones(2) * 9, src=evens[-1], group=g)
        if r != evens[-1]:
            assert_equal(b, np.full(2, 9, np.float32), "subgroup broadcast from global rank")
        raises(ValueError, lambda: dist.broadcast(fl.zeros(1), src=1, group=g),
               "not a rank of this group")
    else:
        expect(dist.get_rank(g) == -1 and dist.get_world_size(g) == -1, "non-member: -1")
        expect(any("does not belong" in str(w.message) for w in caught), "no warning")
        assert_equal(t, inputs(r, (3,), "float32"), "non-member tensor untouched")
    dist.destroy_process_group(g)
    raises(RuntimeError, lambda: dist.all_reduce(fl.zeros(1), group=g), "destroyed")
    # every rank must pass the same ranks: a disagreement raises everywhere, no hang
    if n > 1:
        raises(ValueError, lambda: dist.new_group([0] if r == 0 else list(range(n))),
               "same ranks")
    raises(ValueError, lambda: dist.new_group([0, n]), "distinct ranks")


# --- devices ---------------------------------------------------------------------------
@checks
def staged_device_collectives(ctx):
    dev = stagedev()
    t = fl.from_numpy(inputs(ctx.rank, (2, 3), "float32")).to(dev)
    dist.all_reduce(t)
    expect(t.device.type == dev, 't.device.type == dev')
    assert_equal(t.cpu(), sum(inputs(r, (2, 3), "float32") for r in range(ctx.size)),
                 "all_reduce on a staged device")
    t = fl.from_numpy(inputs(ctx.rank, (4,), "int64")).to(dev)
    dist.all_reduce(t, op=dist.ReduceOp.MAX, async_op=True).wait()
    assert_equal(t.cpu(), np.max([inputs(r, (4,), "int64") for r in range(ctx.size)], 0),
                 "async MAX on a staged device")
    b = fl.from_numpy(inputs(ctx.rank, (5,), "float64")).to(dev)
    dist.broadcast(b, src=ctx.size - 1)
    assert_equal(b.cpu(), inputs(ctx.size - 1, (5,), "float64"), "broadcast, staged")
    out = fl.zeros(ctx.size, 3).to(dev)
    dist.all_gather_into_tensor(out, fl.from_numpy(inputs(ctx.rank, (3,), "float32")).to(dev))
    assert_equal(out.cpu(), np.stack([inputs(r, (3,), "float32") for r in range(ctx.size)]),
                 "all_gather_into_tensor, staged")
    lst = [fl.zeros(3).to(dev) for _ in range(ctx.size)]
    dist.all_gather(lst, fl.from_numpy(inputs(ctx.rank, (3,), "float32")).to(dev))
    for r in range(ctx.size):
        assert_equal(lst[r].cpu(), inputs(r, (3,), "float32"), "all_gather list, staged")


@checks
def direct_buffer_hook(ctx):
    dev = stagedev()
    calls = []

    def direct(t):
        calls.append(t)
        return t._data          # this "device" memory is NumPy, so MPI can use it as is

    dist.register_direct_buffer(dev, direct)
    try:
        t = fl.from_numpy(inputs(ctx.rank, (6,), "float32")).to(dev)
        dist.all_reduce(t)
        expect(calls and calls[0] is t, "the direct hook was not used")
        assert_equal(t.cpu(), sum(inputs(r, (6,), "float32") for r in range(ctx.size)),
                     "all_reduce through the direct hook")
    finally:
        dist.register_direct_buffer(dev, None)


@checks
def wrong_device_is_refused(ctx):
    dev = stagedev()
    mine = fl.zeros(3)
    out = [fl.zeros(3) for _ in range(ctx.size)]
    out[-1] = out[-1].to(dev)
    raises(ValueError, lambda: dist.all_gather(out, mine), "stagedev", "cpu", "one device")
    raises(ValueError, lambda: dist.all_gather_into_tensor(fl.zeros(ctx.size * 3).to(dev),
                                                           mine), "one device")
    raises(TypeError, lambda: dist.all_reduce(np.zeros(3)), "flambeau.Tensor")


# --- debug mode ------------------------------------------------------------------------
@checks
def debug_mode_catches_mismatched_calls(ctx):
    if ctx.size == 1:
        return "skip: needs two ranks"
    os.environ["FLAMBEAU_DISTRIBUTED_DEBUG"] = "1"
    try:
        g = dist.new_group()
    finally:
        del os.environ["FLAMBEAU_DISTRIBUTED_DEBUG"]
    expect(g.debug and not dist.new_group().debug, 'g.debug and not dist.new_group().debug')
    t = fl.ones(4)
    dist.all_reduce(t, group=g)                  # matching calls pass
    assert_equal(t, np.full(4, ctx.size, np.float32), "debug all_reduce")
    shape = (5,) if ctx.rank == 1 else (4,)
    e = raises(RuntimeError, lambda: dist.all_reduce(fl.ones(*shape), group=g),
               "collective mismatch", "rank 1 called all_reduce(tensor=float32[5]",
               "float32[4]")
    expect(e is not None and ("rank 0 called" if ctx.size == 2 else "ranks 0, 2, 3 called")
           in str(e), str(e))
    if ctx.rank == 0:
        fn = lambda: dist.broadcast(fl.ones(4), src=0, group=g)  # noqa: E731
    else:
        fn = lambda: dist.all_reduce(fl.ones(4), group=g)  # noqa: E731
    raises(RuntimeError, fn, "rank 0 called broadcast", "called all_reduce")
    dtype = fl.float64 if ctx.rank == ctx.size - 1 else fl.float32
    raises(RuntimeError, lambda: dist.all_gather_into_tensor(
        fl.zeros(ctx.size * 2, dtype=dtype), fl.zeros(2, dtype=dtype), group=g), "float64")
    dist.destroy_process_group(g)
