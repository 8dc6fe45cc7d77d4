"""Imbalance and encoding: SMOTE geometry, class weights, prior correction,
out-of-fold target encoding without self-leakage, and the hashing trick."""

import numpy as np
import pytest

from snippets import imbalance as im


def test_smote_points_lie_between_minority_neighbours():
    rng = np.random.default_rng(0)
    X_min = rng.normal(size=(20, 2))
    new = im.smote(X_min, 200, k=3, rng=np.random.default_rng(1))
    assert new.shape == (200, 2)
    # each new point is on a segment x_i -> x_j: collinear with some pair, between them
    found = 0
    for x in new:
        for i in range(20):
            d = X_min - X_min[i]
            t = np.einsum("jd,d->j", d, x - X_min[i]) / np.maximum(np.sum(d**2, 1), 1e-300)
            resid = np.linalg.norm(X_min[i] + t[:, None] * d - x, axis=1)
            if np.any((resid < 1e-9) & (t >= 0) & (t <= 1)):
                found += 1
                break
    assert found == 200
    # seeded: the same rng gives the same points
    np.testing.assert_array_equal(new, im.smote(X_min, 200, k=3, rng=np.random.default_rng(1)))


def test_smote_uses_only_the_k_nearest_neighbours():
    # two far-apart minority clusters: with k = 2 no synthetic point bridges the gap
    X_min = np.array([[0.0, 0], [0.1, 0], [0, 0.1], [10, 10], [10.1, 10], [10, 10.1]])
    new = im.smote(X_min, 500, k=2, rng=np.random.default_rng(2))
    assert np.all((new.max(axis=1) < 0.2) | (new.min(axis=1) > 9.9))


def test_balanced_class_weights():
    y = np.array([0] * 90 + [1] * 10)
    w = im.balanced_class_weights(y, 2)
    np.testing.assert_allclose(w, [100 / 180, 100 / 20])
    totals = np.bincount(y, weights=w[y])
    np.testing.assert_allclose(totals, [50, 50])  # each class carries n / k
    assert np.mean(w[y]) == pytest.approx(1.0)


def test_class_weights_match_resampling_in_expectation():
    # duplicating every positive 9 times gives the same mean loss as weight 9
    rng = np.random.default_rng(3)
    y = (rng.random(50) < 0.2).astype(int)
    p = rng.uniform(0.05, 0.95, 50)
    weighted = im.weighted_log_loss(p, y, np.array([1.0, 9.0])) * y.size
    rep = np.where(y == 1, 9, 1)
    resampled = im.weighted_log_loss(np.repeat(p, rep), np.repeat(y, rep), np.ones(2))
    assert weighted == pytest.approx(resampled * rep.sum())


def test_prior_correction_by_bayes():
    # p(x|y) fixed; posterior at prior pi is pi f1 / (pi f1 + (1 - pi) f0)
    f1, f0 = np.array([0.3, 2.0, 0.9]), np.array([1.2, 0.4, 0.9])

    def post(pi: float) -> np.ndarray:
        return pi * f1 / (pi * f1 + (1 - pi) * f0)

    np.testing.assert_allclose(im.prior_correction(post(0.5), 0.5, 0.01), post(0.01))
    np.testing.assert_allclose(im.prior_correction(post(0.01), 0.01, 0.3), post(0.3))
    np.testing.assert_allclose(im.prior_correction(post(0.2), 0.2, 0.2), post(0.2))  # no-op
    # by hand: p = 0.5 at a balanced training prior means likelihood ratio 1 -> p' = pi_true
    assert im.prior_correction(np.array([0.5]), 0.5, 0.01)[0] == pytest.approx(0.01)


def test_smoothed_means_by_hand():
    cats = np.array([0, 0, 0, 1])
    y = np.array([1.0, 1.0, 0.0, 1.0])
    enc = im.smoothed_means(cats, y, 3, m=2.0, prior=0.5)
    # cat 0: (2 + 1) / (3 + 2) = 0.6; cat 1: (1 + 1) / (1 + 2); unseen cat 2: the prior
    np.testing.assert_allclose(enc, [0.6, 2 / 3, 0.5])


def test_oof_target_encoding_never_sees_own_target():
    rng = np.random.default_rng(4)
    n = 200
    cats = rng.integers(0, 8, n)
    y = (rng.random(n) < 0.3).astype(float)
    enc = im.target_encode_oof(cats, y, 8, m=5.0, n_folds=5, rng=np.random.default_rng(7))
    for i in rng.choice(n, 20, replace=False):
        y2 = y.copy()
        y2[i] = 1 - y2[i]
        enc2 = im.target_encode_oof(cats, y2, 8, m=5.0, n_folds=5, rng=np.random.default_rng(7))
        assert enc2[i] == enc[i]  # exactly: y_i is in neither the category mean nor the prior
        assert not np.array_equal(enc2, enc)  # but it does enter other folds' rows


def test_leave_one_out_leaks_the_label():
    # one category, pure noise labels: within it, LOO encoding separates y perfectly
    rng = np.random.default_rng(5)
    y = (rng.random(100) < 0.5).astype(float)
    enc = im.target_encode_loo(np.zeros(100, dtype=int), y, 1, m=0.0)
    assert enc[y == 1].max() < enc[y == 0].min()


def test_hash_encode_is_stable_and_signed():
    X = im.hash_encode(["a", "b", "a", "zzz"], 16)
    assert X.shape == (4, 16)
    np.testing.assert_array_equal(X[0], X[2])  # same value, same column and sign
    assert np.all(np.abs(X).sum(axis=1) == 1)  # one +-1 entry per row
    np.testing.assert_array_equal(X, im.hash_encode(["a", "b", "a", "zzz"], 16))


def test_hash_collisions_follow_the_birthday_count():
    values = [f"user_{i}" for i in range(1000)]
    cols = np.abs(im.hash_encode(values, 1024)).argmax(axis=1)
    n_distinct = np.unique(cols).size
    expected = 1024 * (1 - (1 - 1 / 1024) ** 1000)  # about 623 occupied columns
    assert abs(n_distinct - expected) < 30


def test_hash_signs_are_balanced_and_match_dense():
    values = [f"item_{i}" for i in range(2000)]
    cols, signs = im.hash_indices(values, 64)
    assert abs(np.mean(signs)) < 0.1  # the sign bit is fair, so collisions cancel on average
    X = im.hash_encode(values[:50], 64)
    np.testing.assert_array_equal(X[np.arange(50), cols[:50]], signs[:50])
