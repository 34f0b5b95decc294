"""Optimizers: functional updates (``*_update``) and in-place classes.

Functional: ``sgd_momentum_update``, ``rmsprop_update``, ``adam_update`` return new
arrays. Classes: ``SGD``, ``RMSprop``, ``Adam`` step a list of ``Parameter``.
"""

from .optimizers import SGD, Adam, Optimizer, RMSprop
from .updates import adam_update, rmsprop_update, sgd_momentum_update

__all__ = [
    "SGD",
    "Adam",
    "Optimizer",
    "RMSprop",
    "adam_update",
    "rmsprop_update",
    "sgd_momentum_update",
]
