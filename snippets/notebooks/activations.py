"""Figures for docs/*/notebooks/activations.md (jupytext percent format).

Each named cell is shown on both language pages by `/// cell | <name>`; unnamed
cells are set-up. Run it as a script, or open it in JupyterLab with jupytext.
"""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets import activations as act
from snippets.initialization import kaiming_normal
from snippets.plotting import use_style

use_style()


# %% name="activation-gallery"
x = np.linspace(-5, 5, 201)
panels = {
    r"$\sigma$": (act.sigmoid, act.sigmoid_grad),
    r"$\tanh$": (act.tanh, act.tanh_grad),
    "ReLU": (act.relu, act.relu_grad),
    r"Leaky ReLU, $\alpha=0.01$": (act.leaky_relu, act.leaky_relu_grad),
    r"PReLU, $a=0.25$": (
        lambda v: act.prelu(v, 0.25),
        lambda v: act.prelu_grad(np.ones_like(v), v, 0.25)[0],
    ),
    "ELU": (act.elu, act.elu_grad),
    "GELU": (act.gelu, act.gelu_grad),
    "SiLU": (act.silu, act.silu_grad),
    "softplus": (act.softplus, act.softplus_grad),
}
fig, axes = plt.subplots(3, 3, figsize=(7.2, 6.4), sharex=True, layout="constrained")
for ax, (title, (f, f_grad)) in zip(axes.flat, panels.items(), strict=False):
    ax.plot(x, f(x), label="$f(x)$")
    ax.plot(x, f_grad(x), "--", label="$f'(x)$")
    ax.set_title(title)
    ax.locator_params(nbins=4)
    ax.grid(False)  # nine small panels: grid lines would only add clutter
    if f in (act.sigmoid, act.tanh):
        edge = x[f_grad(x) >= 0.05].max()  # both are symmetric about x = 0
        ax.axvspan(x[0], -edge, color="0.5", alpha=0.25, linewidth=0, label="$f'(x)<0.05$")
        ax.axvspan(edge, x[-1], color="0.5", alpha=0.25, linewidth=0)
        ax.set_title(rf"{title},  $\max f' = {f_grad(np.zeros(1))[0]:g}$")
fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=3)


# %% name="derivative-product"
depth = np.arange(1, 21)
z = np.random.default_rng(0).normal(size=(1000, depth.size))
fig, ax = plt.subplots()
ax.semilogy(depth, 0.25**depth, "o", ms=4, label="$0.25^L$")
ax.semilogy(
    depth,
    np.median(np.cumprod(act.sigmoid_grad(z), axis=1), axis=0),
    label=r"$\sigma'(z_1) \cdots \sigma'(z_L)$",
)
ax.semilogy(
    depth,
    np.median(np.cumprod(act.tanh_grad(z), axis=1), axis=0),
    label=r"$\tanh'(z_1) \cdots \tanh'(z_L)$",
)
ax.semilogy(depth, np.ones(depth.size), label="ReLU")
ax.set_xticks([1, 5, 10, 15, 20])
ax.set_yticks([1, 1e-4, 1e-8, 1e-12])
ax.set_xlabel("$L$")
ax.legend(loc="lower left")
print(f"0.25^10 = {0.25**10:.1e}, 0.25^20 = {0.25**20:.1e}")


# %% name="dead-relu-setup"
rng = np.random.default_rng(0)
N, D, H = 1000, 50, 500
X = np.abs(rng.normal(size=(N, D)))
y = 3 * np.sin(X @ rng.normal(size=D) / np.sqrt(D))
W1, b1 = kaiming_normal(D, H, rng), np.zeros(H)
w2 = rng.normal(size=H) / np.sqrt(H)


def dead_fraction(W1, b1):
    """Fraction of hidden units whose pre-activation is <= 0 on every sample."""
    return np.mean(np.all(X @ W1 + b1 <= 0, axis=0))


def sgd_step(lr):
    """(W1, b1) after one SGD step on the mean squared error of y_hat."""
    z = X @ W1 + b1
    dy_hat = (act.relu(z) @ w2 - y) / N
    dz = np.outer(dy_hat, w2) * act.relu_grad(z)
    return W1 - lr * X.T @ dz, b1 - lr * dz.sum(axis=0)


# %% name="dead-relu"
shifts = np.linspace(0, 8, 41)
lrs = np.logspace(-2, 2, 17)
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.0), sharey=True)
axes[0].plot(shifts, [dead_fraction(W1, b1 - s) for s in shifts])
axes[0].set_xlabel(r"$\Delta$  ($b_1 \leftarrow b_1 - \Delta$)")
axes[0].set_ylabel(r"$\rho$")
axes[1].semilogx(lrs, [dead_fraction(*sgd_step(lr)) for lr in lrs], "o-", ms=4)
axes[1].set_xlabel(r"$\eta$")
fig.tight_layout()
