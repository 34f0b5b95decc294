"""``Sequential``: modules applied in order; backward runs them in reverse."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .._checks import check_backward_takes_input_grad
from .module import Module


class Sequential(Module):
    """``Sequential(m1, m2, ...)(x) == m2(m1(x))``; iterable, indexable, ``len()``."""

    def __init__(self, *modules: Module):
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential item {i} must be a Module, got {type(m).__name__}")
            check_backward_takes_input_grad(m)
        self.layers = list(modules)

    def children(self) -> Iterator[tuple[str, Module]]:
        for i, m in enumerate(self.layers):
            yield str(i), m

    def forward(self, x: np.ndarray) -> np.ndarray:
        for m in self.layers:
            x = m.forward(x)
        return x

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """Run each module's backward, last to first, and return ``dx``.

        Each module's ``dx`` is the next one's ``dout``, so only the first module
        receives the caller's ``input_grad`` (a first ``Linear`` then skips ``dx``).
        """
        for i in range(len(self.layers) - 1, -1, -1):
            dout = self.layers[i].backward(dout, input_grad=input_grad if i == 0 else True)
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
