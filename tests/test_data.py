"""flambeau.utils.data: datasets, samplers, collation and the DataLoader (with workers).

References: literal batches and lengths worked out from PyTorch's documented semantics
(``torch.utils.data``), NumPy arrays for values, and set arithmetic for permutations.
Worker tests use tiny datasets; datasets that travel to workers are module-level
classes so that they pickle under any start method.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import random
import time
from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import flambeau as fl
from flambeau.utils.data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader,
                                 Dataset, IterableDataset, RandomSampler, Sampler,
                                 SequentialSampler, Subset, SubsetRandomSampler,
                                 TensorDataset, WeightedRandomSampler, default_collate,
                                 default_convert, get_worker_info, random_split)


@pytest.fixture(autouse=True)
def reseed():
    yield
    fl.manual_seed(0)


def _flat(batches):
    """Batches of index tensors (or lists of them) -> one Python list of ints."""
    out = []
    for b in batches:
        b = b[0] if isinstance(b, list) else b
        out.extend(b.tolist())
    return out


def _ids(n):
    return TensorDataset(fl.arange(n))


# --- module-level datasets and hooks, picklable for worker processes ------------------
class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": np.full((2,), i * i, dtype=np.int32), "i": i, "f": float(i) / 2}


class WorkerProbe(Dataset):
    """Each sample says which process made it and what its generators gave."""

    offset = 0

    def __len__(self):
        return 6

    def __getitem__(self, i):
        info = get_worker_info()
        return {"i": i + self.offset, "id": info.id, "seed": info.seed, "pid": os.getpid(),
                "n": info.num_workers, "fl": fl.rand(1).item(), "py": random.random(),
                "np": float(np.random.rand())}


def shift_by_worker(worker_id):
    get_worker_info().dataset.offset = 100 * worker_id


class Failing(Dataset):
    def __init__(self, bad, exc):
        self.bad, self.exc = bad, exc

    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == self.bad:
            raise self.exc
        return i


class NeedsTwoArgs(Exception):
    def __init__(self, a, b):
        super().__init__(f"{a} {b}")


class Sleepy(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 1:
            time.sleep(5)
        return i


class Dies(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 1:
            os._exit(3)
        return i


class Pids(Dataset):
    def __len__(self):
        return 40

    def __getitem__(self, i):
        return os.getpid()


class ShardedRange(IterableDataset):
    """range(start, end), split into contiguous shards across workers."""

    def __init__(self, start, end, with_len=True):
        self.start, self.end, self.with_len = start, end, with_len

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per = math.ceil((self.end - self.start) / info.num_workers)
        lo = self.start + info.id * per
        return iter(range(lo, min(lo + per, self.end)))

    def __len__(self):
        if not self.with_len:
            raise TypeError("no len")
        return self.end - self.start


class AllDtypes(Dataset):
    def __len__(self):
        return 3

    def __getitem__(self, i):
        return {n: fl.full((2,), i, dtype=getattr(fl, n)) for n in
                ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
                 "float64")}


def raise_in_init(worker_id):
    raise ValueError(f"init failed in {worker_id}")


# --- datasets -------------------------------------------------------------------------
def test_tensor_dataset():
    x, y = fl.arange(12).reshape(4, 3), fl.tensor([10, 11, 12, 13])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    a, b = ds[2]
    assert a.tolist() == [6, 7, 8] and b.item() == 12
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(x, fl.arange(3))


def test_subset_and_concat():
    base = list(range(10, 20))
    sub = Subset(base, [3, 1, 4])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [13, 11, 14]
    assert sub.__getitems__([0, 2]) == [13, 14]
    cat = ConcatDataset([[0, 1, 2], [3], [4, 5]])
    assert len(cat) == 6 and cat.cumulative_sizes == [3, 4, 6]
    assert [cat[i] for i in range(6)] == [0, 1, 2, 3, 4, 5]
    assert cat[-1] == 5 and cat[-6] == 0
    with pytest.raises(ValueError):
        cat[-7]
    with pytest.raises(IndexError):
        cat[6]
    both = _ids(2) + _ids(3)
    assert isinstance(both, ConcatDataset) and len(both) == 5
    with pytest.raises(ValueError):
        ConcatDataset([])
    with pytest.raises(TypeError):
        ConcatDataset([ShardedRange(0, 3)])


def test_chain_dataset():
    chained = ShardedRange(0, 3) + ShardedRange(10, 12)
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 2, 10, 11] and len(chained) == 5


def test_random_split_lengths_and_disjointness():
    ds = list(range(10))
    parts = random_split(ds, [3, 7], generator=fl.Generator().manual_seed(1))
    assert [len(p) for p in parts] == [3, 7]
    got = [ds_i for p in parts for ds_i in (p[i] for i in range(len(p)))]
    assert sorted(got) == ds  # disjoint and covering
    again = random_split(ds, [3, 7], generator=fl.Generator().manual_seed(1))
    assert [list(p.indices) for p in again] == [list(p.indices) for p in parts]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [3, 6])


def test_random_split_fractions():
    # floor(10 * f) = 3, 3, 3; the remainder 1 goes to the first split (PyTorch's rule)
    parts = random_split(list(range(10)), [0.33, 0.33, 0.34])
    assert [len(p) for p in parts] == [4, 3, 3]
    assert sorted(i for p in parts for i in p.indices) == list(range(10))
    with pytest.warns(UserWarning, match="index 1 is 0"):
        parts = random_split(list(range(2)), [0.1, 0.1, 0.8])
    assert [len(p) for p in parts] == [1, 0, 1]
    with pytest.raises(ValueError, match="Fraction at index 0"):
        random_split(list(range(4)), [1.5, -0.5])


# --- samplers -------------------------------------------------------------------------
def test_sequential_and_batch_sampler():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    seq = SequentialSampler(range(10))
    assert list(BatchSampler(seq, 3, False)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(BatchSampler(seq, 3, True)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(BatchSampler(seq, 3, False)) == 4 and len(BatchSampler(seq, 3, True)) == 3
    for bad in (0, -1, True, 2.0):
        with pytest.raises(ValueError, match="batch_size"):
            BatchSampler(seq, bad, False)
    with pytest.raises(NotImplementedError):
        iter(Sampler())


def test_random_sampler_permutations():
    g = fl.Generator().manual_seed(3)
    s = RandomSampler(range(20), generator=g)
    e1, e2 = list(s), list(s)
    assert sorted(e1) == sorted(e2) == list(range(20)) and e1 != e2  # new epoch, new order
    g2 = fl.Generator().manual_seed(3)
    assert list(RandomSampler(range(20), generator=g2)) == e1
    # without a generator, fl.manual_seed decides
    fl.manual_seed(5)
    a = list(RandomSampler(range(20)))
    fl.manual_seed(5)
    assert list(RandomSampler(range(20))) == a
    # more samples than items, without replacement: whole permutations, then a part
    many = list(RandomSampler(range(5), num_samples=12, generator=g))
    assert len(many) == 12 and sorted(many[:10]) == sorted(list(range(5)) * 2)
    assert len(set(many[10:])) == 2


def test_random_sampler_replacement_and_errors():
    s = RandomSampler(range(4), replacement=True, num_samples=70,
                      generator=fl.Generator().manual_seed(0))
    draws = list(s)
    assert len(draws) == len(s) == 70 and set(draws) <= {0, 1, 2, 3}
    assert len(set(draws)) == 4  # 70 draws from 4 miss one with probability ~4e-9
    with pytest.raises(TypeError, match="replacement"):
        RandomSampler(range(4), replacement=1)
    for bad in (0, -3, 2.5):
        with pytest.raises(ValueError, match="num_samples"):
            RandomSampler(range(4), num_samples=bad)


def test_subset_random_and_weighted_samplers():
    idx = [7, 3, 9, 1]
    s = SubsetRandomSampler(idx, generator=fl.Generator().manual_seed(0))
    assert sorted(s) == sorted(idx) and len(s) == 4
    w = WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 400,
                              generator=fl.Generator().manual_seed(0))
    draws = np.array(list(w))
    assert len(w) == 400 and set(draws.tolist()) <= {1, 3}
    assert 0.15 < np.mean(draws == 1) < 0.35  # expected 0.25
    no_rep = list(WeightedRandomSampler([1, 1, 1, 1, 1], 5, replacement=False))
    assert sorted(no_rep) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="1d"):
        WeightedRandomSampler([[1.0, 2.0]], 2)


# --- collation ------------------------------------------------------------------------
Point = namedtuple("Point", "x y")


def test_default_collate_leaves():
    t = default_collate([fl.tensor([1, 2]), fl.tensor([3, 4])])
    assert t.dtype == fl.int64 and t.tolist() == [[1, 2], [3, 4]]
    a = default_collate([np.zeros(2, np.float16), np.ones(2, np.float16)])
    assert a.dtype == fl.float16 and a.tolist() == [[0, 0], [1, 1]]
    s = default_collate([np.int32(1), np.int32(2)])
    assert s.dtype == fl.int32 and s.tolist() == [1, 2]
    f = default_collate([1.5, 2.0])
    assert f.dtype == fl.float64 and f.tolist() == [1.5, 2.0]
    i = default_collate([1, 2])
    assert i.dtype == fl.int64 and i.tolist() == [1, 2]
    b = default_collate([True, False])
    assert b.dtype == fl.bool and b.tolist() == [True, False]
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([b"a", b"b"]) == [b"a", b"b"]


def test_default_collate_containers():
    out = default_collate([(fl.tensor(1.0), 0), (fl.tensor(2.0), 1)])
    assert isinstance(out, list) and out[0].tolist() == [1.0, 2.0]  # tuple -> list
    assert out[1].tolist() == [0, 1]
    p = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(p, Point) and p.x.tolist() == [1, 3] and p.y.dtype == fl.float64
    d = default_collate([OrderedDict(a=1, b=[1, 2]), OrderedDict(a=2, b=[3, 4])])
    assert isinstance(d, OrderedDict) and d["a"].tolist() == [1, 2]
    assert [c.tolist() for c in d["b"]] == [[1, 3], [2, 4]]
    nested = default_collate([{"s": "x", "v": {"w": np.array([1.0])}}] * 2)
    assert nested["s"] == ["x", "x"] and nested["v"]["w"].dtype == fl.float64
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="default_collate"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_default_convert():
    out = default_convert({"a": np.arange(3), "b": (np.float32(1.0), "s"), "c": 5})
    assert out["a"].dtype == fl.int64 and out["a"].tolist() == [0, 1, 2]
    assert isinstance(out["b"], list) and out["b"][0].dtype == fl.float32
    assert out["b"][1] == "s" and out["c"] == 5


# --- DataLoader in the main process ---------------------------------------------------
def test_batches_drop_last_and_len():
    dl = DataLoader(_ids(10), batch_size=3)
    assert [b[0].tolist() for b in dl] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert len(dl) == 4
    dl = DataLoader(_ids(10), batch_size=3, drop_last=True)
    assert [b[0].tolist() for b in dl] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(dl) == 3
    assert len(DataLoader(_ids(9), batch_size=3)) == 3


def test_shuffle_reproducible_and_reshuffled():
    def epochs(seed):
        dl = DataLoader(_ids(16), batch_size=4, shuffle=True,
                        generator=fl.Generator().manual_seed(seed))
        return [_flat(dl) for _ in range(2)]
    e1, e2 = epochs(7)
    assert sorted(e1) == sorted(e2) == list(range(16))  # each index exactly once
    assert e1 != e2 and e1 != list(range(16))
    assert epochs(7) == [e1, e2]
    assert epochs(8)[0] != e1


def test_loader_options():
    ds = _ids(6)
    unbatched = list(DataLoader(ds, batch_size=None))  # tuples become lists, no stacking
    assert [(type(b), b[0].item()) for b in unbatched] == [(list, i) for i in range(6)]
    dl = DataLoader(ds, batch_size=2, sampler=[5, 4, 3, 2, 1, 0])
    assert _flat(dl) == [5, 4, 3, 2, 1, 0]
    dl = DataLoader(ds, batch_sampler=[[0, 5], [1]])
    assert [b[0].tolist() for b in dl] == [[0, 5], [1]] and len(dl) == 2
    dl = DataLoader(ds, batch_size=4, collate_fn=lambda b: len(b), pin_memory=True)
    assert list(dl) == [4, 2]
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="drop_last"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="prefetch_factor"):
        DataLoader(ds, prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="expected unspecified shuffle"):
        DataLoader(ShardedRange(0, 4), shuffle=True)
    with pytest.raises(ValueError, match="should not be set"):
        dl.batch_size = 3


def test_iterable_dataset_main_process():
    dl = DataLoader(ShardedRange(0, 7), batch_size=2)
    assert [b.tolist() for b in dl] == [[0, 1], [2, 3], [4, 5], [6]] and len(dl) == 4
    dl = DataLoader(ShardedRange(0, 7), batch_size=2, drop_last=True)
    assert [b.tolist() for b in dl] == [[0, 1], [2, 3], [4, 5]] and len(dl) == 3
    assert list(DataLoader(ShardedRange(0, 3), batch_size=None)) == [0, 1, 2]  # ints stay
    with pytest.raises(TypeError):
        len(DataLoader(ShardedRange(0, 3, with_len=False)))
    assert get_worker_info() is None


# --- DataLoader with worker processes -------------------------------------------------
def _as_lists(batches):
    return [{k: (v.tolist() if isinstance(v, fl.Tensor) else v) for k, v in b.items()}
            for b in batches]


def test_workers_match_main_process():
    def run(workers):
        dl = DataLoader(Squares(11), batch_size=3, shuffle=True, num_workers=workers,
                        generator=fl.Generator().manual_seed(4))
        return _as_lists(dl)
    single, multi = run(0), run(2)
    assert multi == single and len(single) == 4
    assert sorted(i for b in single for i in b["i"]) == list(range(11))
    assert single[0]["x"] == [[i * i] * 2 for i in single[0]["i"]]


def test_worker_seeds_info_and_init_fn():
    dl = DataLoader(WorkerProbe(), batch_size=1, num_workers=2,
                    worker_init_fn=shift_by_worker)
    rows = [{k: v[0].item() for k, v in b.items()} for b in dl]
    # tasks go round-robin: worker 0 gets batches 0, 2, 4 and worker 1 gets 1, 3, 5
    assert [r["id"] for r in rows] == [0, 1, 0, 1, 0, 1]
    assert [r["i"] for r in rows] == [0, 101, 2, 103, 4, 105]
    assert all(r["n"] == 2 for r in rows)
    w0, w1 = rows[0], rows[1]
    assert w1["seed"] == w0["seed"] + 1 and w0["pid"] != w1["pid"] != os.getpid()
    for key in ("fl", "py", "np"):  # every generator is seeded differently per worker
        assert w0[key] != w1[key]


def test_worker_error_carries_worker_id():
    dl = DataLoader(Failing(1, ValueError("bad sample")), batch_size=1, num_workers=2)
    with pytest.raises(ValueError, match=r"(?s)worker process 1.*bad sample"):
        list(dl)
    with pytest.raises(KeyError, match="worker process 0"):
        list(DataLoader(Failing(2, KeyError("k")), batch_size=1, num_workers=2))
    with pytest.raises(RuntimeError, match="NeedsTwoArgs"):
        list(DataLoader(Failing(0, NeedsTwoArgs(1, 2)), batch_size=1, num_workers=1))
    with pytest.raises(ValueError, match="init failed in 0"):
        list(DataLoader(_ids(2), num_workers=1, worker_init_fn=raise_in_init))


def test_worker_error_then_iteration_continues():
    it = iter(DataLoader(Failing(1, ValueError("x")), batch_size=1, num_workers=2))
    assert next(it).tolist() == [0]
    with pytest.raises(ValueError):
        next(it)
    assert [b.item() for b in it] == [2, 3]


def test_iterable_sharding_with_workers():
    dl = DataLoader(ShardedRange(0, 8), batch_size=2, num_workers=2)
    # worker 0 holds 0..3, worker 1 holds 4..7; batches alternate between them
    assert [b.tolist() for b in dl] == [[0, 1], [4, 5], [2, 3], [6, 7]]
    dl = DataLoader(ShardedRange(0, 7), batch_size=2, num_workers=2)
    assert [b.tolist() for b in dl] == [[0, 1], [4, 5], [2, 3], [6]]
    dl = DataLoader(ShardedRange(0, 7), batch_size=2, num_workers=2, drop_last=True)
    assert [b.tolist() for b in dl] == [[0, 1], [4, 5], [2, 3]]


def test_timeout_and_dead_worker_raise():
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="timed out after 0.3 seconds"):
        list(DataLoader(Sleepy(), batch_size=1, num_workers=1, timeout=0.3))
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(DataLoader(Dies(), batch_size=1, num_workers=1))
    assert time.monotonic() - t0 < 15


class _Cycle:
    def __init__(self, it):
        self.it, self.me = it, self


@pytest.mark.parametrize("in_cycle", [False, True], ids=["refcount", "gc-cycle"])
def test_early_break_stops_workers(in_cycle):
    it = iter(DataLoader(Pids(), batch_size=2, num_workers=2))
    pids = {next(it)[0].item(), next(it)[0].item()}
    assert len(pids) == 2
    if in_cycle:  # only the cycle collector can free it, and it tears the queues down too
        it = _Cycle(it)
    del it
    gc.collect()
    deadline = time.monotonic() + 5
    while pids & {p.pid for p in multiprocessing.active_children()}:
        assert time.monotonic() < deadline, "workers still alive after the iterator died"
        time.sleep(0.05)


def test_persistent_workers_reused_across_epochs():
    dl = DataLoader(Pids(), batch_size=10, num_workers=2, persistent_workers=True)
    first = {p for b in dl for p in b.tolist()}
    second = {p for b in dl for p in b.tolist()}
    assert first == second and len(first) == 2
    it = iter(dl)
    next(it)  # leave an epoch early: the next one still starts cleanly
    assert sum(len(b) for b in dl) == 40
    del dl, it
    gc.collect()
    # an exhausted IterableDataset copy starts over at the next epoch
    dl = DataLoader(ShardedRange(0, 7), batch_size=2, num_workers=2, persistent_workers=True)
    for _ in range(2):
        assert [b.tolist() for b in dl] == [[0, 1], [4, 5], [2, 3], [6]]


def test_tensors_of_every_dtype_cross_processes():
    batches = list(DataLoader(AllDtypes(), batch_size=3, num_workers=1))
    for name, t in batches[0].items():
        assert t.dtype == getattr(fl, name)
        np.testing.assert_array_equal(t.numpy(), np.repeat(np.arange(3), 2).reshape(3, 2)
                                      .astype(name))


def test_spawn_start_method():
    ds = TensorDataset(fl.arange(6).float(), fl.arange(6))
    dl = DataLoader(ds, batch_size=4, num_workers=1, multiprocessing_context="spawn")
    out = [(x.tolist(), y.tolist()) for x, y in dl]
    assert out == [([0.0, 1.0, 2.0, 3.0], [0, 1, 2, 3]), ([4.0, 5.0], [4, 5])]
