"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from .optimizer import Optimizer, _check_nonnegative

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when
    ``maximize``), at step :math:`t`:

    .. math::
        g &\leftarrow g + \lambda\theta \quad\text{(weight decay } \lambda\text{)} \\
        b_t &= \begin{cases} g & t = 1 \\ \mu b_{t-1} + (1 - \tau) g & t > 1 \end{cases}
            \quad\text{(momentum } \mu\text{, dampening } \tau\text{)} \\
        g &\leftarrow g + \mu b_t \text{ if nesterov, else } b_t \\
        \theta &\leftarrow \theta - \gamma g

    Args:
        params: tensors to optimize, or dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 1e-3).
        momentum: momentum factor :math:`\mu` (default: 0).
        dampening: dampening for momentum :math:`\tau` (default: 0).
        weight_decay: L2 penalty :math:`\lambda` (default: 0).
        nesterov: use Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``.
        maximize: maximize the objective instead of minimizing it.

    State (per parameter, only when ``momentum != 0``): ``"momentum_buffer"``.

    Example::

        >>> opt = fl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> opt.zero_grad()
        >>> loss_fn(model(x), y).backward()
        >>> opt.step()
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False,
                 *, maximize: bool = False) -> None:
        _check_nonnegative(lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one optimization step.

        Args:
            closure: re-evaluates the model and returns the loss (optional).
        """
        loss = self._evaluate(closure)
        state = self.state
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            weight_decay, maximize = group["weight_decay"], group["maximize"]
            dampening, nesterov = group["dampening"], group["nesterov"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if maximize:
                    g = -g
                if weight_decay != 0:
                    # a fresh tensor, so the fused in-place add writes no grad it shares
                    g = p.mul(weight_decay).add_(g)
                if momentum != 0:
                    s = state[p]
                    buf = s.get("momentum_buffer")
                    if buf is None:
                        s["momentum_buffer"] = buf = g.clone()
                    else:
                        buf.mul_(momentum).add_(g, alpha=1 - dampening)
                    g = buf.mul(momentum).add_(g) if nesterov else buf
                p.add_(g, alpha=-lr)
        return loss
