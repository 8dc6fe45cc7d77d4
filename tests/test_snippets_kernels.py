"""Kernels: Gram matrices are symmetric PSD; kernel ridge separates XOR, a linear model cannot."""

import numpy as np

from snippets import kernels as kn

XOR_X = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
XOR_Y = np.array([-1.0, -1.0, 1.0, 1.0])


def test_rbf_gram_symmetric_psd():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    X[5] = X[6]  # duplicate rows: K has equal rows, still PSD
    K = kn.rbf_kernel(X, X, gamma=0.7)
    np.testing.assert_allclose(K, K.T)
    np.testing.assert_allclose(np.diag(K), 1.0)
    assert np.linalg.eigvalsh(K).min() > -1e-10
    a, b = X[0], X[1]
    assert np.isclose(K[0, 1], np.exp(-0.7 * np.sum((a - b) ** 2)))


def test_poly_kernel_is_feature_map_inner_product():
    def phi(x):
        r2 = np.sqrt(2.0)
        return np.array([x[0] ** 2, x[1] ** 2, r2 * x[0] * x[1], r2 * x[0], r2 * x[1], 1.0])

    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 2))
    P = np.array([phi(x) for x in X])
    np.testing.assert_allclose(kn.poly_kernel(X, X), P @ P.T)


def test_xor_feature_map_makes_it_linear():
    Z = kn.xor_feature_map(XOR_X)
    np.testing.assert_array_equal(np.sign(-Z[:, 2]), XOR_Y)


def test_kernel_ridge_classifies_xor():
    for K in (kn.rbf_kernel(XOR_X, XOR_X, gamma=1.0), kn.poly_kernel(XOR_X, XOR_X)):
        alpha = kn.kernel_ridge_fit(K, XOR_Y)
        np.testing.assert_array_equal(np.sign(kn.kernel_ridge_decision(K, alpha)), XOR_Y)
    # noisy XOR clouds, evaluated on fresh points
    rng = np.random.default_rng(2)
    X = XOR_X[rng.integers(0, 4, 200)] + 0.3 * rng.normal(size=(200, 2))
    y = np.sign(-X[:, 0] * X[:, 1])
    Xt = XOR_X[rng.integers(0, 4, 200)] + 0.3 * rng.normal(size=(200, 2))
    yt = np.sign(-Xt[:, 0] * Xt[:, 1])
    alpha = kn.kernel_ridge_fit(kn.rbf_kernel(X, X, 1.0), y, lam=0.1)
    pred = np.sign(kn.kernel_ridge_decision(kn.rbf_kernel(Xt, X, 1.0), alpha))
    assert np.mean(pred == yt) > 0.95


def test_linear_kernel_fails_on_xor():
    K = XOR_X @ XOR_X.T + 1.0  # linear kernel with a bias
    alpha = kn.kernel_ridge_fit(K, XOR_Y)
    np.testing.assert_allclose(kn.kernel_ridge_decision(K, alpha), 0.0, atol=1e-9)
