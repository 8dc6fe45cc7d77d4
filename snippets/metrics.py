"""Evaluation metrics: confusion matrix, F-beta, ROC/PR curves, calibration,
stratified k-fold and the A/B-test z-test.

Binary conventions: y_true is (N,) of 0/1 (1 = positive), scores is (N,) of
real numbers where larger means "more positive" (a probability or a logit).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from snippets.activations import log_softmax, softmax

Array = NDArray[np.float64]
IntArray = NDArray[np.int_]


# --8<-- [start:confusion_matrix]
def confusion_matrix(y_true: IntArray, y_pred: IntArray, n_classes: int) -> IntArray:
    """C[i, j] = number of samples of true class i predicted as class j.

    y_true, y_pred: (N,) ints in [0, n_classes). Returns (n_classes, n_classes).
    For two classes: C = [[TN, FP], [FN, TP]] (row = truth, column = prediction).
    """
    C = np.zeros((n_classes, n_classes), dtype=np.int_)
    np.add.at(C, (y_true, y_pred), 1)  # add.at counts repeated (i, j) pairs; C[...] += 1 would not
    return C


# --8<-- [end:confusion_matrix]


# --8<-- [start:fbeta]
def precision_recall_fbeta(
    y_true: IntArray, y_pred: IntArray, beta: float = 1.0
) -> tuple[float, float, float]:
    """Binary precision = TP/(TP+FP), recall = TP/(TP+FN) and

        F_beta = (1 + beta^2) P R / (beta^2 P + R),

    the weighted harmonic mean in which recall counts beta times as much as
    precision (beta = 1: F1; beta = 2 favours recall). 0/0 is reported as 0.
    """
    tp = int(np.sum((y_pred == 1) & (y_true == 1)))
    fp = int(np.sum((y_pred == 1) & (y_true == 0)))
    fn = int(np.sum((y_pred == 0) & (y_true == 1)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    denom = beta**2 * precision + recall
    fbeta = (1 + beta**2) * precision * recall / denom if denom else 0.0
    return precision, recall, fbeta


def f1_multiclass(y_true: IntArray, y_pred: IntArray, n_classes: int, average: str) -> float:
    """Multi-class F1 from the confusion matrix.

    macro: mean of per-class F1 (every class counts the same);
    weighted: per-class F1 weighted by the class's support (true count);
    micro: F1 of the pooled TP/FP/FN counts, which for single-label
    classification equals accuracy (every error is one FP and one FN).
    """
    C = confusion_matrix(y_true, y_pred, n_classes)
    tp = np.diag(C).astype(np.float64)
    fp = C.sum(axis=0) - tp  # predicted as c but not c
    fn = C.sum(axis=1) - tp  # truly c but predicted otherwise
    if average == "micro":
        return float(2 * tp.sum() / (2 * tp.sum() + fp.sum() + fn.sum()))
    denom = 2 * tp + fp + fn  # F1 = 2TP / (2TP + FP + FN), the same as 2PR/(P+R)
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    if average == "macro":
        return float(f1.mean())
    if average == "weighted":
        support = C.sum(axis=1)
        return float(np.sum(f1 * support) / support.sum())
    raise ValueError(f"unknown average {average!r}")


# --8<-- [end:fbeta]


# --8<-- [start:roc]
def _ranked_counts(y_true: IntArray, scores: Array) -> tuple[Array, Array, Array]:
    """Cumulative TP and FP counts at every distinct threshold, from high to low.

    Tied scores are one threshold (all of them become positive together), which
    makes the curve go diagonally through a tie: that is what counts a tied
    positive-negative pair as 1/2 in the AUC.
    """
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], y_true[order]
    last_of_tie = np.r_[np.nonzero(np.diff(s))[0], s.size - 1]
    tps = np.cumsum(y)[last_of_tie].astype(np.float64)
    fps = (last_of_tie + 1) - tps
    return tps, fps, s[last_of_tie]


def roc_curve(y_true: IntArray, scores: Array) -> tuple[Array, Array, Array]:
    """FPR = FP/N_neg and TPR = TP/N_pos for "predict positive if score >= t",
    for t over the distinct scores (high to low), starting at (0, 0).

    Returns (fpr, tpr, thresholds), each (T + 1,); thresholds[0] = +inf.
    """
    tps, fps, thr = _ranked_counts(y_true, scores)
    tpr = np.r_[0.0, tps / tps[-1]]
    fpr = np.r_[0.0, fps / fps[-1]]
    return fpr, tpr, np.r_[np.inf, thr]


def auc_trapezoid(x: Array, y: Array) -> float:
    """Area under the piecewise-linear curve through (x_i, y_i), x non-decreasing."""
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


def roc_auc(y_true: IntArray, scores: Array) -> float:
    """Area under the ROC curve = P(score of a random positive > that of a random
    negative), ties counted 1/2 (the Mann-Whitney U statistic / (n_pos n_neg))."""
    fpr, tpr, _ = roc_curve(y_true, scores)
    return auc_trapezoid(fpr, tpr)


# --8<-- [end:roc]


# --8<-- [start:pr]
def pr_curve(y_true: IntArray, scores: Array) -> tuple[Array, Array, Array]:
    """Precision = TP/(TP+FP) and recall = TP/N_pos over the distinct thresholds
    (high to low). Returns (precision, recall, thresholds), each (T,).

    Unlike the ROC curve, precision depends on how many negatives there are:
    at the lowest threshold everything is positive and precision = prevalence.
    """
    tps, fps, thr = _ranked_counts(y_true, scores)
    return tps / (tps + fps), tps / tps[-1], thr


def average_precision(y_true: IntArray, scores: Array) -> float:
    """AP = sum_n (R_n - R_{n-1}) P_n: precision at each threshold, weighted by
    the recall gained there (a step function, no interpolation, R_0 = 0).

    Trapezoids would be wrong here: precision is not linear between two
    operating points, and linear interpolation overestimates the area.
    """
    precision, recall, _ = pr_curve(y_true, scores)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


# --8<-- [end:pr]


# --8<-- [start:calibration]
def reliability_bins(
    confidence: Array, correct: Array, n_bins: int = 15
) -> tuple[Array, Array, Array]:
    """Equal-width bins on [0, 1]: (mean confidence, accuracy, count) per bin, each (n_bins,).

    confidence: (N,) predicted probability of the predicted class (or of class 1);
    correct: (N,) 1 if that prediction was right (or if y = 1). Empty bins give 0.
    """
    # bin b holds (b/n_bins, (b+1)/n_bins]; confidence 0 goes to bin 0
    b = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)
    count = np.bincount(b, minlength=n_bins).astype(np.float64)
    safe = np.maximum(count, 1)
    conf = np.bincount(b, weights=confidence, minlength=n_bins) / safe
    acc = np.bincount(b, weights=correct, minlength=n_bins) / safe
    return conf, acc, count


def expected_calibration_error(confidence: Array, correct: Array, n_bins: int = 15) -> float:
    """ECE = sum_b (n_b / N) |acc_b - conf_b|: the gap of the reliability
    diagram from the diagonal, weighted by how many samples each bin holds."""
    conf, acc, count = reliability_bins(confidence, correct, n_bins)
    return float(np.sum(count / count.sum() * np.abs(acc - conf)))


def brier_score(probs: Array, y_true: IntArray) -> float:
    """Mean squared error of the predicted probabilities.

    probs: (N,) probability of class 1 with y_true in {0, 1}, or (N, K)
    class probabilities with y_true in [0, K) (sum over classes, then mean).
    A proper scoring rule: its expectation is minimised by the true probabilities.
    """
    if probs.ndim == 1:
        return float(np.mean((probs - y_true) ** 2))
    onehot = np.eye(probs.shape[1])[y_true]
    return float(np.mean(np.sum((probs - onehot) ** 2, axis=1)))


# --8<-- [end:calibration]


# --8<-- [start:temperature]
def nll_at_temperature(logits: Array, y: IntArray, T: float) -> float:
    """Mean cross-entropy of softmax(logits / T). logits: (N, K), y: (N,)."""
    logp = log_softmax(logits / T, axis=1)
    return float(-np.mean(logp[np.arange(y.size), y]))


def fit_temperature(
    logits: Array, y: IntArray, log_t_range: tuple[float, float] = (-3.0, 3.0), iters: int = 60
) -> float:
    """The T > 0 minimising the validation NLL of softmax(logits / T).

    Golden-section search on log T: the NLL is convex in 1/T (cross-entropy is
    convex in the logits, which are linear in 1/T), so it is unimodal in log T,
    and searching log T keeps T positive. Each step shrinks the bracket by
    0.618; 60 steps take [-3, 3] to a width of about 1e-12.
    """
    inv_phi = (math.sqrt(5) - 1) / 2
    a, b = log_t_range
    c, d = b - inv_phi * (b - a), a + inv_phi * (b - a)
    fc, fd = (nll_at_temperature(logits, y, math.exp(t)) for t in (c, d))
    for _ in range(iters):
        if fc < fd:  # the minimum is in [a, d]
            b, d, fd = d, c, fc
            c = b - inv_phi * (b - a)
            fc = nll_at_temperature(logits, y, math.exp(c))
        else:  # the minimum is in [c, b]
            a, c, fc = c, d, fd
            d = a + inv_phi * (b - a)
            fd = nll_at_temperature(logits, y, math.exp(d))
    return math.exp((a + b) / 2)


def calibrate(logits: Array, T: float) -> Array:
    """Temperature-scaled probabilities softmax(logits / T), (N, K).

    Dividing every logit by the same T > 0 keeps their order, so the argmax
    (and accuracy) is unchanged: only the confidence moves.
    """
    return softmax(logits / T, axis=1)


# --8<-- [end:temperature]


# --8<-- [start:stratified_kfold]
def stratified_kfold(
    y: IntArray, k: int, rng: np.random.Generator
) -> list[tuple[IntArray, IntArray]]:
    """k (train_idx, test_idx) splits whose test folds partition range(N) and
    keep each class's proportion: every class is shuffled and dealt round-robin
    into the folds, so each fold gets floor or ceil of n_c / k samples of class c.
    """
    fold_of = np.empty(y.size, dtype=np.int_)
    start = 0  # continue the deal where the previous class stopped, so fold sizes stay even
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        fold_of[idx] = (start + np.arange(idx.size)) % k
        start = (start + idx.size) % k
    return [(np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)) for f in range(k)]


# --8<-- [end:stratified_kfold]


# --8<-- [start:ab_test]
def normal_cdf(z: float) -> float:
    """Phi(z), the standard normal CDF."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def normal_ppf(q: float) -> float:
    """Phi^{-1}(q) for 0 < q < 1 by bisection on Phi (monotone; 100 halvings
    of [-40, 40] are far below float precision)."""
    lo, hi = -40.0, 40.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if normal_cdf(mid) < q else (lo, mid)
    return (lo + hi) / 2


