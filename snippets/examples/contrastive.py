"""Examples printed on the ViT / self-supervised learning page."""

import numpy as np

from snippets.contrastive import info_nce, negative_weights

# --8<-- [start:temperature]
rng = np.random.default_rng(0)
n, d = 256, 32
u = rng.normal(size=(n, d))
v = u + 0.8 * rng.normal(size=(n, d))  # positives: noisy views of the same embedding
print("  tau   loss   log N - loss (MI lower bound, nats)")
for tau in (1.0, 0.5, 0.1, 0.05):
    loss, _, _ = info_nce(u, v, tau)
    print(f"{tau:5.2f}  {loss:5.3f}  {np.log(n) - loss:5.3f}")
# --8<-- [end:temperature]
assert info_nce(u, v, 0.1)[0] < info_nce(u, v, 1.0)[0]

# --8<-- [start:hardest]
s_pos = 0.8
s_neg = np.array([0.6, 0.3, 0.1, 0.0, -0.2])  # the first negative is the hardest
for tau in (1.0, 0.3, 0.1, 0.03):
    w = negative_weights(s_pos, s_neg, tau)
    print(f"tau = {tau:4.2f}: share of the hardest negative = {w[0] / w.sum():.2f}")
# --8<-- [end:hardest]
assert negative_weights(s_pos, s_neg, 0.03)[0] / negative_weights(s_pos, s_neg, 0.03).sum() > 0.99
