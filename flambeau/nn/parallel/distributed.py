"""``DistributedDataParallel``: one model replica per process, gradients averaged.

Each process runs the wrapped module on its own part of the batch; during backward the
gradients are averaged over the process group (see :mod:`.reducer`), so after
``backward()`` every rank holds the gradient of the whole batch and the optimizer steps
keep the replicas identical.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from ...dispatcher.devices import as_device
from ...distributed.process_group import resolve
from ...frontend.grad_mode import is_grad_enabled
from ...frontend.tensor import Tensor
from ..module import Module
from .reducer import Reducer
from .sync import broadcast_coalesced, verify_same_model

__all__ = ["DistributedDataParallel"]


def _move(obj, device):
    """Tensors in ``obj`` (nested tuples, lists, dicts) moved to ``device``."""
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, tuple):
        return tuple(_move(o, device) for o in obj)
    if isinstance(obj, list):
        return [_move(o, device) for o in obj]
    if isinstance(obj, dict):
        return {k: _move(v, device) for k, v in obj.items()}
    return obj


class DistributedDataParallel(Module):
    r"""Data parallelism over the processes of a group, as ``torch.nn.parallel.
    DistributedDataParallel``.

    At construction every rank checks that all ranks hold the same parameters and
    buffers (names, shapes, dtypes; a mismatch raises on every rank), then takes rank
    0's values. In each backward pass the gradients are averaged over the group in
    buckets, each all-reduced asynchronously as soon as all its gradients are ready,
    and all finished before ``backward()`` returns. So N ranks that each run 1/N of a
    batch end with the parameters one process gets on the whole batch (for a loss that
    is a mean over the batch).

    Args:
        module: the model (its parameters on one device).
        device_ids: ``None``, or ``[device]`` naming the module's device; inputs are
            then moved there in forward.
        output_device: accepted for compatibility (outputs stay on the module's device).
        dim: accepted for compatibility (inputs are not split: each rank passes its own).
        broadcast_buffers: copy rank 0's buffers (e.g. BatchNorm statistics) to every
            rank at the start of each forward.
        process_group: the group to average over (default: the world).
        bucket_cap_mb: the size limit of a gradient bucket, in MiB.
        find_unused_parameters: allow parameters that get no gradient in a backward
            pass (unused in forward, or only on some ranks): they count as a zero
            gradient, and one that no rank used keeps its ``.grad`` unchanged.
            Without it, such a parameter raises at the end of backward.

    Unlike PyTorch, :meth:`state_dict` and :meth:`load_state_dict` are those of the
    wrapped module (no ``module.`` prefix), so checkpoints move freely between
    single-process and distributed runs; ``load_state_dict`` also accepts keys with the
    prefix.

    Example::

        >>> dist.init_process_group("mpi")
        >>> model = DistributedDataParallel(Net())
        >>> opt = fl.optim.SGD(model.parameters(), lr=0.1)
        >>> loss = F.cross_entropy(model(x_shard), y_shard)
        >>> loss.backward()          # gradients averaged over all ranks
        >>> opt.step()
    """

    def __init__(self, module: Module, device_ids: list | None = None,
                 output_device=None, dim: int = 0, broadcast_buffers: bool = True,
                 process_group=None, bucket_cap_mb: float = 25,
                 find_unused_parameters: bool = False) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an nn.Module, got "
                            f"{type(module).__name__}")
        group = resolve(process_group)
        if group.comm is None:
            raise ValueError("DistributedDataParallel: this rank is not a member of "
                             "process_group")
        named_params = [(n, p) for n, p in module.named_parameters()]
        named_buffers = [(n, b) for n, b in module.named_buffers()]
        devices = {t._device for _, t in named_params + named_buffers}
        if len(devices) > 1:
            raise ValueError(f"DistributedDataParallel: module's parameters and buffers "
                             f"are on several devices {sorted(map(str, devices))}; put "
                             f"the module on one device")
        self.device = devices.pop() if devices else None
        if device_ids is not None:
            if len(device_ids) != 1:
                raise ValueError(f"DistributedDataParallel: device_ids must be None or "
                                 f"name the module's one device, got {device_ids}")
            wanted = as_device(device_ids[0] if not isinstance(device_ids[0], int)
                               else f"{self.device.type}:{device_ids[0]}")
            if self.device is not None and (wanted.type, wanted.index or 0) != \
                    (self.device.type, self.device.index or 0):
                raise ValueError(f"DistributedDataParallel: device_ids={device_ids} but "
                                 f"the module is on {self.device}; move it with "
                                 f".to({str(wanted)!r}) first")
        if bucket_cap_mb <= 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, "
                             f"got {bucket_cap_mb}")
        self.module = module
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.process_group = group
        self.bucket_cap_mb = bucket_cap_mb
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True

        verify_same_model([("parameter", n, p) for n, p in named_params] +
                          [("buffer", n, b) for n, b in named_buffers], group)
        self._src = group.ranks[0]
        broadcast_coalesced([p for _, p in named_params] + [b for _, b in named_buffers],
                            self._src, group)
        trained = [(n, p) for n, p in named_params if p.requires_grad]
        self.reducer = Reducer([p for _, p in trained], [n for n, _ in trained], group,
                               bucket_cap_mb, find_unused_parameters)

    def forward(self, *inputs, **kwargs):
        """Sync buffers from rank 0 (if ``broadcast_buffers``), arm the gradient
        reduction of the next backward, and run the module."""
        if self.broadcast_buffers:
            buffers = list(self.module.buffers())
            if buffers:
                broadcast_coalesced(buffers, self._src, self.process_group)
        if is_grad_enabled() and self.require_backward_grad_sync:
            self.reducer.prepare()
        if self.device_ids is not None:
            inputs, kwargs = _move(inputs, self.device), _move(kwargs, self.device)
        return self.module(*inputs, **kwargs)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Accumulate gradients locally, without averaging, in the backward passes of
        forwards run inside this context; the first synced backward after it averages
        the accumulated gradients.

        Example::

            >>> with ddp.no_sync():
            ...     ddp(x1).sum().backward()      # local only
            >>> ddp(x2).sum().backward()          # averages the sum of both
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def state_dict(self, *args, **kwargs) -> dict:
        """The wrapped module's state dict (keys without a ``module.`` prefix)."""
        return self.module.state_dict(*args, **kwargs)

    def load_state_dict(self, state_dict: Mapping, strict: bool = True):
        """Load into the wrapped module; keys may carry a ``module.`` prefix."""
        if state_dict and all(k.startswith("module.") for k in state_dict):
            state_dict = {k[len("module."):]: v for k, v in state_dict.items()}
        return self.module.load_state_dict(state_dict, strict=strict)

    def extra_repr(self) -> str:
        return (f"world_size={self.process_group.size()}, "
                f"bucket_cap_mb={self.bucket_cap_mb}, "
                f"find_unused_parameters={self.find_unused_parameters}")
