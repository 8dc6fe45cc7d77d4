"""Losses: hand-computed values, gradients against finite differences, stability."""

import math

import numpy as np
import pytest

from snippets.gradcheck import numerical_gradient
from snippets.losses import (
    binary_cross_entropy,
    entropy,
    focal_loss,
    kl_divergence,
    softmax_cross_entropy,
)

STRICT = {"over": "raise", "invalid": "raise", "divide": "raise"}


def test_cross_entropy_by_hand():
    # -log(e^3 / (e^1 + e^2 + e^3)) = log(1 + e^-1 + e^-2) = log(1.5032147) = 0.4076059
    loss, dlogits = softmax_cross_entropy(np.array([[1.0, 2.0, 3.0]]), np.array([2]))
    assert loss == pytest.approx(0.40760596, rel=1e-7)
    # p = [e^-2, e^-1, 1] / 1.5032147 = [0.0900306, 0.2447285, 0.6652410]; subtract 1 at y.
    np.testing.assert_allclose(dlogits, [[0.0900306, 0.2447285, -0.3347590]], rtol=1e-6)
    # Two samples, each with equal logits: loss log 2, gradient (p - onehot) / N.
    loss, dlogits = softmax_cross_entropy(np.zeros((2, 2)), np.array([0, 1]))
    assert loss == pytest.approx(math.log(2))
    np.testing.assert_allclose(dlogits, [[-0.25, 0.25], [0.25, -0.25]])


def test_cross_entropy_grad_matches_finite_differences():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(5, 4))
    y = rng.integers(0, 4, size=5)
    _, dlogits = softmax_cross_entropy(logits, y)
    numeric = numerical_gradient(lambda z: softmax_cross_entropy(z, y)[0], logits)
    np.testing.assert_allclose(dlogits, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dlogits.sum(axis=1), 0.0, atol=1e-15)


def test_cross_entropy_is_finite_for_extreme_logits():
    with np.errstate(**STRICT):
        loss, dlogits = softmax_cross_entropy(np.array([[1e4, 0.0]]), np.array([1]))
    assert loss == 1e4
    np.testing.assert_array_equal(dlogits, [[1.0, -1.0]])


def test_binary_cross_entropy_values():
    z = np.linspace(-10, 10, 21)
    y = (np.arange(21) % 2).astype(float)
    p = 1 / (1 + np.exp(-z))
    naive = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert binary_cross_entropy(z, y)[0] == pytest.approx(naive, rel=1e-10)
    assert binary_cross_entropy(np.zeros(3), np.ones(3))[0] == pytest.approx(math.log(2))
    with np.errstate(**STRICT):
        loss, grad = binary_cross_entropy(np.array([1e4, -1e4]), np.array([0.0, 0.0]))
    assert loss == pytest.approx(5e3)  # mean of 1e4 (confidently wrong) and 0
    np.testing.assert_allclose(grad, [0.5, 0.0])


def test_binary_cross_entropy_grad_matches_finite_differences():
    rng = np.random.default_rng(1)
    z = rng.normal(scale=3.0, size=(3, 4))
    y = rng.random((3, 4))  # soft targets are allowed
    numeric = numerical_gradient(lambda v: binary_cross_entropy(v, y)[0], z)
    np.testing.assert_allclose(binary_cross_entropy(z, y)[1], numeric, rtol=1e-6, atol=1e-9)


def test_focal_with_gamma_zero_is_bce():
    rng = np.random.default_rng(2)
    z = rng.normal(scale=4.0, size=(6, 3))
    y = rng.integers(0, 2, size=(6, 3)).astype(float)
    loss, grad = focal_loss(z, y, alpha=None, gamma=0.0)
    bce, bce_grad = binary_cross_entropy(z, y)
    assert loss == pytest.approx(bce, rel=1e-12)
    np.testing.assert_allclose(grad, bce_grad, rtol=1e-10, atol=1e-15)


def test_focal_by_hand():
    # z = 0 gives p_t = 0.5: (1 - 0.5)^2 * log 2 = 0.25 * 0.6931472 = 0.1732868.
    assert focal_loss(np.zeros(1), np.ones(1), gamma=2.0)[0] == pytest.approx(0.1732868, rel=1e-6)
    # alpha = 0.25 weights the positive: 0.25 * 0.1732868; a negative gets 0.75 * 0.1732868.
    assert focal_loss(np.zeros(1), np.ones(1), alpha=0.25)[0] == pytest.approx(0.0433217, rel=1e-5)
    assert focal_loss(np.zeros(1), np.zeros(1), alpha=0.25)[0] == pytest.approx(0.1299651, rel=1e-5)


@pytest.mark.parametrize(("alpha", "gamma"), [(None, 2.0), (0.25, 2.0), (0.75, 0.5)])
def test_focal_grad_matches_finite_differences(alpha, gamma):
    rng = np.random.default_rng(3)
    z = rng.normal(scale=3.0, size=(4, 5))
    y = rng.integers(0, 2, size=(4, 5)).astype(float)
    numeric = numerical_gradient(lambda v: focal_loss(v, y, alpha, gamma)[0], z)
    np.testing.assert_allclose(focal_loss(z, y, alpha, gamma)[1], numeric, rtol=1e-6, atol=1e-9)


def test_focal_down_weights_easy_examples_and_stays_finite():
    z = np.array([4.0, -1.0])  # y = 1: an easy (p_t = 0.98) and a hard (p_t = 0.27) example
    y = np.ones(2)
    ratio = focal_loss(z[:1], y[:1])[0] / binary_cross_entropy(z[:1], y[:1])[0]
    assert ratio < 1e-3  # (1 - p_t)^2 = 3.2e-4
    assert focal_loss(z[1:], y[1:])[0] > 0.5 * binary_cross_entropy(z[1:], y[1:])[0]
    with np.errstate(**STRICT):
        loss, grad = focal_loss(np.array([1e4, -1e4]), np.ones(2), gamma=0.5)
    assert loss == pytest.approx(5e3)
    assert np.all(np.isfinite(grad))


def test_entropy():
    for C in (2, 5, 10):
        assert entropy(np.full(C, 1 / C)) == pytest.approx(math.log(C))
    # 0.5 log 2 + 2 * 0.25 log 4 = 1.5 log 2
    assert entropy(np.array([0.5, 0.25, 0.25])) == pytest.approx(1.5 * math.log(2))
    with np.errstate(**STRICT):
        np.testing.assert_array_equal(entropy(np.eye(3)), [0.0, 0.0, 0.0])


def test_kl_divergence():
    # 0.5 log(0.5 / 0.9) + 0.5 log(0.5 / 0.1) = 0.5 (-0.5877867 + 1.6094379) = 0.5108256
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    assert kl_divergence(p, q) == pytest.approx(0.5108256, rel=1e-6)
    assert kl_divergence(q, p) == pytest.approx(0.3680642, rel=1e-6)  # not symmetric
    rng = np.random.default_rng(4)
    P, Q = rng.dirichlet(np.ones(6), size=200), rng.dirichlet(np.ones(6), size=200)
    assert np.all(kl_divergence(P, Q) > 0)
    np.testing.assert_allclose(kl_divergence(P, P), 0.0, atol=1e-15)
    # Cross-entropy = entropy + KL.
    np.testing.assert_allclose(-np.sum(P * np.log(Q), axis=1), entropy(P) + kl_divergence(P, Q))
    with np.errstate(**STRICT):
        assert kl_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.0])) == pytest.approx(
            math.log(2)
        )
