"""Dropout and weight penalties."""

import numpy as np
import pytest

from snippets.gradcheck import numerical_gradient, numerical_gradient_array
from snippets.regularization import (
    dropout_backward,
    dropout_forward,
    l1_grad,
    l1_penalty,
    l2_grad,
    l2_penalty,
)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_inverted_dropout_preserves_expectation(p):
    x = np.linspace(-2.0, 3.0, 8)
    samples = np.tile(x, (50_000, 1))
    out, mask = dropout_forward(samples, p, np.random.default_rng(0))
    assert np.mean(mask == 0) == pytest.approx(p, abs=0.01)
    # |x| <= 3, so a column mean's std is <= 3 sqrt(p / (1 - p) / 50 000) = 0.027 (p = 0.8);
    # without the 1 / (1 - p) rescaling the means would be off by p |x|, up to 2.4.
    np.testing.assert_allclose(out.mean(axis=0), x, atol=0.1)
    np.testing.assert_allclose(out[mask > 0], samples[mask > 0] / (1 - p))


def test_eval_mode_is_identity():
    x = np.random.default_rng(1).normal(size=(3, 4))
    out, mask = dropout_forward(x, 0.5, np.random.default_rng(2), train=False)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(dropout_backward(np.ones_like(x), mask), 1.0)


def test_dropout_backward_matches_finite_differences():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 6))
    dout = rng.normal(size=(4, 6))
    _, mask = dropout_forward(x, 0.3, np.random.default_rng(4))
    # Re-seeding inside f draws the same mask on every call.
    numeric = numerical_gradient_array(
        lambda z: dropout_forward(z, 0.3, np.random.default_rng(4))[0], x, dout
    )
    np.testing.assert_allclose(dropout_backward(dout, mask), numeric, rtol=1e-6, atol=1e-8)


def test_dropout_rejects_p_of_one():
    with pytest.raises(ValueError):
        dropout_forward(np.ones(3), 1.0, np.random.default_rng(0))


def test_penalties_by_hand():
    w = np.array([3.0, -4.0, 0.0])
    assert l1_penalty(w, lam=0.1) == pytest.approx(0.7)  # 0.1 * (3 + 4 + 0)
    assert l2_penalty(w, lam=0.1) == pytest.approx(1.25)  # 0.1 / 2 * (9 + 16 + 0)
    np.testing.assert_array_equal(l1_grad(w, lam=0.1), [0.1, -0.1, 0.0])
    np.testing.assert_allclose(l2_grad(w, lam=0.1), [0.3, -0.4, 0.0])


def test_penalty_grads_match_finite_differences():
    rng = np.random.default_rng(5)
    w = rng.normal(size=(3, 4))
    w += 0.1 * np.sign(w)  # |w| has a kink at 0
    np.testing.assert_allclose(
        l1_grad(w, 0.3), numerical_gradient(lambda v: l1_penalty(v, 0.3), w), rtol=1e-6
    )
    np.testing.assert_allclose(
        l2_grad(w, 0.3), numerical_gradient(lambda v: l2_penalty(v, 0.3), w), rtol=1e-6
    )
