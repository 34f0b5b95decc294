"""``Parameter`` and ``Module``: the two classes every layer builds on."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


class Parameter:
    """A trainable array ``data`` with its gradient ``grad`` (same shape, zeros at start)."""

    def __init__(self, data: np.ndarray):
        self.data = np.asarray(data)
        self.grad = np.zeros_like(self.data)

    @property
    def shape(self) -> tuple:
        return self.data.shape

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


class Module:
    """Base class: ``forward(x)``, ``backward(dout, *, input_grad=True) -> dx``, parameters, modes.

    ``backward`` must be called after ``forward`` on the same input; it returns
    ``dL/dx`` and *accumulates* (``+=``) ``dL/dparam`` into each ``Parameter.grad``,
    so gradients of several backward passes add up until ``zero_grad()``.
    Every module's ``backward`` accepts ``input_grad`` (see ``Module.backward``).
    """

    training: bool = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """Accumulate the parameter gradients and return ``dx``, of the input's shape.

        ``input_grad=False`` tells the module that nobody will use ``dx`` (it is
        the network's first layer): it may then skip computing ``dx`` and return
        None, as ``Linear`` does. A module may also ignore the flag and return
        ``dx``. ``fit`` passes ``input_grad=False``; a subclass must accept it.
        """
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules as ``(attribute name, module)`` pairs."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def modules(self) -> Iterator[Module]:
        """This module and all sub-modules, depth first."""
        yield self
        for _, child in self.children():
            yield from child.modules()

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """All parameters, depth first, with dotted names such as ``fc1.W``."""
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
        for name, child in self.children():
            yield from child.named_parameters(f"{prefix}{name}.")

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad[...] = 0

    def train(self, mode: bool = True) -> Module:
        self.training = mode
        for _, child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def _check_called(self, cache, name: str = "forward") -> None:
        if cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before {name}")

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={c!r}" for n, c in self.children())
        return f"{type(self).__name__}({inner})"
