"""Test class of challenge 09 (a three-layer network trained end to end in NumPy).

The buggy members are the solution's answer cells with one change each (``_edit`` fails
loudly when the solution no longer contains the text it replaces).
"""

from __future__ import annotations

import functools

from tests.challenges import edited, solution_answers

_edit = functools.partial(edited, solution_answers("09_three_layer_net"))


# --- correct in other forms ------------------------------------------------------------

SPLIT_MANUAL = '''
def split_and_standardize(X, y, n_val, rng):
    perm = rng.permutation(X.shape[0])
    X_fit_raw, X_val_raw = X[perm[n_val:]], X[perm[:n_val]]
    mean = X_fit_raw.sum(axis=0) / len(X_fit_raw)
    std = np.sqrt(((X_fit_raw - mean) ** 2).mean(axis=0))
    std[std == 0] = 1.0                      # std is a new array: X is untouched
    return ((X_fit_raw - mean) / std, y[perm[n_val:]], (X_val_raw - mean) / std,
            y[perm[:n_val]], mean, std)
'''

INIT_NORMAL = '''
def init_params(sizes, rng):
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:]), start=1):
        params["W" + str(i)] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
        params["b" + str(i)] = np.zeros(fan_out)
    return params
'''

FORWARD_LOOP = '''
def forward(params, X, p, training, rng):
    cache = {"X": X, "layers": []}
    h = X
    for i in (1, 2):
        z = np.einsum("nd,dh->nh", h, params[f"W{i}"]) + params[f"b{i}"]
        scale = (rng.random(z.shape) >= p) / (1 - p) if training else np.ones_like(z)
        cache["layers"].append((h, z, scale))
        h = np.where(z > 0, z, 0.0) * scale
    cache["h2"], cache["params"] = h, params
    return h @ params["W3"] + params["b3"], cache
'''

BACKWARD_LOOP = '''
def backward(dlogits, cache):
    params = cache["params"]
    grads = {"W3": np.einsum("nh,nc->hc", cache["h2"], dlogits), "b3": np.sum(dlogits, axis=0)}
    dh = dlogits @ params["W3"].T
    for i in (2, 1):
        h_in, z, scale = cache["layers"][i - 1]
        dz = np.where(z > 0, dh * scale, 0.0)
        grads[f"W{i}"] = (dz.T @ h_in).T
        grads[f"b{i}"] = dz.sum(axis=0)
        dh = dz @ params[f"W{i}"].T
    return grads
'''

ADAMW_TORCH_ORDER = '''
def adamw_step(params, grads, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
               weight_decay=1e-2):
    t = 1 if state is None else state["t"] + 1
    new_params, new_state = {}, {"t": t, "m": {}, "v": {}, "lr": lr}
    for name in sorted(params):
        w, g = params[name], grads[name]
        m = np.zeros_like(w) if state is None else state["m"][name]
        v = np.zeros_like(w) if state is None else state["v"][name]
        m = m + (g - m) * (1 - beta1)
        v = v * beta2 + (1 - beta2) * g * g
        if not name.startswith("b"):
            w = w * (1 - lr * weight_decay)
        denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
        new_params[name] = w - lr / (1 - beta1 ** t) * (m / denom)
        new_state["m"][name], new_state["v"][name] = m, v
    return new_params, new_state
'''

EVALUATE_OWN_LOSS = '''
def evaluate(params, X, y):
    logits = forward(params, X, 0.5, False, None)[0]
    log_probs = logits - logits.max(axis=1, keepdims=True)
    log_probs -= np.log(np.sum(np.exp(log_probs), axis=1, keepdims=True))
    loss = -np.mean(log_probs[np.arange(len(y)), y])
    return float(loss), float(np.count_nonzero(np.argmax(logits, axis=1) == y) / len(y))
'''

TRAIN_WHILE = '''
import copy


def train(params, X_fit, y_fit, X_val, y_val, *, epochs, batch_size, lr, weight_decay, p,
          patience, rng):
    params = copy.deepcopy(params)
    state, best, bad_epochs = None, None, 0
    history = {"train_loss": [], "val_loss": [], "val_acc": [], "best_epoch": 0, "steps": 0}
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(X_fit))
        losses, sizes, start = [], [], 0
        while start < len(order):
            batch = order[start:start + batch_size]
            start += batch_size
            logits, cache = forward(params, X_fit[batch], p, True, rng)
            loss, dlogits = softmax_cross_entropy(logits, y_fit[batch])
            losses.append(loss)
            sizes.append(len(batch))
            params, state = adamw_step(params, backward(dlogits, cache), state, lr=lr,
                                       weight_decay=weight_decay)
            history["steps"] += 1
        history["train_loss"].append(float(np.average(losses, weights=sizes)))
        val_loss, val_acc = evaluate(params, X_val, y_val)
        history["val_loss"].append(val_loss)
        history["val_acc"].append(val_acc)
        if best is None or val_loss < min(history["val_loss"][:-1]):
            best, history["best_epoch"], bad_epochs = copy.deepcopy(params), epoch, 0
        else:
            bad_epochs += 1
            if patience is not None and bad_epochs >= patience:
                break
    return best, history
'''

