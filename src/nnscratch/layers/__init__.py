"""Layers as modules: each keeps its cache and accumulates parameter gradients."""

from .activations import LeakyReLU, ReLU, Sigmoid, Tanh, make_activation
from .container import Sequential
from .dropout import Dropout
from .linear import Linear
from .module import Module, Parameter
from .normalization import BatchNorm1d, LayerNorm, RMSNorm, make_norm

__all__ = [
    "BatchNorm1d",
    "Dropout",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "Module",
    "Parameter",
    "RMSNorm",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "make_activation",
    "make_norm",
]
