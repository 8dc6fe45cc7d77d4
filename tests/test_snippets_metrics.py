"""Metrics: hand-computed cases, AUC as the Mann-Whitney statistic, calibration,
temperature recovery, stratified folds and the A/B-test formulas."""

import math

import numpy as np
import pytest

from snippets import metrics as mt
from snippets.activations import softmax


def test_confusion_matrix_by_hand():
    y_true = np.array([0, 0, 1, 1, 1, 2])
    y_pred = np.array([0, 1, 1, 1, 0, 2])
    C = mt.confusion_matrix(y_true, y_pred, 3)
    np.testing.assert_array_equal(C, [[1, 1, 0], [1, 2, 0], [0, 0, 1]])
    assert C.sum() == y_true.size


def test_precision_recall_fbeta_by_hand():
    # TP = 2, FP = 1, FN = 2: P = 2/3, R = 1/2
    y_true = np.array([1, 1, 1, 1, 0, 0])
    y_pred = np.array([1, 1, 0, 0, 1, 0])
    p, r, f1 = mt.precision_recall_fbeta(y_true, y_pred)
    assert (p, r) == pytest.approx((2 / 3, 1 / 2))
    assert f1 == pytest.approx(2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2))  # 4/7
    _, _, f2 = mt.precision_recall_fbeta(y_true, y_pred, beta=2.0)
    assert f2 == pytest.approx(5 * (2 / 3) * (1 / 2) / (4 * (2 / 3) + 1 / 2))  # 10/19
    assert f2 < f1  # recall (0.5) is the weaker one, and F2 weighs it more
    assert mt.precision_recall_fbeta(y_true, np.zeros(6, dtype=int)) == (0.0, 0.0, 0.0)


def test_multiclass_averages():
    y_true = np.array([0, 0, 0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 0, 0, 1, 1, 2, 2, 0])
    # per class: F1_0 = 2*3/(6+1+1) = 0.75, F1_1 = 2/(2+1+1) = 0.5, F1_2 = 2/(2+1+1) = 0.5
    f1 = np.array([0.75, 0.5, 0.5])
    assert mt.f1_multiclass(y_true, y_pred, 3, "macro") == pytest.approx(f1.mean())
    assert mt.f1_multiclass(y_true, y_pred, 3, "weighted") == pytest.approx(
        np.dot(f1, [4, 2, 2]) / 8
    )
    assert mt.f1_multiclass(y_true, y_pred, 3, "micro") == pytest.approx(np.mean(y_true == y_pred))


def test_auc_small_cases_by_hand():
    # pairs (pos, neg): (0.35 > 0.1), (0.35 < 0.4), (0.8 > both): 3 of 4
    y = np.array([0, 0, 1, 1])
    assert mt.roc_auc(y, np.array([0.1, 0.4, 0.35, 0.8])) == pytest.approx(0.75)
    assert mt.roc_auc(np.array([0, 1]), np.array([0.5, 0.5])) == pytest.approx(0.5)  # a tie is 1/2
    assert mt.roc_auc(y, np.array([0.1, 0.2, 0.3, 0.4])) == pytest.approx(1.0)
    assert mt.roc_auc(y, np.array([0.4, 0.3, 0.2, 0.1])) == pytest.approx(0.0)


def mann_whitney_auc(y: np.ndarray, s: np.ndarray) -> float:
    pos, neg = s[y == 1], s[y == 0]
    diff = pos[:, None] - neg[None, :]
    return float(np.mean((diff > 0) + 0.5 * (diff == 0)))


@pytest.mark.parametrize("seed", range(5))
def test_auc_equals_mann_whitney_with_ties(seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(300) < 0.3).astype(int)
    s = np.round(rng.normal(size=300) + y, 1)  # rounding makes many ties
    assert mt.roc_auc(y, s) == pytest.approx(mann_whitney_auc(y, s), abs=1e-12)


def test_roc_curve_endpoints_and_invariance():
    rng = np.random.default_rng(0)
    y = (rng.random(200) < 0.5).astype(int)
    s = rng.normal(size=200) + y
    fpr, tpr, thr = mt.roc_curve(y, s)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    assert np.isinf(thr[0])
    # AUC only depends on the ranking: a monotone transform changes nothing
    assert mt.roc_auc(y, 1 / (1 + np.exp(-3 * s))) == pytest.approx(mt.roc_auc(y, s))


