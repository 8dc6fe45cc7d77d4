"""DDPM in numpy: noise schedules, the forward process q(x_t | x_0), the
posterior q(x_{t-1} | x_t, x_0), the epsilon-prediction loss, ancestral
(DDPM) and deterministic (DDIM) reverse steps, classifier-free guidance, and
the exact score of a Gaussian mixture after noising (a stand-in for a
perfectly trained network on toy data).

Indexing: schedule arrays have length T + 1 and are indexed by t itself, so
betas[t] is beta_t for t = 1..T; index 0 is the clean data (beta_0 = 0,
alpha_bar_0 = 1). Data x has shape (N, d).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


# --8<-- [start:schedules]
def linear_betas(T: int, beta_1: float = 1e-4, beta_T: float = 0.02) -> NDArray[np.float64]:
    """Ho et al. (2020): beta_t linear from beta_1 to beta_T. Returns (T + 1,), betas[0] = 0."""
    return np.concatenate([[0.0], np.linspace(beta_1, beta_T, T)])


def cosine_betas(T: int, s: float = 0.008, max_beta: float = 0.999) -> NDArray[np.float64]:
    """Nichol & Dhariwal (2021): alpha_bar_t = f(t) / f(0), f(t) = cos^2((t/T + s)/(1 + s) pi/2).

    beta_t = 1 - alpha_bar_t / alpha_bar_{t-1}, clipped at max_beta because
    alpha_bar_T = 0 would make the last step beta_T = 1 (pure noise, a
    singular reverse step). The offset s keeps beta_1 from being tiny.
    Returns (T + 1,), betas[0] = 0.
    """
    t = np.arange(T + 1)
    f = np.cos((t / T + s) / (1 + s) * np.pi / 2) ** 2
    alpha_bar = f / f[0]
    betas = np.zeros(T + 1)
    betas[1:] = np.clip(1.0 - alpha_bar[1:] / alpha_bar[:-1], 0.0, max_beta)
    return betas


def alpha_bars(betas: NDArray[np.float64]) -> NDArray[np.float64]:
    """alpha_bar_t = prod_{s <= t} (1 - beta_s). (T + 1,), alpha_bar_0 = 1, decreasing."""
    return np.cumprod(1.0 - betas)


# --8<-- [end:schedules]


# --8<-- [start:q_sample]
def q_sample(
    x0: NDArray[np.float64], t: int, alpha_bar: NDArray[np.float64], eps: NDArray[np.float64]
) -> NDArray[np.float64]:
    """x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps, a draw from q(x_t | x_0).

    x0, eps: (N, d), eps ~ N(0, I). One step to any t, no loop over 1..t:
    composing t Gaussian steps gives one Gaussian.
    """
    return np.sqrt(alpha_bar[t]) * x0 + np.sqrt(1.0 - alpha_bar[t]) * eps


def q_posterior(
    x0: NDArray[np.float64],
    xt: NDArray[np.float64],
    t: int,
    betas: NDArray[np.float64],
    alpha_bar: NDArray[np.float64],
) -> tuple[NDArray[np.float64], float]:
    """Mean (N, d) and variance of q(x_{t-1} | x_t, x_0), for t >= 1.

    mean = sqrt(alpha_bar_{t-1}) beta_t / (1 - alpha_bar_t) x_0
         + sqrt(alpha_t) (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t) x_t,
    var  = (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t) beta_t  (beta-tilde).
    """
    alpha_t = 1.0 - betas[t]
    denom = 1.0 - alpha_bar[t]
    mean = (np.sqrt(alpha_bar[t - 1]) * betas[t] / denom) * x0 + (
        np.sqrt(alpha_t) * (1.0 - alpha_bar[t - 1]) / denom
    ) * xt
    var = float((1.0 - alpha_bar[t - 1]) / denom * betas[t])
    return mean, var


# --8<-- [end:q_sample]


# --8<-- [start:eps_loss]
def eps_loss(eps_pred: NDArray[np.float64], eps: NDArray[np.float64]) -> float:
    """Ho et al.'s simplified objective: mean over the batch of |eps - eps_pred|^2.

    eps_pred, eps: (N, d). In training, t ~ U{1..T} and x_t = q_sample(x0, t, .., eps);
    eps_pred = network(x_t, t). The sum over d (not the mean) matches the ELBO's scale.
    """
    return float(np.mean(np.sum((eps - eps_pred) ** 2, axis=1)))


def x0_from_eps(
    xt: NDArray[np.float64], t: int, eps_pred: NDArray[np.float64], alpha_bar: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Invert q_sample: x0_hat = (x_t - sqrt(1 - alpha_bar_t) eps_pred) / sqrt(alpha_bar_t)."""
    return (xt - np.sqrt(1.0 - alpha_bar[t]) * eps_pred) / np.sqrt(alpha_bar[t])


