# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets import attention
from snippets.plotting import use_style

use_style()

# %% name="attention-scale"
# Random unit-variance q and k: without 1/sqrt(d_k) the logits have standard
# deviation sqrt(d_k), so the softmax collapses onto one key as d_k grows.
rng = np.random.default_rng(0)
n_q, n_k = 256, 64
d_ks = 2 ** np.arange(2, 11)  # 4 ... 1024
stats = {True: ([], []), False: ([], [])}  # scaled -> (max weight, entropy)
for d_k in d_ks:
    q = rng.normal(size=(n_q, d_k))
    k = rng.normal(size=(n_k, d_k))
    for scaled in (True, False):
        logits = q @ k.T / (np.sqrt(d_k) if scaled else 1.0)
        p = attention.masked_softmax(logits)
        entropy = -np.sum(p * np.log(np.where(p > 0, p, 1.0)), axis=1)
        stats[scaled][0].append(p.max(axis=1).mean())
        stats[scaled][1].append(entropy.mean())

fig, (ax_max, ax_ent) = plt.subplots(1, 2, figsize=(7.2, 3.2))
for scaled, label in ((True, r"$qk^\top/\sqrt{d_k}$"), (False, r"$qk^\top$")):
    ax_max.plot(d_ks, stats[scaled][0], marker="o", label=label)
    ax_ent.plot(d_ks, stats[scaled][1], marker="o", label=label)
ax_ent.axhline(np.log(n_k), color="0.5", linestyle=":", label=r"$\log n_k$")
ax_max.set(xscale="log", xlabel=r"$d_k$", ylabel=r"mean $\max_j p_j$", ylim=(0, 1.05))
ax_ent.set(xscale="log", xlabel=r"$d_k$", ylabel=r"mean $H(p)$ (nats)", ylim=(0, None))
for ax in (ax_max, ax_ent):
    ax.set_xticks(d_ks, [str(d) for d in d_ks], fontsize=8)
ax_max.legend()
ax_ent.legend()
fig.tight_layout()

# %% name="sinusoidal-heatmap"
pe = attention.sinusoidal_encoding(n_pos=128, d_model=64)
fig, ax = plt.subplots(figsize=(6.4, 3.2))
image = ax.imshow(pe.T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
ax.set(xlabel=r"$pos$", ylabel=r"$2i$, $2i+1$")
ax.grid(False)
fig.colorbar(image, ax=ax, fraction=0.04)
fig.tight_layout()

# %% name="rope-offset"
# Check: the RoPE score <rope(q, m), rope(k, n)> is the same for every (m, n)
# with the same offset n - m, up to rounding (unit-norm q and k, so the
# scores lie in [-1, 1] and the spread is an absolute error).
d, n_pos = 128, 64
q, k = rng.normal(size=(2, d))
q, k = q / np.linalg.norm(q), k / np.linalg.norm(k)
positions = np.arange(n_pos)
scores = attention.rope(np.tile(q, (n_pos, 1)), positions) @ (
    attention.rope(np.tile(k, (n_pos, 1)), positions).T
)  # scores[m, n]
spread = max(np.ptp(np.diagonal(scores, offset=o)) for o in range(-n_pos + 1, n_pos))
print(f"{n_pos}x{n_pos} (m, n) pairs: max spread of the score at fixed n - m = {spread:.1e}")

# The score vs offset for q = k = (1, ..., 1), i.e. sum_i 2 cos(offset * theta_i):
# the long-range decay of Su et al. (2021); and for a random pair.
# All offsets below 64, then 400 log-spaced ones up to 4096 (a light SVG).
offsets = np.unique(np.concatenate([np.arange(64), np.geomspace(64, 4096, 400).astype(int)]))
q_rand, k_rand = rng.normal(size=(2, d))
curves = {
    r"$q=k=\mathbf{1}$": (np.ones(d), np.ones(d)),
    r"$q,k\sim\mathcal{N}(0,I)$": (q_rand, k_rand),
}
fig, ax = plt.subplots()
for label, (qv, kv) in curves.items():
    q0 = attention.rope(qv[None, :], np.zeros(1, dtype=int))  # query at m = 0
    ks_off = attention.rope(np.tile(kv, (offsets.size, 1)), offsets)  # keys at n = offset
    ax.plot(offsets, (ks_off @ q0[0]) / d, label=label, linewidth=1.0)
ax.set(xscale="symlog", xlabel=r"$n-m$", ylabel=r"$\langle R_m q, R_n k\rangle / d$")
ax.legend()
fig.tight_layout()

# %% name="kv-cache"
# Llama-3-8B's shape (32 layers, 32 query heads of 128) with 32, 8 or 1 K/V
# heads, fp16, one sequence; the line is the model's own bf16 weights.
GiB = 2**30
seq = 2 ** np.arange(10, 18)  # 1k ... 128k tokens
fig, ax = plt.subplots()
for name, n_kv_heads in (("MHA, 32", 32), ("GQA, 8", 8), ("MQA, 1", 1)):
    mem = [attention.kv_cache_bytes(32, n_kv_heads, 128, int(s)) / GiB for s in seq]
    ax.plot(seq, mem, marker="o", label=name)
weights = attention.decoder_params(4096, 32, 14336, 128256, 32, 8) * 2 / GiB
ax.axhline(weights, color="0.4", linestyle="--", label="Llama-3-8B (bf16)")
ax.set(xscale="log", yscale="log", xlabel="seq_len", ylabel="GiB")
ax.set_xticks(seq, [f"{s // 1024}k" for s in seq])
ax.legend(title=r"$n_{kv\_heads}$")
fig.tight_layout()
