"""Test class of challenge 02 (activations): correct variants and classic bugs."""

from tests.challenges import edited

SIGMOID = '''
def sigmoid(x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))
'''

SOFTPLUS = SIGMOID + '''

def softplus_forward(x):
    out = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
    return out, x


def softplus_backward(dout, cache):
    return dout * sigmoid(cache)
'''

SILU = '''
def silu_forward(x):
    s = sigmoid(x)
    return x * s, (x, s)


def silu_backward(dout, cache):
    x, s = cache
    return dout * s * (1 + x * (1 - s))
'''

ELU = '''
def elu_forward(x, alpha=1.0):
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    return out, (x, alpha)


def elu_backward(dout, cache):
    x, alpha = cache
    return dout * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))
'''

DEPTH = '''
def weight_grad_norms(X, weights, forward, backward, dout):
    A, inputs, caches = X, [], []
    for W in weights:
        inputs.append(A)
        A, cache = forward(A @ W)
        caches.append(cache)
    norms = np.empty(len(weights))
    dA = dout
    for l in reversed(range(len(weights))):
        dZ = backward(dA, caches[l])
        norms[l] = np.linalg.norm(inputs[l].T @ dZ)
        dA = dZ @ weights[l].T
    return norms
'''

SOLUTION = {"answer-softplus": SOFTPLUS, "answer-silu": SILU, "answer-elu": ELU,
            "answer-depth": DEPTH}

CORRECT = {
    # logaddexp, derivatives from the cached outputs (the accurate -expm1 form), exp(x) - 1,
    # the transposed weight gradient (same Frobenius norm)
    "logaddexp-and-outputs": {
        "answer-softplus": '''
def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


def softplus_forward(x):
    out = np.logaddexp(0.0, x)
    return out, out


def softplus_backward(dout, cache):
    # sigma(x) = 1 - exp(-softplus(x)), written without cancellation
    return -dout * np.expm1(-cache)
''',
        "answer-silu": '''
def silu_forward(x):
    s = sigmoid(x)
    out = x * s
    return out, (out, s)


def silu_backward(dout, cache):
    out, s = cache
    return dout * (s + out * (1.0 - s))
''',
        "answer-elu": '''
def elu_forward(x, alpha=1.0):
    negative = np.minimum(x, 0.0)
    out = np.maximum(x, 0.0) + alpha * (np.exp(negative) - 1.0)
    return out, (x > 0, out, alpha)


def elu_backward(dout, cache):
    positive, out, alpha = cache
    return np.where(positive, dout, dout * (out + alpha))
''',
        "answer-depth": '''
def weight_grad_norms(X, weights, forward, backward, dout):
    layers = []
    A = X
    for W in weights:
        out, cache = forward(np.dot(A, W))
        layers.append((A, W, cache))
        A = out
    norms = []
    grad = dout
    for A_in, W, cache in reversed(layers):
        dZ = backward(grad, cache)
        norms.insert(0, np.sqrt(np.sum((dZ.T @ A_in) ** 2)))
        grad = dZ @ W.T
    return np.array(norms, dtype=np.float64)
''',
    },
    # boolean masks and loops, caches of the input only, recursion for the depth
    "masks-and-recursion": {
        "answer-softplus": '''
def sigmoid(x):
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def softplus_forward(x):
    out = np.empty_like(x)
    pos = x > 0
    out[pos] = x[pos] + np.log1p(np.exp(-x[pos]))
    out[~pos] = np.log1p(np.exp(x[~pos]))
    return out, x.copy()


def softplus_backward(dout, cache):
    return dout * sigmoid(cache)
''',
        "answer-silu": '''
def silu_forward(x):
    return x * sigmoid(x), x


def silu_backward(dout, cache):
    s = sigmoid(cache)
    return dout * (s + cache * s * (1 - s))
''',
        "answer-elu": '''
def elu_forward(x, alpha=1.0):
    out = x.copy()
    neg = x <= 0
    out[neg] = alpha * np.expm1(x[neg])
    return out, (x, alpha)


def elu_backward(dout, cache):
    x, alpha = cache
    dx = dout.copy()
    neg = x <= 0
    dx[neg] = dout[neg] * alpha * np.exp(x[neg])
    return dx
''',
        "answer-depth": '''
def weight_grad_norms(X, weights, forward, backward, dout):
    if not weights:
        return np.zeros(0)
    W = weights[0]
    A, cache = forward(X @ W)
    rest = weights[1:]
    if rest:
        # gradient reaching A from the layers above, computed by the same recursion
        norms_above, dA = _grads(A, rest, forward, backward, dout)
    else:
        norms_above, dA = [], dout
    dZ = backward(dA, cache)
    return np.array([np.linalg.norm(X.T @ dZ)] + list(norms_above))


def _grads(X, weights, forward, backward, dout):
    W = weights[0]
    A, cache = forward(X @ W)
    if len(weights) > 1:
        norms_above, dA = _grads(A, weights[1:], forward, backward, dout)
    else:
        norms_above, dA = [], dout
    dZ = backward(dA, cache)
    return [np.linalg.norm(X.T @ dZ)] + list(norms_above), dZ @ W.T
''',
    },
}


