"""Examples for docs/*/systems/efficiency.md: quantization, pruning, distillation, conv."""

from __future__ import annotations

import numpy as np

from snippets import quantization as qz
from snippets.activations import softmax

# --8<-- [start:affine]
x = np.array([-1.0, 0.0, 0.5, 1.2, 3.0])
for symmetric in [False, True]:
    q, s, z = qz.quantize_tensor(x, n_bits=8, symmetric=symmetric)
    x_hat = qz.dequantize(q, s, z)
    err = np.max(np.abs(x_hat - x))
    print(f"symmetric={symmetric!s:5} s={s.item():.5f} z={z.item():3} q={q} max err={err:.4f}")
# symmetric=False s=0.01569 z= 64 q=[  0  64  96 140 255] max err=0.0078
# symmetric=True  s=0.02362 z=  0 q=[-42   0  21  51 127] max err=0.0079
# --8<-- [end:affine]
q, s, z = qz.quantize_tensor(x, 8, symmetric=False)
assert z.item() == 64 and qz.dequantize(q, s, z)[1] == 0.0  # 0 is exact
assert np.all(np.abs(qz.dequantize(q, s, z) - x) <= s / 2 + 1e-12)

# --8<-- [start:per_channel]
rng = np.random.default_rng(0)
ranges = np.array([0.01, 0.1, 1.0, 10.0])  # output channels with very different scales
W = rng.normal(size=(4, 256)) * ranges[:, None]
for n_bits in [8, 4]:
    for axis, name in [(None, "per-tensor"), (0, "per-channel")]:
        q, s, z = qz.quantize_tensor(W, n_bits, symmetric=True, axis=axis)
        sqnr = qz.sqnr_db(W, qz.dequantize(q, s, z), axis=1)
        print(f"INT{n_bits} {name:11}: SQNR per channel (dB) {np.round(sqnr, 1)}")
# INT8 per-tensor : SQNR per channel (dB) [ 0.   3.3 22.6 42.7]
# INT8 per-channel: SQNR per channel (dB) [43.3 41.7 44.8 42.7]
# INT4 per-tensor : SQNR per channel (dB) [ 0.   0.   0.3 17.3]
# INT4 per-channel: SQNR per channel (dB) [18.  15.5 19.4 17.3]
# --8<-- [end:per_channel]
q, s, z = qz.quantize_tensor(W, 8, axis=0)
assert np.all(qz.sqnr_db(W, qz.dequantize(q, s, z), axis=1) > 35)

# --8<-- [start:outlier]
rng = np.random.default_rng(1)
X = rng.normal(size=(512, 64))
X[:, 7] *= 60.0  # one feature dimension with huge activations, as LLM.int8 found
W = rng.normal(size=(32, 64)) * 0.05


def w8a8(Xq: np.ndarray, Wq: np.ndarray) -> np.ndarray:
    """Per-tensor INT8 activations and per-channel INT8 weights, then the matmul."""
    q, sx, zx = qz.quantize_tensor(Xq, 8)
    p, sw, zw = qz.quantize_tensor(Wq, 8, axis=0)
    return qz.dequantize(q, sx, zx) @ qz.dequantize(p, sw, zw).T


Y = X @ W.T
s = qz.smoothquant_scales(np.abs(X).max(axis=0), np.abs(W).max(axis=0), alpha=0.5)
print(f"W8A8 plain       SQNR {qz.sqnr_db(Y, w8a8(X, W)):.1f} dB")
print(f"W8A8 SmoothQuant SQNR {qz.sqnr_db(Y, w8a8(X / s, W * s)):.1f} dB")
keep = np.abs(X).max(axis=0) < 6.0  # LLM.int8(): outlier columns stay in 16-bit
mixed = w8a8(X[:, keep], W[:, keep]) + X[:, ~keep] @ W[:, ~keep].T
print(f"LLM.int8 mixed   SQNR {qz.sqnr_db(Y, mixed):.1f} dB ({(~keep).sum()} fp16 column)")
# W8A8 plain       SQNR 23.3 dB
# W8A8 SmoothQuant SQNR 39.5 dB
# LLM.int8 mixed   SQNR 53.9 dB (1 fp16 column)
# --8<-- [end:outlier]
assert qz.sqnr_db(Y, w8a8(X / s, W * s)) > qz.sqnr_db(Y, w8a8(X, W)) + 10
assert qz.sqnr_db(Y, mixed) > qz.sqnr_db(Y, w8a8(X, W)) + 10

