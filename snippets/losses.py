"""Classification losses (value and gradient w.r.t. the logits) and information measures."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from snippets.activations import log_softmax, sigmoid


# --8<-- [start:cross_entropy]
def softmax_cross_entropy(
    logits: NDArray[np.float64], y: NDArray[np.int_]
) -> tuple[float, NDArray[np.float64]]:
    """Mean of -log softmax(logits)[y] over the batch.

    logits: (N, C); y: (N,) class indices in [0, C). Returns (loss, dlogits),
    dlogits (N, C) = (p - onehot(y)) / N with p = softmax(logits).
    log_softmax keeps the loss finite when a logit is far below the others.
    """
    N = logits.shape[0]
    log_p = log_softmax(logits, axis=1)
    loss = -np.mean(log_p[np.arange(N), y])
    dlogits = np.exp(log_p)
    dlogits[np.arange(N), y] -= 1.0
    return float(loss), dlogits / N


# --8<-- [end:cross_entropy]


# --8<-- [start:binary_cross_entropy]
def binary_cross_entropy(
    logits: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[float, NDArray[np.float64]]:
    """Mean of -[y log sigma(z) + (1 - y) log(1 - sigma(z))] over all elements.

    logits z and targets y in [0, 1]: the same shape. Returns (loss, dlogits),
    dlogits = (sigma(z) - y) / z.size. Algebra turns the loss into
    softplus(z) - y z, which np.logaddexp evaluates without forming
    sigma(z) = 0 or 1 and taking log(0).
    """
    loss = np.mean(np.logaddexp(0.0, logits) - y * logits)
    return float(loss), (sigmoid(logits) - y) / logits.size


# --8<-- [end:binary_cross_entropy]


# --8<-- [start:focal_loss]
def focal_loss(
    logits: NDArray[np.float64],
    y: NDArray[np.float64],
    alpha: float | None = None,
    gamma: float = 2.0,
) -> tuple[float, NDArray[np.float64]]:
    """Binary focal loss, mean of -alpha_t (1 - p_t)^gamma log p_t over all elements.

    logits z and hard labels y in {0, 1}: the same shape. p_t is the
    probability given to the true label; alpha weights the positives
    (alpha_t = alpha for y = 1, 1 - alpha for y = 0; None means no weighting).
    gamma = 0 and alpha = None is binary cross-entropy. Returns (loss, dlogits).

    With s = 2y - 1, p_t = sigma(s z): log p_t = -softplus(-s z) and
    1 - p_t = sigma(-s z) stay accurate when p_t is close to 0 or 1.
    """
    s = 2.0 * y - 1.0
    log_p_t = -np.logaddexp(0.0, -s * logits)
    p_t = np.exp(log_p_t)
    one_minus_p_t = sigmoid(-s * logits)
    alpha_t = 1.0 if alpha is None else np.where(y == 1, alpha, 1.0 - alpha)
    loss = -alpha_t * one_minus_p_t**gamma * log_p_t
    # dFL/dp_t times dp_t/dz = s p_t (1 - p_t), multiplied out so that
    # (1 - p_t)^(gamma - 1) never appears (it is inf at p_t = 1 for gamma < 1).
    dlogits = (
        alpha_t * s * (gamma * one_minus_p_t**gamma * p_t * log_p_t - one_minus_p_t ** (gamma + 1))
    )
    return float(np.mean(loss)), dlogits / logits.size


# --8<-- [end:focal_loss]


# --8<-- [start:entropy]
def entropy(p: NDArray[np.float64], axis: int = -1) -> NDArray[np.float64]:
    """H(p) = -sum_i p_i log p_i in nats, along `axis`, with 0 log 0 = 0.

    p: probabilities summing to 1 along `axis`. Returns p's shape without `axis`.
    Zeros are replaced by 1 inside the log (log 1 = 0) rather than computing
    0 * log 0 = 0 * -inf = nan.
    """
    return -np.sum(p * np.log(np.where(p > 0, p, 1.0)), axis=axis)


# --8<-- [end:entropy]


# --8<-- [start:kl_divergence]
def kl_divergence(
    p: NDArray[np.float64], q: NDArray[np.float64], axis: int = -1
) -> NDArray[np.float64]:
    """KL(p || q) = sum_i p_i log(p_i / q_i) in nats, along `axis`.

    p, q: probabilities of the same shape. Terms with p_i = 0 are 0 whatever
    q_i is; a q_i = 0 where p_i > 0 gives inf (q cannot explain an outcome p
    produces). Not symmetric in p and q. Returns p's shape without `axis`.
    """
    support = p > 0
    log_ratio = np.log(np.where(support, p, 1.0)) - np.log(np.where(support, q, 1.0))
    return np.sum(p * log_ratio, axis=axis)


# --8<-- [end:kl_divergence]
