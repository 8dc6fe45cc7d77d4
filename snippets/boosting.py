"""Trees and boosting for docs/*/ml/boosting.md and docs/*/notebooks/classical-ml.md:
impurities, a small CART regression tree, AdaBoost with stumps, gradient
boosting for squared loss, and XGBoost's leaf weight and split gain.

X is (n, d), y is (n,). Entropy is snippets.losses.entropy (in nats).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from snippets.losses import entropy

Array = NDArray[np.float64]


# --8<-- [start:impurity]
def gini(p: Array, axis: int = -1) -> Array:
    """Gini impurity 1 - sum_k p_k^2 along `axis`: the probability that two
    samples drawn with replacement have different classes."""
    return 1.0 - np.sum(p**2, axis=axis)


def misclassification(p: Array, axis: int = -1) -> Array:
    """1 - max_k p_k: the error of predicting the majority class."""
    return 1.0 - np.max(p, axis=axis)


def entropy_bits(p: Array, axis: int = -1) -> Array:
    """Entropy in bits: snippets.losses.entropy (nats) / ln 2."""
    return entropy(p, axis=axis) / np.log(2.0)


# --8<-- [end:impurity]


@dataclass
class Node:
    """A regression-tree node: a leaf if feature is None."""

    value: float
    feature: int | None = None
    threshold: float = 0.0
    left: Node | None = None
    right: Node | None = None


# --8<-- [start:tree]
def best_split(X: Array, r: Array, min_leaf: int = 1) -> tuple[int, float, float] | None:
    """Exact greedy split minimising the squared error of the two children.

    For every feature, sort once and scan all n - 1 cut points with prefix
    sums: SSE(S) = sum r^2 - (sum r)^2 / |S|, so the best cut maximises
    S_L^2 / n_L + S_R^2 / n_R. Returns (feature, threshold, sse decrease) or
    None if no split leaves min_leaf points on each side.
    """
    n, d = X.shape
    total = r.sum()
    parent = total**2 / n
    best: tuple[int, float, float] | None = None
    for j in range(d):
        order = np.argsort(X[:, j], kind="stable")
        xs, cs = X[order, j], np.cumsum(r[order])
        n_left = np.arange(1, n)
        score = cs[:-1] ** 2 / n_left + (total - cs[:-1]) ** 2 / (n - n_left)
        valid = (xs[1:] > xs[:-1]) & (n_left >= min_leaf) & (n - n_left >= min_leaf)
        if not valid.any():
            continue
        i = int(np.argmax(np.where(valid, score, -np.inf)))
        gain = float(score[i] - parent)
        if best is None or gain > best[2]:
            best = (j, 0.5 * (xs[i] + xs[i + 1]), gain)
    return best


def fit_tree(X: Array, r: Array, max_depth: int, min_leaf: int = 1) -> Node:
    """CART regression tree on targets r: leaves predict the mean of r."""
    node = Node(float(r.mean()))
    split = best_split(X, r, min_leaf) if max_depth > 0 else None
    if split is None or split[2] <= 1e-12:
        return node
    node.feature, node.threshold, _ = split
    mask = X[:, node.feature] <= node.threshold
    node.left = fit_tree(X[mask], r[mask], max_depth - 1, min_leaf)
    node.right = fit_tree(X[~mask], r[~mask], max_depth - 1, min_leaf)
    return node


def predict_tree(node: Node, X: Array) -> Array:
    """(n, d) -> (n,) leaf values."""
    if node.feature is None or node.left is None or node.right is None:
        return np.full(X.shape[0], node.value)
    mask = X[:, node.feature] <= node.threshold
    out = np.empty(X.shape[0])
    out[mask] = predict_tree(node.left, X[mask])
    out[~mask] = predict_tree(node.right, X[~mask])
    return out


# --8<-- [end:tree]


class Stump(NamedTuple):
    feature: int
    threshold: float
    polarity: float  # +1: predict +1 when x_j > threshold; -1: the reverse


def fit_stump(X: Array, y: Array, w: Array) -> tuple[Stump, float]:
    """Decision stump minimising the weighted error sum_i w_i [h(x_i) != y_i].

    y in {-1, +1}, w >= 0 summing to 1. Returns (stump, weighted error).
    Scans every feature and every midpoint, both polarities.
    """
    best, best_err = Stump(0, -np.inf, 1.0), np.inf
    for j in range(X.shape[1]):
        xs = np.unique(X[:, j])
        cuts = np.concatenate([[xs[0] - 1.0], 0.5 * (xs[1:] + xs[:-1])])
        for t in cuts:
            pred = np.where(X[:, j] > t, 1.0, -1.0)
            err = float(w @ (pred != y))
            for polarity, e in ((1.0, err), (-1.0, 1.0 - err)):
                if e < best_err:
                    best, best_err = Stump(j, float(t), polarity), e
    return best, best_err


def predict_stump(s: Stump, X: Array) -> Array:
    return s.polarity * np.where(X[:, s.feature] > s.threshold, 1.0, -1.0)


# --8<-- [start:adaboost]
def adaboost(
    X: Array, y: Array, n_rounds: int
) -> tuple[list[Stump], list[float], list[float], list[float]]:
    """AdaBoost.M1 with stumps (Freund & Schapire 1997); y in {-1, +1}.

    Each round: fit a stump to the weighted data (error eps_m), give it the
    vote alpha_m = 0.5 ln((1 - eps_m) / eps_m), then multiply the weight of
    every point by exp(-alpha_m y_i h_m(x_i)) and renormalise: mistakes gain
    weight, and the new weights make h_m's weighted error exactly 1/2.
    Returns (stumps, alphas, weighted errors eps_m, training exponential loss
    mean exp(-y F) after each round).
    """
    n = X.shape[0]
    w = np.full(n, 1.0 / n)
    F = np.zeros(n)
    stumps, alphas, errors, exp_loss = [], [], [], []
    for _ in range(n_rounds):
        stump, eps = fit_stump(X, y, w)
        eps = min(max(eps, 1e-12), 1 - 1e-12)  # a perfect stump would get alpha = inf
        alpha = 0.5 * np.log((1 - eps) / eps)
        h = predict_stump(stump, X)
        w = w * np.exp(-alpha * y * h)
        w /= w.sum()
        F += alpha * h
        stumps.append(stump)
        alphas.append(float(alpha))
        errors.append(eps)
        exp_loss.append(float(np.mean(np.exp(-y * F))))
    return stumps, alphas, errors, exp_loss


def adaboost_predict(stumps: list[Stump], alphas: list[float], X: Array) -> Array:
    """F(x) = sum_m alpha_m h_m(x); the class is sign(F)."""
    return sum(
        (a * predict_stump(s, X) for s, a in zip(stumps, alphas, strict=True)),
        start=np.zeros(X.shape[0]),
    )


# --8<-- [end:adaboost]


class GBResult(NamedTuple):
    f0: float
    trees: list[Node]
    lr: float
    residuals: list[Array]  # the targets r_m = y - F_{m-1} each tree was fitted to
    predictions: list[Array]  # F_m on the training set, m = 0..M


# --8<-- [start:gradient_boosting]
def gradient_boost(
    X: Array, y: Array, n_stages: int, lr: float = 0.1, max_depth: int = 2
) -> GBResult:
    """Gradient boosting for L = (y - F)^2 / 2 (Friedman 2001).

    F_0 = mean(y), the best constant. Stage m fits a regression tree h_m to
    the negative gradient -dL/dF = y - F_{m-1} (the residuals, for this loss)
    and adds F_m = F_{m-1} + lr * h_m. The tree's leaf means are already the
    line-search optimum for squared loss; lr < 1 (shrinkage) trades more
    stages for better generalisation.
    """
    F = np.full(y.shape, y.mean())
    trees, residuals, predictions = [], [], [F.copy()]
    for _ in range(n_stages):
        r = y - F  # pseudo-residuals = -dL/dF
        tree = fit_tree(X, r, max_depth)
        F = F + lr * predict_tree(tree, X)
        trees.append(tree)
        residuals.append(r)
        predictions.append(F.copy())
    return GBResult(float(y.mean()), trees, lr, residuals, predictions)


def gradient_boost_predict(model: GBResult, X: Array, n_stages: int | None = None) -> Array:
    """F_m(X) with the first n_stages trees (all of them by default)."""
    trees = model.trees[:n_stages]
    return model.f0 + model.lr * sum(
        (predict_tree(t, X) for t in trees), start=np.zeros(X.shape[0])
    )


# --8<-- [end:gradient_boosting]


# --8<-- [start:xgb_gain]
def leaf_weight(G: float, H: float, lam: float) -> float:
    """w* = -G / (H + lam), the minimiser of G w + (H + lam) w^2 / 2.

    G, H: sums over the leaf's samples of g_i = dL/dF and h_i = d^2L/dF^2.
    For squared loss (h_i = 1) it is the mean residual shrunk by lam.
    """
    return -G / (H + lam)


def leaf_score(G: float, H: float, lam: float) -> float:
    """G^2 / (H + lam): minus twice the leaf's optimal objective."""
    return G**2 / (H + lam)


