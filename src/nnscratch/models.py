"""Ready-made networks: ``TwoLayerNet`` and the general ``MLP``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._checks import as_generator, check_choice, check_range
from .init import INITIALIZERS
from .layers import (
    Dropout,
    Linear,
    Module,
    ReLU,
    Sequential,
    make_activation,
    make_norm,
)
from .layers.activations import ACTIVATIONS
from .layers.normalization import NORMS


class TwoLayerNet(Module):
    """Linear -> ReLU -> Linear, returning logits of shape ``(N, output_size)``."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int, *,
                 rng: np.random.Generator | None = None, dtype=np.float64):
        rng = as_generator(rng)
        self.fc1 = Linear(input_size, hidden_size, rng=rng, dtype=dtype)
        self.relu = ReLU()
        self.fc2 = Linear(hidden_size, output_size, rng=rng, dtype=dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.fc2(self.relu(self.fc1(x)))

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        dh = self.relu.backward(self.fc2.backward(dout))
        return self.fc1.backward(dh, input_grad=input_grad)


class MLP(Module):
    """Multi-layer perceptron ``sizes = [D, H1, ..., C]``, returning logits.

    Each hidden block is Linear -> [norm] -> activation -> [Dropout]; the last
    layer is a plain Linear. ``MLP([D, H1, H2, C])`` is the three-layer net.
    The blocks live in ``self.net`` (a ``Sequential``), so ``model.net[0]`` is
    the first Linear.
    """

    def __init__(self, sizes: Sequence[int], *, activation: str = "relu",
                 norm: str | None = None, dropout: float = 0.0, init: str = "he",
                 rng: np.random.Generator | None = None, dtype=np.float64):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two positive sizes, got {sizes}")
        check_choice(activation, tuple(ACTIVATIONS), "activation")
        check_choice(norm, (None, *NORMS), "norm")
        check_choice(init, INITIALIZERS, "init")
        dropout = check_range(dropout, "dropout", 0.0, 1.0)
        rng = as_generator(rng)
        self.sizes = sizes
        layers: list[Module] = []
        for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1], strict=True):
            layers.append(Linear(fan_in, fan_out, init=init, rng=rng, dtype=dtype))
            if norm is not None:
                layers.append(make_norm(norm, fan_out, dtype=dtype))
            layers.append(make_activation(activation))
            if dropout > 0:
                layers.append(Dropout(dropout, rng=rng))
        layers.append(Linear(sizes[-2], sizes[-1], init=init, rng=rng, dtype=dtype))
        self.net = Sequential(*layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.net.forward(x)

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """``dL/dx``, accumulating every parameter gradient (see ``Sequential.backward``)."""
        return self.net.backward(dout, input_grad=input_grad)

    def __repr__(self) -> str:
        return f"MLP({self.sizes}, {self.net!r})"
