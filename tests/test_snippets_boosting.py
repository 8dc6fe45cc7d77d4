"""Impurities, trees, AdaBoost, gradient boosting, XGBoost gain: hand values and invariants."""

import itertools

import numpy as np

from snippets import boosting as bt


def test_impurities_hand_values():
    p = np.array([[0.5, 0.5], [1.0, 0.0], [0.6, 0.4]])
    np.testing.assert_allclose(bt.gini(p), [0.5, 0.0, 0.48])
    np.testing.assert_allclose(bt.misclassification(p), [0.5, 0.0, 0.4])
    np.testing.assert_allclose(bt.entropy_bits(p), [1.0, 0.0, 0.970950594])
    # K classes: max entropy log2 K, max Gini 1 - 1/K
    u = np.full(4, 0.25)
    assert np.isclose(bt.entropy_bits(u), 2.0) and np.isclose(bt.gini(u), 0.75)


def test_impurity_ordering_binary():
    """For two classes: misclassification <= Gini <= entropy_bits / 2 ... at p = 1/2 all 0.5."""
    p = np.linspace(0.01, 0.99, 99)
    P = np.column_stack([p, 1 - p])
    assert np.all(bt.misclassification(P) <= bt.gini(P) + 1e-12)
    assert np.all(bt.gini(P) <= bt.entropy_bits(P) / 2 + 1e-12)


def test_tree_split_and_fit():
    X = np.array([[1.0], [2.0], [3.0], [10.0], [11.0], [12.0]])
    y = np.array([1.0, 1.0, 1.0, 5.0, 5.0, 5.0])
    j, t, gain = bt.best_split(X, y)
    assert j == 0 and t == 6.5
    assert np.isclose(gain, np.sum((y - y.mean()) ** 2))  # all the SSE removed
    tree = bt.fit_tree(X, y, max_depth=3)
    np.testing.assert_allclose(bt.predict_tree(tree, X), y)
    stump = bt.fit_tree(X, np.arange(6.0), max_depth=1)
    assert stump.left is not None and stump.left.left is None


def test_best_split_skips_ties_and_min_leaf():
    X = np.array([[0.0], [0.0], [1.0]])
    r = np.array([0.0, 1.0, 5.0])
    _, t, _ = bt.best_split(X, r)
    assert t == 0.5  # cannot cut between the two zeros
    assert bt.best_split(X, r, min_leaf=2) is None


def test_adaboost_alpha_and_exponential_loss():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(150, 2))
    y = np.where(X[:, 0] ** 2 + X[:, 1] ** 2 < 0.5, 1.0, -1.0)
    stumps, alphas, errors, exp_loss = bt.adaboost(X, y, 40)
    for a, e in zip(alphas, errors, strict=True):
        assert np.isclose(a, 0.5 * np.log((1 - e) / e))
        assert e < 0.5
    # exp loss is multiplied by 2 sqrt(eps (1 - eps)) < 1 each round
    factors = np.array(exp_loss) / np.array([1.0, *exp_loss[:-1]])
    np.testing.assert_allclose(factors, 2 * np.sqrt(np.array(errors) * (1 - np.array(errors))))
    train_err = [
        np.mean(np.sign(bt.adaboost_predict(stumps[:m], alphas[:m], X)) != y) for m in (1, 40)
    ]
    assert train_err[1] < train_err[0]
    assert train_err[1] <= exp_loss[-1]  # 0-1 loss <= exponential loss


def test_adaboost_reweighting_makes_last_stump_chance():
    """After the update, the stump just added has weighted error exactly 1/2."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2))
    y = np.where(X[:, 0] + 0.3 * rng.normal(size=40) > 0, 1.0, -1.0)
    w = np.full(40, 1 / 40)
    s, eps = bt.fit_stump(X, y, w)
    alpha = 0.5 * np.log((1 - eps) / eps)
    h = bt.predict_stump(s, X)
    w = w * np.exp(-alpha * y * h)
    w /= w.sum()
    assert np.isclose(w @ (h != y), 0.5)


def test_gradient_boosting_residuals():
    rng = np.random.default_rng(2)
    x = np.sort(rng.uniform(0, 6, 80))
    X = x[:, None]
    y = np.sin(x) + 0.1 * rng.normal(size=80)
    model = bt.gradient_boost(X, y, n_stages=30, lr=0.3, max_depth=2)
    for m, r in enumerate(model.residuals):
        np.testing.assert_allclose(r, y - model.predictions[m])
    np.testing.assert_allclose(model.predictions[-1], bt.gradient_boost_predict(model, X))
    mse = [np.mean((y - F) ** 2) for F in model.predictions]
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(mse))
    assert mse[-1] < 0.05


def test_xgb_leaf_weight_and_gain_hand_computed():
    # squared loss at F = 0: g = F - y = -y, h = 1
    y = np.array([1.0, 2.0, 3.0, 10.0])
    g, h = -y, np.ones(4)
    assert bt.leaf_weight(g.sum(), h.sum(), lam=0.0) == y.mean()
    assert np.isclose(bt.leaf_weight(-16.0, 4.0, lam=1.0), 3.2)
    # split {1,2,3} | {10}: GL=-6, HL=3, GR=-10, HR=1, lam=1, gamma=0.5
    gain = bt.split_gain(-6.0, 3.0, -10.0, 1.0, lam=1.0, gamma=0.5)
    assert np.isclose(gain, 0.5 * (36 / 4 + 100 / 2 - 256 / 5) - 0.5)  # 3.4
    # the other cuts: {1}|{2,3,10} and {1,2}|{3,10}; the second one is the best
    g1 = bt.split_gain(-1.0, 1.0, -15.0, 3.0, lam=1.0, gamma=0.5)
    g2 = bt.split_gain(-3.0, 2.0, -13.0, 2.0, lam=1.0, gamma=0.5)
    assert np.isclose(g1, 0.5 * (1 / 2 + 225 / 4 - 256 / 5) - 0.5)  # 2.275
    assert np.isclose(g2, 0.5 * (9 / 3 + 169 / 3 - 256 / 5) - 0.5)  # 3.567
    t, best = bt.xgb_best_split(np.array([0.0, 1.0, 2.0, 3.0]), g, h, lam=1.0, gamma=0.5)
    assert t == 1.5 and np.isclose(best, g2)


def test_xgb_gain_with_lam_zero_equals_sse_decrease():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 1))
    r = rng.normal(size=30)
    _, t, sse_gain = bt.best_split(X, r)
    t2, gain = bt.xgb_best_split(X[:, 0], -r, np.ones(30), lam=0.0, gamma=0.0)
    assert np.isclose(t, t2) and np.isclose(gain, sse_gain / 2)
