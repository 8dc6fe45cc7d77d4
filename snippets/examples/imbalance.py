"""Examples for docs/*/ml/tabular.md: SMOTE inside the fold, class weights,
prior correction, target-encoding leakage and hashing collisions."""

from __future__ import annotations

import numpy as np

from snippets import imbalance as im
from snippets import metrics as mt

# --8<-- [start:smote]
rng = np.random.default_rng(0)
X = rng.normal(size=(1000, 2))
y = (rng.random(1000) < 0.05).astype(int)
X[y == 1] += 2.0  # the minority class sits to the upper right
folds = mt.stratified_kfold(y, 5, rng)
train, test = folds[0]
X_tr, y_tr = X[train], y[train]
X_min = X_tr[y_tr == 1]  # oversample the TRAINING fold's minority only
n_new = int(np.sum(y_tr == 0) - np.sum(y_tr == 1))
X_syn = im.smote(X_min, n_new, k=5, rng=rng)
X_bal = np.vstack([X_tr, X_syn])
y_bal = np.r_[y_tr, np.ones(n_new, dtype=int)]
print(np.bincount(y_tr), np.bincount(y_bal), np.bincount(y[test]))
# [759  41] [759 759] [190  10]: the test fold keeps the real 5% prevalence
# --8<-- [end:smote]
assert np.bincount(y_bal)[0] == np.bincount(y_bal)[1]
assert np.bincount(y[test])[1] == 10

# --8<-- [start:class_weights]
y = np.array([0] * 950 + [1] * 50)
w = im.balanced_class_weights(y, 2)
print(w.round(3), np.bincount(y, weights=w[y]))  # [0.526 10.   ] [500. 500.]
# --8<-- [end:class_weights]
assert np.allclose(np.bincount(y, weights=w[y]), 500)

# --8<-- [start:prior_correction]
p_balanced = np.array([0.5, 0.9, 0.99])  # a model trained on 50/50 resampled data
p_true = im.prior_correction(p_balanced, pi_train=0.5, pi_true=0.01)
print(p_true.round(4))  # [0.01   0.0833 0.5   ]: "90%" is really 8%
# --8<-- [end:prior_correction]
assert np.isclose(p_true[0], 0.01) and np.isclose(p_true[2], 0.5)


# --8<-- [start:target_leakage]
rng = np.random.default_rng(0)
n, n_cats = 5000, 500  # about 10 rows per category
cats, cats_te = rng.integers(0, n_cats, n), rng.integers(0, n_cats, n)
y, y_te = (rng.random(n) < 0.3).astype(int), (rng.random(n) < 0.3).astype(int)  # pure noise
table = im.smoothed_means(cats, y, n_cats, m=1.0, prior=y.mean())  # fitted on all train rows
naive = table[cats]  # WRONG: each training row's own y is inside its category mean
oof = im.target_encode_oof(cats, y, n_cats, m=1.0, n_folds=5, rng=rng)
test_enc = table[cats_te]  # test rows always use the full-training table
for name, enc in (("in-sample", naive), ("out-of-fold", oof)):
    print(f"{name:12s} train AUC {mt.roc_auc(y, enc):.2f}")
print(f"test AUC     {mt.roc_auc(y_te, test_enc):.2f}")
# in-sample    train AUC 0.69   <- looks predictive on the training rows,
# out-of-fold  train AUC 0.50   <- honest about what it is worth:
# test AUC     0.51
loo = im.target_encode_loo(cats, y, n_cats, m=1.0)
c = np.bincount(cats).argmax()  # one category: LOO takes two values, set by y_i alone
print(
    np.unique(loo[(cats == c) & (y == 1)]).round(4), np.unique(loo[(cats == c) & (y == 0)]).round(4)
)
# [0.241] [0.2864]: every positive gets the lower value, every negative the higher
# --8<-- [end:target_leakage]
assert mt.roc_auc(y, naive) > 0.65 and abs(mt.roc_auc(y, oof) - 0.5) < 0.05
assert abs(mt.roc_auc(y_te, test_enc) - 0.5) < 0.05
assert loo[(cats == c) & (y == 1)].max() < loo[(cats == c) & (y == 0)].min()

# --8<-- [start:hashing]
values = [f"device_{i}" for i in range(10_000)]
for n_features in (2**10, 2**14, 2**18):
    cols, _ = im.hash_indices(values, n_features)
    shared = np.mean(np.bincount(cols)[cols] > 1)  # values whose column holds another value
    print(f"{n_features:7d} columns: {shared:.1%} of values collide")
# 1024: 100.0%;  16384: 45.5%;  262144: 3.9%  (about 1 - exp(-N / n_features))
# --8<-- [end:hashing]
assert abs(shared - (1 - np.exp(-len(values) / 2**18))) < 0.01
