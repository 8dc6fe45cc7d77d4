"""Weight initializers for a dense layer y = x W, W of shape (fan_in, fan_out).

The goal of each: keep the variance of activations (forward) and of
gradients (backward) roughly constant from layer to layer.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray


# --8<-- [start:xavier]
def xavier_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """W ~ U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)). Returns (fan_in, fan_out).

    Var(U(-l, l)) = l^2 / 3 = 2 / (fan_in + fan_out): the compromise between
    Var(W) = 1/fan_in (forward) and 1/fan_out (backward) for tanh-like units.
    """
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def xavier_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """W ~ N(0, 2 / (fan_in + fan_out)). Returns (fan_in, fan_out)."""
    std = math.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_in, fan_out))


# --8<-- [end:xavier]


# --8<-- [start:kaiming]
def _kaiming_fan(fan_in: int, fan_out: int, mode: str) -> int:
    """fan_in preserves activation variance forward; fan_out gradient variance backward."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    return fan_in if mode == "fan_in" else fan_out


def kaiming_normal(
    fan_in: int, fan_out: int, rng: np.random.Generator, mode: str = "fan_in"
) -> NDArray[np.float64]:
    """W ~ N(0, 2 / fan). Returns (fan_in, fan_out).

    ReLU zeroes half of a symmetric input, halving its second moment; the
    factor 2 makes up for it.
    """
    std = math.sqrt(2.0 / _kaiming_fan(fan_in, fan_out, mode))
    return rng.normal(0.0, std, size=(fan_in, fan_out))


def kaiming_uniform(
    fan_in: int, fan_out: int, rng: np.random.Generator, mode: str = "fan_in"
) -> NDArray[np.float64]:
    """W ~ U(-limit, limit), limit = sqrt(6 / fan), so Var(W) = 2 / fan.

    Returns (fan_in, fan_out).
    """
    limit = math.sqrt(6.0 / _kaiming_fan(fan_in, fan_out, mode))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


# --8<-- [end:kaiming]
