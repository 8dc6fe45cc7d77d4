"""Attention: backward against finite differences, masked-softmax stability,
online softmax = softmax, RoPE invariants, KV-cache and parameter counts."""

import numpy as np
import pytest

from snippets import attention as att
from snippets.gradcheck import numerical_gradient_array

STRICT = {"over": "raise", "invalid": "raise", "divide": "raise"}


def causal(n_q: int, n_k: int) -> np.ndarray:
    """Query i (the last n_q positions of n_k) sees keys j <= i."""
    return np.tril(np.ones((n_q, n_k), dtype=bool), k=n_k - n_q)


def test_masked_softmax_rows_sum_to_one_and_respect_mask():
    rng = np.random.default_rng(0)
    s = rng.normal(size=(5, 7))
    mask = causal(5, 7)
    p = att.masked_softmax(s, mask)
    np.testing.assert_allclose(p.sum(-1), 1.0, rtol=1e-12)
    assert np.all(p[~mask] == 0.0)


def test_masked_softmax_is_stable_at_large_logits():
    s = np.array([[1e4, 1e4 - 1.0, -1e4], [0.0, 0.0, 0.0]])
    with np.errstate(**STRICT):
        p = att.masked_softmax(s)
    e = np.exp(-1.0)
    np.testing.assert_allclose(p[0], [1 / (1 + e), e / (1 + e), 0.0], rtol=1e-12)
    np.testing.assert_allclose(p[1], 1 / 3, rtol=1e-12)


def test_fully_masked_row_gives_zeros_not_nan():
    mask = np.array([[True, False], [False, False]])
    with np.errstate(**STRICT):
        p = att.masked_softmax(np.zeros((2, 2)), mask)
    np.testing.assert_array_equal(p, [[1.0, 0.0], [0.0, 0.0]])


def test_attention_forward_hand_computed():
    # Two keys with logits q.k / sqrt(2) = 0 and 1: weights 1/(1+e), e/(1+e).
    q = np.array([[1.0, 1.0]])
    k = np.array([[0.0, 0.0], [1 / np.sqrt(2), 1 / np.sqrt(2)]])
    v = np.array([[1.0, 0.0], [0.0, 1.0]])
    out, p = att.attention_forward(q, k, v)
    w = np.e / (1 + np.e)
    np.testing.assert_allclose(p, [[1 - w, w]], rtol=1e-12)
    np.testing.assert_allclose(out, [[1 - w, w]], rtol=1e-12)


@pytest.mark.parametrize("masked", [False, True])
def test_attention_backward_matches_finite_differences(masked):
    rng = np.random.default_rng(1)
    n_q, n_k, d_k, d_v = 3, 4, 5, 2
    q, k = rng.normal(size=(n_q, d_k)), rng.normal(size=(n_k, d_k))
    v, dout = rng.normal(size=(n_k, d_v)), rng.normal(size=(n_q, d_v))
    mask = causal(n_q, n_k) if masked else None
    _, p = att.attention_forward(q, k, v, mask)
    dq, dk, dv = att.attention_backward(dout, q, k, v, p)
    num_dq = numerical_gradient_array(lambda x: att.attention_forward(x, k, v, mask)[0], q, dout)
    num_dk = numerical_gradient_array(lambda x: att.attention_forward(q, x, v, mask)[0], k, dout)
    num_dv = numerical_gradient_array(lambda x: att.attention_forward(q, k, x, mask)[0], v, dout)
    np.testing.assert_allclose(dq, num_dq, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dk, num_dk, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dv, num_dv, rtol=1e-6, atol=1e-9)


def test_attention_backward_with_batch_axes():
    rng = np.random.default_rng(2)
    q, k, v = rng.normal(size=(3, 2, 4, 8))
    dout = rng.normal(size=(2, 4, 8))
    _, p = att.attention_forward(q, k, v)
    dq, dk, dv = att.attention_backward(dout, q, k, v, p)
    for h in range(2):
        _, ph = att.attention_forward(q[h], k[h], v[h])
        ref = att.attention_backward(dout[h], q[h], k[h], v[h], ph)
        for got, want in zip((dq, dk, dv), ref, strict=True):
            np.testing.assert_allclose(got[h], want, rtol=1e-12)


@pytest.mark.parametrize("block_size", [1, 3, 8, 100])
def test_online_softmax_equals_softmax(block_size):
    z = np.random.default_rng(3).normal(scale=30.0, size=50)
    np.testing.assert_allclose(
        att.online_softmax(z, block_size), att.masked_softmax(z), rtol=1e-12, atol=1e-300
    )


