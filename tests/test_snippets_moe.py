"""Mixture of experts: routing, Switch balance loss, capacity, bias balancing."""

import math

import numpy as np

from snippets import moe
from snippets.gradcheck import numerical_gradient


def test_top_k_route_picks_largest_and_renormalizes():
    logits = np.log(np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3]]))
    experts, gates, probs = moe.top_k_route(logits, k=2)
    assert experts.tolist() == [[1, 2], [0, 2]]
    np.testing.assert_allclose(gates, [[2 / 3, 1 / 3], [0.625, 0.375]])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    _, raw, _ = moe.top_k_route(logits, k=1, renormalize=False)
    np.testing.assert_allclose(raw[:, 0], [0.6, 0.5])


def test_moe_layer_matches_dense_mixture_when_k_equals_e():
    rng = np.random.default_rng(0)
    T, d, E = 6, 4, 3
    x, W_r, W_e = rng.normal(size=(T, d)), rng.normal(size=(d, E)), rng.normal(size=(E, d, d))
    probs = moe.softmax(x @ W_r)
    dense = np.einsum("te,ted->td", probs, np.einsum("td,edf->tef", x, W_e))
    np.testing.assert_allclose(moe.moe_layer(x, W_r, W_e, k=E), dense)
    # k = 1: each token is exactly its top expert's output (gate renormalised to 1)
    top = np.argmax(x @ W_r, axis=1)
    expected = np.stack([x[t] @ W_e[top[t]] for t in range(T)])
    np.testing.assert_allclose(moe.moe_layer(x, W_r, W_e, k=1), expected)


def test_switch_loss_uniform_and_collapsed():
    T, E = 8, 4
    uniform = np.full((T, E), 1 / E)
    balanced = np.arange(T) % E
    assert math.isclose(moe.switch_balance_loss(uniform, balanced, alpha=0.01), 0.01)
    collapsed = np.zeros(T, dtype=np.int64)
    peaked = np.tile([1.0, 0.0, 0.0, 0.0], (T, 1))
    assert math.isclose(moe.switch_balance_loss(peaked, collapsed, alpha=0.01), 0.01 * E)


def test_switch_loss_gradient_treats_f_as_constant():
    rng = np.random.default_rng(1)
    probs = moe.softmax(rng.normal(size=(10, 4)))
    experts = np.argmax(probs, axis=1)  # held fixed: f is not differentiable
    numeric = numerical_gradient(lambda p: moe.switch_balance_loss(p, experts, 0.1), probs)
    np.testing.assert_allclose(
        moe.switch_balance_loss_grad(probs, experts, 0.1), numeric, atol=1e-8
    )


def test_capacity_and_token_dropping():
    assert moe.expert_capacity(n_tokens=16, n_experts=4, capacity_factor=1.25) == 5
    assert moe.expert_capacity(n_tokens=16, n_experts=4, capacity_factor=1.0, k=2) == 8
    experts = np.array([[0], [0], [0], [1], [0]])
    keep = moe.dispatch_mask(experts, n_experts=2, capacity=2)
    assert keep[:, 0].tolist() == [True, True, False, True, False]


def test_bias_balancing_evens_out_load():
    rng = np.random.default_rng(0)
    T, E, k = 512, 8, 2
    skew = np.linspace(0.0, 3.0, E)  # later experts are systematically preferred
    bias = np.zeros(E)
    for _ in range(300):
        scores = 1 / (1 + np.exp(-(rng.normal(size=(T, E)) + skew)))
        experts, gates = moe.biased_top_k(scores, bias, k)
        bias = moe.update_bias(bias, experts, gamma=0.01)
    load = np.bincount(experts.ravel(), minlength=E) / (T * k)
    assert load.max() < 1.5 / E  # without the bias the last expert gets far more
    np.testing.assert_allclose(gates.sum(axis=1), 1.0)
    unbiased, _ = moe.biased_top_k(scores, np.zeros(E), k)
    assert np.bincount(unbiased.ravel(), minlength=E)[-1] / (T * k) > 1.5 / E
