"""Figures for docs/*/notebooks/contrastive.md (jupytext percent format).

InfoNCE against its temperature tau: the loss on a batch of noisy positive
pairs, and how the softmax spreads the gradient over the negatives.
"""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets.contrastive import info_nce, negative_weights
from snippets.plotting import use_style

use_style()

TAUS = np.geomspace(0.01, 2.0, 40)


# %% name="loss-vs-tau"
rng = np.random.default_rng(0)
n, d = 256, 32
u = rng.normal(size=(n, d))
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.2, 3.0), layout="constrained")
for noise in (0.3, 0.8, 1.5):
    v = u + noise * rng.normal(size=(n, d))  # positives: noisier views are harder to match
    losses = np.array([info_nce(u, v, tau)[0] for tau in TAUS])
    ax1.semilogx(TAUS, losses, label=rf"$\sigma={noise}$")
    ax2.semilogx(TAUS, np.log(n) - losses)
for ax in (ax1, ax2):
    ax.set_xlabel(r"$\tau$")
ax1.axhline(np.log(n), color="0.5", ls="--", lw=1)
ax1.text(0.012, np.log(n) + 0.15, r"$\log N$", color="0.4")
ax1.set_ylabel(r"$\mathcal{L}_{\mathrm{InfoNCE}}$")
ax1.legend()
ax2.axhline(np.log(n), color="0.5", ls="--", lw=1)
ax2.set_ylabel(r"$\log N - \mathcal{L}$")

# %% name="negative-weights"
rng = np.random.default_rng(1)
s_pos = 0.7
s_neg = np.sort(np.clip(rng.normal(0.0, 0.2, size=255), -1, 1))[::-1]  # hardest first
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.2, 3.0), layout="constrained")
for tau in (1.0, 0.2, 0.05):
    w = negative_weights(s_pos, s_neg, tau)
    ax1.semilogy(s_neg, w / w.sum(), ".", ms=3, label=rf"$\tau={tau}$")
ax1.set(xlabel="$s_j$", ylabel=r"$q_j$")
ax1.legend()
share, effective = [], []
for tau in TAUS:
    w = negative_weights(s_pos, s_neg, tau)
    q = w / w.sum()
    share.append(q[0])
    effective.append(np.exp(-np.sum(q * np.log(q))))  # exp(entropy): negatives that count
ax2.semilogx(TAUS, share, label=r"$q_{\max}$")
ax2.set_xlabel(r"$\tau$")
ax2.set_ylabel(r"$q_{\max}$")
twin = ax2.twinx()
twin.semilogx(TAUS, effective, color="C1", label=r"$\exp H(q)$")
twin.set_ylabel(r"$\exp H(q)$")
twin.grid(False)
lines = ax2.get_lines() + twin.get_lines()
ax2.legend(lines, [line.get_label() for line in lines], loc="center left")
