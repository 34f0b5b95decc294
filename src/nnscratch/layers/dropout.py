"""``Dropout``: inverted dropout in training, the identity in eval mode."""

from __future__ import annotations

import numpy as np

from .._checks import as_generator, check_probability
from ..functional import dropout_backward, dropout_forward
from .module import Module


class Dropout(Module):
    """Zero each unit with probability ``p`` and scale survivors by ``1 / (1 - p)``."""

    def __init__(self, p: float = 0.5, *, rng: np.random.Generator | None = None):
        self.p = check_probability(p, "p")
        self.rng = as_generator(rng)
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        out, self._cache = dropout_forward(x, self.p, self.training, self.rng)
        return out

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray:
        self._check_called(self._cache)
        return dropout_backward(dout, self._cache)

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"
