"""Random sampling: ``Generator``, ``manual_seed`` and the sampling functions.

Each device has its own default generator, built by its backend's
``make_generator(seed, index)``; ``manual_seed`` reseeds all of them, so a script
that seeds once gets the same numbers on every run.
"""

from __future__ import annotations

from ..dispatcher import dispatch
from ..dispatcher.devices import device as Device
from ..dispatcher.dtypes import DType, get_default_dtype, int64
from ..dispatcher.optable import OPS
from ..dispatcher.registry import backend_for
from .creation import _device, _finish, _shape_args
from .tensor import Tensor

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "default_generator",
           "rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial",
           "rand_like", "randn_like", "randint_like", "uniform_", "normal_", "bernoulli_"]

_DEFAULT_SEED = 67280421310721
_seed = [_DEFAULT_SEED]
_defaults: dict = {}


class Generator:
    """A random-number generator for one device, like ``torch.Generator``.

    Args:
        device: the device its samples are made on (default ``"cpu"``).

    Example::

        >>> g = fl.Generator().manual_seed(0)
        >>> fl.rand(2, generator=g)
    """

    def __init__(self, device="cpu"):
        self.device = _device(device)
        self._seed = _DEFAULT_SEED
        self._native = backend_for(self.device.type).make_generator(
            self._seed, self.device.index or 0)

    def manual_seed(self, seed: int) -> Generator:
        """Reset to the stream of ``seed``; returns ``self``."""
        seed = int(seed)
        if seed < 0:
            seed &= 0xFFFF_FFFF_FFFF_FFFF  # PyTorch accepts negatives as their 64-bit form
        self._seed = seed
        self._native = backend_for(self.device.type).make_generator(
            seed, self.device.index or 0)
        return self

    def seed(self) -> int:
        """Reseed from a non-deterministic source; returns the new seed."""
        import secrets
        s = secrets.randbits(63)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed the default generators were last seeded with."""
        return self._seed


def default_generator(device=None) -> Generator:
    """The default generator of ``device`` (the CPU when ``None``)."""
    dev = _device(device)
    g = _defaults.get(dev)
    if g is None:
        g = _defaults[dev] = Generator(dev).manual_seed(_seed[0])
    return g


def manual_seed(seed: int) -> Generator:
    """Seed the default generators of every device; returns the CPU's."""
    _seed[0] = int(seed)
    _defaults.clear()
    return default_generator("cpu")


def seed() -> int:
    """Seed every default generator from a non-deterministic source."""
    import secrets
    s = secrets.randbits(63)
    manual_seed(s)
    return s


def initial_seed() -> int:
    return _seed[0]


def _gen(generator: Generator | None, dev: Device):
    g = generator if generator is not None else default_generator(dev)
    if g.device is not dev:
        raise RuntimeError(f"Expected a '{dev}' generator, got one for '{g.device}'")
    return g._native


def _float_dtype(dtype: DType | None, op: str) -> DType:
    dtype = dtype or get_default_dtype()
    if not dtype.is_floating_point:
        raise RuntimeError(f"{op}(): expected a floating-point dtype, got {dtype.name}")
    return dtype


