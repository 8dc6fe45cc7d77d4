"""VAE and GAN pieces: closed forms against Monte Carlo and hand values,
gradients against finite differences, FID on cases with known answers."""

import math

import numpy as np
import pytest

from snippets import generative as gen
from snippets.gradcheck import numerical_gradient, numerical_gradient_array


def test_gaussian_kl_by_hand():
    # Standard normal: KL = 0. mu = 1, sigma = 1: KL = mu^2 / 2 = 0.5.
    # mu = 0, sigma^2 = e: KL = -1/2 (1 + 1 - e) = (e - 2) / 2.
    mu = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    logvar = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    kl, _, _ = gen.gaussian_kl(mu, logvar)
    np.testing.assert_allclose(kl, [0.0, 0.5, (math.e - 2) / 2], atol=1e-15)


def test_gaussian_kl_matches_monte_carlo():
    rng = np.random.default_rng(0)
    mu = rng.normal(size=(3, 4))
    logvar = rng.normal(scale=0.5, size=(3, 4))
    kl, _, _ = gen.gaussian_kl(mu, logvar)
    mc = gen.gaussian_kl_monte_carlo(mu, logvar, 200_000, rng)
    np.testing.assert_allclose(mc, kl, rtol=0.02)
    assert np.all(kl >= 0)


def test_gaussian_kl_gradients():
    rng = np.random.default_rng(1)
    mu = rng.normal(size=(2, 3))
    logvar = rng.normal(size=(2, 3))
    _, dmu, dlogvar = gen.gaussian_kl(mu, logvar)
    num_mu = numerical_gradient(lambda m: float(gen.gaussian_kl(m, logvar)[0].sum()), mu)
    num_lv = numerical_gradient(lambda lv: float(gen.gaussian_kl(mu, lv)[0].sum()), logvar)
    np.testing.assert_allclose(dmu, num_mu, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dlogvar, num_lv, rtol=1e-6, atol=1e-9)


def test_reparameterize_moments_and_gradient():
    rng = np.random.default_rng(2)
    mu = np.array([[1.5, -2.0]])
    logvar = np.log(np.array([[0.25, 4.0]]))
    eps = rng.standard_normal((100_000, 2))
    z = gen.reparameterize(mu, logvar, eps)
    np.testing.assert_allclose(z.mean(axis=0), mu[0], atol=0.02)
    np.testing.assert_allclose(z.var(axis=0), [0.25, 4.0], rtol=0.02)

    mu, logvar = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    eps = rng.standard_normal((3, 2))
    dz = rng.normal(size=(3, 2))
    dmu, dlogvar = gen.reparameterize_backward(dz, logvar, eps)
    f_mu = lambda m: gen.reparameterize(m, logvar, eps)  # noqa: E731
    f_lv = lambda lv: gen.reparameterize(mu, lv, eps)  # noqa: E731
    np.testing.assert_allclose(dmu, numerical_gradient_array(f_mu, mu, dz), rtol=1e-6)
    np.testing.assert_allclose(dlogvar, numerical_gradient_array(f_lv, logvar, dz), rtol=1e-6)


def test_reparameterised_gradient_estimates_gradient_of_expectation():
    # d/dmu E[z^2] = 2 mu and d/dlogvar E[z^2] = sigma^2 for z ~ N(mu, sigma^2).
    rng = np.random.default_rng(3)
    mu, logvar = np.array([[0.7]]), np.array([[np.log(2.0)]])
    eps = rng.standard_normal((400_000, 1))
    z = gen.reparameterize(mu, logvar, eps)
    dmu, dlogvar = gen.reparameterize_backward(2 * z, logvar, eps)
    assert dmu.mean() == pytest.approx(1.4, rel=0.01)
    assert dlogvar.mean() == pytest.approx(2.0, rel=0.01)


