"""Convert nnscratch models to ``torch.nn`` modules and back.

torch is imported inside the functions, so the rest of the library never needs
it. ``nn.Linear`` stores ``weight`` as (out, in): it is our ``W.T``.
"""

from __future__ import annotations

import numpy as np

from . import layers as L
from .models import MLP, TwoLayerNet


def _linear_to_torch(layer: L.Linear, dtype):
    import torch

    m = torch.nn.Linear(layer.in_features, layer.out_features, dtype=dtype)
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(np.ascontiguousarray(layer.W.data.T)))
        m.bias.copy_(torch.from_numpy(layer.b.data))
    return m


def _norm_to_torch(layer, dtype):
    import torch

    n = layer.num_features
    if isinstance(layer, L.BatchNorm1d):
        m = torch.nn.BatchNorm1d(n, eps=layer.eps, momentum=layer.momentum, dtype=dtype)
        with torch.no_grad():
            m.running_mean.copy_(torch.from_numpy(layer.running_mean))
            m.running_var.copy_(torch.from_numpy(layer.running_var))
    elif isinstance(layer, L.LayerNorm):
        m = torch.nn.LayerNorm(n, eps=layer.eps, dtype=dtype)
    else:
        m = torch.nn.RMSNorm(n, eps=layer.eps, dtype=dtype)
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(layer.gamma.data))
        if hasattr(m, "bias") and m.bias is not None:
            m.bias.copy_(torch.from_numpy(layer.beta.data))
    return m


def _layer_to_torch(layer: L.Module, dtype):
    import torch

    if isinstance(layer, L.Linear):
        return _linear_to_torch(layer, dtype)
    if isinstance(layer, (L.BatchNorm1d, L.LayerNorm, L.RMSNorm)):
        return _norm_to_torch(layer, dtype)
    if isinstance(layer, L.Dropout):
        return torch.nn.Dropout(layer.p)
    if isinstance(layer, L.LeakyReLU):
        return torch.nn.LeakyReLU(layer.negative_slope)
    simple = {L.ReLU: torch.nn.ReLU, L.Sigmoid: torch.nn.Sigmoid, L.Tanh: torch.nn.Tanh}
    if type(layer) in simple:
        return simple[type(layer)]()
    if isinstance(layer, L.Sequential):
        return torch.nn.Sequential(*(_layer_to_torch(m, dtype) for m in layer))
    raise TypeError(f"cannot convert {type(layer).__name__} to torch")


def to_torch(model: L.Module, dtype=None):
    """An equivalent ``torch.nn.Module`` with copies of the weights and buffers.

    ``TwoLayerNet`` and ``MLP`` become an ``nn.Sequential`` of the same layers;
    single layers and ``Sequential`` convert directly. The training/eval mode is
    carried over. Default dtype: float64.
    """
    import torch

    dtype = torch.float64 if dtype is None else dtype
    if isinstance(model, TwoLayerNet):
        layers = [model.fc1, model.relu, model.fc2]
        out = torch.nn.Sequential(*(_layer_to_torch(m, dtype) for m in layers))
    elif isinstance(model, MLP):
        out = _layer_to_torch(model.net, dtype)
    else:
        out = _layer_to_torch(model, dtype)
    return out.train(model.training)


def _layer_from_torch(m):
    import torch
    import torch.nn as nn

    if isinstance(m, nn.Linear):
        if m.bias is None:
            raise ValueError("cannot convert nn.Linear(bias=False): nnscratch's Linear always "
                             "has a trainable bias b")
        layer = L.Linear(m.in_features, m.out_features)
        layer.W.data = m.weight.detach().numpy().T.copy()
        layer.b.data = m.bias.detach().numpy().copy()
    elif isinstance(m, (nn.BatchNorm1d, nn.LayerNorm, nn.RMSNorm)) and m.weight is None:
        raise ValueError(f"cannot convert {type(m).__name__} without affine parameters "
                         "(affine/elementwise_affine=False): nnscratch norms always learn gamma")
    elif isinstance(m, nn.LayerNorm) and m.bias is None:
        raise ValueError("cannot convert nn.LayerNorm(bias=False): nnscratch's LayerNorm "
                         "always learns beta")
    elif isinstance(m, nn.BatchNorm1d) and m.momentum is None:
        raise ValueError("cannot convert nn.BatchNorm1d(momentum=None) (a cumulative "
                         "average): nnscratch's BatchNorm1d needs a momentum in [0, 1]")
    elif isinstance(m, nn.BatchNorm1d):
        layer = L.BatchNorm1d(m.num_features, eps=m.eps, momentum=m.momentum)
        layer.running_mean = m.running_mean.detach().numpy().copy()
        layer.running_var = m.running_var.detach().numpy().copy()
    elif isinstance(m, nn.LayerNorm):
        layer = L.LayerNorm(m.normalized_shape[0], eps=m.eps)
    elif isinstance(m, nn.RMSNorm):
        # torch's eps=None means the machine epsilon of the weight's dtype
        eps = m.eps if m.eps is not None else torch.finfo(m.weight.dtype).eps
        layer = L.RMSNorm(m.normalized_shape[0], eps=eps)
    elif isinstance(m, nn.Dropout):
        return L.Dropout(m.p)
    elif isinstance(m, nn.LeakyReLU):
        return L.LeakyReLU(m.negative_slope)
    elif isinstance(m, nn.Sequential):
        return L.Sequential(*(_layer_from_torch(c) for c in m))
    else:
        simple = {nn.ReLU: L.ReLU, nn.Sigmoid: L.Sigmoid, nn.Tanh: L.Tanh}
        if type(m) not in simple:
            raise TypeError(f"cannot convert torch {type(m).__name__} to nnscratch")
        return simple[type(m)]()
    if isinstance(layer, (L.BatchNorm1d, L.LayerNorm, L.RMSNorm)):
        layer.gamma.data = m.weight.detach().numpy().copy()
        if isinstance(layer, (L.BatchNorm1d, L.LayerNorm)):
            layer.beta.data = m.bias.detach().numpy().copy()
    for p in layer.parameters():
        p.grad = np.zeros_like(p.data)
    return layer


def from_torch(module):
    """The nnscratch equivalent of a torch module built from the layer types above.

    An ``nn.Sequential`` becomes a ``Sequential``; weights are copied (with the
    transpose for Linear), and the training/eval mode is carried over.
    """
    return _layer_from_torch(module).train(module.training)
