"""Test class of challenge 01 (initialization): correct variants and classic bugs."""

from tests.challenges import edited

GAIN = '''
def gain(activation, negative_slope=0.01):
    if activation == "linear":
        return 1.0
    if activation == "relu":
        return 2 ** 0.5
    if activation == "leaky_relu":
        return (2 / (1 + negative_slope**2)) ** 0.5
    if activation == "tanh":
        return 5 / 3
    raise ValueError(activation)
'''

INIT = '''
def init_weights(fan_in, fan_out, rng, activation="relu", negative_slope=0.01,
                 mode="fan_in", distribution="normal"):
    if mode == "fan_in":
        fan = fan_in
    elif mode == "fan_out":
        fan = fan_out
    elif mode == "avg":
        fan = (fan_in + fan_out) / 2
    else:
        raise ValueError(mode)
    std = gain(activation, negative_slope) / np.sqrt(fan)
    if distribution == "normal":
        return rng.normal(0.0, std, size=(fan_in, fan_out))
    if distribution == "uniform":
        a = np.sqrt(3) * std
        return rng.uniform(-a, a, size=(fan_in, fan_out))
    raise ValueError(distribution)
'''

PREDICT = '''
def predict_stds(widths, weight_stds, negative_slope=0.0):
    keep = (1 + negative_slope**2) / 2
    L = len(weight_stds)
    z, g = np.zeros(L), np.zeros(L)
    m2 = 1.0
    for l in range(L):
        z[l] = widths[l] * weight_stds[l] ** 2 * m2
        m2 = keep * z[l]
    v = 1.0
    for l in range(L - 1, -1, -1):
        v = widths[l + 1] * weight_stds[l] ** 2 * keep * v
        g[l] = v
    return np.sqrt(z), np.sqrt(g)
'''

MEASURE = '''
def measure_stds(X, weights, dout, negative_slope=0.0):
    A, Zs = X, []
    for W in weights:
        Zs.append(A @ W)
        A = np.where(Zs[-1] > 0, Zs[-1], negative_slope * Zs[-1])
    grads, dA = [], dout
    for W, Z in zip(weights[::-1], Zs[::-1]):
        dA = np.where(Z > 0, dA, negative_slope * dA) @ W.T
        grads.append(dA.std())
    return np.array([Z.std() for Z in Zs]), np.array(grads[::-1])
'''

LSUV = '''
def lsuv(X, weights, negative_slope=0.0):
    A, out = X, []
    for W in weights:
        W = W / np.std(A @ W)
        out.append(W)
        Z = A @ W
        A = np.where(Z > 0, Z, negative_slope * Z)
    return out
'''

