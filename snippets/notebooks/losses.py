"""Figures for docs/*/notebooks/losses.md (jupytext percent format).

Each named cell is shown on both language pages by `/// cell | <name>`; unnamed
cells are set-up. Run it as a script, or open it in JupyterLab with jupytext.
"""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets import activations as act
from snippets.losses import binary_cross_entropy, focal_loss, softmax_cross_entropy
from snippets.plotting import use_style

use_style()
np.set_printoptions(precision=4)


# %% name="softmax-overflow"
def naive_softmax(z):
    e = np.exp(z)
    return e / e.sum()


for z in ([1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0], [-1000.0, -1001.0, -1002.0]):
    z = np.array(z)
    with np.errstate(over="ignore", invalid="ignore"):
        naive = naive_softmax(z)
    print(f"z = {z}")
    print(f"  naive_softmax {naive}")
    print(f"  softmax       {act.softmax(z)}")
    print(f"  log_softmax   {act.log_softmax(z)}")


# %% name="log-softmax"
logits, y = np.array([[1000.0, 0.0, -1000.0]]), np.array([2])
with np.errstate(divide="ignore"):
    print("-log(softmax(z)[y]) =", -np.log(act.softmax(logits)[0, y[0]]))
print("softmax_cross_entropy =", softmax_cross_entropy(logits, y)[0])


# %% name="focal-vs-pt"
p_t = np.linspace(0.01, 0.99, 99)
z = np.log(p_t / (1 - p_t))
gammas = [0, 0.5, 1, 2, 5]
fl = {
    gamma: np.array([focal_loss(np.array([zi]), np.ones(1), gamma=gamma)[0] for zi in z])
    for gamma in gammas
}
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2))
for gamma in gammas:
    axes[0].plot(p_t, fl[gamma], label=rf"$\gamma={gamma}$")
    axes[1].semilogy(p_t, fl[gamma] / fl[0], label=rf"$\gamma={gamma}$")
axes[0].set_ylim(0, 3)
axes[0].set_ylabel(r"$-(1-p_t)^\gamma \log p_t$")
axes[1].set_ylabel(r"$\mathrm{FL} \,/\, \mathrm{CE}$")
axes[1].set_ylim(1e-6, 2)
for ax in axes:
    ax.set_xlabel("$p_t$")
axes[0].legend()
fig.tight_layout()


# %% name="ce-vs-mse-gradient"
def ce_grad(z):
    """d/dz of -log sigma(z), from binary_cross_entropy (which averages, so undo it)."""
    return binary_cross_entropy(z, np.ones_like(z))[1] * z.size


def mse_grad(z):
    """d/dz of (sigma(z) - 1)^2 / 2."""
    return (act.sigmoid(z) - 1.0) * act.sigmoid_grad(z)


z = np.linspace(-8, 8, 161)
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2))
axes[0].plot(z, np.abs(ce_grad(z)), label="CE")
axes[0].plot(z, np.abs(mse_grad(z)), "--", label="MSE")
axes[0].set_xlabel("$z$")
axes[0].set_ylabel(r"$|\partial \ell / \partial z|$,  $y=1$")
axes[0].legend()
for grad, style, label in [(ce_grad, "-", "CE"), (mse_grad, "--", "MSE")]:
    z_t = [np.array([-6.0])]
    for _ in range(1000):
        z_t.append(z_t[-1] - 1.0 * grad(z_t[-1]))
    p = act.sigmoid(np.concatenate(z_t))
    axes[1].semilogx(np.arange(1, p.size + 1), p, style, label=label)
    print(f"{label}: first step t with p > 0.5: {np.argmax(p > 0.5)}")
axes[1].set_xlabel("$t + 1$")
axes[1].set_ylabel(r"$p = \sigma(z_t)$")
axes[1].legend()
fig.tight_layout()
