"""Input validation shared by the library: clear errors that name the argument."""

from __future__ import annotations

import inspect
import math

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


def as_real(value, name: str) -> float:
    """Return ``value`` as a float; ``TypeError`` unless it is a real number (not a bool)."""
    arr = np.asarray(value)
    if arr.ndim != 0 or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real number, got {value!r}")
    return float(value)


def check_range(value: float, name: str, low: float, high: float, *,
                include_high: bool = False) -> float:
    """Return ``value`` as a float after checking ``low <= value < high``.

    ``include_high=True`` also accepts ``value == high``; ``high = math.inf``
    reads ``name must be >= low``. NaN is always out of range.
    """
    value = as_real(value, name)
    below_high = value <= high if include_high else value < high
    if low <= value and below_high:
        return value
    if high == math.inf:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    bracket = "]" if include_high else ")"
    raise ValueError(f"{name} must be in [{low}, {high}{bracket}, got {value}")


def check_probability(p: float, name: str = "p") -> float:
    """Return ``p`` as a float after checking ``0 <= p <= 1``."""
    return check_range(p, name, 0.0, 1.0, include_high=True)


def check_positive(value: float, name: str) -> float:
    """Return ``value`` as a float after checking it is > 0."""
    value = as_real(value, name)
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def check_int(value: int, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int after checking it is an integer >= ``minimum``.

    Floats (even ``2.0``) and bools are refused: a count must be given as one.
    """
    if np.asarray(value).dtype.kind in "iu" and np.ndim(value) == 0 and value >= minimum:
        return int(value)
    expected = {0: "a non-negative integer", 1: "a positive integer"}.get(
        minimum, f"an integer >= {minimum}")
    raise ValueError(f"{name} must be {expected}, got {value!r}")


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


def check_backward_takes_input_grad(module) -> None:
    """Raise TypeError unless ``module.backward`` accepts the keyword ``input_grad``.

    ``Module.backward(dout, *, input_grad=True)`` is the contract of every module;
    callers that pass the flag (``fit``, ``Sequential``) check it up front, so a
    module written as ``backward(self, dout)`` fails with this message rather
    than deep inside a training loop.
    """
    signature = inspect.signature(module.backward)
    for param in signature.parameters.values():
        if param.kind is param.VAR_KEYWORD or (
                param.name == "input_grad" and param.kind is not param.POSITIONAL_ONLY):
            return
    cls = type(module).__name__
    raise TypeError(
        f"{cls}.backward{signature} does not accept input_grad: define it as "
        "backward(self, dout, *, input_grad=True), the Module contract (a module may "
        "ignore the flag and return dx)")
