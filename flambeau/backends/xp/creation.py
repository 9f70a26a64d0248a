"""Creation and random kernels. ``gen`` is the backend's own generator object."""

from __future__ import annotations


def kernels(xp) -> dict:
    def full(shape, fill_value, dtype, index=0):
        return xp.full(shape, fill_value, dtype=dtype.name)

    def empty(shape, dtype, index=0):
        return xp.empty(shape, dtype=dtype.name)

    def arange(start, end, step, dtype, index=0):
        if dtype.is_floating_point:
            # start + i * step in double, then cast, like PyTorch (no float32 drift)
            return xp.arange(start, end, step, dtype="float64").astype(dtype.name)
        return xp.arange(start, end, step, dtype=dtype.name)

    def linspace(start, end, steps, dtype, index=0):
        return xp.linspace(start, end, steps, dtype="float64").astype(dtype.name)

    def eye(n, m, dtype, index=0):
        return xp.eye(n, m, dtype=dtype.name)

    def uniform(shape, low, high, dtype, gen, index=0):
        return gen.uniform(low, high, size=shape).astype(dtype.name)

    def normal(shape, mean, std, dtype, gen, index=0):
        return gen.normal(mean, std, size=shape).astype(dtype.name)

    def randint(shape, low, high, dtype, gen, index=0):
        return gen.integers(low, high, size=shape).astype(dtype.name)

    def randperm(n, dtype, gen, index=0):
        return gen.permutation(n).astype(dtype.name)

    def bernoulli(p, gen):
        return (gen.random(p.shape) < p).astype(p.dtype)

    def multinomial(probs, num_samples, replacement, gen):
        rows = probs.reshape(-1, probs.shape[-1]).astype("float64")
        out = xp.empty((rows.shape[0], num_samples), dtype="int64")
        for i, row in enumerate(rows):
            p = row / row.sum()
            out[i] = gen.choice(len(p), size=num_samples, replace=replacement, p=p)
        return out.reshape(probs.shape[:-1] + (num_samples,))

    return {"full": full, "empty": empty, "arange": arange, "linspace": linspace,
            "eye": eye, "uniform": uniform, "normal": normal, "randint": randint,
            "randperm": randperm, "bernoulli": bernoulli, "multinomial": multinomial}
