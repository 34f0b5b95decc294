"""nnscratch: neural networks from scratch in NumPy, checked against PyTorch.

Modules: ``functional`` (forward/backward pairs and losses), ``init``,
``layers``, ``models``, ``optim``, ``gradcheck``, ``train``, ``data``, and — imported
on first use — ``plotting`` (matplotlib) and ``torch_bridge`` (torch).
"""

import importlib

from . import data, functional, gradcheck, init, layers, models, optim, train

__version__ = "0.1.0"

_LAZY = ("display", "plotting", "torch_bridge")

__all__ = ["data", "functional", "gradcheck", "init", "layers", "models", "optim", "train",
           *_LAZY, "__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'nnscratch' has no attribute {name!r}")
