"""Figures for docs/*/notebooks/initialization.md (jupytext percent format).

Each named cell is shown on both language pages by `/// cell | <name>`; unnamed
cells are set-up. Run it as a script, or open it in JupyterLab with jupytext.
"""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets import activations as act
from snippets.initialization import kaiming_normal, xavier_normal
from snippets.plotting import use_style

use_style()


# %% name="depth-experiment"
L, width, N = 20, 256, 128
inits = {
    "$0$": lambda fan_in, fan_out, rng: np.zeros((fan_in, fan_out)),
    r"$\mathcal{N}(0, 0.01^2)$": lambda fan_in, fan_out, rng: rng.normal(
        0, 0.01, (fan_in, fan_out)
    ),
    r"$\mathcal{N}(0, 1)$": lambda fan_in, fan_out, rng: rng.normal(0, 1, (fan_in, fan_out)),
    "Xavier": xavier_normal,
    "Kaiming": kaiming_normal,
}
nonlinearities = {r"$\tanh$": (act.tanh, act.tanh_grad), "ReLU": (act.relu, act.relu_grad)}


def forward_backward(init, f, f_grad, seed=0):
    """Std of h_ell (forward) and of dloss/dh_ell (backward), for ell = 1..L."""
    rng = np.random.default_rng(seed)
    h = rng.normal(size=(N, width))
    Ws, zs, h_std = [], [], []
    for _ in range(L):
        W = init(width, width, rng)
        z = h @ W
        h = f(z)
        Ws.append(W)
        zs.append(z)
        h_std.append(h.std())
    dh = rng.normal(size=(N, width))  # upstream gradient at the output
    dh_std = []
    for W, z in zip(reversed(Ws), reversed(zs), strict=False):
        dh_std.append(dh.std())
        dh = (dh * f_grad(z)) @ W.T  # through the nonlinearity, then through z = h W
    return np.array(h_std), np.array(dh_std[::-1])


results = {
    (f_name, init_name): forward_backward(init, f, f_grad)
    for f_name, (f, f_grad) in nonlinearities.items()
    for init_name, init in inits.items()
}


def plot_through_depth(which, ylabel):
    """One panel per nonlinearity; which = 0 for activations, 1 for gradients."""
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.4), sharey=True, layout="constrained")
    layers = np.arange(1, L + 1)
    for ax, f_name in zip(axes, nonlinearities, strict=False):
        for init_name in inits:
            ax.plot(layers, results[f_name, init_name][which], "o-", ms=3, label=init_name)
        # symlog: a log scale over 40 decades on which zero init still shows, at 0.
        ax.set_yscale("symlog", linthresh=1e-20, linscale=4)
        ax.set_yticks([0, 1e-20, 1e-10, 1, 1e10, 1e20])
        ax.set_xticks([1, 5, 10, 15, 20])
        ax.set_title(f_name)
        ax.set_xlabel(r"$\ell$")
    axes[0].set_ylabel(ylabel)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=5)
    return fig


# %% name="activation-std-depth"
fig = plot_through_depth(0, r"$\mathrm{std}(h_\ell)$")
# %% name="gradient-std-depth"
fig = plot_through_depth(1, r"$\mathrm{std}(\partial \ell / \partial h_\ell)$")
