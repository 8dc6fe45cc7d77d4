"""Figures for docs/*/notebooks/classical-ml.md (jupytext percent format).

Each named cell is shown on both language pages by `/// cell | <name>`; unnamed
cells are set-up. Run it as a script, or open it in JupyterLab with jupytext.
"""

# %% tags=["hide-input"]
from itertools import permutations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse

from snippets import boosting as bt
from snippets import clustering as cl
from snippets import kernels as kn
from snippets import linear_models as lm
from snippets.plotting import PALETTE, use_style

use_style()
np.set_printoptions(precision=3)


def truth(x):
    """The regression function of the bias-variance and boosting figures."""
    return np.sin(2.5 * x)


def resample(rng, n=30, sigma=0.3):
    """One training set: n points x ~ U(-1, 1), y = truth(x) + N(0, sigma^2)."""
    x = rng.uniform(-1, 1, n)
    return x, truth(x) + sigma * rng.normal(size=n)


SIGMA = 0.3
x_grid = np.linspace(-1, 1, 200)
x_eval = np.linspace(-0.95, 0.95, 100)  # away from the edges, where degree 12 explodes


def fits(degree, n_sets=200, seed=0):
    """Predictions on x_eval of n_sets fits, each on its own seeded training set."""
    rng = np.random.default_rng(seed)
    return np.array(
        [lm.poly_predict(lm.poly_fit(*resample(rng), degree), x_eval) for _ in range(n_sets)]
    )


# %% name="bias-variance-fits"
fig, axes = plt.subplots(1, 3, figsize=(7.6, 2.8), sharey=True)
for ax, degree in zip(axes, (1, 3, 12), strict=True):
    preds = fits(degree)
    for p in preds[:15]:  # every 4th point is enough for the thin background lines
        ax.plot(x_eval[::4], p[::4], color=PALETTE[0], alpha=0.25, linewidth=0.7)
    ax.plot(x_eval[::2], preds.mean(axis=0)[::2], color=PALETTE[1], label=r"$\mathbb{E}[\hat f]$")
    ax.plot(x_grid[::4], truth(x_grid[::4]), "k--", linewidth=1.2, label="$f$")
    ax.set_title(f"degree {degree}")
    ax.set_ylim(-2, 2)
    ax.set_xlabel("$x$")
axes[0].legend(loc="lower right")
fig.tight_layout()

# %% name="bias-variance-curve"
degrees = np.arange(0, 13)
rows = []
rng_test = np.random.default_rng(1)
y_test = truth(x_eval) + SIGMA * rng_test.normal(size=(200, x_eval.size))
for degree in degrees:
    preds = fits(degree)
    bias2 = np.mean((preds.mean(axis=0) - truth(x_eval)) ** 2)
    var = np.mean(preds.var(axis=0))
    test = np.mean((y_test - preds) ** 2)  # a fresh noisy y for every fit
    rows.append((bias2, var, test))
bias2, var, test = np.array(rows).T
fig, ax = plt.subplots(figsize=(6.0, 3.4))
ax.semilogy(degrees, bias2, "o-", ms=3, label=r"bias$^2$")
ax.semilogy(degrees, var, "s-", ms=3, label="variance")
ax.semilogy(degrees, test, "^-", ms=3, label="test MSE")
ax.semilogy(degrees, bias2 + var + SIGMA**2, "k:", label=r"bias$^2$ + variance + $\sigma^2$")
ax.axhline(SIGMA**2, color="0.5", linewidth=1)
ax.text(0.2, SIGMA**2 * 1.1, r"$\sigma^2$", color="0.4")
ax.set_xlabel("degree")
ax.legend()
fig.tight_layout()
best = degrees[np.argmin(test)]
print(f"lowest test MSE at degree {best}: {test.min():.3f}")
gap = np.abs(test - (bias2 + var + SIGMA**2)) / test
print(f"largest relative gap |test - (bias^2 + var + sigma^2)| / test: {gap.max():.1%}")

# %% tags=["hide-input"]
rng = np.random.default_rng(0)
MIX_MEANS = np.array([[0.0, 0.0], [4.0, 0.5], [1.5, 3.5]])
MIX_COVS = np.array(
    [[[1.6, 0.9], [0.9, 0.8]], [[0.3, 0.0], [0.0, 1.2]], [[0.5, -0.3], [-0.3, 0.4]]]
)
X_mix = np.concatenate(
    [
        rng.multivariate_normal(m, c, size=n)
        for m, c, n in zip(MIX_MEANS, MIX_COVS, (150, 100, 80), strict=True)
    ]
)