# --8<-- [end:eps_loss]


# --8<-- [start:gmm_score]
def _noised_components(
    means: NDArray[np.float64], std: float, ab: float
) -> tuple[NDArray[np.float64], float]:
    """Component k of the data mixture, N(m_k, std^2 I), after q(x_t | x_0) with
    alpha_bar = ab becomes N(sqrt(ab) m_k, (ab std^2 + 1 - ab) I)."""
    return np.sqrt(ab) * means, ab * std**2 + (1.0 - ab)


def gmm_log_density(
    x: NDArray[np.float64],
    means: NDArray[np.float64],
    weights: NDArray[np.float64],
    std: float,
    ab: float,
) -> NDArray[np.float64]:
    """log p_t(x) of the noised mixture. x (N, d), means (K, d), weights (K,). Returns (N,)."""
    mu, var = _noised_components(means, std, ab)
    d = x.shape[1]
    sq = np.sum((x[:, None, :] - mu[None]) ** 2, axis=2)  # (N, K)
    log_comp = np.log(weights)[None] - 0.5 * sq / var - 0.5 * d * np.log(2 * np.pi * var)
    m = log_comp.max(axis=1, keepdims=True)  # log-sum-exp, stable far from all modes
    return (m + np.log(np.sum(np.exp(log_comp - m), axis=1, keepdims=True)))[:, 0]


def gmm_score(
    x: NDArray[np.float64],
    means: NDArray[np.float64],
    weights: NDArray[np.float64],
    std: float,
    ab: float,
) -> NDArray[np.float64]:
    """grad_x log p_t(x) of the noised mixture: sum_k r_k(x) (mu_k - x) / var. (N, d).

    r_k are the posterior responsibilities (a softmax over components), so
    the score points towards a responsibility-weighted average of the means.
    """
    mu, var = _noised_components(means, std, ab)
    sq = np.sum((x[:, None, :] - mu[None]) ** 2, axis=2)
    logits = np.log(weights)[None] - 0.5 * sq / var
    r = np.exp(logits - logits.max(axis=1, keepdims=True))
    r /= r.sum(axis=1, keepdims=True)  # (N, K)
    return (r @ mu - x) / var


def eps_from_score(score: NDArray[np.float64], ab: float) -> NDArray[np.float64]:
    """The optimal noise predictor: eps*(x_t, t) = -sqrt(1 - alpha_bar_t) * score(x_t)."""
    return -np.sqrt(1.0 - ab) * score


# --8<-- [end:gmm_score]


# --8<-- [start:samplers]
def ddpm_step(
    xt: NDArray[np.float64],
    t: int,
    eps_pred: NDArray[np.float64],
    betas: NDArray[np.float64],
    alpha_bar: NDArray[np.float64],
    z: NDArray[np.float64],
) -> NDArray[np.float64]:
    """One ancestral step x_t -> x_{t-1} of DDPM, z ~ N(0, I) of shape (N, d).

    mean = (x_t - beta_t / sqrt(1 - alpha_bar_t) eps_pred) / sqrt(alpha_t): the
    posterior mean q_posterior with x_0 replaced by x0_from_eps. The variance
    is beta-tilde_t, which is 0 at t = 1, so the last step adds no noise.
    """
    alpha_t = 1.0 - betas[t]
    mean = (xt - betas[t] / np.sqrt(1.0 - alpha_bar[t]) * eps_pred) / np.sqrt(alpha_t)
    var = (1.0 - alpha_bar[t - 1]) / (1.0 - alpha_bar[t]) * betas[t]
    return mean + np.sqrt(var) * z


def ddim_step(
    xt: NDArray[np.float64],
    t: int,
    t_prev: int,
    eps_pred: NDArray[np.float64],
    alpha_bar: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Deterministic DDIM step (eta = 0) from t to any earlier t_prev (Song et al., 2020).

    Predict x0_hat, then re-noise it to level t_prev with the *same* eps_pred:
    x_{t_prev} = sqrt(alpha_bar_{t_prev}) x0_hat + sqrt(1 - alpha_bar_{t_prev}) eps_pred.
    """
    x0_hat = x0_from_eps(xt, t, eps_pred, alpha_bar)
    return np.sqrt(alpha_bar[t_prev]) * x0_hat + np.sqrt(1.0 - alpha_bar[t_prev]) * eps_pred


def cfg_eps(
    eps_cond: NDArray[np.float64], eps_uncond: NDArray[np.float64], w: float
) -> NDArray[np.float64]:
    """Classifier-free guidance (Ho & Salimans, 2022): (1 + w) eps(x, c) - w eps(x).

    w = 0 is the conditional model; w > 0 extrapolates away from the
    unconditional prediction (in the "guidance scale" convention s = 1 + w).
    """
    return (1.0 + w) * eps_cond - w * eps_uncond


# --8<-- [end:samplers]