def bug(cell: str, find: str, replace: str) -> dict[str, str]:
    """The solution's answer ``cell`` with one change (``find`` must occur in it)."""
    return edited(SOLUTION, cell, (find, replace))


NAIVE_SOFTPLUS = "out = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))"

BUGGY = {
    "softplus-naive": (
        bug("answer-softplus", NAIVE_SOFTPLUS, "out = np.log(1 + np.exp(x))"), "must not overflow"),
    "softplus-where-both-branches": (
        bug("answer-softplus", NAIVE_SOFTPLUS,
            "out = np.where(x > 0, x + np.log1p(np.exp(-x)), np.log1p(np.exp(x)))"),
        "both branches"),
    "softplus-log-instead-of-log1p": (
        bug("answer-softplus", NAIVE_SOFTPLUS,
            "out = np.maximum(x, 0) + np.log(1 + np.exp(-np.abs(x)))"), "log1p"),
    "softplus-derivative-cancels": (
        {"answer-softplus": SOFTPLUS.replace("return out, x", "return out, out").replace(
            "return dout * sigmoid(cache)", "return dout * (1 - np.exp(-cache))")}, "cancels"),
    "softplus-naive-sigmoid": (
        bug("answer-softplus", "return dout * sigmoid(cache)",
            "return dout / (1 + np.exp(-cache))"), "must not overflow"),
    "softplus-backward-sigma-prime": (
        bug("answer-softplus", "return dout * sigmoid(cache)",
            "return dout * sigmoid(cache) * (1 - sigmoid(cache))"), "not sigma'"),
    "silu-without-product-rule": (
        bug("answer-silu", "return dout * s * (1 + x * (1 - s))", "return dout * s"), "product"),
    "silu-naive": (
        {"answer-silu": '''
def silu_forward(x):
    out = x / (1 + np.exp(-x))
    return out, x


def silu_backward(dout, cache):
    s = sigmoid(cache)
    return dout * s * (1 + cache * (1 - s))
'''}, "must not overflow"),
    "elu-kink-right-derivative": (
        bug("answer-elu", "np.where(x > 0, 1.0, alpha", "np.where(x >= 0, 1.0, alpha"),
        "left branch"),
    "elu-overflow-in-discarded-branch": (
        bug("answer-elu", "alpha * np.expm1(np.minimum(x, 0))", "alpha * (np.exp(x) - 1)"),
        "must not overflow"),
    "elu-alpha-missing-in-derivative": (
        bug("answer-elu", "alpha * np.exp(np.minimum(x, 0))", "np.exp(np.minimum(x, 0))"),
        "alpha is missing"),
    "depth-derivative-skipped": (
        bug("answer-depth", "norms[l] = np.linalg.norm(inputs[l].T @ dZ)",
            "norms[l] = np.linalg.norm(inputs[l].T @ dA)"), "derivative comes first"),
    "depth-output-instead-of-input": (
        bug("answer-depth", "inputs.append(A)\n        A, cache = forward(A @ W)",
            "A, cache = forward(A @ W)\n        inputs.append(A)"), "layer's input"),
    "depth-reversed": (
        bug("answer-depth", "    return norms", "    return norms[::-1]"), "layer 1"),
}
