"""Examples for docs/*/architectures/cnn.md: conv arithmetic, receptive fields, shuffles."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


# --8<-- [start:conv2d_shape]
def conv2d_shape(
    h: int,
    w: int,
    c_in: int,
    c_out: int,
    k: int,
    s: int = 1,
    p: int = 0,
    d: int = 1,
    g: int = 1,
    bias: bool = True,
) -> tuple[tuple[int, int, int], int, int]:
    """Output size, parameter count and multiply-accumulates of a Conv2d."""
    k_eff = d * (k - 1) + 1
    h_out = (h + 2 * p - k_eff) // s + 1
    w_out = (w + 2 * p - k_eff) // s + 1
    params = c_out * (c_in // g) * k * k + (c_out if bias else 0)
    macs = h_out * w_out * c_out * (c_in // g) * k * k
    return (h_out, w_out, c_out), params, macs


print(conv2d_shape(224, 224, 3, 96, k=11, s=4, p=2))  # AlexNet conv1
# ((55, 55, 96), 34944, 105415200)
# --8<-- [end:conv2d_shape]
assert conv2d_shape(224, 224, 3, 96, k=11, s=4, p=2) == ((55, 55, 96), 34944, 105415200)
assert conv2d_shape(8, 8, 4, 4, k=3, p=1, g=4, bias=False)[1] == 4 * 9  # depthwise: k^2 C
# VGG-16 (the page's numbers): ~15.5 GMACs, ~138M parameters, ~60% of compute in stages 3-4.
vgg = [(224, [64, 64]), (112, [128, 128]), (56, [256] * 3), (28, [512] * 3), (14, [512] * 3)]
stage_macs, stage_params, c = [], 0, 3
for size, widths in vgg:
    macs = 0
    for c_out in widths:
        _, params, m = conv2d_shape(size, size, c, c_out, k=3, p=1)
        macs, stage_params, c = macs + m, stage_params + params, c_out
    stage_macs.append(macs)
fc = [(7 * 7 * 512, 4096), (4096, 4096), (4096, 1000)]
fc_macs = sum(a * b for a, b in fc)
total = sum(stage_macs) + fc_macs
assert 15.3e9 < total < 15.6e9
assert 137e6 < stage_params + sum(a * b + b for a, b in fc) < 139e6
assert 0.58 < (stage_macs[2] + stage_macs[3]) / total < 0.61
assert fc_macs / total < 0.01


# --8<-- [start:receptive_field]
def receptive_field(layers: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """layers: list of (kernel, stride, dilation). Returns (RF, jump) after each layer."""
    r, j = 1, 1
    out = []
    for k, s, d in layers:
        r += d * (k - 1) * j
        j *= s
        out.append((r, j))
    return out


print(receptive_field([(3, 1, 1)] * 3))  # [(3, 1), (5, 1), (7, 1)]
print(receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)]))  # dilation 1, 2, 4: 3, 7, 15
print(receptive_field([(3, 1, 1), (3, 1, 1), (2, 2, 1)] * 2))
# two VGG stages: [(3, 1), (5, 1), (6, 2), (10, 2), (14, 2), (16, 4)]
# --8<-- [end:receptive_field]
assert receptive_field([(3, 1, 1)] * 3) == [(3, 1), (5, 1), (7, 1)]
assert [r for r, _ in receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)])] == [3, 7, 15]
assert receptive_field([(3, 1, 1), (3, 1, 1), (2, 2, 1)] * 2) == [
    (3, 1),
    (5, 1),
    (6, 2),
    (10, 2),
    (14, 2),
    (16, 4),
]


# --8<-- [start:channel_shuffle]
def channel_shuffle(x: Array, g: int) -> Array:
    """x: (N, C, H, W), C divisible by g."""
    n, c, h, w = x.shape
    return x.reshape(n, g, c // g, h, w).transpose(0, 2, 1, 3, 4).reshape(n, c, h, w)


x = np.arange(6.0).reshape(1, 6, 1, 1)
print(channel_shuffle(x, 2).ravel())  # groups [0 1 2 | 3 4 5] -> [0. 3. 1. 4. 2. 5.]
# --8<-- [end:channel_shuffle]
assert channel_shuffle(x, 2).ravel().tolist() == [0, 3, 1, 4, 2, 5]
assert channel_shuffle(channel_shuffle(x, 2), 3).ravel().tolist() == list(range(6))  # inverse


# --8<-- [start:dilation_gaps]
def dependent_inputs(dilations: list[int], k: int = 3) -> list[int]:
    """Input offsets one output depends on, for stacked 1-D dilated convs."""
    offsets = {0}
    for d in dilations:
        offsets = {o + d * t for o in offsets for t in range(-(k // 2), k // 2 + 1)}
    return sorted(offsets)


print(dependent_inputs([2, 2, 2]))  # [-6, -4, -2, 0, 2, 4, 6]: odd offsets never seen
print(dependent_inputs([1, 2, 3]))  # every offset from -6 to 6
# --8<-- [end:dilation_gaps]
assert dependent_inputs([2, 2, 2]) == [-6, -4, -2, 0, 2, 4, 6]
assert dependent_inputs([1, 2, 3]) == list(range(-6, 7))


# --8<-- [start:overlap_counts]
def overlap_counts(n_in: int, k: int, s: int) -> NDArray[np.int_]:
    """How many input pixels contribute to each output of a 1-D transposed conv."""
    counts = np.zeros((n_in - 1) * s + k, dtype=int)
    for i in range(n_in):
        counts[i * s : i * s + k] += 1
    return counts


print(overlap_counts(6, k=3, s=2))  # [1 1 2 1 2 1 2 1 2 1 2 1 1]  uneven -> checkerboard
print(overlap_counts(6, k=4, s=2))  # [1 1 2 2 2 2 2 2 2 2 2 2 1 1] even in the interior
# --8<-- [end:overlap_counts]
assert overlap_counts(6, k=3, s=2).tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1]
assert overlap_counts(6, k=4, s=2).tolist() == [1, 1] + [2] * 10 + [1, 1]
