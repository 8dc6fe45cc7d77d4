"""Examples for docs/*/normalization.md: RMSNorm."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


# --8<-- [start:rmsnorm]
def rmsnorm(x: Array, g: Array, eps: float = 1e-6) -> Array:
    """x: (..., C), g: (C,). Divide each vector by its root mean square over the last axis."""
    rms = np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + eps)
    return x / rms * g


x = np.random.default_rng(0).normal(size=(2, 3, 8))  # (B, L, C)
y = rmsnorm(x, np.ones(8))
print(np.sqrt(np.mean(y**2, axis=-1)).round(4))  # RMS of every token is 1
# --8<-- [end:rmsnorm]
assert np.allclose(np.sqrt(np.mean(y**2, axis=-1)), 1.0, atol=1e-5)
assert np.allclose(rmsnorm(3.0 * x, np.ones(8)), y, atol=1e-5)  # invariant to rescaling x
# For a zero-mean x, RMSNorm is LayerNorm without beta.
xc = x - x.mean(axis=-1, keepdims=True)
layernorm = xc / np.sqrt(xc.var(axis=-1, keepdims=True) + 1e-6)
assert np.allclose(rmsnorm(xc, np.ones(8)), layernorm)
