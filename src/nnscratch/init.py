"""Weight initializers: Xavier/Glorot and He/Kaiming.

Each returns a ``(fan_in, fan_out)`` array (batch-first layout, ``x @ W``) whose
bound or standard deviation equals the matching ``torch.nn.init`` function:

=================  =====================================  ==========================
function           distribution                           torch equivalent
=================  =====================================  ==========================
xavier_uniform     U(-a, a), a = gain*sqrt(6/(in+out))     xavier_uniform_
xavier_normal      N(0, s^2), s = gain*sqrt(2/(in+out))    xavier_normal_
he_uniform         U(-a, a), a = sqrt(2)*sqrt(3/in)        kaiming_uniform_(relu)
he_normal          N(0, s^2), s = sqrt(2/in)               kaiming_normal_(relu)
=================  =====================================  ==========================

Why: with ``Var(W) = 1/fan_in`` a linear layer keeps the variance of its input;
ReLU halves it, so He doubles the weight variance; Xavier compromises between
the forward (fan_in) and backward (fan_out) pass.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import as_generator, check_choice, check_int

INITIALIZERS = ("he", "xavier")


def _check_fans(fan_in: int, fan_out: int) -> None:
    check_int(fan_in, "fan_in")
    check_int(fan_out, "fan_out")


def xavier_bound(fan_in: int, fan_out: int, gain: float = 1.0) -> float:
    """Half-width ``a`` of Xavier's uniform distribution."""
    return gain * math.sqrt(6.0 / (fan_in + fan_out))


def xavier_std(fan_in: int, fan_out: int, gain: float = 1.0) -> float:
    """Standard deviation of Xavier's normal distribution."""
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def he_bound(fan_in: int) -> float:
    """Half-width of He's uniform distribution (ReLU gain sqrt(2), fan_in mode)."""
    return math.sqrt(2.0) * math.sqrt(3.0 / fan_in)


def he_std(fan_in: int) -> float:
    """Standard deviation of He's normal distribution (ReLU gain, fan_in mode)."""
    return math.sqrt(2.0 / fan_in)


def xavier_uniform(fan_in: int, fan_out: int, rng=None, gain: float = 1.0, dtype=np.float64):
    """(fan_in, fan_out) weights from U(-a, a), ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    _check_fans(fan_in, fan_out)
    a = xavier_bound(fan_in, fan_out, gain)
    return as_generator(rng).uniform(-a, a, size=(fan_in, fan_out)).astype(dtype, copy=False)


def xavier_normal(fan_in: int, fan_out: int, rng=None, gain: float = 1.0, dtype=np.float64):
    """(fan_in, fan_out) weights from N(0, s^2), ``s = gain * sqrt(2 / (fan_in + fan_out))``."""
    _check_fans(fan_in, fan_out)
    s = xavier_std(fan_in, fan_out, gain)
    return as_generator(rng).normal(0.0, s, size=(fan_in, fan_out)).astype(dtype, copy=False)


def he_normal(fan_in: int, fan_out: int, rng=None, dtype=np.float64):
    """(fan_in, fan_out) weights from N(0, s^2), ``s = sqrt(2 / fan_in)``."""
    _check_fans(fan_in, fan_out)
    s = he_std(fan_in)
    return as_generator(rng).normal(0.0, s, size=(fan_in, fan_out)).astype(dtype, copy=False)


def he_uniform(fan_in: int, fan_out: int, rng=None, dtype=np.float64):
    """(fan_in, fan_out) weights from U(-a, a), ``a = sqrt(6 / fan_in)``."""
    _check_fans(fan_in, fan_out)
    a = he_bound(fan_in)
    return as_generator(rng).uniform(-a, a, size=(fan_in, fan_out)).astype(dtype, copy=False)


def init_weights(name: str, fan_in: int, fan_out: int, rng=None, dtype=np.float64):
    """Weights by scheme name: ``"he"`` (He normal) or ``"xavier"`` (Xavier uniform)."""
    check_choice(name, INITIALIZERS, "init")
    if name == "he":
        return he_normal(fan_in, fan_out, rng, dtype=dtype)
    return xavier_uniform(fan_in, fan_out, rng, dtype=dtype)
