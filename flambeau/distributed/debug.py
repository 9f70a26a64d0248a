"""The debug check: did every rank make the same collective call?

With ``FLAMBEAU_DISTRIBUTED_DEBUG=1`` when a group is created, each collective on it
first all-gathers a one-line signature of the call (the collective, the shapes and
dtypes of its tensors, its root and reduction), and if they differ raises on every
rank, naming which ranks passed what. Without the check such a mismatch hangs, or
reduces unrelated buffers into each other. The signature is a short string, gathered
with mpi4py's pickle-based ``allgather``: metadata, never tensor data.
"""

from __future__ import annotations

from ..frontend.tensor import Tensor

__all__ = ["describe", "check_same_call"]


def describe(t) -> str:
    """``float32[4, 3]``: the part of a tensor that every rank must agree on."""
    if isinstance(t, Tensor):
        return f"{t._dtype.name}{list(t._data.shape)}"
    if t is None:
        return "None"
    if isinstance(t, (list, tuple)):
        return "[" + ", ".join(describe(x) for x in t) + "]"
    return repr(t)


def check_same_call(group, signature: str) -> None:
    """Raise on every rank of ``group`` unless all of them pass the same signature."""
    everyone = group.comm.allgather(signature)
    if all(s == signature for s in everyone):
        return
    by_call: dict[str, list[int]] = {}
    for group_rank, s in enumerate(everyone):
        by_call.setdefault(s, []).append(group.ranks[group_rank])
    detail = "; ".join(f"rank{'s' if len(r) > 1 else ''} {', '.join(map(str, r))} called "
                       f"{s}" for s, r in by_call.items())
    raise RuntimeError(f"collective mismatch (FLAMBEAU_DISTRIBUTED_DEBUG): the ranks did "
                       f"not make the same call: {detail}")
