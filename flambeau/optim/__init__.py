"""``flambeau.optim``: optimizers and learning-rate schedulers, with PyTorch's names,
defaults, update rules and state-dict layout.

Example::

    >>> opt = fl.optim.AdamW(params, lr=1e-3)
    >>> sched = fl.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)
    >>> for x, y in data:
    ...     opt.zero_grad()
    ...     loss_fn(model(x), y).backward()
    ...     opt.step()
    ...     sched.step()
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer, required
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "required", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
           "lr_scheduler"]
