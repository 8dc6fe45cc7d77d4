"""Examples for docs/*/foundations.md: a two-layer MLP's forward and backward pass by hand."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from snippets.gradcheck import numerical_gradient

Array = NDArray[np.float64]


# --8<-- [start:mlp_backprop]
def mlp_forward_backward(
    X: Array, Y: Array, W1: Array, b1: Array, W2: Array, b2: Array
) -> tuple[float, tuple[Array, Array, Array, Array]]:
    """X: (N, D); Y: (N, C) one-hot; W1: (D, H); b1: (H,); W2: (H, C); b2: (C,)."""
    N = X.shape[0]
    Z1 = X @ W1 + b1  # (N, H)
    A1 = np.maximum(Z1, 0.0)  # (N, H)
    Z2 = A1 @ W2 + b2  # (N, C)
    S = Z2 - Z2.max(axis=1, keepdims=True)  # stable log-softmax
    logP = S - np.log(np.exp(S).sum(axis=1, keepdims=True))
    loss = float(-(Y * logP).sum() / N)
    dZ2 = (np.exp(logP) - Y) / N  # (N, C)
    dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0)  # (H, C), (C,)
    dA1 = dZ2 @ W2.T  # (N, H)
    dZ1 = dA1 * (Z1 > 0)  # (N, H)
    dW1, db1 = X.T @ dZ1, dZ1.sum(axis=0)  # (D, H), (H,)
    return loss, (dW1, db1, dW2, db2)


# --8<-- [end:mlp_backprop]
rng = np.random.default_rng(0)
N, D, H, C = 5, 4, 6, 3
X = rng.normal(size=(N, D))
Y = np.eye(C)[rng.integers(C, size=N)]
params = [rng.normal(size=(D, H)), rng.normal(size=H), rng.normal(size=(H, C)), rng.normal(size=C)]
loss, grads = mlp_forward_backward(X, Y, *params)
assert loss > 0
for p, g in zip(params, grads, strict=True):
    assert g.shape == p.shape
    num = numerical_gradient(lambda _: mlp_forward_backward(X, Y, *params)[0], p)
    assert np.allclose(g, num, atol=1e-6), np.abs(g - num).max()
