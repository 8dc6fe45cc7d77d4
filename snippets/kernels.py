"""Kernels and a kernel method (kernel ridge classification), for the XOR
figure in docs/*/notebooks/classical-ml.md.

A, B are (n, d) and (m, d) arrays of points, one per row.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


# --8<-- [start:kernels]
def rbf_kernel(A: Array, B: Array, gamma: float = 1.0) -> Array:
    """K_ij = exp(-gamma ||a_i - b_j||^2), shape (n, m); symmetric PSD when A = B.

    The squared distance is expanded as ||a||^2 - 2 a.b + ||b||^2 and clipped
    at 0, since rounding can make it slightly negative for a_i = b_j.
    """
    d2 = np.sum(A**2, axis=1)[:, None] - 2 * A @ B.T + np.sum(B**2, axis=1)[None, :]
    return np.exp(-gamma * np.maximum(d2, 0.0))


def poly_kernel(A: Array, B: Array, degree: int = 2, c: float = 1.0) -> Array:
    """K_ij = (a_i . b_j + c)^degree, shape (n, m)."""
    return (A @ B.T + c) ** degree


def xor_feature_map(X: Array) -> Array:
    """phi(x) = (x1, x2, x1 x2): (n, 2) -> (n, 3). In this space the XOR
    classes lie on the planes x1 x2 = +1 and x1 x2 = -1."""
    return np.column_stack([X[:, 0], X[:, 1], X[:, 0] * X[:, 1]])


# --8<-- [end:kernels]


# --8<-- [start:kernel_ridge]
def kernel_ridge_fit(K: Array, y: Array, lam: float = 1e-3) -> Array:
    """Dual coefficients alpha = (K + lam I)^{-1} y, shape (n,).

    Ridge regression on the labels y in {-1, +1} in the kernel's feature space:
    by the representer theorem f(x) = sum_i alpha_i k(x_i, x), so only the
    n x n Gram matrix K is needed, never phi itself. lam > 0 makes the system
    well posed even when K is singular.
    """
    return np.linalg.solve(K + lam * np.eye(K.shape[0]), y)


def kernel_ridge_decision(K_test: Array, alpha: Array) -> Array:
    """f(x) = sum_i alpha_i k(x_i, x) for K_test (m, n) = k(test, train);
    the predicted class is sign(f)."""
    return K_test @ alpha


# --8<-- [end:kernel_ridge]
