"""Numerical gradients by centred differences, and gradient checks of whole models.

Centred differences have error O(h^2) (one-sided: O(h)), while rounding adds
about ``eps * |f| / h``: the total error is V-shaped in ``h``, smallest near
``h ~ eps**(1/3)`` (about 1e-5 in float64). In float32 (``eps ~ 1e-7``) the
rounding term alone is ~1e-2 at h=1e-5, which is why float32 checks fail.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._checks import as_float_array, check_choice, check_positive
from .functional import LOSSES
from .layers import BatchNorm1d, Module


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of the scalar ``f()`` with respect to ``x``.

    ``df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h)``. ``x`` is perturbed in
    place, one entry at a time, and each entry is restored exactly (bitwise).
    Returns an array shaped like ``x``.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a numpy array perturbed in place, got {type(x).__name__}")
    h = check_positive(h, "h")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i].copy()
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(f: Callable[[], np.ndarray], x: np.ndarray, dout: np.ndarray,
                             h: float = 1e-5) -> np.ndarray:
    """Gradient of ``sum(f() * dout)`` with respect to ``x``, for array-valued ``f``.

    This is what a layer's backward pass computes given the upstream gradient
    ``dout``.
    """
    return numerical_gradient(lambda: np.sum(f() * dout), x, h)


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest element-wise relative error ``|a - b| / max(1e-8, |a| + |b|)``."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


class _FrozenRandomness:
    """Replays the same dropout masks and keeps BatchNorm buffers untouched.

    A gradient check calls the forward pass hundreds of times; it must be the
    same function each time, so every ``rng`` is reset to its saved state and
    running statistics are restored afterwards.
    """

    def __init__(self, model: Module):
        self.modules = list(model.modules())
        self.rng_states = [(m, m.rng.bit_generator.state) for m in self.modules
                           if isinstance(getattr(m, "rng", None), np.random.Generator)]
        self.buffers = [(m, m.running_mean.copy(), m.running_var.copy())
                        for m in self.modules if isinstance(m, BatchNorm1d)]

    def reset_rngs(self) -> None:
        for m, state in self.rng_states:
            m.rng.bit_generator.state = state

    def restore_buffers(self) -> None:
        for m, mean, var in self.buffers:
            m.running_mean[...] = mean
            m.running_var[...] = var


def noise_floor(f_value: float, h: float, dtype=np.float64) -> float:
    """Smallest derivative centred differences can resolve: ``10 * eps * max(1, |f|) / h``.

    Entries where both the analytic and the numerical gradient are below it are
    indistinguishable from zero (e.g. the bias of a Linear feeding BatchNorm,
    whose true gradient is exactly zero) and count as agreeing.
    """
    return 10 * np.finfo(dtype).eps * max(1.0, abs(float(f_value))) / h


def gradient_error(analytic: np.ndarray, numeric: np.ndarray, floor: float) -> float:
    """Relative error of a whole gradient: ``||a - n|| / (||a|| + ||n||)``.

    Measured on the whole array rather than entry by entry, because rounding
    puts an absolute error of about ``eps * |f| / h`` on *every* numerical entry,
    which would swamp the relative error of the smallest entries. A gradient
    whose entries all stay below ``floor`` (see ``noise_floor``) is zero as far
    as finite differences can tell, and agrees with an analytic zero: 0.0.
    """
    if max(np.max(np.abs(analytic), initial=0), np.max(np.abs(numeric), initial=0)) <= floor:
        return 0.0
    diff = np.linalg.norm(analytic - numeric)
    return float(diff / (np.linalg.norm(analytic) + np.linalg.norm(numeric)))


def check_gradients(model: Module, X: np.ndarray, y: np.ndarray, loss: str = "cross_entropy",
                    h: float = 1e-6) -> dict[str, float]:
    """Relative error between backprop and numerical gradients, per parameter.

    Runs one forward/backward pass for the analytic gradients, then centred
    differences on every entry of every parameter (so keep the model small).
    Dropout masks are replayed identically for every evaluation and BatchNorm
    running statistics are left as they were. The model must be float64
    (float32 centred differences cannot resolve errors below ~1e-2); integer
    ``X`` is promoted. Returns ``{"fc1.W": 3e-10, ...}``,
    each value a ``gradient_error``; a correct model gives values below 1e-8
    in float64.
    """
    check_choice(loss, tuple(LOSSES), "loss")
    loss_fn = LOSSES[loss]
    X = as_float_array(X, "X")
    for name, p in model.named_parameters():
        if p.data.dtype != np.float64:
            raise TypeError(
                f"check_gradients needs a float64 model, got parameter {name} of dtype "
                f"{p.data.dtype}: centred differences in float32 are off by ~1e-2")
    X = X.astype(np.float64, copy=False)
    frozen = _FrozenRandomness(model)

    def f() -> float:
        frozen.reset_rngs()
        return float(loss_fn(model.forward(X), y)[0])

    try:
        model.zero_grad()
        frozen.reset_rngs()
        value, dout = loss_fn(model.forward(X), y)
        model.backward(dout)
        floor = noise_floor(value, h)
        errors = {}
        for name, p in model.named_parameters():
            analytic = p.grad.copy()
            numeric = numerical_gradient(f, p.data, h)
            errors[name] = gradient_error(analytic, numeric, floor)
        return errors
    finally:
        frozen.restore_buffers()
        frozen.reset_rngs()
