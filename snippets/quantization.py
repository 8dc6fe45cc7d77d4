"""Model compression and how convolution is computed.

Affine quantization (per-tensor, per-channel, per-group), fake quantization with
the straight-through estimator, magnitude and 2:4 pruning, the distillation
loss, BatchNorm folding, and convolution by im2col + GEMM (forward and
backward) and by Winograd F(2x2, 3x3). The page is
docs/*/systems/efficiency.md.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from snippets.activations import log_softmax, softmax
from snippets.losses import softmax_cross_entropy

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]


# --8<-- [start:qparams]
def int_range(n_bits: int, symmetric: bool) -> tuple[int, int]:
    """Integer grid: symmetric uses the restricted signed range [-(2^(b-1) - 1), 2^(b-1) - 1]
    (e.g. [-127, 127], so that -q is always representable); asymmetric [0, 2^b - 1]."""
    if symmetric:
        return -(2 ** (n_bits - 1) - 1), 2 ** (n_bits - 1) - 1
    return 0, 2**n_bits - 1


def qparams(
    x_min: Array, x_max: Array, n_bits: int = 8, symmetric: bool = True
) -> tuple[Array, IntArray]:
    """Scale s and zero-point z so that x ~ s (q - z) covers [x_min, x_max].

    Symmetric: s = max(|x_min|, |x_max|) / q_max and z = 0.
    Asymmetric: the range is first widened to contain 0, then
    s = (x_max - x_min) / (q_max - q_min) and z = q_min - round(x_min / s),
    an integer, so that the real value 0 is exactly the integer z (zero
    padding and ReLU zeros then cost no error). x_min, x_max: any shape
    (one entry per channel); returns s and z of that shape.
    """
    q_min, q_max = int_range(n_bits, symmetric)
    x_min = np.minimum(np.asarray(x_min, dtype=np.float64), 0.0)
    x_max = np.maximum(np.asarray(x_max, dtype=np.float64), 0.0)
    tiny = np.finfo(np.float64).tiny  # an all-zero channel would give s = 0
    if symmetric:
        s = np.maximum(np.maximum(-x_min, x_max) / q_max, tiny)
        return s, np.zeros(s.shape, dtype=np.int64)
    s = np.maximum((x_max - x_min) / (q_max - q_min), tiny)
    z = np.clip(q_min - np.round(x_min / s), q_min, q_max).astype(np.int64)
    return s, z


def quantize(x: Array, s: Array, z: IntArray, n_bits: int, symmetric: bool) -> IntArray:
    """q = clip(round(x / s) + z, q_min, q_max); s, z broadcast against x."""
    q_min, q_max = int_range(n_bits, symmetric)
    return np.clip(np.round(x / s) + z, q_min, q_max).astype(np.int64)


def dequantize(q: IntArray, s: Array, z: IntArray) -> Array:
    """x_hat = s (q - z)."""
    return s * (q - z)


# --8<-- [end:qparams]


# --8<-- [start:quantize_tensor]
def quantize_tensor(
    x: Array, n_bits: int = 8, symmetric: bool = True, axis: int | None = None
) -> tuple[IntArray, Array, IntArray]:
    """Quantize with one (s, z) for the whole tensor (axis=None) or one per
    slice along `axis` (per-channel: axis=0 for a weight (C_out, C_in, ...)).

    Returns (q, s, z); s and z keep x's ndim (size 1 on reduced axes), so
    dequantize(q, s, z) broadcasts back to x's shape.
    """
    if axis is None:
        reduce_axes = tuple(range(x.ndim))
    else:
        reduce_axes = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    x_min = np.min(x, axis=reduce_axes, keepdims=True)
    x_max = np.max(x, axis=reduce_axes, keepdims=True)
    s, z = qparams(x_min, x_max, n_bits, symmetric)
    return quantize(x, s, z, n_bits, symmetric), s, z


def quantize_grouped(
    w: Array, group_size: int, n_bits: int = 4, symmetric: bool = True
) -> tuple[Array, Array]:
    """Per-group quantization of w (C_out, C_in): one scale for every
    group_size consecutive inputs of a row (GPTQ/AWQ use 128). Returns
    (dequantized w, scales (C_out, C_in / group_size))."""
    c_out, c_in = w.shape
    g = w.reshape(c_out, c_in // group_size, group_size)
    q, s, z = quantize_tensor(g.reshape(-1, group_size), n_bits, symmetric, axis=0)
    w_hat = dequantize(q, s, z).reshape(c_out, c_in)
    return w_hat, s.reshape(c_out, c_in // group_size)


def sqnr_db(x: Array, x_hat: Array, axis: int | tuple[int, ...] | None = None) -> Array:
    """Signal-to-quantization-noise ratio 10 log10(sum x^2 / sum (x - x_hat)^2) in dB."""
    signal = np.sum(x**2, axis=axis)
    noise = np.sum((x - x_hat) ** 2, axis=axis)
    return 10.0 * np.log10(signal / noise)


# --8<-- [end:quantize_tensor]


# --8<-- [start:fake_quant]
def fake_quant_forward(
    x: Array, s: Array, z: IntArray, n_bits: int = 8, symmetric: bool = True
) -> Array:
    """Quantize then dequantize: a float tensor holding only grid values, so
    training (QAT) sees the rounding error the integer model will have."""
    return dequantize(quantize(x, s, z, n_bits, symmetric), s, z)


def fake_quant_backward(
    dout: Array, x: Array, s: Array, z: IntArray, n_bits: int = 8, symmetric: bool = True
) -> Array:
    """Straight-through estimator: round() has zero derivative almost
    everywhere, so treat it as the identity. The gradient passes unchanged
    where x lies inside the grid's range and is 0 where clip() saturated."""
    q_min, q_max = int_range(n_bits, symmetric)
    q = np.round(x / s) + z  # before clipping
    return dout * ((q >= q_min) & (q <= q_max))


