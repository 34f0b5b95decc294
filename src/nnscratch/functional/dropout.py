"""Inverted dropout: scale at training time so evaluation is the identity."""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, as_generator, check_probability, check_shape


def dropout_forward(x: np.ndarray, p: float, training: bool, rng: np.random.Generator | None):
    """Inverted dropout forward pass.

    Inputs:
    - x: array of any shape
    - p: probability of *dropping* a unit (PyTorch's meaning), 0 <= p <= 1
    - training: apply the mask only when True
    - rng: numpy Generator for the mask (None: a fresh ``default_rng()``)

    Returns a tuple of:
    - out: same shape as x; ``out = x * keep / (1 - p)`` with
      ``keep = rng.random(x.shape) >= p``, so ``E[out] = x``
    - cache: (keep, p) with the boolean mask ``keep`` (None when the layer
      is the identity)

    ``p == 1`` drops everything (zeros, no division by zero); ``training=False``
    or ``p == 0`` returns ``x`` unchanged.
    """
    x = as_float_array(x, "x")
    p = check_probability(p, "p")
    if not training or p == 0.0:
        return x, (None, p)
    rng = as_generator(rng)
    keep = rng.random(x.shape) >= p
    if p == 1.0:
        return np.zeros_like(x), (keep, p)
    return x * keep / x.dtype.type(1 - p), (keep, p)


def dropout_backward(dout: np.ndarray, cache) -> np.ndarray:
    """``dx = dout * keep / (1 - p)``: the same mask the forward pass used."""
    keep, p = cache
    if keep is None:
        return dout
    check_shape(dout, keep.shape, "dout")
    if p == 1.0:
        return np.zeros_like(dout)
    return dout * keep / dout.dtype.type(1 - p)
