"""Test class of challenge 06 (BatchNorm over (N, C, L) and GroupNorm).

The buggy members are the solution's answer cells with one change each (``_edit`` fails
loudly when the solution no longer contains the text it replaces).
"""

from __future__ import annotations

import functools

from tests.challenges import edited, solution_answers

_edit = functools.partial(edited, solution_answers("06_normalization"))


BN_LOOPS = '''
def batchnorm_ncl(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    N, C, L = x.shape
    if training and N * L == 1:
        raise ValueError("need more than one value per channel")
    out = np.empty_like(x)
    new_mean = np.array(running_mean, dtype=np.float64)
    new_var = np.array(running_var, dtype=np.float64)
    for c in range(C):
        values = x[:, c, :]
        if training:
            n = values.size
            mu = values.sum() / n
            var = np.sum((values - mu) ** 2) / n
            new_mean[c] += momentum * (mu - new_mean[c])
            new_var[c] = (1 - momentum) * new_var[c] + momentum * var * n / (n - 1)
        else:
            mu, var = running_mean[c], running_var[c]
        out[:, c, :] = gamma[c] * ((values - mu) / np.sqrt(var + eps)) + beta[c]
    return out, new_mean, new_var
'''

GN_FORWARD_LOOPS = '''
def groupnorm_forward(x, gamma, beta, G, eps=1e-5):
    N, C, L = x.shape
    size = C // G
    out = np.empty_like(x)
    for i in range(N):
        for k in range(G):
            block = x[i, k * size:(k + 1) * size, :]
            mu = block.mean()
            var = np.mean((block - mu) ** 2)
            xhat = (block - mu) / np.sqrt(var + eps)
            out[i, k * size:(k + 1) * size, :] = (gamma[k * size:(k + 1) * size, None] * xhat
                                                  + beta[k * size:(k + 1) * size, None])
    return out, {"x": x.copy(), "gamma": gamma.copy(), "G": G, "eps": eps}
'''

# The staged backward pass (through the variance and the mean, as in CS231n), per group.
GN_BACKWARD_STAGED = '''
def groupnorm_backward(dout, cache):
    x, gamma, G, eps = cache["x"], cache["gamma"], cache["G"], cache["eps"]
    N, C, L = x.shape
    size = C // G
    dx = np.zeros_like(x)
    dgamma, dbeta = np.zeros(C), np.zeros(C)
    for i in range(N):
        for k in range(G):
            rows = slice(k * size, (k + 1) * size)
            block, d = x[i, rows, :], dout[i, rows, :]
            m = block.size
            mu = block.mean()
            xc = block - mu
            var = np.mean(xc ** 2)
            inv = 1.0 / np.sqrt(var + eps)
            dgamma[rows] += np.sum(d * xc * inv, axis=1)
            dbeta[rows] += d.sum(axis=1)
            dxhat = d * gamma[rows, None]
            dvar = np.sum(dxhat * xc) * -0.5 * inv ** 3
            dmu = -inv * np.sum(dxhat) + dvar * np.mean(-2.0 * xc)
            dx[i, rows, :] = dxhat * inv + dvar * 2.0 * xc / m + dmu / m
    return dx, dgamma, dbeta
'''

BN_CHANNELS_LAST = '''
def batchnorm_ncl(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    N, C, L = x.shape
    rows = np.transpose(x, (0, 2, 1)).reshape(N * L, C)    # one row per (example, position)
    if training:
        if rows.shape[0] < 2:
            raise ValueError(f"expected more than 1 value per channel, got {x.shape}")
        mean = rows.mean(axis=0)
        var = np.mean((rows - mean) ** 2, axis=0)
        unbiased = rows.var(axis=0, ddof=1)
        running_mean = running_mean * (1 - momentum) + mean * momentum
        running_var = running_var * (1 - momentum) + unbiased * momentum
    else:
        mean, var = running_mean, running_var
        running_mean, running_var = np.copy(running_mean), np.copy(running_var)
    inv_std = 1.0 / np.sqrt(var + eps)
    out_rows = (rows - mean) * (gamma * inv_std) + beta
    return np.transpose(out_rows.reshape(N, L, C), (0, 2, 1)), running_mean, running_var
'''

