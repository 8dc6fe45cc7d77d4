"""Figures for docs/*/notebooks/systems.md (jupytext percent format).

Each named cell is shown on both language pages by `/// cell | <name>`; unnamed
cells are set-up. Run it as a script, or open it in JupyterLab with jupytext.
"""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets.plotting import PALETTE, use_style
from snippets.precision import FP16, fp16_gradients, to_bf16
from snippets.quantization import dequantize, quantize_tensor, sqnr_db

use_style()

# %% tags=["hide-input"]
# Gradients of a deep network: magnitudes spread over many octaves, most of
# them tiny. log2|g| ~ N(-26, 4^2): over half fall below 2^-25, where fp16
# rounds to zero (the histograms of Micikevicius et al. 2017 look alike).
rng = np.random.default_rng(0)
g = np.exp2(rng.normal(-26.0, 4.0, size=200_000)) * rng.choice([-1.0, 1.0], size=200_000)
log2_g = np.log2(np.abs(g))


# %% name="fp16-underflow"
scale = 2.0**12
fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.3))
ax = axes[0]
bins = np.arange(-46, 18, 1.0)
ax.axvspan(bins[0], np.log2(FP16.min_subnormal) - 1, color="0.5", alpha=0.25, lw=0)
ax.axvspan(np.log2(FP16.min_subnormal) - 1, np.log2(FP16.min_normal), color="0.5", alpha=0.1, lw=0)
ax.hist(log2_g, bins=bins, color=PALETTE[0], alpha=0.6, label=r"$|g|$")
ax.hist(log2_g + np.log2(scale), bins=bins, color=PALETTE[1], alpha=0.6, label=r"$|g|\cdot 2^{12}$")
top = ax.get_ylim()[1]
for x, name in [
    (np.log2(FP16.min_subnormal), r"$2^{-24}$"),
    (np.log2(FP16.min_normal), r"$2^{-14}$"),
    (np.log2(FP16.max), "65504"),
]:
    ax.axvline(x, color="0.3", ls="--", lw=1.0)
    ax.text(x, top * 1.02, name, fontsize=8, ha="center", va="bottom")
ax.set_ylim(0, top * 1.12)
ax.set_xlabel(r"$\log_2|g|$")
ax.set_yticks([])
ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.88), fontsize=8)

ax = axes[1]
log2_scales = np.arange(0, 41)
curves = {"zero": [], "subnormal": [], "inf": []}
for k in log2_scales:
    g16 = np.abs(fp16_gradients(g, 2.0**k)) * 2.0**k  # the fp16 values of g * S
    curves["zero"].append(100 * np.mean(g16 == 0))
    curves["subnormal"].append(100 * np.mean((g16 > 0) & (g16 < FP16.min_normal)))
    curves["inf"].append(100 * np.mean(np.isinf(g16)))
ax.plot(log2_scales, curves["zero"], color=PALETTE[0], label=r"$\hat g = 0$")
ax.plot(log2_scales, curves["subnormal"], ":", color=PALETTE[0], label=r"$0<|\hat g|<2^{-14}$")
ax.plot(log2_scales, curves["inf"], color=PALETTE[1], label=r"$\hat g = \pm\infty$")
ax.axhline(100 * np.mean(to_bf16(g) == 0), color=PALETTE[2], ls="--", lw=1.2, label="bf16, $S=1$")
ax.set_xlabel(r"$\log_2 S$")
ax.set_ylabel("%")
ax.legend(fontsize=8, loc="upper center")
fig.tight_layout()
for k in (0, 8, 12, 16, 24, 32):
    i = int(k)
    zero, sub, inf = curves["zero"][i], curves["subnormal"][i], curves["inf"][i]
    print(f"S=2^{k:<2}  =0: {zero:5.1f}%  subnormal: {sub:5.1f}%  inf: {inf:4.1f}%")
print(f"bf16, S=1  =0: {100 * np.mean(to_bf16(g) == 0):5.1f}%")


# %% name="quant-per-channel"
# A weight matrix whose 16 output channels span two orders of magnitude in
# range, as convolutions after BN folding or LLM projections do.
rng = np.random.default_rng(1)
ranges = np.logspace(-2, 0, 16)
W = rng.normal(size=(16, 512)) * ranges[:, None]
fig, ax = plt.subplots(figsize=(7.2, 3.4))
results = {}
for n_bits, color in [(8, PALETTE[0]), (4, PALETTE[1])]:
    for axis, style, name in [(None, "--", "per-tensor"), (0, "-", "per-channel")]:
        q, s, z = quantize_tensor(W, n_bits, symmetric=True, axis=axis)
        sqnr = sqnr_db(W, dequantize(q, s, z), axis=1)
        results[(n_bits, name)] = sqnr
        ax.plot(ranges, sqnr, style, marker="o", ms=3, color=color, label=f"INT{n_bits} {name}")
ax.set_xscale("log")
ax.set_xlabel(r"$\sigma_c$")
ax.set_ylabel("SQNR (dB)")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
fig.tight_layout()
for (n_bits, name), sqnr in results.items():
    print(f"INT{n_bits} {name:11}: SQNR min {sqnr.min():5.1f} dB, median {np.median(sqnr):5.1f} dB")
