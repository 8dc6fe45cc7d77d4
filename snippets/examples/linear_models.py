"""Examples for docs/*/ml/models.md: bias-variance by simulation, the curse of
dimensionality for kNN, naive Bayes smoothing, PCA via SVD, logistic regression."""

from __future__ import annotations

import numpy as np

from snippets import linear_models as lm
from snippets.gradcheck import numerical_gradient

# --8<-- [start:bias_variance]
rng = np.random.default_rng(0)
x0, sigma, n, n_sets = 0.5, 0.3, 30, 2000
f = np.sin  # the true function; we study the prediction at x0


def predictions_at_x0(degree: int) -> np.ndarray:
    """f_hat(x0) for n_sets independent training sets of n points."""
    out = np.empty(n_sets)
    for s in range(n_sets):
        x = rng.uniform(-2, 2, n)
        out[s] = lm.poly_predict(
            lm.poly_fit(x, f(x) + sigma * rng.normal(size=n), degree), np.array([x0])
        )[0]
    return out


for degree in (0, 3, 9):
    p = predictions_at_x0(degree)
    y0 = f(x0) + sigma * rng.normal(size=n_sets)  # a fresh noisy target per fit
    bias2, var = (p.mean() - f(x0)) ** 2, p.var()
    mse = np.mean((y0 - p) ** 2)
    print(
        f"degree {degree}: bias^2={bias2:.4f} var={var:.4f} "
        f"bias^2+var+sigma^2={bias2 + var + sigma**2:.4f} test MSE={mse:.4f}"
    )
# --8<-- [end:bias_variance]
assert abs(mse - (bias2 + var + sigma**2)) < 0.1 * mse  # the identity, up to sampling noise
assert predictions_at_x0(0).var() < predictions_at_x0(9).var()

# --8<-- [start:curse_of_dimensionality]
rng = np.random.default_rng(0)
for d in (2, 10, 100, 1000):
    X = rng.uniform(size=(1000, d))
    q = rng.uniform(size=d)
    dist = np.linalg.norm(X - q, axis=1)
    print(f"d={d:4d}: nearest/farthest distance = {dist.min() / dist.max():.2f}")
# --8<-- [end:curse_of_dimensionality]
assert dist.min() / dist.max() > 0.7  # in 1000-d every point is about equally far

# --8<-- [start:naive_bayes]
# vocabulary (free, money, meeting); one ham document (class 0), two spam (class 1)
counts = np.array([[1, 1, 4], [2, 1, 0], [3, 2, 0]], dtype=float)
y = np.array([0, 1, 1])
doc = np.array([[3.0, 2.0, 1.0]])  # "free" x3, "money" x2 and one "meeting"
for alpha in (0.0, 1.0):
    with np.errstate(divide="ignore"):  # alpha = 0: log(0) = -inf for "meeting" in spam
        log_prior, log_theta = lm.multinomial_nb_fit(counts, y, alpha)
    scores = log_prior + doc @ log_theta.T
    print(
        f"alpha={alpha:g}: theta(spam)={np.exp(log_theta[1]).round(3)}, "
        f"log scores={scores[0].round(2)}, predict={scores.argmax()}"
    )
# --8<-- [end:naive_bayes]
assert scores.argmax() == 1  # with smoothing the spammy words win
assert lm.multinomial_nb_predict(*lm.multinomial_nb_fit(counts, y, 1.0), doc)[0] == 1

# --8<-- [start:pca]
rng = np.random.default_rng(0)
X = rng.normal(size=(500, 3)) @ np.array([[3.0, 0, 0], [1.0, 1.0, 0], [0, 0, 0.2]])
pca = lm.pca_svd(X, 2)
eig = np.sort(np.linalg.eigvalsh(np.cov(X.T)))[::-1]
print("explained variance:", pca.explained_variance.round(3), " eigenvalues:", eig.round(3))
print("explained variance ratio:", pca.explained_variance_ratio.round(4))
X_hat = lm.pca_reconstruct(lm.pca_transform(X, pca), pca)
print(
    "reconstruction error per sample:",
    round(np.sum((X - X_hat) ** 2) / (len(X) - 1), 4),
    " dropped eigenvalue:",
    round(eig[2], 4),
)
# --8<-- [end:pca]
assert np.allclose(pca.explained_variance, eig[:2])
assert np.isclose(np.sum((X - X_hat) ** 2) / (len(X) - 1), eig[2])

# --8<-- [start:logistic]
rng = np.random.default_rng(0)
X = lm.add_bias(rng.normal(size=(100, 2)))
y = (X @ np.array([2.0, -1.0, 0.5]) + rng.logistic(size=100) > 0).astype(float)
w0 = rng.normal(size=3)
loss, dw = lm.logistic_loss(w0, X, y)
numeric = numerical_gradient(lambda w: lm.logistic_loss(w, X, y)[0], w0)
print("max |analytic - numeric| =", np.abs(dw - numeric).max())
w, history = lm.logistic_fit(X, y, lr=1.0, steps=300)
print("w =", w.round(2), " loss:", round(history[0], 4), "->", round(history[-1], 4))
# confidently wrong: y = 1 but z = X w = -8
x_bad, y_bad = np.array([[1.0]]), np.array([1.0])
print(
    "|dL/dw| CE  =",
    abs(lm.logistic_loss(np.array([-8.0]), x_bad, y_bad)[1][0]).round(4),
    " MSE =",
    abs(lm.sigmoid_mse_loss(np.array([-8.0]), x_bad, y_bad)[1][0]).round(6),
)
# --8<-- [end:logistic]
assert np.abs(dw - numeric).max() < 1e-8
assert history[-1] < history[0]
assert abs(lm.sigmoid_mse_loss(np.array([-8.0]), x_bad, y_bad)[1][0]) < 1e-3