def ellipse(ax, mean, cov, color, n_std=2.0):
    """Draw the n_std-sigma contour of N(mean, cov)."""
    vals, vecs = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(vecs[1, 1], vecs[0, 1]))
    w, h = 2 * n_std * np.sqrt(vals[::-1])
    ax.add_patch(Ellipse(mean, w, h, angle=angle, fill=False, color=color, linewidth=1.6))


# %% name="kmeans-iterations"
res = cl.kmeans(X_mix, 3, np.random.default_rng(3))
steps = [0, 1, 2, len(res.history) - 1]
fig, axes = plt.subplots(1, 4, figsize=(8.0, 2.5), sharex=True, sharey=True)
for ax, s in zip(axes, steps, strict=True):
    centers = res.history[s]
    labels = np.argmin(cl.squared_distances(X_mix, centers), axis=1)
    colors = np.array(PALETTE[:3])[labels]
    ax.scatter(*X_mix.T, c=colors, s=4, linewidths=0, rasterized=True)
    path = np.array(res.history[: s + 1])  # (s+1, k, d)
    for j in range(3):
        ax.plot(path[:, j, 0], path[:, j, 1], "k-", linewidth=0.8)
    ax.scatter(*centers.T, marker="X", s=60, c="k")
    J = cl.kmeans_objective(X_mix, centers, labels)
    ax.set_title(f"t = {s},  J = {J:.0f}", fontsize=9)
    ax.set_aspect("equal")
fig.tight_layout()
print("J after each assignment:", np.round(res.inertia, 1))

# %% name="kmeans-pp-vs-random"
J_pp, J_rand = [], []
for seed in range(50):
    g = np.random.default_rng(seed)
    J_pp.append(cl.kmeans(X_mix, 3, g).inertia[-1])
    J_rand.append(
        cl.kmeans(X_mix, 3, g, init=X_mix[g.choice(len(X_mix), 3, replace=False)]).inertia[-1]
    )
J_pp, J_rand = np.array(J_pp), np.array(J_rand)
best_J = min(J_pp.min(), J_rand.min())
for name, J in (("k-means++", J_pp), ("random", J_rand)):
    print(
        f"{name:9s} init: mean J = {J.mean():6.1f}, worst = {J.max():6.1f}, "
        f"runs within 1% of best = {np.mean(1.01 * best_J > J):.0%}"
    )

# %% name="gmm-em"
em = cl.gmm_em(X_mix, 3, np.random.default_rng(3))
fig, axes = plt.subplots(1, 3, figsize=(8.0, 2.8), gridspec_kw={"width_ratios": [1, 1, 0.9]})
for ax, (title, gmm) in zip(
    axes[:2], (("t = 1", em.history[1]), (f"t = {len(em.history) - 1}", em.gmm)), strict=True
):
    gamma, _ = cl.e_step(X_mix, gmm)
    colors = gamma @ np.array([[0.0, 0.45, 0.7], [0.84, 0.37, 0.0], [0.0, 0.62, 0.45]])
    ax.scatter(*X_mix.T, c=np.clip(colors, 0, 1), s=4, linewidths=0, rasterized=True)
    for j in range(3):
        ellipse(ax, gmm.means[j], gmm.covs[j], PALETTE[j])
    ax.set_title(title, fontsize=9)
    ax.set_aspect("equal")
    ax.set_xlim(-4, 7)
    ax.set_ylim(-3, 6)
axes[2].plot(np.array(em.log_likelihood) / len(X_mix), "o-", ms=3)
axes[2].set_xlabel("EM iteration")
axes[2].set_ylabel(r"$\frac{1}{n}\log p(X)$")
fig.tight_layout()
km_labels = cl.kmeans(X_mix, 3, np.random.default_rng(3)).labels
true = np.repeat([0, 1, 2], (150, 100, 80))


def accuracy(labels):
    """Best agreement with the true components over the 6 label permutations."""
    return max(np.mean(np.array(p)[labels] == true) for p in permutations(range(3)))


print(f"k-means agreement with the true components: {accuracy(km_labels):.1%}")
print(f"GMM-EM  agreement with the true components: {accuracy(em.gamma.argmax(1)):.1%}")

