"""The reinforcement learning behind RLHF, DPO and GRPO, one small function each.

Trajectories are 1-D arrays over time steps t = 0..T-1 for one episode.
Preference losses take per-sequence log-probabilities, i.e. the sum over the
response tokens of log pi(y_t | x, y_<t), one number per (prompt, response).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from snippets.activations import sigmoid, softmax, softplus

Array = NDArray[np.float64]


# --8<-- [start:returns]
def discounted_returns(rewards: Array, gamma: float) -> Array:
    """G_t = r_t + gamma r_{t+1} + gamma^2 r_{t+2} + ..., for t = 0..T-1.

    rewards: (T,), one episode that ends after step T-1. Returns (T,).
    Computed backwards with G_t = r_t + gamma G_{t+1}, O(T) instead of O(T^2).
    """
    G = np.zeros_like(rewards, dtype=np.float64)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        G[t] = running
    return G


# --8<-- [end:returns]


# --8<-- [start:policy_evaluation]
def policy_evaluation(P: Array, R: Array, pi: Array, gamma: float) -> Array:
    """V^pi of a finite MDP by solving the Bellman expectation equation exactly.

    P: (S, A, S), P[s, a, s'] = P(s' | s, a); R: (S, A), expected reward;
    pi: (S, A), pi[s, a] = pi(a | s). Returns V: (S,).
    V = R_pi + gamma P_pi V  =>  V = (I - gamma P_pi)^-1 R_pi; gamma < 1 makes
    the matrix invertible (the Bellman operator is a gamma-contraction).
    """
    R_pi = np.sum(pi * R, axis=1)  # (S,)
    P_pi = np.einsum("sa,sat->st", pi, P)  # (S, S)
    return np.linalg.solve(np.eye(len(R_pi)) - gamma * P_pi, R_pi)


def q_from_v(P: Array, R: Array, V: Array, gamma: float) -> Array:
    """Q(s, a) = R(s, a) + gamma sum_s' P(s' | s, a) V(s'); returns (S, A)."""
    return R + gamma * P @ V


# --8<-- [end:policy_evaluation]


# --8<-- [start:q_learning]
def q_learning_update(
    Q: Array, s: int, a: int, r: float, s_next: int, done: bool, lr: float, gamma: float
) -> Array:
    """One tabular Q-learning step (Watkins, 1989); returns the updated copy of Q (S, A).

    Target r + gamma max_a' Q(s', a'): the max makes it off-policy, since it
    evaluates the greedy policy whatever policy chose a. No bootstrap past
    a terminal state.
    """
    target = r if done else r + gamma * Q[s_next].max()
    Q = Q.copy()
    Q[s, a] += lr * (target - Q[s, a])
    return Q


# --8<-- [end:q_learning]


# --8<-- [start:reinforce]
def softmax_policy_score(logits: Array, a: int) -> Array:
    """grad_logits log pi(a) for pi = softmax(logits): onehot(a) - pi. Shape (K,)."""
    score = -softmax(logits)
    score[a] += 1.0
    return score


def reinforce_gradient(logits: Array, actions: Array, returns: Array, baseline: float) -> Array:
    """Monte-Carlo policy gradient (Williams, 1992) for a softmax policy over K actions.

    actions: (N,) sampled from softmax(logits); returns: (N,) their returns.
    Estimate of grad J = E[(G - b) grad log pi(a)], averaged over N samples.
    The baseline b keeps the mean (E[grad log pi] = 0) and changes the variance.
    """
    scores = np.stack([softmax_policy_score(logits, int(a)) for a in actions])  # (N, K)
    return np.mean((returns - baseline)[:, None] * scores, axis=0)


# --8<-- [end:reinforce]


# --8<-- [start:gae]
def gae(
    rewards: Array, values: Array, gamma: float, lam: float, last_value: float = 0.0
) -> tuple[Array, Array]:
    """Generalized advantage estimation (Schulman et al., 2015).

    rewards, values: (T,), with values[t] = V(s_t) from the critic.
    last_value: V(s_T), 0 if the episode ended, the critic's estimate if the
    rollout was cut off. Returns (advantages (T,), value targets (T,)).
    delta_t = r_t + gamma V(s_{t+1}) - V(s_t);  A_t = sum_l (gamma lam)^l delta_{t+l}.
    lam = 0 gives the one-step TD error (low variance, biased by V);
    lam = 1 gives G_t - V(s_t) (unbiased, high variance).
    """
    next_values = np.append(values[1:], last_value)
    deltas = rewards + gamma * next_values - values
    advantages = discounted_returns(deltas, gamma * lam)
    return advantages, advantages + values


# --8<-- [end:gae]


# --8<-- [start:ppo_clip]
def ppo_clip_objective(ratio: Array, adv: Array, eps: float = 0.2) -> Array:
    """Per-sample PPO surrogate min(rho A, clip(rho, 1-eps, 1+eps) A) (Schulman et al., 2017).

    ratio: rho = pi_theta(a|s) / pi_old(a|s); adv: A, same shape. To be
    maximised (the loss is its negative mean). The min makes it a pessimistic
    bound: once rho has moved past 1+eps (A > 0) or 1-eps (A < 0) the term
    is flat, so that sample stops pushing the policy further.
    """
    return np.minimum(ratio * adv, np.clip(ratio, 1 - eps, 1 + eps) * adv)


def ppo_clip_grad(ratio: Array, adv: Array, eps: float = 0.2) -> Array:
    """d objective / d ratio: A where the unclipped term is active, else 0."""
    clipped = ((adv > 0) & (ratio > 1 + eps)) | ((adv < 0) & (ratio < 1 - eps))
    return np.where(clipped, 0.0, adv)


# --8<-- [end:ppo_clip]


# --8<-- [start:rlhf_rewards]
def rlhf_token_rewards(score: float, logp: Array, ref_logp: Array, beta: float) -> Array:
    """Per-token rewards of RLHF's PPO stage (Ouyang et al., 2022).

    r_t = -beta (log pi - log pi_ref) for every token t.

    logp, ref_logp: (T,), log-probs of the sampled response tokens under the
    policy and the frozen reference (SFT) model. The reward model's score
    is added at the last token. Summed over t, the penalty is -beta times a
    sample estimate of KL(pi || pi_ref) for this response.
    """
    rewards = -beta * (logp - ref_logp)
    rewards[-1] += score
    return rewards


def kl_k3(logp: Array, ref_logp: Array) -> Array:
    """GRPO's per-token KL estimate rho - log rho - 1 with rho = pi_ref / pi (Shao et al., 2024).

    For tokens sampled from pi its mean is exactly KL(pi || pi_ref) (because
    E_pi[rho] = 1), and each term is >= 0 (x - 1 >= log x), unlike the plain
    estimate log pi - log pi_ref, which can be negative.
    """
    log_rho = ref_logp - logp
    return np.exp(log_rho) - log_rho - 1.0


# --8<-- [end:rlhf_rewards]


# --8<-- [start:preference]
def bradley_terry_loss(r_w: Array, r_l: Array) -> Array:
    """Reward-model loss -log sigma(r_w - r_l), per pair; r_w, r_l: (N,).

    P(y_w preferred to y_l) = sigma(r_w - r_l) under Bradley-Terry (1952).
    -log sigma(z) = softplus(-z), computed without overflow. Only the
    difference matters: adding a constant to all rewards changes nothing.
    """
    return softplus(-(r_w - r_l))


def dpo_loss(
    logp_w: Array, logp_l: Array, ref_logp_w: Array, ref_logp_l: Array, beta: float
) -> tuple[Array, Array, Array]:
    """DPO loss per pair (Rafailov et al., 2023) and the implicit rewards.

    logp_*: (N,), sequence log-probs of the chosen (w) and rejected (l)
    responses under the policy; ref_logp_*: the same under the frozen
    reference. Implicit reward r_hat = beta (log pi - log pi_ref); the loss
    is the Bradley-Terry loss on r_hat. Returns (loss, r_hat_w, r_hat_l).
    """
    r_hat_w = beta * (logp_w - ref_logp_w)
    r_hat_l = beta * (logp_l - ref_logp_l)
    return bradley_terry_loss(r_hat_w, r_hat_l), r_hat_w, r_hat_l


def dpo_grad_weight(r_hat_w: Array, r_hat_l: Array) -> Array:
    """sigma(r_hat_l - r_hat_w): how strongly each pair is pushed, in [0, 1].

    d loss / d logp_w = -beta * weight and d loss / d logp_l = +beta * weight:
    pairs the implicit reward already ranks correctly get little gradient.
    """
    return sigmoid(r_hat_l - r_hat_w)


# --8<-- [end:preference]


# --8<-- [start:grpo]
def grpo_advantages(rewards: Array, eps: float = 1e-6) -> Array:
    """Group-relative advantages (r - mean) / (std + eps) (Shao et al., 2024).

    rewards: (B, G), G sampled responses for each of B prompts. Returns (B, G).
    The group mean is the baseline, so no value network is needed; every
    token of response i gets advantage A_i. A group whose rewards are all
    equal (all right or all wrong) gets A = 0: it carries no signal.
    std here is the population std (ddof=0); some implementations use the
    sample std, which rescales every advantage by sqrt((G-1)/G).
    """
    mean = rewards.mean(axis=-1, keepdims=True)
    std = rewards.std(axis=-1, keepdims=True)
    return (rewards - mean) / (std + eps)


# --8<-- [end:grpo]