# --8<-- [start:gptq]
rng = np.random.default_rng(2)
X = rng.normal(size=(512, 64)) @ rng.normal(size=(64, 64)) / 8  # correlated calibration inputs
W = rng.normal(size=(64, 64)) * 0.05
q, s, z = qz.quantize_tensor(W, 4, axis=0)
rtn = qz.dequantize(q, s, z)  # round-to-nearest, per channel
gptq = qz.gptq_quantize(W, X, n_bits=4)
for name, W_hat in [("RTN ", rtn), ("GPTQ", gptq)]:
    weight_err = np.linalg.norm(W_hat - W) / np.linalg.norm(W)
    output_err = np.linalg.norm(X @ (W_hat - W).T) / np.linalg.norm(X @ W.T)
    print(f"INT4 {name}: weight error {weight_err:.3f}, output error {output_err:.3f}")
# INT4 RTN : weight error 0.110, output error 0.110
# INT4 GPTQ: weight error 0.171, output error 0.077
# --8<-- [end:gptq]
out_err = [np.linalg.norm(X @ (A - W).T) for A in (rtn, gptq)]
assert out_err[1] < 0.8 * out_err[0]
assert np.linalg.norm(gptq - W) > np.linalg.norm(rtn - W)  # worse weights, better outputs

# --8<-- [start:pruning]
rng = np.random.default_rng(3)
W = rng.normal(size=(4, 8)) * np.array([[0.3], [1.0], [1.0], [3.0]])  # rows of unequal scale
mask = qz.magnitude_prune(W, sparsity=0.5)
mask24 = qz.prune_2_4(W)
print("unstructured 50%: zeros per row", (~mask).sum(axis=1))
print("2:4             : zeros per row", (~mask24).sum(axis=1))
# unstructured 50%: zeros per row [5 4 6 1]
# 2:4             : zeros per row [4 4 4 4]
# --8<-- [end:pruning]
assert (~mask).sum() == 16 and np.all(mask24.reshape(-1, 4).sum(axis=1) == 2)
assert (~mask).sum(axis=1)[0] > (~mask).sum(axis=1)[3]  # a global threshold is uneven

# --8<-- [start:soft_targets]
z_t = np.array([9.0, 5.0, 4.0, -2.0])  # teacher logits: "cat", "dog", "fox", "car"
for T in [1.0, 4.0, 10.0]:
    print(f"T={T:4}: {np.round(softmax(z_t / T), 3)}")
# T= 1.0: [0.976 0.018 0.007 0.   ]
# T= 4.0: [0.582 0.214 0.167 0.037]
# T=10.0: [0.383 0.257 0.232 0.128]
# --8<-- [end:soft_targets]
p4 = softmax(z_t / 4.0)
assert p4[1] > p4[3] * 5  # at T = 4 "dog" is visibly closer to "cat" than "car" is

# --8<-- [start:fold_bn]
rng = np.random.default_rng(4)
x = rng.normal(size=(1, 3, 8, 8))
W, b = rng.normal(size=(16, 3, 3, 3)), np.zeros(16)
gamma, beta = rng.uniform(0.5, 2.0, 16), rng.normal(size=16)
mean, var = rng.normal(size=16), rng.uniform(0.5, 2.0, 16)
y, _ = qz.conv2d_forward(x, W, b, pad=1)
c = (slice(None), None, None)  # broadcast (16,) over (N, 16, H, W)
y_bn = gamma[c] * (y - mean[c]) / np.sqrt(var[c] + 1e-5) + beta[c]
W_f, b_f = qz.fold_bn(W, b, gamma, beta, mean, var)
y_f, _ = qz.conv2d_forward(x, W_f, b_f, pad=1)
print(f"max |conv->BN - folded conv| = {np.max(np.abs(y_bn - y_f)):.1e}")
# max |conv->BN - folded conv| = 7.1e-15
# --8<-- [end:fold_bn]
assert np.allclose(y_bn, y_f, atol=1e-12)

# --8<-- [start:im2col_shapes]
N, C, H, W_in, F, k = 8, 64, 56, 56, 128, 3
x = np.zeros((N, C, H, W_in))
cols = qz.im2col(x, k, k, stride=1, pad=1)
print("cols", cols.shape, "x W^T", (C * k * k, F), "->", (cols.shape[0], F))
print(f"cols is {cols.size / x.size:.0f}x the size of x")
# cols (25088, 576) x W^T (576, 128) -> (25088, 128)
# cols is 9x the size of x
# --8<-- [end:im2col_shapes]
assert cols.shape == (N * H * W_in, C * k * k)

# --8<-- [start:winograd]
rng = np.random.default_rng(5)
d, g = rng.normal(size=(4, 4)), rng.normal(size=(3, 3))
direct = np.array([[np.sum(d[i : i + 3, j : j + 3] * g) for j in range(2)] for i in range(2)])
print(np.allclose(qz.winograd_f2x2_3x3(d, g), direct), "multiplications: 16 vs", 2 * 2 * 3 * 3)
# True multiplications: 16 vs 36
# --8<-- [end:winograd]
assert np.allclose(qz.winograd_f2x2_3x3(d, g), direct)
