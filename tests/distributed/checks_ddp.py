"""Checks of DistributedDataParallel, run on every rank of one mpiexec job.

The reference is a plain model trained in the same process on the whole batch (or the
per-rank gradients summed by hand): N ranks on 1/N of the batch each must end with
the same parameters and gradients.
"""

from __future__ import annotations

import numpy as np

import flambeau as fl
import flambeau.distributed as dist
import flambeau.nn as nn
import flambeau.nn.functional as F
from checks_collectives import raises, stagedev
from flambeau.nn.parallel import DistributedDataParallel as DDP
from harness import Checks, expect

checks = Checks()
LOCAL_BATCH = 4


class Net(nn.Module):
    """Conv + MLP; with ``extra``, a last layer that only runs when asked (for
    find_unused_parameters)."""

    def __init__(self, hidden: int = 16, extra: bool = False):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3, padding=1)
        self.fc1 = nn.Linear(3 * 4 * 4, hidden)
        self.fc2 = nn.Linear(hidden, 4)
        if extra:
            self.extra = nn.Linear(4, 4)

    def forward(self, x, use_extra: bool = False):
        out = self.fc2(F.relu(self.fc1(F.relu(self.conv(x)).flatten(1))))
        return self.extra(out) if use_extra else out


def net(seed: int, **kwargs) -> Net:
    fl.manual_seed(seed)
    return Net(**kwargs)


def batch(ctx, step: int):
    """The global batch of ``step`` (same on every rank) and this rank's shard."""
    rng = np.random.default_rng(1000 + step)
    n = LOCAL_BATCH * ctx.size
    x = rng.standard_normal((n, 1, 4, 4)).astype(np.float32)
    y = rng.integers(0, 4, n).astype(np.int64)
    lo, hi = ctx.rank * LOCAL_BATCH, (ctx.rank + 1) * LOCAL_BATCH
    return (fl.from_numpy(x), fl.from_numpy(y)), (fl.from_numpy(x[lo:hi]),
                                                  fl.from_numpy(y[lo:hi]))


def max_diff(a: nn.Module, b: nn.Module, grads: bool = False) -> float:
    worst = 0.0
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb
        ta, tb = (pa.grad, pb.grad) if grads else (pa, pb)
        if ta is None or tb is None:
            assert ta is None and tb is None, f"{na}: grad None on one side only"
            continue
        worst = max(worst, float(np.abs(ta.detach().cpu().numpy() -
                                        tb.detach().cpu().numpy()).max()))
    return worst


