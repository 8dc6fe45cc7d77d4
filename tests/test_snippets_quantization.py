"""Quantization, pruning, distillation, BN folding and convolution (im2col, Winograd)."""

import numpy as np
import pytest

from snippets import quantization as qz
from snippets.gradcheck import numerical_gradient, numerical_gradient_array
from snippets.normalization import batchnorm_forward


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("n_bits", [4, 8])
@pytest.mark.parametrize("axis", [None, 0])
def test_round_trip_error_is_at_most_half_a_step(symmetric, n_bits, axis):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 50)) * rng.uniform(0.1, 5.0, size=(6, 1)) + 0.5
    q, s, z = qz.quantize_tensor(x, n_bits, symmetric, axis)
    q_min, q_max = qz.int_range(n_bits, symmetric)
    assert q.min() >= q_min and q.max() <= q_max
    err = np.abs(qz.dequantize(q, s, z) - x)
    assert np.all(err <= s / 2 * (1 + 1e-12))


def test_hand_computed_asymmetric_params():
    # [-1, 3] on uint8: s = 4/255, z = round(0 + 1/s) = round(63.75) = 64.
    s, z = qz.qparams(np.array(-1.0), np.array(3.0), 8, symmetric=False)
    assert s == pytest.approx(4 / 255) and z == 64
    s, z = qz.qparams(np.array(-1.0), np.array(3.0), 8, symmetric=True)
    assert s == pytest.approx(3 / 127) and z == 0
    assert qz.int_range(8, True) == (-127, 127) and qz.int_range(4, False) == (0, 15)


@pytest.mark.parametrize("symmetric", [True, False])
def test_zero_is_exactly_representable(symmetric):
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(0.3, 2.0, size=20), [0.0]])  # all-positive range
    q, s, z = qz.quantize_tensor(x, 8, symmetric)
    assert qz.dequantize(q, s, z)[-1] == 0.0
    assert q[-1] == z


def test_all_zero_channel_does_not_divide_by_zero():
    w = np.zeros((2, 4))
    w[1] = [1.0, -2.0, 0.5, 0.0]
    q, s, z = qz.quantize_tensor(w, 8, True, axis=0)
    np.testing.assert_array_equal(qz.dequantize(q, s, z)[0], 0.0)


def test_per_channel_beats_per_tensor_when_ranges_differ():
    rng = np.random.default_rng(2)
    w = rng.normal(size=(8, 64)) * np.logspace(-2, 0, 8)[:, None]
    q, s, z = qz.quantize_tensor(w, 8, True)
    per_tensor = qz.sqnr_db(w, qz.dequantize(q, s, z), axis=1)
    q, s, z = qz.quantize_tensor(w, 8, True, axis=0)
    per_channel = qz.sqnr_db(w, qz.dequantize(q, s, z), axis=1)
    assert np.all(per_channel >= per_tensor - 1e-9)
    assert per_tensor[0] < per_channel[0] - 30  # the small channel loses ~40 dB per-tensor


def test_grouped_quantization():
    rng = np.random.default_rng(3)
    w = rng.normal(size=(4, 256))
    w_hat, scales = qz.quantize_grouped(w, 128, 4)
    assert scales.shape == (4, 2)
    np.testing.assert_allclose(scales[1, 0], np.abs(w[1, :128]).max() / 7)
    assert np.all(np.abs(w_hat - w) <= np.repeat(scales, 128, axis=1) / 2 + 1e-12)


def test_fake_quant_ste():
    s, z = np.array(0.1), np.array(0)
    x = np.array([0.03, -0.26, 5.0, -20.0, 12.7])  # 127 * 0.1 = 12.7 is the largest level
    np.testing.assert_allclose(qz.fake_quant_forward(x, s, z), [0.0, -0.3, 5.0, -12.7, 12.7])
    g = qz.fake_quant_backward(np.ones_like(x), x, s, z)
    np.testing.assert_array_equal(g, [1, 1, 1, 0, 1])  # identity inside, 0 where clipped


def test_magnitude_prune():
    w = np.array([[0.1, -3.0, 0.5], [2.0, -0.05, 0.4]])
    mask = qz.magnitude_prune(w, 0.5)
    np.testing.assert_array_equal(mask, [[False, True, True], [True, False, False]])
    assert qz.magnitude_prune(w, 0.0).all()
    tied = qz.magnitude_prune(np.ones((4, 5)), 0.3)
    assert tied.sum() == 14  # exact count even when every |w| is equal


