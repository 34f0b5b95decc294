"""Test class of challenge 05 (gradient checking): correct variants and classic bugs."""

from tests.challenges import edited

NUMGRAD = '''
def numerical_grads(f, inputs, dout, h=1e-6):
    arrays = {name: np.array(value, dtype=np.float64) for name, value in inputs.items()}
    dout = np.asarray(dout, dtype=np.float64)
    grads = {}
    for name, x in arrays.items():
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            old = x[i]
            x[i] = old + h
            f_plus = np.sum(f(**arrays) * dout)
            x[i] = old - h
            f_minus = np.sum(f(**arrays) * dout)
            x[i] = old
            grad[i] = (f_plus - f_minus) / (2 * h)
        grads[name] = grad
    return grads
'''

DIRECTIONAL = '''
def directional_derivative(f, inputs, dout, directions, h=1e-6):
    dout = np.asarray(dout, dtype=np.float64)

    def F(sign):
        moved = {name: np.asarray(value, dtype=np.float64)
                 + sign * h * np.asarray(directions[name], dtype=np.float64)
                 for name, value in inputs.items()}
        return np.sum(f(**moved) * dout)

    return float((F(1.0) - F(-1.0)) / (2 * h))
'''

FIND = '''
def find_wrong_gradients(forward, backward, inputs, dout, tol=1e-6):
    arrays = {name: np.array(value, dtype=np.float64) for name, value in inputs.items()}
    dout = np.array(dout, dtype=np.float64)
    out, cache = forward(**arrays)
    analytic = backward(dout, cache)
    value = np.sum(out * dout)

    def error(a, n, h):
        floor = 10 * np.finfo(np.float64).eps * max(1.0, abs(value)) / h
        if max(np.max(np.abs(a)), np.max(np.abs(n))) <= floor:
            return 0.0
        return np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n))

    def out_only(**kw):
        return forward(**kw)[0]

    coarse = numerical_grads(out_only, arrays, dout, 1e-5)
    suspects = [name for name in arrays if error(analytic[name], coarse[name], 1e-5) > tol]
    if not suspects:
        return []
    fine = numerical_grads(out_only, arrays, dout, 1e-7)
    return [name for name in suspects if error(analytic[name], fine[name], 1e-7) > tol]
'''

SOLUTION = {"answer-numerical-grads": NUMGRAD, "answer-directional": DIRECTIONAL,
            "answer-find-wrong-gradients": FIND}

CORRECT = {
    # the original notebook's way: a fresh copy of every input for every evaluation (slow, no
    # restoring needed), nditer, hand-written norms, the second pass for every input
    "copy-per-evaluation": {
        "answer-numerical-grads": '''
def numerical_grads(f, inputs, dout, h=1e-6):
    base = {k: v.astype(np.float64) for k, v in inputs.items()}
    d = dout.astype(np.float64)

    def F(name, index, delta):
        moved = {k: v.copy() for k, v in base.items()}
        moved[name][index] += delta
        return (f(**moved) * d).sum()

    grads = {}
    for name, x in base.items():
        g = np.empty(x.shape, dtype=np.float64)
        it = np.nditer(x, flags=["multi_index"])
        for _ in it:
            i = it.multi_index
            g[i] = (F(name, i, h) - F(name, i, -h)) / (2.0 * h)
        grads[name] = g
    return grads
''',
        "answer-directional": '''
def directional_derivative(f, inputs, dout, directions, h=1e-6):
    d = dout.astype(np.float64)
    plus = {k: v.astype(np.float64) + h * directions[k] for k, v in inputs.items()}
    minus = {k: v.astype(np.float64) - h * directions[k] for k, v in inputs.items()}
    return float(((f(**plus) * d).sum() - (f(**minus) * d).sum()) / (2.0 * h))
''',
        "answer-find-wrong-gradients": '''
def find_wrong_gradients(forward, backward, inputs, dout, tol=1e-6):
    arrays = {k: v.astype(np.float64) for k, v in inputs.items()}
    d = dout.astype(np.float64)
    out, cache = forward(**arrays)
    analytic = backward(d, cache)
    F = float((out * d).sum())
    eps = np.finfo(np.float64).eps

    def err(name, numeric, h):
        a, n = analytic[name].ravel(), numeric[name].ravel()
        floor = 10 * eps * max(1.0, abs(F)) / h
        if np.all(np.abs(a) <= floor) and np.all(np.abs(n) <= floor):
            return 0.0
        return np.sqrt(((a - n) ** 2).sum()) / (np.sqrt((a**2).sum()) + np.sqrt((n**2).sum()))

    f = lambda **kw: forward(**kw)[0]  # noqa: E731
    coarse = numerical_grads(f, arrays, d, h=1e-5)
    fine = numerical_grads(f, arrays, d, h=1e-7)
    return [k for k in arrays if err(k, coarse, 1e-5) > tol and err(k, fine, 1e-7) > tol]
''',
    },
    # perturbing the caller's float64 arrays in place (np.asarray makes no copy of them),
    # restored bit for bit; float32 arrays are copied
    "in-place-restored": {
        "answer-numerical-grads": '''
def numerical_grads(f, inputs, dout, h=1e-6):
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in inputs.items()}
    d = np.asarray(dout, dtype=np.float64)
    grads = {}
    for name in arrays:
        x = arrays[name]
        flat = x.reshape(-1)  # a view: writing into it writes into x
        g = np.zeros(x.size)
        for k in range(x.size):
            saved = flat[k].copy()
            flat[k] = saved + h
            up = np.vdot(f(**arrays), d)
            flat[k] = saved - h
            down = np.vdot(f(**arrays), d)
            flat[k] = saved
            g[k] = (up - down) / h / 2
        grads[name] = g.reshape(x.shape)
    return grads
''',
        "answer-directional": DIRECTIONAL,
        "answer-find-wrong-gradients": FIND,
    },
}


