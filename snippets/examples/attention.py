"""Usage examples for snippets/attention.py, shown on architectures/transformer.md."""

import numpy as np

from snippets import attention as att

# --8<-- [start:scale]
rng = np.random.default_rng(0)
for d_k in [16, 256]:
    q, k = rng.normal(size=(2, 10_000, d_k))  # 10k (q, k) pairs, unit-variance entries
    dots = np.sum(q * k, axis=1)
    scaled = dots / np.sqrt(d_k)
    print(f"d_k={d_k:4d}: Var(q.k) = {dots.var():6.1f}, Var(q.k/sqrt(d_k)) = {scaled.var():.2f}")
# --8<-- [end:scale]
assert abs(dots.var() / 256 - 1) < 0.1

# --8<-- [start:online]
q, k, v = rng.normal(size=(3, 128, 64))
mask = np.tril(np.ones((128, 128), dtype=bool))  # causal
exact, _ = att.attention_forward(q, k, v, mask)
tiled = att.online_attention(q, k, v, block_size=32, mask=mask)  # 4 key blocks
print("max |exact - tiled| =", np.abs(exact - tiled).max())
# --8<-- [end:online]
assert np.abs(exact - tiled).max() < 1e-12

# --8<-- [start:kv_cache]
GiB = 2**30
models = {  # n_layers, n_kv_heads, d_head
    "Llama-2-7B (MHA, 32 KV heads)": (32, 32, 128),
    "Llama-3-8B (GQA, 8 KV heads)": (32, 8, 128),
    "Llama-2-70B (GQA, 8 KV heads)": (80, 8, 128),
}
for name, (n_layers, n_kv_heads, d_head) in models.items():
    per_token = att.kv_cache_bytes(n_layers, n_kv_heads, d_head, seq_len=1)
    per_seq = att.kv_cache_bytes(n_layers, n_kv_heads, d_head, seq_len=4096) / GiB
    print(f"{name}: {per_token // 1024} KiB/token, {per_seq:.2f} GiB per 4k sequence (fp16)")
# --8<-- [end:kv_cache]
assert att.kv_cache_bytes(32, 32, 128, 4096) == 2 * GiB

# --8<-- [start:params]
n_7b = att.decoder_params(
    d_model=4096, n_layers=32, d_ff=11008, vocab=32000, n_heads=32, n_kv_heads=32
)
n_8b = att.decoder_params(
    d_model=4096, n_layers=32, d_ff=14336, vocab=128256, n_heads=32, n_kv_heads=8
)
print(f"Llama-2-7B: {n_7b / 1e9:.2f}B parameters, 12*L*d^2 = {12 * 32 * 4096**2 / 1e9:.2f}B")
print(f"Llama-3-8B: {n_8b / 1e9:.2f}B parameters")
print(f"training Llama-2-7B on 2T tokens: 6*N*D = {6 * n_7b * 2e12:.1e} FLOPs")
print(f"inference: 2*N = {2 * n_7b / 1e9:.1f} GFLOPs per token (+ attention over the context)")
# --8<-- [end:params]
assert n_7b == 6_738_415_616