def _complex_sample(op, shape, dtype, dev, **kw):
    # complex samples: real and imaginary parts drawn as the last dim of a real tensor
    from .complex_ops import view_as_complex
    parts = dispatch.call(OPS[op], shape=tuple(shape) + (2,), dtype=dtype.to_real(),
                          device=dev, **kw)
    return view_as_complex(parts)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform samples on ``[0, 1)`` (for a complex dtype, both parts)."""
    dev = _device(device)
    if dtype is not None and dtype.is_complex:
        return _finish(_complex_sample("uniform", _shape_args(size, "rand"), dtype, dev,
                                       low=0.0, high=1.0, gen=_gen(generator, dev)),
                       requires_grad)
    return _finish(dispatch.call(OPS["uniform"], shape=_shape_args(size, "rand"), low=0.0,
                                 high=1.0, dtype=_float_dtype(dtype, "rand"),
                                 gen=_gen(generator, dev), device=dev), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Standard normal samples (for a complex dtype, parts of variance 1/2 each, so
    that ``E|z|^2 = 1`` as PyTorch)."""
    dev = _device(device)
    if dtype is not None and dtype.is_complex:
        return _finish(_complex_sample("normal", _shape_args(size, "randn"), dtype, dev,
                                       mean=0.0, std=0.5 ** 0.5, gen=_gen(generator, dev)),
                       requires_grad)
    return _finish(dispatch.call(OPS["normal"], shape=_shape_args(size, "randn"),
                                 mean=0.0, std=1.0, dtype=_float_dtype(dtype, "randn"),
                                 gen=_gen(generator, dev), device=dev), requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """Integers uniform on ``[low, high)``; ``randint(high, size)`` starts at 0."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint(): size is required, e.g. randint(0, 10, (3,))")
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"randint(): random_ expects 'from' to be less than 'to', but "
                           f"got from={low} >= to={high}")
    dev = _device(device)
    return _finish(dispatch.call(OPS["randint"], shape=_shape_args((size,), "randint"),
                                 low=int(low), high=int(high), dtype=dtype or int64,
                                 gen=_gen(generator, dev), device=dev), requires_grad)


def randperm(n: int, *, generator=None, dtype=None, device=None,
             requires_grad=False) -> Tensor:
    """A random permutation of ``0 .. n-1``."""
    if n < 0:
        raise RuntimeError(f"randperm(): n must be non-negative, got {n}")
    dev = _device(device)
    return _finish(dispatch.call(OPS["randperm"], n=int(n), dtype=dtype or int64,
                                 gen=_gen(generator, dev), device=dev), requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False) -> Tensor:
    """Normal samples. ``mean`` and ``std`` may be numbers (give ``size``) or tensors
    (broadcast together; one sample per element)."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        like = mean if isinstance(mean, Tensor) else std
        if isinstance(std, (int, float)) and std < 0 or \
                isinstance(std, Tensor) and bool((std < 0).any()):
            raise RuntimeError("normal(): expects all elements of std >= 0.0")
        z = randn(*like.shape if size is None else size, generator=generator,
                  dtype=like._dtype if like._dtype.is_floating_point else None,
                  device=like._device)
        return z * std + mean
    if std < 0:
        raise RuntimeError(f"normal(): expects std >= 0.0, but found std {std}")
    if size is None:
        raise TypeError("normal(): with number mean and std, size is required")
    dev = _device(device)
    return _finish(dispatch.call(OPS["normal"], shape=_shape_args((size,), "normal"),
                                 mean=float(mean), std=float(std),
                                 dtype=_float_dtype(dtype, "normal"),
                                 gen=_gen(generator, dev), device=dev), requires_grad)


def bernoulli(input: Tensor, p=None, *, generator=None) -> Tensor:
    """0/1 samples with probability ``input`` (or ``p``) of a 1, in input's dtype."""
    if p is not None:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli(): expects 0 <= p <= 1, got {p}")
        from .creation import full_like
        probs = full_like(input, float(p))
        return dispatch.call(OPS["bernoulli"], probs, gen=_gen(generator, probs._device))
    probs = input
    if not probs._dtype.is_floating_point:
        raise RuntimeError(f"bernoulli(): expected a floating-point probability tensor, "
                           f"got {probs._dtype.name}")
    if probs.numel() and (float(probs.amin()) < 0 or float(probs.amax()) > 1):
        raise RuntimeError("bernoulli(): expects 0 <= p <= 1")
    return dispatch.call(OPS["bernoulli"], probs.detach(), gen=_gen(generator, probs._device))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None) -> Tensor:
    """Sample category indices from rows of non-negative weights (1-D or 2-D)."""
    if input.dim() not in (1, 2):
        raise RuntimeError(f"multinomial(): prob_dist must be 1 or 2 dim, got "
                           f"{input.dim()}")
    if not input._dtype.is_floating_point:
        raise RuntimeError("multinomial(): only supports floating-point dtypes for input")
    n = input._data.shape[-1]
    if num_samples <= 0:
        raise RuntimeError(f"multinomial(): cannot sample n_sample <= 0 samples, got "
                           f"{num_samples}")
    if not replacement and num_samples > n:
        raise RuntimeError(f"multinomial(): cannot sample n_sample ({num_samples}) > "
                           f"prob_dist.size(-1) ({n}) samples without replacement")
    if input.numel() and float(input.amin()) < 0:
        raise RuntimeError("multinomial(): probability tensor contains either `inf`, "
                           "`nan` or element < 0")
    rowsum = input.sum(-1)
    if bool((rowsum <= 0).any()):
        raise RuntimeError("multinomial(): invalid multinomial distribution (sum of "
                           "probabilities <= 0)")
    if not replacement and bool(((input > 0).sum(-1) < num_samples).any()):
        raise RuntimeError("multinomial(): invalid multinomial distribution (with "
                           "replacement=False, not enough non-negative category to sample)")
    return dispatch.call(OPS["multinomial"], input.detach(), num_samples=num_samples,
                         replacement=replacement, gen=_gen(generator, input._device))


def rand_like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform ``[0, 1)`` samples with ``input``'s shape, dtype and device."""
    return rand(input.shape, dtype=dtype or input._dtype,
                device=device if device is not None else input._device,
                requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Standard normal samples with ``input``'s shape, dtype and device."""
    return randn(input.shape, dtype=dtype or input._dtype,
                 device=device if device is not None else input._device,
                 requires_grad=requires_grad)


def randint_like(input: Tensor, low=0, high=None, *, dtype=None, device=None) -> Tensor:
    """Integers in ``[low, high)`` with ``input``'s shape, dtype and device."""
    return randint(low, high, tuple(input.shape), dtype=dtype or input._dtype,
                   device=device if device is not None else input._device)


def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``self`` with samples uniform on ``[a, b)``."""
    from .inplace import copy_
    g = _gen(generator, self._device)
    sample = dispatch.call(OPS["uniform"], shape=tuple(self.shape), low=float(a),
                           high=float(b), dtype=self._dtype, gen=g, device=self._device)
    return copy_(self, sample)


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``self`` with normal samples."""
    from .inplace import copy_
    g = _gen(generator, self._device)
    sample = dispatch.call(OPS["normal"], shape=tuple(self.shape), mean=float(mean),
                           std=float(std), dtype=self._dtype, gen=g, device=self._device)
    return copy_(self, sample)


def bernoulli_(self: Tensor, p: float = 0.5, *, generator=None) -> Tensor:
    """Fill ``self`` with 0/1 samples, 1 with probability ``p``."""
    from .creation import full
    from .inplace import copy_
    probs = full(tuple(self.shape), float(p), dtype=get_default_dtype()
                 if not self._dtype.is_floating_point else self._dtype, device=self._device)
    return copy_(self, bernoulli(probs, generator=generator))