# --8<-- [end:fake_quant]


# --8<-- [start:smoothquant]
def smoothquant_scales(x_absmax: Array, w_absmax: Array, alpha: float = 0.5) -> Array:
    """SmoothQuant (Xiao et al. 2022): per-input-channel factors s_j =
    max|X_j|^alpha / max|W_j|^(1 - alpha). Y = X W^T = (X / s)(W s)^T exactly,
    but X / s has its outlier channels tamed and W s absorbs the difference.

    x_absmax: (C_in,) activation max per channel (from calibration data);
    w_absmax: (C_in,) weight max per input channel. Returns s (C_in,).
    """
    return x_absmax**alpha / np.maximum(w_absmax, 1e-12) ** (1 - alpha)


# --8<-- [end:smoothquant]


# --8<-- [start:gptq]
def gptq_quantize(W: Array, X: Array, n_bits: int = 4, damp: float = 0.01) -> Array:
    """GPTQ (Frantar et al. 2022) without the lazy blocks: quantize W (C_out, C_in)
    one input column at a time, and push each column's rounding error onto the
    columns not yet quantized so that X W^T changes as little as possible.

    X: (n, C_in) calibration inputs. The layer loss ||X W^T - X Q^T||^2 has
    Hessian H = 2 X^T X. As in Optimal Brain Surgeon, fixing column j to q_j
    costs (w_j - q_j)^2 / [H^-1]_jj and is best compensated by
    w_k -= (w_j - q_j) [H^-1]_jk / [H^-1]_jj for the later columns k. The upper
    Cholesky factor of H^-1 holds exactly these rows for the shrinking
    problem. Scales: symmetric per output channel. Returns Q dequantized.
    """
    W = W.astype(np.float64).copy()
    H = 2.0 * X.T @ X
    H += damp * np.mean(np.diag(H)) * np.eye(H.shape[0])  # keeps H invertible
    U = np.linalg.cholesky(np.linalg.inv(H)).T  # upper: H^-1 = U^T U
    _, s, z = quantize_tensor(W, n_bits, symmetric=True, axis=0)
    s, z = s[:, 0], z[:, 0]
    Q = np.zeros_like(W)
    for j in range(W.shape[1]):
        Q[:, j] = fake_quant_forward(W[:, j], s, z, n_bits)
        err = (W[:, j] - Q[:, j]) / U[j, j]
        W[:, j + 1 :] -= np.outer(err, U[j, j + 1 :])
    return Q


# --8<-- [end:gptq]