CORRECT = {
    "manual-stats-normal-init-loops": {"answer-split": SPLIT_MANUAL, "answer-init": INIT_NORMAL,
                                       "answer-forward": FORWARD_LOOP,
                                       "answer-backward": BACKWARD_LOOP},
    "torch-order-own-loss-while-loop": {"answer-adamw-step": ADAMW_TORCH_ORDER,
                                        "answer-evaluate": EVALUATE_OWN_LOSS,
                                        "answer-train": TRAIN_WHILE},
}

# --- one classic bug each ----------------------------------------------------------------

BUGGY = {
    "split-statistics-of-all-rows": (
        _edit("answer-split", ("mean = X[fit_rows].mean(axis=0)", "mean = X.mean(axis=0)"),
              ("std = X[fit_rows].std(axis=0)", "std = X.std(axis=0)")),
        "fit rows only"),
    "split-validation-own-statistics": (
        _edit("answer-split", ("(X[val_rows] - mean) / std, y[val_rows]",
                               "(X[val_rows] - X[val_rows].mean(axis=0)) / np.where("
                               "X[val_rows].std(axis=0) == 0, 1.0, X[val_rows].std(axis=0)), "
                               "y[val_rows]")),
        "their own statistics"),
    "split-std-zero-not-replaced": (
        _edit("answer-split", ("std = np.where(std == 0, 1.0, std)", "std = std + 0.0")),
        "std 1"),
    "split-ddof-1": (
        _edit("answer-split", ("std = X[fit_rows].std(axis=0)",
                               "std = X[fit_rows].std(axis=0, ddof=1)")),
        "ddof=0"),
    "init-he-with-fan-out": (
        _edit("answer-init", ("np.sqrt(2 / fan_in)", "np.sqrt(2 / fan_out)")),
        "fan_in"),
    "forward-dropout-not-rescaled": (
        _edit("answer-forward", ("h1 = a1 * keep1 / (1 - p)", "h1 = a1 * keep1"),
              ("h2 = a2 * keep2 / (1 - p)", "h2 = a2 * keep2")),
        "divides what it keeps by 1 - p"),
    "forward-dropout-in-evaluation": (
        _edit("answer-forward",
              ("if training else None\n    h1", "if training or p > 0 else None\n    h1"),
              ("if training else a1", "if training or p > 0 else a1"),
              ("if training else None\n    h2", "if training or p > 0 else None\n    h2"),
              ("if training else a2", "if training or p > 0 else a2")),
        "evaluation mode"),
    "backward-relu-derivative-1-at-0": (
        _edit("answer-backward", ("dz2 = dh2 * (z2 > 0)", "dz2 = dh2 * (z2 >= 0)"),
              ("dz1 = dh1 * (z1 > 0)", "dz1 = dh1 * (z1 >= 0)")),
        "ReLU'(0)"),
    "backward-dropout-not-rescaled": (
        _edit("answer-backward", ("dh2 = dh2 * keep2 / (1 - p)", "dh2 = dh2 * keep2"),
              ("dh1 = dh1 * keep1 / (1 - p)", "dh1 = dh1 * keep1")),
        "same keep / (1 - p)"),
    "adamw-decays-biases": (
        _edit("answer-adamw-step", ('decay = 0.0 if name.startswith("b") else weight_decay',
                                    "decay = weight_decay")),
        "no weight decay"),
    "train-new-optimizer-state-every-epoch": (
        _edit("answer-train", ("        order = rng.permutation(n)\n",
                               "        order = rng.permutation(n)\n        state = None\n")),
        "go on across epochs"),
    "train-gradients-accumulate": (
        _edit("answer-train",
              ("    n = len(X_fit)\n", "    n = len(X_fit)\n    summed = None\n"),
              ("            params, state = adamw_step(params, backward(dlogits, cache), state,",
               "            grads = backward(dlogits, cache)\n"
               "            summed = grads if summed is None else "
               "{k: summed[k] + grads[k] for k in grads}\n"
               "            params, state = adamw_step(params, summed, state,")),
        "must not accumulate"),
    "train-plain-mean-of-batch-losses": (
        _edit("answer-train", ("total += loss * len(batch)", "total += loss"),
              ('history["train_loss"].append(total / n)',
               'history["train_loss"].append(total / -(-n // batch_size))')),
        "weight each batch"),
    "train-validation-in-training-mode": (
        _edit("answer-train", ("val_loss, val_acc = evaluate(params, X_val, y_val)",
                               "val_logits, _ = forward(params, X_val, p, True, rng)\n"
                               "        val_loss, _ = softmax_cross_entropy(val_logits, y_val)\n"
                               "        val_acc = float(np.mean("
                               "val_logits.argmax(axis=1) == y_val))")),
        "evaluation mode"),
    "train-returns-last-parameters": (
        _edit("answer-train", ("return best_params, history", "return params, history")),
        "best epoch"),
    "train-patience-off-by-one": (
        _edit("answer-train", ('epoch - history["best_epoch"] >= patience',
                               'epoch - history["best_epoch"] > patience')),
        "patience"),
}