# %% name="boosting-stages"
rng = np.random.default_rng(0)
x_b = np.sort(rng.uniform(-1, 1, 80))
y_b = truth(x_b) + 0.2 * rng.normal(size=80)
model = bt.gradient_boost(x_b[:, None], y_b, n_stages=50, lr=0.3, max_depth=2)
fig, axes = plt.subplots(2, 4, figsize=(8.0, 3.8), sharex=True, sharey="row")
for col, m in enumerate((1, 3, 10, 50)):
    F_grid = bt.gradient_boost_predict(model, x_grid[:, None], m)
    axes[0, col].scatter(x_b, y_b, s=5, color="0.5", linewidths=0, rasterized=True)
    axes[0, col].plot(x_grid, F_grid, color=PALETTE[1])
    axes[0, col].set_title(f"$F_{{{m}}}$", fontsize=10)
    r = y_b - model.predictions[m]
    axes[1, col].vlines(x_b, 0, r, color=PALETTE[0], linewidth=0.8, rasterized=True)
    axes[1, col].axhline(0, color="k", linewidth=0.6)
    axes[1, col].set_xlabel("$x$")
axes[0, 0].set_ylabel("$y$")
axes[1, 0].set_ylabel(r"$y - F_m$")
fig.tight_layout()
mse = [np.mean((y_b - F) ** 2) for F in model.predictions]
print("training MSE after m stages:", ", ".join(f"m={m}: {mse[m]:.4f}" for m in (0, 1, 3, 10, 50)))

# %% name="impurity-curves"
p = np.linspace(0, 1, 201)
P = np.column_stack([p, 1 - p])
fig, ax = plt.subplots(figsize=(5.0, 3.2))
ax.plot(p, bt.entropy_bits(P) / 2, label=r"entropy / 2 (bits)")
ax.plot(p, bt.gini(P), "--", label="Gini $2p(1-p)$")
ax.plot(p, bt.misclassification(P), ":", label=r"$1-\max(p, 1-p)$")
ax.set_xlabel("$p$")
ax.set_ylabel("impurity")
ax.legend()
fig.tight_layout()

# %% name="xor-kernel"
X4 = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
y4 = np.array([-1.0, -1.0, 1.0, 1.0])
rng = np.random.default_rng(0)
X_n = X4[rng.integers(0, 4, 120)] + 0.35 * rng.normal(size=(120, 2))
y_n = np.sign(-X_n[:, 0] * X_n[:, 1])
alpha = kn.kernel_ridge_fit(kn.rbf_kernel(X_n, X_n, gamma=1.0), y_n, lam=0.1)
g = np.linspace(-2.2, 2.2, 80)
G1, G2 = np.meshgrid(g, g)
grid = np.column_stack([G1.ravel(), G2.ravel()])
f_grid = kn.kernel_ridge_decision(kn.rbf_kernel(grid, X_n, gamma=1.0), alpha).reshape(G1.shape)

fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(8.0, 2.8))
for label, marker, color in ((-1, "o", PALETTE[0]), (1, "s", PALETTE[1])):
    m = y4 == label
    ax0.scatter(*X4[m].T, marker=marker, s=60, color=color, label=f"$y={label:+d}$")
    Z = kn.xor_feature_map(X4[m])  # (x1, x2, x1 x2); plot the x1 and x1 x2 coordinates
    ax1.scatter(Z[:, 0], Z[:, 2], marker=marker, s=60, color=color)
for ax in (ax0, ax1):
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.6, 1.6)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
ax0.set_ylabel("$x_2$")
ax0.legend(loc="center", fontsize=8)
ax1.axhline(0, color="k", linestyle="--", linewidth=1.2)
ax1.set_ylabel("$x_1 x_2$")
ax1.set_title(r"$\phi(x) = (x_1, x_2, x_1 x_2)$", fontsize=9)
ax2.contourf(G1, G2, f_grid, levels=[-10, 0, 10], colors=[PALETTE[0], PALETTE[1]], alpha=0.2)
ax2.contour(G1, G2, f_grid, levels=[0], colors="k", linewidths=1.2)
for label, marker, color in ((-1, "o", PALETTE[0]), (1, "s", PALETTE[1])):
    m = y_n == label
    ax2.scatter(*X_n[m].T, marker=marker, s=8, color=color, linewidths=0, rasterized=True)
ax2.set_xlabel("$x_1$")
ax2.set_aspect("equal")
ax2.set_title(r"RBF, $\gamma=1$", fontsize=9)
fig.tight_layout()
train_acc = np.mean(np.sign(kn.kernel_ridge_decision(kn.rbf_kernel(X_n, X_n, 1.0), alpha)) == y_n)
print(f"kernel ridge (RBF) training accuracy on noisy XOR: {train_acc:.1%}")
