"""Figures for docs/*/notebooks/normalization.md (jupytext percent format).

Each named cell is shown on both language pages by `/// cell | <name>`; unnamed
cells are set-up. Run it as a script, or open it in JupyterLab with jupytext.
"""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon

from snippets.activations import sigmoid
from snippets.normalization import (
    batchnorm_forward,
    groupnorm_forward,
    instancenorm_forward,
    layernorm_forward,
)
from snippets.plotting import PALETTE, use_style

use_style()

N_CELLS, C_CELLS, HW = 6, 6, 4  # drawn size of the block
DEPTH = (0.45, 0.35)  # screen offset of one step along C: an oblique projection


def project(n, c, h):
    return n + c * DEPTH[0], h + c * DEPTH[1]


def face(ax, corners, **style):
    ax.add_patch(Polygon([project(*p) for p in corners], closed=True, **style))


def box_faces(ax, n0, n1, c0, c1, **style):
    """The visible faces of the box [n0, n1] x [c0, c1] x [0, HW]: front if it
    touches c = 0, right side if it touches n = N, and the top."""
    if c0 == 0:
        face(ax, [(n0, 0, 0), (n1, 0, 0), (n1, 0, HW), (n0, 0, HW)], **style)
    if n1 == N_CELLS:
        face(ax, [(n1, c0, 0), (n1, c1, 0), (n1, c1, HW), (n1, c0, HW)], **style)
    face(ax, [(n0, c0, HW), (n1, c0, HW), (n1, c1, HW), (n0, c1, HW)], **style)


def draw_block(ax, title, n_range, c_range):
    """An (N, C, H*W) block with the values that share one mean and variance shaded."""
    box_faces(ax, 0, N_CELLS, 0, C_CELLS, facecolor="none", edgecolor="0.3", lw=1)
    box_faces(ax, *n_range, *c_range, facecolor=PALETTE[0], alpha=0.55, lw=0)
    grid = {"color": "0.3", "lw": 0.4}
    for n in range(1, N_CELLS):
        ax.plot(
            *zip(project(n, 0, 0), project(n, 0, HW), project(n, C_CELLS, HW), strict=False), **grid
        )
    for c in range(1, C_CELLS):
        ax.plot(
            *zip(project(0, c, HW), project(N_CELLS, c, HW), project(N_CELLS, c, 0), strict=False),
            **grid,
        )
    ax.text(*project(N_CELLS / 2, 0, -0.7), "$N$", ha="center")
    ax.text(*project(N_CELLS + 0.5, C_CELLS / 2, 0), "$C$", ha="left", va="top")
    ax.text(*project(-0.4, 0, HW / 2), "$H, W$", ha="right", va="center")
    ax.set(title=title, xlim=(-1.8, 9.6), ylim=(-1.2, 6.4), aspect="equal")
    ax.axis("off")


# %% name="norm-axes"
def shared_statistics(forward) -> tuple[tuple[int, int], tuple[int, int]]:
    """The (samples, channels) ranges that share one mean and variance with
    element (0, 0): nudge it, and see which outputs of the layer move."""
    x = np.random.default_rng(0).normal(size=(N_CELLS, C_CELLS, 2, 2))
    nudged = x.copy()
    nudged[0, 0, 0, 0] += 1.0
    moved = np.abs(forward(nudged) - forward(x)) > 1e-12
    n = np.flatnonzero(moved.any(axis=(1, 2, 3)))
    c = np.flatnonzero(moved.any(axis=(0, 2, 3)))
    return (n.min(), n.max() + 1), (c.min(), c.max() + 1)


gamma, beta = np.ones(C_CELLS), np.zeros(C_CELLS)
layers = {
    "BatchNorm": lambda x: batchnorm_forward(
        x, gamma, beta, np.zeros(C_CELLS), np.ones(C_CELLS), train=True
    )[0],
    "LayerNorm": lambda x: layernorm_forward(x, gamma, beta)[0],
    "InstanceNorm": lambda x: instancenorm_forward(x, gamma, beta)[0],
    "GroupNorm": lambda x: groupnorm_forward(x, gamma, beta, G=2)[0],
}
fig, axes = plt.subplots(1, 4, figsize=(10, 2.6))
for ax, (title, forward) in zip(axes, layers.items(), strict=True):
    draw_block(ax, title, *shared_statistics(forward))
fig.tight_layout()


# %% name="bn-histograms"
rng = np.random.default_rng(0)
channel_mean, channel_std = np.array([-3.0, 0.0, 4.0]), np.array([0.5, 1.0, 2.5])
x = channel_mean + channel_std * rng.standard_normal((512, 3))
y, _, _, _ = batchnorm_forward(x, np.ones(3), np.zeros(3), np.zeros(3), np.ones(3), train=True)

fig, (ax_x, ax_y) = plt.subplots(1, 2, figsize=(9, 2.8))
bins = np.linspace(-8, 12, 41)
for c in range(3):
    ax_x.hist(x[:, c], bins=bins, histtype="step", lw=1.4, label=f"$c = {c + 1}$")
    ax_y.hist(y[:, c], bins=np.linspace(-4, 4, 25), histtype="step", lw=1.4)
