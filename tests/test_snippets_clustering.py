"""k-means and GMM-EM: monotone objectives, cluster recovery, k-means++ seeding."""

import itertools

import numpy as np

from snippets import clustering as cl


def blobs(rng, centers, n=60, scale=0.3):
    X = np.concatenate([c + scale * rng.normal(size=(n, 2)) for c in centers])
    y = np.repeat(np.arange(len(centers)), n)
    return X, y


CENTERS = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])


def same_partition(a, b):
    """Labels equal up to a permutation."""
    return all(len(set(b[a == v])) == 1 for v in np.unique(a)) and len(np.unique(a)) == len(
        np.unique(b)
    )


def test_kmeans_pp_picks_distinct_data_points():
    rng = np.random.default_rng(0)
    X, _ = blobs(rng, CENTERS)
    for seed in range(20):
        C = cl.kmeans_pp_init(X, 3, np.random.default_rng(seed))
        assert len({tuple(c) for c in C}) == 3
        assert all(any(np.array_equal(c, x) for x in X) for c in C)
    # duplicates in the data: D^2 = 0 for points equal to a chosen centre
    Xd = np.array([[0.0, 0.0]] * 5 + [[1.0, 1.0]] * 5)
    for seed in range(10):
        C = cl.kmeans_pp_init(Xd, 2, np.random.default_rng(seed))
        assert not np.array_equal(C[0], C[1])


def test_kmeans_objective_never_increases_and_recovers_clusters():
    rng = np.random.default_rng(1)
    X, y = blobs(rng, CENTERS)
    for seed in range(5):
        res = cl.kmeans(X, 3, np.random.default_rng(seed))
        assert all(b <= a + 1e-9 for a, b in itertools.pairwise(res.inertia))
        assert same_partition(res.labels, y)
        assert np.isclose(res.inertia[-1], cl.kmeans_objective(X, res.centers, res.labels))


def test_kmeans_monotone_from_bad_init():
    rng = np.random.default_rng(2)
    X, _ = blobs(rng, CENTERS, scale=1.5)
    res = cl.kmeans(X, 3, rng, init=X[:3])
    assert len(res.inertia) > 2
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(res.inertia))


def test_silhouette():
    rng = np.random.default_rng(3)
    X, y = blobs(rng, CENTERS)
    assert cl.silhouette_score(X, y) > 0.8
    assert cl.silhouette_score(X, rng.permutation(y)) < 0.1


def test_log_gaussian_matches_formula():
    rng = np.random.default_rng(4)
    A = rng.normal(size=(2, 2))
    cov = A @ A.T + np.eye(2)
    mean = np.array([0.5, -1.0])
    X = rng.normal(size=(5, 2))
    inv = np.linalg.inv(cov)
    diff = X - mean
    ref = -0.5 * np.einsum("ni,ij,nj->n", diff, inv, diff) - 0.5 * np.log(
        (2 * np.pi) ** 2 * np.linalg.det(cov)
    )
    np.testing.assert_allclose(cl.log_gaussian(X, mean, cov), ref)


def test_e_step_is_stable_far_away():
    gmm = cl.GMM(
        np.array([0.5, 0.5]), np.array([[0.0, 0.0], [1.0, 0.0]]), np.stack([np.eye(2)] * 2)
    )
    gamma, ll = cl.e_step(np.array([[100.0, 0.0]]), gmm)  # N(x) underflows to 0 in linear space
    assert np.all(np.isfinite(gamma)) and np.isfinite(ll)
    np.testing.assert_allclose(gamma.sum(1), 1.0)
    assert gamma[0, 1] > 0.999


def test_em_log_likelihood_never_decreases_and_recovers():
    rng = np.random.default_rng(5)
    X, y = blobs(rng, CENTERS, scale=0.6)
    for diagonal in (False, True):
        res = cl.gmm_em(X, 3, np.random.default_rng(0), diagonal=diagonal)
        ll = res.log_likelihood
        assert all(b >= a - 1e-8 for a, b in itertools.pairwise(ll))
        assert same_partition(res.gamma.argmax(1), y)
        np.testing.assert_allclose(res.gmm.weights.sum(), 1.0)
        order = np.argsort(res.gmm.means[:, 0] + 10 * res.gmm.means[:, 1])
        np.testing.assert_allclose(res.gmm.means[order], CENTERS, atol=0.3)
        if diagonal:
            off = res.gmm.covs[:, 0, 1]
            np.testing.assert_array_equal(off, 0.0)


def test_m_step_with_hard_responsibilities_gives_kmeans_centres():
    rng = np.random.default_rng(6)
    X, y = blobs(rng, CENTERS)
    gamma = np.eye(3)[y]
    gmm = cl.m_step(X, gamma)
    for j in range(3):
        np.testing.assert_allclose(gmm.means[j], X[y == j].mean(0))
    np.testing.assert_allclose(gmm.weights, [1 / 3] * 3)
