"""Start-of-training agreement for DistributedDataParallel: same model on every rank,
then rank 0's values everywhere.

:func:`verify_same_model` all-gathers a short signature of the parameters and buffers
(names, shapes, dtypes) first, so a model that differs between ranks raises the same
error on every rank instead of hanging in the broadcasts that follow.
:func:`broadcast_coalesced` sends many tensors as one flat buffer per dtype.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...distributed import all_gather_object, broadcast
from ...distributed.buffers import host_copy, host_dtype, store
from ...frontend.creation import from_numpy
from ...frontend.tensor import Tensor

__all__ = ["verify_same_model", "broadcast_coalesced"]


def _signature(named: Sequence[tuple[str, str, Tensor]]) -> list[tuple[str, str, str]]:
    return [(kind, name, f"{t._dtype.name}{list(t._data.shape)}") for kind, name, t in named]


def verify_same_model(named: Sequence[tuple[str, str, Tensor]], group) -> None:
    """Raise on every rank unless all ranks hold the same ``(kind, name, tensor)`` list."""
    mine = _signature(named)
    everyone: list = [None] * group.size()
    all_gather_object(everyone, mine, group=group)
    ref = everyone[0]
    for r, sig in enumerate(everyone[1:], start=1):
        if sig == ref:
            continue
        rank = group.ranks[r]
        for a, b in zip(ref, sig):
            if a != b:
                detail = (f"rank {rank} has {b[0]} '{b[1]}' {b[2]} where rank "
                          f"{group.ranks[0]} has {a[0]} '{a[1]}' {a[2]}")
                break
        else:
            detail = (f"rank {rank} has {len(sig)} parameters and buffers, rank "
                      f"{group.ranks[0]} has {len(ref)}")
        raise RuntimeError(f"DistributedDataParallel: the model differs between ranks: "
                           f"{detail}. Every rank must build the same model.")


def broadcast_coalesced(tensors: Sequence[Tensor], src: int, group) -> None:
    """Overwrite ``tensors`` on every rank with their values on global rank ``src``."""
    by_dtype: dict = {}
    for t in tensors:
        by_dtype.setdefault(t._dtype, []).append(t)
    me = group.ranks[group.rank()]
    for ts in by_dtype.values():
        if me == src:
            flat = np.concatenate([np.ascontiguousarray(host_copy(t)).reshape(-1)
                                   for t in ts])
        else:
            flat = np.empty(sum(t.numel() for t in ts), host_dtype(ts[0]))
        broadcast(from_numpy(flat), src=src, group=group)
        if me != src:
            off = 0
            for t in ts:
                n = t.numel()
                store(t, flat[off:off + n].reshape(t._data.shape))
                off += n
