"""VAE and GAN building blocks: the Gaussian KL term, the reparameterised
sample, the GAN losses on discriminator logits, and the Frechet distance
between Gaussians that FID reports.

Conventions: a diagonal Gaussian posterior q(z|x) = N(mu, diag(exp(logvar)))
is given by mu, logvar of shape (N, d); the prior is N(0, I). GAN losses take
the discriminator's logits a (D = sigmoid(a)), because that is what a network
outputs and what makes the losses numerically stable.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


# --8<-- [start:gaussian_kl]
def gaussian_kl(
    mu: NDArray[np.float64], logvar: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """KL(N(mu, diag(sigma^2)) || N(0, I)) per sample, and its gradients.

    mu, logvar: (N, d), logvar = log sigma^2 (a network outputs it unconstrained,
    so sigma^2 = exp(logvar) > 0 without a positivity constraint).
    Returns kl (N,) = -1/2 sum_j (1 + logvar - mu^2 - exp(logvar)),
    dmu = mu and dlogvar = (exp(logvar) - 1) / 2, both (N, d): the gradient of
    kl[n] with respect to row n. The KL is 0 only at mu = 0, sigma = 1.
    """
    var = np.exp(logvar)
    kl = -0.5 * np.sum(1.0 + logvar - mu**2 - var, axis=1)
    dmu = mu.copy()
    dlogvar = 0.5 * (var - 1.0)
    return kl, dmu, dlogvar


def gaussian_kl_monte_carlo(
    mu: NDArray[np.float64],
    logvar: NDArray[np.float64],
    n_samples: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """The same KL estimated as E_q[log q(z) - log p(z)] from n_samples draws.

    mu, logvar: (N, d). Returns (N,). This is what a VAE would have to do for
    a prior or posterior without a closed form; the estimate is unbiased but
    noisy, which is why the closed form is used whenever it exists.
    """
    sigma = np.exp(0.5 * logvar)
    eps = rng.standard_normal((n_samples, *mu.shape))
    z = mu + sigma * eps  # (S, N, d)
    # log N(z; mu, sigma^2) - log N(z; 0, 1); the log(2 pi) terms cancel.
    log_q = -0.5 * (eps**2 + logvar)
    log_p = -0.5 * z**2
    return np.mean(np.sum(log_q - log_p, axis=2), axis=0)


# --8<-- [end:gaussian_kl]


# --8<-- [start:reparameterize]
def reparameterize(
    mu: NDArray[np.float64], logvar: NDArray[np.float64], eps: NDArray[np.float64]
) -> NDArray[np.float64]:
    """z = mu + sigma * eps with sigma = exp(logvar / 2), eps ~ N(0, I).

    All three (N, d). The randomness lives in eps, an input that does not
    depend on the parameters, so z is a differentiable function of mu, logvar.
    """
    return mu + np.exp(0.5 * logvar) * eps


def reparameterize_backward(
    dz: NDArray[np.float64], logvar: NDArray[np.float64], eps: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gradients of a loss L(z) with respect to mu and logvar, given dz = dL/dz.

    dz/dmu = 1, dz/dlogvar = eps * sigma / 2. Returns dmu, dlogvar, (N, d).
    """
    dmu = dz
    dlogvar = dz * eps * 0.5 * np.exp(0.5 * logvar)
    return dmu, dlogvar


# --8<-- [end:reparameterize]


def _softplus(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|)."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