@pytest.mark.parametrize("block_size", [1, 4, 7, 64])
@pytest.mark.parametrize("masked", [False, True])
def test_online_attention_equals_attention(block_size, masked):
    rng = np.random.default_rng(4)
    q, k = rng.normal(size=(6, 8)) * 3, rng.normal(size=(20, 8)) * 3
    v = rng.normal(size=(20, 5))
    # The causal mask of the last 6 queries: early blocks are fully masked
    # for some rows, the case that needs m = -inf handled.
    mask = causal(6, 20) if masked else None
    if masked:
        mask[0, :] = False  # and one row that sees nothing at all
    want, _ = att.attention_forward(q, k, v, mask)
    with np.errstate(**STRICT):
        got = att.online_attention(q, k, v, block_size, mask)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_gqa_reduces_to_per_head_attention():
    rng = np.random.default_rng(5)
    n, d_model, n_heads, d_head = 5, 8, 4, 2
    x = rng.normal(size=(n, d_model))
    w_q, w_o = rng.normal(size=(2, d_model, d_model))
    mask = causal(n, n)
    for n_kv in (4, 2, 1):  # MHA, GQA, MQA
        w_k, w_v = rng.normal(size=(2, d_model, n_kv * d_head))
        got = att.grouped_query_attention(x, w_q, w_k, w_v, w_o, n_heads, n_kv, mask)
        heads = []
        for h in range(n_heads):
            g = h // (n_heads // n_kv)  # the K/V head this query head reads
            cols_q = slice(h * d_head, (h + 1) * d_head)
            cols_kv = slice(g * d_head, (g + 1) * d_head)
            out, _ = att.attention_forward(
                x @ w_q[:, cols_q], x @ w_k[:, cols_kv], x @ w_v[:, cols_kv], mask
            )
            heads.append(out)
        np.testing.assert_allclose(got, np.concatenate(heads, axis=1) @ w_o, rtol=1e-12)


def test_sinusoidal_hand_values():
    pe = att.sinusoidal_encoding(3, 4)
    np.testing.assert_allclose(pe[0], [0, 1, 0, 1], atol=1e-15)
    np.testing.assert_allclose(pe[2], [np.sin(2), np.cos(2), np.sin(0.02), np.cos(0.02)])


def test_rope_preserves_norms_and_is_identity_at_zero():
    x = np.random.default_rng(6).normal(size=(2, 10, 16))
    y = att.rope(x, np.arange(10))
    np.testing.assert_allclose(np.linalg.norm(y, axis=-1), np.linalg.norm(x, axis=-1))
    np.testing.assert_array_equal(y[:, 0], x[:, 0])


def test_rope_rotates_first_pair_by_position():
    x = np.array([[1.0, 0.0, 1.0, 0.0]])
    y = att.rope(x, np.array([3]))
    # theta_0 = 1, theta_1 = 10000^(-1/2) = 0.01.
    np.testing.assert_allclose(y[0], [np.cos(3), np.sin(3), np.cos(0.03), np.sin(0.03)])


def test_rope_scores_depend_only_on_offset():
    rng = np.random.default_rng(7)
    q, k = rng.normal(size=(2, 64))
    n_pos = 40
    qs = att.rope(np.tile(q, (n_pos, 1)), np.arange(n_pos))
    ks = att.rope(np.tile(k, (n_pos, 1)), np.arange(n_pos))
    scores = qs @ ks.T  # scores[m, n] = <R_m q, R_n k>
    for offset in range(-n_pos + 1, n_pos):
        diagonal = np.diagonal(scores, offset=offset)  # all pairs with n - m = offset
        np.testing.assert_allclose(diagonal, diagonal[0], rtol=0, atol=1e-12)
    # and the score at offset 0 is the plain dot product
    np.testing.assert_allclose(scores[5, 5], q @ k, rtol=1e-12)


def test_kv_cache_llama2_7b_is_2_gib_per_4k_sequence():
    # Llama-2-7B: 32 layers, 32 heads of 128 (MHA), fp16.
    assert att.kv_cache_bytes(32, 32, 128, 4096) == 2 * 2**30
    # Llama-3-8B keeps 8 K/V heads (GQA): a quarter of that.
    assert att.kv_cache_bytes(32, 8, 128, 4096) == 2**29
    assert att.kv_cache_bytes(32, 8, 128, 4096, batch=3, bytes_per_elem=1) == 3 * 2**28


def test_decoder_params_match_published_llama_sizes():
    assert att.decoder_params(4096, 32, 11008, 32000, 32, 32) == 6_738_415_616  # Llama-2-7B
    assert att.decoder_params(4096, 32, 14336, 128256, 32, 8) == 8_030_261_248  # Llama-3-8B
