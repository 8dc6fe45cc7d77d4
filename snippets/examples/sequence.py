"""Examples for docs/*/architectures/sequence.md: BPTT, an LSTM cell, attention, heads."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from snippets.activations import sigmoid
from snippets.attention import attention_forward, sinusoidal_encoding
from snippets.gradcheck import numerical_gradient

Array = NDArray[np.float64]


# --8<-- [start:rnn_bptt]
def rnn_forward_backward(
    xs: Array,
    ys: NDArray[np.int_],
    h0: Array,
    Wxh: Array,
    Whh: Array,
    Why: Array,
    bh: Array,
    by: Array,
) -> tuple[float, tuple[Array, Array, Array, Array, Array]]:
    """Vanilla RNN, softmax output, cross-entropy summed over time.
    xs: (T, d_x) inputs, ys: (T,) integer targets, h0: (d_h,)."""
    T = len(xs)
    hs, ps = {-1: h0}, {}
    loss = 0.0
    for t in range(T):  # forward
        hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
        o = Why @ hs[t] + by
        ps[t] = np.exp(o - o.max())
        ps[t] /= ps[t].sum()
        loss -= float(np.log(ps[t][ys[t]]))
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dh_next = np.zeros_like(h0)  # W_hh^T g_{t+1}
    for t in reversed(range(T)):  # backward through time
        do = ps[t].copy()
        do[ys[t]] -= 1  # softmax + CE: p - y
        dWhy += np.outer(do, hs[t])
        dby += do
        dh = Why.T @ do + dh_next  # delta_t
        da = (1 - hs[t] ** 2) * dh  # g_t, through tanh
        dWxh += np.outer(da, xs[t])
        dWhh += np.outer(da, hs[t - 1])
        dbh += da
        dh_next = Whh.T @ da
    return loss, (dWxh, dWhh, dWhy, dbh, dby)


# --8<-- [end:rnn_bptt]
rng = np.random.default_rng(0)
T, d_x, d_h, V = 4, 3, 5, 6
xs, ys, h0 = rng.normal(size=(T, d_x)), rng.integers(V, size=T), np.zeros(d_h)
weights = [
    0.5 * rng.normal(size=(d_h, d_x)),
    0.5 * rng.normal(size=(d_h, d_h)),
    0.5 * rng.normal(size=(V, d_h)),
    np.zeros(d_h),
    np.zeros(V),
]
_, grads = rnn_forward_backward(xs, ys, h0, *weights)
for p, g in zip(weights, grads, strict=True):
    num = numerical_gradient(lambda _: rnn_forward_backward(xs, ys, h0, *weights)[0], p)
    assert np.allclose(g, num, atol=1e-6)


# --8<-- [start:lstm_cell]
def lstm_cell(
    x: Array, h_prev: Array, c_prev: Array, W: Array, U: Array, b: Array
) -> tuple[Array, Array]:
    """W: (4*d_h, d_x), U: (4*d_h, d_h), b: (4*d_h,); gate order f, i, o, g."""
    z = W @ x + U @ h_prev + b
    f, i, o, g = np.split(z, 4)
    # sigmoid: snippets/activations.py (no overflow for large |z|)
    f, i, o, g = sigmoid(f), sigmoid(i), sigmoid(o), np.tanh(g)
    c = f * c_prev + i * g  # additive cell update
    h = o * np.tanh(c)
    return h, c


# --8<-- [end:lstm_cell]
d_x, d_h = 3, 4
x, h_prev, c_prev = rng.normal(size=d_x), rng.normal(size=d_h), rng.normal(size=d_h)
W, U = rng.normal(size=(4 * d_h, d_x)), rng.normal(size=(4 * d_h, d_h))
h, c = lstm_cell(x, h_prev, c_prev, W, U, np.zeros(4 * d_h))
assert h.shape == c.shape == (d_h,)
assert np.all(np.abs(h) < 1)
# A forget gate pinned open (f = 1) and an input gate pinned shut (i = 0) copy c unchanged.
b = np.concatenate([np.full(d_h, 50.0), np.full(d_h, -50.0), np.zeros(2 * d_h)])
assert np.allclose(lstm_cell(x, h_prev, c_prev, 0 * W, 0 * U, b)[1], c_prev)

# --8<-- [start:attention_scale]
# attention_forward: snippets/attention.py, softmax(q k^T / sqrt(d_k)) v with a mask
rng = np.random.default_rng(0)
q, k = rng.normal(size=(2, 100_000, 64))
print(np.var((q * k).sum(1)), np.var((q * k).sum(1) / np.sqrt(64)))  # ~64, ~1
causal = np.tril(np.ones((4, 4), dtype=bool))  # decoder mask: position i sees j <= i
out, A = attention_forward(*rng.normal(size=(3, 4, 8)), mask=causal)
print(A.round(2))  # lower triangular, each row sums to 1
# --8<-- [end:attention_scale]
assert 60 < np.var((q * k).sum(1)) < 68
assert 0.94 < np.var((q * k).sum(1) / np.sqrt(64)) < 1.06
assert np.allclose(np.triu(A, 1), 0.0)
assert np.allclose(A.sum(axis=1), 1.0)


# --8<-- [start:multi_head]
def multi_head_attention(
    X: Array, Wq: Array, Wk: Array, Wv: Array, Wo: Array, h: int, mask: Array | None = None
) -> Array:
    """Self-attention. X: (n, d_model); W*: (d_model, d_model); h heads of size d_model // h."""
    n, d = X.shape

    def split(M: Array) -> Array:
        return M.reshape(n, h, d // h).transpose(1, 0, 2)  # (h, n, d_k)

    Q, K, V = split(X @ Wq), split(X @ Wk), split(X @ Wv)
    heads, _ = attention_forward(Q, K, V, mask)  # all heads at once: (h, n, d_k)
    return heads.transpose(1, 0, 2).reshape(n, d) @ Wo  # concat the heads, then W_o


# --8<-- [end:multi_head]
n, d_model, n_heads = 5, 8, 2
X = rng.normal(size=(n, d_model))
Wq, Wk, Wv, Wo = rng.normal(size=(4, d_model, d_model))
out = multi_head_attention(X, Wq, Wk, Wv, Wo, n_heads)
d_k = d_model // n_heads
per_head = [
    attention_forward(
        X @ Wq[:, j * d_k : (j + 1) * d_k],
        X @ Wk[:, j * d_k : (j + 1) * d_k],
        X @ Wv[:, j * d_k : (j + 1) * d_k],
    )[0]
    for j in range(n_heads)
]
assert np.allclose(out, np.concatenate(per_head, axis=-1) @ Wo)  # head j uses columns j * d_k..
pe = sinusoidal_encoding(50, 16)  # shown on the page from snippets/attention.py
assert pe.shape == (50, 16)
assert np.allclose(pe[:, 0::2] ** 2 + pe[:, 1::2] ** 2, 1.0)
