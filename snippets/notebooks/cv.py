"""Figures for docs/*/notebooks/cv.md (jupytext percent format).

Each named cell is shown on both language pages by `/// cell | <name>`; unnamed
cells are set-up. Run it as a script, or open it in JupyterLab with jupytext.
"""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets import image_processing as ip
from snippets.plotting import use_style

use_style()


def show(ax, img, title, cmap="gray"):
    ax.imshow(img, cmap=cmap, interpolation="nearest")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


# %% tags=["hide-input"]
rng = np.random.default_rng(0)
n = 64
y, x = np.mgrid[:n, :n]
scene = np.zeros((n, n))
scene[12:44, 8:56] = np.linspace(1.0, 0.35, 48)[None, :]  # contrast fades left to right
scene[(x - 24) ** 2 + (y - 28) ** 2 < 8**2] = 0.0  # a dark hole
noisy = scene + rng.normal(0, 0.15, scene.shape)

# %% name="canny-steps"
low, high = 0.4, 1.2
steps = ip.canny(noisy, sigma=1.2, low=low, high=high)
nms = steps["nms"]
strong = nms >= high
weak = (nms >= low) & ~strong
classes = np.zeros((n, n))
classes[weak] = 1
classes[strong] = 2
fig, axes = plt.subplots(1, 5, figsize=(10, 2.6))
show(axes[0], noisy, "input")
show(axes[1], steps["magnitude"], r"$\|\nabla (G_\sigma * I)\|$")
show(axes[2], nms, "NMS")
show(axes[3], classes, r"$T_L$ / $T_H$", cmap="magma")
show(axes[4], steps["edges"], "hysteresis")
fig.tight_layout()
print(
    f"pixels above T_L after NMS: {(nms >= low).sum()}, strong: {strong.sum()}, "
    f"kept after hysteresis: {steps['edges'].sum()}"
)

# %% name="nms-profile"
row = 28
fig, ax = plt.subplots(figsize=(6.4, 2.8))
cols = np.arange(n)
ax.plot(cols, steps["magnitude"][row], label=r"$\|\nabla\|$")
ax.plot(cols, nms[row], "o", ms=4, label="NMS")
ax.axhline(high, color="gray", ls="--", lw=0.8)
ax.axhline(low, color="gray", ls=":", lw=0.8)
ax.text(n - 1, high, r"$T_H$", va="bottom", ha="right")
ax.text(n - 1, low, r"$T_L$", va="bottom", ha="right")
ax.set_xlabel("$x$")
ax.set_ylabel("magnitude")
ax.set_title(f"row $y={row}$")
ax.legend(loc="upper center")

# %% name="dilated-receptive-fields"
configs = {"$d=1,1,1$": [1, 1, 1], "$d=1,2,4$": [1, 2, 4], "$d=2,2,2$": [2, 2, 2]}
size = 19
fig, axes = plt.subplots(1, 3, figsize=(7.6, 2.9))
for ax, (label, dil) in zip(axes, configs.items(), strict=True):
    cov = ip.coverage(dil, size=size)
    r = ip.receptive_field([3, 3, 3], dil, [1, 1, 1])[-1]
    show(ax, np.log1p(cov), f"{label}, $r={r}$", cmap="viridis")
    print(f"{label:12s} receptive field {r:2d}, pixels used {(cov > 0).sum():3d} of {r * r}")
fig.tight_layout()
