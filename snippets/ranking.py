"""Ranking models for recommendation: FM, DCN, DIN, MMoE, ESMM, and ranking metrics.

Shapes: B = batch, n = features, k = FM factor size, d = embedding/input width,
T = behaviour-sequence length, E = experts, K = cut-off of a top-K metric.
The FM identity is the one derived on architectures/graph-recsys.md; here it is
batched, as a CTR model's interaction layer uses it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from snippets.activations import log_softmax, sigmoid, softmax
from snippets.metrics import roc_auc

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]


# --8<-- [start:fm_interaction]
def fm_interaction(X: Array, V: Array) -> Array:
    """sum_{i<j} <v_i, v_j> x_i x_j for each row of X, in O(k n) per row.

    X: (B, n) feature values (one-hot / multi-hot / dense); V: (n, k) factors.
    Uses 1/2 sum_f [(sum_i v_if x_i)^2 - sum_i v_if^2 x_i^2]. Returns (B,).
    """
    s = X @ V  # (B, k): sum_i v_{i,f} x_i
    s2 = (X**2) @ (V**2)  # (B, k): sum_i v_{i,f}^2 x_i^2
    return 0.5 * np.sum(s**2 - s2, axis=1)


# --8<-- [end:fm_interaction]


# --8<-- [start:cross_layer]
def cross_layer(x0: Array, xl: Array, W: Array, b: Array) -> Array:
    """DCN-V2 cross layer: x_{l+1} = x0 * (W x_l + b) + x_l.

    x0, xl: (B, d) the input embedding and the current layer; W: (d, d); b: (d,).
    Each layer raises the polynomial degree in x0 by one; the "+ x_l" residual
    keeps all lower degrees. DCN-V1 used x0 (x_l . w) + b + x_l: one weight
    vector w, so x0 is only rescaled by a scalar; V2's matrix W mixes dimensions.
    """
    return x0 * (xl @ W.T + b) + xl


def cross_layer_backward(
    dout: Array, x0: Array, xl: Array, W: Array, b: Array
) -> tuple[Array, Array, Array, Array]:
    """Gradients of sum(dout * cross_layer(...)) w.r.t. x0, xl, W, b."""
    z = xl @ W.T + b  # (B, d)
    dz = dout * x0  # through the elementwise product
    dx0 = dout * z
    dxl = dz @ W + dout  # "+ dout": the residual path
    dW = dz.T @ xl
    db = dz.sum(axis=0)
    return dx0, dxl, dW, db


# --8<-- [end:cross_layer]


# --8<-- [start:din_attention]
def din_attention(
    query: Array, keys: Array, mask: Array, W1: Array, b1: Array, w2: Array, b2: float
) -> tuple[Array, Array]:
    """DIN activation unit: user interest = sum_t a_t * e_t, a_t = MLP(e_t, v_a).

    query: (B, d) candidate-item embedding v_a; keys: (B, T, d) behaviour
    embeddings e_t; mask: (B, T) 1 for real behaviours, 0 for padding.
    W1: (4d, h), b1: (h,), w2: (h,), b2: scalar.
    The MLP sees [e_t, v_a, e_t - v_a, e_t * v_a]. As in the paper the weights
    are NOT softmax-normalised: their sum carries how strongly the history
    matches the candidate. Returns (interest (B, d), weights (B, T)).
    """
    q = np.broadcast_to(query[:, None, :], keys.shape)
    feats = np.concatenate([keys, q, keys - q, keys * q], axis=-1)  # (B, T, 4d)
    hidden = np.maximum(feats @ W1 + b1, 0.0)  # ReLU here; the paper uses PReLU/Dice
    a = (hidden @ w2 + b2) * mask  # (B, T); padding gets weight 0
    return np.einsum("bt,btd->bd", a, keys), a


# --8<-- [end:din_attention]


# --8<-- [start:mmoe]
def mmoe_forward(x: Array, We: Array, be: Array, Wg: Array) -> tuple[Array, Array]:
    """Multi-gate mixture of experts (Ma et al. 2018).

    x: (B, d); We: (E, d, h), be: (E, h) experts; Wg: (n_tasks, d, E) one
    gate per task. Returns tower inputs (n_tasks, B, h) and gates (n_tasks, B, E).
    Shared experts, task-specific mixing: tasks that disagree can use
    different experts instead of fighting over one shared bottom.
    """
    experts = np.maximum(np.einsum("bd,edh->ebh", x, We) + be[:, None, :], 0.0)  # (E, B, h)
    gates = softmax(np.einsum("bd,tde->tbe", x, Wg), axis=-1)  # (n_tasks, B, E)
    towers = np.einsum("tbe,ebh->tbh", gates, experts)
    return towers, gates


# --8<-- [end:mmoe]


# --8<-- [start:esmm]
def bce(p: Array, y: Array, eps: float = 1e-12) -> float:
    """Mean binary cross-entropy of probabilities p against 0/1 labels y."""
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def esmm_loss(ctr_logit: Array, cvr_logit: Array, click: Array, conversion: Array) -> float:
    """ESMM (Ma et al. 2018): both losses on ALL impressions, none on clicks only.

    pCTCVR = pCTR * pCVR, with label click * conversion; pCVR itself gets no
    direct loss, so it is never trained on the click-only (biased) subset.
    All arrays (B,) over impressions; conversion is 0 where click is 0.
    """
    p_ctr = sigmoid(ctr_logit)
    p_ctcvr = p_ctr * sigmoid(cvr_logit)
    return bce(p_ctr, click) + bce(p_ctcvr, click * conversion)


# --8<-- [end:esmm]


# --8<-- [start:gauc]
def gauc(user: IntArray, y: IntArray, scores: Array) -> float:
    """Impression-weighted mean of per-user AUC.

    Users whose impressions are all positive or all negative have no AUC and
    are skipped (as is usual). Only pairs within a user count, so a model is
    not rewarded for ranking active users above inactive ones.
    """
    total, weight = 0.0, 0
    for u in np.unique(user):
        m = user == u
        if 0 < y[m].sum() < m.sum():
            total += m.sum() * roc_auc(y[m], scores[m])
            weight += m.sum()
    return total / weight


# --8<-- [end:gauc]


# --8<-- [start:topk]
def recall_at_k(ranked: IntArray, relevant: set[int], k: int) -> float:
    """Fraction of the relevant items that appear in the top k of `ranked`."""
    return len(set(ranked[:k].tolist()) & relevant) / len(relevant)


def dcg_at_k(rel: Array, k: int) -> float:
    """rel: graded relevance in ranked order. Gain 2^rel - 1 (= rel if binary),
    discount 1 / log2(position + 1) with positions starting at 1."""
    rel = np.asarray(rel, dtype=float)[:k]
    return float(np.sum((2.0**rel - 1) / np.log2(np.arange(2, rel.size + 2))))


def ndcg_at_k(rel: Array, k: int) -> float:
    """DCG@k divided by the DCG@k of the ideal (sorted) order; in [0, 1]."""
    ideal = dcg_at_k(np.sort(np.asarray(rel, dtype=float))[::-1], k)
    return dcg_at_k(rel, k) / ideal if ideal > 0 else 0.0


def mrr(first_hit_ranks: IntArray) -> float:
    """Mean of 1 / rank of the first relevant item (rank 1-based, 0 = no hit)."""
    r = np.asarray(first_hit_ranks, dtype=float)
    return float(np.mean(np.where(r > 0, 1.0 / np.maximum(r, 1), 0.0)))


# --8<-- [end:topk]


# --8<-- [start:sampled_softmax]
def sampled_softmax_loss(
    u: Array, v_pos: Array, v_neg: Array, log_q_pos: Array, log_q_neg: Array, tau: float = 1.0
) -> float:
    """Sampled softmax with logQ correction (Bengio & Senecal 2008; Yi et al. 2019).

    u: (B, d) user vectors; v_pos: (B, d) clicked items; v_neg: (K, d) negatives
    shared by the batch, drawn with probability q; log_q_*: log q of each item.
    Subtracting log q from every logit makes the sampled softmax an unbiased-in-
    the-limit estimate of the full softmax: popular items, sampled often as
    negatives, are not pushed down for being popular.
    """
    pos = np.sum(u * v_pos, axis=1) / tau - log_q_pos  # (B,)
    neg = u @ v_neg.T / tau - log_q_neg[None, :]  # (B, K)
    logits = np.concatenate([pos[:, None], neg], axis=1)  # positive in column 0
    return float(-np.mean(log_softmax(logits, axis=1)[:, 0]))


# --8<-- [end:sampled_softmax]
