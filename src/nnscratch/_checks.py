"""Input validation shared by the library: clear errors that name the argument."""

from __future__ import annotations

import numpy as np


def as_generator(rng: np.random.Generator | None) -> np.random.Generator:
    """``rng`` itself, or a fresh ``np.random.default_rng()`` when it is None."""
    return np.random.default_rng() if rng is None else rng


def as_float_array(x, name: str) -> np.ndarray:
    """Return ``x`` as a floating ndarray, keeping float32/float64 as given.

    Integer and boolean input is promoted to float64; anything else that is
    not a real number raises ``TypeError`` naming the argument.
    """
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "iub":
        return arr.astype(np.float64)
    raise TypeError(f"{name} must be a real-valued array, got dtype {arr.dtype}")


def check_ndim(x: np.ndarray, ndim: int, name: str, layout: str) -> None:
    """Raise ValueError unless ``x.ndim == ndim``; ``layout`` reads like '(N, D)'."""
    if x.ndim != ndim:
        raise ValueError(f"{name} must have shape {layout}, got shape {x.shape}")


def check_shape(x: np.ndarray, shape: tuple, name: str) -> None:
    """Raise ValueError unless ``x.shape == shape``."""
    if x.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got shape {x.shape}")


def check_probability(p: float, name: str = "p") -> float:
    """Return ``p`` as a float after checking ``0 <= p <= 1``."""
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {p}")
    return p


def check_positive(value: float, name: str) -> float:
    """Return ``value`` as a float after checking it is > 0."""
    value = float(value)
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def check_choice(value, choices, name: str):
    """Raise ValueError unless ``value`` is one of ``choices``."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_labels(y, n: int, num_classes: int, name: str = "y") -> np.ndarray:
    """Integer class labels of shape ``(n,)`` with values in ``[0, num_classes)``."""
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    check_shape(y, (n,), name)
    if n and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"{name} must hold labels in [0, {num_classes}), "
            f"got values in [{y.min()}, {y.max()}]"
        )
    return y
