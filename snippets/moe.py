"""Mixture-of-experts routing: top-k gating, the Switch load-balancing loss,
expert capacity, and DeepSeek-V3's bias-based (auxiliary-loss-free) balancing.

Shapes: T tokens of width d, E experts. x (T, d), router weights W_r (d, E),
router logits (T, E). Each expert here is one linear map W_e[e] (d, d); a real
expert is an FFN, but routing does not care what the experts compute.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from snippets.decoding import softmax


# --8<-- [start:router]
def top_k_route(
    logits: NDArray[np.float64], k: int, renormalize: bool = True
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Top-k gating. logits (T, E) -> (experts (T, k), gates (T, k), probs (T, E)).

    probs = softmax over all E experts; each token goes to its k most probable
    experts. renormalize=True rescales the k gates to sum to 1 (Mixtral, and
    GShard's top-2); renormalize=False keeps the raw probabilities (Switch,
    k = 1, where the gate p_i(x) < 1 still carries gradient to the router).
    """
    probs = softmax(logits)
    experts = np.argsort(-probs, axis=-1, kind="stable")[:, :k]
    gates = np.take_along_axis(probs, experts, axis=-1)
    if renormalize:
        gates = gates / gates.sum(axis=-1, keepdims=True)
    return experts, gates, probs


def moe_layer(
    x: NDArray[np.float64], W_r: NDArray[np.float64], W_e: NDArray[np.float64], k: int
) -> NDArray[np.float64]:
    """y_t = sum over the k chosen experts e of gate_te * (x_t @ W_e[e]).

    x (T, d), W_r (d, E), W_e (E, d, d) -> y (T, d). Only k of the E experts
    run per token: compute per token grows with k, parameters with E.
    """
    experts, gates, _ = top_k_route(x @ W_r, k)
    y = np.zeros_like(x)
    for e in range(W_e.shape[0]):
        token, slot = np.nonzero(experts == e)  # tokens routed to expert e
        y[token] += gates[token, slot, None] * (x[token] @ W_e[e])
    return y


# --8<-- [end:router]


# --8<-- [start:balance_loss]
def switch_balance_loss(
    probs: NDArray[np.float64], experts: NDArray[np.int64], alpha: float = 0.01
) -> float:
    """Switch Transformer auxiliary loss (Fedus et al., 2021): alpha * E * sum_i f_i P_i.

    probs (T, E): router probabilities; experts (T,) or (T, k): chosen experts
    (the first column, the top-1 choice, is counted). f_i = fraction of tokens
    dispatched to expert i (not differentiable), P_i = mean router probability
    of expert i (differentiable). Both are uniform, 1/E, at the minimum, where
    the loss equals alpha; routing every token to one expert gives up to alpha * E.
    """
    n_experts = probs.shape[1]
    top1 = experts if experts.ndim == 1 else experts[:, 0]
    f = np.bincount(top1, minlength=n_experts) / top1.size
    P = probs.mean(axis=0)
    return float(alpha * n_experts * np.sum(f * P))


def switch_balance_loss_grad(
    probs: NDArray[np.float64], experts: NDArray[np.int64], alpha: float = 0.01
) -> NDArray[np.float64]:
    """d loss / d probs (T, E) = alpha * E * f_i / T: f is treated as a constant,
    so the gradient pushes down the probability of experts that got many tokens."""
    n_tokens, n_experts = probs.shape
    top1 = experts if experts.ndim == 1 else experts[:, 0]
    f = np.bincount(top1, minlength=n_experts) / top1.size
    return np.broadcast_to(alpha * n_experts * f / n_tokens, probs.shape).copy()


# --8<-- [end:balance_loss]


# --8<-- [start:capacity]
def expert_capacity(n_tokens: int, n_experts: int, capacity_factor: float, k: int = 1) -> int:
    """Slots per expert: ceil(k * tokens / experts * capacity_factor)."""
    return math.ceil(k * n_tokens / n_experts * capacity_factor)


def dispatch_mask(experts: NDArray[np.int64], n_experts: int, capacity: int) -> NDArray[np.bool_]:
    """Which (token, choice) assignments fit; experts (T, k) -> mask (T, k).

    Slots are filled in token order (first come, first served); an assignment
    to a full expert is dropped, and a token dropped by all its experts passes
    through the layer unchanged on the residual connection.
    """
    keep = np.zeros(experts.shape, dtype=bool)
    used = np.zeros(n_experts, dtype=np.int64)
    for t, slot in np.ndindex(experts.shape):
        e = experts[t, slot]
        if used[e] < capacity:
            used[e] += 1
            keep[t, slot] = True
    return keep


# --8<-- [end:capacity]


# --8<-- [start:bias_balance]
def biased_top_k(
    scores: NDArray[np.float64], bias: NDArray[np.float64], k: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Aux-loss-free routing (DeepSeek-V3): choose experts by scores + bias, but
    weight them by the unbiased scores. scores (T, E) are affinities, e.g.
    sigmoid(logits); bias (E,) -> (experts (T, k), gates (T, k) summing to 1)."""
    experts = np.argsort(-(scores + bias), axis=-1, kind="stable")[:, :k]
    gates = np.take_along_axis(scores, experts, axis=-1)
    return experts, gates / gates.sum(axis=-1, keepdims=True)


def update_bias(
    bias: NDArray[np.float64], experts: NDArray[np.int64], gamma: float
) -> NDArray[np.float64]:
    """After each step: b_i -= gamma if expert i was overloaded (load above the
    mean), b_i += gamma if underloaded. No gradient touches the language-model
    loss, unlike an auxiliary loss."""
    load = np.bincount(experts.ravel(), minlength=bias.size)
    return bias - gamma * np.sign(load - load.mean())


# --8<-- [end:bias_balance]
