"""Creation and random ops.

Creation entries get the device from the runner (``device=``) and the dtype under test
as ``dtype=``; ``*_like`` entries take it from their input. Random results have no
single right value, so their entries check properties instead: shape, dtype, range,
that one seed gives one stream on the device, and loose statistics on a few thousand
draws (bounds many standard deviations wide, so a correct device never fails).
"""

from __future__ import annotations

import numpy as np

import flambeau as fl

from .opinfo import ALL, FLOATS, NUMBERS, OpInfo, Sample, Transposed, make

__all__ = ["ENTRIES"]


def _fill_value(dtype):
    return True if dtype is fl.bool else (2.5 if dtype.is_floating_point else 7)


def _sized(fn):
    """Samples ``fn(size_args, kwargs, desc)`` over the standard shapes."""
    def gen(dtype, rng):
        for size, desc in (((2, 3), "(2,3)"), ((), "0-d"), ((0, 4), "empty"),
                           ((5,), "1-d")):
            yield fn(dtype, size, desc)
    return gen


def _full_samples(dtype, size, desc):
    return Sample((size, _fill_value(dtype)), {"dtype": dtype}, desc, False)


def _shape_samples(dtype, size, desc):
    return Sample((size,), {"dtype": dtype}, desc, False)


def _inferred_samples(dtype, rng):
    yield Sample(((2, 3), 3), {}, "int fill: int64", False)
    yield Sample(((2, 3), 2.5), {}, "float fill: the default float", False)
    yield Sample(((2,), False), {}, "bool fill: bool", False)


def _inferred_ref(size, fill_value):
    d = np.bool_ if isinstance(fill_value, bool) else \
        np.int64 if isinstance(fill_value, int) else np.float32
    return np.full(size, fill_value, dtype=d)


def _empty_check(hosts, sample):
    (h,) = hosts
    assert h.shape == tuple(sample.args[0]), f"shape {h.shape}, expected {sample.args[0]}"
    want = sample.kwargs["dtype"].name
    assert h.dtype.name == want, f"dtype {h.dtype}, expected {want}"


def _like_samples(dtype, rng):
    yield Sample((make((2, 3), dtype, rng),), {}, "(2,3)", False)
    yield Sample((Transposed(make((3, 2), dtype, rng)),), {}, "transposed", False)
    yield Sample((make((), dtype, rng),), {}, "0-d", False)
    yield Sample((make((0, 2), dtype, rng),), {"dtype": fl.int32}, "dtype override", False)


def _like_ref(fill):
    def ref(x, dtype=None):
        d = x.dtype if dtype is None else dtype.name
        return np.full(x.shape, fill, dtype=d)
    return ref


def _arange_samples(dtype, rng):
    if dtype.is_floating_point:
        rows = [((0.5, 3.0, 0.25), "fractional step"), ((2.0, -1.0, -0.5), "descending"),
                ((1.0, 1.0, 1.0), "empty"), ((0.0, 1.0, 0.3), "step not dividing")]
    else:
        hi = 100 if dtype is fl.uint8 else 50
        rows = [((0, 5, 1), "0..5"), ((hi, 3, -7), "descending"), ((3, 3, 1), "empty"),
                ((1, 20, 3), "step 3")]
    for args, desc in rows:
        yield Sample(args, {"dtype": dtype}, desc, False)


def _arange_ref(start, end, step, dtype):
    n = max(int(np.ceil((end - start) / step)), 0)
    return (start + np.arange(n) * step).astype(dtype.name)


def _arange_inferred_samples(dtype, rng):
    yield Sample((5,), {}, "arange(5): int64", False)
    yield Sample((1, 4), {}, "arange(1, 4)", False)
    yield Sample((0, 1, 0.25), {}, "float step: default float", False)


def _arange_inferred_ref(start, end=None, step=1):
    if end is None:
        start, end = 0, start
    ints = all(isinstance(v, int) for v in (start, end, step))
    n = max(int(np.ceil((end - start) / step)), 0)
    return (start + np.arange(n) * step).astype(np.int64 if ints else np.float32)


def _linspace_samples(dtype, rng):
    for args, desc in (((0.0, 1.0, 5), "0..1"), ((2.0, -3.0, 4), "descending"),
                       ((1.0, 5.0, 1), "one step"), ((0.0, 1.0, 0), "no steps")):
        yield Sample(args, {"dtype": dtype}, desc, False)


