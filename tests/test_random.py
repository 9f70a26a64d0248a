"""Random sampling: seeding, generators per device, ranges, shapes, dtypes, statistics.

References: the closed-form moments of each distribution, checked on many samples with
loose bounds (several standard errors), and PyTorch's documented argument rules.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import fakedev_backend

import flambeau as fl

fakedev = fakedev_backend.fakedev  # the fixture: a second device type

N = 20_000  # samples for statistics; a standard error of ~0.7% of sigma


@pytest.fixture(autouse=True)
def reseed():
    """Leave the global generators in a known state for the next test."""
    yield
    fl.manual_seed(0)


def _np(t):
    return t.numpy().astype(np.float64)


# --- seeding ----------------------------------------------------------------------------

@pytest.mark.parametrize("sample", [
    lambda: fl.rand(5), lambda: fl.randn(2, 3), lambda: fl.randint(0, 100, (8,)),
    lambda: fl.randperm(10), lambda: fl.normal(1.0, 2.0, (4,)),
    lambda: fl.bernoulli(fl.full((16,), 0.5)),
    lambda: fl.multinomial(fl.ones(6), 3),
])
def test_manual_seed_reproduces_every_sampler(sample):
    fl.manual_seed(1234)
    a, a2 = sample(), sample()
    fl.manual_seed(1234)
    b, b2 = sample(), sample()
    assert a.tolist() == b.tolist() and a2.tolist() == b2.tolist()


def test_different_seeds_differ_and_stream_advances():
    fl.manual_seed(1)
    a, b = fl.rand(8), fl.rand(8)
    fl.manual_seed(2)
    c = fl.rand(8)
    assert a.tolist() != b.tolist() and a.tolist() != c.tolist()


def test_initial_seed_reports_manual_seed():
    fl.manual_seed(77)
    assert fl.initial_seed() == 77
    s = fl.seed()
    assert fl.initial_seed() == s


def test_generator_object():
    g = fl.Generator()
    assert g.device is fl.device("cpu")
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    a = fl.randn(6, generator=g)
    g.manual_seed(5)
    assert fl.randn(6, generator=g).tolist() == a.tolist()
    # a private generator does not touch the global stream
    fl.manual_seed(9)
    x = fl.rand(4)
    fl.manual_seed(9)
    fl.rand(4, generator=fl.Generator().manual_seed(1))
    assert fl.rand(4).tolist() == x.tolist()


def test_generator_per_device(fakedev):
    g = fl.Generator("fakedev")
    assert g.device is fl.device("fakedev:0")
    x = fl.rand(3, device="fakedev", generator=g)
    assert x.device is fl.device("fakedev:0")
    with pytest.raises(RuntimeError, match="generator"):
        fl.rand(3, generator=g)  # a fakedev generator for a CPU sample
    with pytest.raises(RuntimeError, match="generator"):
        fl.rand(3, device="fakedev", generator=fl.Generator())


def test_device_streams_are_independent(fakedev):
    fl.manual_seed(3)
    a = fl.rand(4, device="fakedev")
    fl.manual_seed(3)
    fl.rand(10)  # drawing on the CPU must not advance fakedev's stream
    b = fl.rand(4, device="fakedev")
    assert a.cpu().tolist() == b.cpu().tolist()


# --- rand / randn ------------------------------------------------------------------------

def test_rand_range_shape_dtype_stats():
    fl.manual_seed(0)
    x = fl.rand(N)
    assert x.dtype is fl.float32 and x.shape == (N,)
    a = _np(x)
    assert a.min() >= 0.0 and a.max() < 1.0
    se = math.sqrt(1 / 12 / N)
    assert abs(a.mean() - 0.5) < 5 * se
    assert abs(a.std() - math.sqrt(1 / 12)) < 0.01
    assert fl.rand(2, 3).shape == (2, 3) and fl.rand((2, 3)).shape == (2, 3)
    assert fl.rand(()).shape == () and fl.rand(0).shape == (0,)
    assert fl.rand(2, dtype=fl.float64).dtype is fl.float64


def test_randn_stats():
    fl.manual_seed(0)
    a = _np(fl.randn(N))
    assert abs(a.mean()) < 5 / math.sqrt(N)
    assert abs(a.std() - 1.0) < 0.03
    assert fl.randn(3, 4, dtype=fl.float16).dtype is fl.float16


@pytest.mark.parametrize("fn", [fl.rand, fl.randn])
def test_float_samplers_reject_int_dtype_and_negative_size(fn):
    with pytest.raises(RuntimeError):
        fn(3, dtype=fl.int64)
    with pytest.raises(RuntimeError):
        fn(-1)


def test_like_samplers():
    src = fl.zeros(2, 3, dtype=fl.float64)
    assert fl.rand_like(src).shape == (2, 3) and fl.rand_like(src).dtype is fl.float64
    assert fl.randn_like(src).dtype is fl.float64
    r = fl.randint_like(fl.zeros(50), 3, 6)
    assert r.dtype is fl.float32
    assert set(r.tolist()) <= {3.0, 4.0, 5.0}


def test_inplace_samplers():
    x = fl.empty(N)
    x.uniform_(2, 3)
    a = _np(x)
    assert a.min() >= 2 and a.max() < 3 and abs(a.mean() - 2.5) < 0.01
    x.normal_(5, 0.5)
    a = _np(x)
    assert abs(a.mean() - 5) < 0.02 and abs(a.std() - 0.5) < 0.02
    x.bernoulli_(0.25)
    a = _np(x)
    assert set(np.unique(a)) <= {0.0, 1.0} and abs(a.mean() - 0.25) < 0.02


# --- randint / randperm ------------------------------------------------------------------

def test_randint_range_and_uniformity():
    fl.manual_seed(0)
    x = fl.randint(-3, 3, (N,))
    assert x.dtype is fl.int64
    counts = np.bincount(x.numpy() + 3, minlength=6)
    assert x.numpy().min() == -3 and x.numpy().max() == 2 and len(counts) == 6
    expected = N / 6
    assert np.all(np.abs(counts - expected) < 6 * math.sqrt(expected))


def test_randint_forms_and_errors():
    assert fl.randint(5, (2, 2)).shape == (2, 2)
    assert fl.randint(0, 2, (3,), dtype=fl.int32).dtype is fl.int32
    assert set(fl.randint(7, (100,)).tolist()) <= set(range(7))
    with pytest.raises(RuntimeError):
        fl.randint(5, 5, (2,))
    with pytest.raises(TypeError):
        fl.randint(3, 10)  # no size


@pytest.mark.parametrize("n", [0, 1, 7, 100])
def test_randperm_is_a_permutation(n):
    p = fl.randperm(n)
    assert p.dtype is fl.int64 and p.shape == (n,)
    assert sorted(p.tolist()) == list(range(n))


def test_randperm_dtype_and_errors():
    assert fl.randperm(4, dtype=fl.int32).dtype is fl.int32
    with pytest.raises(RuntimeError):
        fl.randperm(-1)


# --- normal ------------------------------------------------------------------------------

def test_normal_with_numbers():
    fl.manual_seed(0)
    a = _np(fl.normal(2.0, 3.0, (N,)))
    assert abs(a.mean() - 2.0) < 5 * 3 / math.sqrt(N)
    assert abs(a.std() - 3.0) < 0.1


def test_normal_with_tensors_broadcasts():
    mean = fl.tensor([0.0, 10.0, 100.0])
    out = fl.normal(mean, 0.0)
    assert out.shape == (3,) and out.tolist() == [0.0, 10.0, 100.0]
    z = fl.normal(fl.zeros(N), fl.full((N,), 2.0))
    assert abs(_np(z).std() - 2.0) < 0.06
    assert fl.normal(0.0, fl.ones(2, 3)).shape == (2, 3)


def test_normal_errors():
    with pytest.raises(RuntimeError):
        fl.normal(0.0, -1.0, (3,))
    with pytest.raises(RuntimeError):
        fl.normal(fl.zeros(3), fl.tensor([1.0, -1.0, 1.0]))


# --- bernoulli / multinomial -----------------------------------------------------------

def test_bernoulli_values_and_mean():
    fl.manual_seed(0)
    p = fl.full((N,), 0.3)
    x = fl.bernoulli(p)
    assert x.dtype is fl.float32 and x.shape == p.shape
    a = _np(x)
    assert set(np.unique(a)) <= {0.0, 1.0}
    assert abs(a.mean() - 0.3) < 5 * math.sqrt(0.21 / N)
    assert fl.bernoulli(fl.zeros(5)).tolist() == [0.0] * 5
    assert fl.bernoulli(fl.ones(5, dtype=fl.float64)).tolist() == [1.0] * 5
    assert fl.bernoulli(fl.ones(5, dtype=fl.float64)).dtype is fl.float64


def test_bernoulli_errors():
    with pytest.raises(RuntimeError):
        fl.bernoulli(fl.full((3,), 1.5))
    with pytest.raises(RuntimeError):
        fl.bernoulli(fl.tensor([-0.1]))


def test_multinomial_frequencies():
    fl.manual_seed(0)
    w = fl.tensor([1.0, 2.0, 0.0, 5.0])  # unnormalised weights
    s = fl.multinomial(w, N, replacement=True)
    assert s.shape == (N,)
    freq = np.bincount(s.numpy(), minlength=4) / N
    np.testing.assert_allclose(freq, [1 / 8, 2 / 8, 0, 5 / 8], atol=0.02)


def test_multinomial_returns_int64():
    s = fl.multinomial(fl.tensor([0.2, 0.8]), 4, replacement=True)
    assert s.dtype is fl.int64


def test_multinomial_without_replacement_and_rows():
    for _ in range(5):
        s = fl.multinomial(fl.ones(6), 6)
        assert sorted(s.tolist()) == list(range(6))
    rows = fl.multinomial(fl.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), 1)
    assert rows.shape == (2, 1) and rows.tolist() == [[0], [2]]


@pytest.mark.parametrize("probs, n, repl", [
    ([1.0, 1.0, 0.0], 3, False),       # not enough non-zero categories
    ([1.0, -1.0], 1, True),            # negative weight
    ([0.0, 0.0], 1, True),             # all zero
    ([1.0, 1.0], 0, True),             # no samples
    ([1.0, 1.0], 3, False),            # more samples than categories
])
def test_multinomial_errors(probs, n, repl):
    with pytest.raises(RuntimeError):
        fl.multinomial(fl.tensor(probs), n, replacement=repl)


def test_multinomial_rejects_integer_and_3d_input():
    with pytest.raises(RuntimeError):
        fl.multinomial(fl.tensor([1, 2]), 1)
    with pytest.raises(RuntimeError):
        fl.multinomial(fl.ones(2, 2, 2), 1)
