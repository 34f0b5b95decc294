"""Test class of challenge 07 (channel dropout and Monte Carlo dropout).

The buggy members are the solution's answer cells with one change each (``_edit`` fails
loudly when the solution no longer contains the text it replaces).
"""

from __future__ import annotations

import functools

from tests.challenges import edited, solution_answers

_edit = functools.partial(edited, solution_answers("07_dropout"))


FORWARD_WHERE = '''
def channel_dropout_forward(x, p, training, rng):
    if not training or p == 0.0:
        return x.copy(), {"keep": None, "p": p}
    if p == 1.0:  # no mask drawn: the statement leaves that choice open
        return np.zeros_like(x), {"keep": np.zeros(x.shape[:2], dtype=bool), "p": p}
    keep = rng.random((x.shape[0], x.shape[1])) >= p
    out = np.where(keep[..., np.newaxis], x / (1.0 - p), 0.0)
    return out, {"keep": keep, "p": p}
'''

BACKWARD_WHERE = '''
def channel_dropout_backward(dout, cache):
    keep, p = cache["keep"], cache["p"]
    if keep is None:
        return dout.copy()
    if p == 1.0:
        return np.zeros_like(dout)
    return np.where(keep[..., np.newaxis], dout / (1.0 - p), 0.0)
'''

MC_LOGSUMEXP = '''
def mc_dropout_predict(x, W, b, p, T, rng):
    passes = []
    for _ in range(T):
        h = channel_dropout_forward(x, p, True, rng)[0]
        z = np.einsum("ncl,ck->nk", h, W) / x.shape[2] + b
        m = z.max(axis=1, keepdims=True)
        log_norm = m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
        passes.append(np.exp(z - log_norm))
    return np.mean(passes, axis=0)
'''

FORWARD_LOOPS = '''
def channel_dropout_forward(x, p, training, rng):
    N, C, L = x.shape
    if training and p > 0:
        keep = rng.random((N, C)) >= p
        factor = 0.0 if p == 1 else 1.0 / (1.0 - p)
        out = np.zeros_like(x)
        for i in range(N):
            for c in range(C):
                if keep[i, c]:
                    out[i, c, :] = x[i, c, :] * factor
        return out, (keep, factor)
    return x, (np.ones((N, C), dtype=bool), 1.0)
'''

BACKWARD_LOOPS = '''
def channel_dropout_backward(dout, cache):
    keep, factor = cache
    return dout * keep[:, :, None] * factor
'''

# All T masks in one call: rng.random((T, N, C)) draws the same numbers as T calls of
# rng.random((N, C)), so this is correct by the statement's results.
MC_VECTORIZED = '''
def mc_dropout_predict(x, W, b, p, T, rng):
    N, C, L = x.shape
    pooled = x.mean(axis=2)
    if p == 0:
        scales = np.ones((T, N, C))
    else:
        keep = rng.random((T, N, C)) >= p
        scales = keep / (1 - p) if p < 1 else np.zeros((T, N, C))
    z = (scales * pooled) @ W + b
    z = z - z.max(axis=2, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=2, keepdims=True)
    return probs.mean(axis=0)
'''

CORRECT = {
    "where-logsumexp": {"answer-forward": FORWARD_WHERE, "answer-backward": BACKWARD_WHERE,
                        "answer-mc": MC_LOGSUMEXP},
    "loops-vectorized-mc": {"answer-forward": FORWARD_LOOPS, "answer-backward": BACKWARD_LOOPS,
                            "answer-mc": MC_VECTORIZED},
}

MASK = "keep = rng.random((N, C)) >= p"

