"""Functional core: stateless ``*_forward`` / ``*_backward`` pairs and losses.

Each ``*_forward`` returns ``(out, cache)``; each ``*_backward(dout, cache)``
returns the gradients of its inputs, in the order the forward takes them.
"""

from .activations import (
    leaky_relu_backward,
    leaky_relu_forward,
    relu_backward,
    relu_forward,
    sigmoid,
    sigmoid_backward,
    sigmoid_forward,
    tanh_backward,
    tanh_forward,
)
from .dropout import dropout_backward, dropout_forward
from .linear import linear_backward, linear_forward
from .losses import LOSSES, log_softmax, mse_loss, softmax, softmax_cross_entropy
from .normalization import (
    batchnorm_backward,
    batchnorm_eval_backward,
    batchnorm_eval_forward,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
    rmsnorm_backward,
    rmsnorm_forward,
)

__all__ = [
    "LOSSES",
    "batchnorm_backward",
    "batchnorm_eval_backward",
    "batchnorm_eval_forward",
    "batchnorm_forward",
    "dropout_backward",
    "dropout_forward",
    "layernorm_backward",
    "layernorm_forward",
    "leaky_relu_backward",
    "leaky_relu_forward",
    "linear_backward",
    "linear_forward",
    "log_softmax",
    "mse_loss",
    "relu_backward",
    "relu_forward",
    "rmsnorm_backward",
    "rmsnorm_forward",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax",
    "softmax_cross_entropy",
    "tanh_backward",
    "tanh_forward",
]
