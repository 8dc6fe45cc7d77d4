"""Examples for docs/*/regularization.md: mixup and the L1 proximal operator."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


# --8<-- [start:mixup]
def mixup(x: Array, y_onehot: Array, alpha: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """x: (N, ...) inputs, y_onehot: (N, C). Pairs each sample with a shuffled partner."""
    lam = rng.beta(alpha, alpha)
    perm = rng.permutation(x.shape[0])
    x_mix = lam * x + (1 - lam) * x[perm]
    y_mix = lam * y_onehot + (1 - lam) * y_onehot[perm]
    return x_mix, y_mix


# --8<-- [end:mixup]
rng = np.random.default_rng(0)
x = rng.normal(size=(8, 3, 4, 4))
y_onehot = np.eye(5)[rng.integers(5, size=8)]
x_mix, y_mix = mixup(x, y_onehot, alpha=0.2, rng=rng)
assert x_mix.shape == x.shape
assert y_mix.shape == y_onehot.shape
assert np.allclose(y_mix.sum(axis=1), 1.0)  # mixed labels are still distributions


# --8<-- [start:soft_threshold]
def soft_threshold(z: Array, lam: float) -> Array:
    """Proximal operator of lam * |w|: exact zeros wherever |z| <= lam."""
    return np.sign(z) * np.maximum(np.abs(z) - lam, 0.0)


# --8<-- [end:soft_threshold]
z = np.array([3.0, 0.5, -2.0, -0.2])
assert np.allclose(soft_threshold(z, 1.0), [2.0, 0.0, -1.0, 0.0])
# It minimises lam * |w| + (w - z)^2 / 2: compare with a fine grid search.
grid = np.linspace(-5, 5, 100_001)
best = [grid[np.argmin(1.0 * np.abs(grid) + (grid - zi) ** 2 / 2)] for zi in z]
assert np.allclose(soft_threshold(z, 1.0), best, atol=1e-4)