BUGGY = {
    "randn-mask": (_edit("answer-forward", (MASK, "keep = rng.standard_normal((N, C)) > p")),
                   "not a normal one"),
    "no-rescaling": (_edit("answer-forward",
                           ("keep[:, :, None] / (1 - p)", "keep[:, :, None] * 1.0")),
                     "divides the kept values by 1 - p"),
    "scaled-in-evaluation": (_edit(
        "answer-forward", ("if not training or p == 0:\n        return x, None",
                           "if not training:\n        return x * (1 - p), None\n"
                           "    if p == 0:\n        return x, None")),
        "evaluation mode is the identity"),
    "mask-per-element": (_edit(
        "answer-forward", (MASK, "keep = rng.random(x.shape) >= p"),
        ("keep[:, :, None] / (1 - p)", "keep / (1 - p)")),
        "one keep decision per (example, channel)"),
    "p-means-keep": (_edit(
        "answer-forward", (MASK, "keep = rng.random((N, C)) < p"),
        ("keep[:, :, None] / (1 - p)", "keep[:, :, None] / p")),
        "probability of DROPPING"),
    "mask-transposed": (_edit("answer-forward", (MASK, "keep = (rng.random((C, N)) >= p).T")),
                        "shape (N, C)"),
    "draws-in-evaluation": (_edit(
        "answer-forward",
        ("    if not training or p == 0:\n        return x, None\n    N, C, _ = x.shape\n"
         "    keep = rng.random((N, C)) >= p\n",
         "    N, C, _ = x.shape\n    keep = rng.random((N, C)) >= p\n"
         "    if not training or p == 0:\n        return x, None\n")),
        "do not draw from rng"),
    "nan-at-p-one": (_edit("answer-forward", ("if p == 1:", "if p > 1:")), "p = 1"),
    "modifies-x": (_edit(
        "answer-forward", ("return x * scale, scale", "x *= scale\n    return x, scale")),
        "must not modify x"),
    "backward-new-mask": (_edit(
        "answer-forward", ("return x * scale, scale",
                           "return x * scale, (rng, p, x.shape)")) | _edit(
        "answer-backward", ("    if cache is None:\n        return dout\n    return dout * cache",
                            "    if cache is None:\n        return dout\n"
                            "    rng, p, (N, C, L) = cache\n"
                            "    keep = rng.random((N, C)) >= p\n"
                            "    return dout * keep[:, :, None] / (1 - p)")),
        "same mask"),
    "backward-not-scaled": (_edit(
        "answer-forward", ("return x * scale, scale",
                           "return x * scale, (scale != 0).astype(float)")),
        "scaled by 1 / (1 - p)"),
    "mc-in-evaluation-mode": (_edit(
        "answer-mc", ("channel_dropout_forward(x, p, True, rng)",
                      "channel_dropout_forward(x, p, False, rng)")),
        "keeps dropout ON"),
    "mc-averages-logits": (_edit(
        "answer-mc",
        ("    total = np.zeros((x.shape[0], W.shape[1]))\n", "    total = 0.0\n"),
        ("        e = np.exp(z - z.max(axis=1, keepdims=True))\n"
         "        total += e / e.sum(axis=1, keepdims=True)\n    return total / T",
         "        total = total + z / T\n"
         "    e = np.exp(total - total.max(axis=1, keepdims=True))\n"
         "    return e / e.sum(axis=1, keepdims=True)")),
        "average the probabilities"),
    "mc-one-mask": (_edit(
        "answer-mc",
        ("    for _ in range(T):\n        h, _ = channel_dropout_forward(x, p, True, rng)\n",
         "    h, _ = channel_dropout_forward(x, p, True, rng)\n    for _ in range(T):\n")),
        "new mask"),
    "mc-fresh-generator": (_edit(
        "answer-mc", ("channel_dropout_forward(x, p, True, rng)",
                      "channel_dropout_forward(x, p, True, np.random.default_rng())")),
        "rng passed in"),
    "mc-softmax-overflow": (_edit(
        "answer-mc", ("np.exp(z - z.max(axis=1, keepdims=True))", "np.exp(z)")),
        "subtract each row's largest logit"),
}