CORRECT = {
    # other forms: math module, standard_normal and random() draws, products for the
    # prediction, the derivative from the cached output, a hand-written std, an O(L^2) lsuv
    "other-forms": {
        "answer-gain": '''
import math


def gain(activation, negative_slope=0.01):
    table = {"linear": 1.0, "relu": math.sqrt(2.0), "tanh": 5.0 / 3.0,
             "leaky_relu": math.sqrt(2.0 / (1.0 + negative_slope * negative_slope))}
    if activation not in table:
        raise ValueError(f"no gain for {activation}")
    return table[activation]
''',
        "answer-init-weights": '''
def init_weights(fan_in, fan_out, rng, activation="relu", negative_slope=0.01,
                 mode="fan_in", distribution="normal"):
    if mode not in ("fan_in", "fan_out", "avg") or distribution not in ("normal", "uniform"):
        raise ValueError("bad mode or distribution")
    variance = gain(activation, negative_slope) ** 2 / {
        "fan_in": fan_in, "fan_out": fan_out, "avg": 0.5 * (fan_in + fan_out)}[mode]
    if distribution == "normal":
        return math.sqrt(variance) * rng.standard_normal((fan_in, fan_out))
    bound = math.sqrt(3.0 * variance)
    return bound * (2.0 * rng.random((fan_in, fan_out)) - 1.0)
''',
        "answer-predict-stds": '''
def predict_stds(widths, weight_stds, negative_slope=0.0):
    n = np.asarray(widths, dtype=float)
    var_w = np.asarray(weight_stds, dtype=float) ** 2
    keep = 0.5 * (1.0 + negative_slope**2)
    z_var = np.cumprod(n[:-1] * var_w * np.r_[1.0, np.full(len(var_w) - 1, keep)])
    grad_var = np.cumprod((n[1:] * var_w * keep)[::-1])[::-1]
    return np.sqrt(z_var), np.sqrt(grad_var)
''',
        "answer-measure-stds": '''
def measure_stds(X, weights, dout, negative_slope=0.0):
    def std(a):
        return np.sqrt(np.mean((a - a.mean()) ** 2))

    activations, z_stds = [X], []
    for W in weights:
        Z = activations[-1] @ W
        z_stds.append(std(Z))
        activations.append(np.maximum(Z, 0) + negative_slope * np.minimum(Z, 0))
    grad_stds = [0.0] * len(weights)
    dA = dout
    for l in range(len(weights) - 1, -1, -1):
        A = activations[l + 1]                      # the cached output: A > 0 exactly where Z > 0
        dZ = dA * np.where(A > 0, 1.0, negative_slope)
        dA = dZ @ weights[l].T
        grad_stds[l] = std(dA)
    return np.array(z_stds), np.array(grad_stds)
''',
        "answer-lsuv": '''
def lsuv(X, weights, negative_slope=0.0):
    new = [W.copy() for W in weights]
    for l in range(len(new)):
        A = X
        for W in new[:l]:
            Z = A @ W
            A = np.where(Z > 0, Z, negative_slope * Z)
        new[l] /= np.sqrt(np.var(A @ new[l]))
    return new
''',
    },
    # loops over entries, torch-style fan table, a masked backward pass
    "loops": {
        "answer-gain": GAIN,
        "answer-init-weights": '''
def init_weights(fan_in, fan_out, rng, activation="relu", negative_slope=0.01,
                 mode="fan_in", distribution="normal"):
    g = gain(activation, negative_slope)
    if mode == "avg":
        std = g * np.sqrt(2.0 / (fan_in + fan_out))
    elif mode in ("fan_in", "fan_out"):
        std = g / np.sqrt(fan_in if mode == "fan_in" else fan_out)
    else:
        raise ValueError(mode)
    if distribution == "uniform":
        return rng.uniform(low=-std * np.sqrt(3), high=std * np.sqrt(3), size=(fan_in, fan_out))
    elif distribution == "normal":
        return rng.normal(loc=0.0, scale=std, size=(fan_in, fan_out)).astype(np.float64)
    raise ValueError(distribution)
''',
        "answer-predict-stds": PREDICT,
        "answer-measure-stds": '''
def measure_stds(X, weights, dout, negative_slope=0.0):
    cache = []
    A = X.copy()
    z_stds = np.zeros(len(weights))
    for l, W in enumerate(weights):
        Z = np.dot(A, W)
        z_stds[l] = np.std(Z)
        cache.append(Z)
        A = Z * (Z > 0) + negative_slope * Z * (Z <= 0)
    grad_stds = np.zeros(len(weights))
    dA = dout.copy()
    for l in reversed(range(len(weights))):
        Z = cache[l]
        dZ = dA * (Z > 0) + negative_slope * dA * (Z <= 0)
        dA = np.dot(dZ, weights[l].T)
        grad_stds[l] = np.std(dA)
    return z_stds, grad_stds
''',
        "answer-lsuv": '''
def lsuv(X, weights, negative_slope=0.0):
    result = []
    A = X
    for W in weights:
        Z = A @ W
        s = Z.std()
        W = W.copy()
        W /= s
        Z = Z / s
        result.append(W)
        A = np.where(Z > 0, Z, negative_slope * Z)
    return result
''',
    },
}

SOLUTION = {"answer-gain": GAIN, "answer-init-weights": INIT, "answer-predict-stds": PREDICT,
            "answer-measure-stds": MEASURE, "answer-lsuv": LSUV}


def bug(cell: str, find: str, replace: str) -> dict[str, str]:
    """The solution's answer ``cell`` with one change (``find`` must occur in it)."""
    return edited(SOLUTION, cell, (find, replace))


