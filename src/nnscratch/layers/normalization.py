"""Normalization modules: ``BatchNorm1d``, ``LayerNorm``, ``RMSNorm``."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .._checks import check_choice, check_positive, check_range
from .module import Module, Parameter


class BatchNorm1d(Module):
    """Batch normalization over ``(N, D)`` inputs, as ``torch.nn.BatchNorm1d``.

    Training: normalize with the batch mean and biased variance, and update

        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var  = (1 - momentum) * running_var  + momentum * var * N / (N - 1)

    (the running variance uses the *unbiased* batch variance). Eval: normalize
    with the running buffers, a fixed affine map of each row.
    """

    def __init__(self, num_features: int, *, eps: float = 1e-5, momentum: float = 0.1,
                 dtype=np.float64):
        self.num_features = num_features
        self.eps = check_positive(eps, "eps")
        self.momentum = check_range(momentum, "momentum", 0.0, 1.0, include_high=True)
        self.gamma = Parameter(np.ones(num_features, dtype=dtype))
        self.beta = Parameter(np.zeros(num_features, dtype=dtype))
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)
        self._cache = None
        self._backward = None  # the functional backward matching the forward that ran

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.training:
            out, self._cache = F.batchnorm_forward(x, self.gamma.data, self.beta.data, self.eps)
            self._backward = F.batchnorm_backward
            _, _, _, mean, var = self._cache
            n = x.shape[0]
            m = self.momentum
            self.running_mean *= 1 - m
            self.running_mean += m * mean
            self.running_var *= 1 - m
            self.running_var += m * var * (n / (n - 1))
            return out
        out, self._cache = F.batchnorm_eval_forward(
            x, self.gamma.data, self.beta.data, self.running_mean, self.running_var, self.eps)
        self._backward = F.batchnorm_eval_backward
        return out

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray:
        self._check_called(self._cache)
        dx, dgamma, dbeta = self._backward(dout, self._cache)
        self.gamma.grad += dgamma
        self.beta.grad += dbeta
        return dx

    def __repr__(self) -> str:
        return f"BatchNorm1d({self.num_features}, eps={self.eps}, momentum={self.momentum})"


class LayerNorm(Module):
    """Normalize each row over its last axis, then ``gamma * xhat + beta``."""

    def __init__(self, num_features: int, *, eps: float = 1e-5, dtype=np.float64):
        self.num_features = num_features
        self.eps = check_positive(eps, "eps")
        self.gamma = Parameter(np.ones(num_features, dtype=dtype))
        self.beta = Parameter(np.zeros(num_features, dtype=dtype))
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        out, self._cache = F.layernorm_forward(x, self.gamma.data, self.beta.data, self.eps)
        return out

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray:
        self._check_called(self._cache)
        dx, dgamma, dbeta = F.layernorm_backward(dout, self._cache)
        self.gamma.grad += dgamma
        self.beta.grad += dbeta
        return dx

    def __repr__(self) -> str:
        return f"LayerNorm({self.num_features}, eps={self.eps})"


class RMSNorm(Module):
    """Divide each row by its root mean square, then scale by ``gamma``."""

    def __init__(self, num_features: int, *, eps: float = 1e-6, dtype=np.float64):
        self.num_features = num_features
        self.eps = check_positive(eps, "eps")
        self.gamma = Parameter(np.ones(num_features, dtype=dtype))
        self._cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        out, self._cache = F.rmsnorm_forward(x, self.gamma.data, self.eps)
        return out

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray:
        self._check_called(self._cache)
        dx, dgamma = F.rmsnorm_backward(dout, self._cache)
        self.gamma.grad += dgamma
        return dx

    def __repr__(self) -> str:
        return f"RMSNorm({self.num_features}, eps={self.eps})"


NORMS = {"batch": BatchNorm1d, "layer": LayerNorm, "rms": RMSNorm}


def make_norm(name: str, num_features: int, dtype=np.float64) -> Module:
    """A normalization module by name: ``"batch"``, ``"layer"`` or ``"rms"``."""
    check_choice(name, tuple(NORMS), "norm")
    return NORMS[name](num_features, dtype=dtype)
