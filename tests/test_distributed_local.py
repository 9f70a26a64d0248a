"""flambeau.distributed without a launched job: DistributedSampler's semantics, and the
errors raised before any MPI call (so this file never starts MPI in the test process)."""

from __future__ import annotations

import math

import pytest

import flambeau as fl
import flambeau.distributed as dist
from flambeau.utils.data import DataLoader, DistributedSampler, TensorDataset


def shards(n: int, replicas: int, **kwargs) -> list[list[int]]:
    return [list(DistributedSampler(range(n), replicas, r, **kwargs)) for r in range(replicas)]


@pytest.mark.parametrize("n,replicas", [(10, 3), (9, 3), (2, 4), (7, 1), (1, 3), (0, 2)])
def test_padding_without_shuffle(n, replicas):
    parts = shards(n, replicas, shuffle=False)
    per = math.ceil(n / replicas)
    padded = list(range(n))
    while len(padded) < per * replicas:        # PyTorch repeats from the start
        padded += list(range(n))[:per * replicas - len(padded)]
    for r, part in enumerate(parts):
        assert part == padded[r::replicas]
        assert len(part) == per == len(DistributedSampler(range(n), replicas, r,
                                                          shuffle=False))


@pytest.mark.parametrize("n,replicas", [(10, 3), (9, 3), (11, 4), (3, 5)])
def test_drop_last_trims_the_tail(n, replicas):
    parts = shards(n, replicas, shuffle=False, drop_last=True)
    per = n // replicas
    for r, part in enumerate(parts):
        assert part == list(range(per * replicas))[r::replicas]
        assert len(part) == per


def test_shuffle_is_a_shared_permutation_seeded_by_seed_plus_epoch():
    n, replicas = 23, 4
    parts = shards(n, replicas, seed=7)
    perm = fl.randperm(n, generator=fl.Generator().manual_seed(7)).tolist()
    padded = perm + perm[:24 - n]
    assert [p for r in range(replicas) for p in parts[r]] != list(range(24))
    for r in range(replicas):
        assert parts[r] == padded[r::replicas]
    s = DistributedSampler(range(n), replicas, 1, seed=7)
    first = list(s)
    assert list(s) == first                        # same epoch, same order
    s.set_epoch(1)
    perm1 = fl.randperm(n, generator=fl.Generator().manual_seed(8)).tolist()
    assert list(s) == (perm1 + perm1[:24 - n])[1::replicas]
    assert list(s) != first
    # together the shards cover every index (padding repeats some)
    assert set().union(*map(set, parts)) == set(range(n))


def test_sampler_in_a_dataloader():
    ds = TensorDataset(fl.arange(9))      # padded to 10 with index 0
    loader = DataLoader(ds, batch_size=2, sampler=DistributedSampler(ds, 2, 1, shuffle=False))
    assert [b[0].tolist() for b in loader] == [[1, 3], [5, 7], [0]]


def test_sampler_argument_errors():
    with pytest.raises(ValueError, match="Invalid rank 3"):
        DistributedSampler(range(5), num_replicas=3, rank=3)
    with pytest.raises(ValueError, match="Invalid rank -1"):
        DistributedSampler(range(5), num_replicas=3, rank=-1)
    with pytest.raises(RuntimeError, match="init_process_group"):
        DistributedSampler(range(5))               # no group, no num_replicas


def test_errors_before_any_mpi_call():
    assert dist.is_available()
    assert not dist.is_initialized()
    with pytest.raises(RuntimeError, match="has not been initialized"):
        dist.get_rank()
    with pytest.raises(RuntimeError, match="has not been initialized"):
        dist.all_reduce(fl.ones(2))
    with pytest.raises(ValueError, match="backend 'nccl'"):
        dist.init_process_group("nccl")
    with pytest.raises(ValueError, match="init_method"):
        dist.init_process_group("mpi", init_method="tcp://10.0.0.1:23456")
    if not dist.is_mpi_launched():
        with pytest.raises(ValueError, match="mpiexec -n 2"):
            dist.init_process_group("mpi", world_size=2)
    assert not dist.is_initialized()


def test_reduce_op_names():
    assert [op.name for op in dist.ReduceOp] == ["SUM", "AVG", "PRODUCT", "MIN", "MAX",
                                                 "BAND", "BOR", "BXOR"]
    assert repr(dist.ReduceOp.SUM) == "ReduceOp.SUM"


def test_engine_queue_callback_runs_once_after_backward():
    # the end-of-backward hook DDP relies on (flambeau.autograd.engine.queue_callback)
    from flambeau.autograd.engine import queue_callback
    a, b = fl.ones(3, requires_grad=True), fl.ones(2, requires_grad=True)
    seen = []

    def after():
        seen.append((a.grad is not None, b.grad is not None))

    def hook(t):
        if not queued:
            queued.append(t)
            queue_callback(after)

    queued: list = []
    a.register_post_accumulate_grad_hook(hook)
    ((a * 2).sum() + (b * 3).sum()).backward()
    assert seen == [(True, True)]              # after every leaf was accumulated, once
    with pytest.raises(RuntimeError, match="no backward pass is running"):
        queue_callback(after)
