"""``Sequential``: modules applied in order; backward runs them in reverse."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .linear import Linear
from .module import Module


class Sequential(Module):
    """``Sequential(m1, m2, ...)(x) == m2(m1(x))``; iterable, indexable, ``len()``."""

    def __init__(self, *modules: Module):
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential item {i} must be a Module, got {type(m).__name__}")
        self.layers = list(modules)

    def children(self) -> Iterator[tuple[str, Module]]:
        for i, m in enumerate(self.layers):
            yield str(i), m

    def forward(self, x: np.ndarray) -> np.ndarray:
        for m in self.layers:
            x = m.forward(x)
        return x

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """Run each module's backward in reverse order and return ``dx``.

        ``input_grad=False`` lets a first ``Linear`` skip the input gradient
        (returns None); training loops use it, since nothing consumes ``dx``.
        """
        for i in range(len(self.layers) - 1, -1, -1):
            m = self.layers[i]
            if i == 0 and not input_grad and isinstance(m, Linear):
                return m.backward(dout, input_grad=False)
            dout = m.backward(dout)
        return dout

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Sequential(*self.layers[i])
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({i}): {m!r}" for i, m in enumerate(self.layers))
        return f"Sequential({inner}\n)"
