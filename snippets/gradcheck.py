"""Central finite differences, the ground truth every backward pass is tested against."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray


# --8<-- [start:numerical_gradient]
def numerical_gradient(
    f: Callable[[NDArray[np.float64]], float], x: NDArray[np.float64], h: float = 1e-5
) -> NDArray[np.float64]:
    """d f / d x for a scalar function f by central differences.

    x: any shape; it is perturbed in place and restored, so f must read it
    (not a copy made before the call). Returns an array shaped like x.
    The error of (f(x+h) - f(x-h)) / 2h is O(h^2), versus O(h) one-sided.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(
    f: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    x: NDArray[np.float64],
    dout: NDArray[np.float64],
    h: float = 1e-5,
) -> NDArray[np.float64]:
    """d L / d x for L = sum(f(x) * dout): the vector-Jacobian product a
    backward pass computes, given the upstream gradient dout (shaped like f(x)).
    Returns an array shaped like x.
    """
    return numerical_gradient(lambda z: float(np.sum(f(z) * dout)), x, h)


# --8<-- [end:numerical_gradient]
