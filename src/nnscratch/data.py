"""Small data sets for the chapters. Everything is generated or bundled: no downloads.

Classification sets return ``X`` of shape (N, D) float64 and integer labels
``y`` of shape (N,); ``sine`` returns regression targets of shape (N, 1).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Split(NamedTuple):
    """A train/test split, unpacked in scikit-learn's order."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def standardize(X_train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Scale each feature to mean 0, std 1 using the *training* statistics only.

    Constant features (std 0) are centred and left unscaled.
    """
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    return tuple((X - mean) / std for X in (X_train, *others))


def load_digits(test_size: float = 0.2, seed: int = 0) -> Split:
    """scikit-learn's bundled 8x8 digits (1797 images, 64 features, 10 classes).

    A stratified split with ``random_state=seed``; features standardized with
    the training statistics. Returns ``Split(X_train, X_test, y_train, y_test)``.
    """
    from sklearn.datasets import load_digits as sk_load_digits
    from sklearn.model_selection import train_test_split

    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be in (0, 1), got {test_size}")
    digits = sk_load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data, digits.target, test_size=test_size, random_state=seed,
        stratify=digits.target)
    X_train, X_test = standardize(X_train, X_test)
    return Split(X_train, X_test, y_train.astype(np.int64), y_test.astype(np.int64))


def _generator(rng: np.random.Generator | None, seed: int) -> np.random.Generator:
    """``rng`` when given, else a Generator seeded with ``seed`` (data sets are reproducible)."""
    return np.random.default_rng(seed) if rng is None else rng


def make_moons(n_samples: int = 200, noise: float = 0.2, seed: int = 0,
               rng: np.random.Generator | None = None):
    """Two interleaving half circles (scikit-learn's ``make_moons``): ``X (N, 2), y (N,)``.

    Randomness comes from ``rng`` if given, else from ``default_rng(seed)``.
    """
    from sklearn.datasets import make_moons as sk_make_moons

    state = int(_generator(rng, seed).integers(2**31 - 1))
    X, y = sk_make_moons(n_samples=n_samples, noise=noise, random_state=state)
    return X, y.astype(np.int64)


def make_spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
                seed: int = 0, rng: np.random.Generator | None = None):
    """Interleaved spiral arms, one per class (the CS231n toy set).

    Returns ``X (n_per_class * n_classes, 2)`` and ``y``; not linearly separable.
    Randomness comes from ``rng`` if given, else from ``default_rng(seed)``.
    """
    if n_per_class < 1 or n_classes < 2:
        raise ValueError(f"need n_per_class >= 1 and n_classes >= 2, "
                         f"got {n_per_class} and {n_classes}")
    rng = _generator(rng, seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for k in range(n_classes):
        rows = slice(n_per_class * k, n_per_class * (k + 1))
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + rng.normal(0, noise, n_per_class)
        X[rows] = np.column_stack([r * np.sin(t), r * np.cos(t)])
        y[rows] = k
    return X, y


def xor():
    """The four XOR points: ``X (4, 2)`` in {0, 1}^2 and ``y = x1 XOR x2``."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([0, 1, 1, 0], dtype=np.int64)


def sine(n_samples: int = 200, noise: float = 0.1, seed: int = 0,
         rng: np.random.Generator | None = None):
    """Noisy ``y = sin(x)`` on ``x`` in [-pi, pi]: ``X (N, 1)``, ``y (N, 1)`` (sorted by x).

    Randomness comes from ``rng`` if given, else from ``default_rng(seed)``.
    """
    rng = _generator(rng, seed)
    X = np.sort(rng.uniform(-np.pi, np.pi, n_samples))[:, None]
    return X, np.sin(X) + rng.normal(0.0, noise, X.shape)
