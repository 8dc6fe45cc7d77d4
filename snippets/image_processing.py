"""Classical image processing: Canny edge detection, and receptive fields of dilated convs.

Images are 2-D float arrays (H, W), row = y, column = x. Filtering is 'same'-size
cross-correlation; the padding mode is an argument because Canny wants 'edge'
(no fake edge at the border) and a receptive-field delta wants zeros.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


# --8<-- [start:filtering]
def correlate2d(img: Array, k: Array, dilation: int = 1, mode: str = "edge") -> Array:
    """'same'-size 2-D cross-correlation, kernel k (odd sizes) with taps `dilation` apart."""
    kh, kw = k.shape
    ph, pw = dilation * (kh // 2), dilation * (kw // 2)
    p = np.pad(img, ((ph, ph), (pw, pw)), mode=mode)
    out = np.zeros(img.shape, dtype=float)
    H, W = img.shape
    for i in range(kh):
        for j in range(kw):
            di, dj = i * dilation, j * dilation
            out += k[i, j] * p[di : di + H, dj : dj + W]
    return out


def gaussian_kernel(sigma: float) -> Array:
    """Normalised 2-D Gaussian, radius ceil(3 sigma): the tails beyond are < 0.3%."""
    r = int(np.ceil(3 * sigma))
    t = np.arange(-r, r + 1)
    g = np.exp(-(t**2) / (2 * sigma**2))
    g /= g.sum()
    return np.outer(g, g)


SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
SOBEL_Y = SOBEL_X.T  # y grows downwards (row index)


def sobel(img: Array) -> tuple[Array, Array]:
    """Gradients (gx, gy) of img with the 3x3 Sobel kernels (smoothing across, 2x centre)."""
    return correlate2d(img, SOBEL_X), correlate2d(img, SOBEL_Y)


# --8<-- [end:filtering]


# --8<-- [start:canny]
def non_max_suppression(mag: Array, gx: Array, gy: Array) -> Array:
    """Keep a pixel only if it is a maximum along its gradient direction.

    The direction is quantised to 0, 45, 90, 135 degrees. A pixel must be >= the
    neighbour behind and > the one ahead, so a two-pixel plateau (a step edge
    halfway between pixels) keeps exactly one pixel instead of both.
    """
    H, W = mag.shape
    angle = (np.rad2deg(np.arctan2(gy, gx)) + 180.0) % 180.0  # direction mod 180
    sector = np.round(angle / 45.0).astype(int) % 4  # 0: horizontal gradient, 2: vertical
    step = {0: (0, 1), 1: (1, 1), 2: (1, 0), 3: (1, -1)}  # (dy, dx) along the gradient
    p = np.pad(mag, 1)
    out = np.zeros_like(mag)
    for s, (dy, dx) in step.items():
        ahead = p[1 + dy : 1 + dy + H, 1 + dx : 1 + dx + W]
        behind = p[1 - dy : 1 - dy + H, 1 - dx : 1 - dx + W]
        keep = (sector == s) & (mag >= behind) & (mag > ahead)
        out[keep] = mag[keep]
    return out


def hysteresis(nms: Array, low: float, high: float) -> BoolArray:
    """Strong pixels (>= high) are edges; weak ones (>= low) only if 8-connected
    to a strong pixel through other weak or strong pixels. BFS from the strong set."""
    weak = nms >= low
    edges = nms >= high
    queue = deque(zip(*np.nonzero(edges), strict=True))
    H, W = nms.shape
    while queue:
        y, x = queue.popleft()
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                v, u = y + dy, x + dx
                if 0 <= v < H and 0 <= u < W and weak[v, u] and not edges[v, u]:
                    edges[v, u] = True
                    queue.append((v, u))
    return edges


def canny(img: Array, sigma: float, low: float, high: float) -> dict[str, Array]:
    """All four stages, so each can be shown: blurred, magnitude, nms, edges."""
    blurred = correlate2d(img, gaussian_kernel(sigma))
    gx, gy = sobel(blurred)
    mag = np.hypot(gx, gy)
    nms = non_max_suppression(mag, gx, gy)
    return {"blurred": blurred, "magnitude": mag, "nms": nms, "edges": hysteresis(nms, low, high)}


# --8<-- [end:canny]


# --8<-- [start:receptive_field]
def receptive_field(kernels: list[int], dilations: list[int], strides: list[int]) -> list[int]:
    """r_l = r_{l-1} + (k_l - 1) d_l prod_{i<l} s_i, with r_0 = 1. One entry per layer."""
    r, jump, out = 1, 1, []
    for k, d, s in zip(kernels, dilations, strides, strict=True):
        r += (k - 1) * d * jump
        jump *= s
        out.append(r)
    return out


def coverage(dilations: list[int], size: int, k: int = 3) -> Array:
    """How many paths lead from each input pixel to the centre output pixel, for stacked
    k x k stride-1 convolutions with all-ones weights and the given dilations.

    Found by propagating a delta through the layers (the backward pass of a conv with
    a symmetric kernel is the same correlation). Non-zero entries = receptive field.
    """
    x = np.zeros((size, size))
    x[size // 2, size // 2] = 1.0
    for d in dilations:
        x = correlate2d(x, np.ones((k, k)), dilation=d, mode="constant")
    return x


# --8<-- [end:receptive_field]