@pytest.mark.parametrize("loss_fn", [gen.generator_loss_minimax, gen.generator_loss_nonsaturating])
def test_generator_loss_gradients(loss_fn):
    a = np.random.default_rng(4).normal(scale=3.0, size=6)
    _, da = loss_fn(a)
    np.testing.assert_allclose(da, numerical_gradient(lambda x: loss_fn(x)[0], a), rtol=1e-6)


def test_discriminator_loss_value_and_gradients():
    # D = 1/2 everywhere: loss = 2 log 2.
    loss, _, _ = gen.discriminator_loss(np.zeros(3), np.zeros(5))
    assert loss == pytest.approx(2 * math.log(2))
    rng = np.random.default_rng(5)
    a_r, a_f = rng.normal(size=4), rng.normal(size=3)
    _, da_r, da_f = gen.discriminator_loss(a_r, a_f)
    num_r = numerical_gradient(lambda x: gen.discriminator_loss(x, a_f)[0], a_r)
    num_f = numerical_gradient(lambda x: gen.discriminator_loss(a_r, x)[0], a_f)
    np.testing.assert_allclose(da_r, num_r, rtol=1e-6)
    np.testing.assert_allclose(da_f, num_f, rtol=1e-6)


def test_minimax_saturates_nonsaturating_does_not():
    # D confidently rejects the fake: D(G(z)) = sigmoid(-10) = 4.5e-5.
    a = np.array([-10.0])
    _, d_minimax = gen.generator_loss_minimax(a)
    _, d_ns = gen.generator_loss_nonsaturating(a)
    assert abs(d_minimax[0]) < 1e-4
    assert d_ns[0] == pytest.approx(-1.0, abs=1e-4)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, _, _ = gen.discriminator_loss(np.array([1e4]), np.array([-1e4]))
    assert loss == 0.0


def test_frechet_distance_known_cases():
    rng = np.random.default_rng(6)
    a = rng.normal(size=(4, 4))
    sigma = a @ a.T + 0.1 * np.eye(4)
    mu = rng.normal(size=4)
    assert gen.frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-9)
    # Same covariance: only the means count.
    assert gen.frechet_distance(mu, sigma, mu + 1.0, sigma) == pytest.approx(4.0, abs=1e-9)
    # Diagonal (commuting) covariances: sum_j (sqrt(s1_j) - sqrt(s2_j))^2.
    s1, s2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 9.0])
    d2 = gen.frechet_distance(np.zeros(3), np.diag(s1), np.zeros(3), np.diag(s2))
    assert d2 == pytest.approx(float(np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)))


def test_frechet_distance_matches_general_eigenvalues():
    # tr (S1 S2)^{1/2} from the (real, non-negative) eigenvalues of the product.
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    s1, s2 = a @ a.T, b @ b.T
    lam = np.linalg.eigvals(s1 @ s2).real
    expected = np.trace(s1) + np.trace(s2) - 2 * np.sum(np.sqrt(lam))
    got = gen.frechet_distance(np.zeros(5), s1, np.zeros(5), s2)
    assert got == pytest.approx(expected, rel=1e-8)
    r = gen.sqrtm_psd(s1)
    np.testing.assert_allclose(r @ r, s1, atol=1e-10)


def test_fid_from_features_is_biased_upwards_for_small_samples():
    rng = np.random.default_rng(8)
    small = [gen.fid_from_features(rng.normal(size=(50, 8)), rng.normal(size=(50, 8)))]
    large = [gen.fid_from_features(rng.normal(size=(5000, 8)), rng.normal(size=(5000, 8)))]
    assert small[0] > 10 * large[0] > 0


def test_inception_score_extremes():
    k = 4
    # Confident and uniform over classes: IS = K. All rows equal: IS = 1.
    assert gen.inception_score(np.eye(k)) == pytest.approx(k)
    assert gen.inception_score(np.full((3, k), 1 / k)) == pytest.approx(1.0)
    collapsed = np.tile(np.eye(k)[0], (5, 1))
    assert gen.inception_score(collapsed) == pytest.approx(1.0)
