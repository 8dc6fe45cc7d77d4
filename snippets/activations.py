"""Activation functions and their derivatives.

Elementwise activations come in pairs f(x) / f_grad(x), where f_grad returns
the derivative f'(x) elementwise (same shape as x); a backward pass multiplies
it by the upstream gradient: dx = dout * f_grad(x). Activations with
parameters or with cross-element coupling (PReLU, maxout) take dout directly.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray


# --8<-- [start:sigmoid]
def sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """sigma(x) = 1 / (1 + e^-x), elementwise; any shape.

    Only e^-|x| is ever computed, which lies in (0, 1], so nothing overflows
    at x = +-1e4: for x < 0 the same value is written as e^x / (1 + e^x).
    """
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_grad(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """sigma'(x) = sigma(x) (1 - sigma(x)), at most 0.25 (at x = 0)."""
    s = sigmoid(x)
    return s * (1.0 - s)


# --8<-- [end:sigmoid]


# --8<-- [start:tanh]
def tanh(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """tanh(x) = 2 sigma(2x) - 1, zero-centred, range (-1, 1); any shape."""
    return np.tanh(x)


def tanh_grad(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """tanh'(x) = 1 - tanh(x)^2, at most 1 (at x = 0)."""
    return 1.0 - np.tanh(x) ** 2


# --8<-- [end:tanh]


# --8<-- [start:relu]
def relu(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """max(0, x), elementwise; any shape."""
    return np.maximum(0.0, x)


def relu_grad(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """1 where x > 0, else 0.

    ReLU has no derivative at 0; any value in [0, 1] is a subgradient. We
    take 0 (as PyTorch and TensorFlow do): a unit whose output is exactly 0
    is treated as off and passes no gradient. In float64 exact zeros are rare
    and the choice hardly matters, but at low precision (float32, float16)
    they are common enough to change training (Bertoin et al. 2021).
    """
    return (x > 0).astype(np.float64)


# --8<-- [end:relu]


# --8<-- [start:leaky_relu]
def leaky_relu(x: NDArray[np.float64], alpha: float = 0.01) -> NDArray[np.float64]:
    """x for x > 0, alpha * x otherwise; any shape."""
    return np.where(x > 0, x, alpha * x)


def leaky_relu_grad(x: NDArray[np.float64], alpha: float = 0.01) -> NDArray[np.float64]:
    """1 for x > 0, alpha otherwise: the slope never reaches 0, so no unit dies."""
    return np.where(x > 0, 1.0, alpha)


# --8<-- [end:leaky_relu]


# --8<-- [start:prelu]
def _per_channel(a: NDArray[np.float64] | float, ndim: int) -> NDArray[np.float64]:
    """Reshape a per-channel slope (C,) to broadcast over (N, C, ...); a scalar stays."""
    a = np.asarray(a, dtype=np.float64)
    return a if a.ndim == 0 else a.reshape((1, -1) + (1,) * (ndim - 2))


def prelu(x: NDArray[np.float64], a: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """Leaky ReLU with a learned slope a.

    x: (N, C) or (N, C, H, W); a: scalar (shared) or (C,) (one per channel).
    Returns the shape of x.
    """
    return np.where(x > 0, x, _per_channel(a, x.ndim) * x)


def prelu_grad(
    dout: NDArray[np.float64], x: NDArray[np.float64], a: NDArray[np.float64] | float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Backward of prelu. dout: shape of x. Returns (dx shaped like x, da shaped like a).

    a is shared by every position of its channel, so da sums over all axes
    except the channel axis (over all axes for a scalar a).
    """
    a = np.asarray(a, dtype=np.float64)
    dx = dout * np.where(x > 0, 1.0, _per_channel(a, x.ndim))
    da_each = dout * np.where(x > 0, 0.0, x)
    if a.ndim == 0:
        return dx, np.sum(da_each)
    return dx, np.sum(da_each, axis=tuple(i for i in range(x.ndim) if i != 1))


# --8<-- [end:prelu]


# --8<-- [start:elu]
def elu(x: NDArray[np.float64], alpha: float = 1.0) -> NDArray[np.float64]:
    """x for x > 0, alpha (e^x - 1) otherwise; any shape.

    np.where evaluates both branches: exp only ever sees min(x, 0), so large
    positive x cannot overflow in the branch that is thrown away.
    """
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_grad(x: NDArray[np.float64], alpha: float = 1.0) -> NDArray[np.float64]:
    """1 for x > 0, alpha e^x otherwise (continuous at 0 when alpha = 1)."""
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


# --8<-- [end:elu]


# --8<-- [start:gelu]
# numpy has no erf; math.erf is exact to double precision, and np.vectorize
# applies it elementwise (a Python loop: fine for reference code, slow at scale).
_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Exact GELU: x * Phi(x), Phi the standard normal CDF; any shape.

    Phi(x) = (1 + erf(x / sqrt(2))) / 2. BERT/GPT-2's tanh formula,
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), approximates this.
    """
    return x * 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))


def gelu_grad(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """GELU'(x) = Phi(x) + x phi(x), phi the standard normal density."""
    Phi = 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))
    phi = np.exp(-0.5 * x**2) / math.sqrt(2.0 * math.pi)
    return Phi + x * phi


# --8<-- [end:gelu]


# --8<-- [start:silu]
def silu(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """SiLU / Swish: x * sigma(x); any shape."""
    return x * sigmoid(x)


def silu_grad(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """SiLU'(x) = sigma(x) (1 + x (1 - sigma(x))); below 0 for x < -1.28, least -0.1 at x = -2.4."""
    s = sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


# --8<-- [end:silu]


# --8<-- [start:softplus]
def softplus(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """log(1 + e^x), a smooth ReLU; any shape.

    np.logaddexp(0, x) = log(e^0 + e^x) is computed without forming e^x, so
    it returns x (not inf) for x = 1e4 and e^x (not 0) for very negative x.
    """
    return np.logaddexp(0.0, x)


def softplus_grad(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """softplus'(x) = sigma(x)."""
    return sigmoid(x)


# --8<-- [end:softplus]


# --8<-- [start:maxout]
def maxout(x: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """Max over k linear pieces.

    x: (N, k*D), the k pieces' pre-activations side by side, piece j in
    columns [j*D, (j+1)*D). Returns (N, D).
    """
    N = x.shape[0]
    return x.reshape(N, k, -1).max(axis=1)


def maxout_grad(dout: NDArray[np.float64], x: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """Backward of maxout. dout: (N, D); x: (N, k*D). Returns dx: (N, k*D).

    Only the winning piece of each unit gets the gradient (the first one on
    ties), as for max pooling.
    """
    N = x.shape[0]
    pieces = x.reshape(N, k, -1)
    winner = pieces.argmax(axis=1)[:, None, :]
    dx = np.zeros_like(pieces)
    np.put_along_axis(dx, winner, dout[:, None, :], axis=1)
    return dx.reshape(x.shape)


# --8<-- [end:maxout]


# --8<-- [start:softmax]
def softmax(z: NDArray[np.float64], axis: int = -1) -> NDArray[np.float64]:
    """e^z_i / sum_j e^z_j along `axis`; returns the shape of z.

    Softmax is unchanged by subtracting a constant, so subtract the max: the
    largest exponent is e^0 = 1 (no overflow) and the sum is >= 1 (no 0/0).
    """
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z: NDArray[np.float64], axis: int = -1) -> NDArray[np.float64]:
    """log softmax(z) = z - logsumexp(z), computed without forming softmax.

    Stays finite where log(softmax(z)) would be log(0) = -inf.
    """
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


# --8<-- [end:softmax]
