"""Figures for docs/*/notebooks/evaluation.md (jupytext percent format).

Each named cell is shown on both language pages by `/// cell | <name>`; unnamed
cells are set-up. Run it as a script, or open it in JupyterLab with jupytext.
"""

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np

from snippets import metrics as mt
from snippets.activations import softmax
from snippets.plotting import use_style

use_style()
np.set_printoptions(precision=4)


def thin(x, *curves, n=150):
    """Keep about 2n points of a curve (x non-decreasing), evenly spaced both in
    index and in x, so steep and flat stretches both keep their shape."""
    by_index = np.linspace(0, x.size - 1, n).astype(int)
    by_x = np.searchsorted(x, np.linspace(x[0], x[-1], n)).clip(0, x.size - 1)
    idx = np.union1d(by_index, by_x)
    return [x[idx]] + [c[idx] for c in curves]


def scored_data(rng, n, prevalence):
    """One fixed scorer: score ~ N(1.5, 1) for positives, N(0, 1) for negatives."""
    y = (rng.random(n) < prevalence).astype(int)
    return y, rng.normal(size=n) + 1.5 * y


# %% name="roc-pr-imbalance"
rng = np.random.default_rng(0)
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.4))
for prevalence, style in ((0.5, "-"), (0.01, "--")):
    y, s = scored_data(rng, 200_000, prevalence)
    fpr, tpr, _ = mt.roc_curve(y, s)
    precision, recall, _ = mt.pr_curve(y, s)
    auc, ap = mt.roc_auc(y, s), mt.average_precision(y, s)
    print(f"positives {prevalence:5.0%}:  ROC-AUC = {auc:.3f}   AP = {ap:.3f}")
    label = rf"$\pi={prevalence:g}$"
    axes[0].plot(*thin(fpr, tpr), style, label=f"{label}, AUC={auc:.2f}")
    line = axes[1].plot(*thin(recall, precision), style, label=f"{label}, AP={ap:.2f}")
    axes[1].axhline(prevalence, color=line[0].get_color(), lw=0.8, ls=":")
axes[0].plot([0, 1], [0, 1], color="gray", lw=0.8, ls=":")
axes[0].set_xlabel("FPR")
axes[0].set_ylabel("TPR")
axes[1].set_xlabel("recall")
axes[1].set_ylabel("precision")
axes[1].set_ylim(0, 1.02)
for ax in axes:
    ax.legend(loc="lower right" if ax is axes[0] else "upper right")
fig.tight_layout()


# %% name="threshold-sweep"
y, s = scored_data(np.random.default_rng(1), 40_000, 0.01)
precision, recall, thr = mt.pr_curve(y, s)
f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
best = int(np.argmax(f1))
print(
    f"F1-optimal threshold t = {thr[best]:.2f}: P = {precision[best]:.2f}, "
    f"R = {recall[best]:.2f}, F1 = {f1[best]:.2f}"
)
# read the curves on a grid of thresholds: at t, the operating point is the last
# distinct score >= t (thr is decreasing)
t = np.linspace(-1, 4, 201)
at = np.searchsorted(-thr, -t, side="right") - 1
p, r, f = precision[at], recall[at], f1[at]
fig, ax = plt.subplots(figsize=(6.4, 3.2))
ax.plot(t, p, label="precision")
ax.plot(t, r, label="recall")
ax.plot(t, f, label="F1")
ax.axvline(thr[best], color="gray", lw=0.8, ls=":")
ax.set_xlabel("threshold $t$")
ax.legend()
fig.tight_layout()


# %% tags=["hide-input"]
def overconfident_logits(rng, n, T0):
    """Labels drawn from softmax(z); the model reports T0 * z, too confident for T0 > 1."""
    z = rng.normal(scale=2.0, size=(n, 5))
    y = (softmax(z, axis=1).cumsum(axis=1) < rng.random((n, 1))).sum(axis=1)
    return T0 * z, y


def reliability(ax, probs, y, title):
    conf, correct = probs.max(axis=1), (probs.argmax(axis=1) == y).astype(float)
    c, acc, _ = mt.reliability_bins(conf, correct, n_bins=10)
    ece = mt.expected_calibration_error(conf, correct, n_bins=10)
    centers = (np.arange(10) + 0.5) / 10
    ax.bar(centers, acc, width=0.1, edgecolor="white", label="accuracy")
    ax.bar(
        centers,
        c - acc,
        bottom=acc,
        width=0.1,
        color="none",
        edgecolor="C1",
        hatch="//",
        label=r"$|\mathrm{acc}-\mathrm{conf}|$",
    )
    ax.plot([0, 1], [0, 1], color="gray", lw=0.8, ls=":")
    ax.set_title(f"{title},  ECE = {ece:.3f}")
    ax.set_xlabel("confidence")
    return ece


# %% name="reliability-temperature"
logits, y = overconfident_logits(np.random.default_rng(2), 20_000, T0=2.5)
val, test = slice(0, 10_000), slice(10_000, None)
T = mt.fit_temperature(logits[val], y[val])
before, after = softmax(logits[test], axis=1), mt.calibrate(logits[test], T)
fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.4), sharey=True)
ece_before = reliability(axes[0], before, y[test], "$T=1$")
ece_after = reliability(axes[1], after, y[test], f"$T={T:.2f}$")
axes[0].set_ylabel("accuracy")
axes[0].legend(loc="upper left")
fig.tight_layout()
acc_b, acc_a = np.mean(before.argmax(1) == y[test]), np.mean(after.argmax(1) == y[test])
print(f"fitted T = {T:.3f} (true 2.5)")
print(
    f"test NLL {mt.nll_at_temperature(logits[test], y[test], 1.0):.3f} -> "
    f"{mt.nll_at_temperature(logits[test], y[test], T):.3f}"
)
print(f"test ECE {ece_before:.3f} -> {ece_after:.3f};  accuracy {acc_b:.3f} -> {acc_a:.3f}")
