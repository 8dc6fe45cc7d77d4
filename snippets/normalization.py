"""BatchNorm, LayerNorm, InstanceNorm and GroupNorm as one shared core.

All four compute x_hat = (x - mu) / sqrt(var + eps) and out = gamma * x_hat + beta;
they differ only in the axes mu and var are taken over (Wu & He 2018, Fig. 2).
For an image batch x of shape (N, C, H, W):

    BatchNorm     axes (N, H, W)             one mu per channel
    LayerNorm     axes (C, H, W)             one mu per sample
    InstanceNorm  axes (H, W)                one mu per (sample, channel)
    GroupNorm     axes (C / G, H, W)         one mu per (sample, group)

gamma and beta always have one entry per channel (axis 1), shape (C,).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


# --8<-- [start:normalize]
class NormCache(NamedTuple):
    x_hat: Array
    inv_std: Array  # 1 / sqrt(var + eps), keepdims shape
    axes: tuple[int, ...]


def normalize_forward(
    x: Array, axes: tuple[int, ...], eps: float = 1e-5
) -> tuple[Array, NormCache]:
    """x_hat = (x - mu) / sqrt(var + eps), mu and var taken over `axes`.

    x: any shape. var is the biased (divide by m) variance of the m values
    averaged together. Returns x_hat (shape of x) and the cache for backward.
    """
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return x_hat, NormCache(x_hat, inv_std, axes)


def normalize_backward(dx_hat: Array, cache: NormCache) -> Array:
    """dL/dx from dL/dx_hat (both shaped like x).

    mu and var depend on every x in the group, so dx_hat is centred (the mean
    path) and its component along x_hat is removed (the variance path):
    dx = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)).
    """
    x_hat, inv_std, axes = cache
    mean_dx_hat = dx_hat.mean(axis=axes, keepdims=True)
    mean_dx_hat_x_hat = (dx_hat * x_hat).mean(axis=axes, keepdims=True)
    return inv_std * (dx_hat - mean_dx_hat - x_hat * mean_dx_hat_x_hat)


# --8<-- [end:normalize]


# --8<-- [start:affine]
def per_channel(p: Array, ndim: int) -> Array:
    """View a (C,) parameter so it broadcasts along axis 1 of an ndim-array."""
    return p.reshape((1, -1) + (1,) * (ndim - 2))


def affine_forward(x_hat: Array, gamma: Array, beta: Array) -> Array:
    """out = gamma * x_hat + beta; x_hat: (N, C, ...), gamma, beta: (C,)."""
    return per_channel(gamma, x_hat.ndim) * x_hat + per_channel(beta, x_hat.ndim)


def affine_backward(dout: Array, x_hat: Array, gamma: Array) -> tuple[Array, Array, Array]:
    """Returns dx_hat (shape of dout), dgamma and dbeta (shape (C,))."""
    other_axes = tuple(i for i in range(dout.ndim) if i != 1)
    dgamma = (dout * x_hat).sum(axis=other_axes)
    dbeta = dout.sum(axis=other_axes)
    return dout * per_channel(gamma, dout.ndim), dgamma, dbeta


def affine_normalize_backward(
    dout: Array, cache: NormCache, gamma: Array
) -> tuple[Array, Array, Array]:
    """Backward of out = gamma * normalize(x) + beta: the affine step, then the
    shared normalization backward. The layers differ only in the axes that
    `cache` remembers, so BatchNorm, LayerNorm and InstanceNorm all use this.
    Returns dx (shape of dout), dgamma and dbeta (shape (C,))."""
    dx_hat, dgamma, dbeta = affine_backward(dout, cache.x_hat, gamma)
    return normalize_backward(dx_hat, cache), dgamma, dbeta


# --8<-- [end:affine]


# --8<-- [start:batchnorm]
def batchnorm_forward(
    x: Array,
    gamma: Array,
    beta: Array,
    running_mean: Array,
    running_var: Array,
    train: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[Array, NormCache | None, Array, Array]:
    """x: (N, C) or (N, C, H, W); gamma, beta, running_mean, running_var: (C,).

    Train: normalize with the statistics of this batch (over N, H, W) and
    update running = (1 - momentum) * running + momentum * batch statistic.
    As in PyTorch, the running variance takes the unbiased batch variance
    (divide by m - 1, m = N*H*W) while the batch itself is normalized with the
    biased one. Eval: normalize with the running statistics, so the output of
    a sample does not depend on the rest of its batch.
    Returns out (shape of x), the cache (None in eval), and the new running_mean, running_var.
    """
    axes = (0, *range(2, x.ndim))
    if not train:
        x_hat = (x - per_channel(running_mean, x.ndim)) / np.sqrt(
            per_channel(running_var, x.ndim) + eps
        )
        return affine_forward(x_hat, gamma, beta), None, running_mean, running_var
    x_hat, cache = normalize_forward(x, axes, eps)
    m = x.size // x.shape[1]
    mu = x.mean(axis=axes)
    var_unbiased = x.var(axis=axes) * m / (m - 1)
    running_mean = (1 - momentum) * running_mean + momentum * mu
    running_var = (1 - momentum) * running_var + momentum * var_unbiased
    return affine_forward(x_hat, gamma, beta), cache, running_mean, running_var


# Backward of train mode (eval mode is a fixed affine map of x).
batchnorm_backward = affine_normalize_backward


# --8<-- [end:batchnorm]


# --8<-- [start:layernorm]
def layernorm_forward(
    x: Array, gamma: Array, beta: Array, eps: float = 1e-5
) -> tuple[Array, NormCache]:
    """Normalize each sample over all its non-batch axes: (N, D) over D,
    (N, C, H, W) over (C, H, W). gamma, beta: (C,) (or (D,)).

    For a sequence (B, L, C) a Transformer normalizes each token over C: pass
    x.reshape(B * L, C), i.e. every token is a sample. Same in train and eval.
    """
    x_hat, cache = normalize_forward(x, tuple(range(1, x.ndim)), eps)
    return affine_forward(x_hat, gamma, beta), cache


layernorm_backward = affine_normalize_backward


# --8<-- [end:layernorm]


# --8<-- [start:instancenorm]
def instancenorm_forward(
    x: Array, gamma: Array, beta: Array, eps: float = 1e-5
) -> tuple[Array, NormCache]:
    """x: (N, C, H, W), each (sample, channel) map normalized over (H, W). gamma, beta: (C,)."""
    x_hat, cache = normalize_forward(x, (2, 3), eps)
    return affine_forward(x_hat, gamma, beta), cache


instancenorm_backward = affine_normalize_backward


# --8<-- [end:instancenorm]


# --8<-- [start:groupnorm]
def groupnorm_forward(
    x: Array, gamma: Array, beta: Array, G: int, eps: float = 1e-5
) -> tuple[Array, NormCache]:
    """x: (N, C, H, W) with C divisible by G; gamma, beta: (C,).

    View x as (N, G, C/G, H, W) and normalize over (C/G, H, W): one mu and var
    per sample and group. G = 1 is LayerNorm, G = C is InstanceNorm.
    The cache holds x_hat in the grouped shape.
    """
    N, C, H, W = x.shape
    x_hat, cache = normalize_forward(x.reshape(N, G, C // G, H, W), (2, 3, 4), eps)
    return affine_forward(x_hat.reshape(N, C, H, W), gamma, beta), cache


def groupnorm_backward(dout: Array, cache: NormCache, gamma: Array) -> tuple[Array, Array, Array]:
    """dout: (N, C, H, W). Returns dx (N, C, H, W), dgamma, dbeta (C,)."""
    dx_hat, dgamma, dbeta = affine_backward(dout, cache.x_hat.reshape(dout.shape), gamma)
    dx = normalize_backward(dx_hat.reshape(cache.x_hat.shape), cache)
    return dx.reshape(dout.shape), dgamma, dbeta


# --8<-- [end:groupnorm]
