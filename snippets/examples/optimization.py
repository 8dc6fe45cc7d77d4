"""Examples for docs/*/optimization.md: mini-batching, the stability limit, parameter groups."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


# --8<-- [start:minibatches]
def minibatches(
    X: Array, y: Array, batch_size: int, rng: np.random.Generator
) -> Iterator[tuple[Array, Array]]:
    """One epoch: a fresh permutation, cut into consecutive batches."""
    idx = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        b = idx[start : start + batch_size]
        yield X[b], y[b]


rng = np.random.default_rng(0)
X, y = np.arange(10.0).reshape(10, 1), np.arange(10)
for _epoch in range(2):
    print([yb.tolist() for _, yb in minibatches(X, y, 4, rng)])
# --8<-- [end:minibatches]
epoch = [yb.tolist() for _, yb in minibatches(X, y, 4, rng)]
assert [len(b) for b in epoch] == [4, 4, 2]  # the last batch is smaller
assert sorted(i for batch in epoch for i in batch) == list(
    range(10)
)  # every sample exactly once per epoch

# --8<-- [start:stability]
lam = 4.0  # L(theta) = lam / 2 * theta**2, gradient lam * theta
final = {}
for lr in (0.1, 0.4, 0.49, 0.51):
    theta = 1.0
    for _ in range(50):
        theta -= lr * lam * theta
    final[lr] = abs(theta)
    print(f"lr*lam = {lr * lam:.2f}   |theta_50| = {abs(theta):.1e}")
# lr*lam = 0.40 -> 8.1e-12;  1.60 -> 8.1e-12;  1.96 -> 1.3e-01;  2.04 -> 7.1e+00
# --8<-- [end:stability]
assert [f"{v:.1e}" for v in final.values()] == ["8.1e-12", "8.1e-12", "1.3e-01", "7.1e+00"]
assert final[0.51] > 1 > final[0.49]  # the limit is lr < 2 / lam = 0.5


# --8<-- [start:param_groups]
def param_groups(
    named_params: Iterable[tuple[str, Array]],
    num_layers: int,
    top_lr: float = 1e-4,
    head_lr: float = 1e-3,
    decay: float = 0.8,
    weight_decay: float = 0.05,
) -> list[dict[str, object]]:
    """Layer-wise LR decay for a pretrained encoder + a new head, and no weight
    decay on 1-D tensors (biases, norm gains and shifts). named_params yields
    (name, array) pairs; the result is what torch.optim.AdamW(groups) accepts."""
    groups: dict[tuple[float, float], list[Array]] = {}
    for name, p in named_params:
        if name.startswith("head."):
            lr = head_lr
        elif name.startswith("encoder.layers."):
            layer = int(name.split(".")[2])  # 0 = closest to the input
            lr = top_lr * decay ** (num_layers - 1 - layer)
        else:  # embeddings: below layer 0
            lr = top_lr * decay**num_layers
        wd = 0.0 if p.ndim == 1 else weight_decay
        groups.setdefault((lr, wd), []).append(p)
    return [{"params": ps, "lr": lr, "weight_decay": wd} for (lr, wd), ps in groups.items()]


# --8<-- [end:param_groups]
named = [
    ("embed.weight", np.zeros((10, 4))),
    ("encoder.layers.0.weight", np.zeros((4, 4))),
    ("encoder.layers.0.bias", np.zeros(4)),
    ("encoder.layers.1.weight", np.zeros((4, 4))),
    ("head.weight", np.zeros((2, 4))),
]
groups = param_groups(named, num_layers=2)
by_lr_wd = {(g["lr"], g["weight_decay"]): len(g["params"]) for g in groups}
assert np.isclose(max(lr for lr, _ in by_lr_wd), 1e-3)  # the new head learns fastest
assert sum(by_lr_wd.values()) == len(named)  # every parameter in exactly one group
assert by_lr_wd[(1e-4 * 0.8, 0.0)] == 1  # the layer-0 bias: no weight decay
assert by_lr_wd[(1e-4, 0.05)] == 1  # the top layer gets top_lr
