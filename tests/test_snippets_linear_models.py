"""Linear models, PCA, kNN, naive Bayes: gradients, invariants, hand-computed values."""

import itertools

import numpy as np

from snippets import linear_models as lm
from snippets.gradcheck import numerical_gradient


def toy_binary(rng, n=60, d=3):
    X = lm.add_bias(rng.normal(size=(n, d)))
    w_true = rng.normal(size=d + 1)
    y = (rng.random(n) < 1 / (1 + np.exp(-X @ w_true))).astype(float)
    return X, y


def test_logistic_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    X, y = toy_binary(rng)
    w = rng.normal(size=X.shape[1])
    for lam in (0.0, 0.3):
        _, dw = lm.logistic_loss(w, X, y, lam)
        numeric = numerical_gradient(lambda v, lam=lam: lm.logistic_loss(v, X, y, lam)[0], w)
        np.testing.assert_allclose(dw, numeric, rtol=1e-6, atol=1e-9)


def test_logistic_gradient_closed_form():
    rng = np.random.default_rng(1)
    X, y = toy_binary(rng)
    w = rng.normal(size=X.shape[1])
    _, dw = lm.logistic_loss(w, X, y)
    np.testing.assert_allclose(dw, X.T @ (1 / (1 + np.exp(-X @ w)) - y) / len(y))


def test_logistic_loss_at_zero_is_ln2_and_stable():
    X = np.array([[1.0], [-1.0]])
    y = np.array([1.0, 0.0])
    assert np.isclose(lm.logistic_loss(np.zeros(1), X, y)[0], np.log(2))
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss, _ = lm.logistic_loss(np.array([1000.0]), X, 1 - y)  # confidently wrong
    assert np.isclose(loss, 1000.0)


def test_logistic_hessian_is_psd():
    """H = X^T diag(p(1-p)) X / n is PSD: the loss is convex (checked numerically)."""
    rng = np.random.default_rng(2)
    X, y = toy_binary(rng)
    w = rng.normal(size=X.shape[1])
    H = np.array(
        [numerical_gradient(lambda v, i=i: lm.logistic_loss(v, X, y)[1][i], w) for i in range(4)]
    )
    assert np.linalg.eigvalsh(0.5 * (H + H.T)).min() > -1e-8


def test_sigmoid_mse_is_not_convex_and_gradient_is_right():
    X = np.array([[1.0]])
    y = np.array([1.0])
    w = np.array([-3.0])
    _, dw = lm.sigmoid_mse_loss(w, X, y)
    np.testing.assert_allclose(
        dw, numerical_gradient(lambda v: lm.sigmoid_mse_loss(v, X, y)[0], w), rtol=1e-6
    )
    ws = np.linspace(-8, 8, 401)
    f = np.array([lm.sigmoid_mse_loss(np.array([v]), X, y)[0] for v in ws])
    assert np.min(np.diff(f, 2)) < 0 < np.max(np.diff(f, 2))  # concave somewhere


def test_logistic_fit_decreases_loss_and_separates():
    rng = np.random.default_rng(3)
    X, y = toy_binary(rng, n=200)
    w_true = np.random.default_rng(3).normal(size=4)  # not used to make y: just a reference point
    w, hist = lm.logistic_fit(X, y, lr=0.5, steps=300, lam=1e-3)
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(hist))
    _, dw = lm.logistic_loss(w, X, y, 1e-3)
    assert np.linalg.norm(dw) < 1e-3  # converged: the convex loss has one minimum
    assert hist[-1] <= lm.logistic_loss(w_true, X, y, 1e-3)[0]


def test_softmax_regression_gradient():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(20, 3))
    y = rng.integers(0, 4, size=20)
    W = rng.normal(size=(3, 4))
    _, dW = lm.softmax_regression_loss(W, X, y)
    numeric = numerical_gradient(lambda v: lm.softmax_regression_loss(v, X, y)[0], W)
    np.testing.assert_allclose(dW, numeric, rtol=1e-6, atol=1e-9)


