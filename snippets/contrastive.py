"""InfoNCE, the contrastive loss behind CPC, SimCLR, MoCo and CLIP.

Two batches of embeddings u, v of shape (N, D) are paired row by row: (u_i,
v_i) is a positive pair, and v_j (j != i) are the negatives for u_i. The
loss is softmax cross-entropy over cosine similarities divided by a
temperature tau, with the positive as the correct "class".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def l2_normalize(x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Rows of x scaled to unit length, and the row norms (N, 1) for the backward pass."""
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / norm, norm


def l2_normalize_backward(
    dxn: NDArray[np.float64], xn: NDArray[np.float64], norm: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Gradient through x -> x / |x|: remove the radial part, divide by |x|.

    d(x/|x|)/dx = (I - xn xn^T) / |x|, so dx = (dxn - xn (xn . dxn)) / |x|.
    """
    return (dxn - xn * np.sum(xn * dxn, axis=1, keepdims=True)) / norm


# --8<-- [start:info_nce]
def info_nce(
    u: NDArray[np.float64], v: NDArray[np.float64], tau: float
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
    """InfoNCE of u against v (one direction), with gradients.

    u, v: (N, D) raw embeddings; row i of each is a positive pair.
    logits = cos(u_i, v_j) / tau, shape (N, N); the loss is the mean over i of
    -log softmax(logits[i])[i]. Returns loss, du (N, D), dv (N, D).
    """
    un, u_norm = l2_normalize(u)
    vn, v_norm = l2_normalize(v)
    logits = un @ vn.T / tau
    logits = logits - logits.max(axis=1, keepdims=True)  # softmax is shift-invariant
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    n = u.shape[0]
    loss = float(-np.mean(np.log(p[np.arange(n), np.arange(n)])))
    # Softmax cross-entropy: dL/dlogits = (p - I) / N, then through s = un vn^T / tau.
    dlogits = (p - np.eye(n)) / n
    dun = dlogits @ vn / tau
    dvn = dlogits.T @ un / tau
    du = l2_normalize_backward(dun, un, u_norm)
    dv = l2_normalize_backward(dvn, vn, v_norm)
    return loss, du, dv


def clip_loss(
    u: NDArray[np.float64], v: NDArray[np.float64], tau: float
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
    """CLIP's symmetric loss: the mean of InfoNCE image->text and text->image.

    u: image embeddings (N, D), v: text embeddings (N, D).
    """
    loss_uv, du1, dv1 = info_nce(u, v, tau)
    loss_vu, dv2, du2 = info_nce(v, u, tau)
    return 0.5 * (loss_uv + loss_vu), 0.5 * (du1 + du2), 0.5 * (dv1 + dv2)


# --8<-- [end:info_nce]


# --8<-- [start:negative_weights]
def negative_weights(s_pos: float, s_neg: NDArray[np.float64], tau: float) -> NDArray[np.float64]:
    """Softmax weights of the negatives in the InfoNCE gradient for one anchor.

    s_pos: cosine similarity to the positive; s_neg: (K,) similarities to the
    negatives. The gradient of the loss with respect to s_neg[j] is
    p_j / tau with p = softmax([s_pos, s_neg] / tau), so p_j is how hard
    negative j is pushed away. Returns p for the negatives (K,).
    """
    logits = np.concatenate([[s_pos], s_neg]) / tau
    p = np.exp(logits - logits.max())
    p /= p.sum()
    return p[1:]


# --8<-- [end:negative_weights]
