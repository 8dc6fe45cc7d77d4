"""Examples for docs/*/losses.md: logsumexp by hand, and center loss."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from snippets.gradcheck import numerical_gradient

Array = NDArray[np.float64]

# --8<-- [start:logsumexp]
z = np.array([1000.0, 0.0, -1000.0])
with np.errstate(over="ignore"):
    naive = np.log(np.sum(np.exp(z)))  # inf: exp(1000) overflows
m = z.max()
stable = m + np.log(np.sum(np.exp(z - m)))  # 1000.0
print(naive, stable)
# --8<-- [end:logsumexp]
assert np.isinf(naive)
assert stable == 1000.0


# --8<-- [start:center_loss]
def center_loss(x: Array, y: NDArray[np.int_], centers: Array) -> tuple[float, Array]:
    """x: (m, D) features, y: (m,) int labels, centers: (K, D). Returns (L_C, dL_C/dx)."""
    diff = x - centers[y]
    return 0.5 * float(np.sum(diff**2)), diff


def update_centers(x: Array, y: NDArray[np.int_], centers: Array, alpha: float) -> None:
    """One step of c_j <- c_j - alpha * delta_c_j for every class j (in place)."""
    delta = np.zeros_like(centers)
    np.add.at(delta, y, centers[y] - x)  # sums repeated labels (fancy += would not)
    counts = np.bincount(y, minlength=centers.shape[0])
    centers -= alpha * delta / (1 + counts)[:, None]


# --8<-- [end:center_loss]
rng = np.random.default_rng(0)
x, y = rng.normal(size=(6, 2)), np.array([0, 0, 1, 1, 1, 0])
centers = np.zeros((3, 2))  # class 2 is absent from the batch
loss, dx = center_loss(x, y, centers)
assert np.allclose(dx, numerical_gradient(lambda v: center_loss(v, y, centers)[0], x))
update_centers(x, y, centers, alpha=1.0)
assert np.allclose(centers[0], x[y == 0].sum(axis=0) / 4)  # sum / (1 + count): 3 samples
assert np.allclose(centers[2], 0.0)  # an absent class does not move
assert center_loss(x, y, centers)[0] < loss
