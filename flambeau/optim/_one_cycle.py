"""OneCycleLR: the 1cycle policy (warm up to a maximum rate, then anneal far below the
start), cycling momentum (or Adam's beta1) the opposite way."""

from __future__ import annotations

import math

from .lr_scheduler import LRScheduler, _per_group
from .optimizer import Optimizer

__all__ = ["OneCycleLR"]


def _anneal_cos(start: float, end: float, pct: float) -> float:
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def _anneal_linear(start: float, end: float, pct: float) -> float:
    return (end - start) * pct + start


class OneCycleLR(LRScheduler):
    r"""The 1cycle learning-rate policy, as ``torch.optim.lr_scheduler.OneCycleLR``.

    The rate goes from ``max_lr / div_factor`` up to ``max_lr`` over the first
    ``pct_start`` of the steps, then down to ``max_lr / (div_factor *
    final_div_factor)``. With ``three_phase``, it first comes back down to the start
    symmetrically and only then anneals to the minimum. Momentum (or ``betas[0]`` for
    Adam-like optimizers) moves between ``max_momentum`` and ``base_momentum`` the
    opposite way. Call :meth:`step` after every batch.

    Args:
        optimizer: the optimizer.
        max_lr: the peak rate, or one per group.
        total_steps: the number of steps in the cycle; or give ``epochs`` and
            ``steps_per_epoch``.
        epochs: number of epochs (with ``steps_per_epoch``).
        steps_per_epoch: steps per epoch (with ``epochs``).
        pct_start: the fraction of steps spent increasing the rate (default: 0.3).
        anneal_strategy: ``"cos"`` (default) or ``"linear"``.
        cycle_momentum: cycle the momentum too (default: True).
        base_momentum: the lowest momentum, reached at the peak rate (default: 0.85).
        max_momentum: the highest momentum, at the start and end (default: 0.95).
        div_factor: ``initial_lr = max_lr / div_factor`` (default: 25).
        final_div_factor: ``min_lr = initial_lr / final_div_factor`` (default: 1e4).
        three_phase: use the three-phase schedule described above.
        last_epoch: the index of the last step, to resume (default: -1).

    Example::

        >>> sched = OneCycleLR(opt, max_lr=0.01, steps_per_epoch=len(loader), epochs=10)
        >>> for epoch in range(10):
        ...     for batch in loader:
        ...         train_batch(...)
        ...         sched.step()
    """

    def __init__(self, optimizer: Optimizer, max_lr, total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum=0.85, max_momentum=0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got "
                                 f"{total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got "
                                 f"{steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND "
                             "steps_per_epoch)")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got "
                             f"{pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead "
                             f"got {anneal_strategy}")
        self.anneal_strategy = anneal_strategy
        # each phase: (last step, start key, end key, start momentum key, end key);
        # the keys name per-group values, so each group follows its own max_lr
        up = float(pct_start * self.total_steps) - 1
        if three_phase:
            self._phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                 "base_momentum", "max_momentum"),
                (self.total_steps - 1, "initial_lr", "min_lr", "max_momentum",
                 "max_momentum")]
        else:
            self._phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (self.total_steps - 1, "max_lr", "min_lr", "base_momentum",
                 "max_momentum")]
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group, peak in zip(groups, _per_group("max_lr", optimizer, max_lr)):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with "
                                 "`cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            if last_epoch == -1:
                highs = _per_group("max_momentum", optimizer, max_momentum)
                lows = _per_group("base_momentum", optimizer, base_momentum)
                for group, high, low in zip(groups, highs, lows):
                    self._set_momentum(group, high)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group: dict, value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total "
                             f"steps is {self.total_steps}")
        anneal = _anneal_cos if self.anneal_strategy == "cos" else _anneal_linear
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr0, lr1, m0, m1) in enumerate(self._phases):
                if step <= end or i == len(self._phases) - 1:
                    pct = (step - start) / (end - start)
                    lrs.append(anneal(group[lr0], group[lr1], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, anneal(group[m0], group[m1], pct))
                    break
                start = end
        return lrs
