"""Examples for docs/*/ml/boosting.md: AdaBoost, gradient boosting residuals, XGBoost gain."""

from __future__ import annotations

import numpy as np

from snippets import boosting as bt

# --8<-- [start:adaboost]
rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, size=(200, 2))
y = np.where(X[:, 0] ** 2 + X[:, 1] ** 2 < 0.5, 1.0, -1.0)  # a disc: no single stump fits it
stumps, alphas, errors, exp_loss = bt.adaboost(X, y, 100)
for m in (1, 10, 100):
    err = np.mean(np.sign(bt.adaboost_predict(stumps[:m], alphas[:m], X)) != y)
    print(
        f"M={m:3d}: eps_M={errors[m - 1]:.3f} alpha_M={alphas[m - 1]:.3f} "
        f"train error={err:.3f} exp loss={exp_loss[m - 1]:.3f}"
    )
# --8<-- [end:adaboost]
assert err <= exp_loss[-1] < exp_loss[0]

# --8<-- [start:gbdt]
rng = np.random.default_rng(0)
x = np.sort(rng.uniform(0, 6, 100))
y = np.sin(x) + 0.2 * rng.normal(size=100)
model = bt.gradient_boost(x[:, None], y, n_stages=100, lr=0.1, max_depth=2)
for m in (0, 1, 10, 100):
    F = model.predictions[m]
    print(f"m={m:3d}: train MSE={np.mean((y - F) ** 2):.4f}")
print(
    "residuals fitted at stage 2 == y - F_1:",
    np.allclose(model.residuals[1], y - model.predictions[1]),
)
# --8<-- [end:gbdt]
assert np.allclose(model.residuals[1], y - model.predictions[1])

# --8<-- [start:xgb_gain]
# Squared loss at F = 0: g_i = F - y_i = -y_i, h_i = 1. Leaf {1, 2, 3, 10}, lam = 1, gamma = 0.5.
y = np.array([1.0, 2.0, 3.0, 10.0])
g, h = -y, np.ones(4)
print("w* of the whole leaf:", bt.leaf_weight(g.sum(), h.sum(), lam=1.0))  # 16 / 5
for cut in (1, 2, 3):
    GL, HL, GR, HR = g[:cut].sum(), h[:cut].sum(), g[cut:].sum(), h[cut:].sum()
    print(
        f"left={y[:cut]}: GL={GL}, HL={HL}, GR={GR}, HR={HR}, "
        f"gain={bt.split_gain(GL, HL, GR, HR, lam=1.0, gamma=0.5):.3f}"
    )
# --8<-- [end:xgb_gain]
assert np.isclose(bt.split_gain(-6.0, 3.0, -10.0, 1.0, 1.0, 0.5), 3.4)