GN_FORWARD_ROWS = '''
def groupnorm_forward(x, gamma, beta, G, eps=1e-5):
    N, C, L = x.shape
    rows = x.reshape(N * G, -1)                 # one row per (example, group)
    centred = rows - rows.mean(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.mean(centred * centred, axis=1, keepdims=True) + eps)
    xhat = (centred * inv_std).reshape(N, C, L)
    out = xhat * gamma.reshape(1, C, 1) + beta.reshape(1, C, 1)
    return out, {"xhat": xhat, "inv_std": inv_std, "gamma": gamma, "G": G}
'''

GN_BACKWARD_ROWS = '''
def groupnorm_backward(dout, cache):
    xhat, inv_std, gamma, G = cache["xhat"], cache["inv_std"], cache["gamma"], cache["G"]
    N, C, L = dout.shape
    dbeta = np.einsum("ncl->c", dout)
    dgamma = np.einsum("ncl,ncl->c", dout, xhat)
    g = (dout * gamma.reshape(1, C, 1)).reshape(N * G, -1)
    xh = xhat.reshape(N * G, -1)
    m = g.shape[1]
    dx = inv_std / m * (m * g - g.sum(axis=1, keepdims=True)
                        - xh * np.sum(g * xh, axis=1, keepdims=True))
    return dx.reshape(N, C, L), dgamma, dbeta
'''

CORRECT = {
    "loops-and-staged-backward": {"answer-bn": BN_LOOPS,
                                  "answer-gn-forward": GN_FORWARD_LOOPS,
                                  "answer-gn-backward": GN_BACKWARD_STAGED},
    "channels-last-rows": {"answer-bn": BN_CHANNELS_LAST,
                           "answer-gn-forward": GN_FORWARD_ROWS,
                           "answer-gn-backward": GN_BACKWARD_ROWS},
}

