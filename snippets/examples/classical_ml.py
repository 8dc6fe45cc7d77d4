"""Examples for docs/*/classical-ml.md: a kernel SVM on XOR, lasso vs ridge, tree splits."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from snippets.examples.regularization import soft_threshold

Array = NDArray[np.float64]

# --8<-- [start:kernel_xor]
X = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
y = np.array([-1, -1, 1, 1])  # XOR: +1 iff the two signs differ


def phi(x: Array) -> Array:
    """Explicit feature map of the kernel (x.z + 1)^2 for 2-D x."""
    x1, x2 = x
    r2 = np.sqrt(2.0)
    return np.array([x1**2, x2**2, r2 * x1 * x2, r2 * x1, r2 * x2, 1.0])


def poly_kernel(x: Array, z: Array, degree: int = 2, c: float = 1.0) -> float:
    return float((x @ z + c) ** degree)


K = np.array([[poly_kernel(a, b) for b in X] for a in X])
Phi = np.array([phi(x) for x in X])
print(np.allclose(K, Phi @ Phi.T))  # True: the kernel is an inner product in feature space

alpha = np.full(4, 1 / 8)  # dual solution: all four points are support vectors


def f(x: Array) -> float:
    return float(sum(a * yi * poly_kernel(xi, x) for a, yi, xi in zip(alpha, y, X, strict=True)))


print([f(x) for x in X])  # [-1.0, -1.0, 1.0, 1.0] == -x1 * x2
# --8<-- [end:kernel_xor]
assert np.allclose(K, Phi @ Phi.T)
assert np.allclose([f(x) for x in X], y)  # every point sits exactly on the margin
assert np.isclose(alpha @ y, 0.0)  # the dual constraint sum_i alpha_i y_i = 0

# --8<-- [start:lasso_vs_ridge]
z = np.array([3.0, 0.5, -2.0, -0.2])
print(soft_threshold(z, 1.0))  # [ 2.  0. -1. -0.]  -> exact zeros
print(z / (1 + 1.0))  # ridge: [ 1.5   0.25 -1.   -0.1 ] -> never zero
# --8<-- [end:lasso_vs_ridge]
assert np.count_nonzero(soft_threshold(z, 1.0)) == 2
assert np.count_nonzero(z / (1 + 1.0)) == 4


# --8<-- [start:info_gain]
def entropy(y: NDArray[np.int_]) -> float:
    """Entropy in bits of the label distribution of y."""
    _, counts = np.unique(y, return_counts=True)
    p = counts / counts.sum()
    return float(-np.sum(p * np.log2(p)))


def info_gain(y: NDArray[np.int_], a: NDArray[np.str_]) -> float:
    """Information gain of splitting labels y by a categorical feature a."""
    values, counts = np.unique(a, return_counts=True)
    w = counts / counts.sum()
    h_cond = sum(w_v * entropy(y[a == v]) for v, w_v in zip(values, w, strict=True))
    return entropy(y) - h_cond


weather = np.array(["sunny"] * 4 + ["cloudy"] * 3 + ["rainy"] * 3)
y = np.array([1, 0, 0, 0, 1, 1, 1, 1, 1, 0])
print(round(entropy(y), 3), round(info_gain(y, weather), 3))  # 0.971 0.371
# --8<-- [end:info_gain]
assert round(entropy(y), 3) == 0.971
assert round(info_gain(y, weather), 3) == 0.371


# --8<-- [start:gain_ratio]
def gain_ratio(y: NDArray[np.int_], a: NDArray[np.str_]) -> float:
    _, counts = np.unique(a, return_counts=True)
    w = counts / counts.sum()
    split_info = -np.sum(w * np.log2(w))
    return info_gain(y, a) / split_info if split_info > 0 else 0.0


print(round(gain_ratio(y, weather), 3))  # 0.236
# --8<-- [end:gain_ratio]
assert round(gain_ratio(y, weather), 3) == 0.236


# --8<-- [start:gini]
def gini(y: NDArray[np.int_]) -> float:
    _, counts = np.unique(y, return_counts=True)
    p = counts / counts.sum()
    return float(1.0 - np.sum(p**2))


def gini_split(y: NDArray[np.int_], left: NDArray[np.bool_]) -> float:
    """Weighted Gini impurity of a binary split; left is the boolean mask of the left child."""
    w = left.mean()
    return w * gini(y[left]) + (1 - w) * gini(y[~left])


for v in ["sunny", "cloudy", "rainy"]:
    print(v, round(gini_split(y, weather == v), 3))  # 0.317, 0.343, 0.476
# --8<-- [end:gini]
assert [round(gini_split(y, weather == v), 3) for v in ["sunny", "cloudy", "rainy"]] == [
    0.317,
    0.343,
    0.476,
]