def two_proportion_ztest(x_a: int, n_a: int, x_b: int, n_b: int) -> tuple[float, float]:
    """Two-sided z-test of H0: p_a = p_b, from x conversions out of n users per arm.

    Under H0 both arms share p = (x_a + x_b) / (n_a + n_b), so
    se = sqrt(p (1 - p) (1/n_a + 1/n_b)), z = (p_b - p_a) / se,
    p-value = 2 (1 - Phi(|z|)). Returns (z, p_value).
    """
    p_a, p_b = x_a / n_a, x_b / n_b
    p = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))
    z = (p_b - p_a) / se
    return z, 2 * (1 - normal_cdf(abs(z)))


def sample_size_per_arm(
    sigma2: float, delta: float, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Users per arm to detect a difference delta in means with a two-sided
    level-alpha test and the given power, when one user's metric has variance sigma2:

        n = 2 (z_{1-alpha/2} + z_{power})^2 sigma2 / delta^2,

    about 15.7 sigma2 / delta^2 at alpha = 0.05, power = 0.8: the 16 sigma^2/delta^2 rule.
    For a conversion rate p, sigma2 = p (1 - p).
    """
    z = normal_ppf(1 - alpha / 2) + normal_ppf(power)
    return math.ceil(2 * z**2 * sigma2 / delta**2)


# --8<-- [end:ab_test]
