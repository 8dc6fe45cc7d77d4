"""Figures for docs/*/notebooks/optimizers.md (jupytext percent format).

Each named cell is shown on both language pages by `/// cell | <name>`; unnamed
cells are set-up. Run it as a script, or open it in JupyterLab with jupytext.
"""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets.optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    AdamW,
    Momentum,
    Nesterov,
    RMSProp,
    quadratic,
    quadratic_grad,
    rosenbrock,
    rosenbrock_grad,
    run,
    saddle,
    saddle_grad,
)
from snippets.plotting import PALETTE, use_style

use_style()

STYLE = {
    "SGD": {"color": PALETTE[0]},
    "Momentum": {"color": PALETTE[1]},
    "Nesterov": {"color": PALETTE[2], "ls": "--"},
    "Adagrad": {"color": PALETTE[3]},
    "RMSProp": {"color": PALETTE[4]},
    "Adadelta": {"color": PALETTE[5]},
    "Adam": {"color": PALETTE[6]},
    "AdamW": {"color": "0.55", "ls": "--"},
}


def make_optimizers(lr_sgd, lr_adaptive):
    """One learning rate for the SGD family (a step of lr * g) and one for the
    adaptive methods (a step of about lr per coordinate); Adadelta has none."""
    return {
        "SGD": SGD(lr_sgd),
        "Momentum": Momentum(lr_sgd, mu=0.9),
        "Nesterov": Nesterov(lr_sgd, mu=0.9),
        "Adagrad": Adagrad(lr_adaptive),
        "RMSProp": RMSProp(lr_adaptive, rho=0.9),
        "Adadelta": Adadelta(rho=0.95, eps=1e-6),
        "Adam": Adam(lr_adaptive),
        "AdamW": AdamW(lr_adaptive, weight_decay=0.1),
    }


# Per function: axis limits, contour levels, minima and the minimum value f*.
VIEWS = {
    "quadratic": ((-4.5, 2), (-1.5, 1.5), np.geomspace(0.02, 8, 7), [(0, 0)], 0.0),
    "rosenbrock": ((-1.6, 1.6), (-0.6, 1.8), np.geomspace(0.1, 150, 7), [(1, 1)], 0.0),
    "saddle": ((-1.6, 1.6), (-1.5, 1.5), np.linspace(-0.4, 2.0, 7), [(0, 1), (0, -1)], -0.5),
}


def draw_landscape(ax, key, f):
    """Contour lines of f (a coarse grid keeps the SVG light) and stars at the minima."""
    xlim, ylim, levels, minima, _ = VIEWS[key]
    x1, x2 = np.meshgrid(np.linspace(*xlim, 26), np.linspace(*ylim, 26))
    ax.contour(x1, x2, f(np.stack([x1, x2], axis=-1)), levels=levels, colors="0.75", linewidths=0.6)
    ax.plot(*np.transpose(minima), "*", color="0.2", ms=9)
    ax.set(xlim=xlim, ylim=ylim, xlabel="$x_1$")
    ax.locator_params(nbins=4)
    ax.grid(False)


def thin(steps, n=26):
    """About n step indices from 0 to steps, dense early (where paths turn), sparse late."""
    return np.unique(np.geomspace(1, steps + 1, n).astype(int)) - 1


# %% name="gd-stability"
fig, ax = plt.subplots(figsize=(6.4, 2.8))
for eta_lambda in [0.4, 1.8, 2.0, 2.2]:
    path = run(SGD(lr=eta_lambda / 4), quadratic_grad, np.array([-4.0, 1.0]), 40)
    ax.semilogy(quadratic(path), label=f"{eta_lambda}")
ax.set(xlabel="$t$", ylabel=r"$f(\theta_t)$", yticks=[1e-3, 1, 1e3, 1e6])
ax.minorticks_off()
ax.grid(False)
ax.legend(title=r"$\eta\lambda_{\max}$", fontsize=8)


