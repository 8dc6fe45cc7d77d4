"""Class imbalance and categorical encoding: SMOTE, class weights, prior
correction, out-of-fold target encoding and the hashing trick."""

from __future__ import annotations

import hashlib

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
IntArray = NDArray[np.int_]


# --8<-- [start:smote]
def smote(X_min: Array, n_new: int, k: int, rng: np.random.Generator) -> Array:
    """SMOTE (Chawla et al. 2002): n_new synthetic minority samples, (n_new, D).

    X_min: (n_min, D) minority-class samples only. Each synthetic point is
    x_i + lam * (x_j - x_i): a random minority sample x_i, one of its k nearest
    minority neighbours x_j, lam ~ U(0, 1), i.e. a point on the segment between them.
    """
    d2 = np.sum((X_min[:, None, :] - X_min[None, :, :]) ** 2, axis=-1)  # (n_min, n_min)
    np.fill_diagonal(d2, np.inf)  # a point is not its own neighbour
    neighbours = np.argsort(d2, axis=1)[:, :k]  # (n_min, k)
    i = rng.integers(0, X_min.shape[0], size=n_new)
    j = neighbours[i, rng.integers(0, k, size=n_new)]
    lam = rng.random((n_new, 1))
    return X_min[i] + lam * (X_min[j] - X_min[i])


# --8<-- [end:smote]


# --8<-- [start:class_weights]
def balanced_class_weights(y: IntArray, n_classes: int) -> Array:
    """w_c = n / (k n_c), as sklearn's class_weight="balanced": (n_classes,).

    Every class then carries the same total weight n / k, as if the data were
    balanced; the weights average to 1 over samples, so the loss scale (and a
    tuned learning rate) stays the same.
    """
    n_c = np.bincount(y, minlength=n_classes).astype(np.float64)
    return y.size / (n_classes * n_c)


def weighted_log_loss(p: Array, y: IntArray, w: Array) -> float:
    """Binary cross-entropy with class weights w (2,): mean_i w[y_i] * (-log p(y_i)).

    p: (N,) probability of class 1. In expectation this is the same objective as
    resampling class c at rate proportional to w[c], without duplicating rows.
    """
    p_y = np.where(y == 1, p, 1 - p)
    return float(np.mean(w[y] * -np.log(p_y)))


# --8<-- [end:class_weights]


# --8<-- [start:prior_correction]
def prior_correction(p: Array, pi_train: float, pi_true: float) -> Array:
    """Map P(y=1|x) learned at positive rate pi_train to the rate pi_true.

    Resampling changes the prior but not p(x|y), so by Bayes the odds scale by
    the ratio of prior odds:

        p' = p r1 / (p r1 + (1 - p) r0),  r1 = pi_true / pi_train,
                                          r0 = (1 - pi_true) / (1 - pi_train).
    """
    r1 = pi_true / pi_train
    r0 = (1 - pi_true) / (1 - pi_train)
    return p * r1 / (p * r1 + (1 - p) * r0)


# --8<-- [end:prior_correction]


# --8<-- [start:target_encoding]
def smoothed_means(cats: IntArray, y: Array, n_cats: int, m: float, prior: float) -> Array:
    """Per-category (sum_y + m prior) / (n_c + m): (n_cats,).

    The category mean shrunk towards the prior with the weight of m pseudo-rows;
    a category never seen gets exactly the prior.
    """
    sums = np.bincount(cats, weights=y, minlength=n_cats)
    counts = np.bincount(cats, minlength=n_cats)
    return (sums + m * prior) / (counts + m)


def target_encode_oof(
    cats: IntArray, y: Array, n_cats: int, m: float, n_folds: int, rng: np.random.Generator
) -> Array:
    """Out-of-fold target encoding of the training rows: (N,).

    Each row's value is computed from the other folds only (both the category
    statistics and the prior), so a row's own target never enters its encoding.
    Test rows are encoded with smoothed_means fitted on all training rows.
    """
    fold = rng.permutation(cats.size) % n_folds
    enc = np.empty(cats.size)
    for f in range(n_folds):
        fit, apply = fold != f, fold == f
        prior = float(y[fit].mean())
        enc[apply] = smoothed_means(cats[fit], y[fit], n_cats, m, prior)[cats[apply]]
    return enc


def target_encode_loo(cats: IntArray, y: Array, n_cats: int, m: float) -> Array:
    """Leave-one-out encoding (sum_y - y_i + m prior) / (n_c - 1 + m): (N,).

    Shown as the pitfall: within a category, the encoding is a decreasing
    function of the row's own y_i, so a model can read the label back from it.
    """
    prior = float(y.mean())
    sums = np.bincount(cats, weights=y, minlength=n_cats)
    counts = np.bincount(cats, minlength=n_cats)
    return (sums[cats] - y + m * prior) / (counts[cats] - 1 + m)


# --8<-- [end:target_encoding]


# --8<-- [start:hashing]
def _hash(s: str) -> int:
    """A stable 64-bit hash (Python's hash() of a str changes between processes)."""
    return int.from_bytes(hashlib.md5(s.encode()).digest()[:8], "little")


def hash_indices(values: list[str], n_features: int) -> tuple[IntArray, Array]:
    """Hashing trick (Weinberger et al. 2009): the column and sign of each value, (N,) each.

    Value v goes to column h(v) mod n_features with sign +-1 from another bit
    of h(v). No vocabulary is stored and unseen values still get a column;
    different values may collide in one column, and the random sign makes
    colliding values cancel on average instead of always adding up.
    """
    h = np.array([_hash(v) for v in values], dtype=np.uint64)
    cols = (h % np.uint64(n_features)).astype(np.int_)
    signs = np.where((h >> np.uint64(63)) & np.uint64(1), 1.0, -1.0)
    return cols, signs


def hash_encode(values: list[str], n_features: int) -> Array:
    """Dense (N, n_features) version for small n_features (a real one is sparse)."""
    cols, signs = hash_indices(values, n_features)
    X = np.zeros((len(values), n_features))
    X[np.arange(len(values)), cols] = signs
    return X


# --8<-- [end:hashing]
