"""Test class of challenge 04 (backpropagation through a residual block and tied weights)."""

from tests.challenges import replaced

# --- correct answers in other forms -------------------------------------------------------

FORWARD_DICT = '''
def residual_forward(x, W1, b1, W2, b2):
    """Forward pass with a dict cache holding the ReLU mask."""
    pre = np.einsum("nd,dh->nh", x, W1) + b1
    mask = pre > 0
    hidden = pre * mask
    out = hidden @ W2 + b2
    out = out + x
    return out, {"x": x, "mask": mask, "hidden": hidden, "W1": W1, "W2": W2}
'''

BACKWARD_DICT = '''
def residual_backward(dout, cache):
    """Backward pass with einsum, reading the dict cache."""
    dW2 = np.einsum("nh,nd->hd", cache["hidden"], dout)
    db2 = np.sum(dout, axis=0)
    dpre = np.einsum("nd,hd->nh", dout, cache["W2"]) * cache["mask"]
    dW1 = np.einsum("nd,nh->dh", cache["x"], dpre)
    db1 = np.sum(dpre, axis=0)
    dx = np.einsum("nh,dh->nd", dpre, cache["W1"]) + dout
    return dx, dW1, db1, dW2, db2
'''

TIED_BACKWARD_ACCUMULATE = '''
def tied_backward(dout, caches):
    """Accumulates into zero arrays with +=, walking the caches by index."""
    dx = dout
    dW1 = dW2 = db1 = db2 = None
    for k in range(len(caches) - 1, -1, -1):
        dx, g1, gb1, g2, gb2 = residual_backward(dx, caches[k])
        if dW1 is None:
            dW1, db1 = np.zeros_like(g1), np.zeros_like(gb1)
            dW2, db2 = np.zeros_like(g2), np.zeros_like(gb2)
        dW1 += g1
        db1 += gb1
        dW2 += g2
        db2 += gb2
    return dx, dW1, db1, dW2, db2
'''

FORWARD_SMALL_CACHE = '''
def residual_forward(x, W1, b1, W2, b2):
    """Caches only the inputs; the backward pass recomputes the rest."""
    out = x.copy()
    out += np.maximum(x @ W1 + b1, 0) @ W2
    out += b2
    return out, (x, W1, b1, W2)
'''

BACKWARD_RECOMPUTE = '''
def residual_backward(dout, cache):
    """Recomputes Z; dx accumulated into a copy of dout, example by example."""
    x, W1, b1, W2 = cache
    Z = x @ W1 + b1
    A = np.maximum(Z, 0)
    dx = dout.copy()
    dW1, db1 = np.zeros_like(W1), np.zeros_like(b1)
    dW2, db2 = np.zeros_like(W2), np.zeros(W2.shape[1])
    for i in range(x.shape[0]):
        dW2 += np.outer(A[i], dout[i])
        db2 += dout[i]
        dz = (W2 @ dout[i]) * (Z[i] > 0)
        dW1 += np.outer(x[i], dz)
        db1 += dz
        dx[i] += W1 @ dz
    return dx, dW1, db1, dW2, db2
'''

TIED_FORWARD_INPUTS = '''
def tied_forward(x, W1, b1, W2, b2, L):
    """Keeps the list of block inputs and the parameters as the caches."""
    inputs = []
    for _ in range(L):
        inputs.append(x)
        x = residual_forward(x, W1, b1, W2, b2)[0]
    return x, (inputs, (W1, b1, W2, b2))
'''

TIED_BACKWARD_RECOMPUTE = '''
def tied_backward(dout, caches):
    """Rebuilds each block's cache from its stored input, last block first."""
    inputs, params = caches
    grads = [0.0, 0.0, 0.0, 0.0]
    dx = dout
    for x in inputs[::-1]:
        _, cache = residual_forward(x, *params)
        dx, *block = residual_backward(dx, cache)
        grads = [g + b for g, b in zip(grads, block, strict=True)]
    return (dx, *grads)
'''

CORRECT = {
    "dict-cache-einsum": {"answer-residual-forward": FORWARD_DICT,
                          "answer-residual-backward": BACKWARD_DICT,
                          "answer-tied-backward": TIED_BACKWARD_ACCUMULATE},
    "recompute-loops": {"answer-residual-forward": FORWARD_SMALL_CACHE,
                        "answer-residual-backward": BACKWARD_RECOMPUTE,
                        "answer-tied-forward": TIED_FORWARD_INPUTS,
                        "answer-tied-backward": TIED_BACKWARD_RECOMPUTE},
}

