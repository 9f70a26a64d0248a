"""``tensor[index]`` and ``tensor[index] = value`` against the same NumPy indexing.

NumPy and PyTorch agree on every index used here (ints, slices with positive steps,
None, Ellipsis, bool masks, integer arrays/lists, and basic/advanced mixes).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import flambeau as fl

A = np.arange(60).reshape(3, 4, 5)


def _to_fl(index):
    """The same index with NumPy arrays turned into flambeau tensors."""
    if isinstance(index, tuple):
        return tuple(_to_fl(i) for i in index)
    if isinstance(index, np.ndarray):
        return fl.tensor(index)
    return index


S = slice(None)
INDICES = [
    1, -1, -3, (1, 2), (1, 2, 3), (-1, -2, -5),
    slice(1, None), slice(None, 2), slice(None, None, 2), (S, slice(1, None, 3)),
    (slice(-2, None), slice(None, -1, 3)), slice(10, 20), slice(-100, 100), slice(2, 1),
    (slice(None, None, 2), 1), (1, S, slice(None, None, 4)),
    None, (None, 1), (1, None, 2), (S, None, S, None),
    Ellipsis, (Ellipsis, 2), (1, Ellipsis), (1, Ellipsis, None), (Ellipsis, None, 0),
    A > 30, (1, A[0] > 5), (A[:, :, 0] > 20,), (S, np.array([True, False, True, False])),
    (0, [True, False, True, True]), True, False,
    [0, 2], [-1, -3], ([0, 2], [1, 3]), (S, [0, 2]), (1, S, [0, 4]),
    ([0, 2], S, [1, 3]), (S, [0, 1], [2, 3]), (np.array([[0, 1], [1, 2]]),),
    (Ellipsis, [0, 0]), (None, [0, 2], None), (0, None, [1], None, [2]),
    ([[0], [2]], [1, 3]), (np.array(1),), (S, np.array([-1, 0])),
    (np.array([0, 2], dtype=np.int32),), (slice(0, 2), [1, 1, 0]),
]


@pytest.mark.parametrize("index", INDICES, ids=[repr(i)[:40] for i in INDICES])
def test_getitem_matches_numpy(index):
    t = fl.tensor(A)
    out = t[_to_fl(index)]
    ref = A[index]
    assert out.shape == ref.shape
    assert out.dtype is fl.int64
    np.testing.assert_array_equal(out.numpy(), ref)


@pytest.mark.parametrize("index", INDICES, ids=[repr(i)[:40] for i in INDICES])
def test_setitem_scalar_matches_numpy(index):
    t = fl.tensor(A)
    ref = A.copy()
    t[_to_fl(index)] = -7
    ref[index] = -7
    np.testing.assert_array_equal(t.numpy(), ref)


@pytest.mark.parametrize("index", INDICES, ids=[repr(i)[:40] for i in INDICES])
def test_setitem_tensor_of_indexed_shape_matches_numpy(index):
    t = fl.tensor(A)
    ref = A.copy()
    shape = ref[index].shape
    value = -np.arange(int(np.prod(shape))).reshape(shape) - 1
    positions = np.arange(A.size).reshape(A.shape)[index]
    if np.unique(positions).size != positions.size:
        pytest.skip("repeated positions: which value lands there is unspecified")
    t[_to_fl(index)] = fl.tensor(value)
    ref[index] = value
    np.testing.assert_array_equal(t.numpy(), ref)


def test_zero_dim_integer_tensor_is_an_int_index():
    t = fl.tensor(A)
    np.testing.assert_array_equal(t[fl.tensor(2)].numpy(), A[2])
    np.testing.assert_array_equal(t[1, fl.tensor(-1)].numpy(), A[1, -1])


def test_setitem_broadcasts_value():
    t = fl.zeros(3, 4)
    t[:, 1] = fl.tensor([1.0, 2.0, 3.0])
    t[0] = fl.tensor([9.0])
    t[1:, 2:] = fl.tensor([[5.0], [6.0]])
    ref = np.zeros((3, 4), np.float32)
    ref[:, 1] = [1, 2, 3]
    ref[0] = [9]
    ref[1:, 2:] = [[5], [6]]
    np.testing.assert_array_equal(t.numpy(), ref)


def test_setitem_with_mask_and_matching_values():
    t = fl.tensor([[1.0, -2.0], [-3.0, 4.0]])
    t[t < 0] = fl.tensor([10.0, 30.0])
    assert t.tolist() == [[1.0, 10.0], [30.0, 4.0]]
    t[t > 5] = 0
    assert t.tolist() == [[1.0, 0.0], [0.0, 4.0]]


def test_setitem_casts_to_the_tensor_dtype():
    i = fl.zeros(4, dtype=fl.int32)
    i[0] = 2.7
    i[1:3] = fl.tensor([1.5, -2.5])
    i[3] = True
    assert i.dtype is fl.int32
    assert i.tolist() == np.array([2.7, 1.5, -2.5, 1.0]).astype(np.int32).tolist()
    f = fl.zeros(2)
    f[:] = fl.tensor([1, 2])
    f[0] = [5]  # lists and NumPy arrays are accepted as values
    assert f.tolist() == [5.0, 2.0] and f.dtype is fl.float32
    f[:] = np.array([3.0, 4.0])
    assert f.tolist() == [3.0, 4.0]
    b = fl.zeros(3, dtype=fl.bool)
    b[1] = 5
    assert b.tolist() == [False, True, False]


def test_setitem_through_chained_basic_views():
    t = fl.zeros(3, 4)
    t[1][2] = 5.0
    t[:, ::2][2] = 7.0
    ref = np.zeros((3, 4))
    ref[1][2] = 5
    ref[:, ::2][2] = 7
    np.testing.assert_array_equal(t.numpy(), ref)


# --- bad indices -------------------------------------------------------------------------

@pytest.mark.parametrize("index, dim, size", [
    (3, 0, 3), (-4, 0, 3), ((0, 4), 1, 4), ((0, 0, -6), 2, 5), ((0, 0, 5), 2, 5),
    ([0, 3], 0, 3), ((S, [1, 4]), 1, 4), ((S, S, [-6]), 2, 5), (fl.tensor([7]), 0, 3),
])
def test_out_of_range_index_names_dim_and_size(index, dim, size):
    t = fl.tensor(A)
    pattern = rf"out of bounds for dimension {dim} with size {size}"
    with pytest.raises(IndexError, match=pattern):
        t[index]
    before = t.clone()
    with pytest.raises(IndexError, match=pattern):
        t[index] = 0
    assert fl.equal(t, before)


@pytest.mark.parametrize("index, pattern", [
    ((0, 0, 0, 0), "too many indices"),
    ((Ellipsis, 0, Ellipsis), "single ellipsis"),
    (fl.tensor([True, False]), "shape of the mask"),
    (np.ones((3, 5), dtype=bool), "shape of the mask"),
    (1.5, "indices"),
    (fl.tensor([0.0, 1.0]), "indices"),
    ("a", "valid indices"),
])
def test_bad_index_raises_index_error(index, pattern):
    t = fl.tensor(A)
    if isinstance(index, np.ndarray):
        index = fl.tensor(index)
    with pytest.raises(IndexError, match=re.escape(pattern)):
        t[index]
    before = t.clone()
    with pytest.raises(IndexError):
        t[index] = 1
    assert fl.equal(t, before)


def test_negative_step_raises_value_error_like_pytorch():
    with pytest.raises(ValueError):
        fl.arange(5)[::-1]


def test_index_into_zero_dim_tensor():
    s = fl.tensor(3.0)
    assert s[()].item() == 3.0 and s[None].shape == (1,) and s[...].shape == ()
    with pytest.raises(IndexError):
        s[0]


# --- a failed setitem leaves the tensor unchanged ---------------------------------------

@pytest.mark.parametrize("index, value", [
    ((S, 0), fl.ones(4)),                               # value does not broadcast
    (([0, 1], [0, 1]), fl.ones(3)),                     # advanced: wrong value length
    (fl.tensor(A[:, :, 0] > 20), fl.ones(4)),           # mask picks 7 rows, value has 4
    (0, "x"),                                           # not a number
    (1, fl.ones(2, 4, 5)),                              # value has more elements
])
def test_failed_setitem_leaves_tensor_unchanged(index, value):
    t = fl.tensor(A)
    before = t.clone()
    with pytest.raises((RuntimeError, TypeError, ValueError, IndexError)):
        t[index] = value
    assert fl.equal(t, before)


def test_shape_mismatch_in_setitem_is_a_runtime_error():
    t = fl.zeros(3, 4)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        t[:, 0] = fl.ones(4)
