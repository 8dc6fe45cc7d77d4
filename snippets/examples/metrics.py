"""Examples for docs/*/ml/evaluation.md: metrics on small cases, thresholds,
temperature scaling, stratified folds, a leakage demo and an A/B test."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from snippets import metrics as mt
from snippets.activations import softmax

Array = NDArray[np.float64]

# --8<-- [start:confusion]
y_true = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
y_pred = np.array([1, 1, 1, 0, 1, 1, 0, 0, 0, 0])
C = mt.confusion_matrix(y_true, y_pred, 2)  # [[TN, FP], [FN, TP]]
P, R, F1 = mt.precision_recall_fbeta(y_true, y_pred)
_, _, F2 = mt.precision_recall_fbeta(y_true, y_pred, beta=2.0)
print(C.tolist())  # [[4, 2], [1, 3]]
print(f"P={P:.3f} R={R:.3f} F1={F1:.3f} F2={F2:.3f}")  # P=0.600 R=0.750 F1=0.667 F2=0.714
# --8<-- [end:confusion]
assert C.tolist() == [[4, 2], [1, 3]]
assert np.isclose(F1, 2 / 3) and np.isclose(F2, 5 * 0.6 * 0.75 / (4 * 0.6 + 0.75))

# --8<-- [start:averaging]
# a 3-class problem where class 2 is rare and always missed
y_true = np.array([0] * 6 + [1] * 3 + [2] * 1)
y_pred = np.array([0] * 6 + [1] * 3 + [0] * 1)
for avg in ("macro", "weighted", "micro"):
    print(avg, round(mt.f1_multiclass(y_true, y_pred, 3, avg), 3))
# macro 0.641   (the rare class's F1 = 0 counts as one third)
# weighted 0.854
# micro 0.9     (= accuracy)
# --8<-- [end:averaging]
assert np.isclose(mt.f1_multiclass(y_true, y_pred, 3, "micro"), 0.9)
assert np.isclose(mt.f1_multiclass(y_true, y_pred, 3, "macro"), (12 / 13 + 1 + 0) / 3)

# --8<-- [start:auc_rank]
rng = np.random.default_rng(0)
y = (rng.random(2000) < 0.1).astype(int)
s = rng.normal(size=2000) + 1.2 * y
pos, neg = s[y == 1], s[y == 0]
pairwise = np.mean(pos[:, None] > neg[None, :])  # P(random positive outranks random negative)
print(round(mt.roc_auc(y, s), 4), round(float(pairwise), 4))  # 0.7803 0.7803
ap = mt.average_precision(y, s)
print(round(ap, 3), y.mean())  # 0.348 0.105: AP against its baseline, the prevalence
# --8<-- [end:auc_rank]
assert np.isclose(mt.roc_auc(y, s), pairwise)
assert mt.average_precision(y, s) > 2 * y.mean()


# --8<-- [start:thresholds]
def scored(rng: np.random.Generator, n: int) -> tuple[NDArray[np.int_], Array]:
    """Labels at 5% prevalence and calibrated probabilities of a logistic model."""
    z = rng.normal(size=n) * 2 - 3.5
    p = 1 / (1 + np.exp(-z))
    return (rng.random(n) < p).astype(int), p


y_val, p_val = scored(np.random.default_rng(1), 20_000)  # choose t here, never on the test set
fpr, tpr, thr = mt.roc_curve(y_val, p_val)
t_youden = thr[np.argmax(tpr - fpr)]  # Youden's J = TPR - FPR
prec, rec, thr_pr = mt.pr_curve(y_val, p_val)
t_f1 = thr_pr[np.argmax(2 * prec * rec / np.maximum(prec + rec, 1e-12))]
c_fp, c_fn = 1.0, 20.0  # a missed positive costs 20 false alarms
t_cost = c_fp / (c_fp + c_fn)  # Bayes-optimal for calibrated p: flag if p * c_fn > (1 - p) * c_fp
print(f"Youden {t_youden:.3f}  F1-optimal {t_f1:.3f}  cost-based {t_cost:.3f}")
# Youden 0.091  F1-optimal 0.252  cost-based 0.048
# --8<-- [end:thresholds]
assert t_youden < t_f1 and abs(t_cost - 1 / 21) < 1e-12

# --8<-- [start:temperature]
rng = np.random.default_rng(2)
z = rng.normal(scale=2.0, size=(20_000, 5))  # "true" logits
y = (softmax(z, axis=1).cumsum(axis=1) < rng.random((20_000, 1))).sum(axis=1)
logits = 2.5 * z  # an over-confident model: right ranking, logits 2.5x too large
val, test = slice(0, 10_000), slice(10_000, None)
T = mt.fit_temperature(logits[val], y[val])  # fitted on held-out data, not the training set


def ece(p: Array, y: NDArray[np.int_]) -> float:
    return mt.expected_calibration_error(p.max(1), (p.argmax(1) == y).astype(float))


before, after = softmax(logits[test], axis=1), mt.calibrate(logits[test], T)
print(f"T={T:.2f}  ECE {ece(before, y[test]):.3f} -> {ece(after, y[test]):.3f}")
# T=2.42  ECE 0.203 -> 0.018
# --8<-- [end:temperature]
assert abs(T - 2.5) < 0.2 and ece(after, y[test]) < 0.03 < 0.15 < ece(before, y[test])
assert np.array_equal(before.argmax(1), after.argmax(1))

# --8<-- [start:stratified]
y = np.array([0] * 95 + [1] * 5)  # 5% positives
folds = mt.stratified_kfold(y, 5, np.random.default_rng(0))
print([int(y[test].sum()) for _, test in folds])  # [1, 1, 1, 1, 1]: one positive per fold
# --8<-- [end:stratified]
assert all(y[test].sum() == 1 for _, test in folds)


# --8<-- [start:leakage]
def nearest_centroid_acc(X_tr: Array, y_tr: Array, X_te: Array, y_te: Array) -> float:
    mu0, mu1 = X_tr[y_tr == 0].mean(0), X_tr[y_tr == 1].mean(0)
    pred = np.sum((X_te - mu1) ** 2, 1) < np.sum((X_te - mu0) ** 2, 1)
    return float(np.mean(pred == y_te))


def top_k_by_correlation(X: Array, y: Array, k: int) -> NDArray[np.int_]:
    Xc, yc = X - X.mean(0), y - y.mean()
    return np.argsort(-np.abs(Xc.T @ yc))[:k]


rng = np.random.default_rng(0)
X = rng.normal(size=(50, 5000))  # pure noise: no feature says anything about y
y = np.array([0, 1] * 25)
folds = mt.stratified_kfold(y, 5, rng)
leaky_cols = top_k_by_correlation(X, y, 20)  # WRONG: selection saw every label
leaky = np.mean(
    [
        nearest_centroid_acc(X[tr][:, leaky_cols], y[tr], X[te][:, leaky_cols], y[te])
        for tr, te in folds
    ]
)
honest = []
for tr, te in folds:
    cols = top_k_by_correlation(X[tr], y[tr], 20)  # right: selection is part of the fit
    honest.append(nearest_centroid_acc(X[tr][:, cols], y[tr], X[te][:, cols], y[te]))
print(f"leaky CV accuracy {leaky:.2f}, honest {np.mean(honest):.2f}")
# leaky CV accuracy 0.96, honest 0.48: chance, as it must be
# --8<-- [end:leakage]
assert leaky > 0.85 and abs(np.mean(honest) - 0.5) < 0.2

# --8<-- [start:ab_test]
n = mt.sample_size_per_arm(sigma2=0.1 * 0.9, delta=0.005)  # 10% -> 10.5% conversion
print(n, round(16 * 0.09 / 0.005**2))  # 56512 57600: exact formula vs the 16 sigma^2/delta^2 rule
z, p = mt.two_proportion_ztest(x_a=5_650, n_a=56_512, x_b=5_960, n_b=56_512)
print(f"z={z:.2f} p={p:.4f}")  # z=3.04 p=0.0024
# --8<-- [end:ab_test]
assert 56_000 < n < 57_000 and p < 0.01

# --8<-- [start:srm]
n_a, n_b = 50_000, 51_200  # designed as 50/50; observed 49.4% / 50.6%
z_srm = (n_b - (n_a + n_b) / 2) / np.sqrt((n_a + n_b) / 4)  # binomial(N, 1/2) count as a z-score
p_srm = 2 * (1 - mt.normal_cdf(abs(z_srm)))
print(f"z={z_srm:.2f} p={p_srm:.5f}")  # z=3.77 p=0.00016 < 0.001: SRM, do not trust the result
# --8<-- [end:srm]
assert p_srm < 0.001
