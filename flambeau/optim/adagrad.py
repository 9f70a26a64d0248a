"""Adagrad: per-coordinate learning rates from the sum of squared gradients."""

from __future__ import annotations

from ..frontend.creation import full_like
from .optimizer import Optimizer, _check_nonnegative, _step_counter

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad, as ``torch.optim.Adagrad``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when
    ``maximize``), at step :math:`t`:

    .. math::
        g &\leftarrow g + \lambda\theta \\
        \tilde\gamma &= \gamma / (1 + (t - 1)\eta) \\
        s_t &= s_{t-1} + g^2 \\
        \theta &\leftarrow \theta - \tilde\gamma\, g / (\sqrt{s_t} + \epsilon)

    Args:
        params: tensors to optimize, or dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 1e-2).
        lr_decay: learning rate decay :math:`\eta` (default: 0).
        weight_decay: L2 penalty :math:`\lambda` (default: 0).
        initial_accumulator_value: the starting value of :math:`s` (default: 0).
        eps: added to the denominator for numerical stability (default: 1e-10).
        maximize: maximize the objective instead of minimizing it.

    State (per parameter, created with the optimizer): ``"step"`` and ``"sum"``.

    Example::

        >>> opt = fl.optim.Adagrad(model.parameters(), lr=0.1)
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        _check_nonnegative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps,
                    "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "maximize": maximize}
        super().__init__(params, defaults)
        # PyTorch creates Adagrad's state up front, so a fresh state_dict already has it
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group) -> dict:
        s = self.state[p]
        s["step"] = _step_counter()
        s["sum"] = full_like(p, group["initial_accumulator_value"])
        return s

    def step(self, closure=None):
        """Perform one optimization step.

        Args:
            closure: re-evaluates the model and returns the loss (optional).
        """
        loss = self._evaluate(closure)
        state = self.state
        for group in self.param_groups:
            lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
            weight_decay, maximize = group["weight_decay"], group["maximize"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                # a group added after construction gets its state on its first step
                s = state[p] or self._init_state(p, group)
                step = s["step"].add_(1).item()
                if maximize:
                    g = -g
                if weight_decay != 0:
                    g = p.mul(weight_decay).add_(g)
                s["sum"].add_(g.mul(g))
                std = s["sum"].sqrt().add_(eps)
                p.add_(g.div(std), alpha=-lr / (1 + (step - 1) * lr_decay))
        return loss
