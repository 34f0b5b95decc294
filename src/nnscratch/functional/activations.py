"""Element-wise activations, each forward next to its local derivative.

Every ``*_forward(x)`` returns ``(out, cache)`` with ``out`` the shape of ``x``;
every ``*_backward(dout, cache)`` returns ``dx = dout * f'(x)``.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, check_shape


def relu_forward(x: np.ndarray):
    """ReLU: ``out = max(0, x)``; the gradient at exactly 0 is 0 (as in PyTorch)."""
    x = as_float_array(x, "x")
    return np.maximum(x, 0), x


def relu_backward(dout: np.ndarray, cache) -> np.ndarray:
    """``dx = dout * [x > 0]``."""
    x = cache
    check_shape(dout, x.shape, "dout")
    return dout * (x > 0)


def leaky_relu_forward(x: np.ndarray, negative_slope: float = 0.01):
    """Leaky ReLU: ``out = x`` where ``x > 0``, else ``negative_slope * x``."""
    x = as_float_array(x, "x")
    slope = x.dtype.type(negative_slope)
    return np.where(x > 0, x, slope * x), (x, slope)


def leaky_relu_backward(dout: np.ndarray, cache) -> np.ndarray:
    """``dx = dout * (1 if x > 0 else negative_slope)``."""
    x, slope = cache
    check_shape(dout, x.shape, "dout")
    return np.where(x > 0, dout, slope * dout)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function without overflow.

    Uses ``1 / (1 + exp(-x))`` for ``x >= 0`` and ``exp(x) / (1 + exp(x))``
    otherwise, so ``exp`` only ever sees non-positive arguments.
    """
    x = as_float_array(x, "x")
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_forward(x: np.ndarray):
    """``out = 1 / (1 + exp(-x))``, computed stably; the cache is ``out``."""
    out = sigmoid(x)
    return out, out


def sigmoid_backward(dout: np.ndarray, cache) -> np.ndarray:
    """``dx = dout * s * (1 - s)`` with ``s = sigmoid(x)``."""
    s = cache
    check_shape(dout, s.shape, "dout")
    return dout * s * (1 - s)


def tanh_forward(x: np.ndarray):
    """``out = tanh(x)``; the cache is ``out``."""
    out = np.tanh(as_float_array(x, "x"))
    return out, out


def tanh_backward(dout: np.ndarray, cache) -> np.ndarray:
    """``dx = dout * (1 - tanh(x)^2)``."""
    t = cache
    check_shape(dout, t.shape, "dout")
    return dout * (1 - t * t)
