"""``Linear``: ``y = x @ W + b`` with parameters ``W (in, out)`` and ``b (out,)``."""

from __future__ import annotations

import numpy as np

from ..functional import linear_backward, linear_forward
from ..init import init_weights
from .module import Module, Parameter


class Linear(Module):
    """Fully connected layer; ``init`` is ``"he"`` (He normal) or ``"xavier"`` (uniform).

    Note PyTorch's ``nn.Linear.weight`` has shape ``(out, in)``: it is ``W.T``.
    """

    def __init__(self, in_features: int, out_features: int, *, init: str = "he",
                 rng: np.random.Generator | None = None, dtype=np.float64):
        self.in_features = in_features
        self.out_features = out_features
        self.W = Parameter(init_weights(init, in_features, out_features, rng, dtype=dtype))
        self.b = Parameter(np.zeros(out_features, dtype=dtype))
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        out, self._cache = linear_forward(x, self.W.data, self.b.data)
        return out

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """Accumulate ``dW = x.T @ dout`` and ``db``; return ``dx = dout @ W.T``.

        With ``input_grad=False`` the (N, D) input gradient is not computed and
        None is returned: the first layer of a network does not need it, and it
        costs as much as ``dW``.
        """
        self._check_called(self._cache)
        x, W = self._cache
        if not input_grad:
            self.W.grad += x.T @ dout
            self.b.grad += dout.sum(axis=0)
            return None
        dx, dW, db = linear_backward(dout, self._cache)
        self.W.grad += dW
        self.b.grad += db
        return dx

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features})"