ax_x.set(xlabel="$x$")
ax_y.set(xlabel=r"$\hat x$")
ax_x.legend(fontsize=8)


# %% name="bn-batch-size"
rng = np.random.default_rng(1)
C, H, W = 4, 4, 4
channel_mean = np.array([-1.0, 0.0, 2.0, 5.0]).reshape(1, C, 1, 1)
ones, zeros = np.ones(C), np.zeros(C)


def sample_batch(batch_size):
    """Feature maps (batch_size, C, H, W): a per-image offset per channel plus
    pixel noise, since positions within one image are correlated."""
    offset = rng.standard_normal((batch_size, C, 1, 1))
    return channel_mean + offset + 0.5 * rng.standard_normal((batch_size, C, H, W))


def running_stats(batch_size, steps=300):
    """BatchNorm's running mean and variance after `steps` training batches."""
    running_mean, running_var = zeros, ones
    for _ in range(steps):
        x = sample_batch(batch_size)
        _, _, running_mean, running_var = batchnorm_forward(
            x, ones, zeros, running_mean, running_var, train=True
        )
    return running_mean, running_var


fig, (ax_mode, ax_spread) = plt.subplots(1, 2, figsize=(9, 3.4))
for batch_size, color in [(32, PALETTE[0]), (4, PALETTE[1])]:
    running, points = running_stats(batch_size), []
    for _ in range(32 // batch_size):  # 32 samples in batches of batch_size
        x = sample_batch(batch_size)
        y_train = batchnorm_forward(x, ones, zeros, *running, train=True)[0]
        y_eval = batchnorm_forward(x, ones, zeros, *running, train=False)[0]
        points.append((y_eval[:, 0, 0, 0], y_train[:, 0, 0, 0]))
    y_eval, y_train = np.concatenate(points, axis=1)
    ax_mode.scatter(y_eval, y_train, s=8, color=color, label=f"$N = {batch_size}$")
ax_mode.plot([-3, 3], [-3, 3], color="0.5", lw=0.8)
ax_mode.set(xlabel=r"$y_{\mathrm{eval}}$", ylabel=r"$y_{\mathrm{train}}$", aspect="equal")
ax_mode.legend(fontsize=8)

probe = sample_batch(1)  # one fixed sample, placed in many random batches


def spread(normalize, batch_size, trials=200):
    """Std of the probe's normalized output over random batches (mean over its values)."""
    batches = [np.concatenate([probe, sample_batch(batch_size - 1)]) for _ in range(trials)]
    return np.std([normalize(batch)[0] for batch in batches], axis=0).mean()


sizes = [2, 4, 8, 16, 32, 64, 128]
layers = {
    "BatchNorm": lambda x: batchnorm_forward(x, ones, zeros, zeros, ones, train=True)[0],
    "GroupNorm": lambda x: groupnorm_forward(x, ones, zeros, G=2)[0],
}
for (name, layer), color in zip(layers.items(), [PALETTE[0], PALETTE[2]], strict=False):
    ax_spread.plot(sizes, [spread(layer, n) for n in sizes], "o-", color=color, ms=4, label=name)
ax_spread.set(xscale="log", xlabel="$N$", ylabel=r"$\sqrt{\mathrm{Var}[y]}$", xticks=sizes)
ax_spread.set_xticklabels(sizes)
ax_spread.minorticks_off()
ax_spread.legend(fontsize=8)
fig.tight_layout()


# %% name="sigmoid-saturation"
def forward(x, s, normalize, layers=10, seed=2):
    """Sigmoid outputs of every layer, each of shape (N, width)."""
    rng = np.random.default_rng(seed)
    width, h, outputs = x.shape[1], x, []
    for _ in range(layers):
        z = h @ rng.normal(0, s / np.sqrt(width), size=(width, width))
        if normalize:
            ones, zeros = np.ones(width), np.zeros(width)
            z = batchnorm_forward(z, ones, zeros, zeros, ones, train=True)[0]
        h = sigmoid(z)
        outputs.append(h)
    return outputs


x = np.random.default_rng(3).standard_normal((512, 256))
fig, (ax_frac, ax_hist) = plt.subplots(1, 2, figsize=(9, 3.2))
layer = np.arange(1, 11)
for s, color in zip([1, 2, 4], PALETTE, strict=False):
    for normalize, ls in [(False, "-"), (True, "--")]:
        outputs = forward(x, s, normalize)
        saturated = [np.mean((h < 0.05) | (h > 0.95)) for h in outputs]
        label = f"$s = {s}$" + (", BN" if normalize else "")
        ax_frac.plot(layer, saturated, ls, color=color, label=label)
        if s == 4:
            ax_hist.hist(
                outputs[-1].ravel(),
                bins=25,
                range=(0, 1),
                density=True,
                histtype="step",
                color=color,
                ls=ls,
                lw=1.4,
            )
ax_frac.set(xlabel=r"$\ell$", ylabel=r"$P(|z| > 2.94)$", xticks=[1, 4, 7, 10])
ax_frac.legend(fontsize=7, ncol=2)
ax_hist.set(xlabel=r"$\sigma(z)$, $\ell = 10$, $s = 4$", yticks=[])
fig.tight_layout()
