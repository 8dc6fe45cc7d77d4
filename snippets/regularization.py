"""Dropout and weight penalties."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


# --8<-- [start:dropout]
def dropout_forward(
    x: NDArray[np.float64], p: float, rng: np.random.Generator, train: bool = True
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Inverted dropout. x: any shape; p: probability of DROPPING a unit, 0 <= p < 1.

    Returns (out, mask), both shaped like x. Kept units are scaled by
    1 / (1 - p) at training time so that E[out] = x; evaluation then needs no
    rescaling and is the identity (mask of ones).
    """
    if not 0.0 <= p < 1.0:
        raise ValueError(f"drop probability must be in [0, 1), got {p}")
    if not train:
        return x, np.ones_like(x)
    mask = (rng.random(x.shape) >= p) / (1.0 - p)
    return x * mask, mask


def dropout_backward(dout: NDArray[np.float64], mask: NDArray[np.float64]) -> NDArray[np.float64]:
    """Gradient flows only through the kept units, with the same 1 / (1 - p) scale."""
    return dout * mask


# --8<-- [end:dropout]


# --8<-- [start:penalties]
def l1_penalty(w: NDArray[np.float64], lam: float) -> float:
    """lam * ||w||_1."""
    return float(lam * np.sum(np.abs(w)))


def l1_grad(w: NDArray[np.float64], lam: float) -> NDArray[np.float64]:
    """A subgradient of lam * ||w||_1: lam * sign(w), taking 0 at w = 0.

    |w| has no derivative at 0; any value in [-lam, lam] is a subgradient,
    and 0 is the one that leaves a zero weight at zero.
    """
    return lam * np.sign(w)


def l2_penalty(w: NDArray[np.float64], lam: float) -> float:
    """lam / 2 * ||w||_2^2 (the 1/2 makes the gradient lam * w)."""
    return float(0.5 * lam * np.sum(w**2))


def l2_grad(w: NDArray[np.float64], lam: float) -> NDArray[np.float64]:
    """lam * w: each SGD step shrinks w by the factor (1 - lr * lam), hence "weight decay"."""
    return lam * w


# --8<-- [end:penalties]
