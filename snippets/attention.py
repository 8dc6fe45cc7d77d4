"""Scaled dot-product attention, its backward pass, the online softmax behind
FlashAttention, positional encodings (sinusoidal, RoPE) and the KV-cache and
parameter accounting of a decoder-only Transformer.

Shapes: a query block is (n_q, d_k), keys (n_k, d_k), values (n_k, d_v); any
leading batch/head axes are allowed where the docstring says "(..., n, d)".
A boolean mask is True where a query may attend to a key (True = keep).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


# --8<-- [start:masked_softmax]
def masked_softmax(
    scores: NDArray[np.float64], mask: NDArray[np.bool_] | None = None
) -> NDArray[np.float64]:
    """softmax over the last axis of scores (..., n_q, n_k), restricted to mask.

    Subtracting the row maximum makes every exponent <= 0, so nothing
    overflows for logits of 1e4. Masked entries get weight exactly 0 (not
    exp(-1e9)); a row with no allowed key returns all zeros instead of the
    NaN that exp(-inf - (-inf)) would give.
    """
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    z = np.where(mask, scores, -np.inf)
    row_max = np.max(z, axis=-1, keepdims=True)
    row_max = np.where(np.isfinite(row_max), row_max, 0.0)  # fully masked row
    e = np.where(mask, np.exp(z - row_max), 0.0)
    total = np.sum(e, axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1.0)


# --8<-- [end:masked_softmax]


# --8<-- [start:attention_forward]
def attention_forward(
    q: NDArray[np.float64],
    k: NDArray[np.float64],
    v: NDArray[np.float64],
    mask: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """out = softmax(q k^T / sqrt(d_k)) v.

    q: (..., n_q, d_k), k: (..., n_k, d_k), v: (..., n_k, d_v),
    mask: broadcastable to (..., n_q, n_k). Returns out (..., n_q, d_v) and
    the attention weights p (..., n_q, n_k), kept for the backward pass.
    """
    d_k = q.shape[-1]
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(d_k)  # (..., n_q, n_k) logits
    p = masked_softmax(s, mask)
    return p @ v, p


# --8<-- [end:attention_forward]


# --8<-- [start:attention_backward]
def attention_backward(
    dout: NDArray[np.float64],
    q: NDArray[np.float64],
    k: NDArray[np.float64],
    v: NDArray[np.float64],
    p: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Gradients of sum(out * dout) with respect to q, k, v.

    dout: (..., n_q, d_v); p: the weights from attention_forward.
    Softmax VJP, row by row: ds = p * (dp - sum(dp * p)). Masked entries have
    p = 0, so they receive no gradient, exactly as if they were absent.
    """
    d_k = q.shape[-1]
    dv = np.swapaxes(p, -1, -2) @ dout  # (..., n_k, d_v)
    dp = dout @ np.swapaxes(v, -1, -2)  # (..., n_q, n_k)
    ds = p * (dp - np.sum(dp * p, axis=-1, keepdims=True))
    dq = ds @ k / np.sqrt(d_k)  # (..., n_q, d_k)
    dk = np.swapaxes(ds, -1, -2) @ q / np.sqrt(d_k)  # (..., n_k, d_k)
    return dq, dk, dv


# --8<-- [end:attention_backward]


# --8<-- [start:online_softmax]
def online_softmax(z: NDArray[np.float64], block_size: int) -> NDArray[np.float64]:
    """softmax of a 1-D vector z, reading it in blocks of block_size.

    One streaming pass keeps only a running max m and a running sum
    ell = sum(exp(z_j - m)); when a block raises the max, the old sum is
    rescaled by exp(m_old - m_new). A second pass normalizes.
    """
    m, ell = -np.inf, 0.0
    for start in range(0, z.size, block_size):
        block = z[start : start + block_size]
        m_new = max(m, float(np.max(block)))
        ell = ell * np.exp(m - m_new) + float(np.sum(np.exp(block - m_new)))
        m = m_new
    return np.exp(z - m) / ell


# --8<-- [end:online_softmax]


