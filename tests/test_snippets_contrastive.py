"""InfoNCE: hand values, gradients against finite differences, temperature limits."""

import math

import numpy as np
import pytest

from snippets import contrastive as con
from snippets.gradcheck import numerical_gradient


def test_info_nce_by_hand():
    # Orthonormal positives, no overlap with negatives: logits = I / tau.
    # loss = -log(e^{1/tau} / (e^{1/tau} + (N - 1))).
    n, tau = 4, 0.5
    u = np.eye(n)
    loss, _, _ = con.info_nce(u, u.copy(), tau)
    expected = -math.log(math.exp(1 / tau) / (math.exp(1 / tau) + n - 1))
    assert loss == pytest.approx(expected)
    # All embeddings identical: uniform softmax, loss = log N.
    same = np.ones((n, 3))
    assert con.info_nce(same, same.copy(), tau)[0] == pytest.approx(math.log(n))


@pytest.mark.parametrize("loss_fn", [con.info_nce, con.clip_loss])
def test_gradients_match_finite_differences(loss_fn):
    rng = np.random.default_rng(0)
    u, v = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    tau = 0.2
    _, du, dv = loss_fn(u, v, tau)
    num_u = numerical_gradient(lambda x: loss_fn(x, v, tau)[0], u)
    num_v = numerical_gradient(lambda x: loss_fn(u, x, tau)[0], v)
    np.testing.assert_allclose(du, num_u, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(dv, num_v, rtol=1e-5, atol=1e-8)


def test_scale_invariance_and_radial_gradient():
    # Cosine similarity ignores the norm, so the gradient is orthogonal to each row.
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    loss, du, _ = con.info_nce(u, v, 0.1)
    assert con.info_nce(3.0 * u, v, 0.1)[0] == pytest.approx(loss)
    np.testing.assert_allclose(np.sum(du * u, axis=1), 0.0, atol=1e-12)


def test_stable_at_tiny_temperature():
    rng = np.random.default_rng(2)
    u = rng.normal(size=(8, 4))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, du, _ = con.info_nce(u, u + 0.01 * rng.normal(size=u.shape), 1e-3)
    assert np.isfinite(loss) and np.all(np.isfinite(du))


def test_negative_weights_temperature_limits():
    s_neg = np.array([0.7, 0.2, -0.1, -0.5])
    # Large tau: weights nearly uniform over all K + 1 entries.
    w_hot = con.negative_weights(0.9, s_neg, 100.0)
    np.testing.assert_allclose(w_hot, 1 / 5, rtol=0.02)
    # Small tau: the hardest negative takes almost all of the negatives' weight.
    w_cold = con.negative_weights(0.9, s_neg, 0.02)
    assert w_cold[0] / w_cold.sum() > 0.99
    # Weights match the gradient of the single-anchor loss with respect to s_neg.
    tau = 0.3

    def loss(s: np.ndarray) -> float:
        logits = np.concatenate([[0.9], s]) / tau
        return float(-logits[0] + np.log(np.sum(np.exp(logits))))

    num = numerical_gradient(loss, s_neg.copy())
    np.testing.assert_allclose(con.negative_weights(0.9, s_neg, tau) / tau, num, rtol=1e-6)
