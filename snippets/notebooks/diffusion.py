"""Figures for docs/*/notebooks/diffusion.md (jupytext percent format).

A 2-D mixture of eight Gaussians on a ring stands in for the data. Its noised
version at every t is again a mixture with an analytic score, so the exact
noise predictor eps* = -sqrt(1 - alpha_bar_t) * score replaces a trained
network, and the samplers can be watched without any training.
"""

# %% tags=["hide-input"]
import itertools

import matplotlib.pyplot as plt
import numpy as np

from snippets import diffusion as dif
from snippets.plotting import PALETTE, use_style

use_style()

T = 1000
BETAS = dif.cosine_betas(T)
ALPHA_BAR = dif.alpha_bars(BETAS)
K = 8
ANGLES = 2 * np.pi * np.arange(K) / K
MEANS = 2.0 * np.stack([np.cos(ANGLES), np.sin(ANGLES)], axis=1)  # (8, 2), radius 2
WEIGHTS = np.full(K, 1 / K)
STD = 0.15


def sample_data(n: int, rng: np.random.Generator) -> np.ndarray:
    k = rng.choice(K, size=n, p=WEIGHTS)
    return MEANS[k] + STD * rng.standard_normal((n, 2))


def eps_star(x: np.ndarray, t: int) -> np.ndarray:
    """The optimal noise prediction at step t, from the exact score."""
    ab = ALPHA_BAR[t]
    return dif.eps_from_score(dif.gmm_score(x, MEANS, WEIGHTS, STD, ab), ab)


def square(ax: plt.Axes, lim: float = 3.5) -> None:
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[])
    ax.grid(False)
    for spine in ax.spines.values():  # a light full frame separates the panels
        spine.set_visible(True)
        spine.set_color("0.75")


# %% name="schedules"
t = np.arange(T + 1)
ab_lin = dif.alpha_bars(dif.linear_betas(T))
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.2, 3.0), layout="constrained")
ax1.plot(t / T, ab_lin, label="linear")
ax1.plot(t / T, ALPHA_BAR, label="cosine")
ax1.set(xlabel="$t/T$", ylabel=r"$\bar\alpha_t$")
ax1.legend()
inner = slice(1, T)  # SNR is infinite at t = 0 and 0 at the cosine schedule's t = T
for ab, label in [(ab_lin, "linear"), (ALPHA_BAR, "cosine")]:
    ax2.plot(t[inner] / T, np.log(ab[inner] / (1 - ab[inner])), label=label)
ax2.set(xlabel="$t/T$", ylabel=r"$\log \mathrm{SNR} = \log \frac{\bar\alpha_t}{1-\bar\alpha_t}$")

# %% name="forward"
rng = np.random.default_rng(0)
x0 = sample_data(1500, rng)
eps = rng.standard_normal(x0.shape)
steps = [0, 100, 300, 500, 700, 1000]
fig, axes = plt.subplots(1, len(steps), figsize=(9.0, 1.9), layout="constrained")
for ax, step in zip(axes, steps, strict=True):
    xt = dif.q_sample(x0, step, ALPHA_BAR, eps)
    ax.scatter(xt[:, 0], xt[:, 1], s=1.5, color=PALETTE[0], alpha=0.5, lw=0, rasterized=True)
    ax.set_title(rf"$t={step}$, $\bar\alpha_t={ALPHA_BAR[step]:.2f}$", fontsize=8)
    square(ax)

# %% name="score-field"
grid = np.linspace(-3.2, 3.2, 15)
gx, gy = np.meshgrid(grid, grid)
points = np.stack([gx.ravel(), gy.ravel()], axis=1)
fine = np.linspace(-3.5, 3.5, 61)
fx, fy = np.meshgrid(fine, fine)
fine_points = np.stack([fx.ravel(), fy.ravel()], axis=1)
fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.6), layout="constrained")
for ax, step in zip(axes, [30, 300, 700], strict=True):
    ab = ALPHA_BAR[step]
    density = np.exp(dif.gmm_log_density(fine_points, MEANS, WEIGHTS, STD, ab))
    ax.contour(fx, fy, density.reshape(fx.shape), levels=4, colors=PALETTE[0], linewidths=0.7)
    s = dif.gmm_score(points, MEANS, WEIGHTS, STD, ab)
    s = s / np.maximum(np.linalg.norm(s, axis=1, keepdims=True), 1e-12)  # directions only
    ax.quiver(
        points[:, 0],
        points[:, 1],
        s[:, 0],
        s[:, 1],
        color=PALETTE[1],
        scale=22,
        width=0.006,
        rasterized=True,
    )
    ax.set_title(rf"$\nabla \log p_t$, $t={step}$", fontsize=9)
    square(ax)

# %% name="reverse"
rng = np.random.default_rng(1)
n = 1500
x_ddpm = rng.standard_normal((n, 2))
x_ddim = x_ddpm.copy()
show = 6  # trajectories drawn
traj_ddpm = [x_ddpm[:show].copy()]
for step in range(T, 0, -1):
    z = rng.standard_normal(x_ddpm.shape)
    x_ddpm = dif.ddpm_step(x_ddpm, step, eps_star(x_ddpm, step), BETAS, ALPHA_BAR, z)
    traj_ddpm.append(x_ddpm[:show].copy())
ddim_steps = np.linspace(T, 0, 51).astype(int)  # 50 DDIM steps instead of 1000
traj_ddim = [x_ddim[:show].copy()]
for step, prev in itertools.pairwise(ddim_steps):
    x_ddim = dif.ddim_step(x_ddim, step, prev, eps_star(x_ddim, step), ALPHA_BAR)
    traj_ddim.append(x_ddim[:show].copy())

fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.5), layout="constrained")
for ax, x, traj, title in [
    (axes[0], x_ddpm, np.array(traj_ddpm), "DDPM, 1000 steps"),
    (axes[1], x_ddim, np.array(traj_ddim), r"DDIM ($\eta=0$), 50 steps"),
]:
    ax.scatter(MEANS[:, 0], MEANS[:, 1], s=160, facecolors="none", edgecolors="0.5", lw=0.8)
    ax.scatter(x[:, 0], x[:, 1], s=1.5, color=PALETTE[0], alpha=0.5, lw=0, rasterized=True)
    every = max(1, len(traj) // 50)  # DDPM: every 20th step, else its path is a scribble
    for i in range(show):
        ax.plot(traj[::every, i, 0], traj[::every, i, 1], color=PALETTE[1], lw=0.7, alpha=0.8)
    ax.scatter(traj[0, :, 0], traj[0, :, 1], s=10, color=PALETTE[1], marker="x", lw=0.8)
    ax.set_title(title, fontsize=9)
    square(ax)

# %% name="reverse-check"
rng = np.random.default_rng(2)
reference = sample_data(n, rng)
radius = {
    "data": np.linalg.norm(reference, axis=1),
    "DDPM": np.linalg.norm(x_ddpm, axis=1),
    "DDIM": np.linalg.norm(x_ddim, axis=1),
}
nearest = {
    name: np.bincount(np.argmin(((x[:, None] - MEANS) ** 2).sum(-1), axis=1), minlength=K) / n
    for name, x in [("data", reference), ("DDPM", x_ddpm), ("DDIM", x_ddim)]
}
for name, r in radius.items():
    share = " ".join(f"{p:.2f}" for p in nearest[name])
    print(f"{name:>4}: radius {r.mean():.3f} +- {r.std():.3f}; share per mode: {share}")
