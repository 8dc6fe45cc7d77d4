"""Figures for docs/*/notebooks/regularization.md (jupytext percent format).

Each named cell is shown on both language pages by `/// cell | <name>`; unnamed
cells are set-up. Run it as a script, or open it in JupyterLab with jupytext.
"""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets.plotting import use_style
from snippets.regularization import dropout_forward

use_style()


# %% name="dropout-expectation"
rng = np.random.default_rng(0)
x = rng.uniform(0.2, 2.0, size=30)
samples = np.tile(x, (5000, 1))


def train_means(p):
    """Mean training output per unit: (with 1/(1-p) rescaling, without)."""
    out, mask = dropout_forward(samples, p, rng)
    return out.mean(axis=0), (samples * (mask > 0)).mean(axis=0)


fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2))
labels = [r"$\tilde h = m \odot x \,/\, (1-p)$", r"$\tilde h = m \odot x$"]
axes[0].plot([0, 2], [0, 2], color="0.6", linewidth=1)
for means, marker, label in zip(train_means(0.5), "os", labels, strict=False):
    axes[0].plot(x, means, marker, ms=4, label=label)
axes[0].set_xlabel("$x$")
axes[0].set_ylabel(r"$\mathbb{E}[\tilde h]$")
axes[0].set_title("$p = 0.5$")
axes[0].legend()
ps = np.linspace(0.05, 0.9, 18)
ratios = np.array([[m.mean() / x.mean() for m in train_means(p)] for p in ps])
for column, marker, label in zip(ratios.T, "os", labels, strict=False):
    axes[1].plot(ps, column, marker + "-", ms=4, label=label)
axes[1].plot(ps, 1 - ps, ":", color="0.4", label="$1-p$")
axes[1].set_xlabel("$p$")
axes[1].set_ylabel(r"$\mathbb{E}[\tilde h] \,/\, x$")
axes[1].legend()
fig.tight_layout()


# %% name="l1-l2-balls"
w_star = np.array([2.0, 1.0])
A = np.array([[1.5, 0.6], [0.6, 1.0]])


def loss(w):
    """0.5 (w - w*)^T A (w - w*) for points w of shape (..., 2)."""
    d = w - w_star
    return 0.5 * np.einsum("...i,ij,...j->...", d, A, d)


theta = np.linspace(0, 2 * np.pi, 361)
circle = np.stack([np.cos(theta), np.sin(theta)], axis=-1)
balls = {
    r"$\|w\|_1 \leq 1$": circle / np.abs(circle).sum(axis=-1, keepdims=True),
    r"$\|w\|_2 \leq 1$": circle,
}
w1, w2 = np.meshgrid(np.linspace(-1.5, 3.5, 101), np.linspace(-1.5, 2.5, 81))
grid_loss = loss(np.stack([w1, w2], axis=-1))
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.4), sharey=True)
for ax, (title, boundary) in zip(axes, balls.items(), strict=False):
    # w* lies outside the ball, so the constrained minimum is on its boundary.
    w_hat = boundary[np.argmin(loss(boundary))]
    level = loss(w_hat)
    ax.fill(*boundary.T, alpha=0.25)
    ax.contour(
        w1,
        w2,
        grid_loss,
        levels=[level / 4, level, 2.25 * level],
        colors="0.35",
        linewidths=[0.8, 1.6, 0.8],
    )
    ax.plot(*w_star, "x", color="k")
    ax.annotate("$w^*$", w_star, xytext=(5, 5), textcoords="offset points")
    ax.plot(*w_hat, "o", color="C1")
    ax.annotate(r"$\hat w$", w_hat, xytext=(-16, -14), textcoords="offset points")
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.axvline(0, color="0.6", linewidth=0.8)
    ax.set_aspect("equal")
    ax.set_title(rf"{title}:  $\hat w = ({w_hat[0]:.2f}, {w_hat[1]:.2f})$")
    ax.set_xlabel("$w_1$")
axes[0].set_ylabel("$w_2$")
fig.tight_layout()


# %% name="soft-threshold"
lam = 1.0
z = np.linspace(-3, 3, 121)
lasso = np.sign(z) * np.maximum(np.abs(z) - lam, 0.0)
ridge = z / (1 + lam)

w = np.linspace(-3, 3, 6001)[:, None]  # candidate w, one column per z
brute_lasso = w[np.argmin(0.5 * (w - z) ** 2 + lam * np.abs(w), axis=0), 0]
brute_ridge = w[np.argmin(0.5 * (w - z) ** 2 + 0.5 * lam * w**2, axis=0), 0]
print(
    "max |formula - brute force|:",
    np.abs(lasso - brute_lasso).max(),
    np.abs(ridge - brute_ridge).max(),
)

fig, ax = plt.subplots()
ax.plot(z, z, ":", color="0.5", label=r"$\hat w = z$")
ax.plot(z, lasso, label=r"$\ell_1$")
ax.plot(z, ridge, "--", label=r"$\ell_2$")
ax.axvspan(-lam, lam, color="C0", alpha=0.1, linewidth=0)
ax.set_xlabel("$z$")
ax.set_ylabel(r"$\hat w$,  $\lambda = 1$")
ax.legend()
