"""RMSprop: gradients scaled by a running root mean square."""

from __future__ import annotations

from ..frontend.creation import zeros_like
from .optimizer import Optimizer, _check_nonnegative, _step_counter

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when
    ``maximize``):

    .. math::
        g &\leftarrow g + \lambda\theta \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g^2 \\
        \bar g_t &= \alpha \bar g_{t-1} + (1 - \alpha) g \quad\text{(centered only)} \\
        d &= \sqrt{v_t - \bar g_t^2} + \epsilon \text{ if centered, else }
            \sqrt{v_t} + \epsilon \\
        b_t &= \mu b_{t-1} + g / d,\quad \theta \leftarrow \theta - \gamma b_t
            \quad\text{(momentum } \mu > 0\text{; else }
            \theta \leftarrow \theta - \gamma g / d\text{)}

    Args:
        params: tensors to optimize, or dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 1e-2).
        alpha: smoothing constant :math:`\alpha` (default: 0.99).
        eps: added to the denominator for numerical stability (default: 1e-8).
        weight_decay: L2 penalty :math:`\lambda` (default: 0).
        momentum: momentum factor :math:`\mu` (default: 0).
        centered: normalize by an estimate of the gradient's variance instead of its
            second moment.
        maximize: maximize the objective instead of minimizing it.

    State (per parameter): ``"step"``, ``"square_avg"``, ``"momentum_buffer"`` when
    ``momentum > 0``, ``"grad_avg"`` when ``centered``.

    Example::

        >>> opt = fl.optim.RMSprop(model.parameters(), lr=1e-3, momentum=0.9)
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 *, maximize: bool = False) -> None:
        _check_nonnegative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                           alpha=alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
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
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum = group["weight_decay"], group["momentum"]
            centered, maximize = group["centered"], group["maximize"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                s = state[p]
                if not s:
                    s["step"] = _step_counter()
                    s["square_avg"] = zeros_like(p)
                    if momentum > 0:
                        s["momentum_buffer"] = zeros_like(p)
                    if centered:
                        s["grad_avg"] = zeros_like(p)
                s["step"].add_(1)
                if maximize:
                    g = -g
                if weight_decay != 0:
                    g = p.mul(weight_decay).add_(g)
                square_avg = s["square_avg"]
                square_avg.mul_(alpha).add_(g.mul(g), alpha=1 - alpha)
                if centered:
                    grad_avg = s["grad_avg"]
                    grad_avg.mul_(alpha).add_(g, alpha=1 - alpha)
                    avg = square_avg.sub(grad_avg.mul(grad_avg)).sqrt()
                else:
                    avg = square_avg.sqrt()
                avg.add_(eps)
                if momentum > 0:
                    buf = s["momentum_buffer"]
                    buf.mul_(momentum).add_(g.div(avg))
                    p.add_(buf, alpha=-lr)
                else:
                    p.add_(g.div(avg), alpha=-lr)
        return loss
