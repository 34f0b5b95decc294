"""Test class of challenge 10 (a hand-written autograd op; a NumPy net in PyTorch and back)."""

from tests.challenges import replaced

# --- correct answers in other forms -------------------------------------------------------

FUNCTION_SAVES_PREACTIVATION = '''
class LinearReLU(torch.autograd.Function):
    """Saves the pre-activation; gradients with einsum."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        z = torch.addmm(bias, x, weight.t())
        ctx.save_for_backward(x, weight, z)
        return z.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_out):
        x, weight, z = ctx.saved_tensors
        delta = torch.where(z > 0, grad_out, torch.zeros_like(grad_out))
        grad_x = torch.einsum("nm,md->nd", delta, weight)
        grad_weight = torch.einsum("nm,nd->md", delta, x)
        return grad_x, grad_weight, delta.sum(0)
'''

FUNCTION_NEEDS_INPUT_GRAD = '''
class LinearReLU(torch.autograd.Function):
    """Saves a boolean mask and only computes the gradients that are needed."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        out = torch.relu(torch.nn.functional.linear(x, weight, bias))
        ctx.save_for_backward(x, weight, out > 0)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        x, weight, mask = ctx.saved_tensors
        delta = grad_out * mask
        grad_x = delta @ weight if ctx.needs_input_grad[0] else None
        grad_weight = (x.T @ delta).T if ctx.needs_input_grad[1] else None
        grad_bias = delta.sum(dim=0) if ctx.needs_input_grad[2] else None
        return grad_x, grad_weight, grad_bias
'''

TO_TORCH_PARAMETERS = '''
def to_torch(params):
    """New nn.Parameters holding copies (torch.tensor copies its input)."""
    W1, W2 = params["W1"], params["W2"]
    first = nn.Linear(W1.shape[0], W1.shape[1]).double()
    second = nn.Linear(W2.shape[0], W2.shape[1]).double()
    first.weight = nn.Parameter(torch.tensor(W1.T))
    first.bias = nn.Parameter(torch.tensor(params["b1"]))
    second.weight = nn.Parameter(torch.tensor(W2.T))
    second.bias = nn.Parameter(torch.tensor(params["b2"]))
    return nn.Sequential(first, nn.ReLU(), second)
'''

TO_TORCH_STATE_DICT = '''
def to_torch(params):
    """load_state_dict from transposed copies."""
    D, H = params["W1"].shape
    C = params["W2"].shape[1]
    module = nn.Sequential(nn.Linear(D, H), nn.ReLU(), nn.Linear(H, C)).to(torch.float64)
    state = {"0.weight": params["W1"].T.copy(), "0.bias": params["b1"].copy(),
             "2.weight": params["W2"].T.copy(), "2.bias": params["b2"].copy()}
    module.load_state_dict({key: torch.from_numpy(value) for key, value in state.items()})
    return module
'''

GRADS_BY_NAME = '''
def loss_and_grads_torch(params, X, y):
    """Reads the gradients through named_parameters."""
    module = to_torch(params)
    logits = module(torch.tensor(X))
    loss = TF.cross_entropy(logits, torch.tensor(y), reduction="mean")
    module.zero_grad()
    loss.backward()
    named = {name: p.grad.detach().numpy() for name, p in module.named_parameters()}
    grads = {"W1": np.array(named["0.weight"].T), "b1": np.array(named["0.bias"]),
             "W2": np.array(named["2.weight"].T), "b2": np.array(named["2.bias"])}
    return float(loss), grads
'''

TRAIN_BY_HAND = '''
def train_torch(params, X, y, lr, steps):
    """SGD by hand under no_grad, gradients reset to None after each step."""
    module = to_torch(params)
    inputs, labels = torch.tensor(X), torch.tensor(y)
    losses = []
    for _ in range(steps):
        loss = TF.cross_entropy(module(inputs), labels)
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in module.parameters():
                p -= lr * p.grad
                p.grad = None
    layers = {"1": module[0], "2": module[2]}
    trained = {}
    for k, layer in layers.items():
        trained["W" + k] = layer.weight.detach().numpy().T.copy()
        trained["b" + k] = layer.bias.detach().numpy().copy()
    return trained, np.array(losses)
'''

TRAIN_ZERO_AFTER_STEP = '''
def train_torch(params, X, y, lr, steps):
    """optim.SGD, zero_grad right after step (the chapter's other correct place)."""
    module = to_torch(params)
    optimizer = torch.optim.SGD(module.parameters(), lr=lr)
    losses = np.empty(steps)
    for t in range(steps):
        loss = TF.cross_entropy(module(torch.from_numpy(X)), torch.from_numpy(y))
        losses[t] = loss.item()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    W1, b1, W2, b2 = (p.detach().clone().numpy() for p in module.parameters())
    return {"W1": W1.T, "b1": b1, "W2": W2.T, "b2": b2}, losses
'''

CORRECT = {
    "preactivation-einsum-parameters-by-hand": {
        "answer-linear-relu": FUNCTION_SAVES_PREACTIVATION,
        "answer-to-torch": TO_TORCH_PARAMETERS,
        "answer-grads-torch": GRADS_BY_NAME,
        "answer-train-torch": TRAIN_BY_HAND},
    "mask-needs-input-grad-state-dict": {
        "answer-linear-relu": FUNCTION_NEEDS_INPUT_GRAD,
        "answer-to-torch": TO_TORCH_STATE_DICT,
        "answer-train-torch": TRAIN_ZERO_AFTER_STEP},
}