# %% name="race-paths"
problems = {
    "quadratic": (quadratic, quadratic_grad, [-4.0, 1.0], 100, 0.1, 0.1),
    "rosenbrock": (rosenbrock, rosenbrock_grad, [-1.2, 1.0], 1000, 1e-3, 1e-2),
    "saddle": (saddle, saddle_grad, [1.5, 1e-3], 100, 0.05, 0.05),
}
paths = {
    key: {
        name: run(optimizer, grad_f, np.array(theta0), steps)
        for name, optimizer in make_optimizers(lr_sgd, lr_adaptive).items()
    }
    for key, (f, grad_f, theta0, steps, lr_sgd, lr_adaptive) in problems.items()
}


# %% name="race"
fig, axes = plt.subplots(2, 3, figsize=(10, 6.2), height_ratios=(1.15, 1))
for (ax_path, ax_loss), (key, (f, _, theta0, steps, _, _)) in zip(
    axes.T, problems.items(), strict=False
):
    draw_landscape(ax_path, key, f)
    f_min, t, t_loss = VIEWS[key][-1], thin(steps), thin(steps, n=20)
    for name, path in paths[key].items():
        ax_path.plot(*path[t].T, lw=1.2, label=name, **STYLE[name])
        ax_loss.loglog(t_loss + 1, f(path[t_loss]) - f_min + 1e-12, lw=1.2, **STYLE[name])
    ends = np.array([path[-1] for path in paths[key].values()])
    ax_path.scatter(*ends.T, s=12, c=[STYLE[name]["color"] for name in paths[key]], zorder=3)
    ax_path.plot(*theta0, "o", color="0.4", ms=6)
    ax_loss.set(xlabel="$t + 1$", ylim=(1e-10, 1e2), yticks=[1e-10, 1e-5, 1])
    ax_loss.minorticks_off()
    ax_loss.grid(False)
for ax in axes[1, 1:]:
    ax.tick_params(labelleft=False)
axes[0, 0].set_ylabel("$x_2$")
axes[1, 0].set_ylabel(r"$f(\theta_t) - f^*$")
fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="lower center", ncol=8, fontsize=8)
fig.tight_layout(rect=(0, 0.04, 1, 1))


# %% name="effective-lr"
def effective_lr(optimizer):
    """Factor multiplying each coordinate's gradient in the last step, shape (2,)."""
    if isinstance(optimizer, Adadelta):
        return np.sqrt(optimizer.u + optimizer.eps) / np.sqrt(optimizer.s + optimizer.eps)
    return optimizer.lr / (np.sqrt(optimizer.s) + optimizer.eps)


steps, lambdas = 2000, np.array([0.2, 4.0])
t = thin(steps)[1:]
fig, ax = plt.subplots(figsize=(6.4, 3.4))
for name, optimizer in [
    ("Adagrad", Adagrad(0.1)),
    ("RMSProp", RMSProp(0.1)),
    ("Adadelta", Adadelta()),
]:
    theta, history = np.array([-4.0, 1.0]), []
    for _ in range(steps):
        theta = optimizer.step(theta, quadratic_grad(theta))
        history.append(effective_lr(optimizer))
    history = np.array(history)[t - 1]
    ax.loglog(t, history[:, 0], color=STYLE[name]["color"], label=name)
    ax.loglog(t, history[:, 1], color=STYLE[name]["color"], ls=":")
for limit in 2 / lambdas:
    ax.axhline(limit, color="0.5", lw=0.8, ls="--")
ax.plot([], [], color="0.3", label="$x_1$")
ax.plot([], [], color="0.3", ls=":", label="$x_2$")
ax.set(xlabel="$t$", ylabel=r"$\eta_{\mathrm{eff}}$", yticks=[1e-3, 0.1, 10])
ax.minorticks_off()
ax.grid(False)
ax.legend(fontsize=8, ncol=2, loc="upper left")
