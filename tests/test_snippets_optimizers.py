"""Optimizer steps against hand-computed values, problem gradients against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.gradcheck import numerical_gradient
from snippets.optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    AdamW,
    Momentum,
    Nesterov,
    RMSProp,
    clip_by_global_norm,
    quadratic,
    quadratic_grad,
    rosenbrock,
    rosenbrock_grad,
    run,
    saddle,
    saddle_grad,
)


def two_steps(optimizer, theta0, g1, g2):
    theta1 = optimizer.step(np.array(theta0, dtype=float), np.array(g1, dtype=float))
    theta2 = optimizer.step(theta1, np.array(g2, dtype=float))
    return theta1, theta2


def test_sgd_step():
    # theta - lr * g = [1 - 0.1 * 0.5, -2 - 0.1 * 1] = [0.95, -2.1]
    theta = SGD(lr=0.1).step(np.array([1.0, -2.0]), np.array([0.5, 1.0]))
    np.testing.assert_allclose(theta, [0.95, -2.1])


def test_momentum_two_steps():
    # lr 0.1, mu 0.9, g = 2 twice from theta = 1:
    # v1 = -0.1 * 2 = -0.2,            theta1 = 1 - 0.2 = 0.8
    # v2 = 0.9 * -0.2 - 0.2 = -0.38,   theta2 = 0.8 - 0.38 = 0.42
    theta1, theta2 = two_steps(Momentum(lr=0.1, mu=0.9), [1.0], [2.0], [2.0])
    np.testing.assert_allclose(theta1, [0.8])
    np.testing.assert_allclose(theta2, [0.42])


def test_nesterov_two_steps():
    # v as for momentum, but theta += mu * v - lr * g:
    # theta1 = 1 + 0.9 * -0.2 - 0.2 = 0.62
    # theta2 = 0.62 + 0.9 * -0.38 - 0.2 = 0.078
    theta1, theta2 = two_steps(Nesterov(lr=0.1, mu=0.9), [1.0], [2.0], [2.0])
    np.testing.assert_allclose(theta1, [0.62])
    np.testing.assert_allclose(theta2, [0.078])


def test_nesterov_tracks_the_lookahead_point_of_the_textbook_form():
    # textbook: v <- mu v - lr grad f(theta + mu v); theta <- theta + v.
    # The reformulated optimizer's parameters are phi = theta + mu v.
    lr, mu = 5e-4, 0.9
    theta, v = np.array([-2.0, 1.5]), np.zeros(2)
    lookahead = [theta + mu * v]
    for _ in range(30):
        v = mu * v - lr * rosenbrock_grad(theta + mu * v)
        theta = theta + v
        lookahead.append(theta + mu * v)
    trajectory = run(Nesterov(lr=lr, mu=mu), rosenbrock_grad, np.array([-2.0, 1.5]), 30)
    np.testing.assert_allclose(trajectory, np.stack(lookahead), rtol=1e-10)
    assert np.abs(trajectory[-1] - trajectory[0]).max() > 0.1  # it did move


def test_adagrad_two_steps():
    # lr 0.1, g1 = 3: s = 9,       theta1 = 1 - 0.1 * 3 / 3 = 0.9
    #         g2 = 4: s = 9 + 16,  theta2 = 0.9 - 0.1 * 4 / 5 = 0.82
    theta1, theta2 = two_steps(Adagrad(lr=0.1), [1.0], [3.0], [4.0])
    np.testing.assert_allclose(theta1, [0.9])
    np.testing.assert_allclose(theta2, [0.82])


def test_rmsprop_two_steps():
    # lr 0.01, rho 0.9, g = 2 twice:
    # s1 = 0.1 * 4 = 0.4,           theta1 = 1 - 0.02 / sqrt(0.4) = 0.96837722
    # s2 = 0.9 * 0.4 + 0.4 = 0.76,  theta2 = theta1 - 0.02 / sqrt(0.76) = 0.94543565
    theta1, theta2 = two_steps(RMSProp(lr=0.01, rho=0.9), [1.0], [2.0], [2.0])
    np.testing.assert_allclose(theta1, [0.96837722], rtol=1e-8)
    np.testing.assert_allclose(theta2, [0.94543565], rtol=1e-8)


def test_adadelta_two_steps():
    # rho 0.95, eps 1e-6, g = 1 twice from theta = 1:
    # s1 = 0.05, delta1 = -sqrt(0 + 1e-6) / sqrt(0.05 + 1e-6) = -0.00447209
    # u1 = 0.05 * delta1^2 = 9.9998e-7
    # s2 = 0.95 * 0.05 + 0.05 = 0.0975
    # delta2 = -sqrt(u1 + 1e-6) / sqrt(0.0975 + 1e-6) = -0.00452906
    theta1, theta2 = two_steps(Adadelta(rho=0.95, eps=1e-6), [1.0], [1.0], [1.0])
    np.testing.assert_allclose(theta1, [1 - 0.00447209], rtol=1e-8)
    np.testing.assert_allclose(theta2, [1 - 0.00447209 - 0.00452906], rtol=1e-8)


def test_adadelta_first_step_is_set_by_eps_not_by_gradient_scale():
    # |delta1| = sqrt(eps) / sqrt((1 - rho) g^2 + eps) * |g| -> sqrt(eps / (1 - rho)) = 0.00447
    theta1 = Adadelta().step(np.zeros(3), np.array([1.0, 100.0, -1e4]))
    np.testing.assert_allclose(np.abs(theta1), np.sqrt(1e-6 / 0.05), rtol=1e-3)


def test_adadelta_minimizes_without_a_learning_rate():
    trajectory = run(Adadelta(), quadratic_grad, np.array([3.0, 1.0]), 3000)
    losses = quadratic(trajectory)
    assert losses[-1] < 1e-2 * losses[0]
    # the slow start: after 10 steps it has moved by less than 0.1
    assert np.abs(trajectory[10] - trajectory[0]).max() < 0.1


def test_adam_two_steps():
    # lr 0.1, betas 0.9 / 0.999, g1 = 2:
    #         m = 0.2, v = 0.004, m_hat = 0.2 / 0.1 = 2, v_hat = 0.004 / 0.001 = 4
    #         theta1 = 1 - 0.1 * 2 / 2 = 0.9
    # g2 = 1: m = 0.18 + 0.1 = 0.28, m_hat = 0.28 / 0.19 = 1.47368421
    #         v = 0.003996 + 0.001 = 0.004996, v_hat = 0.004996 / 0.001999 = 2.49924962
    #         theta2 = 0.9 - 0.1 * 1.47368421 / sqrt(2.49924962) = 0.9 - 0.09321796 = 0.80678204
    adam = Adam(lr=0.1)
    theta1, theta2 = two_steps(adam, [1.0], [2.0], [1.0])
    np.testing.assert_allclose(theta1, [0.9], rtol=1e-8)
    np.testing.assert_allclose(theta2, [0.80678204], rtol=1e-8)
    assert adam.t == 2


def test_adam_first_step_is_lr_whatever_the_gradient_scale():
    grad = np.array([1e-3, -1.0, 1e3])
    theta1 = Adam(lr=0.01).step(np.zeros(3), grad)
    np.testing.assert_allclose(theta1, -0.01 * np.sign(grad), rtol=1e-4)


def test_adamw_decay_is_decoupled_from_the_gradient_scale():
    # lr 0.1, weight_decay 0.1, theta = [1, 1], loss gradient g = [0, 10].
    # AdamW: theta * (1 - 0.01) = [0.99, 0.99]; the Adam step is 0 where g = 0 and
    #        lr = 0.1 elsewhere -> [0.99, 0.89].
    # Adam + L2: g + 0.1 * theta = [0.1, 10.1]; the first Adam step moves each
    #        coordinate by lr -> [0.9, 0.9]: the decay of the second weight vanishes
    #        into the normalization, the first is decayed ten times harder.
    theta, grad, lr, wd = np.array([1.0, 1.0]), np.array([0.0, 10.0]), 0.1, 0.1
    adamw = AdamW(lr=lr, weight_decay=wd).step(theta, grad)
    adam_l2 = Adam(lr=lr).step(theta, grad + wd * theta)
    np.testing.assert_allclose(adamw, [0.99, 0.89], rtol=1e-7)
    np.testing.assert_allclose(adam_l2, [0.9, 0.9], rtol=1e-7)


def test_adamw_without_decay_is_adam():
    rng = np.random.default_rng(0)
    theta0, grads = rng.normal(size=4), rng.normal(size=(5, 4))
    adam, adamw = Adam(lr=0.1), AdamW(lr=0.1, weight_decay=0.0)
    theta_a, theta_w = theta0, theta0
    for g in grads:
        theta_a, theta_w = adam.step(theta_a, g), adamw.step(theta_w, g)
    np.testing.assert_allclose(theta_w, theta_a)


def test_step_does_not_modify_its_arguments():
    theta, grad = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    for optimizer in (SGD(0.1), Momentum(0.1), Nesterov(0.1), Adagrad(0.1), RMSProp(0.1)):
        optimizer.step(theta, grad)
    for optimizer in (Adadelta(), Adam(0.1), AdamW(0.1)):
        optimizer.step(theta, grad)
    np.testing.assert_array_equal(theta, [1.0, 2.0])
    np.testing.assert_array_equal(grad, [0.5, -0.5])


def test_clip_scales_to_exactly_max_norm():
    # joint norm sqrt(3^2 + 4^2) = 5 -> scale 1 / 5
    grads = [np.array([3.0, 0.0]), np.array([[4.0]])]
    clipped, total_norm = clip_by_global_norm(grads, max_norm=1.0)
    assert total_norm == pytest.approx(5.0)
    np.testing.assert_allclose(clipped[0], [0.6, 0.0])
    np.testing.assert_allclose(clipped[1], [[0.8]])
    assert np.sqrt(sum(np.sum(g**2) for g in clipped)) == pytest.approx(1.0, rel=1e-12)


def test_clip_leaves_small_gradients_unchanged():
    grads = [np.array([3.0, 0.0]), np.array([[4.0]])]
    clipped, total_norm = clip_by_global_norm(grads, max_norm=10.0)
    assert total_norm == pytest.approx(5.0)
    for g, c in zip(grads, clipped, strict=True):
        np.testing.assert_array_equal(c, g)


@pytest.mark.parametrize(
    ("f", "grad_f"),
    [(quadratic, quadratic_grad), (rosenbrock, rosenbrock_grad), (saddle, saddle_grad)],
)
def test_problem_gradients_match_finite_differences(f, grad_f):
    rng = np.random.default_rng(1)
    for theta in rng.uniform(-1.5, 1.5, size=(5, 2)):
        np.testing.assert_allclose(
            grad_f(theta), numerical_gradient(lambda z: float(f(z)), theta.copy()), rtol=1e-6
        )


def test_problems_evaluate_a_grid():
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 3)), axis=-1)
    assert quadratic(grid).shape == (3, 4)
    assert rosenbrock_grad(grid).shape == (3, 4, 2)
    assert saddle(np.array([0.0, 1.0])) == pytest.approx(-0.5)  # a minimum
    np.testing.assert_allclose(saddle_grad(np.array([0.0, 1.0])), [0.0, 0.0])


def test_run_returns_the_trajectory():
    # GD on 0.1 x1^2 + 2 x2^2: x1 <- (1 - 0.2 lr) x1, x2 <- (1 - 4 lr) x2
    trajectory = run(SGD(lr=0.1), quadratic_grad, np.array([1.0, 1.0]), 3)
    assert trajectory.shape == (4, 2)
    np.testing.assert_allclose(trajectory[:, 0], 0.98 ** np.arange(4))
    np.testing.assert_allclose(trajectory[:, 1], 0.6 ** np.arange(4))


@pytest.mark.parametrize(("lr", "converges"), [(0.45, True), (0.55, False)])
def test_gd_on_the_quadratic_diverges_iff_lr_times_lambda_max_exceeds_2(lr, converges):
    # lambda_max = 4: x2 is multiplied by 1 - 4 lr each step, |1 - 4 lr| < 1 iff lr < 0.5
    trajectory = run(SGD(lr=lr), quadratic_grad, np.array([1.0, 1.0]), 60)
    np.testing.assert_allclose(trajectory[-1, 1], (1 - 4 * lr) ** 60)
    assert (abs(trajectory[-1, 1]) < 1e-3) == converges
    assert (abs(trajectory[-1, 1]) > 1e3) == (not converges)
