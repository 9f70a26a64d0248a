"""Composites that exercise autograd's plumbing on a device, for the gradient checks.

Each op's formula is checked on its own entry; these check what happens between ops:
a gradient summed back over broadcast dims, an in-place write through a view of a
non-leaf (the view's region replaced in the root's graph), writes and reads by index on
a non-leaf, and an input reaching the output along several paths (gradients summed).
They are full :class:`OpInfo` rows with NumPy references, kept out of ``OP_DB``
because their forward values add nothing to the ops they are built from.

The nn rows of the op table (``unfold``, ``fold``, ``pad``) get their gradient checks
here too, through the public ``fl.nn.functional`` calls; their forward values are the
nn tests' business, so these rows carry no reference (``ref=None``).
"""

from __future__ import annotations

import numpy as np

from .opinfo import FLOATS, OpInfo, Sample, make

__all__ = ["ENTRIES"]


def _broadcast_product(a, b):
    return a * b


def _broadcast_samples(dtype, rng):
    yield Sample((make((3, 1), dtype, rng), make((1, 4), dtype, rng)), {},
                 "(3,1) * (1,4)", dtype.is_floating_point)
    yield Sample((make((2, 3), dtype, rng), make((3,), dtype, rng)), {},
                 "(2,3) * (3,): a new leading dim", dtype.is_floating_point)


def _view_inplace(x, y):
    z = x * 2                      # a non-leaf
    v = z.view(4, 3)[1:3]          # a view of a view of it
    v.mul_(y)                      # written in place through the view
    return z.sin()


def _view_inplace_ref(x, y):
    z = x * 2
    z.reshape(4, 3)[1:3] *= y
    return np.sin(z)


def _getitem_setitem(x, v):
    z = x * 1.5                    # a non-leaf
    z[0, 1:3] = v * v              # a differentiable value written by index
    z[2] = 0.0                     # a constant written: no gradient to the old row
    return z[1:] * z[:-1]          # two overlapping reads of the written tensor


def _getitem_setitem_ref(x, v):
    z = x * 1.5
    z[0, 1:3] = v * v
    z[2] = 0.0
    return z[1:] * z[:-1]


def _reused(x):
    return x * x.sum(0) + x.exp().t().sum(1)[:, None]


def _reused_ref(x):
    return x * x.sum(0) + np.exp(x).T.sum(1)[:, None]


def _samples(*shapes):
    def gen(dtype, rng):
        args = tuple(make(s, dtype, rng, low=-2.0, high=2.0) for s in shapes)
        yield Sample(args, {}, " ".join(str(s) for s in shapes), dtype.is_floating_point)
    return gen


def _unfold(x, **kw):
    from ...nn import functional as F  # imported late: the kit loads before nn
    return F.unfold(x, **kw)


def _fold(x, **kw):
    from ...nn import functional as F
    return F.fold(x, **kw)


def _pad(x, **kw):
    from ...nn import functional as F
    return F.pad(x, **kw)


def _nn_samples(*rows):
    def gen(dtype, rng):
        for shape, kw, desc in rows:
            yield Sample((make(shape, dtype, rng),), dict(kw), desc,
                         dtype.is_floating_point)
    return gen


ENTRIES = [
    OpInfo("autograd_broadcast", _broadcast_product, np.multiply, _broadcast_samples,
           FLOATS, table_ops=("mul",)),
    OpInfo("autograd_view_inplace", _view_inplace, _view_inplace_ref, _samples((3, 4), (3,)),
           FLOATS, table_ops=("mul", "view", "getitem", "sin")),
    OpInfo("autograd_getitem_setitem", _getitem_setitem, _getitem_setitem_ref,
           _samples((3, 4), (2,)), FLOATS, table_ops=("mul", "setitem_", "getitem")),
    OpInfo("autograd_reused_input", _reused, _reused_ref, _samples((3, 3)), FLOATS,
           table_ops=("mul", "sum", "exp", "permute", "getitem")),
    OpInfo("nn_unfold", _unfold, None, _nn_samples(
        ((1, 2, 3, 3), {"kernel_size": 2, "padding": 1, "stride": 2}, "padding 1, stride 2"),
        ((1, 1, 4, 4), {"kernel_size": (2, 3), "dilation": (2, 1)}, "kernel (2,3), dilation")),
        FLOATS, table_ops=("unfold",)),
    OpInfo("nn_fold", _fold, None, _nn_samples(
        ((1, 4, 4), {"output_size": (3, 3), "kernel_size": 2}, "overlapping blocks"),
        ((1, 2, 4), {"output_size": (3, 2), "kernel_size": (2, 1), "padding": (1, 0),
                     "stride": (2, 1)}, "padding, stride")),
        FLOATS, table_ops=("fold",)),
    OpInfo("nn_pad", _pad, None, _nn_samples(
        ((2, 3), {"pad": (1, 2, 0, 1), "value": 0.5}, "two dims, value 0.5"),
        ((2, 2, 2), {"pad": (1, 1)}, "last dim")),
        FLOATS, table_ops=("pad",)),
]
