"""Numerical gradient checks: ``gradcheck`` and ``gradgradcheck``.

Central differences in float64 against the analytical Jacobian from the engine, with
PyTorch's default tolerances. Public, because backend authors run them on their device.
"""

from __future__ import annotations

from ..frontend.grad_mode import no_grad
from ..frontend.tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """The analytical and numerical Jacobians disagree."""


def _outputs(fn, inputs):
    out = fn(*inputs)
    return out if isinstance(out, (tuple, list)) else (out,)


def _flat_host(t: Tensor):
    import numpy as np
    return np.array(t.detach().cpu().numpy(), dtype=np.float64).reshape(-1)  # a copy


def _numerical(fn, inputs, i, eps, outs_meta):
    import numpy as np
    x = inputs[i]
    # contiguous, so that the flat view below shares its memory (a clone keeps the
    # layout of a transposed input, and reshaping that would copy)
    base = x.detach().contiguous().clone().requires_grad_(x.requires_grad)
    flat = base.detach().reshape(-1)  # shares base's memory; writes bypass autograd

    def evaluate(value, k):
        with no_grad():
            flat[k] = value
        return [_flat_host(o) for o in _outputs(fn, _swap(inputs, i, base))
                if isinstance(o, Tensor) and o.is_floating_point()]

    cols = []
    for k in range(flat.numel()):
        orig = float(flat[k])
        plus, minus = evaluate(orig + eps, k), evaluate(orig - eps, k)
        with no_grad():
            flat[k] = orig
        cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
                    if plus else np.zeros(0))
    return np.stack(cols, axis=1) if cols else np.zeros((sum(outs_meta), 0))


def _swap(inputs, i, value):
    return tuple(value if j == i else x for j, x in enumerate(inputs))


def _analytical(fn, inputs, diff_idx):
    import numpy as np
    from .engine import run_backward
    outs = [o for o in _outputs(fn, inputs)
            if isinstance(o, Tensor) and o.is_floating_point()]
    sizes = [o.numel() for o in outs]
    rows = {i: [] for i in diff_idx}
    for o in outs:
        for k in range(o.numel()):
            if o.grad_fn is None and not o._requires_grad:
                for i in diff_idx:
                    rows[i].append(np.zeros(inputs[i].numel()))
                continue
            seed = o.detach().new_zeros(o.shape)
            seed.reshape(-1)[k] = 1.0
            grads = run_backward([o], [seed], retain_graph=True, create_graph=False,
                                 inputs=[inputs[i] for i in diff_idx], accumulate=False)
            for i, g in zip(diff_idx, grads):
                rows[i].append(np.zeros(inputs[i].numel()) if g is None else _flat_host(g))
    return {i: np.stack(r) if r else np.zeros((0, inputs[i].numel()))
            for i, r in rows.items()}, sizes


def _as_real_problem(func, inputs):
    """``func`` and ``inputs`` with every complex tensor seen as its real view
    (``view_as_real``), so complex inputs and outputs are checked as pairs of reals: a
    complex input's gradient ``dL/dx + i dL/dy`` (PyTorch's convention) is then the
    ordinary gradient of its real view."""
    from ..frontend.complex_ops import view_as_complex, view_as_real
    cidx = {i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.is_complex()}
    if cidx:
        inputs = tuple(view_as_real(x.detach()).clone().requires_grad_(x.requires_grad)
                       if i in cidx else x for i, x in enumerate(inputs))

    def real_func(*args):
        outs = func(*(view_as_complex(a) if i in cidx else a for i, a in enumerate(args)))
        if isinstance(outs, Tensor):
            return view_as_real(outs) if outs.is_complex() else outs
        return tuple(view_as_real(o) if isinstance(o, Tensor) and o.is_complex()
                     else o for o in outs)
    return real_func, inputs


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0) -> bool:
    """Compare analytical gradients of ``func`` with central finite differences.

    Args:
        func: takes ``inputs`` and returns a tensor or a tuple of tensors.
        inputs: a tensor or tuple; those with ``requires_grad=True`` are checked. Use
            float64 (complex128) for the default tolerances. Complex inputs and
            outputs are checked through their real views (``view_as_real``):
            finite differences on the real and imaginary parts, against PyTorch's
            convention for complex gradients.
        eps, atol, rtol: step and tolerances (PyTorch's defaults).
        raise_exception: raise :class:`GradcheckError` on mismatch instead of returning
            False.

    Returns:
        True when every Jacobian entry matches.
    """
    import numpy as np
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    func, inputs = _as_real_problem(func, inputs)
    analytical, sizes = _analytical(func, inputs, diff_idx)
    for i in diff_idx:
        num = _numerical(func, inputs, i, eps, sizes)
        ana = analytical[i]
        if num.shape != ana.shape or not np.allclose(ana, num, rtol=rtol, atol=atol):
            msg = (f"Jacobian mismatch for output 0 with respect to input {i},\n"
                   f"numerical:{num}\nanalytical:{ana}\n")
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def _differentiable(o) -> bool:
    return isinstance(o, Tensor) and (o.is_floating_point() or o.is_complex())


def _random_like(o, randn):
    """A random grad output for ``o`` (complex ones with random parts)."""
    if not o.is_complex():
        return randn(o.shape, dtype=o.dtype, device=o.device, requires_grad=True)
    from ..frontend.complex_ops import complex as make_complex
    r = o.dtype.to_real()
    return make_complex(randn(o.shape, dtype=r, device=o.device),
                        randn(o.shape, dtype=r, device=o.device)).requires_grad_(True)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception: bool = True) -> bool:
    """Check second derivatives: gradcheck of the gradient of ``func`` (computed with
    ``create_graph=True``) with respect to the inputs and the grad outputs."""
    from . import grad as autograd_grad
    from ..frontend.random import randn
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = tuple(_random_like(o, randn) for o in outs if _differentiable(o))
    n = len(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_grads(*args):
        ins, gos = args[:n], args[n:]
        outs = [o for o in _outputs(func, ins) if _differentiable(o)]
        gs = autograd_grad(outs, [ins[i] for i in diff_idx], gos, create_graph=True,
                           allow_unused=True)
        from ..frontend.creation import zeros_like
        return tuple(g if g is not None else zeros_like(ins[i]) * 0
                     for g, i in zip(gs, diff_idx))

    return gradcheck(first_grads, inputs + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