# --8<-- [start:gan_losses]
def discriminator_loss(
    a_real: NDArray[np.float64], a_fake: NDArray[np.float64]
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
    """Binary cross-entropy for D: -mean log D(x) - mean log(1 - D(G(z))).

    a_real (N,), a_fake (M,): logits, D = sigmoid(a). With
    -log sigmoid(a) = softplus(-a) and -log(1 - sigmoid(a)) = softplus(a).
    Returns loss, da_real = (D - 1) / N, da_fake = D / M.
    """
    loss = float(np.mean(_softplus(-a_real)) + np.mean(_softplus(a_fake)))
    da_real = (_sigmoid(a_real) - 1.0) / a_real.size
    da_fake = _sigmoid(a_fake) / a_fake.size
    return loss, da_real, da_fake


def generator_loss_minimax(a_fake: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
    """The generator's side of the minimax game: minimise mean log(1 - D(G(z))).

    a_fake (M,). log(1 - sigmoid(a)) = -softplus(a), so
    da_fake = -sigmoid(a) / M: it vanishes when D confidently rejects the
    fakes (a << 0), which is exactly the state early in training.
    """
    loss = float(-np.mean(_softplus(a_fake)))
    da_fake = -_sigmoid(a_fake) / a_fake.size
    return loss, da_fake


def generator_loss_nonsaturating(
    a_fake: NDArray[np.float64],
) -> tuple[float, NDArray[np.float64]]:
    """The non-saturating generator loss: minimise -mean log D(G(z)).

    a_fake (M,). -log sigmoid(a) = softplus(-a), so
    da_fake = (sigmoid(a) - 1) / M: close to -1/M when D rejects the fakes,
    a strong signal exactly where the minimax loss has none.
    """
    loss = float(np.mean(_softplus(-a_fake)))
    da_fake = (_sigmoid(a_fake) - 1.0) / a_fake.size
    return loss, da_fake


# --8<-- [end:gan_losses]


# --8<-- [start:fid]
def sqrtm_psd(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """Principal square root of a symmetric positive semi-definite (d, d) matrix.

    With a = V diag(lam) V^T (eigh, valid because a is symmetric),
    sqrt(a) = V diag(sqrt(lam)) V^T. Eigenvalues that round to slightly
    below 0 are clipped to 0.
    """
    lam, v = np.linalg.eigh(a)
    return (v * np.sqrt(np.clip(lam, 0.0, None))) @ v.T


def frechet_distance(
    mu1: NDArray[np.float64],
    sigma1: NDArray[np.float64],
    mu2: NDArray[np.float64],
    sigma2: NDArray[np.float64],
) -> float:
    """Squared Frechet (2-Wasserstein) distance between N(mu1, sigma1), N(mu2, sigma2).

    mu: (d,), sigma: (d, d) covariance.
    d^2 = |mu1 - mu2|^2 + tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^{1/2}).
    sigma1 sigma2 is not symmetric, but it is similar to the symmetric PSD
    matrix s1 sigma2 s1 with s1 = sigma1^{1/2}, and similar matrices have the
    same eigenvalues, so tr (sigma1 sigma2)^{1/2} = tr (s1 sigma2 s1)^{1/2},
    computed with eigh only (no complex parts to discard).
    """
    s1 = sqrtm_psd(sigma1)
    lam = np.linalg.eigvalsh(s1 @ sigma2 @ s1)
    tr_covmean = float(np.sum(np.sqrt(np.clip(lam, 0.0, None))))
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * tr_covmean)


def fid_from_features(feat1: NDArray[np.float64], feat2: NDArray[np.float64]) -> float:
    """FID between two sets of features (n1, d) and (n2, d), e.g. Inception pool3.

    Fits a Gaussian (sample mean, unbiased covariance) to each set.
    """
    mu1, mu2 = feat1.mean(axis=0), feat2.mean(axis=0)
    sigma1 = np.cov(feat1, rowvar=False)
    sigma2 = np.cov(feat2, rowvar=False)
    return frechet_distance(mu1, np.atleast_2d(sigma1), mu2, np.atleast_2d(sigma2))


# --8<-- [end:fid]


# --8<-- [start:inception_score]
def inception_score(probs: NDArray[np.float64]) -> float:
    """IS = exp(E_x KL(p(y|x) || p(y))) from classifier probabilities (N, K).

    p(y) is the marginal: the mean of the rows. High when each row is
    confident (low entropy) and the rows together cover the classes (high
    entropy marginal); at most K.
    """
    p_y = probs.mean(axis=0, keepdims=True)
    # 0 log 0 = 0: where a probability is 0 the term contributes nothing.
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probs > 0, probs * (np.log(probs) - np.log(p_y)), 0.0)
    return float(np.exp(np.mean(np.sum(terms, axis=1))))


# --8<-- [end:inception_score]
