"""Examples for docs/*/systems/training-at-scale.md: formats, loss scaling, memory, all-reduce."""

from __future__ import annotations

import numpy as np

from snippets import precision as pr

# --8<-- [start:formats]
formats = {"fp32": pr.FP32, "fp16": pr.FP16, "bf16": pr.BF16}
formats |= {"fp8 E4M3": pr.FP8_E4M3, "fp8 E5M2": pr.FP8_E5M2}
for name, f in formats.items():
    print(f"{name:9} max={f.max:<10.5g} min_normal={f.min_normal:<9.3g} eps={f.eps:.3g}")
# fp32      max=3.4028e+38 min_normal=1.18e-38  eps=1.19e-07
# fp16      max=65504      min_normal=6.1e-05   eps=0.000977
# bf16      max=3.3895e+38 min_normal=1.18e-38  eps=0.00781
# fp8 E4M3  max=448        min_normal=0.0156    eps=0.125
# fp8 E5M2  max=57344      min_normal=6.1e-05   eps=0.25
# --8<-- [end:formats]
assert pr.FP16.max == 65504 and pr.FP8_E4M3.max == 448 and pr.FP8_E5M2.max == 57344
assert pr.BF16.min_normal == pr.FP32.min_normal

# --8<-- [start:rounding]
x = np.array([1e-8, 3e-5, 1.0 + 1e-3, 300.1, 7e4])
print("fp16:", [f"{v:.5g}" for v in pr.to_fp16(x)])
print("bf16:", [f"{v:.5g}" for v in pr.to_bf16(x)])
# fp16: ['0', '2.9981e-05', '1.001', '300', 'inf']
# bf16: ['1.0012e-08', '3.0041e-05', '1', '300', '70144']
# --8<-- [end:rounding]
assert pr.to_fp16(x)[0] == 0.0 and np.isinf(pr.to_fp16(x)[-1])
assert pr.to_bf16(x)[2] == 1.0 and pr.to_bf16(x)[3] == 300.0  # 8 bits of precision
assert pr.to_fp16(x)[3] == 300.0  # fp16 spacing at 300 is 0.25

# --8<-- [start:swamping]
w, update = np.float64(1.0), 1e-4  # lr * grad much smaller than the weight
w16 = w32 = w
for _ in range(1000):
    w16 = pr.to_fp16(w16 + update)  # the sum is rounded back to fp16 each step
    w32 = np.float32(w32 + update)  # an fp32 master copy
print(f"fp16 weight: {float(w16):.4f}   fp32 master: {float(w32):.4f}")
# fp16 weight: 1.0000   fp32 master: 1.1000
# --8<-- [end:swamping]
assert w16 == 1.0 and abs(w32 - 1.1) < 1e-4

# --8<-- [start:loss_scaler]
scaler = pr.DynamicLossScaler(scale=2.0**16, growth_interval=3)
for overflow in [True, True, False, False, False, False, True, False]:
    stepped = scaler.update(finite=not overflow)
    print(f"overflow={overflow!s:5} stepped={stepped!s:5} scale={scaler.scale:g}")
# overflow=True  stepped=False scale=32768
# overflow=True  stepped=False scale=16384
# overflow=False stepped=True  scale=16384
# overflow=False stepped=True  scale=16384
# overflow=False stepped=True  scale=32768
# overflow=False stepped=True  scale=32768
# overflow=True  stepped=False scale=16384
# overflow=False stepped=True  scale=16384
# --8<-- [end:loss_scaler]
assert scaler.scale == 16384 and scaler.good_steps == 1

# --8<-- [start:memory_7b]
n = 7e9
mem = pr.mixed_precision_adam_bytes(n)
total = sum(mem.values())
print(" + ".join(f"{k} {v / 1e9:.0f}" for k, v in mem.items()), f"= {total / 1e9:.0f} GB")
for stage in range(4):
    print(f"ZeRO-{stage} on 8 GPUs: {pr.zero_bytes_per_gpu(n, 8, stage) / 1e9:5.1f} GB per GPU")
# weights 14 + grads 14 + master 28 + adam_m 28 + adam_v 28 = 112 GB
# ZeRO-0 on 8 GPUs: 112.0 GB per GPU
# ZeRO-1 on 8 GPUs:  38.5 GB per GPU
# ZeRO-2 on 8 GPUs:  26.2 GB per GPU
# ZeRO-3 on 8 GPUs:  14.0 GB per GPU
# --8<-- [end:memory_7b]
assert sum(mem.values()) == 112e9
assert pr.zero_bytes_per_gpu(n, 8, 3) == 14e9

