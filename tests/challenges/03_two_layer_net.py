"""Test class of challenge 03 (a two-layer network for binary classification)."""

# --- correct answers in other forms -------------------------------------------------------

BCE_BRANCHES = '''
def bce_with_logits(z, y):
    """Mean binary cross-entropy, per-label branches with a hand-written stable softplus."""
    def softplus(t):
        return np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t)))

    def sigmoid(t):
        e = np.exp(-np.abs(t))
        return np.where(t >= 0, 1 / (1 + e), e / (1 + e))

    labels = y.reshape(-1, 1)
    losses = np.where(labels == 1, softplus(-z), softplus(z))
    n = len(labels)
    return losses.sum() / n, (sigmoid(z) - labels) / n
'''

BCE_TANH = '''
def bce_with_logits(z, y):
    """Mean binary cross-entropy; sigmoid through tanh, y as floats."""
    t = z.ravel()
    labels = np.asarray(y, dtype=np.float64)
    loss = np.mean(np.logaddexp(0.0, t) - labels * t)
    sigma = 0.5 * (1.0 + np.tanh(0.5 * t))
    return float(loss), ((sigma - labels) / len(t))[:, None]
'''

FORWARD_DICT_CACHE = '''
def forward(params, X):
    """Forward pass with a dict cache."""
    hidden = np.einsum("nd,dh->nh", X, params["W1"]) + params["b1"]
    active = np.where(hidden > 0, hidden, 0.0)
    logits = active @ params["W2"] + params["b2"]
    return logits, {"X": X, "A1": active}
'''

GRADS_FROM_ACTIVATIONS = '''
def loss_and_grads(params, X, y):
    """Backward pass reading the ReLU mask from A1 (A1 > 0 exactly where Z1 > 0)."""
    z, cache = forward(params, X)
    loss, dz = bce_with_logits(z, y)
    A1 = cache["A1"]
    dZ1 = (dz @ params["W2"].T) * (A1 > 0)
    grads = {
        "W2": np.einsum("nh,nc->hc", A1, dz),
        "b2": np.sum(dz, axis=0),
        "W1": np.einsum("nd,nh->dh", cache["X"], dZ1),
        "b1": np.sum(dZ1, axis=0),
    }
    return loss, grads
'''

GRADS_LOOPS = '''
def loss_and_grads(params, X, y):
    """Backward pass accumulated example by example."""
    z, (X, Z1, A1) = forward(params, X)
    loss, dz = bce_with_logits(z, y)
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    for i in range(X.shape[0]):
        grads["W2"] += np.outer(A1[i], dz[i])
        grads["b2"] += dz[i]
        dz1 = (params["W2"] @ dz[i]) * (Z1[i] > 0)
        grads["W1"] += np.outer(X[i], dz1)
        grads["b1"] += dz1
    return loss, grads
'''

TRAIN_OTHER = '''
def train(params, X, y, lr, epochs, batch_size, rng):
    """Mini-batch SGD with a deep copy, np.array_split-free index slicing and a list."""
    import copy

    current = copy.deepcopy(params)
    history = []
    n = X.shape[0]
    for _ in range(epochs):
        order = rng.permutation(n)
        starts = list(range(0, n, batch_size))
        for start in starts:
            idx = order[start:min(start + batch_size, n)]
            _, grads = loss_and_grads(current, X[idx], y[idx])
            current = {name: current[name] - lr * grads[name] for name in current}
        history.append(bce_with_logits(forward(current, X)[0], y)[0])
    return current, np.array(history)
'''

CORRECT = {
    "branches-loops": {"answer-bce": BCE_BRANCHES, "answer-grads": GRADS_LOOPS,
                       "answer-train": TRAIN_OTHER},
    "tanh-einsum-dict-cache": {"answer-bce": BCE_TANH, "answer-forward": FORWARD_DICT_CACHE,
                               "answer-grads": GRADS_FROM_ACTIVATIONS},
}

# --- answers with one classic bug ---------------------------------------------------------

