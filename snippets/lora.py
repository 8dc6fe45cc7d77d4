"""LoRA: a frozen weight plus a trainable low-rank update (Hu et al., 2021).

A linear layer stores W0 with shape (d_out, d_in) and computes y = x W0^T, as
torch.nn.Linear does. LoRA freezes W0 and learns A (r, d_in) and B (d_out, r):

    y = x W0^T + (alpha / r) * x A^T B^T,    i.e.  W = W0 + (alpha / r) B A.

Only A and B receive gradients; B starts at zero so training starts exactly
from the pretrained model.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


# --8<-- [start:lora_forward]
def lora_init(d_in: int, d_out: int, r: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """A: (r, d_in), random; B: (d_out, r), zeros.

    B = 0 makes the update B A zero at step 0 (the model is unchanged), while
    A != 0 lets B receive a non-zero gradient on the first step. Had both
    been zero, both gradients would be zero forever. A uses a Kaiming-style
    scale 1/sqrt(d_in) so x A^T has unit-order entries.
    """
    A = rng.normal(scale=1.0 / np.sqrt(d_in), size=(r, d_in))
    B = np.zeros((d_out, r))
    return A, B


def lora_forward(x: Array, W0: Array, A: Array, B: Array, alpha: float) -> Array:
    """y = x W0^T + (alpha / r) x A^T B^T.

    x: (N, d_in); W0: (d_out, d_in), frozen; A: (r, d_in); B: (d_out, r).
    Returns y: (N, d_out). The low-rank path is computed as (x A^T) B^T, an
    (N, r) intermediate: never form the d_out x d_in product B A in training.
    """
    r = A.shape[0]
    return x @ W0.T + (alpha / r) * (x @ A.T) @ B.T


# --8<-- [end:lora_forward]


# --8<-- [start:lora_backward]
def lora_backward(
    dy: Array, x: Array, W0: Array, A: Array, B: Array, alpha: float
) -> tuple[Array, Array, Array]:
    """Gradients of L through y = x W0^T + s (x A^T) B^T, with s = alpha / r.

    dy: (N, d_out), dL/dy. Returns (dx (N, d_in), dA (r, d_in), dB (d_out, r)).
    W0 is frozen, so no dW0 is computed (and no optimizer state is kept for it).
    """
    s = alpha / A.shape[0]
    h = x @ A.T  # (N, r), the bottleneck activation
    dB = s * dy.T @ h  # (d_out, r)
    dh = s * dy @ B  # (N, r); zero at step 0 because B = 0
    dA = dh.T @ x  # (r, d_in)
    dx = dy @ W0 + dh @ A  # (N, d_in)
    return dx, dA, dB


# --8<-- [end:lora_backward]


# --8<-- [start:lora_merge]
def lora_merge(W0: Array, A: Array, B: Array, alpha: float) -> Array:
    """W = W0 + (alpha / r) B A, shape (d_out, d_in).

    After merging, inference is one ordinary matmul: no extra latency. To
    switch tasks, subtract this adapter's B A and add another's.
    """
    r = A.shape[0]
    return W0 + (alpha / r) * B @ A


def lora_param_count(d_in: int, d_out: int, r: int) -> int:
    """Trainable parameters of one adapted matrix: r (d_in + d_out).

    Full fine-tuning of the same matrix trains d_in * d_out; for a square
    d x d matrix LoRA is smaller whenever r < d / 2.
    """
    return r * (d_in + d_out)


# --8<-- [end:lora_merge]


# --8<-- [start:qlora_bits]
def quantized_bits_per_param(
    bits: int = 4,
    block: int = 64,
    double_quant: bool = True,
    block2: int = 256,
) -> float:
    """Storage per weight for blockwise quantization as in QLoRA (Dettmers et al., 2023).

    Each block of `block` weights shares one absmax scale. Stored in fp32 it
    costs 32 / block bits per weight (0.5 for block 64). Double quantization
    stores those scales in 8 bits, with one fp32 scale per `block2` of them:
    8 / block + 32 / (block * block2) bits per weight (0.127).
    """
    if not double_quant:
        return bits + 32 / block
    return bits + 8 / block + 32 / (block * block2)


# --8<-- [end:qlora_bits]


# --8<-- [start:nf4]
def nf4_levels() -> Array:
    """The 16 NF4 values (Dettmers et al., 2023), sorted, in [-1, 1]; shape (16,).

    Quantiles of N(0, 1) at evenly spaced probabilities, so each level covers
    about the same share of normally distributed weights. 8 levels on the
    positive side and 7 on the negative side plus an exact 0 (padding and
    zero weights stay exactly 0); scaled so the extremes are -1 and 1. The
    outermost probability `offset` keeps the end quantiles finite.
    """
    offset = (1 - 1 / (2 * 15) + 1 - 1 / (2 * 16)) / 2  # 0.9677
    ppf = NormalDist().inv_cdf
    positive = [ppf(p) for p in np.linspace(offset, 0.5, 9)[:-1]]
    negative = [-ppf(p) for p in np.linspace(offset, 0.5, 8)[:-1]]
    levels = np.sort(np.array([*negative, 0.0, *positive]))
    return levels / np.abs(levels).max()


def quantize_blockwise(w: Array, levels: Array, block: int = 64) -> tuple[NDArray[np.uint8], Array]:
    """Absmax block-wise quantization of a flat weight vector to the nearest level.

    w: (n,), n divisible by block; levels: (K,) sorted in [-1, 1], K <= 256.
    Returns (codes (n,) uint8 indices into levels, absmax (n // block,)).
    Each block is divided by its largest |w| so it fills [-1, 1]: one outlier
    only costs precision within its own block of 64, not the whole tensor.
    """
    blocks = w.reshape(-1, block)
    absmax = np.abs(blocks).max(axis=1)
    scaled = blocks / np.where(absmax == 0, 1.0, absmax)[:, None]
    codes = np.abs(scaled[..., None] - levels).argmin(axis=-1)  # nearest level
    return codes.reshape(-1).astype(np.uint8), absmax


def dequantize_blockwise(
    codes: NDArray[np.uint8], absmax: Array, levels: Array, block: int = 64
) -> Array:
    """Inverse of quantize_blockwise: levels[code] * absmax of the block; (n,)."""
    return (levels[codes].reshape(-1, block) * absmax[:, None]).reshape(-1)


# --8<-- [end:nf4]
