"""Examples for docs/*/ml/models.md: k-means with k-means++, choosing k, GMM-EM."""

from __future__ import annotations

import itertools

import numpy as np

from snippets import clustering as cl

rng = np.random.default_rng(0)
centers = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0], [5.0, 5.0]])
X = np.concatenate([c + 0.7 * rng.normal(size=(50, 2)) for c in centers])

# --8<-- [start:kmeans]
res = cl.kmeans(X, 4, np.random.default_rng(1))
print("J per iteration:", np.round(res.inertia, 1))
for k in range(2, 7):  # elbow (J) and silhouette for choosing k
    r = cl.kmeans(X, k, np.random.default_rng(1))
    print(f"k={k}: J={r.inertia[-1]:7.1f}  silhouette={cl.silhouette_score(X, r.labels):.3f}")
# --8<-- [end:kmeans]
assert all(b <= a for a, b in itertools.pairwise(res.inertia))
assert (
    max(
        range(2, 7),
        key=lambda k: cl.silhouette_score(X, cl.kmeans(X, k, np.random.default_rng(1)).labels),
    )
    == 4
)

# --8<-- [start:gmm_em]
em = cl.gmm_em(X, 4, np.random.default_rng(1))
print("log-likelihood:", np.round(em.log_likelihood[:6], 1), "...", round(em.log_likelihood[-1], 1))
print("weights:", em.gmm.weights.round(3))
print("soft assignment of (2.5, 0):", cl.e_step(np.array([[2.5, 0.0]]), em.gmm)[0][0].round(2))
# --8<-- [end:gmm_em]
assert all(b >= a - 1e-9 for a, b in itertools.pairwise(em.log_likelihood))

# --8<-- [start:hard_limit]
# Shared covariance s^2 I, equal weights: as s -> 0 the responsibilities become one-hot
# (the nearest mean gets 1), i.e. the E-step turns into k-means' assignment step.
means = res.centers
x = np.array([[2.0, 0.5]])
for s2 in (4.0, 1.0, 0.1):
    gmm = cl.GMM(np.full(4, 0.25), means, np.stack([s2 * np.eye(2)] * 4))
    print(f"s^2={s2}: gamma={cl.e_step(x, gmm)[0][0].round(3)}")
print("nearest centre:", np.argmin(cl.squared_distances(x, means)))
# --8<-- [end:hard_limit]
assert np.argmax(cl.e_step(x, gmm)[0]) == np.argmin(cl.squared_distances(x, means))
assert cl.e_step(x, gmm)[0].max() > 0.99
