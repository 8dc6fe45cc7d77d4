"""Examples for docs/*/cv/image-processing.md: grey levels, Sobel, resizing, histograms, FFT."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


# --8<-- [start:rgb_to_gray]
def rgb_to_gray(img: Array) -> Array:
    """img: (H, W, 3) RGB array -> (H, W) luma, ITU-R BT.601 weights."""
    return img[..., :3] @ np.array([0.299, 0.587, 0.114])


# --8<-- [end:rgb_to_gray]
img = np.zeros((2, 2, 3))
img[0, 0] = [1.0, 1.0, 1.0]
img[0, 1] = [0.0, 1.0, 0.0]
gray = rgb_to_gray(img)
assert np.isclose(gray[0, 0], 1.0)  # the weights sum to 1: white stays white
assert np.isclose(gray[0, 1], 0.587)  # green looks brightest


# --8<-- [start:sobel]
def correlate2d(img: Array, k: Array) -> Array:
    """'same'-size 2-D cross-correlation with edge padding (what CV libraries call filtering)."""
    kh, kw = k.shape
    p = np.pad(img, ((kh // 2, kh // 2), (kw // 2, kw // 2)), mode="edge")
    out = np.zeros(img.shape, dtype=float)
    for i in range(kh):
        for j in range(kw):
            out += k[i, j] * p[i : i + img.shape[0], j : j + img.shape[1]]
    return out


SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
SOBEL_Y = SOBEL_X.T  # rows: [-1, -2, -1], [0, 0, 0], [1, 2, 1]


def sobel(img: Array) -> tuple[Array, Array]:
    gx, gy = correlate2d(img, SOBEL_X), correlate2d(img, SOBEL_Y)
    return np.hypot(gx, gy), np.arctan2(gy, gx)  # magnitude, direction


# --8<-- [end:sobel]
step = np.tile((np.arange(8) >= 4).astype(float), (8, 1))  # dark left half, bright right half
mag, direction = sobel(step)
assert np.allclose(mag[:, 3:5], 4.0)  # the edge: 1 + 2 + 1
assert np.allclose(mag[:, :3], 0.0)
assert np.allclose(direction[:, 3], 0.0)  # the gradient points along +x
assert np.allclose(correlate2d(step, np.ones((3, 3)) / 9).sum(axis=1), step.sum(axis=1))


# --8<-- [start:bilinear_resize]
def bilinear_resize(img: Array, out_h: int, out_w: int) -> Array:
    """Resize a 2-D image bilinearly (half-pixel centres, like align_corners=False)."""
    in_h, in_w = img.shape
    y = (np.arange(out_h) + 0.5) * in_h / out_h - 0.5
    x = (np.arange(out_w) + 0.5) * in_w / out_w - 0.5
    y = np.clip(y, 0, in_h - 1)
    x = np.clip(x, 0, in_w - 1)
    y0, x0 = np.floor(y).astype(int), np.floor(x).astype(int)
    y1, x1 = np.minimum(y0 + 1, in_h - 1), np.minimum(x0 + 1, in_w - 1)
    b, a = (y - y0)[:, None], (x - x0)[None, :]
    top = (1 - a) * img[y0][:, x0] + a * img[y0][:, x1]
    bottom = (1 - a) * img[y1][:, x0] + a * img[y1][:, x1]
    return (1 - b) * top + b * bottom


# --8<-- [end:bilinear_resize]
ramp = np.add.outer(np.arange(4.0), np.arange(4.0))  # a linear image: bilinear is exact
big = bilinear_resize(ramp, 8, 8)
assert np.allclose(
    big[2:6, 2:6], np.add.outer(np.arange(2, 6) / 2 - 0.25, np.arange(2, 6) / 2 - 0.25)
)
assert np.allclose(bilinear_resize(ramp, 4, 4), ramp)  # same size: identity
assert np.allclose(bilinear_resize(ramp, 2, 2), [[1.0, 3.0], [3.0, 5.0]])  # 2x2 block means


# --8<-- [start:equalize_hist]
def equalize_hist(img: NDArray[np.int_], levels: int = 256) -> NDArray[np.uint8]:
    """img: integer array in [0, levels-1] -> equalized uint8 image."""
    hist = np.bincount(img.ravel(), minlength=levels)
    cdf = np.cumsum(hist) / img.size
    lut = np.round((levels - 1) * cdf).astype(np.uint8)
    return lut[img]


# --8<-- [end:equalize_hist]
dark = np.random.default_rng(0).integers(50, 80, size=(64, 64))  # low contrast
eq = equalize_hist(dark)
assert eq.max() == 255 and eq.min() < 20  # stretched over the full range
order = np.argsort(dark.ravel(), kind="stable")
assert np.all(np.diff(eq.ravel()[order].astype(int)) >= 0)  # monotonic mapping


# --8<-- [start:gaussian_fft]
def gaussian_filter_fft(img: Array, d0: float, highpass: bool = False) -> Array:
    """Frequency-domain Gaussian low-pass (or high-pass) filter, cut-off d0 in frequency samples."""
    h, w = img.shape
    F = np.fft.fftshift(np.fft.fft2(img))
    u = np.arange(h) - h // 2
    v = np.arange(w) - w // 2
    D2 = u[:, None] ** 2 + v[None, :] ** 2
    H = np.exp(-D2 / (2 * d0**2))
    if highpass:
        H = 1 - H
    return np.real(np.fft.ifft2(np.fft.ifftshift(F * H)))


# --8<-- [end:gaussian_fft]
noisy = np.random.default_rng(1).normal(size=(32, 32)) + 3.0
low, high = gaussian_filter_fft(noisy, 4.0), gaussian_filter_fft(noisy, 4.0, highpass=True)
assert np.allclose(low + high, noisy)  # H_LP + H_HP = 1
assert np.isclose(low.mean(), noisy.mean())  # low-pass keeps the DC term (the mean)
assert abs(high.mean()) < 1e-12  # high-pass removes it: the "dark image"
assert low.std() < 0.5 * noisy.std()  # white noise is mostly high frequency
