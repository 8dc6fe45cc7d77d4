"""Classical models for docs/*/ml/models.md: logistic and softmax regression,
PCA via SVD, kNN, Gaussian and multinomial naive Bayes, polynomial least squares.

Conventions: X is (n, d) with one sample per row, y is (n,); w is (d,). A bias
is a column of ones appended to X by the caller (add_bias), so that every
formula reads X w without a separate b.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from snippets.activations import log_softmax, sigmoid, softmax, softplus

Array = NDArray[np.float64]
IntArray = NDArray[np.int_]


def add_bias(X: Array) -> Array:
    """(n, d) -> (n, d + 1): a last column of ones plays the role of b."""
    return np.hstack([X, np.ones((X.shape[0], 1))])


# --8<-- [start:logistic_loss]
def logistic_loss(w: Array, X: Array, y: Array, lam: float = 0.0) -> tuple[float, Array]:
    """Mean negative log-likelihood of logistic regression, plus (lam/2)||w||^2.

    w: (d,), X: (n, d), y: (n,) in {0, 1}. Returns (loss, dw), dw of shape (d,).
    With z = X w and p = sigma(z), -[y log p + (1-y) log(1-p)] = softplus(z) - y z,
    which never takes log(0). Its gradient is X^T (sigma(X w) - y) / n: the
    sigmoid's derivative cancels against the log, so no sigma'(z) factor remains.
    """
    n = X.shape[0]
    z = X @ w
    loss = np.mean(softplus(z) - y * z) + 0.5 * lam * float(w @ w)
    dw = X.T @ (sigmoid(z) - y) / n + lam * w
    return float(loss), dw


# --8<-- [end:logistic_loss]


# --8<-- [start:logistic_fit]
def logistic_fit(
    X: Array, y: Array, lr: float = 0.5, steps: int = 500, lam: float = 0.0
) -> tuple[Array, list[float]]:
    """Full-batch gradient descent from w = 0. Returns (w, loss per step).

    The loss is convex in w, so any local minimum is global; with separable
    data and lam = 0 there is no minimum at all (||w|| grows forever), which
    is one reason to regularise.
    """
    w = np.zeros(X.shape[1])
    history = []
    for _ in range(steps):
        loss, dw = logistic_loss(w, X, y, lam)
        history.append(loss)
        w -= lr * dw
    return w, history


# --8<-- [end:logistic_fit]


# --8<-- [start:sigmoid_mse_loss]
def sigmoid_mse_loss(w: Array, X: Array, y: Array) -> tuple[float, Array]:
    """Mean of (sigma(X w) - y)^2 / 2, for comparison with logistic_loss.

    dw = X^T [(p - y) p (1 - p)] / n: the extra factor sigma'(z) = p (1 - p)
    vanishes when the model is confidently wrong (p ~ 0 with y = 1).
    """
    p = sigmoid(X @ w)
    loss = 0.5 * np.mean((p - y) ** 2)
    dw = X.T @ ((p - y) * p * (1 - p)) / X.shape[0]
    return float(loss), dw


# --8<-- [end:sigmoid_mse_loss]


# --8<-- [start:softmax_loss]
def softmax_regression_loss(W: Array, X: Array, y: IntArray) -> tuple[float, Array]:
    """Mean cross-entropy of softmax regression.

    W: (d, K), X: (n, d), y: (n,) ints in [0, K). Returns (loss, dW), dW (d, K).
    dW = X^T (P - Y) / n with P = softmax(X W) and Y one-hot: the multiclass
    form of X^T (sigma(X w) - y) / n.
    """
    n = X.shape[0]
    Z = X @ W
    loss = -np.mean(log_softmax(Z, axis=1)[np.arange(n), y])
    P = softmax(Z, axis=1)
    P[np.arange(n), y] -= 1.0
    return float(loss), X.T @ P / n


# --8<-- [end:softmax_loss]


class PCAResult(NamedTuple):
    mean: Array  # (d,)
    components: Array  # (k, d), orthonormal rows: the principal directions
    explained_variance: Array  # (k,), variance along each component
    explained_variance_ratio: Array  # (k,), sigma_i^2 / sum_j sigma_j^2


# --8<-- [start:pca]
def pca_svd(X: Array, k: int) -> PCAResult:
    """PCA of X (n, d) with k components, by the thin SVD of the centred data.

    Xc = U S V^T. Xc^T Xc / (n-1) = V (S^2 / (n-1)) V^T, so the rows of V^T are
    the covariance's eigenvectors and S^2 / (n-1) its eigenvalues, without ever
    forming Xc^T Xc (which squares the condition number).
    """
    mean = X.mean(axis=0)
    Xc = X - mean
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    var = S**2 / (X.shape[0] - 1)
    return PCAResult(mean, Vt[:k], var[:k], var[:k] / var.sum())


def pca_transform(X: Array, pca: PCAResult) -> Array:
    """(n, d) -> (n, k) scores: coordinates along the components."""
    return (X - pca.mean) @ pca.components.T


def pca_reconstruct(Z: Array, pca: PCAResult) -> Array:
    """(n, k) scores -> (n, d): the projection of X onto the k-dim subspace."""
    return Z @ pca.components + pca.mean


# --8<-- [end:pca]


# --8<-- [start:knn]
def knn_predict(X_train: Array, y_train: IntArray, X_test: Array, k: int) -> IntArray:
    """Majority vote among the k nearest training points (Euclidean distance).

    X_train (n, d), y_train (n,) ints, X_test (m, d). Returns (m,) ints; a tie
    goes to the smallest label (np.argmax takes the first maximum).
    ||a - b||^2 = ||a||^2 - 2 a.b + ||b||^2 gives all m x n distances with one
    matrix product: brute force is O(m n d), with no training cost.
    """
    d2 = (
        np.sum(X_test**2, axis=1)[:, None]
        - 2 * X_test @ X_train.T
        + np.sum(X_train**2, axis=1)[None, :]
    )
    nearest = np.argpartition(d2, k - 1, axis=1)[:, :k]  # (m, k), unordered
    votes = y_train[nearest]
    n_classes = int(y_train.max()) + 1
    counts = np.apply_along_axis(np.bincount, 1, votes, minlength=n_classes)
    return np.argmax(counts, axis=1)


# --8<-- [end:knn]


class GaussianNB(NamedTuple):
    log_prior: Array  # (K,)
    mean: Array  # (K, d)
    var: Array  # (K, d)


# --8<-- [start:gaussian_nb]
def gaussian_nb_fit(X: Array, y: IntArray, var_smoothing: float = 1e-9) -> GaussianNB:
    """Per class k: prior n_k / n, and per feature a mean and a variance.

    var_smoothing * (largest feature variance) is added to every variance, so
    a feature that is constant within a class does not give a zero variance
    (an infinitely peaked density). X (n, d), y (n,) ints in [0, K).
    """
    classes = np.arange(int(y.max()) + 1)
    mean = np.array([X[y == c].mean(axis=0) for c in classes])
    var = np.array([X[y == c].var(axis=0) for c in classes])
    var += var_smoothing * X.var(axis=0).max()
    log_prior = np.log(np.bincount(y) / y.size)
    return GaussianNB(log_prior, mean, var)


def gaussian_nb_log_joint(model: GaussianNB, X: Array) -> Array:
    """log p(y=k) + sum_j log N(x_j; mu_kj, var_kj), shape (m, K).

    The naive assumption is the sum over j: features are independent given
    the class, so the joint likelihood factorises into d one-dim Gaussians.
    """
    diff2 = (X[:, None, :] - model.mean[None]) ** 2  # (m, K, d)
    log_lik = -0.5 * np.sum(np.log(2 * np.pi * model.var) + diff2 / model.var, axis=2)
    return model.log_prior + log_lik


def gaussian_nb_predict_proba(model: GaussianNB, X: Array) -> Array:
    """Posterior p(y=k | x), (m, K): a softmax over the log joint (Bayes' rule)."""
    return softmax(gaussian_nb_log_joint(model, X), axis=1)


# --8<-- [end:gaussian_nb]


# --8<-- [start:multinomial_nb]
def multinomial_nb_fit(counts: Array, y: IntArray, alpha: float = 1.0) -> tuple[Array, Array]:
    """Word-count naive Bayes with Laplace (add-alpha) smoothing.

    counts: (n, V) term counts, y: (n,) ints. Returns (log_prior (K,),
    log_theta (K, V)), theta_kv = (N_kv + alpha) / (N_k + alpha V): a word never
    seen in class k gets a small probability instead of 0, which would veto
    the class for every document containing it.
    """
    K, V = int(y.max()) + 1, counts.shape[1]
    N_kv = np.array([counts[y == k].sum(axis=0) for k in range(K)])  # (K, V)
    theta = (N_kv + alpha) / (N_kv.sum(axis=1, keepdims=True) + alpha * V)
    return np.log(np.bincount(y) / y.size), np.log(theta)


def multinomial_nb_predict(log_prior: Array, log_theta: Array, counts: Array) -> IntArray:
    """argmax_k log p(k) + sum_v count_v log theta_kv, for counts (m, V)."""
    return np.argmax(log_prior + counts @ log_theta.T, axis=1)


# --8<-- [end:multinomial_nb]


# --8<-- [start:poly_fit]
def poly_features(x: Array, degree: int) -> Array:
    """(n,) -> (n, degree + 1) Vandermonde matrix [1, x, x^2, ..., x^degree]."""
    return np.vander(x, degree + 1, increasing=True)


def poly_fit(x: Array, y: Array, degree: int) -> Array:
    """Least-squares coefficients (degree + 1,) of a polynomial in x.

    np.linalg.lstsq works through an SVD, so it stays usable when the
    Vandermonde columns are nearly collinear (high degree on [-1, 1]).
    """
    coef, *_ = np.linalg.lstsq(poly_features(x, degree), y, rcond=None)
    return coef


def poly_predict(coef: Array, x: Array) -> Array:
    return poly_features(x, coef.size - 1) @ coef


# --8<-- [end:poly_fit]
