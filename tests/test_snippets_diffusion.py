"""DDPM pieces: schedules, moments of q(x_t | x_0), the posterior against
Bayes' rule, the mixture score against finite differences, and samplers
that recover known distributions with the exact score."""

import itertools

import numpy as np
import pytest

from snippets import diffusion as dif
from snippets.gradcheck import numerical_gradient

T = 1000


@pytest.mark.parametrize("betas", [dif.linear_betas(T), dif.cosine_betas(T)])
def test_alpha_bar_is_monotone_and_ends_near_zero(betas):
    ab = dif.alpha_bars(betas)
    assert ab.shape == (T + 1,) and ab[0] == 1.0
    assert np.all(np.diff(ab) < 0)
    assert 0.0 < ab[-1] < 1e-4  # x_T is almost pure noise
    assert np.all((betas[1:] > 0) & (betas[1:] < 1))


def test_cosine_schedule_matches_its_definition():
    s = 0.008
    ab = dif.alpha_bars(dif.cosine_betas(T, s=s))
    t = np.array([100, 500, 900])
    f = lambda u: np.cos((u / T + s) / (1 + s) * np.pi / 2) ** 2  # noqa: E731
    np.testing.assert_allclose(ab[t], f(t) / f(0), rtol=1e-10)
    # Linear destroys information faster: at t = T/2 it keeps far less signal.
    ab_lin = dif.alpha_bars(dif.linear_betas(T))
    assert ab_lin[T // 2] < 0.1 < ab[T // 2]


def test_q_sample_moments():
    rng = np.random.default_rng(0)
    ab = dif.alpha_bars(dif.linear_betas(T))
    x0 = np.array([[2.0, -1.0]])
    t = 300
    eps = rng.standard_normal((200_000, 2))
    xt = dif.q_sample(x0, t, ab, eps)
    np.testing.assert_allclose(xt.mean(axis=0), np.sqrt(ab[t]) * x0[0], atol=0.01)
    np.testing.assert_allclose(xt.var(axis=0), 1 - ab[t], rtol=0.01)


def test_q_sample_matches_iterating_single_steps():
    # Running x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) noise step by step
    # has the same distribution as the closed form.
    rng = np.random.default_rng(1)
    betas = dif.linear_betas(50, 1e-3, 0.1)
    ab = dif.alpha_bars(betas)
    x = np.full((100_000, 1), 1.5)
    for t in range(1, 51):
        x = np.sqrt(1 - betas[t]) * x + np.sqrt(betas[t]) * rng.standard_normal(x.shape)
    assert x.mean() == pytest.approx(np.sqrt(ab[50]) * 1.5, abs=0.01)
    assert x.var() == pytest.approx(1 - ab[50], rel=0.02)


def test_posterior_matches_bayes_rule():
    # 1-D: prior x_{t-1} | x0 ~ N(a x0, v) with a = sqrt(ab_{t-1}), v = 1 - ab_{t-1};
    # likelihood x_t | x_{t-1} ~ N(sqrt(alpha_t) x_{t-1}, beta_t). Product of Gaussians.
    betas = dif.linear_betas(T)
    ab = dif.alpha_bars(betas)
    t, x0, xt = 200, np.array([[0.7]]), np.array([[-0.3]])
    a, v = np.sqrt(ab[t - 1]), 1 - ab[t - 1]
    alpha = 1 - betas[t]
    prec = 1 / v + alpha / betas[t]
    mean_bayes = (a * x0 / v + np.sqrt(alpha) * xt / betas[t]) / prec
    mean, var = dif.q_posterior(x0, xt, t, betas, ab)
    np.testing.assert_allclose(mean, mean_bayes, rtol=1e-10)
    assert var == pytest.approx(1 / prec, rel=1e-10)


def test_eps_loss_and_x0_inversion():
    rng = np.random.default_rng(2)
    ab = dif.alpha_bars(dif.cosine_betas(T))
    x0, eps = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    xt = dif.q_sample(x0, 600, ab, eps)
    np.testing.assert_allclose(dif.x0_from_eps(xt, 600, eps, ab), x0, atol=1e-10)
    assert dif.eps_loss(eps, eps) == 0.0
    assert dif.eps_loss(np.zeros((4, 3)), eps) == pytest.approx(np.sum(eps**2) / 4)


MEANS = np.array([[-2.0, 0.0], [2.0, 1.0], [0.0, -2.0]])
WEIGHTS = np.array([0.5, 0.3, 0.2])


@pytest.mark.parametrize("ab", [1.0, 0.6, 0.05])
def test_gmm_score_is_gradient_of_log_density(ab):
    rng = np.random.default_rng(3)
    x = rng.normal(scale=2.0, size=(5, 2))
    score = dif.gmm_score(x, MEANS, WEIGHTS, 0.3, ab)
    for n in range(5):
        row = x[n : n + 1].copy()
        f = lambda z: float(dif.gmm_log_density(z, MEANS, WEIGHTS, 0.3, ab)[0])  # noqa: E731
        np.testing.assert_allclose(score[n], numerical_gradient(f, row)[0], rtol=1e-6, atol=1e-8)


def test_exact_score_eps_has_minimum_loss():
    # eps* = -sqrt(1 - ab) score is E[eps | x_t], so no other predictor does better.
    rng = np.random.default_rng(4)
    ab_t = 0.3
    k = rng.choice(3, size=20_000, p=WEIGHTS)
    x0 = MEANS[k] + 0.3 * rng.standard_normal((20_000, 2))
    eps = rng.standard_normal(x0.shape)
    xt = np.sqrt(ab_t) * x0 + np.sqrt(1 - ab_t) * eps
    eps_star = dif.eps_from_score(dif.gmm_score(xt, MEANS, WEIGHTS, 0.3, ab_t), ab_t)
    best = dif.eps_loss(eps_star, eps)
    assert best < dif.eps_loss(0.9 * eps_star, eps)
    assert best < dif.eps_loss(1.1 * eps_star, eps)
    assert best < dif.eps_loss(np.sqrt(1 - ab_t) * xt, eps)  # the one-Gaussian guess


def test_ddpm_sampling_with_exact_score_recovers_a_gaussian():
    # Data N(m, s^2) in 1-D: a one-component mixture, so the score is exact.
    rng = np.random.default_rng(5)
    betas = dif.linear_betas(T)
    ab = dif.alpha_bars(betas)
    m, s = np.array([[1.5]]), 0.5
    x = rng.standard_normal((20_000, 1))
    for t in range(T, 0, -1):
        eps = dif.eps_from_score(dif.gmm_score(x, m, np.ones(1), s, ab[t]), ab[t])
        x = dif.ddpm_step(x, t, eps, betas, ab, rng.standard_normal(x.shape))
    assert x.mean() == pytest.approx(1.5, abs=0.02)
    assert x.std() == pytest.approx(0.5, rel=0.03)


def test_ddim_is_deterministic_and_exact_for_a_point_mass():
    # Data = a single point m: eps* gives x0_hat = m exactly, so one DDIM jump lands on m.
    ab = dif.alpha_bars(dif.cosine_betas(T))
    m = np.array([[0.5, -1.0]])
    xt = np.array([[0.3, 0.2], [-1.0, 2.0]])
    eps = (xt - np.sqrt(ab[T]) * m) / np.sqrt(1 - ab[T])
    np.testing.assert_allclose(dif.ddim_step(xt, T, 0, eps, ab), np.repeat(m, 2, axis=0))
    # Few-step DDIM with the exact score of a Gaussian: mean and spread are recovered.
    rng = np.random.default_rng(6)
    x = rng.standard_normal((20_000, 1))
    steps = np.linspace(T, 0, 51).astype(int)
    for t, t_prev in itertools.pairwise(steps):
        eps = dif.eps_from_score(dif.gmm_score(x, np.array([[1.5]]), np.ones(1), 0.5, ab[t]), ab[t])
        x = dif.ddim_step(x, t, t_prev, eps, ab)
    assert x.mean() == pytest.approx(1.5, abs=0.02)
    assert x.std() == pytest.approx(0.5, rel=0.03)


def test_cfg_extrapolates():
    c, u = np.array([1.0, 2.0]), np.array([0.0, 1.0])
    np.testing.assert_allclose(dif.cfg_eps(c, u, 0.0), c)
    np.testing.assert_allclose(dif.cfg_eps(c, u, 2.0), [3.0, 4.0])