# --8<-- [start:pruning]
def magnitude_prune(w: Array, sparsity: float) -> NDArray[np.bool_]:
    """Unstructured pruning: keep-mask that zeroes the fraction `sparsity`
    of entries with the smallest |w| (one global threshold over w)."""
    k = round(sparsity * w.size)
    if k == 0:
        return np.ones(w.shape, dtype=bool)
    threshold = np.partition(np.abs(w).ravel(), k - 1)[k - 1]
    mask = np.abs(w) > threshold
    # Ties at the threshold: unmask in order until exactly w.size - k survive.
    ties = np.flatnonzero((np.abs(w) == threshold).ravel())
    mask.ravel()[ties[: w.size - k - int(mask.sum())]] = True
    return mask


def prune_2_4(w: Array) -> NDArray[np.bool_]:
    """2:4 semi-structured sparsity: in every 4 consecutive weights along the
    last axis keep the 2 largest |w|. Sparse tensor cores skip the zeros, so
    this pattern is the one that actually runs ~2x faster. Last axis % 4 == 0."""
    groups = np.abs(w).reshape(-1, 4)
    keep = np.argsort(-groups, axis=1, kind="stable")[:, :2]
    mask = np.zeros(groups.shape, dtype=bool)
    np.put_along_axis(mask, keep, True, axis=1)
    return mask.reshape(w.shape)


# --8<-- [end:pruning]


# --8<-- [start:distillation]
def distillation_loss(
    z_s: Array, z_t: Array, y: IntArray, T: float = 4.0, alpha: float = 0.9
) -> tuple[float, Array]:
    """Hinton et al. (2015): alpha T^2 KL(p_t^T || p_s^T) + (1 - alpha) CE(z_s, y).

    z_s, z_t: student and teacher logits (N, C); y: (N,) hard labels.
    p^T = softmax(z / T). The soft term's gradient w.r.t. z_s is
    (p_s^T - p_t^T) / T per sample, which shrinks like 1/T^2 for large T;
    multiplying by T^2 keeps the two terms' gradients on the same scale
    whatever T is. Returns (loss, dz_s); both terms are batch means.
    """
    N = z_s.shape[0]
    log_ps = log_softmax(z_s / T, axis=1)
    log_pt = log_softmax(z_t / T, axis=1)
    p_t = np.exp(log_pt)
    kl = np.sum(p_t * (log_pt - log_ps)) / N
    ce, dz_hard = softmax_cross_entropy(z_s, y)
    loss = alpha * T**2 * kl + (1 - alpha) * ce
    dz_soft = T * (softmax(z_s / T, axis=1) - p_t) / N  # T^2 * (p_s - p_t) / (T N)
    return float(loss), alpha * dz_soft + (1 - alpha) * dz_hard


# --8<-- [end:distillation]


# --8<-- [start:fold_bn]
def fold_bn(
    W: Array, b: Array, gamma: Array, beta: Array, mean: Array, var: Array, eps: float = 1e-5
) -> tuple[Array, Array]:
    """Fold an inference-mode BatchNorm into the conv before it.

    W: (F, C, kh, kw), b and the BN parameters and running statistics: (F,).
    BN(conv(x)) = gamma (W*x + b - mean) / sigma + beta with sigma = sqrt(var + eps),
    which is a conv with W' = (gamma / sigma) W and b' = gamma (b - mean) / sigma + beta.
    """
    scale = gamma / np.sqrt(var + eps)
    return W * scale[:, None, None, None], scale * (b - mean) + beta


# --8<-- [end:fold_bn]