SOLUTION_GRADS = '''
def loss_and_grads(params, X, y):
    z, (X, Z1, A1) = forward(params, X)
    loss, dz = bce_with_logits(z, y)
    dA1 = dz @ params["W2"].T
    dZ1 = dA1 * (Z1 > 0)
    grads = {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dz, "b2": dz.sum(axis=0)}
    return loss, grads
'''

SOLUTION_TRAIN = '''
def train(params, X, y, lr, epochs, batch_size, rng):
    params = {name: value.copy() for name, value in params.items()}
    losses = np.zeros(epochs)
    for epoch in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            _, grads = loss_and_grads(params, X[batch], y[batch])
            for name in params:
                params[name] = params[name] - lr * grads[name]
        losses[epoch] = loss_and_grads(params, X, y)[0]
    return params, losses
'''


def bce(loss_line: str, dz_line: str, prepare: str = "y = np.reshape(y, z.shape)") -> str:
    return f'''
def bce_with_logits(z, y):
    {prepare}
    sigma = np.exp(-np.logaddexp(0.0, -z))
    loss = {loss_line}
    dz = {dz_line}
    return loss, dz
'''


BUGGY = {
    "relu-derivative-one-at-zero": (
        {"answer-grads": SOLUTION_GRADS.replace("(Z1 > 0)", "(Z1 >= 0)")}, "ReLU'(0)"),
    "labels-broadcast-to-n-by-n": (
        {"answer-bce": bce("float(np.mean(np.logaddexp(0.0, z) - y * z))",
                           "(sigma - y) / z.shape[0]", prepare="pass")}, "broadcasts"),
    "naive-softplus-overflows": (
        {"answer-bce": bce("float(np.mean(np.log(1 + np.exp(z)) - y * z))",
                           "(sigma - y) / z.shape[0]")}, "overflow"),
    "log-of-probability-plus-eps": (
        {"answer-bce": bce("float(-np.mean(y * np.log(sigma + 1e-8)"
                           " + (1 - y) * np.log(1 - sigma + 1e-8)))",
                           "(sigma - y) / z.shape[0]")}, "capped"),
    "summed-loss": (
        {"answer-bce": bce("float(np.sum(np.logaddexp(0.0, z) - y * z))", "sigma - y")},
        "not the sum"),
    "gradient-without-one-over-n": (
        {"answer-bce": bce("float(np.mean(np.logaddexp(0.0, z) - y * z))", "sigma - y")},
        "1/N"),
    "weights-divided-by-n-twice": (
        {"answer-grads": SOLUTION_GRADS.replace("X.T @ dZ1", "X.T @ dZ1 / len(X)")
                                       .replace("A1.T @ dz", "A1.T @ dz / len(X)")}, "twice"),
    "bias-gradient-as-mean": (
        {"answer-grads": SOLUTION_GRADS.replace("dz.sum(axis=0)", "dz.mean(axis=0)")
                                       .replace("dZ1.sum(axis=0)", "dZ1.mean(axis=0)")},
        "not the mean"),
    "forward-returns-probabilities": (
        {"answer-forward": '''
def forward(params, X):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0.0)
    z = 1 / (1 + np.exp(-(A1 @ params["W2"] + params["b2"])))
    return z, (X, Z1, A1)
'''}, "return the logits"),
    "transposed-weight-gradient": (
        {"answer-grads": SOLUTION_GRADS.replace("X.T @ dZ1", "dZ1.T @ X")}, "transpose"),
    "train-updates-params-in-place": (
        {"answer-train": SOLUTION_TRAIN.replace(
            "params = {name: value.copy() for name, value in params.items()}",
            "params = dict(params)").replace(
            "params[name] = params[name] - lr * grads[name]", "params[name] -= lr * grads[name]")},
        "modified the arrays"),
    "one-permutation-for-all-epochs": (
        {"answer-train": SOLUTION_TRAIN.replace(
            "    for epoch in range(epochs):\n        order = rng.permutation(len(X))\n",
            "    order = rng.permutation(len(X))\n    for epoch in range(epochs):\n")},
        "exactly once per epoch"),
    "last-batch-dropped": (
        {"answer-train": SOLUTION_TRAIN.replace(
            "range(0, len(X), batch_size)", "range(0, len(X) - batch_size + 1, batch_size)")},
        "last, smaller mini-batch"),
}