def _linspace_ref(start, end, steps, dtype):
    return np.linspace(start, end, steps).astype(dtype.name)


def _eye_samples(dtype, rng):
    for args, desc in (((3,), "square"), ((2, 4), "wide"), ((4, 2), "tall"),
                       ((0,), "empty")):
        yield Sample(args, {"dtype": dtype}, desc, False)


def _eye_ref(n, m=None, dtype=None):
    return np.eye(n, m, dtype=dtype.name)


def _tensor_samples(dtype, rng):
    for shape, desc in (((2, 3), "nested lists"), ((), "a number"), ((0,), "empty list")):
        yield Sample((make(shape, dtype, rng).tolist(),), {"dtype": dtype}, desc, False)


# --- random --------------------------------------------------------------------------

def _twice(fn, **fixed):
    """Draw twice from two generators seeded alike on the device: the draws must be
    equal (one seed, one stream)."""
    def op(*args, device=None, **kw):
        draws = []
        for _ in range(2):
            g = fl.Generator(device if device is not None else args[0].device)
            g.manual_seed(1234)
            extra = {"device": device} if device is not None else {}
            draws.append(fn(*args, generator=g, **fixed, **extra, **kw))
        return tuple(draws)
    return op


def _common(hosts, shape, dtype_name):
    a, b = hosts
    assert a.shape == tuple(shape), f"shape {a.shape}, expected {tuple(shape)}"
    assert a.dtype.name == dtype_name, f"dtype {a.dtype}, expected {dtype_name}"
    assert np.array_equal(a, b, equal_nan=True), "one seed gave two different streams"
    return a.astype(np.float64)


def _random_samples(*extra_args):
    def gen(dtype, rng):
        yield Sample(extra_args + ((4096,),), {"dtype": dtype}, "4096 draws", False)
        yield Sample(extra_args + ((0, 3),), {"dtype": dtype}, "empty", False)
        yield Sample(extra_args + ((),), {"dtype": dtype}, "0-d", False)
    return gen


def _rand_check(hosts, s):
    a = _common(hosts, s.args[-1], s.kwargs["dtype"].name)
    assert np.all((a >= 0) & (a <= 1)), "rand() drew outside [0, 1]"
    if a.size > 1000:
        assert abs(a.mean() - 0.5) < 0.05, f"rand() mean {a.mean():.3f}, expected 0.5"


def _randn_check(hosts, s):
    a = _common(hosts, s.args[-1], s.kwargs["dtype"].name)
    if a.size > 1000:
        assert abs(a.mean()) < 0.15, f"randn() mean {a.mean():.3f}, expected 0"
        assert abs(a.std() - 1) < 0.15, f"randn() std {a.std():.3f}, expected 1"


def _normal_check(hosts, s):
    mean, std = s.args[0], s.args[1]
    a = _common(hosts, s.args[2], s.kwargs["dtype"].name)
    if a.size > 1000:
        assert abs(a.mean() - mean) < 0.15 * std, f"normal() mean {a.mean():.3f}"
        assert abs(a.std() - std) < 0.15 * std, f"normal() std {a.std():.3f}"


def _randint_check(hosts, s):
    low, high = s.args[0], s.args[1]
    a = _common(hosts, s.args[2], s.kwargs["dtype"].name)
    assert np.all((a >= low) & (a < high)), f"randint() drew outside [{low}, {high})"
    if a.size > 1000:
        assert set(np.unique(a)) == set(range(low, high)), "randint() misses values"


def _randperm_samples(dtype, rng):
    for n, desc in ((50, "n=50"), (1, "n=1"), (0, "n=0")):
        yield Sample((n,), {"dtype": dtype}, desc, False)


def _randperm_check(hosts, s):
    n = s.args[0]
    a = _common(hosts, (n,), s.kwargs["dtype"].name)
    assert np.array_equal(np.sort(a), np.arange(n)), "randperm() is not a permutation"


def _bernoulli_samples(dtype, rng):
    p = np.full((4096,), 0.3, dtype=dtype.name)
    yield Sample((p,), {}, "p = 0.3", False)
    yield Sample((np.array([0.0, 1.0, 0.0, 1.0], dtype=dtype.name),), {}, "p = 0 and 1",
                 False)
    yield Sample((Transposed(np.full((3, 2), 0.5, dtype=dtype.name)),), {}, "transposed",
                 False)


