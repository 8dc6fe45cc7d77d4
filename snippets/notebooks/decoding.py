# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets import decoding as dec
from snippets.plotting import use_style

use_style()

# One next-token distribution: 30 tokens with Zipf-like probabilities p_i ~ 1 / i^1.1.
V = 30
rank = np.arange(1, V + 1)
logits = -1.1 * np.log(rank)


def entropy(p: np.ndarray) -> float:
    """Entropy in nats, ignoring zero-probability tokens."""
    nz = p[p > 0]
    return float(-np.sum(nz * np.log(nz)))


# %% name="sampling-filters"
base = dec.softmax(logits)
panels = [
    (r"$T=0.5$", dec.softmax(logits, 0.5)),
    (r"$T=1$", base),
    (r"$T=2$", dec.softmax(logits, 2.0)),
    (r"top-k, $k=5$", dec.softmax(dec.top_k_filter(logits, 5))),
    (r"top-p, $p=0.9$", dec.softmax(dec.top_p_filter(logits, 0.9))),
    (r"min-p, $p_{\mathrm{base}}=0.1$", dec.softmax(dec.min_p_filter(logits, 0.1))),
]
fig, axes = plt.subplots(2, 3, figsize=(7.2, 4.4), sharex=True, sharey=True, layout="constrained")
for ax, (title, p) in zip(axes.flat, panels, strict=True):
    ax.bar(rank, base, width=0.9, color="0.8")  # the T = 1 distribution, for reference
    ax.bar(rank, p, width=0.5)
    kept = int((p > 0).sum())
    ax.set_title(f"{title}\n$H={entropy(p):.2f}$, $|S|={kept}$", fontsize=9)
    ax.grid(False)
for ax in axes[1]:
    ax.set_xlabel("token rank $i$")
for ax in axes[:, 0]:
    ax.set_ylabel("$p$")
axes[0, 0].set_ylim(0, 0.72)

# top-p adapts the candidate set to the shape of the distribution; top-k does not
for T in (0.5, 1.0, 2.0):
    kept = np.isfinite(dec.top_p_filter(logits / T, 0.9)).sum()
    print(f"T={T}: top-p 0.9 keeps {kept:2d} tokens, top-k 5 keeps 5")

# %% name="speculative-acceptance"
rng = np.random.default_rng(0)
p = dec.softmax(logits)
sigmas = np.linspace(0, 3, 13)
theory, empirical = [], []
for sigma in sigmas:
    # A draft whose logits are the target's plus noise of scale sigma.
    qs = [dec.softmax(logits + sigma * rng.normal(size=V)) for _ in range(100)]
    theory.append(np.mean([dec.acceptance_rate(p, q) for q in qs]))
    hits = 0
    for q in qs:  # 20 draft tokens from each draft, verified against p
        for _ in range(20):
            hits += dec.speculative_accept(p, q, int(rng.choice(V, p=q)), rng)[0]
    empirical.append(hits / 2000)

fig, (ax_a, ax_s) = plt.subplots(1, 2, figsize=(7.2, 3.2), layout="constrained")
ax_a.plot(sigmas, theory, label=r"$\sum_x \min(p, q)$")
ax_a.plot(sigmas, empirical, "o", ms=4, label="Monte Carlo")
ax_a.set(xlabel=r"$\sigma$", ylabel=r"$\alpha$", ylim=(0, 1.05))
ax_a.legend()

gammas = np.arange(1, 16)
c = 0.1  # cost of one draft step relative to one target step
for alpha in (0.5, 0.7, 0.9):
    tokens = np.array([dec.expected_tokens_per_step(alpha, int(g)) for g in gammas])
    speedup = tokens / (c * gammas + 1)
    ax_s.plot(gammas, speedup, marker="o", ms=3, label=rf"$\alpha={alpha}$")
    best = gammas[np.argmax(speedup)]
    print(f"alpha={alpha}: best gamma={best}, speedup {speedup.max():.2f}x (c={c})")
ax_s.axhline(1, color="0.5", linestyle=":")
ax_s.set(xlabel=r"$\gamma$", ylabel=r"$\mathbb{E}[n_\mathrm{tokens}]\,/\,(c\gamma+1)$")
ax_s.set_xticks([1, 5, 10, 15])
ax_s.legend()
