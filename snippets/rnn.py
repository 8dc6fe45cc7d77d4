"""One step of a vanilla RNN and of an LSTM, with the Jacobians that BPTT multiplies.

Vectors are 1-D: x (d_x,), h and c (d_h,). The Jacobian d h_t / d h_{t-1} is
(d_h, d_h); a gradient travelling back k steps is multiplied by a product of k
of them, which is why its norm grows or decays geometrically.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from snippets.activations import sigmoid

Array = NDArray[np.float64]


# --8<-- [start:rnn_step]
def rnn_step(x: Array, h_prev: Array, W_xh: Array, W_hh: Array, b_h: Array) -> Array:
    """h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)."""
    return np.tanh(W_xh @ x + W_hh @ h_prev + b_h)


def rnn_step_jacobian(h: Array, W_hh: Array) -> Array:
    """d h_t / d h_{t-1} = diag(1 - h_t^2) W_hh, given the step's output h = h_t.
    Its norm is at most sigma_max(W_hh), since |tanh'| <= 1."""
    return (1.0 - h**2)[:, None] * W_hh


# --8<-- [end:rnn_step]


# --8<-- [start:lstm_step]
def lstm_step(
    x: Array, h_prev: Array, c_prev: Array, W: Array, U: Array, b: Array
) -> tuple[Array, Array, Array]:
    """W: (4 d_h, d_x), U: (4 d_h, d_h), b: (4 d_h,); gate order f, i, o, g.
    Returns h_t, c_t and the forget gate f_t."""
    f, i, o, g = np.split(W @ x + U @ h_prev + b, 4)
    f, i, o, g = sigmoid(f), sigmoid(i), sigmoid(o), np.tanh(g)
    c = f * c_prev + i * g
    return o * np.tanh(c), c, f


def lstm_cell_jacobian(f: Array) -> Array:
    """d c_t / d c_{t-1} along the cell path (h_{t-1} held fixed) = diag(f_t):
    no weight matrix and no squashing derivative, only the forget gate."""
    return np.diag(f)


# --8<-- [end:lstm_step]


# --8<-- [start:backprop_norms]
def backprop_norms(jacobians: list[Array]) -> Array:
    """Given J_1..J_T (J_t = d h_t / d h_{t-1}), return ||d h_T / d h_{T-k}||_2
    for k = 0..T: the spectral norm of J_T J_{T-1} ... J_{T-k+1} (k = 0: identity)."""
    d = jacobians[0].shape[0]
    P, norms = np.eye(d), [1.0]
    for J in reversed(jacobians):
        P = P @ J  # right-multiply: the older step's Jacobian comes last
        norms.append(np.linalg.norm(P, 2))
    return np.array(norms)


# --8<-- [end:backprop_norms]
