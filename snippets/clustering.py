"""k-means (Lloyd) with k-means++ seeding, and Gaussian mixtures fitted by EM,
for docs/*/ml/models.md and docs/*/notebooks/classical-ml.md.

X is (n, d), one sample per row; k is the number of clusters / components.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
IntArray = NDArray[np.int_]


def squared_distances(X: Array, centers: Array) -> Array:
    """(n, d), (k, d) -> (n, k) squared Euclidean distances."""
    return np.sum((X[:, None, :] - centers[None, :, :]) ** 2, axis=2)


# --8<-- [start:kmeans_pp]
def kmeans_pp_init(X: Array, k: int, rng: np.random.Generator) -> Array:
    """k-means++ seeding (Arthur & Vassilvitskii 2007). Returns (k, d) centres.

    The first centre is a uniformly random point; each next one is drawn with
    probability D(x)^2 / sum D^2, D(x) being the distance to the nearest centre
    chosen so far. A point already chosen has D = 0, so it is never drawn
    twice; far-away clusters are likely to get a centre. In expectation the
    seeding alone is within 8 (ln k + 2) of the optimal objective.
    """
    n = X.shape[0]
    centers = [X[rng.integers(n)]]
    d2 = squared_distances(X, np.array(centers))[:, 0]
    for _ in range(1, k):
        idx = rng.choice(n, p=d2 / d2.sum())
        centers.append(X[idx])
        d2 = np.minimum(d2, np.sum((X - X[idx]) ** 2, axis=1))
    return np.array(centers)


# --8<-- [end:kmeans_pp]


class KMeansResult(NamedTuple):
    centers: Array  # (k, d)
    labels: IntArray  # (n,)
    inertia: list[float]  # objective J after each assignment step
    history: list[Array]  # centres before each iteration, then the final ones


# --8<-- [start:kmeans]
def kmeans_objective(X: Array, centers: Array, labels: IntArray) -> float:
    """J = sum_i ||x_i - mu_{c_i}||^2 (the within-cluster sum of squares)."""
    return float(np.sum((X - centers[labels]) ** 2))


def kmeans(
    X: Array,
    k: int,
    rng: np.random.Generator,
    n_iter: int = 100,
    init: Array | None = None,
) -> KMeansResult:
    """Lloyd's algorithm: alternate the two steps that each minimise J.

    Assignment: c_i = argmin_j ||x_i - mu_j||^2 (best labels for fixed centres).
    Update: mu_j = mean of the points labelled j (best centres for fixed labels).
    Neither step can increase J, and there are finitely many partitions, so it
    stops, at a local minimum that depends on the initial centres. A cluster
    that loses all its points keeps its old centre.
    """
    centers = kmeans_pp_init(X, k, rng) if init is None else init.astype(float).copy()
    history, inertia = [centers.copy()], []
    labels = np.full(X.shape[0], -1)
    for _ in range(n_iter):
        new_labels = np.argmin(squared_distances(X, centers), axis=1)
        inertia.append(kmeans_objective(X, centers, new_labels))
        if np.array_equal(new_labels, labels):
            break  # assignments unchanged: the update would change nothing
        labels = new_labels
        for j in range(k):
            if np.any(labels == j):
                centers[j] = X[labels == j].mean(axis=0)
        history.append(centers.copy())
    return KMeansResult(centers, labels, inertia, history)


# --8<-- [end:kmeans]


def silhouette_score(X: Array, labels: IntArray) -> float:
    """Mean over points of s = (b - a) / max(a, b).

    a: mean distance to the other points of its own cluster; b: mean distance
    to the points of the nearest other cluster. s is near 1 for a point well
    inside its cluster, near 0 on a border, negative if it is closer to
    another cluster. O(n^2) memory: for small examples only.
    """
    D = np.sqrt(squared_distances(X, X))
    ks = np.unique(labels)
    s = np.zeros(X.shape[0])
    for i in range(X.shape[0]):
        own = labels == labels[i]
        if own.sum() == 1:
            continue  # a singleton cluster has s = 0 by convention
        a = D[i, own].sum() / (own.sum() - 1)
        b = min(D[i, labels == c].mean() for c in ks if c != labels[i])
        s[i] = (b - a) / max(a, b)
    return float(s.mean())


class GMM(NamedTuple):
    weights: Array  # (k,), mixing proportions pi_j, summing to 1
    means: Array  # (k, d)
    covs: Array  # (k, d, d)


# --8<-- [start:gmm_estep]
def log_gaussian(X: Array, mean: Array, cov: Array) -> Array:
    """log N(x; mean, cov) for every row of X (n, d). Returns (n,).

    Through the Cholesky factor L (cov = L L^T): log|cov| = 2 sum log diag L,
    and the Mahalanobis term is ||L^{-1}(x - mean)||^2, with no explicit inverse.
    """
    d = X.shape[1]
    L = np.linalg.cholesky(cov)
    sol = np.linalg.solve(L, (X - mean).T)  # (d, n)
    maha = np.sum(sol**2, axis=0)
    return -0.5 * (d * np.log(2 * np.pi) + maha) - np.sum(np.log(np.diag(L)))


def logsumexp(a: Array, axis: int) -> Array:
    """log sum exp along axis, shifted by the maximum so that exp cannot overflow."""
    m = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(m, axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def e_step(X: Array, gmm: GMM) -> tuple[Array, float]:
    """Responsibilities gamma (n, k) and the log-likelihood sum_i log p(x_i).

    gamma_ij = pi_j N(x_i | mu_j, Sigma_j) / sum_l pi_l N(x_i | mu_l, Sigma_l),
    computed in log space: densities of far-away points underflow to 0 in
    float64 (e^-800), and 0/0 would give nan.
    """
    log_joint = np.stack(
        [np.log(w) + log_gaussian(X, m, c) for w, m, c in zip(*gmm, strict=True)], axis=1
    )  # (n, k): log pi_j + log N(x_i | j)
    log_px = logsumexp(log_joint, axis=1)  # (n,)
    return np.exp(log_joint - log_px[:, None]), float(log_px.sum())


# --8<-- [end:gmm_estep]


# --8<-- [start:gmm_mstep]
def m_step(X: Array, gamma: Array, diagonal: bool = False, reg: float = 1e-6) -> GMM:
    """Weighted maximum likelihood given the responsibilities gamma (n, k).

    N_j = sum_i gamma_ij, pi_j = N_j / n, mu_j = sum_i gamma_ij x_i / N_j,
    Sigma_j = sum_i gamma_ij (x_i - mu_j)(x_i - mu_j)^T / N_j. reg * I keeps
    Sigma_j invertible when a component collapses onto very few points (the
    likelihood is unbounded there: a degenerate, not a better, solution).
    """
    n, d = X.shape
    N = gamma.sum(axis=0)  # (k,)
    means = gamma.T @ X / N[:, None]
    covs = np.empty((gamma.shape[1], d, d))
    for j in range(gamma.shape[1]):
        diff = X - means[j]
        covs[j] = (gamma[:, j, None] * diff).T @ diff / N[j]
        if diagonal:
            covs[j] = np.diag(np.diag(covs[j]))
        covs[j] += reg * np.eye(d)
    return GMM(N / n, means, covs)


# --8<-- [end:gmm_mstep]


class EMResult(NamedTuple):
    gmm: GMM
    gamma: Array  # (n, k) final responsibilities
    log_likelihood: list[float]  # before each M-step; never decreases
    history: list[GMM]  # parameters before each iteration, then the final ones


# --8<-- [start:gmm_em]
def gmm_em(
    X: Array,
    k: int,
    rng: np.random.Generator,
    n_iter: int = 100,
    tol: float = 1e-6,
    diagonal: bool = False,
) -> EMResult:
    """EM for a k-component Gaussian mixture, started from k-means++ centres
    with equal weights and the data's covariance for every component.

    Each iteration cannot decrease the log-likelihood (Dempster et al. 1977);
    it stops when the gain per point falls below tol.
    """
    n, d = X.shape
    cov0 = np.cov(X.T) + 1e-6 * np.eye(d)
    if diagonal:
        cov0 = np.diag(np.diag(cov0))
    gmm = GMM(np.full(k, 1 / k), kmeans_pp_init(X, k, rng), np.repeat(cov0[None], k, axis=0))
    history, ll = [gmm], []
    for _ in range(n_iter):
        gamma, log_lik = e_step(X, gmm)
        ll.append(log_lik)
        if len(ll) > 1 and ll[-1] - ll[-2] < tol * n:
            break
        gmm = m_step(X, gamma, diagonal)
        history.append(gmm)
    return EMResult(gmm, gamma, ll, history)


# --8<-- [end:gmm_em]
