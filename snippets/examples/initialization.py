"""Examples for docs/*/initialization.md: how the weight scale sets the activation scale."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from snippets.activations import relu

Array = NDArray[np.float64]

# --8<-- [start:depth_scale]
rng = np.random.default_rng(0)


def final_std(
    std: float, act: Callable[[Array], Array], depth: int = 10, width: int = 512
) -> float:
    """Std of the last layer's output of a depth-layer MLP with N(0, std^2) weights."""
    x = rng.standard_normal((1000, width))
    for _ in range(depth):
        x = act(x @ (std * rng.standard_normal((width, width))))
    return float(x.std())


# relu: snippets/activations.py
results = {std: (final_std(std, relu), final_std(std, np.tanh)) for std in [0.01, 1.0, 0.0625]}
for std, (s_relu, s_tanh) in results.items():  # 0.0625 = sqrt(2 / 512), He
    print(f"{std:<6} ReLU {s_relu:.1e}  tanh {s_tanh:.2g}")
# --8<-- [end:depth_scale]
(small_relu, small_tanh), (big_relu, big_tanh), (he_relu, he_tanh) = results.values()
assert small_relu < 1e-7 and small_tanh < 1e-5  # vanishes
assert big_relu > 1e11 and 0.9 < big_tanh < 1.0  # ReLU explodes, tanh saturates at +-1
assert 0.5 < he_relu < 1.5  # He keeps the ReLU scale
assert 0.3 < he_tanh < 0.8
