"""Functional optimizer updates: ``(w, dw, state...) -> (new w, new state...)``.

None of them mutates its inputs. Conventions are PyTorch's, so the classes in
``optim.optimizers`` (which update in place) follow the same trajectories.
"""

from __future__ import annotations

import numpy as np


def _check_like(w: np.ndarray, **arrays: np.ndarray) -> None:
    """Each state array must have ``w``'s shape (broadcasting would hide a mix-up)."""
    shape = np.shape(w)
    for name, a in arrays.items():
        if np.shape(a) != shape:
            raise ValueError(f"{name} must have the shape of w {shape}, got shape {np.shape(a)}")


def sgd_momentum_update(w: np.ndarray, dw: np.ndarray, velocity: np.ndarray, lr: float,
                        momentum: float = 0.9):
    """SGD with momentum (PyTorch form)::

        velocity = momentum * velocity + dw
        w        = w - lr * velocity

    Returns ``(w, velocity)``. (The CS231n form ``v = mu*v - lr*dw; w += v`` is the
    same trajectory with the learning rate folded into ``v``.)
    """
    _check_like(w, dw=dw, velocity=velocity)
    velocity = momentum * velocity + dw
    return w - lr * velocity, velocity


def rmsprop_update(w: np.ndarray, dw: np.ndarray, cache: np.ndarray, lr: float = 1e-2,
                   alpha: float = 0.99, eps: float = 1e-8):
    """RMSprop::

        cache = alpha * cache + (1 - alpha) * dw**2
        w     = w - lr * dw / (sqrt(cache) + eps)

    Returns ``(w, cache)``.
    """
    _check_like(w, dw=dw, cache=cache)
    cache = alpha * cache + (1 - alpha) * dw * dw
    return w - lr * dw / (np.sqrt(cache) + eps), cache


def adam_update(w: np.ndarray, dw: np.ndarray, m: np.ndarray, v: np.ndarray, t: int,
                lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                eps: float = 1e-8):
    """Adam with bias correction; ``t`` is the 1-based number of this step::

        m     = beta1 * m + (1 - beta1) * dw
        v     = beta2 * v + (1 - beta2) * dw**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        w     = w - lr * m_hat / (sqrt(v_hat) + eps)

    Returns ``(w, m, v)``. Computed in PyTorch's order of operations
    (``lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)``) so trajectories agree to
    rounding.
    """
    if t < 1:
        raise ValueError(f"t must be the 1-based step number (>= 1), got {t}")
    _check_like(w, dw=dw, m=m, v=v)
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    bc1 = 1 - beta1**t
    bc2 = 1 - beta2**t
    denom = np.sqrt(v) / np.sqrt(bc2) + eps
    return w - (lr / bc1) * (m / denom), m, v