def bug(cell: str, find: str, replace: str) -> dict[str, str]:
    """The solution's answer ``cell`` with one change (``find`` must occur in it)."""
    return edited(SOLUTION, cell, (find, replace))


BUGGY = {
    "numgrad-one-sided": (
        {"answer-numerical-grads": NUMGRAD.replace(
            "x[i] = old - h\n            f_minus", "x[i] = old\n            f_minus").replace(
            "(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / h")}, "one-sided"),
    "numgrad-divides-by-h": (
        bug("answer-numerical-grads", "(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / h"),
        "2h"),
    "numgrad-float32-in-place": (
        bug("answer-numerical-grads",
            "arrays = {name: np.array(value, dtype=np.float64) for name, value in inputs.items()}",
            "arrays = inputs"), "float64"),
    "numgrad-restores-by-subtracting": (
        {"answer-numerical-grads": NUMGRAD.replace(
            "np.array(value, dtype=np.float64)", "np.asarray(value, dtype=np.float64)").replace(
            "            x[i] = old + h\n", "            x[i] += h\n").replace(
            "            x[i] = old - h\n", "            x[i] -= 2 * h\n").replace(
            "            x[i] = old\n", "            x[i] += h\n")}, "exact"),
    "numgrad-never-restores": (
        bug("answer-numerical-grads", "            x[i] = old\n            grad[i]",
            "            grad[i]"), "restored"),
    "directional-one-sided": (
        bug("answer-directional", "return float((F(1.0) - F(-1.0)) / (2 * h))",
            "return float((F(1.0) - F(0.0)) / h)"), "one-sided"),
    "directional-divides-by-h": (
        bug("answer-directional", "return float((F(1.0) - F(-1.0)) / (2 * h))",
            "return float((F(1.0) - F(-1.0)) / h)"), "divide by 2h"),
    "find-without-noise-floor": (
        bug("answer-find-wrong-gradients", "if max(np.max(np.abs(a)), np.max(np.abs(n))) <= floor:",
            "if False:"), "noise floor"),
    "find-without-second-step": (
        bug("answer-find-wrong-gradients", "    if not suspects:\n        return []",
            "    return suspects"), "kink"),
    "find-either-step-fails": (
        {"answer-find-wrong-gradients": FIND.replace(
            "    if not suspects:\n        return []\n", "").replace(
            "return [name for name in suspects if error(analytic[name], fine[name], 1e-7) > tol]",
            "return [name for name in arrays if name in suspects\n"
            "            or error(analytic[name], fine[name], 1e-7) > tol]")}, "kink"),
    "find-float32-numerics": (
        {"answer-numerical-grads": NUMGRAD.replace(
            "np.array(value, dtype=np.float64)", "np.array(value)").replace(
            "np.asarray(dout, dtype=np.float64)", "dout"),
         "answer-find-wrong-gradients": FIND.replace(
            "np.array(value, dtype=np.float64)", "np.array(value)").replace(
            "np.array(dout, dtype=np.float64)", "dout")}, "float64"),
    "find-elementwise-rel-error": (
        bug("answer-find-wrong-gradients",
            "return np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n))",
            "return np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n)))"),
        "norm-wise"),
}