def test_prune_2_4():
    w = np.array([[1.0, -4.0, 3.0, 0.5, 0.0, 0.1, -0.2, 0.3]])
    mask = qz.prune_2_4(w)
    np.testing.assert_array_equal(mask, [[False, True, True, False, False, False, True, True]])
    assert np.all(mask.reshape(-1, 4).sum(axis=1) == 2)


def test_distillation_gradient_matches_finite_differences():
    rng = np.random.default_rng(4)
    z_s, z_t = rng.normal(size=(5, 7)), 3 * rng.normal(size=(5, 7))
    y = rng.integers(0, 7, size=5)
    for T, alpha in [(1.0, 0.5), (4.0, 0.9), (10.0, 1.0)]:
        _, dz = qz.distillation_loss(z_s, z_t, y, T, alpha)
        num = numerical_gradient(
            lambda z, T=T, a=alpha: qz.distillation_loss(z, z_t, y, T, a)[0], z_s
        )
        np.testing.assert_allclose(dz, num, rtol=1e-5, atol=1e-9)


def test_t_squared_keeps_soft_gradient_scale():
    # For large T, T^2 * grad of KL -> (z_s - z_t - mean) / (C N): independent of T.
    rng = np.random.default_rng(5)
    N, C = 3, 6
    z_s, z_t = rng.normal(size=(N, C)), rng.normal(size=(N, C))
    y = np.zeros(N, dtype=int)
    d = z_s - z_t
    limit = (d - d.mean(axis=1, keepdims=True)) / (C * N)
    grads = [qz.distillation_loss(z_s, z_t, y, T, alpha=1.0)[1] for T in (20.0, 1000.0)]
    np.testing.assert_allclose(grads[1], limit, atol=1e-4)
    assert np.linalg.norm(grads[0]) == pytest.approx(np.linalg.norm(grads[1]), rel=0.02)
    # Without the T^2 factor the gradient would shrink by (1000 / 20)^2 = 2500.


def test_distillation_at_equal_logits_is_pure_cross_entropy_gradient():
    z = np.array([[1.0, 2.0, -1.0]])
    loss, dz = qz.distillation_loss(z, z.copy(), np.array([1]), T=3.0, alpha=0.7)
    ce, dce = qz.softmax_cross_entropy(z, np.array([1]))
    assert loss == pytest.approx(0.3 * ce)
    np.testing.assert_allclose(dz, 0.3 * dce)


def test_folded_conv_equals_conv_then_bn():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 3, 6, 6))
    W, b = rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    gamma, beta = rng.uniform(0.5, 2, 4), rng.normal(size=4)
    mean, var = rng.normal(size=4), rng.uniform(0.5, 2, 4)
    y, _ = qz.conv2d_forward(x, W, b, pad=1)
    bn, *_ = batchnorm_forward(y, gamma, beta, mean, var, train=False, eps=1e-5)
    W_f, b_f = qz.fold_bn(W, b, gamma, beta, mean, var, eps=1e-5)
    folded, _ = qz.conv2d_forward(x, W_f, b_f, pad=1)
    np.testing.assert_allclose(folded, bn, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("stride", "pad"), [(1, 0), (1, 1), (2, 1), (2, 0)])
def test_im2col_conv_matches_direct_loop(stride, pad):
    rng = np.random.default_rng(7)
    x, W, b = rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)
    out, _ = qz.conv2d_forward(x, W, b, stride, pad)
    np.testing.assert_allclose(out, qz.conv2d_direct(x, W, b, stride, pad), rtol=1e-12)


def test_im2col_shape():
    cols = qz.im2col(np.zeros((2, 3, 5, 5)), 3, 3, stride=1, pad=1)
    assert cols.shape == (2 * 5 * 5, 3 * 3 * 3)


