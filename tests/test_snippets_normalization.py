"""Normalization layers: backward passes against finite differences, the axes
each one normalizes over (and does not), running statistics by hand."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.gradcheck import numerical_gradient_array
from snippets.normalization import (
    batchnorm_backward,
    batchnorm_forward,
    groupnorm_backward,
    groupnorm_forward,
    instancenorm_backward,
    instancenorm_forward,
    layernorm_backward,
    layernorm_forward,
    normalize_backward,
    normalize_forward,
)


def images(seed: int, shape=(4, 6, 3, 5)):
    """(N, C, H, W) with offsets and scales per sample, per channel and per row,
    so that normalizing over the wrong axes leaves a visible mean or scale."""
    rng = np.random.default_rng(seed)
    N, C, H, _ = shape
    return (
        rng.normal(size=shape) * rng.uniform(0.5, 3.0, size=(N, C, 1, 1))
        + rng.normal(0, 3, size=(N, 1, 1, 1))
        + rng.normal(0, 3, size=(1, C, 1, 1))
        + np.linspace(-2, 2, H).reshape(1, 1, H, 1)
    )


def bn_train(x, gamma, beta):
    C = x.shape[1]
    return batchnorm_forward(x, gamma, beta, np.zeros(C), np.ones(C), train=True)


# Each layer as forward(x, gamma, beta) -> (out, cache) and backward(dout, cache, gamma).
LAYERS = {
    "batchnorm": (lambda x, g, b: bn_train(x, g, b)[:2], batchnorm_backward),
    "layernorm": (layernorm_forward, layernorm_backward),
    "instancenorm": (instancenorm_forward, instancenorm_backward),
    "groupnorm": (lambda x, g, b: groupnorm_forward(x, g, b, G=3), groupnorm_backward),
}


def check_backward(forward, backward, x, seed):
    rng = np.random.default_rng(seed)
    C = x.shape[1]
    gamma, beta = rng.normal(size=C), rng.normal(size=C)
    out, cache = forward(x, gamma, beta)
    dout = rng.normal(size=out.shape)
    dx, dgamma, dbeta = backward(dout, cache, gamma)
    tol = {"rtol": 1e-5, "atol": 1e-8}
    np.testing.assert_allclose(
        dx, numerical_gradient_array(lambda z: forward(z, gamma, beta)[0], x, dout), **tol
    )
    np.testing.assert_allclose(
        dgamma, numerical_gradient_array(lambda g: forward(x, g, beta)[0], gamma, dout), **tol
    )
    np.testing.assert_allclose(
        dbeta, numerical_gradient_array(lambda b: forward(x, gamma, b)[0], beta, dout), **tol
    )


@pytest.mark.parametrize("name", LAYERS)
def test_backward_matches_finite_differences(name):
    forward, backward = LAYERS[name]
    check_backward(forward, backward, images(0), seed=1)


@pytest.mark.parametrize("name", ["batchnorm", "layernorm"])
def test_backward_on_a_2d_batch(name):
    forward, backward = LAYERS[name]
    rng = np.random.default_rng(2)
    x = rng.normal(size=(5, 4)) * [1.0, 2.0, 0.5, 3.0] + rng.normal(0, 2, size=(5, 1))
    check_backward(forward, backward, x, seed=3)


def test_normalize_backward_on_arbitrary_axes():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 4, 5)) * 2 + 1
    dx_hat = rng.normal(size=x.shape)
    _, cache = normalize_forward(x, (0, 2))
    np.testing.assert_allclose(
        normalize_backward(dx_hat, cache),
        numerical_gradient_array(lambda z: normalize_forward(z, (0, 2))[0], x, dx_hat),
        rtol=1e-5,
        atol=1e-8,
    )


def moments(y, axes):
    return y.mean(axis=axes), y.var(axis=axes)


def assert_normalized(y, axes):
    mean, var = moments(y, axes)
    np.testing.assert_allclose(mean, 0, atol=1e-10)
    np.testing.assert_allclose(var, 1, atol=1e-4)


def assert_not_normalized(y, axes):
    mean, var = moments(y, axes)
    assert np.abs(mean).max() > 0.3 or np.abs(var - 1).max() > 0.3


def unit_affine(x):
    C = x.shape[1]
    return np.ones(C), np.zeros(C)


def test_batchnorm_normalizes_each_channel_over_batch_and_space_only():
    x = images(5)
    y = bn_train(x, *unit_affine(x))[0]
    assert_normalized(y, (0, 2, 3))
    assert_not_normalized(y, (1, 2, 3))  # a sample is not normalized on its own
    assert_not_normalized(y, (2, 3))


def test_layernorm_normalizes_each_sample_over_all_its_features():
    x = images(6)
    y, _ = layernorm_forward(x, *unit_affine(x))
    assert_normalized(y, (1, 2, 3))
    assert_not_normalized(y, (0, 2, 3))  # channels are not
    assert_not_normalized(y, (2, 3))


def test_instancenorm_normalizes_each_map_over_space_only():
    x = images(7)
    y, _ = instancenorm_forward(x, *unit_affine(x))
    assert_normalized(y, (2, 3))
    assert_not_normalized(y, (3,))  # rows keep their ramp along H


def test_groupnorm_normalizes_each_group_not_each_channel():
    x = images(8)
    y, _ = groupnorm_forward(x, *unit_affine(x), G=2)
    N, C, H, W = x.shape
    assert_normalized(y.reshape(N, 2, C // 2, H, W), (2, 3, 4))
    assert_not_normalized(y, (2, 3))


def test_groupnorm_spans_layernorm_and_instancenorm():
    x = images(9)
    rng = np.random.default_rng(10)
    gamma, beta = rng.normal(size=x.shape[1]), rng.normal(size=x.shape[1])
    np.testing.assert_allclose(
        groupnorm_forward(x, gamma, beta, G=1)[0], layernorm_forward(x, gamma, beta)[0]
    )
    np.testing.assert_allclose(
        groupnorm_forward(x, gamma, beta, G=x.shape[1])[0],
        instancenorm_forward(x, gamma, beta)[0],
    )


def test_gamma_and_beta_are_per_channel():
    x = images(11)
    gamma, beta = np.arange(1.0, 7.0), np.arange(6.0) * 10
    y = bn_train(x, gamma, beta)[0]
    mean, var = moments(y, (0, 2, 3))
    np.testing.assert_allclose(mean, beta, atol=1e-9)
    np.testing.assert_allclose(var, gamma**2, rtol=1e-4)


def test_running_statistics_after_one_step_by_hand():
    # One channel, batch [1, 3]: mu = 2, biased var = 1, unbiased var = (1 + 1) / 1 = 2.
    # running_mean = 0.9 * 0 + 0.1 * 2 = 0.2; running_var = 0.9 * 1 + 0.1 * 2 = 1.1
    # The batch is normalized with the biased var: x_hat = [-1, 1] (eps = 0).
    x = np.array([[1.0], [3.0]])
    out, _, running_mean, running_var = batchnorm_forward(
        x, np.ones(1), np.zeros(1), np.zeros(1), np.ones(1), train=True, momentum=0.1, eps=0.0
    )
    np.testing.assert_allclose(running_mean, [0.2])
    np.testing.assert_allclose(running_var, [1.1])
    np.testing.assert_allclose(out, [[-1.0], [1.0]])


def test_running_statistics_over_images_count_n_h_w():
    # m = N * H * W = 2 * 1 * 2 = 4 values per channel: [0, 2, 4, 6]
    # mu = 3, biased var = (9 + 1 + 1 + 9) / 4 = 5, unbiased = 20 / 3
    # momentum 0.5: running_mean = 0.5 * 3 = 1.5, running_var = 0.5 * 1 + 0.5 * 20 / 3 = 3.8333...
    x = np.array([[[[0.0, 2.0]]], [[[4.0, 6.0]]]])  # (2, 1, 1, 2)
    _, _, running_mean, running_var = batchnorm_forward(
        x, np.ones(1), np.zeros(1), np.zeros(1), np.ones(1), train=True, momentum=0.5
    )
    np.testing.assert_allclose(running_mean, [1.5])
    np.testing.assert_allclose(running_var, [0.5 + 10 / 3])


def test_eval_uses_the_running_statistics():
    # channel 0: (3 - 1) / sqrt(4) = 1    -> 2 * 1 + 0.5 = 2.5
    # channel 1: (0 - 2) / sqrt(16) = -0.5 -> 1 * -0.5 + 0 = -0.5
    running_mean, running_var = np.array([1.0, 2.0]), np.array([4.0, 16.0])
    out, cache, new_mean, new_var = batchnorm_forward(
        np.array([[3.0, 0.0]]),
        np.array([2.0, 1.0]),
        np.array([0.5, 0.0]),
        running_mean,
        running_var,
        train=False,
        eps=0.0,
    )
    np.testing.assert_allclose(out, [[2.5, -0.5]])
    assert cache is None
    np.testing.assert_array_equal(new_mean, running_mean)  # eval does not update them
    np.testing.assert_array_equal(new_var, running_var)


def test_a_sample_depends_on_its_batch_in_train_mode_only():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(8, 3))
    other = np.concatenate([x[:1], rng.normal(2.0, 3.0, size=(7, 3))])
    gamma, beta, mean, var = np.ones(3), np.zeros(3), np.full(3, 0.5), np.full(3, 2.0)

    def first_row(batch, train):
        return batchnorm_forward(batch, gamma, beta, mean, var, train=train)[0][0]

    assert np.abs(first_row(x, True) - first_row(other, True)).max() > 0.1
    np.testing.assert_array_equal(first_row(x, False), first_row(other, False))