def same_on_all_ranks(t) -> bool:
    mine = t.detach().cpu().contiguous()
    out = [fl.zeros_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(out, mine)
    return all(bool((o == mine).all()) for o in out)


@checks
def ddp_broadcasts_rank0_parameters(ctx):
    model = DDP(net(seed=ctx.rank))           # different init on every rank
    ref = net(seed=0)
    expect(max_diff(model.module, ref) == 0.0, "parameters differ from rank 0's")


@checks
def ddp_matches_single_process_training(ctx):
    for bucket_cap_mb in (25, 0.0002):        # one bucket, and about one per parameter
        model = DDP(net(seed=ctx.rank), bucket_cap_mb=bucket_cap_mb)
        if bucket_cap_mb < 1:
            expect(len(model.reducer.buckets) > 3, "expected several buckets")
        ref = net(seed=0)
        opt = fl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        ref_opt = fl.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
        for step in range(4):
            (x, y), (xs, ys) = batch(ctx, step)
            opt.zero_grad()
            F.cross_entropy(model(xs), ys).backward()
            opt.step()
            ref_opt.zero_grad()
            F.cross_entropy(ref(x), y).backward()
            ref_opt.step()
        diff = max_diff(model.module, ref)
        expect(diff <= 1e-6, f"bucket_cap_mb={bucket_cap_mb}: max |param diff| {diff:.3g}")
        expect(same_on_all_ranks(model.module.fc1.weight), "replicas diverged")


@checks
def ddp_no_sync_accumulates_locally(ctx):
    model = DDP(net(seed=0))
    ref = net(seed=0)
    (xa, ya), (xas, yas) = batch(ctx, 10)
    (xb, yb), (xbs, ybs) = batch(ctx, 11)
    with model.no_sync():
        F.cross_entropy(model(xas), yas).backward()
    local = model.module.fc2.weight.grad.clone()
    if ctx.size > 1:
        expect(not same_on_all_ranks(local), "no_sync still averaged the gradients")
    F.cross_entropy(model(xbs), ybs).backward()
    (F.cross_entropy(ref(xa), ya) + F.cross_entropy(ref(xb), yb)).backward()
    diff = max_diff(model.module, ref, grads=True)
    expect(diff <= 1e-6, f"max |grad diff| {diff:.3g}")


class TwoWays(nn.Module):
    """``x @ W.T`` computed two ways: the gradient of W comes out column-major from the
    first, row-major from the second."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(fl.randn(5, 3))

    def forward(self, x, transposed: bool):
        return x @ self.weight.T if transposed else (self.weight @ x.T).T


@checks
def ddp_gradient_layouts(ctx):
    # the reducer copies gradients in memory order; ranks whose layouts differ must
    # still get the right average (it redoes those parameters row-major)
    for mixed in (False, True):
        fl.manual_seed(0)
        model = DDP(TwoWays())
        x = fl.from_numpy(np.arange(12, dtype=np.float32).reshape(4, 3) + ctx.rank)
        transposed = ctx.rank % 2 == 0 if mixed else True
        (model(x, transposed) ** 2).sum().backward()
        want = np.zeros((5, 3), np.float32)
        for r in range(ctx.size):
            ref = TwoWays()
            ref.weight = nn.Parameter(model.module.weight.detach().clone())
            xr = fl.from_numpy(np.arange(12, dtype=np.float32).reshape(4, 3) + r)
            (ref(xr, True) ** 2).sum().backward()
            want += ref.weight.grad.numpy() / ctx.size
        got = model.module.weight.grad.numpy()
        expect(np.allclose(got, want, rtol=1e-5), f"mixed={mixed}: {got} != {want}")


@checks
def ddp_unused_parameters(ctx):
    # used nowhere: .grad stays None; everything else is averaged as usual
    model = DDP(net(seed=0, extra=True), find_unused_parameters=True, bucket_cap_mb=0.001)
    ref = net(seed=0, extra=True)
    (x, y), (xs, ys) = batch(ctx, 20)
    F.cross_entropy(model(xs), ys).backward()
    F.cross_entropy(ref(x), y).backward()
    expect(model.module.extra.weight.grad is None, 'model.module.extra.weight.grad is None')
    diff = max_diff(model.module, ref, grads=True)
    expect(diff <= 1e-6, f"max |grad diff| {diff:.3g}")
    # used on rank 0 only: the others count as a zero gradient
    model = DDP(net(seed=0, extra=True), find_unused_parameters=True)
    F.cross_entropy(model(xs, use_extra=ctx.rank == 0), ys).backward()
    ref = net(seed=0, extra=True)
    want = {n: np.zeros(p.shape, np.float32) for n, p in ref.named_parameters()}
    for r in range(ctx.size):
        ref.zero_grad()
        sl = slice(r * LOCAL_BATCH, (r + 1) * LOCAL_BATCH)
        F.cross_entropy(ref(x[sl], use_extra=r == 0), y[sl]).backward()
        for n, p in ref.named_parameters():
            if p.grad is not None:
                want[n] += p.grad.numpy() / ctx.size
    for n, p in model.module.named_parameters():
        got = p.grad.numpy()
        expect(np.allclose(got, want[n], atol=1e-6), f"{n}: {np.abs(got - want[n]).max()}")


@checks
def ddp_unused_parameter_without_flag_raises(ctx):
    model = DDP(net(seed=0, extra=True))
    _, (xs, ys) = batch(ctx, 30)
    raises(RuntimeError, lambda: F.cross_entropy(model(xs), ys).backward(),
           "extra.weight", "find_unused_parameters=True")
    model.zero_grad()
    F.cross_entropy(model(xs, use_extra=True), ys).backward()   # usable afterwards
    expect(same_on_all_ranks(model.module.extra.weight.grad), "extra's grad not averaged")


@checks
def ddp_model_mismatch_raises_everywhere(ctx):
    if ctx.size == 1:
        return "skip: needs two ranks"
    hidden = 17 if ctx.rank == ctx.size - 1 else 16
    raises(RuntimeError, lambda: DDP(net(seed=0, hidden=hidden)),
           "differs between ranks", f"rank {ctx.size - 1} has parameter 'fc1.weight'")


@checks
def ddp_broadcast_buffers(ctx):
    for flag in (True, False):
        m = net(seed=0)
        m.register_buffer("stat", fl.ones(3) * ctx.rank)
        model = DDP(m, broadcast_buffers=flag)
        expect(float(m.stat.sum()) == 0.0, "construction must take rank 0's buffers")
        m.stat.fill_(ctx.rank + 5)
        _, (xs, _) = batch(ctx, 40)
        with fl.no_grad():
            model(xs)
        want = 5.0 if flag else ctx.rank + 5.0
        expect(float(m.stat[0]) == want, f"broadcast_buffers={flag}: {m.stat}")


@checks
def ddp_state_dict_passthrough(ctx):
    model = DDP(net(seed=0))
    sd = model.state_dict()
    expect(list(sd) == list(model.module.state_dict()), list(sd)[:3])
    other = net(seed=5)
    model.load_state_dict({"module." + k: v for k, v in other.state_dict().items()})
    expect(max_diff(model.module, other) == 0.0, 'max_diff(model.module, other) == 0.0')
    expect(model.module is model._modules["module"], 'model.module is model._modules["module"]')


@checks
def ddp_on_a_staged_device(ctx):
    dev = stagedev()
    model = DDP(net(seed=ctx.rank).to(dev), device_ids=[dev], bucket_cap_mb=0.001)
    ref = net(seed=0)
    (x, y), (xs, ys) = batch(ctx, 50)
    F.cross_entropy(model(xs), ys.to(dev)).backward()   # DDP moves xs to the device
    F.cross_entropy(ref(x), y).backward()
    expect(model.module.fc1.weight.grad.device.type == dev, "grad left the device")
    diff = max_diff(model.module, ref, grads=True)
    expect(diff <= 1e-6, f"max |grad diff| {diff:.3g}")
    raises(ValueError, lambda: DDP(net(seed=0), device_ids=[dev]), "module is on cpu")
