"""Optimizer classes over ``list[Parameter]``, updating ``Parameter.data`` in place.

Interface (all classes)::

    opt = Adam(model.parameters(), lr=1e-3)
    model.zero_grad()            # or opt.zero_grad()
    loss, dlogits = softmax_cross_entropy(model(X), y)
    model.backward(dlogits)
    opt.step()

Each class follows the same update, in the same order of operations, as its
``torch.optim`` namesake, so trajectories agree to rounding error. Updates are
written in place with one scratch buffer per parameter: no per-step allocations.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .._checks import check_range
from ..layers import Parameter


class Optimizer:
    """Base class: keeps the parameter list and ``zero_grad``."""

    def __init__(self, params: Iterable[Parameter], lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError("params must contain at least one Parameter, got an empty list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Parameter):
                raise TypeError(f"params[{i}] must be a Parameter, got {type(p).__name__}")
        self.lr = check_range(lr, "lr", 0.0, math.inf)
        self._scratch = [np.empty_like(p.data) for p in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad[...] = 0

    @staticmethod
    def _grad(p: Parameter, weight_decay: float) -> np.ndarray:
        """``p.grad``, plus ``weight_decay * p.data`` (L2 penalty) when it is non-zero."""
        return p.grad + weight_decay * p.data if weight_decay else p.grad

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """SGD with optional momentum and L2 weight decay (``torch.optim.SGD``)::

        g = grad + weight_decay * w
        v = momentum * v + g        (v = g on the first step)
        w = w - lr * v              (w = w - lr * g without momentum)
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.momentum = check_range(momentum, "momentum", 0.0, 1.0)
        self.weight_decay = check_range(weight_decay, "weight_decay", 0.0, math.inf)
        self.velocity = [None] * len(self.params)

    def step(self) -> None:
        for i, (p, buf) in enumerate(zip(self.params, self._scratch, strict=True)):
            g = self._grad(p, self.weight_decay)
            if self.momentum:
                if self.velocity[i] is None:
                    self.velocity[i] = g.copy()
                else:
                    self.velocity[i] *= self.momentum
                    self.velocity[i] += g
                g = self.velocity[i]
            np.multiply(g, self.lr, out=buf)
            p.data -= buf


class RMSprop(Optimizer):
    """RMSprop (``torch.optim.RMSprop``)::

        s = alpha * s + (1 - alpha) * g**2
        w = w - lr * g / (sqrt(s) + eps)
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8):
        super().__init__(params, lr)
        self.alpha = check_range(alpha, "alpha", 0.0, 1.0, include_high=True)
        self.eps = eps
        self.square_avg = [np.zeros_like(p.data) for p in self.params]

    def step(self) -> None:
        for p, s, buf in zip(self.params, self.square_avg, self._scratch, strict=True):
            g = p.grad
            s *= self.alpha
            np.multiply(g, g, out=buf)
            buf *= 1 - self.alpha
            s += buf
            np.sqrt(s, out=buf)
            buf += self.eps
            np.divide(g, buf, out=buf)
            buf *= self.lr
            p.data -= buf


class Adam(Optimizer):
    """Adam with bias correction and optional L2 weight decay (``torch.optim.Adam``)::

        g = grad + weight_decay * w
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        w = w - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, lr)
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.beta1 = check_range(betas[0], "betas[0]", 0.0, 1.0)
        self.beta2 = check_range(betas[1], "betas[1]", 0.0, 1.0)
        self.eps = eps
        self.weight_decay = check_range(weight_decay, "weight_decay", 0.0, math.inf)
        self.t = 0
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step_size = self.lr / (1 - b1**self.t)
        bc2_sqrt = (1 - b2**self.t) ** 0.5
        # lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)
        #   == (lr*sqrt(bc2)/bc1) * m / (sqrt(v) + eps*sqrt(bc2)): one pass fewer per step
        scale = step_size * bc2_sqrt
        eps = self.eps * bc2_sqrt
        for p, m, v, buf in zip(self.params, self.m, self.v, self._scratch, strict=True):
            g = self._grad(p, self.weight_decay)
            np.subtract(g, m, out=buf)  # m += (1 - b1) * (g - m): torch's lerp form
            buf *= 1 - b1
            m += buf
            np.multiply(g, g, out=buf)
            buf *= 1 - b2
            v *= b2
            v += buf
            np.sqrt(v, out=buf)
            buf += eps
            np.divide(m, buf, out=buf)
            buf *= scale
            p.data -= buf
