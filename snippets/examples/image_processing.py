"""Examples for docs/*/cv/image-processing.md: grey levels, Sobel, resizing, histograms, FFT,
Harris corners, the Hough transform, homographies with RANSAC, morphology."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from snippets import image_processing as ip

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


# --8<-- [start:harris]
def harris_response(img: Array, sigma: float = 1.0, k: float = 0.05) -> Array:
    """R = det M - k trace(M)^2, M = Gaussian-weighted sum of [[gx^2, gx gy], [gx gy, gy^2]]."""
    gx, gy = ip.sobel(img)
    w = ip.gaussian_kernel(sigma)  # the window: weights neighbours by distance
    Sxx, Syy, Sxy = (ip.correlate2d(a, w) for a in (gx * gx, gy * gy, gx * gy))
    det = Sxx * Syy - Sxy**2  # lambda_1 * lambda_2
    trace = Sxx + Syy  # lambda_1 + lambda_2
    return det - k * trace**2


square = np.zeros((32, 32))
square[8:24, 8:24] = 1.0
R = harris_response(square)
print(R[8, 8] > 0, R[8, 16] < 0, abs(R[16, 16]) < 1e-9)  # corner, edge, flat: True True True
# --8<-- [end:harris]
assert R[8, 8] > 0 > R[8, 16]
assert abs(R[16, 16]) < 1e-9
corner_rows, corner_cols = np.unravel_index(np.argsort(R, axis=None)[-4:], R.shape)
assert set(corner_rows) <= {7, 8, 23, 24} and set(corner_cols) <= {7, 8, 23, 24}


# --8<-- [start:hough]
def hough_lines(edges: NDArray[np.bool_], n_theta: int = 180) -> tuple[NDArray[np.int_], int]:
    """Vote in (rho, theta) space: each edge pixel adds 1 to every line rho = x cos t + y sin t
    through it. theta in [0, 180) degrees, rho in [-diag, diag] (row rho + diag)."""
    H, W = edges.shape
    diag = int(np.ceil(np.hypot(H, W)))
    theta = np.deg2rad(np.arange(n_theta) * 180.0 / n_theta)
    ys, xs = np.nonzero(edges)
    rho = np.round(np.outer(xs, np.cos(theta)) + np.outer(ys, np.sin(theta))).astype(int)
    acc = np.zeros((2 * diag + 1, n_theta), dtype=int)
    for j in range(n_theta):
        np.add.at(acc[:, j], rho[:, j] + diag, 1)
    return acc, diag


edges = np.zeros((40, 40), dtype=bool)
edges[:, 10] = True  # the line x = 10: theta = 0, rho = 10
edges[25, :] = True  # the line y = 25: theta = 90, rho = 25
acc, diag = hough_lines(edges)
rows, cols = np.unravel_index(np.argsort(acc, axis=None)[-2:], acc.shape)
print([(int(r) - diag, int(t)) for r, t in zip(rows, cols, strict=True)])
# [(25, 90), (10, 0)] in some order: (rho, theta in degrees)
# --8<-- [end:hough]
found = {(int(r) - diag, int(t)) for r, t in zip(rows, cols, strict=True)}
assert found == {(10, 0), (25, 90)}
assert acc[10 + diag, 0] == 40  # all 40 pixels of x = 10 voted for it


# --8<-- [start:homography]
def homography_dlt(src: Array, dst: Array) -> Array:
    """H (3x3, H[2,2] = 1) with dst ~ H src from N >= 4 point pairs (N, 2): each pair
    gives two rows of A h = 0; h is the right singular vector of the smallest singular value.
    (In practice normalise the points first, Hartley 1997, for conditioning.)"""
    rows = []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        rows.append([-x, -y, -1, 0, 0, 0, u * x, u * y, u])
        rows.append([0, 0, 0, -x, -y, -1, v * x, v * y, v])
    h = np.linalg.svd(np.array(rows))[2][-1]
    return (h / h[-1]).reshape(3, 3)


def apply_homography(H: Array, pts: Array) -> Array:
    p = np.c_[pts, np.ones(len(pts))] @ H.T
    return p[:, :2] / p[:, 2:]  # back from homogeneous coordinates


def ransac_iterations(p: float, w: float, s: int) -> int:
    """Draws N so that with probability p at least one sample of s points is all inliers."""
    return int(np.ceil(np.log(1 - p) / np.log(1 - w**s)))


def ransac_homography(
    src: Array, dst: Array, n_iter: int, thresh: float, rng: np.random.Generator
) -> tuple[Array, NDArray[np.bool_]]:
    best = np.zeros(len(src), dtype=bool)
    for _ in range(n_iter):
        idx = rng.choice(len(src), 4, replace=False)  # minimal sample: 4 points, 8 DoF
        H = homography_dlt(src[idx], dst[idx])
        inliers = np.linalg.norm(apply_homography(H, src) - dst, axis=1) < thresh
        if inliers.sum() > best.sum():
            best = inliers
    return homography_dlt(src[best], dst[best]), best  # refit on all inliers


print(ransac_iterations(0.99, 0.5, 4), ransac_iterations(0.99, 0.5, 3))  # 72 35
rng = np.random.default_rng(0)
H_true = np.array([[1.1, 0.1, 5.0], [-0.05, 0.9, 2.0], [1e-3, 2e-3, 1.0]])
src = rng.uniform(0, 100, (30, 2))
dst = apply_homography(H_true, src) + rng.normal(0, 0.1, (30, 2))
dst[:10] = rng.uniform(0, 100, (10, 2))  # a third are outliers
H_est, inl = ransac_homography(src, dst, ransac_iterations(0.99, 2 / 3, 4), 1.0, rng)
error = np.abs(apply_homography(H_est, src[10:]) - apply_homography(H_true, src[10:])).max()
print(inl[:10].sum(), inl[10:].sum(), f"{error:.2f}")  # 0 20 0.09: outliers out, noise-sized error
# --8<-- [end:homography]
assert (ransac_iterations(0.99, 0.5, 4), ransac_iterations(0.99, 0.5, 3)) == (72, 35)
assert inl[10:].all() and not inl[:10].any()
assert error < 0.3  # noise is 0.1 px
assert np.allclose(homography_dlt(src[10:14], apply_homography(H_true, src[10:14])), H_true)


# --8<-- [start:morphology]
def _shifts(img: NDArray[np.bool_], k: int) -> NDArray[np.bool_]:
    """All k*k shifted copies of img (k x k square structuring element), stacked."""
    r = k // 2
    p = np.pad(img, r, mode="edge")
    H, W = img.shape
    return np.stack([p[i : i + H, j : j + W] for i in range(k) for j in range(k)])


def erode(img: NDArray[np.bool_], k: int = 3) -> NDArray[np.bool_]:
    return _shifts(img, k).all(axis=0)  # min: 1 only if the whole window is 1


def dilate(img: NDArray[np.bool_], k: int = 3) -> NDArray[np.bool_]:
    return _shifts(img, k).any(axis=0)  # max: 1 if any pixel in the window is 1


def opening(img: NDArray[np.bool_], k: int = 3) -> NDArray[np.bool_]:
    return dilate(erode(img, k), k)  # removes specks smaller than the element


def closing(img: NDArray[np.bool_], k: int = 3) -> NDArray[np.bool_]:
    return erode(dilate(img, k), k)  # fills holes and gaps smaller than the element


blob = np.zeros((12, 12), dtype=bool)
blob[3:9, 3:9] = True
blob[5, 5] = False  # a one-pixel hole
blob[0, 11] = True  # a one-pixel speck
print(opening(blob)[0, 11], closing(blob)[5, 5])  # False True
gradient = dilate(blob) & ~erode(blob)  # morphological gradient: the outline
# --8<-- [end:morphology]
assert not opening(blob)[0, 11] and closing(blob)[5, 5]
assert (opening(opening(blob)) == opening(blob)).all()  # idempotent
assert (erode(blob) <= blob).all() and (blob <= dilate(blob)).all()
assert gradient[3, 5] and not gradient[0, 0]
