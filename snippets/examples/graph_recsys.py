"""Examples for docs/*/architectures/graph-recsys.md: GCN, over-smoothing, FM, two towers."""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray

from snippets.activations import log_softmax

Array = NDArray[np.float64]


# --8<-- [start:gcn]
def normalized_adjacency(A: Array) -> Array:
    """Renormalization trick: D~^{-1/2} (A + I) D~^{-1/2}."""
    A_tilde = A + np.eye(A.shape[0])
    d_inv_sqrt = 1.0 / np.sqrt(A_tilde.sum(axis=1))
    return d_inv_sqrt[:, None] * A_tilde * d_inv_sqrt[None, :]


def gcn_layer(A_hat: Array, H: Array, W: Array) -> Array:
    return np.maximum(A_hat @ H @ W, 0.0)  # ReLU(A_hat H W)


A = np.array(
    [
        [0, 1, 1, 0, 0],
        [1, 0, 1, 0, 0],
        [1, 1, 0, 1, 0],
        [0, 0, 1, 0, 1],
        [0, 0, 0, 1, 0],
    ],
    dtype=float,
)
A_hat = normalized_adjacency(A)
print(np.linalg.eigvalsh(A_hat).round(3))  # all in (-1, 1], largest exactly 1
# --8<-- [end:gcn]
eig = np.linalg.eigvalsh(A_hat)
assert np.isclose(eig.max(), 1.0)
assert eig.min() > -1
assert gcn_layer(A_hat, np.eye(5), np.ones((5, 2))).shape == (5, 2)

# --8<-- [start:oversmoothing]
rng = np.random.default_rng(0)
X = rng.normal(size=(5, 3))
d_sqrt = np.sqrt(A.sum(1) + 1)
spread = {}
for k in [1, 2, 4, 8, 16, 32, 64]:
    Z = np.linalg.matrix_power(A_hat, k) @ X / d_sqrt[:, None]
    spread[k] = Z.std(axis=0).max()
    print(k, spread[k])  # 0.56, 0.43, 0.27, 0.11, 0.017, 4e-4, ~0
# --8<-- [end:oversmoothing]
assert [round(spread[k], 2) for k in [1, 2, 4, 8]] == [0.56, 0.43, 0.27, 0.11]
assert round(spread[16], 3) == 0.017
assert spread[32] < 1e-3
assert spread[64] < 1e-6


# --8<-- [start:fm]
def fm_predict(x: Array, w0: float, w: Array, V: Array) -> float:
    """x: (n,), w: (n,), V: (n, k). O(kn) second-order term."""
    s = V.T @ x  # (k,): sum_i v_{i,f} x_i
    s2 = (V**2).T @ (x**2)  # (k,): sum_i v_{i,f}^2 x_i^2
    return float(w0 + w @ x + 0.5 * np.sum(s**2 - s2))


def fm_grad_V(x: Array, V: Array) -> Array:
    """d y_hat / d V: x_i * s_f - v_{i,f} * x_i^2."""
    s = V.T @ x
    return np.outer(x, s) - V * (x**2)[:, None]


# --8<-- [end:fm]
n, k = 6, 3
x, w, V = rng.normal(size=n), rng.normal(size=n), rng.normal(size=(n, k))
pairwise = sum(V[i] @ V[j] * x[i] * x[j] for i, j in itertools.combinations(range(n), 2))
assert np.isclose(fm_predict(x, 0.5, w, V), 0.5 + w @ x + pairwise)  # the O(k n^2) definition
eps = 1e-6
num = np.zeros_like(V)
for idx in np.ndindex(V.shape):
    Vp, Vm = V.copy(), V.copy()
    Vp[idx] += eps
    Vm[idx] -= eps
    num[idx] = (fm_predict(x, 0.5, w, Vp) - fm_predict(x, 0.5, w, Vm)) / (2 * eps)
assert np.allclose(fm_grad_V(x, V), num, atol=1e-6)


# --8<-- [start:fm_two_tower]
def fm_user_vector(x_u: Array, V_u: Array) -> Array:
    return np.append(V_u.T @ x_u, 1.0)  # [sum_u v_u x_u, 1]


def fm_item_vector(x_i: Array, w_i: Array, V_i: Array) -> Array:
    s = V_i.T @ x_i
    inner = 0.5 * (s @ s - ((V_i**2).T @ (x_i**2)).sum())  # item-item crosses
    return np.append(s, w_i @ x_i + inner)  # [sum_i v_i x_i, item-only score]


# For one user, fm_predict(concat(x_u, x_item)) - item_vec @ user_vec is the same
# constant for every item, so both give the same ranking.
# --8<-- [end:fm_two_tower]
n_u, n_i = 4, 5
V_u, V_i = rng.normal(size=(n_u, k)), rng.normal(size=(n_i, k))
w_u, w_i = rng.normal(size=n_u), rng.normal(size=n_i)
x_u = rng.normal(size=n_u)
items = rng.normal(size=(10, n_i))
w_all, V_all = np.concatenate([w_u, w_i]), np.vstack([V_u, V_i])
full = np.array([fm_predict(np.concatenate([x_u, xi]), 0.3, w_all, V_all) for xi in items])
tower = np.array([fm_item_vector(xi, w_i, V_i) @ fm_user_vector(x_u, V_u) for xi in items])
assert np.allclose(full - tower, (full - tower)[0])  # a per-user constant
assert (np.argsort(full) == np.argsort(tower)).all()


# --8<-- [start:in_batch_softmax]
def in_batch_softmax_loss(U: Array, Vb: Array, log_q: Array, tau: float = 0.05) -> float:
    """U, Vb: (B, d) L2-normalized user / positive-item embeddings; row b is a positive pair.
    log_q: (B,) log sampling probability of each in-batch item (popularity)."""
    logits = U @ Vb.T / tau - log_q[None, :]  # logQ correction
    log_prob = log_softmax(logits, axis=1)  # snippets/activations.py: stable
    return float(-np.mean(np.diag(log_prob)))


# --8<-- [end:in_batch_softmax]
B, d = 8, 4
U = rng.normal(size=(B, d))
U /= np.linalg.norm(U, axis=1, keepdims=True)
uniform = np.full(B, np.log(1 / B))
assert in_batch_softmax_loss(U, U, uniform) < in_batch_softmax_loss(U, U[::-1], uniform)
assert np.isclose(in_batch_softmax_loss(U, U, uniform), in_batch_softmax_loss(U, U, uniform + 3))
