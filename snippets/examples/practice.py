"""Examples for docs/*/practice.md: federated averaging (FedAvg) of a linear model."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


# --8<-- [start:fedavg]
def local_sgd(
    w: Array,
    X: Array,
    y: Array,
    epochs: int,
    batch_size: int,
    lr: float,
    rng: np.random.Generator,
) -> Array:
    """Client update: E epochs of minibatch SGD on the squared loss of a linear model."""
    w = w.copy()
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            b = order[start : start + batch_size]
            grad = X[b].T @ (X[b] @ w - y[b]) / len(b)
            w -= lr * grad
    return w


def fedavg(
    clients: list[tuple[Array, Array]],
    w0: Array,
    rounds: int,
    frac: float = 0.1,
    epochs: int = 5,
    batch_size: int = 10,
    lr: float = 0.05,
    seed: int = 0,
) -> Array:
    """clients: list of (X_k, y_k). Returns the global weights after `rounds` rounds."""
    rng = np.random.default_rng(seed)
    w, K = w0.copy(), len(clients)
    m = max(int(frac * K), 1)
    for _ in range(rounds):
        chosen = rng.choice(K, size=m, replace=False)  # sample C*K clients
        n_k = np.array([len(clients[k][1]) for k in chosen])
        local = [local_sgd(w, *clients[k], epochs, batch_size, lr, rng) for k in chosen]
        w = sum(n / n_k.sum() * w_k for n, w_k in zip(n_k, local, strict=True))  # weighted mean
    return w


# --8<-- [end:fedavg]
rng = np.random.default_rng(0)
w_true = np.array([1.0, -2.0, 0.5])
clients = []
for k in range(20):  # clients of different sizes
    X = rng.normal(size=(20 + 5 * k, 3))
    clients.append((X, X @ w_true + 0.01 * rng.normal(size=len(X))))
w = fedavg(clients, np.zeros(3), rounds=30, frac=0.2)
assert np.allclose(w, w_true, atol=0.02), w
# With E = 1 and one full batch per client, one round is one step of full-batch GD.
w0 = np.array([0.3, 0.3, 0.3])
Xs, ys = np.vstack([c[0] for c in clients]), np.concatenate([c[1] for c in clients])
fedsgd = fedavg(clients, w0, rounds=1, frac=1.0, epochs=1, batch_size=10_000, lr=0.1)
assert np.allclose(fedsgd, w0 - 0.1 * Xs.T @ (Xs @ w0 - ys) / len(ys))