# --- answers with one classic bug ---------------------------------------------------------

FORWARD = '''
def residual_forward(x, W1, b1, W2, b2):
    Z = x @ W1 + b1
    A = np.maximum(Z, 0.0)
    out = x + A @ W2 + b2
    return out, (x, Z, A, W1, W2)
'''

BACKWARD = '''
def residual_backward(dout, cache):
    x, Z, A, W1, W2 = cache
    dW2 = A.T @ dout
    db2 = dout.sum(axis=0)
    dZ = (dout @ W2.T) * (Z > 0)
    dW1 = x.T @ dZ
    db1 = dZ.sum(axis=0)
    dx = dout + dZ @ W1.T
    return dx, dW1, db1, dW2, db2
'''

TIED_FORWARD = '''
def tied_forward(x, W1, b1, W2, b2, L):
    caches = []
    for _ in range(L):
        x, cache = residual_forward(x, W1, b1, W2, b2)
        caches.append(cache)
    return x, caches
'''

TIED_BACKWARD = '''
def tied_backward(dout, caches):
    dx, total = dout, None
    for cache in reversed(caches):
        dx, *grads = residual_backward(dx, cache)
        total = grads if total is None else [t + g for t, g in zip(total, grads, strict=True)]
    return (dx, *total)
'''


def edit(source: str, old: str, new: str) -> str:
    return replaced(source, (old, new))


BUGGY = {
    "relu-derivative-one-at-zero": (
        {"answer-residual-backward": edit(BACKWARD, "(Z > 0)", "(Z >= 0)")}, "ReLU'(0)"),
    "no-identity-path-in-backward": (
        {"answer-residual-backward": edit(BACKWARD, "dx = dout + dZ @ W1.T", "dx = dZ @ W1.T")},
        "identity path"),
    "no-skip-connection-in-forward": (
        {"answer-residual-forward": edit(FORWARD, "out = x + A @ W2 + b2", "out = A @ W2 + b2")},
        "skip connection"),
    "transposed-weight-gradient": (
        {"answer-residual-backward": edit(BACKWARD, "dW1 = x.T @ dZ", "dW1 = dZ.T @ x")},
        "transpose"),
    "bias-gradient-as-mean": (
        {"answer-residual-backward": edit(edit(BACKWARD, "dout.sum(axis=0)", "dout.mean(axis=0)"),
                                          "dZ.sum(axis=0)", "dZ.mean(axis=0)")},
        "not the mean"),
    "weight-gradients-divided-by-n": (
        {"answer-residual-backward": edit(edit(BACKWARD, "A.T @ dout", "A.T @ dout / len(x)"),
                                          "x.T @ dZ", "x.T @ dZ / len(x)")},
        "divided by N"),
    "forward-adds-in-place-into-x": (
        {"answer-residual-forward": edit(FORWARD, "    out = x + A @ W2 + b2\n",
                                         "    out = x\n    out += A @ W2 + b2\n")},
        "modified"),
    "backward-adds-in-place-into-dout": (
        {"answer-residual-backward": edit(BACKWARD, "    dx = dout + dZ @ W1.T\n",
                                          "    dx = dout\n    dx += dZ @ W1.T\n")},
        "modified"),
    "tied-gradients-overwritten": (
        {"answer-tied-backward": '''
def tied_backward(dout, caches):
    dx = dout
    for cache in reversed(caches):
        dx, dW1, db1, dW2, db2 = residual_backward(dx, cache)
    return dx, dW1, db1, dW2, db2
'''}, "+="),
    "tied-every-block-gets-dout": (
        {"answer-tied-backward": edit(TIED_BACKWARD, "residual_backward(dx, cache)",
                                      "residual_backward(dout, cache)")},
        "dx of block k + 1"),
    "tied-blocks-in-forward-order": (
        {"answer-tied-backward": edit(TIED_BACKWARD, "reversed(caches)", "caches")},
        "reverse order"),
    "tied-forward-not-chained": (
        {"answer-tied-forward": edit(TIED_FORWARD, "x, cache = residual_forward(x,",
                                     "out, cache = residual_forward(x,")
                                .replace("return x, caches", "return out, caches")},
        "L times"),
}