def _bernoulli_check(hosts, s):
    p = s.host_args()[0]
    a = _common(hosts, p.shape, p.dtype.name)
    assert np.all((a == 0) | (a == 1)), "bernoulli() drew values other than 0 and 1"
    assert np.all(a[p == 0] == 0) and np.all(a[p == 1] == 1), "p = 0 or 1 not honoured"
    if a.size > 1000:
        assert abs(a.mean() - p.mean()) < 0.05, f"bernoulli() mean {a.mean():.3f}"


def _multinomial_samples(dtype, rng):
    probs = np.array([[0.1, 0.0, 0.5, 0.4], [1.0, 1.0, 0.0, 2.0]], dtype=dtype.name)
    yield Sample((probs, 3), {"replacement": False}, "2 rows, without replacement", False)
    yield Sample((probs[0], 500), {"replacement": True}, "1 row, with replacement", False)


def _multinomial_check(hosts, s):
    probs, n = s.host_args()[0], s.args[1]
    a = _common(hosts, probs.shape[:-1] + (n,), "int64")
    rows = probs.reshape(-1, probs.shape[-1])
    for row, drawn in zip(rows, a.reshape(rows.shape[0], n).astype(np.int64)):
        assert np.all(row[drawn] > 0), "multinomial() drew a zero-probability category"
        if not s.kwargs["replacement"]:
            assert len(set(drawn.tolist())) == n, "multinomial() repeated without replacement"


ENTRIES = [
    OpInfo("full", fl.full, lambda size, fill_value, dtype: np.full(size, fill_value,
                                                                      dtype=dtype.name),
           _sized(_full_samples), ALL, creation=True),
    OpInfo("full_inferred", fl.full, _inferred_ref, _inferred_samples, (fl.float32,),
           table_ops=("full",), creation=True),
    OpInfo("zeros", fl.zeros, lambda size, dtype: np.zeros(size, dtype=dtype.name),
           _sized(_shape_samples), ALL, table_ops=("full",), creation=True),
    OpInfo("ones", fl.ones, lambda size, dtype: np.ones(size, dtype=dtype.name),
           _sized(_shape_samples), ALL, table_ops=("full",), creation=True),
    OpInfo("empty", fl.empty, None, _sized(_shape_samples), ALL, check=_empty_check,
           creation=True),
    OpInfo("zeros_like", fl.zeros_like, _like_ref(0), _like_samples, ALL,
           table_ops=("full",)),
    OpInfo("ones_like", fl.ones_like, _like_ref(1), _like_samples, ALL, table_ops=("full",)),
    OpInfo("full_like", lambda x, **kw: fl.full_like(x, 1, **kw), _like_ref(1),
           _like_samples, ALL, table_ops=("full",)),
    OpInfo("arange", fl.arange, _arange_ref, _arange_samples, NUMBERS, creation=True),
    OpInfo("arange_inferred", fl.arange, _arange_inferred_ref, _arange_inferred_samples,
           (fl.int64,), table_ops=("arange",), creation=True),
    OpInfo("linspace", fl.linspace, _linspace_ref, _linspace_samples, FLOATS,
           creation=True),
    OpInfo("eye", fl.eye, _eye_ref, _eye_samples, ALL, creation=True),
    OpInfo("tensor", fl.tensor, lambda data, dtype: np.array(data, dtype=dtype.name),
           _tensor_samples, ALL, table_ops=("full",), creation=True),
    OpInfo("rand", _twice(fl.rand), None, _random_samples(), FLOATS, check=_rand_check,
           table_ops=("uniform",), creation=True),
    OpInfo("randn", _twice(fl.randn), None, _random_samples(), FLOATS, check=_randn_check,
           table_ops=("normal",), creation=True),
    OpInfo("normal", _twice(lambda mean, std, size, **kw: fl.normal(mean, std, size, **kw)),
           None, _random_samples(2.0, 3.0), FLOATS, check=_normal_check, creation=True),
    OpInfo("randint", _twice(lambda low, high, size, **kw: fl.randint(low, high, size, **kw)),
           None, _random_samples(3, 9), NUMBERS, check=_randint_check, creation=True),
    OpInfo("randperm", _twice(fl.randperm), None, _randperm_samples, NUMBERS,
           check=_randperm_check, creation=True),
    OpInfo("bernoulli", _twice(fl.bernoulli), None, _bernoulli_samples, FLOATS,
           check=_bernoulli_check),
    OpInfo("multinomial", _twice(fl.multinomial), None, _multinomial_samples, FLOATS,
           check=_multinomial_check),
]
