"""Examples for docs/*/llm/pretraining.md: mixture-of-experts routing."""

from __future__ import annotations

import math

import numpy as np

from snippets import moe

# --8<-- [start:router]
rng = np.random.default_rng(0)
T, d, E, k = 8, 16, 4, 2  # tokens, width, experts, experts per token
x = rng.normal(size=(T, d))
W_r = rng.normal(size=(d, E)) / np.sqrt(d)
W_e = rng.normal(size=(E, d, d)) / np.sqrt(d)
experts, gates, probs = moe.top_k_route(x @ W_r, k)
print(experts[:3])  # each token's 2 chosen experts
print(gates[:3].sum(axis=1))  # [1. 1. 1.]: gates renormalised over the chosen 2
y = moe.moe_layer(x, W_r, W_e, k)  # (T, d): each token ran 2 of the 4 experts
# --8<-- [end:router]
assert experts.shape == (T, k) and np.allclose(gates.sum(axis=1), 1.0)
assert y.shape == (T, d)

# --8<-- [start:balance_loss]
print(round(moe.switch_balance_loss(probs, experts), 4))  # 0.012: a little above the minimum
uniform = np.full((T, E), 1 / E)
print(moe.switch_balance_loss(uniform, np.arange(T) % E))  # 0.01: the minimum
collapsed = np.tile([1.0, 0, 0, 0], (T, 1))
print(moe.switch_balance_loss(collapsed, np.zeros(T, dtype=int)))  # 0.04 = alpha * E
# --8<-- [end:balance_loss]
assert math.isclose(moe.switch_balance_loss(uniform, np.arange(T) % E), 0.01)
assert math.isclose(moe.switch_balance_loss(collapsed, np.zeros(T, dtype=int)), 0.04)

# --8<-- [start:capacity]
capacity = moe.expert_capacity(n_tokens=T, n_experts=E, capacity_factor=1.0, k=k)
keep = moe.dispatch_mask(experts, E, capacity)
print(capacity, np.bincount(experts.ravel(), minlength=E), (~keep).sum())
# 4 [6 4 3 3] 2   expert 0 got 6 assignments for 4 slots: 2 are dropped
# --8<-- [end:capacity]
assert capacity == 4
load = np.bincount(experts.ravel(), minlength=E)
assert (~keep).sum() == np.maximum(load - capacity, 0).sum()