def split_gain(GL: float, HL: float, GR: float, HR: float, lam: float, gamma: float) -> float:
    """Gain = [G_L^2/(H_L+lam) + G_R^2/(H_R+lam) - (G_L+G_R)^2/(H_L+H_R+lam)] / 2 - gamma.

    The drop in the regularised objective when one leaf becomes two; gamma is
    the price of the extra leaf, so a split with Gain <= 0 is not worth making.
    """
    parent = leaf_score(GL + GR, HL + HR, lam)
    return 0.5 * (leaf_score(GL, HL, lam) + leaf_score(GR, HR, lam) - parent) - gamma


def xgb_best_split(x: Array, g: Array, h: Array, lam: float, gamma: float) -> tuple[float, float]:
    """Exact greedy split of one feature x (n,): sort, prefix-sum g and h,
    evaluate split_gain at every cut. Returns (threshold, gain)."""
    order = np.argsort(x, kind="stable")
    xs, GL, HL = x[order], np.cumsum(g[order])[:-1], np.cumsum(h[order])[:-1]
    G, H = g.sum(), h.sum()
    gains = np.array(
        [split_gain(a, b, G - a, H - b, lam, gamma) for a, b in zip(GL, HL, strict=True)]
    )
    gains[xs[1:] == xs[:-1]] = -np.inf  # cannot cut between equal values
    i = int(np.argmax(gains))
    return float(0.5 * (xs[i] + xs[i + 1])), float(gains[i])


# --8<-- [end:xgb_gain]
