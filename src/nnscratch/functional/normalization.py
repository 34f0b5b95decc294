"""Normalization layers: BatchNorm (over the batch), LayerNorm and RMSNorm (over features).

All three standardize, then rescale with a learned ``gamma`` (and shift with
``beta``). Their backward passes share one shape: with ``xhat`` the normalized
input and ``g = dout * gamma``,

    dx = (g - mean(g) - xhat * mean(g * xhat)) / std        (Batch/LayerNorm)
    dx = (g - xhat * mean(g * xhat)) / rms                   (RMSNorm)

where the means run over the axis that was normalized. BatchNorm in evaluation
mode normalizes with fixed running statistics instead, so there ``dx = g / std``.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, check_ndim, check_positive, check_shape


def _check_affine(x: np.ndarray, param: np.ndarray, name: str) -> None:
    check_shape(np.asarray(param), (x.shape[-1],), name)


def batchnorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5):
    """Batch normalization in training mode (batch statistics).

    Inputs:
    - x: (N, D) with N >= 2
    - gamma, beta: (D,) scale and shift
    - eps: added to the variance for stability

    Returns a tuple of:
    - out: (N, D), ``out = gamma * (x - mu) / sqrt(var + eps) + beta`` where
      ``mu`` and ``var`` are the per-feature batch mean and *biased* variance
    - cache: (xhat, gamma, std, mu, var); ``mu`` and ``var`` let a module
      update its running statistics
    """
    x = as_float_array(x, "x")
    check_ndim(x, 2, "x", "(N, D)")
    if x.shape[0] < 2:
        raise ValueError(
            f"batchnorm needs more than one row per batch in training, got x of shape {x.shape}"
        )
    _check_affine(x, gamma, "gamma")
    _check_affine(x, beta, "beta")
    eps = check_positive(eps, "eps")
    mu = x.mean(axis=0)
    xc = x - mu
    var = np.mean(xc * xc, axis=0)
    std = np.sqrt(var + eps)
    xhat = xc / std
    out = gamma * xhat + beta
    return out, (xhat, gamma, std, mu, var)


def batchnorm_backward(dout: np.ndarray, cache):
    """Backward pass of ``batchnorm_forward``.

    Returns a tuple of:
    - dx: (N, D)
    - dgamma: (D,) = sum over the batch of ``dout * xhat``
    - dbeta: (D,) = sum over the batch of ``dout``
    """
    xhat, gamma, std = cache[:3]
    check_shape(dout, xhat.shape, "dout")
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    g = dout * gamma
    dx = (g - g.mean(axis=0) - xhat * np.mean(g * xhat, axis=0)) / std
    return dx, dgamma, dbeta


def batchnorm_eval_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                           running_mean: np.ndarray, running_var: np.ndarray,
                           eps: float = 1e-5):
    """Batch normalization in evaluation mode (running statistics, any N >= 1).

    Inputs:
    - x: (N, D)
    - gamma, beta: (D,) scale and shift
    - running_mean, running_var: (D,) statistics estimated during training
    - eps: added to the variance for stability

    Returns a tuple of:
    - out: (N, D), ``out = gamma * (x - running_mean) / sqrt(running_var + eps) + beta``,
      a fixed affine map of each row (the statistics are constants here)
    - cache: (xhat, gamma, std)
    """
    x = as_float_array(x, "x")
    check_ndim(x, 2, "x", "(N, D)")
    _check_affine(x, gamma, "gamma")
    _check_affine(x, beta, "beta")
    _check_affine(x, running_mean, "running_mean")
    _check_affine(x, running_var, "running_var")
    eps = check_positive(eps, "eps")
    std = np.sqrt(running_var + eps)
    xhat = (x - running_mean) / std
    return gamma * xhat + beta, (xhat, gamma, std)


def batchnorm_eval_backward(dout: np.ndarray, cache):
    """Backward pass of ``batchnorm_eval_forward``.

    Returns a tuple of:
    - dx: (N, D) = ``dout * gamma / std``: no batch statistic depends on x
    - dgamma: (D,) = sum over the batch of ``dout * xhat``
    - dbeta: (D,) = sum over the batch of ``dout``
    """
    xhat, gamma, std = cache
    check_shape(dout, xhat.shape, "dout")
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dx = dout * gamma / std
    return dx, dgamma, dbeta


def layernorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5):
    """Layer normalization over the last axis (each row on its own).

    Inputs:
    - x: (N, D) (any leading shape works; the last axis is normalized)
    - gamma, beta: (D,)

    Returns a tuple of:
    - out: same shape as x, ``gamma * (x - mean) / sqrt(var + eps) + beta`` with
      the mean and biased variance of each row
    - cache: (xhat, gamma, std)
    """
    x = as_float_array(x, "x")
    if x.ndim < 1:
        raise ValueError(f"x must have at least one axis, got shape {x.shape}")
    _check_affine(x, gamma, "gamma")
    _check_affine(x, beta, "beta")
    eps = check_positive(eps, "eps")
    xc = x - x.mean(axis=-1, keepdims=True)
    var = np.mean(xc * xc, axis=-1, keepdims=True)
    std = np.sqrt(var + eps)
    xhat = xc / std
    return gamma * xhat + beta, (xhat, gamma, std)


def layernorm_backward(dout: np.ndarray, cache):
    """Backward pass of ``layernorm_forward``: returns ``dx, dgamma, dbeta``."""
    xhat, gamma, std = cache
    check_shape(dout, xhat.shape, "dout")
    lead = tuple(range(dout.ndim - 1))
    dbeta = dout.sum(axis=lead)
    dgamma = np.sum(dout * xhat, axis=lead)
    g = dout * gamma
    dx = (
        g - g.mean(axis=-1, keepdims=True) - xhat * np.mean(g * xhat, axis=-1, keepdims=True)
    ) / std
    return dx, dgamma, dbeta


def rmsnorm_forward(x: np.ndarray, gamma: np.ndarray, eps: float = 1e-6):
    """Root-mean-square normalization over the last axis (no centring, no shift).

    Inputs:
    - x: (N, D) (any leading shape works)
    - gamma: (D,)

    Returns a tuple of:
    - out: ``gamma * x / rms`` with ``rms = sqrt(mean(x**2) + eps)`` per row.
      Note the true division: ``x // rms`` would floor every value.
    - cache: (xhat, gamma, rms)
    """
    x = as_float_array(x, "x")
    if x.ndim < 1:
        raise ValueError(f"x must have at least one axis, got shape {x.shape}")
    _check_affine(x, gamma, "gamma")
    eps = check_positive(eps, "eps")
    rms = np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    xhat = x / rms
    return gamma * xhat, (xhat, gamma, rms)


def rmsnorm_backward(dout: np.ndarray, cache):
    """Backward pass of ``rmsnorm_forward``: returns ``dx, dgamma``."""
    xhat, gamma, rms = cache
    check_shape(dout, xhat.shape, "dout")
    lead = tuple(range(dout.ndim - 1))
    dgamma = np.sum(dout * xhat, axis=lead)
    g = dout * gamma
    dx = (g - xhat * np.mean(g * xhat, axis=-1, keepdims=True)) / rms
    return dx, dgamma
