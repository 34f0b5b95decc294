"""nnscratch.data: shapes, dtypes, labels, standardization and determinism."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import data

# ---------------------------------------------------------------- load_digits


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def test_load_digits_shapes_and_dtypes(digits):
    X_train, X_test, y_train, y_test = digits
    assert X_train.shape == (1437, 64) and X_test.shape == (360, 64)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert X_train.dtype == np.float64 and X_test.dtype == np.float64
    assert y_train.dtype.kind in "iu" and y_test.dtype.kind in "iu"
    for y in (y_train, y_test):
        assert set(np.unique(y)) == set(range(10))


def test_load_digits_is_standardized_with_training_statistics(digits):
    X_train, X_test, _, _ = digits
    np.testing.assert_allclose(X_train.mean(axis=0), 0.0, atol=1e-12)
    std = X_train.std(axis=0)
    # Constant pixels (always 0 in the corner) cannot be scaled; every other feature is.
    varying = std > 0
    assert varying.sum() >= 60
    np.testing.assert_allclose(std[varying], 1.0, rtol=1e-12)
    np.testing.assert_array_equal(X_train[:, ~varying], 0.0)
    assert np.all(np.isfinite(X_test))
    # The test set uses the training mean/std, so it is only approximately standardized.
    assert np.abs(X_test.mean(axis=0)).max() < 0.5
    assert not np.allclose(X_test.mean(axis=0), 0.0, atol=1e-12)


def test_load_digits_keywords_and_determinism(digits):
    again = data.load_digits(test_size=0.2, seed=0)
    for a, b in zip(digits, again, strict=True):
        np.testing.assert_array_equal(a, b)
    other = data.load_digits(test_size=0.2, seed=1)
    assert not np.array_equal(digits[0], other[0])
    half = data.load_digits(test_size=0.5, seed=3)
    assert half[0].shape[0] + half[1].shape[0] == 1797
    assert abs(half[1].shape[0] - 898.5) <= 1
    np.testing.assert_allclose(half[0].mean(axis=0), 0.0, atol=1e-12)


def test_load_digits_named_fields(digits):
    assert np.array_equal(digits.X_train, digits[0])
    assert np.array_equal(digits.y_test, digits[3])


@pytest.mark.parametrize("test_size", [0.0, 1.0, -0.2, 1.5])
def test_load_digits_bad_test_size_raises(test_size):
    with pytest.raises(ValueError, match="test_size"):
        data.load_digits(test_size=test_size)


# ---------------------------------------------------------------- toy generators


def test_make_moons_shape_labels_determinism():
    X, y = data.make_moons()
    assert X.shape == (200, 2) and X.dtype == np.float64
    assert y.shape == (200,) and y.dtype.kind in "iu"
    assert np.bincount(y).tolist() == [100, 100]
    X2, y2 = data.make_moons(n_samples=50, noise=0.1, seed=3)
    assert X2.shape == (50, 2) and y2.shape == (50,)
    X3, y3 = data.make_moons(n_samples=50, noise=0.1, seed=3)
    np.testing.assert_array_equal(X2, X3)
    np.testing.assert_array_equal(y2, y3)
    X4, _ = data.make_moons(n_samples=50, noise=0.1, seed=4)
    assert not np.array_equal(X2, X4)


def test_make_moons_noise_zero_lies_on_the_half_circles():
    X, y = data.make_moons(n_samples=40, noise=0.0, seed=0)
    upper = X[y == 0]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-12)


def test_make_spiral_shape_labels_determinism():
    X, y = data.make_spiral()
    assert X.shape == (300, 2) and X.dtype == np.float64
    assert y.shape == (300,) and y.dtype.kind in "iu"
    assert np.bincount(y).tolist() == [100, 100, 100]
    X2, y2 = data.make_spiral(n_per_class=20, n_classes=5, noise=0.1, seed=7)
    assert X2.shape == (100, 2) and np.bincount(y2).tolist() == [20] * 5
    X3, _ = data.make_spiral(n_per_class=20, n_classes=5, noise=0.1, seed=7)
    np.testing.assert_array_equal(X2, X3)
    X4, _ = data.make_spiral(n_per_class=20, n_classes=5, noise=0.1, seed=8)
    assert not np.array_equal(X2, X4)
    assert np.abs(X).max() <= 1.0 + 1e-12  # radii in [0, 1]


def test_xor():
    X, y = data.xor()
    assert X.shape == (4, 2) and y.shape == (4,)
    assert y.dtype.kind in "iu"
    assert sorted(map(tuple, X.tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]).astype(int))


def test_sine_shapes_and_determinism():
    X, y = data.sine()
    assert X.shape == (200, 1) and y.shape == (200, 1)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert X.min() >= -np.pi and X.max() <= np.pi
    X0, y0 = data.sine(n_samples=30, noise=0.0, seed=2)
    assert X0.shape == (30, 1)
    np.testing.assert_allclose(y0, np.sin(X0), atol=1e-15)
    Xa, ya = data.sine(n_samples=30, noise=0.1, seed=2)
    Xb, yb = data.sine(n_samples=30, noise=0.1, seed=2)
    np.testing.assert_array_equal(ya, yb)
    assert 0.03 < np.std(ya - np.sin(Xa)) < 0.3


def test_generators_leave_global_numpy_state_alone():
    np.random.seed(0)  # noqa: NPY002 (checks the legacy global state is untouched)
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checks the legacy global state is untouched)
    data.make_moons()
    data.make_spiral()
    data.sine()
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002 (checks the legacy global state is untouched)


@pytest.mark.parametrize(
    ("make", "kwargs"),
    [(data.make_moons, dict(n_samples=30)), (data.make_spiral, dict(n_per_class=10)),
     (data.sine, dict(n_samples=30))],
    ids=["make_moons", "make_spiral", "sine"],
)
def test_generators_take_an_explicit_rng_per_api_convention(make, kwargs):
    """API.md: 'Randomness only through an explicit numpy.random.Generator argument rng'."""
    a = make(**kwargs, rng=np.random.default_rng(5))
    b = make(**kwargs, rng=np.random.default_rng(5))
    c = make(**kwargs, rng=np.random.default_rng(6))
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