BUGGY = {
    "gain-alpha-not-squared": (
        bug("answer-gain", "negative_slope**2", "negative_slope"), "alpha**2"),
    "gain-as-variance": (
        bug("answer-gain", "(2 / (1 + negative_slope**2)) ** 0.5", "2 / (1 + negative_slope**2)"),
        "square root"),
    "init-fans-swapped": (
        bug("answer-init-weights", '''    if mode == "fan_in":
        fan = fan_in
    elif mode == "fan_out":
        fan = fan_out''', '''    if mode == "fan_in":
        fan = fan_out
    elif mode == "fan_out":
        fan = fan_in'''), "swapped"),
    "init-variance-as-std": (
        bug("answer-init-weights", "std = gain(activation, negative_slope) / np.sqrt(fan)",
            "std = gain(activation, negative_slope) ** 2 / fan"), "variance"),
    "init-uniform-bound-is-std": (
        bug("answer-init-weights", "a = np.sqrt(3) * std", "a = std"), "sqrt(3)"),
    "init-gain-forgotten": (
        bug("answer-init-weights", "std = gain(activation, negative_slope) / np.sqrt(fan)",
            "std = 1 / np.sqrt(fan)"), "gain"),
    "init-xavier-sum-of-fans": (
        bug("answer-init-weights", "fan = (fan_in + fan_out) / 2", "fan = fan_in + fan_out"),
        "(fan_in + fan_out) / 2"),
    "init-global-random-state": (
        bug("answer-init-weights", "return rng.normal(0.0, std, size=(fan_in, fan_out))",
            "return np.random.normal(0.0, std, size=(fan_in, fan_out))"), "rng"),
    "predict-backward-with-fan-in": (
        bug("answer-predict-stds", "v = widths[l + 1] * weight_stds[l]",
            "v = widths[l] * weight_stds[l]"), "fan-out"),
    "predict-factor-at-layer-one": (
        bug("answer-predict-stds", "m2 = 1.0", "m2 = keep"), "no activation factor"),
    "predict-relu-factor-for-leaky": (
        bug("answer-predict-stds", "keep = (1 + negative_slope**2) / 2", "keep = 0.5"),
        "not ReLU's 1/2"),
    "measure-relu-derivative-1-at-0": (
        bug("answer-measure-stds", "dA = np.where(Z > 0, dA, negative_slope * dA) @ W.T",
            "dA = np.where(Z >= 0, dA, negative_slope * dA) @ W.T"), "exactly z = 0"),
    "measure-std-of-activations": (
        bug("answer-measure-stds", "return np.array([Z.std() for Z in Zs])",
            "return np.array([np.maximum(Z, negative_slope * Z).std() for Z in Zs])"),
        "before the activation"),
    "measure-gradients-reversed": (
        bug("answer-measure-stds", "np.array(grads[::-1])", "np.array(grads)"), "grad_stds[0]"),
    "measure-leaky-backward-as-relu": (
        bug("answer-measure-stds", "dA = np.where(Z > 0, dA, negative_slope * dA) @ W.T",
            "dA = np.where(Z > 0, dA, 0.0) @ W.T"), "alpha * dA"),
    "lsuv-statistics-of-the-original-net": (
        {"answer-lsuv": '''
def lsuv(X, weights, negative_slope=0.0):
    A, out = X, []
    for W in weights:
        Z = A @ W
        out.append(W / Z.std())
        A = np.where(Z > 0, Z, negative_slope * Z)
    return out
'''}, "already rescaled"),
    "lsuv-in-place": (
        bug("answer-lsuv", "W = W / np.std(A @ W)", "W /= np.std(A @ W)"), "unchanged"),
    "lsuv-variance": (
        bug("answer-lsuv", "W = W / np.std(A @ W)", "W = W / np.var(A @ W)"),
        "not by its variance"),
    "lsuv-normalizes-activations": (
        {"answer-lsuv": '''
def lsuv(X, weights, negative_slope=0.0):
    A, out = X, []
    for W in weights:
        Z = A @ W
        W = W / np.std(np.where(Z > 0, Z, negative_slope * Z))
        out.append(W)
        Z = A @ W
        A = np.where(Z > 0, Z, negative_slope * Z)
    return out
'''}, "not the activation"),
}
