"""Figures for docs/*/notebooks/sequence.md (jupytext percent format).

Each named cell is shown on both language pages by `/// cell | <name>`; unnamed
cells are set-up. Run it as a script, or open it in JupyterLab with jupytext.
"""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets import rnn
from snippets.plotting import use_style

use_style()
d_h, d_x, T = 32, 8, 60


def scaled_orthogonal(rng, d, sigma):
    """A random orthogonal matrix times sigma: every singular value equals sigma."""
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return sigma * Q


# %% name="rnn-gradient-norms"
rng = np.random.default_rng(0)
xs = rng.normal(size=(T, d_x))
W_xh = rng.normal(0, 0.1 / np.sqrt(d_x), (d_h, d_x))  # small inputs: tanh stays near linear
lags = np.arange(T + 1)
fig, ax = plt.subplots()
for sigma in (0.9, 1.0, 1.1):
    W_hh = scaled_orthogonal(np.random.default_rng(1), d_h, sigma)
    h, jacobians = np.zeros(d_h), []
    for t in range(T):
        h = rnn.rnn_step(xs[t], h, W_xh, W_hh, np.zeros(d_h))
        jacobians.append(rnn.rnn_step_jacobian(h, W_hh))
    norms = rnn.backprop_norms(jacobians)
    line = ax.semilogy(lags, norms, label=rf"$\sigma_{{\max}}={sigma}$")
    ax.semilogy(lags, sigma**lags, ":", color=line[0].get_color(), lw=1)
    print(f"sigma_max = {sigma}: ||dh_T/dh_0|| = {norms[-1]:.2e}  (bound sigma^T = {sigma**T:.2e})")
ax.set_xlabel("$T-t$")
ax.set_ylabel(r"$\|\partial h_T / \partial h_t\|_2$")
ax.legend()

# %% name="lstm-cell-path"
d_x = 8
W = rng.normal(0, 0.1, (4 * d_h, d_x))
U = rng.normal(0, 0.1, (4 * d_h, d_h))
fig, ax = plt.subplots()
for b_f in (0.0, 1.0, 3.0):
    b = np.zeros(4 * d_h)
    b[:d_h] = b_f  # forget-gate bias (gate order f, i, o, g)
    h, c, cell = np.zeros(d_h), np.zeros(d_h), []
    for t in range(T):
        h, c, f = rnn.lstm_step(xs[t], h, c, W, U, b)
        cell.append(rnn.lstm_cell_jacobian(f))
    norms = rnn.backprop_norms(cell)
    ax.semilogy(lags, norms, label=f"$b_f={b_f:g}$")
    print(
        f"b_f = {b_f:g}: mean f = {np.mean([np.diag(J).mean() for J in cell]):.3f}, "
        f"||dc_T/dc_0|| along the cell path = {norms[-1]:.2e}"
    )
ax.set_xlabel("$T-t$")
ax.set_ylabel(r"$\|\prod f\|_2 = \|\partial c_T / \partial c_t\|_2$")
ax.legend()
