"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""

from __future__ import annotations

from ..frontend.creation import zeros_like
from .optimizer import Optimizer, _check_nonnegative, _step_counter

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam, as ``torch.optim.Adam``.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when
    ``maximize``), at step :math:`t`:

    .. math::
        g &\leftarrow g + \lambda\theta \quad\text{(L2; or }
            \theta \leftarrow \theta(1 - \gamma\lambda)\text{ when decoupled)} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g^2 \\
        \hat v &= \max(\hat v_{t-1}, v_t) \text{ if amsgrad, else } v_t \\
        \theta &\leftarrow \theta - \frac{\gamma}{1 - \beta_1^t}\,
            \frac{m_t}{\sqrt{\hat v} / \sqrt{1 - \beta_2^t} + \epsilon}

    Args:
        params: tensors to optimize, or dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default: 1e-3).
        betas: coefficients :math:`(\beta_1, \beta_2)` of the running averages of the
            gradient and its square (default: (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default: 1e-8).
        weight_decay: weight decay :math:`\lambda` (default: 0), an L2 penalty added to
            the gradient unless ``decoupled_weight_decay``.
        amsgrad: use the AMSGrad variant (the maximum of past second moments).
        maximize: maximize the objective instead of minimizing it.
        decoupled_weight_decay: shrink the parameters directly, as AdamW does.

    State (per parameter): ``"step"`` (a float32 0-d tensor), ``"exp_avg"``,
    ``"exp_avg_sq"``, and ``"max_exp_avg_sq"`` with ``amsgrad``.

    Example::

        >>> opt = fl.optim.Adam(model.parameters(), lr=1e-3)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 maximize: bool = False, decoupled_weight_decay: bool = False) -> None:
        _check_nonnegative(lr=lr, eps=eps, weight_decay=weight_decay)
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps,
                    "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one optimization step.

        Args:
            closure: re-evaluates the model and returns the loss (optional).
        """
        loss = self._evaluate(closure)
        state = self.state
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
            maximize, decoupled = group["maximize"], group["decoupled_weight_decay"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                s = state[p]
                if not s:
                    s["step"] = _step_counter()
                    s["exp_avg"] = zeros_like(p)
                    s["exp_avg_sq"] = zeros_like(p)
                    if amsgrad:
                        s["max_exp_avg_sq"] = zeros_like(p)
                exp_avg, exp_avg_sq = s["exp_avg"], s["exp_avg_sq"]
                step = s["step"].add_(1).item()
                if maximize:
                    g = -g
                if weight_decay != 0:
                    if decoupled:
                        p.mul_(1 - lr * weight_decay)
                    else:
                        g = p.mul(weight_decay).add_(g)
                exp_avg.mul_(beta1).add_(g, alpha=1 - beta1)
                exp_avg_sq.mul_(beta2).add_(g.mul(g), alpha=1 - beta2)
                if amsgrad:
                    second = s["max_exp_avg_sq"].maximum_(exp_avg_sq)
                else:
                    second = exp_avg_sq
                denom = second.sqrt().div_((1 - beta2 ** step) ** 0.5).add_(eps)
                p.add_(exp_avg.div(denom), alpha=-lr / (1 - beta1 ** step))
        return loss


class AdamW(Adam):
    r"""Adam with decoupled weight decay, as ``torch.optim.AdamW``.

    The same update as :class:`Adam`, except that weight decay shrinks the parameters
    directly (:math:`\theta \leftarrow \theta(1 - \gamma\lambda)`) before the step,
    instead of adding :math:`\lambda\theta` to the gradient.

    Args:
        params: tensors to optimize, or dicts defining parameter groups.
        lr: learning rate (default: 1e-3).
        betas: running-average coefficients (default: (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default: 1e-8).
        weight_decay: decoupled weight decay coefficient (default: 1e-2).
        amsgrad: use the AMSGrad variant.
        maximize: maximize the objective instead of minimizing it.

    Example::

        >>> opt = fl.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    """

    def __init__(self, params, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict) -> None:
        super().load_state_dict(state_dict)
        # AdamW is decoupled whatever the saved groups say (e.g. a dict saved by Adam)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