# --- answers with one classic bug ---------------------------------------------------------

FUNCTION = '''
class LinearReLU(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x, weight, bias):
        z = x @ weight.T + bias
        ctx.save_for_backward(x, weight, z)
        return torch.relu(z)

    @staticmethod
    def backward(ctx, grad_out):
        x, weight, z = ctx.saved_tensors
        delta = grad_out * (z > 0)
        return delta @ weight, delta.T @ x, delta.sum(dim=0)
'''

TO_TORCH = '''
def to_torch(params):
    (D, H), C = params["W1"].shape, params["W2"].shape[1]
    module = nn.Sequential(nn.Linear(D, H, dtype=torch.float64), nn.ReLU(),
                           nn.Linear(H, C, dtype=torch.float64))
    with torch.no_grad():
        for layer, W, b in [(module[0], "W1", "b1"), (module[2], "W2", "b2")]:
            layer.weight.copy_(torch.from_numpy(params[W].T))
            layer.bias.copy_(torch.from_numpy(params[b]))
    return module
'''

GRADS = '''
def loss_and_grads_torch(params, X, y):
    module = to_torch(params)
    loss = TF.cross_entropy(module(torch.from_numpy(X)), torch.from_numpy(y))
    loss.backward()
    first, second = module[0], module[2]
    grads = {"W1": first.weight.grad.T, "b1": first.bias.grad,
             "W2": second.weight.grad.T, "b2": second.bias.grad}
    return loss.item(), {name: g.numpy().copy() for name, g in grads.items()}
'''

TRAIN = '''
def train_torch(params, X, y, lr, steps):
    module = to_torch(params)
    optimizer = torch.optim.SGD(module.parameters(), lr=lr)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    losses = np.zeros(steps)
    for step in range(steps):
        optimizer.zero_grad()
        loss = TF.cross_entropy(module(X_t), y_t)
        loss.backward()
        optimizer.step()
        losses[step] = loss.item()
    first, second = module[0], module[2]
    trained = {"W1": first.weight.T, "b1": first.bias, "W2": second.weight.T, "b2": second.bias}
    return {name: p.detach().numpy().copy() for name, p in trained.items()}, losses
'''


def edit(source: str, old: str, new: str) -> str:
    return replaced(source, (old, new))


BUGGY = {
    "relu-derivative-one-at-zero": (
        {"answer-linear-relu": edit(FUNCTION, "(z > 0)", "(z >= 0)")}, "ReLU'(0)"),
    "weight-gradient-in-numpy-layout": (
        {"answer-linear-relu": edit(FUNCTION, "delta.T @ x", "x.T @ delta")},
        "shape of its input"),
    "two-gradients-for-three-inputs": (
        {"answer-linear-relu": edit(FUNCTION, ", delta.sum(dim=0)\n", "\n")},
        "one gradient per input"),
    "grad-out-masked-in-place": (
        {"answer-linear-relu": edit(FUNCTION, "        delta = grad_out * (z > 0)\n",
                                    "        grad_out[z <= 0] = 0\n        delta = grad_out\n")},
        "in place"),
    "float32-module": (
        {"answer-to-torch": edit(edit(TO_TORCH, "nn.Linear(D, H, dtype=torch.float64)",
                                      "nn.Linear(D, H)"),
                                 "nn.Linear(H, C, dtype=torch.float64)", "nn.Linear(H, C)")},
        "float64"),
    "reshape-instead-of-transpose": (
        {"answer-to-torch": edit(TO_TORCH, "params[W].T", "params[W].reshape(layer.weight.shape)")},
        "not a reshape"),
    "parameters-share-numpy-memory": (
        {"answer-to-torch": '''
def to_torch(params):
    (D, H), C = params["W1"].shape, params["W2"].shape[1]
    module = nn.Sequential(nn.Linear(D, H, dtype=torch.float64), nn.ReLU(),
                           nn.Linear(H, C, dtype=torch.float64))
    for layer, W, b in [(module[0], "W1", "b1"), (module[2], "W2", "b2")]:
        layer.weight = nn.Parameter(torch.from_numpy(params[W].T))
        layer.bias = nn.Parameter(torch.from_numpy(params[b]))
    return module
'''}, "shares memory"),
    "gradients-left-in-torch-layout": (
        {"answer-grads-torch": GRADS.replace("weight.grad.T", "weight.grad")},
        "its transpose is dW"),
    "summed-cross-entropy": (
        {"answer-grads-torch": edit(GRADS, "torch.from_numpy(y))", "torch.from_numpy(y), "
                                    "reduction=\"sum\")")},
        "not the sum"),
    "no-zero-grad": (
        {"answer-train-torch": edit(TRAIN, "        optimizer.zero_grad()\n", "")}, "zero_grad"),
    "zero-grad-between-backward-and-step": (
        {"answer-train-torch": edit(edit(TRAIN, "        optimizer.zero_grad()\n", ""),
                                    "        loss.backward()\n",
                                    "        loss.backward()\n        optimizer.zero_grad()\n")},
        "zero_grad"),
    "loss-recorded-after-the-step": (
        {"answer-train-torch": edit(TRAIN, "        losses[step] = loss.item()\n", "")
            .replace("    first, second = module[0], module[2]\n",
                     "        with torch.no_grad():\n"
                     "            losses[step] = TF.cross_entropy(module(X_t), y_t).item()\n"
                     "    first, second = module[0], module[2]\n")},
        "before step t"),
}
