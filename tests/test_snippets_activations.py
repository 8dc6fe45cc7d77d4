"""Activations: derivatives against finite differences, and numerical stability."""

import math

import numpy as np
import pytest

from snippets import activations as act
from snippets.gradcheck import numerical_gradient, numerical_gradient_array

# Elementwise pairs (f, f'); f' is checked as the VJP with dout = 1.
PAIRS = {
    "sigmoid": (act.sigmoid, act.sigmoid_grad),
    "tanh": (act.tanh, act.tanh_grad),
    "relu": (act.relu, act.relu_grad),
    "leaky_relu": (act.leaky_relu, act.leaky_relu_grad),
    "elu": (act.elu, act.elu_grad),
    "gelu": (act.gelu, act.gelu_grad),
    "silu": (act.silu, act.silu_grad),
    "softplus": (act.softplus, act.softplus_grad),
}

# Raise on overflow, 0/0 and log(0); underflow to 0 is the intended result.
STRICT = {"over": "raise", "invalid": "raise", "divide": "raise"}


def away_from_kink(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Random points at least 0.1 from 0, where ReLU-like functions have a kink."""
    x = rng.normal(scale=2.0, size=shape)
    return x + 0.1 * np.sign(x)


@pytest.mark.parametrize("name", PAIRS)
def test_derivative_matches_finite_differences(name):
    f, f_grad = PAIRS[name]
    x = away_from_kink(np.random.default_rng(0), (4, 5))
    numeric = numerical_gradient_array(f, x, np.ones_like(x))
    np.testing.assert_allclose(f_grad(x), numeric, rtol=1e-6, atol=1e-8)


def test_relu_grad_at_zero_is_zero():
    assert act.relu_grad(np.array([0.0]))[0] == 0.0
    assert act.leaky_relu_grad(np.array([0.0]))[0] == 0.01


def test_sigmoid_is_stable_at_extremes():
    with np.errstate(**STRICT):
        s = act.sigmoid(np.array([-1e4, -50.0, 0.0, 50.0, 1e4]))
    np.testing.assert_array_equal(s[[0, 2, 4]], [0.0, 0.5, 1.0])
    assert 0.0 < s[1] < 1e-21  # e^-50 = 1.9e-22, not rounded to 0
    with np.errstate(**STRICT):
        g = act.sigmoid_grad(np.array([-1e4, 1e4]))
    np.testing.assert_array_equal(g, [0.0, 0.0])


def test_sigmoid_matches_textbook_formula():
    x = np.linspace(-20, 20, 81)
    np.testing.assert_allclose(act.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12)
    assert act.sigmoid_grad(np.array([0.0]))[0] == 0.25


def test_softplus_and_elu_do_not_overflow():
    x = np.array([-1e4, 0.0, 1e4])
    with np.errstate(**STRICT):
        np.testing.assert_allclose(act.softplus(x), [0.0, math.log(2), 1e4])
        np.testing.assert_allclose(act.elu(x), [-1.0, 0.0, 1e4])
        np.testing.assert_allclose(act.silu(x), [0.0, 0.0, 1e4])


def test_gelu_known_values():
    # x * Phi(x) with Phi(1) = 0.8413447460685429, the standard normal CDF at 1.
    x = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_allclose(
        act.gelu(x), [-0.15865525393145707, 0.0, 0.8413447460685429], rtol=1e-12, atol=1e-15
    )


@pytest.mark.parametrize("a", [np.float64(0.2), np.array([0.1, 0.25, 0.5])])
def test_prelu_grad_matches_finite_differences(a):
    rng = np.random.default_rng(1)
    x = away_from_kink(rng, (2, 3, 4, 4))
    dout = rng.normal(size=x.shape)
    dx, da = act.prelu_grad(dout, x, a)
    np.testing.assert_allclose(
        dx, numerical_gradient_array(lambda z: act.prelu(z, a), x, dout), rtol=1e-6, atol=1e-8
    )
    a_var = np.array(a, dtype=np.float64)
    da_num = numerical_gradient(lambda b: float(np.sum(act.prelu(x, b) * dout)), a_var)
    assert da.shape == a_var.shape
    np.testing.assert_allclose(da, da_num, rtol=1e-6, atol=1e-8)


def test_prelu_forward_per_channel():
    x = np.array([[-2.0, -2.0], [3.0, -1.0]])  # (N=2, C=2)
    np.testing.assert_array_equal(act.prelu(x, np.array([0.5, 0.1])), [[-1.0, -0.2], [3.0, -0.1]])


def test_maxout_forward_by_hand():
    # k = 2 pieces of D = 2 units: piece 0 = columns 0-1, piece 1 = columns 2-3.
    x = np.array([[1.0, 5.0, 3.0, 2.0], [-1.0, -4.0, -2.0, -3.0]])
    np.testing.assert_array_equal(act.maxout(x, k=2), [[3.0, 5.0], [-1.0, -3.0]])


def test_maxout_grad_matches_finite_differences():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 3 * 5))  # continuous values: no ties
    dout = rng.normal(size=(4, 5))
    numeric = numerical_gradient_array(lambda z: act.maxout(z, k=3), x, dout)
    np.testing.assert_allclose(act.maxout_grad(dout, x, k=3), numeric, rtol=1e-6, atol=1e-8)


def test_softmax_is_stable_and_normalised():
    with np.errstate(**STRICT):
        p = act.softmax(np.array([1e4, 0.0, -1e4]))
        log_p = act.log_softmax(np.array([1e4, 0.0, -1e4]))
    np.testing.assert_array_equal(p, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(log_p, [0.0, -1e4, -2e4])
    z = np.random.default_rng(3).normal(scale=5.0, size=(6, 10))
    np.testing.assert_allclose(act.softmax(z).sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(act.softmax(z, axis=0).sum(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(act.softmax(z + 100.0), act.softmax(z), rtol=1e-12)


def test_log_softmax_matches_log_of_softmax():
    z = np.random.default_rng(4).normal(scale=5.0, size=(6, 10))
    np.testing.assert_allclose(act.log_softmax(z), np.log(act.softmax(z)), rtol=1e-10)
    np.testing.assert_allclose(
        act.softmax(np.array([1.0, 2.0, 3.0])),
        np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum(),
        rtol=1e-12,
    )