def test_softmax_with_two_classes_is_logistic():
    rng = np.random.default_rng(5)
    X, y = toy_binary(rng)
    w = rng.normal(size=X.shape[1])
    W = np.column_stack([np.zeros_like(w), w])  # logit difference = X w
    assert np.isclose(
        lm.softmax_regression_loss(W, X, y.astype(int))[0], lm.logistic_loss(w, X, y)[0]
    )


def test_pca_properties():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(200, 5)) @ rng.normal(size=(5, 5)) + 3.0
    full = lm.pca_svd(X, 5)
    np.testing.assert_allclose(full.components @ full.components.T, np.eye(5), atol=1e-10)
    eig = np.sort(np.linalg.eigvalsh(np.cov(X.T)))[::-1]
    np.testing.assert_allclose(full.explained_variance, eig, rtol=1e-10)
    assert np.isclose(full.explained_variance_ratio.sum(), 1.0)
    for k in (1, 2, 4):
        pca = lm.pca_svd(X, k)
        Xr = lm.pca_reconstruct(lm.pca_transform(X, pca), pca)
        err = np.sum((X - Xr) ** 2) / (X.shape[0] - 1)
        assert np.isclose(err, eig[k:].sum())


def test_knn():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [5.0, 5.0], [5.1, 5.0]])
    y = np.array([0, 0, 0, 1, 1])
    Xt = np.array([[0.05, 0.05], [4.9, 5.2], [2.4, 2.4]])
    np.testing.assert_array_equal(lm.knn_predict(X, y, Xt, k=1), [0, 1, 0])
    np.testing.assert_array_equal(lm.knn_predict(X, y, Xt, k=3), [0, 1, 0])
    np.testing.assert_array_equal(lm.knn_predict(X, y, X, k=1), y)  # 1-NN memorises


def test_gaussian_nb_hand_computed():
    X = np.array([[0.0], [2.0], [10.0], [12.0]])
    y = np.array([0, 0, 1, 1])
    m = lm.gaussian_nb_fit(X, y, var_smoothing=0.0)
    np.testing.assert_allclose(m.mean[:, 0], [1.0, 11.0])
    np.testing.assert_allclose(m.var[:, 0], [1.0, 1.0])
    p = lm.gaussian_nb_predict_proba(m, np.array([[6.0]]))
    np.testing.assert_allclose(p, [[0.5, 0.5]])
    assert lm.gaussian_nb_predict_proba(m, np.array([[3.0]]))[0, 0] > 0.999


def test_gaussian_nb_variance_smoothing_handles_constant_feature():
    X = np.array([[1.0, 0.0], [1.0, 1.0], [2.0, 5.0], [2.0, 6.0]])
    y = np.array([0, 0, 1, 1])
    m = lm.gaussian_nb_fit(X, y)
    assert np.all(m.var > 0)
    p = lm.gaussian_nb_predict_proba(m, X)
    assert np.all(np.isfinite(p))
    np.testing.assert_array_equal(p.argmax(1), y)


def test_multinomial_nb_laplace():
    counts = np.array([[2, 0, 1], [3, 0, 0], [0, 2, 1]], dtype=float)
    y = np.array([0, 0, 1])
    log_prior, log_theta = lm.multinomial_nb_fit(counts, y, alpha=1.0)
    # class 0: counts (5, 0, 1), total 6 -> (6, 1, 2) / 9
    np.testing.assert_allclose(np.exp(log_theta[0]), [6 / 9, 1 / 9, 2 / 9])
    np.testing.assert_allclose(np.exp(log_prior), [2 / 3, 1 / 3])
    assert np.all(np.isfinite(log_theta))
    np.testing.assert_array_equal(lm.multinomial_nb_predict(log_prior, log_theta, counts), y)


def test_poly_fit_recovers_polynomial():
    x = np.linspace(-1, 1, 30)
    coef_true = np.array([1.0, -2.0, 0.5, 3.0])
    y = lm.poly_features(x, 3) @ coef_true
    np.testing.assert_allclose(lm.poly_fit(x, y, 3), coef_true, atol=1e-10)
    np.testing.assert_allclose(lm.poly_predict(coef_true, np.array([2.0])), [1 - 4 + 2 + 24])
