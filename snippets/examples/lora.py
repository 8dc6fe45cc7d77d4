"""Examples printed on the fine-tuning page."""

import numpy as np

from snippets.lora import (
    dequantize_blockwise,
    lora_forward,
    lora_init,
    lora_merge,
    lora_param_count,
    nf4_levels,
    quantize_blockwise,
    quantized_bits_per_param,
)

# --8<-- [start:count_7b]
n_layers, d_model, n_params = 32, 4096, 6.74e9  # LLaMA-7B
for r in (8, 64):
    per_matrix = lora_param_count(d_model, d_model, r)  # W_q or W_v: 4096 x 4096
    total = n_layers * 2 * per_matrix  # q and v in every layer
    print(f"r={r:<3} per matrix {per_matrix:>9,}  total {total:>11,}  ({total / n_params:.3%})")
print(f"full fine-tuning of one 4096x4096 matrix: {d_model * d_model:,}")
# --8<-- [end:count_7b]
assert lora_param_count(4096, 4096, 8) == 65_536
assert n_layers * 2 * lora_param_count(4096, 4096, 8) == 4_194_304

# --8<-- [start:merge]
rng = np.random.default_rng(0)
d_in, d_out, r, alpha = 16, 8, 4, 8.0
x = rng.normal(size=(3, d_in))
W0 = rng.normal(size=(d_out, d_in))
A, B = lora_init(d_in, d_out, r, rng)
print("step 0, y == x W0^T:", np.allclose(lora_forward(x, W0, A, B, alpha), x @ W0.T))
B = rng.normal(size=(d_out, r))  # pretend training has moved B
W = lora_merge(W0, A, B, alpha)
print("merged == unmerged:", np.allclose(x @ W.T, lora_forward(x, W0, A, B, alpha)))
print("rank of W - W0:", np.linalg.matrix_rank(W - W0))
# --8<-- [end:merge]
assert np.allclose(x @ W.T, lora_forward(x, W0, A, B, alpha))
assert np.linalg.matrix_rank(W - W0) == r

# --8<-- [start:memory]
GB = 1e9
n = 6.74e9  # LLaMA-7B
d_ff = 11008
per_layer = 4 * lora_param_count(d_model, d_model, 16) + 3 * lora_param_count(d_model, d_ff, 16)
n_lora = n_layers * per_layer  # r=16 on q, k, v, o and the three MLP matrices: ~40M
full = n * (2 + 2 + 4 + 8)  # bf16 weight + bf16 grad + fp32 master + Adam m, v
lora16 = n * 2 + n_lora * 16  # frozen bf16 base; full training state only for A, B
qlora = n * quantized_bits_per_param() / 8 + n_lora * 16
print(f"LoRA parameters: {n_lora:,}")
for name, b in [
    ("full FT (mixed-precision Adam)", full),
    ("LoRA, bf16 base", lora16),
    ("QLoRA, NF4 base + DQ", qlora),
]:
    print(f"{name:<31} {b / GB:6.1f} GB  (+ activations)")
print(
    f"bits per weight: {quantized_bits_per_param(double_quant=False):.3f} -> "
    f"{quantized_bits_per_param():.3f} with double quantization"
)
# --8<-- [end:memory]
assert n_lora == 39_976_960
assert round(full / GB) == 108 and 4.0 < qlora / GB < 4.2

# --8<-- [start:nf4]
rng = np.random.default_rng(0)
w = rng.normal(scale=0.02, size=64 * 1024)  # pretrained weights are roughly normal
print("NF4 levels:", " ".join(f"{v:.2f}" for v in nf4_levels()))
errors = {}
for name, levels in [("NF4", nf4_levels()), ("int4", np.arange(-7, 8) / 7)]:
    codes, absmax = quantize_blockwise(w, levels, block=64)
    w_hat = dequantize_blockwise(codes, absmax, levels, block=64)
    errors[name] = np.sqrt(np.mean((w_hat - w) ** 2)) / np.std(w)
    print(f"{name:<4} relative RMS error {errors[name]:.3f}")
# --8<-- [end:nf4]
assert errors["NF4"] < errors["int4"]