# --8<-- [start:activations_7b]
s, b, h, a, L = 4096, 1, 4096, 32, 32  # a LLaMA-7B-sized layer, one sequence of 4096 tokens
for mode in ["none", "selective", "full"]:
    per_layer = pr.activation_bytes_per_layer(s, b, h, a, recompute=mode)
    print(f"{mode:9}: {per_layer / 2**30:5.2f} GiB/layer, {L * per_layer / 2**30:5.1f} GiB total")
# none     :  3.03 GiB/layer,  97.0 GiB total
# selective:  0.53 GiB/layer,  17.0 GiB total
# full     :  0.03 GiB/layer,   1.0 GiB total
# --8<-- [end:activations_7b]
assert pr.activation_bytes_per_layer(s, b, h, a) == s * b * h * (34 + 5 * a * s / h)
assert pr.activation_bytes_per_layer(s, b, h, a, recompute="full") * L == 2**30

# --8<-- [start:ring]
rng = np.random.default_rng(0)
for N in [2, 4, 8, 64]:
    xs = [rng.normal(size=64 * 8) for _ in range(N)]
    out, sent = pr.ring_allreduce(xs)
    assert all(np.allclose(o, np.sum(xs, axis=0)) for o in out)
    print(f"N={N:2}: each worker sends {sent[0] / xs[0].size:.3f} x the gradient size")
# N= 2: each worker sends 1.000 x the gradient size
# N= 4: each worker sends 1.500 x the gradient size
# N= 8: each worker sends 1.750 x the gradient size
# N=64: each worker sends 1.969 x the gradient size
# --8<-- [end:ring]
assert sent[0] == 2 * (64 - 1) * 512 // 64

# --8<-- [start:bubble]
for p, m in [(4, 4), (4, 16), (8, 8), (8, 64)]:
    print(f"p={p}, m={m:2}: bubble {pr.pipeline_bubble_fraction(p, m):.1%}")
# p=4, m= 4: bubble 42.9%
# p=4, m=16: bubble 15.8%
# p=8, m= 8: bubble 46.7%
# p=8, m=64: bubble 9.9%
# --8<-- [end:bubble]
assert abs(pr.pipeline_bubble_fraction(8, 64) - 7 / 71) < 1e-12

# --8<-- [start:grad_accum]
rng = np.random.default_rng(1)
X, y, w = rng.normal(size=(32, 5)), rng.normal(size=32), rng.normal(size=5)


def grad_sum(Xb: np.ndarray, yb: np.ndarray) -> np.ndarray:
    """Gradient of the *summed* squared error 0.5 sum (X w - y)^2 over a micro-batch."""
    return Xb.T @ (Xb @ w - yb)


full = grad_sum(X, y) / len(y)  # one batch of 32, mean loss
parts = np.split(np.arange(32), [4, 12, 20])  # micro-batches of 4, 8, 8 and 12 samples
mean_of_means = sum(grad_sum(X[i], y[i]) / len(i) for i in parts) / len(parts)
sum_then_divide = sum(grad_sum(X[i], y[i]) for i in parts) / len(y)
print(np.allclose(sum_then_divide, full), np.allclose(mean_of_means, full))
# True False
# --8<-- [end:grad_accum]
assert np.allclose(sum_then_divide, full) and not np.allclose(mean_of_means, full)
equal = np.split(np.arange(32), 4)  # equal micro-batches: averaging the means is fine
assert np.allclose(sum(grad_sum(X[i], y[i]) / 8 for i in equal) / 4, full)

# --8<-- [start:checkpoint_sqrt]
L = 64
for k in [1, 4, 8, 16, 64]:  # a checkpoint every k layers
    stored = L // k + k  # the checkpoints, plus one segment re-materialized in backward
    print(f"segment {k:2}: {stored:3} layer activations held at once")
# segment  1:  65 layer activations held at once
# segment  4:  20 layer activations held at once
# segment  8:  16 layer activations held at once
# segment 16:  20 layer activations held at once
# segment 64:  65 layer activations held at once
# --8<-- [end:checkpoint_sqrt]
assert min(range(1, L + 1), key=lambda k: L / k + k) == 8  # k = sqrt(L)