# --8<-- [start:im2col]
def im2col(x: Array, kh: int, kw: int, stride: int = 1, pad: int = 0) -> Array:
    """Unfold every receptive field of x (N, C, H, W) into a row.

    Returns cols (N * H_out * W_out, C * kh * kw): row (n, i, j) holds the
    C x kh x kw patch under output pixel (i, j) of image n.
    """
    N, C, H, W = x.shape
    H_out = (H + 2 * pad - kh) // stride + 1
    W_out = (W + 2 * pad - kw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((N, C, kh, kw, H_out, W_out), dtype=x.dtype)
    for di in range(kh):  # loop over the kh * kw kernel offsets, not over pixels
        for dj in range(kw):
            cols[:, :, di, dj] = xp[
                :, :, di : di + stride * H_out : stride, dj : dj + stride * W_out : stride
            ]
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(N * H_out * W_out, C * kh * kw)


def col2im(
    cols: Array, x_shape: tuple[int, int, int, int], kh: int, kw: int, stride: int, pad: int
) -> Array:
    """Adjoint of im2col: scatter-add each row back onto its patch. Pixels
    shared by overlapping patches receive the sum of their contributions."""
    N, C, H, W = x_shape
    H_out = (H + 2 * pad - kh) // stride + 1
    W_out = (W + 2 * pad - kw) // stride + 1
    c = cols.reshape(N, H_out, W_out, C, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for di in range(kh):
        for dj in range(kw):
            xp[:, :, di : di + stride * H_out : stride, dj : dj + stride * W_out : stride] += c[
                :, :, di, dj
            ]
    return xp[:, :, pad : pad + H, pad : pad + W]


# --8<-- [end:im2col]


# --8<-- [start:conv_gemm]
def conv2d_forward(
    x: Array, W: Array, b: Array, stride: int = 1, pad: int = 0
) -> tuple[Array, tuple[Array, Array, tuple[int, int, int, int], int, int]]:
    """Convolution (cross-correlation, as in every framework) as one GEMM.

    x: (N, C, H, W), W: (F, C, kh, kw), b: (F,). cols (N H_out W_out, C kh kw)
    times W reshaped to (C kh kw, F) gives (N H_out W_out, F). Returns
    out (N, F, H_out, W_out) and the cache for the backward pass.
    """
    N, _, H, W_in = x.shape
    F, _, kh, kw = W.shape
    H_out = (H + 2 * pad - kh) // stride + 1
    W_out = (W_in + 2 * pad - kw) // stride + 1
    cols = im2col(x, kh, kw, stride, pad)
    out = cols @ W.reshape(F, -1).T + b
    out = out.reshape(N, H_out, W_out, F).transpose(0, 3, 1, 2)
    return out, (cols, W, x.shape, stride, pad)


def conv2d_backward(
    dout: Array, cache: tuple[Array, Array, tuple[int, int, int, int], int, int]
) -> tuple[Array, Array, Array]:
    """Backward of conv2d_forward. dout: (N, F, H_out, W_out).

    With dY the (N H_out W_out, F) matrix of dout: dW = dY^T cols (the
    correlation of the input with dout), dcols = dY W, and dx = col2im(dcols),
    which equals a full convolution of dout with the flipped kernel
    (a transposed convolution). db sums dout over N, H_out, W_out.
    """
    cols, W, x_shape, stride, pad = cache
    F, _, kh, kw = W.shape
    dY = dout.transpose(0, 2, 3, 1).reshape(-1, F)
    dW = (dY.T @ cols).reshape(W.shape)
    db = dY.sum(axis=0)
    dx = col2im(dY @ W.reshape(F, -1), x_shape, kh, kw, stride, pad)
    return dx, dW, db


def conv2d_direct(x: Array, W: Array, b: Array, stride: int = 1, pad: int = 0) -> Array:
    """The textbook loop, six nested sums; the reference the GEMM is tested against."""
    N, _, H, W_in = x.shape
    F, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    H_out = (H + 2 * pad - kh) // stride + 1
    W_out = (W_in + 2 * pad - kw) // stride + 1
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    patch = xp[n, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
                    out[n, f, i, j] = np.sum(patch * W[f]) + b[f]
    return out


# --8<-- [end:conv_gemm]


# --8<-- [start:winograd]
# F(2x2, 3x3) (Lavin & Gray 2015): Y = A^T [(G g G^T) * (B^T d B)] A.
B_T = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64)
G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64)
A_T = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64)


def winograd_f2x2_3x3(d: Array, g: Array) -> Array:
    """2x2 output of correlating a 4x4 input tile d with a 3x3 kernel g.

    The elementwise product of the two 4x4 transformed tiles is the only
    step that multiplies data by weights: 16 multiplications, against
    2 * 2 * 9 = 36 for the direct method. G g G^T is computed once per kernel
    and reused for every tile; the B and A transforms need only additions.
    """
    U = G @ g @ G.T  # transformed kernel (4, 4)
    V = B_T @ d @ B_T.T  # transformed input tile (4, 4)
    return A_T @ (U * V) @ A_T.T


# --8<-- [end:winograd]