BUGGY = {
    # BatchNorm
    "bn-unbiased-normalization": (_edit(
        "answer-bn",
        ("var = x.var(axis=(0, 2))", "var = x.var(axis=(0, 2), ddof=1)"),
        ("momentum * var * n / (n - 1)", "momentum * var")), "biased variance"),
    "bn-biased-running-var": (_edit(
        "answer-bn", ("momentum * var * n / (n - 1)", "momentum * var")), "unbiased variance"),
    "bn-running-var-counts-N": (_edit(
        "answer-bn", ("momentum * var * n / (n - 1)", "momentum * var * N / (N - 1)")), "N*L"),
    "bn-keras-momentum": (_edit(
        "answer-bn",
        ("(1 - momentum) * running_mean + momentum * mu",
         "momentum * running_mean + (1 - momentum) * mu"),
        ("(1 - momentum) * running_var + momentum * var",
         "momentum * running_var + (1 - momentum) * var")),
        "weight of the NEW batch statistic"),
    "bn-eval-uses-batch-statistics": (_edit(
        "answer-bn", ("if not training:", "if training is None:  # like `if self.train:`")),
        "evaluation mode normalizes with running_mean"),
    "bn-eval-updates-running": (_edit(
        "answer-bn", ("return out, running_mean.copy(), running_var.copy()",
                      "return out, (1 - momentum) * running_mean + momentum * x.mean(axis=(0, 2)), "
                      "running_var.copy()")),
        "must not update the running statistics"),
    "bn-eps-outside-sqrt": (_edit(
        "answer-bn", ("np.sqrt(var + eps)[None, :, None]", "(np.sqrt(var) + eps)[None, :, None]")),
        "inside the square root"),
    "bn-reshape-without-transpose": (_edit(
        "answer-bn", ("mu = x.mean(axis=(0, 2))", "mu = x.reshape(-1, C).mean(axis=0)"),
        ("var = x.var(axis=(0, 2))", "var = x.reshape(-1, C).var(axis=0)")), "axes 0 and 2"),
    "bn-statistics-per-position": (_edit(
        "answer-bn",
        ("mu = x.mean(axis=(0, 2))\n    var = x.var(axis=(0, 2))\n"
         "    xhat = (x - mu[None, :, None]) / np.sqrt(var + eps)[None, :, None]",
         "mu = x.mean(axis=0)\n    var = x.var(axis=0)\n"
         "    xhat = (x - mu) / np.sqrt(var + eps)\n"
         "    mu, var = mu.mean(axis=1), var.mean(axis=1)")),
        "axes 0 and 2"),
    "bn-running-in-place": (_edit(
        "answer-bn",
        ("new_mean = (1 - momentum) * running_mean + momentum * mu",
         "running_mean *= 1 - momentum\n    running_mean += momentum * mu\n"
         "    new_mean = running_mean"),
        ("new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)",
         "running_var *= 1 - momentum\n    running_var += momentum * var * n / (n - 1)\n"
         "    new_var = running_var")),
        "must not modify its arguments"),
    "bn-no-error-on-one-value": (_edit(
        "answer-bn", ("if n < 2:", "if n < 1:"), ("n / (n - 1)", "n / max(n - 1, 1)")),
        "must raise ValueError"),
    # GroupNorm
    "gn-interleaved-groups": (_edit(
        "answer-gn-forward",
        ("groups = x.reshape(N, G, (C // G) * L)",
         "groups = x.reshape(N, C // G, G, L).transpose(0, 2, 1, 3).reshape(N, G, -1)"),
        ("xhat = ((groups - mu) / std).reshape(N, C, L)",
         "xhat = ((groups - mu) / std).reshape(N, G, C // G, L).transpose(0, 2, 1, 3)"
         ".reshape(N, C, L)")),
        "CONSECUTIVE channels"),
    "gn-unbiased-variance": (_edit(
        "answer-gn-forward",
        ("groups.var(axis=2, keepdims=True)", "groups.var(axis=2, keepdims=True, ddof=1)")),
        "biased variance"),
    "gn-statistics-per-channel": (_edit(
        "answer-gn-forward", ("groups = x.reshape(N, G, (C // G) * L)", "groups = x")),
        "all its (C/G)*L values"),
    "gn-backward-without-mean-term": (_edit(
        "answer-gn-backward", ("(g - g.mean(axis=2, keepdims=True) - xh", "(g - xh")),
        "-mean(g)"),
    "gn-backward-without-variance-term": (_edit(
        "answer-gn-backward",
        (" - xh * np.mean(g * xh, axis=2, keepdims=True)", "")),
        "-xhat * mean(g * xhat)"),
    "gn-backward-g-without-gamma": (_edit(
        "answer-gn-backward", ("g = (dout * gamma[None, :, None])", "g = (dout)")),
        "dout * gamma"),
    "gn-backward-means-per-channel": (_edit(
        "answer-gn-backward",
        ("g = (dout * gamma[None, :, None]).reshape(N, G, -1)", "g = dout * gamma[None, :, None]"),
        ("xh = xhat.reshape(N, G, -1)", "xh = xhat"),
        (") / std\n", ").reshape(N, G, -1) / std\n")),
        "of the group"),
    "gn-dgamma-per-example": (_edit(
        "answer-gn-backward",
        ("dgamma = np.sum(dout * xhat, axis=(0, 2))", "dgamma = np.sum(dout * xhat, axis=2)"),
        ("dbeta = dout.sum(axis=(0, 2))", "dbeta = dout.sum(axis=2)")),
        "summed over axes 0 and 2"),
}
