"""RL and preference-learning helpers: hand-computed values and identities."""

import math

import numpy as np
import pytest

from snippets import rl
from snippets.activations import softmax
from snippets.gradcheck import numerical_gradient


def test_discounted_returns_by_hand():
    G = rl.discounted_returns(np.array([1.0, 0.0, 2.0]), gamma=0.5)
    np.testing.assert_allclose(G, [1 + 0.25 * 2, 0.5 * 2, 2.0])


def _chain_mdp():
    """Two states, two actions; deterministic transitions, one action per state matters."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = P[1, 0, 0] = P[1, 1, 1] = 1.0  # action a moves to state a
    R = np.array([[0.0, 1.0], [2.0, 0.0]])
    return P, R


def test_policy_evaluation_satisfies_bellman_and_matches_returns():
    P, R = _chain_mdp()
    gamma = 0.9
    pi = np.array([[0.0, 1.0], [1.0, 0.0]])  # 0 -> 1 -> 0 -> ... rewards 1, 2, 1, 2
    V = rl.policy_evaluation(P, R, pi, gamma)
    np.testing.assert_allclose(V[0], (1 + gamma * 2) / (1 - gamma**2))
    Q = rl.q_from_v(P, R, V, gamma)
    np.testing.assert_allclose(V, np.sum(pi * Q, axis=1))  # V = E_pi[Q]
    G = rl.discounted_returns(np.tile([1.0, 2.0], 200), gamma)
    np.testing.assert_allclose(G[0], V[0], rtol=1e-9)


def test_q_learning_converges_to_optimal_q():
    P, R = _chain_mdp()
    gamma = 0.9
    Q = np.zeros((2, 2))
    rng = np.random.default_rng(0)
    s = 0
    for _ in range(20_000):
        a = int(rng.integers(2))  # uniform behaviour policy: off-policy learning
        s_next = int(np.argmax(P[s, a]))
        Q = rl.q_learning_update(Q, s, a, R[s, a], s_next, False, lr=0.1, gamma=gamma)
        s = s_next
    # Optimal: alternate 0 -> 1 -> 0, V*(0) = (1 + 2 gamma) / (1 - gamma^2).
    v0 = (1 + 2 * gamma) / (1 - gamma**2)
    v1 = (2 + gamma) / (1 - gamma**2)
    np.testing.assert_allclose(Q.max(axis=1), [v0, v1], rtol=1e-2)
    assert rl.q_learning_update(Q, 0, 1, 5.0, 1, True, lr=1.0, gamma=gamma)[0, 1] == 5.0


def test_score_function_identities():
    logits = np.array([0.5, -1.0, 2.0])
    pi = softmax(logits)
    scores = np.stack([rl.softmax_policy_score(logits, a) for a in range(3)])
    # E_pi[grad log pi] = 0: why a baseline adds no bias.
    np.testing.assert_allclose(pi @ scores, 0.0, atol=1e-15)
    # The exact policy gradient E[G grad log pi] equals grad of E[G].
    reward = np.array([1.0, 3.0, -2.0])
    exact = (pi * reward) @ scores
    numeric = numerical_gradient(lambda z: float(softmax(z) @ reward), logits.copy())
    np.testing.assert_allclose(exact, numeric, rtol=1e-7)


def test_reinforce_baseline_keeps_mean_and_cuts_variance():
    rng = np.random.default_rng(0)
    logits = np.array([0.0, 0.5, 1.0])
    reward = np.array([10.0, 11.0, 12.0])  # large common offset: a baseline helps
    pi = softmax(logits)
    estimates = {0.0: [], 11.0: []}
    for _ in range(400):
        a = rng.choice(3, size=8, p=pi)
        for b, est in estimates.items():
            est.append(rl.reinforce_gradient(logits, a, reward[a], baseline=b))
    means = {b: np.mean(e, axis=0) for b, e in estimates.items()}
    np.testing.assert_allclose(means[0.0], means[11.0], atol=0.3)
    assert np.var(estimates[11.0], axis=0).sum() < 0.1 * np.var(estimates[0.0], axis=0).sum()


def test_gae_limits():
    rewards = np.array([1.0, 0.0, 2.0, 1.0])
    values = np.array([0.5, 1.0, -0.5, 0.2])
    gamma = 0.9
    adv0, _ = rl.gae(rewards, values, gamma, lam=0.0, last_value=0.3)
    td = rewards + gamma * np.append(values[1:], 0.3) - values
    np.testing.assert_allclose(adv0, td)
    adv1, targets = rl.gae(rewards, values, gamma, lam=1.0, last_value=0.0)
    np.testing.assert_allclose(adv1, rl.discounted_returns(rewards, gamma) - values)
    np.testing.assert_allclose(targets, rl.discounted_returns(rewards, gamma))


def test_ppo_clip_by_hand_and_gradient():
    ratio = np.array([0.5, 1.0, 1.1, 1.5, 0.5, 1.5])
    adv = np.array([1.0, 1.0, 1.0, 1.0, -1.0, -1.0])
    obj = rl.ppo_clip_objective(ratio, adv, eps=0.2)
    # A>0: min(rho, clip) = 0.5 (unclipped below), 1, 1.1, 1.2 (capped)
    # A<0: min(-rho, -clip) = -0.8 (capped), -1.5 (unclipped above)
    np.testing.assert_allclose(obj, [0.5, 1.0, 1.1, 1.2, -0.8, -1.5])
    np.testing.assert_allclose(rl.ppo_clip_grad(ratio, adv), [1, 1, 1, 0, 0, -1])
    for i in range(ratio.size):
        num = numerical_gradient(
            lambda z, i=i: float(rl.ppo_clip_objective(z, adv[i : i + 1])[0]),
            ratio[i : i + 1].copy(),
        )
        assert rl.ppo_clip_grad(ratio[i : i + 1], adv[i : i + 1])[0] == pytest.approx(num[0])


def test_rlhf_rewards_and_kl_estimator():
    logp = np.log(np.array([0.5, 0.2]))
    ref = np.log(np.array([0.25, 0.4]))
    r = rl.rlhf_token_rewards(1.0, logp, ref, beta=0.1)
    np.testing.assert_allclose(r, [-0.1 * math.log(2), 1.0 - 0.1 * math.log(0.5)])
    # k3 is non-negative and its expectation under pi is exactly KL(pi || ref).
    pi = np.array([0.5, 0.3, 0.2])
    p_ref = np.array([0.2, 0.3, 0.5])
    k3 = rl.kl_k3(np.log(pi), np.log(p_ref))
    assert np.all(k3 >= 0)
    np.testing.assert_allclose(pi @ k3, np.sum(pi * np.log(pi / p_ref)))


def test_bradley_terry_by_hand_and_stable():
    loss = rl.bradley_terry_loss(np.array([2.0, 0.0, 1e4]), np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(loss[:2], [math.log(1 + math.exp(-1)), math.log(2)])
    assert loss[2] == 0.0
    assert rl.bradley_terry_loss(np.array([-1e4]), np.array([0.0]))[0] == 1e4
    shifted = rl.bradley_terry_loss(np.array([7.0]), np.array([6.0]))
    np.testing.assert_allclose(shifted, loss[:1])


def test_dpo_by_hand():
    loss, rw, rl_ = rl.dpo_loss(
        np.array([-10.0]), np.array([-15.0]), np.array([-12.0]), np.array([-14.0]), beta=0.1
    )
    # margin = 0.1 ((-10 + 12) - (-15 + 14)) = 0.3
    np.testing.assert_allclose([rw[0], rl_[0]], [0.2, -0.1])
    np.testing.assert_allclose(loss, [math.log(1 + math.exp(-0.3))])
    assert loss[0] == pytest.approx(0.554355, abs=1e-6)
    # policy == reference: loss log 2, gradient weight 1/2
    same = np.array([-3.0])
    loss0, a, b = rl.dpo_loss(same, same - 1, same, same - 1, beta=0.5)
    np.testing.assert_allclose(loss0, [math.log(2)])
    np.testing.assert_allclose(rl.dpo_grad_weight(a, b), [0.5])


def test_dpo_gradient_weight_matches_finite_differences():
    beta = 0.2
    x = np.array([-4.0, -6.0])  # logp_w, logp_l
    ref_w, ref_l = -5.0, -5.5

    def loss(z):
        return float(rl.dpo_loss(z[:1], z[1:], np.array([ref_w]), np.array([ref_l]), beta)[0][0])

    num = numerical_gradient(loss, x.copy())
    _, rw, rl_ = rl.dpo_loss(x[:1], x[1:], np.array([ref_w]), np.array([ref_l]), beta)
    w = rl.dpo_grad_weight(rw, rl_)[0]
    np.testing.assert_allclose(num, [-beta * w, beta * w], rtol=1e-6)


def test_grpo_advantages():
    rewards = np.array([[1.0, 0.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    adv = rl.grpo_advantages(rewards)
    np.testing.assert_allclose(adv[0], [1, -1, 1, -1], atol=1e-5)
    np.testing.assert_allclose(adv[1], 0.0)  # all correct: no signal
    np.testing.assert_allclose(adv.mean(axis=1), 0.0, atol=1e-12)