@pytest.mark.parametrize(("stride", "pad"), [(1, 1), (2, 1)])
def test_conv_backward_matches_finite_differences(stride, pad):
    rng = np.random.default_rng(8)
    x, W, b = rng.normal(size=(2, 2, 5, 5)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    out, cache = qz.conv2d_forward(x, W, b, stride, pad)
    dout = rng.normal(size=out.shape)
    dx, dW, db = qz.conv2d_backward(dout, cache)
    f_x = lambda v: qz.conv2d_forward(v, W, b, stride, pad)[0]  # noqa: E731
    f_W = lambda v: qz.conv2d_forward(x, v, b, stride, pad)[0]  # noqa: E731
    f_b = lambda v: qz.conv2d_forward(x, W, v, stride, pad)[0]  # noqa: E731
    np.testing.assert_allclose(dx, numerical_gradient_array(f_x, x, dout), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dW, numerical_gradient_array(f_W, W, dout), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(db, numerical_gradient_array(f_b, b, dout), rtol=1e-6, atol=1e-8)


def test_dx_is_full_convolution_with_flipped_kernel():
    rng = np.random.default_rng(9)
    x, W, b = rng.normal(size=(1, 2, 5, 5)), rng.normal(size=(3, 2, 3, 3)), np.zeros(3)
    out, cache = qz.conv2d_forward(x, W, b)  # stride 1, no padding
    dout = rng.normal(size=out.shape)
    dx, dW, _ = qz.conv2d_backward(dout, cache)
    W_flipped = W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C, F, kh, kw)
    full, _ = qz.conv2d_forward(dout, W_flipped, np.zeros(2), pad=2)
    np.testing.assert_allclose(dx, full, rtol=1e-10)
    # dW[f, c] is the correlation of input channel c with dout channel f.
    corr, _ = qz.conv2d_forward(x.transpose(1, 0, 2, 3), dout.transpose(1, 0, 2, 3), np.zeros(3))
    np.testing.assert_allclose(dW, corr.transpose(1, 0, 2, 3), rtol=1e-10)


def test_winograd_matches_direct():
    rng = np.random.default_rng(10)
    d, g = rng.normal(size=(4, 4)), rng.normal(size=(3, 3))
    direct = qz.conv2d_direct(d[None, None], g[None, None], np.zeros(1))[0, 0]
    np.testing.assert_allclose(qz.winograd_f2x2_3x3(d, g), direct, rtol=1e-12, atol=1e-12)


def test_smoothquant_is_exact_and_flattens_activations():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(64, 16))
    X[:, 3] *= 50.0  # an outlier channel, as in LLM activations
    W = rng.normal(size=(8, 16))
    s = qz.smoothquant_scales(np.abs(X).max(0), np.abs(W).max(0), alpha=0.5)
    np.testing.assert_allclose((X / s) @ (W * s).T, X @ W.T, rtol=1e-10, atol=1e-12)
    x_max, w_max = np.abs(X / s).max(0), np.abs(W * s).max(0)
    np.testing.assert_allclose(x_max, w_max)  # alpha = 0.5 balances the two maxima

    def w8a8_error(Xq, Wq):
        q, sx, zx = qz.quantize_tensor(Xq, 8)  # per-tensor activations
        p, sw, zw = qz.quantize_tensor(Wq, 8, axis=0)  # per-channel weights
        Y = qz.dequantize(q, sx, zx) @ qz.dequantize(p, sw, zw).T
        return np.linalg.norm(Y - X @ W.T)

    assert w8a8_error(X / s, W * s) < 0.5 * w8a8_error(X, W)


def test_gptq_beats_round_to_nearest():
    rng = np.random.default_rng(12)
    C_in, C_out, n = 32, 16, 256
    # Correlated inputs: where GPTQ's error compensation pays off.
    X = rng.normal(size=(n, C_in)) @ rng.normal(size=(C_in, C_in))
    W = rng.normal(size=(C_out, C_in))
    q, s, z = qz.quantize_tensor(W, 4, axis=0)
    rtn = qz.dequantize(q, s, z)
    Q = qz.gptq_quantize(W, X, n_bits=4)
    _, s_check, _ = qz.quantize_tensor(W, 4, axis=0)
    assert np.all(np.abs(np.round(Q / s_check) - Q / s_check) < 1e-9)  # Q is on the grid
    err = lambda A: np.linalg.norm(X @ (W - A).T)  # noqa: E731
    assert err(Q) < 0.7 * err(rtn)
