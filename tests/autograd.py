"""The PyTorch side of every comparison: float64 tensors and autograd gradients.

torch is an optional dependency: importing this module skips the importing test
module when torch is not installed. Test modules take ``torch`` from here.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import to_numpy

torch = pytest.importorskip("torch")
# Two cores are shared by several workers (and pytest -n 2): keep torch single-threaded.
torch.set_num_threads(1)


def tensor(a, requires_grad: bool = False):
    """A float64 torch tensor copied from ``a``."""
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def torch_grads(fn, *arrays, dout=None):
    """Run ``fn`` on float64 tensors made from ``arrays`` with autograd.

    Returns ``(out, grads)``: ``out`` as ndarray and the list of gradients of
    ``sum(out * dout)`` (or of the scalar ``out`` when ``dout`` is None) with
    respect to each array, as ndarrays in the order given.
    """
    tensors = [tensor(a, requires_grad=True) for a in arrays]
    out = fn(*tensors)
    if dout is None:
        out.backward()
    else:
        out.backward(tensor(dout))
    grads = [to_numpy(t.grad) if t.grad is not None else np.zeros_like(a) for t, a in
             zip(tensors, arrays, strict=True)]
    return to_numpy(out), grads