# --8<-- [start:online_attention]
def online_attention(
    q: NDArray[np.float64],
    k: NDArray[np.float64],
    v: NDArray[np.float64],
    block_size: int,
    mask: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """attention_forward's output, computed over key/value blocks without
    ever forming the (n_q, n_k) weight matrix (FlashAttention's inner loop).

    q: (n_q, d_k), k: (n_k, d_k), v: (n_k, d_v), mask: (n_q, n_k) or None.
    Per query row: running max m (n_q,), running sum ell (n_q,), and an
    unnormalized output acc (n_q, d_v); ell and acc are rescaled by
    alpha = exp(m_old - m_new) whenever a block raises the max.
    """
    n_q, d_k = q.shape
    n_k = k.shape[0]
    m = np.full(n_q, -np.inf)
    ell = np.zeros(n_q)
    acc = np.zeros((n_q, v.shape[1]))
    for start in range(0, n_k, block_size):
        kb, vb = k[start : start + block_size], v[start : start + block_size]
        s = q @ kb.T / np.sqrt(d_k)  # (n_q, block) logits of this tile only
        if mask is not None:
            s = np.where(mask[:, start : start + block_size], s, -np.inf)
        m_new = np.maximum(m, np.max(s, axis=1))
        safe = np.where(np.isfinite(m_new), m_new, 0.0)  # rows with no key yet
        alpha = np.exp(m - safe)  # exp(-inf) = 0 when m was -inf
        e = np.exp(s - safe[:, None])  # masked logits give exp(-inf) = 0
        ell = alpha * ell + np.sum(e, axis=1)
        acc = alpha[:, None] * acc + e @ vb
        m = m_new
    return acc / np.where(ell > 0, ell, 1.0)[:, None]


# --8<-- [end:online_attention]


# --8<-- [start:gqa]
def grouped_query_attention(
    x: NDArray[np.float64],
    w_q: NDArray[np.float64],
    w_k: NDArray[np.float64],
    w_v: NDArray[np.float64],
    w_o: NDArray[np.float64],
    n_heads: int,
    n_kv_heads: int,
    mask: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """Self-attention with n_heads query heads sharing n_kv_heads K/V heads.

    x: (n, d_model); w_q: (d_model, n_heads * d_head);
    w_k, w_v: (d_model, n_kv_heads * d_head); w_o: (n_heads * d_head, d_model).
    n_kv_heads == n_heads is MHA, n_kv_heads == 1 is MQA, anything between
    (dividing n_heads) is GQA. Returns (n, d_model).
    """
    n = x.shape[0]
    d_head = w_q.shape[1] // n_heads
    q = (x @ w_q).reshape(n, n_heads, d_head).transpose(1, 0, 2)  # (h, n, d_head)
    k = (x @ w_k).reshape(n, n_kv_heads, d_head).transpose(1, 0, 2)  # (h_kv, n, d_head)
    v = (x @ w_v).reshape(n, n_kv_heads, d_head).transpose(1, 0, 2)
    group = n_heads // n_kv_heads  # query heads per K/V head
    k, v = np.repeat(k, group, axis=0), np.repeat(v, group, axis=0)  # (h, n, d_head)
    out, _ = attention_forward(q, k, v, mask)  # (h, n, d_head)
    return out.transpose(1, 0, 2).reshape(n, n_heads * d_head) @ w_o


# --8<-- [end:gqa]


# --8<-- [start:sinusoidal]
def sinusoidal_encoding(n_pos: int, d_model: int) -> NDArray[np.float64]:
    """(n_pos, d_model) table: PE[pos, 2i] = sin(pos * omega_i),
    PE[pos, 2i+1] = cos(pos * omega_i), omega_i = 10000^(-2i / d_model).
    Wavelengths grow geometrically from 2 pi to 10000 * 2 pi.
    """
    pos = np.arange(n_pos)[:, None]
    omega = 10000.0 ** (-np.arange(0, d_model, 2) / d_model)  # (d_model / 2,)
    pe = np.zeros((n_pos, d_model))
    pe[:, 0::2] = np.sin(pos * omega)
    pe[:, 1::2] = np.cos(pos * omega)
    return pe


# --8<-- [end:sinusoidal]


# --8<-- [start:rope]
def rope(
    x: NDArray[np.float64], positions: NDArray[np.int_], base: float = 10000.0
) -> NDArray[np.float64]:
    """Rotary position embedding (Su et al., 2021), applied to q or k.

    x: (..., n, d) with d even; positions: (n,). Each pair (x[2i], x[2i+1])
    of the token at position m is rotated by the angle m * theta_i,
    theta_i = base^(-2i / d). (Llama's code pairs dimension i with i + d/2
    instead: a fixed permutation of the same thing.)
    """
    d = x.shape[-1]
    theta = base ** (-np.arange(0, d, 2) / d)  # (d/2,)
    angle = np.asarray(positions, dtype=np.float64)[:, None] * theta  # (n, d/2)
    cos, sin = np.cos(angle), np.sin(angle)
    x_even, x_odd = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x, dtype=np.float64)
    out[..., 0::2] = x_even * cos - x_odd * sin
    out[..., 1::2] = x_even * sin + x_odd * cos
    return out


# --8<-- [end:rope]


# --8<-- [start:kv_cache_bytes]
def kv_cache_bytes(
    n_layers: int,
    n_kv_heads: int,
    d_head: int,
    seq_len: int,
    batch: int = 1,
    bytes_per_elem: int = 2,
) -> int:
    """Memory of the KV cache: one K and one V vector (the 2) of d_head
    numbers per layer, per K/V head, per cached token, per sequence.
    bytes_per_elem: 2 for fp16/bf16, 1 for fp8/int8.
    """
    return 2 * n_layers * n_kv_heads * d_head * seq_len * batch * bytes_per_elem


# --8<-- [end:kv_cache_bytes]


# --8<-- [start:param_count]
def decoder_params(
    d_model: int,
    n_layers: int,
    d_ff: int,
    vocab: int,
    n_heads: int,
    n_kv_heads: int,
    gated: bool = True,
    tied: bool = False,
) -> int:
    """Weights of a bias-free decoder-only Transformer (Llama style).

    Per layer: W_q and W_o are d_model x d_model; W_k and W_v shrink by
    n_kv_heads / n_heads under GQA; the FFN has 3 matrices d_model x d_ff if
    gated (SwiGLU) else 2; two RMSNorm gains of d_model. Plus the input
    embedding, the final norm and (unless tied) the output projection.
    """
    d_kv = d_model * n_kv_heads // n_heads
    attn = 2 * d_model * d_model + 2 * d_model * d_kv
    ffn = (3 if gated else 2) * d_model * d_ff
    per_layer = attn + ffn + 2 * d_model
    embeddings = vocab * d_model * (1 if tied else 2)
    return n_layers * per_layer + embeddings + d_model


# --8<-- [end:param_count]