def test_average_precision_by_hand():
    # ranked labels 1, 0, 1, 1, 0: precision at the three TPs is 1, 2/3, 3/4
    y = np.array([1, 0, 1, 1, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    assert mt.average_precision(y, s) == pytest.approx((1 + 2 / 3 + 3 / 4) / 3)
    precision, recall, _ = mt.pr_curve(y, s)
    assert precision[-1] == pytest.approx(y.mean())  # everything positive: precision = prevalence
    assert recall[-1] == 1.0


def test_random_scores_give_prevalence_ap_and_half_auc():
    rng = np.random.default_rng(1)
    y = (rng.random(200_000) < 0.01).astype(int)
    s = rng.random(200_000)
    assert mt.roc_auc(y, s) == pytest.approx(0.5, abs=0.02)
    assert mt.average_precision(y, s) == pytest.approx(y.mean(), abs=0.003)


def test_ece_and_brier_by_hand():
    # two bins of 10 (n_bins=10): 0.25 -> bin 2, 0.95 -> bin 9
    conf = np.array([0.25, 0.25, 0.95, 0.95])
    correct = np.array([0.0, 1.0, 1.0, 1.0])
    # |0.5 - 0.25| * 2/4 + |1 - 0.95| * 2/4 = 0.125 + 0.025
    assert mt.expected_calibration_error(conf, correct, n_bins=10) == pytest.approx(0.15)
    assert mt.brier_score(np.array([0.8, 0.3]), np.array([1, 0])) == pytest.approx(
        (0.04 + 0.09) / 2
    )
    # multi-class: (0.7, 0.2, 0.1) with class 0: 0.09 + 0.04 + 0.01
    assert mt.brier_score(np.array([[0.7, 0.2, 0.1]]), np.array([0])) == pytest.approx(0.14)


def test_ece_is_small_for_calibrated_probabilities():
    rng = np.random.default_rng(2)
    p = rng.random(100_000)
    y = (rng.random(100_000) < p).astype(float)
    assert mt.expected_calibration_error(p, y) < 0.01
    assert mt.expected_calibration_error(np.sqrt(p), y) > 0.1  # over-confident for y = 1


def overconfident_logits(rng: np.random.Generator, n: int, T0: float):
    """Labels drawn from softmax(z); the model reports T0 * z (too confident for T0 > 1)."""
    z = rng.normal(scale=2.0, size=(n, 5))
    p = softmax(z, axis=1)
    y = (p.cumsum(axis=1) < rng.random((n, 1))).sum(axis=1)
    return T0 * z, y


def test_fit_temperature_recovers_known_temperature():
    logits, y = overconfident_logits(np.random.default_rng(3), 20_000, T0=2.5)
    t_fit = mt.fit_temperature(logits, y)
    assert t_fit == pytest.approx(2.5, rel=0.05)
    T = t_fit
    # the fitted T is a minimum of the NLL
    for t in (0.9 * T, 1.1 * T):
        assert mt.nll_at_temperature(logits, y, T) < mt.nll_at_temperature(logits, y, t)


def test_temperature_keeps_argmax_and_lowers_ece():
    logits, y = overconfident_logits(np.random.default_rng(4), 20_000, T0=3.0)
    T = mt.fit_temperature(logits, y)
    before, after = softmax(logits, axis=1), mt.calibrate(logits, T)
    np.testing.assert_array_equal(before.argmax(1), after.argmax(1))

    def ece(p: np.ndarray) -> float:
        return mt.expected_calibration_error(p.max(1), (p.argmax(1) == y).astype(float))

    assert ece(after) < 0.02 < 0.1 < ece(before)


def test_stratified_kfold_partitions_and_stratifies():
    rng = np.random.default_rng(5)
    y = np.r_[np.zeros(83, dtype=int), np.ones(17, dtype=int), np.full(7, 2)]
    folds = mt.stratified_kfold(y, 5, rng)
    tests = [test for _, test in folds]
    np.testing.assert_array_equal(np.sort(np.concatenate(tests)), np.arange(y.size))
    for train, test in folds:
        assert np.intersect1d(train, test).size == 0
        assert train.size + test.size == y.size
        for c, n_c in zip(*np.unique(y, return_counts=True), strict=True):
            assert np.sum(y[test] == c) in (n_c // 5, -(-n_c // 5))  # floor or ceil
    sizes = [t.size for t in tests]
    assert max(sizes) - min(sizes) <= 1


def test_two_proportion_ztest_by_hand():
    # 100/1000 vs 130/1000: pooled p = 0.115, se = sqrt(0.115 * 0.885 * 0.002) = 0.014267
    z, p = mt.two_proportion_ztest(100, 1000, 130, 1000)
    assert z == pytest.approx(0.03 / 0.0142671, rel=1e-5)  # 2.1027
    assert p == pytest.approx(0.03549, abs=2e-5)
    assert mt.two_proportion_ztest(50, 500, 50, 500) == (0.0, 1.0)


def test_normal_quantiles_and_sample_size_by_hand():
    assert mt.normal_ppf(0.975) == pytest.approx(1.959964, abs=1e-6)
    assert mt.normal_ppf(0.8) == pytest.approx(0.841621, abs=1e-6)
    # p = 0.1, delta = 0.01: 2 * (1.959964 + 0.841621)^2 * 0.09 / 1e-4 = 14127.98
    assert mt.sample_size_per_arm(0.09, 0.01) == 14128
    n = mt.sample_size_per_arm(1.0, 0.1)
    assert n == math.ceil(15.6978 * 100)  # the 16 sigma^2 / delta^2 rule, slightly rounded up
    assert mt.sample_size_per_arm(1.0, 0.05) == pytest.approx(4 * n, rel=1e-3)  # half delta: 4x n
