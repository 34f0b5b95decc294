"""Activation modules wrapping the functional pairs."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .._checks import check_choice
from .module import Module


class _Elementwise(Module):
    """An activation with no parameters: ``_forward``/``_backward`` from functional."""

    _forward = None
    _backward = None

    def __init__(self):
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        out, self._cache = type(self)._forward(x)
        return out

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray:
        self._check_called(self._cache)
        return type(self)._backward(dout, self._cache)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(_Elementwise):
    """``max(0, x)``."""

    _forward = staticmethod(F.relu_forward)
    _backward = staticmethod(F.relu_backward)


class Sigmoid(_Elementwise):
    """``1 / (1 + exp(-x))``, stable."""

    _forward = staticmethod(F.sigmoid_forward)
    _backward = staticmethod(F.sigmoid_backward)


class Tanh(_Elementwise):
    """``tanh(x)``."""

    _forward = staticmethod(F.tanh_forward)
    _backward = staticmethod(F.tanh_backward)


class LeakyReLU(Module):
    """``x`` if ``x > 0`` else ``negative_slope * x``."""

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = negative_slope
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        out, self._cache = F.leaky_relu_forward(x, self.negative_slope)
        return out

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray:
        self._check_called(self._cache)
        return F.leaky_relu_backward(dout, self._cache)

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid, "tanh": Tanh}


def make_activation(name: str) -> Module:
    """An activation module by name: one of ``ACTIVATIONS``."""
    check_choice(name, tuple(ACTIVATIONS), "activation")
    return ACTIVATIONS[name]()
