"""Figures for docs/*/notebooks/fine-tuning.md (jupytext percent format).

Each named cell is shown on both language pages by `/// cell | <name>`; unnamed
cells are set-up. Run it as a script, or open it in JupyterLab with jupytext.
"""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets.lora import lora_param_count
from snippets.plotting import PALETTE, use_style
from snippets.rl import bradley_terry_loss, dpo_grad_weight, ppo_clip_grad, ppo_clip_objective

use_style()


# %% name="lora-params"
widths = {"BERT-base": 768, "LLaMA-7B": 4096, "GPT-3 175B": 12288}
fig, ax = plt.subplots()
for (name, d), color in zip(widths.items(), PALETTE, strict=False):
    r = 2 ** np.arange(0, int(np.log2(d)) + 1)
    ax.loglog(
        r,
        [lora_param_count(d, d, int(k)) for k in r],
        "o-",
        ms=3,
        color=color,
        label=f"{name}, $d={d}$",
    )
    ax.axhline(d * d, color=color, ls="--", lw=1.2)
    ax.plot(d / 2, d * d, "x", color=color, ms=8, mew=2)  # break-even point r = d/2
ax.axvspan(4, 64, color="0.5", alpha=0.15, lw=0)
ax.text(16, 2.5e3, r"$4\leq r\leq 64$", ha="center")
ax.set_xlabel("$r$")
ax.set_ylabel(r"LoRA: $2rd$,  full FT: $d^2$")
handles, labels = ax.get_legend_handles_labels()
handles += [
    plt.Line2D([], [], color="0.4", ls="--", lw=1.2),
    plt.Line2D([], [], color="0.4", ls="none", marker="x", mew=2),
]
labels += [r"full FT: $d^2$", r"$r=d/2$"]
ax.legend(handles, labels, loc="lower right", fontsize=8)
fig.tight_layout()
for name, d in widths.items():
    print(f"{name:<11} d={d:<6} r=8: 2rd/d^2 = {lora_param_count(d, d, 8) / d**2:.3%}")


# %% name="ppo-clip"
eps = 0.2
ratio = np.linspace(0.0, 2.0, 401)
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.0), sharex=True)
for ax, A in zip(axes, (1.0, -1.0), strict=True):
    adv = np.full_like(ratio, A)
    ax.plot(ratio, ratio * A, "--", color="0.5", lw=1.2, label=r"$\rho A$")
    ax.plot(ratio, ppo_clip_objective(ratio, adv, eps), label=r"$L^{\mathrm{CLIP}}$")
    flat = ppo_clip_grad(ratio, adv, eps) == 0
    ax.fill_between(
        ratio,
        -2.2,
        2.2,
        where=flat,
        color=PALETTE[1],
        alpha=0.12,
        lw=0,
        label=r"$\partial L^{\mathrm{CLIP}}/\partial\rho=0$",
    )
    for edge in (1 - eps, 1 + eps):
        ax.axvline(edge, color="0.6", lw=0.8, ls=":")
    ax.set_ylim(-2.2, 2.2)
    ax.set_title(f"$A={A:+g}$,  $\\epsilon={eps}$")
    ax.set_xlabel(r"$\rho = \pi_\theta / \pi_{\theta_{\mathrm{old}}}$")
axes[0].legend(loc="upper left", fontsize=8)
fig.tight_layout()


# %% name="dpo-loss"
beta = 0.1
h = np.linspace(-30.0, 60.0, 361)  # log-ratio difference of chosen over rejected
r_hat_w, r_hat_l = beta * h, np.zeros_like(h)  # only the difference of implicit rewards matters
fig, ax = plt.subplots()
ax.plot(h, bradley_terry_loss(r_hat_w, r_hat_l), label=r"DPO: $-\log\sigma(\beta h)$")
ax.plot(h, dpo_grad_weight(r_hat_w, r_hat_l), label=r"$\sigma(\hat r_l-\hat r_w)$")
ax.plot(h, (beta * h - 1 / 2) ** 2, ":", label=r"IPO $\times\beta^2$: $(\beta h-\frac{1}{2})^2$")
ax.axvline(0, color="0.6", lw=0.8, ls=":")
ax.axvline(1 / (2 * beta), color=PALETTE[2], lw=0.8, ls=":")
ax.set_ylim(0, 3)
ax.set_title(rf"$\beta={beta}$")
ax.set_xlabel(
    r"$h = \log\frac{\pi_\theta(y_w)}{\pi_{\mathrm{ref}}(y_w)}"
    r" - \log\frac{\pi_\theta(y_l)}{\pi_{\mathrm{ref}}(y_l)}$"
)
ax.legend(loc="upper right")
fig.tight_layout()
for h_i in (0.0, 1 / (2 * beta), 60.0):
    loss_i = bradley_terry_loss(np.array([beta * h_i]), np.zeros(1))[0]
    print(f"h={h_i:>4g}: L_DPO={loss_i:.4f}, IPO x beta^2={(beta * h_i - 0.5) ** 2:.4f}")
