"""LoRA: merge equals the unmerged forward, gradients against finite differences."""

import numpy as np
import pytest

from snippets import lora
from snippets.gradcheck import numerical_gradient_array


def _layer(seed: int = 0, N: int = 5, d_in: int = 6, d_out: int = 4, r: int = 2):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, d_in))
    W0 = rng.normal(size=(d_out, d_in))
    A = rng.normal(size=(r, d_in))
    B = rng.normal(size=(d_out, r))  # non-zero, so every gradient path is exercised
    return x, W0, A, B


def test_shapes_and_zero_init_leaves_model_unchanged():
    rng = np.random.default_rng(0)
    x, W0, _, _ = _layer()
    A, B = lora.lora_init(d_in=6, d_out=4, r=2, rng=rng)
    assert A.shape == (2, 6) and B.shape == (4, 2)
    y = lora.lora_forward(x, W0, A, B, alpha=16.0)
    assert y.shape == (5, 4)
    np.testing.assert_allclose(y, x @ W0.T, atol=0)


def test_zero_init_gives_b_a_gradient_but_not_a():
    rng = np.random.default_rng(1)
    x, W0, _, _ = _layer()
    A, B = lora.lora_init(6, 4, 2, rng)
    _, dA, dB = lora.lora_backward(np.ones((5, 4)), x, W0, A, B, alpha=4.0)
    assert np.all(dA == 0)
    assert np.abs(dB).max() > 0


@pytest.mark.parametrize("alpha", [1.0, 16.0])
def test_merge_equals_unmerged_forward(alpha):
    x, W0, A, B = _layer()
    W = lora.lora_merge(W0, A, B, alpha)
    np.testing.assert_allclose(x @ W.T, lora.lora_forward(x, W0, A, B, alpha), rtol=1e-12)


def test_update_has_rank_r():
    _, W0, A, B = _layer(d_in=8, d_out=7, r=3)
    delta = lora.lora_merge(W0, A, B, alpha=3.0) - W0
    assert np.linalg.matrix_rank(delta) == 3


def test_backward_matches_finite_differences():
    x, W0, A, B = _layer(seed=2)
    alpha = 8.0
    dy = np.random.default_rng(3).normal(size=(5, 4))
    dx, dA, dB = lora.lora_backward(dy, x, W0, A, B, alpha)
    num_dx = numerical_gradient_array(lambda z: lora.lora_forward(z, W0, A, B, alpha), x, dy)
    num_dA = numerical_gradient_array(lambda z: lora.lora_forward(x, W0, z, B, alpha), A, dy)
    num_dB = numerical_gradient_array(lambda z: lora.lora_forward(x, W0, A, z, alpha), B, dy)
    np.testing.assert_allclose(dx, num_dx, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dA, num_dA, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dB, num_dB, rtol=1e-6, atol=1e-8)


def test_param_count_7b_q_and_v():
    # LLaMA-7B: 32 layers, d_model 4096; q and v projections are 4096 x 4096.
    per_matrix = lora.lora_param_count(4096, 4096, r=8)
    assert per_matrix == 65_536
    assert 32 * 2 * per_matrix == 4_194_304
    # Square matrix: LoRA is cheaper than full fine-tuning iff r < d / 2.
    assert lora.lora_param_count(64, 64, 32) == 64 * 64


def test_quantized_bits_per_param():
    assert lora.quantized_bits_per_param(double_quant=False) == 4.5
    assert lora.quantized_bits_per_param() == pytest.approx(4.127, abs=5e-4)


def test_nf4_levels_match_bitsandbytes():
    levels = lora.nf4_levels()
    assert levels.shape == (16,) and np.all(np.diff(levels) > 0)
    assert levels[0] == -1.0 and levels[-1] == 1.0 and 0.0 in levels
    assert np.sum(levels > 0) == 8 and np.sum(levels < 0) == 7
    # Values published with QLoRA (bitsandbytes' NF4 table).
    np.testing.assert_allclose(levels[[1, 6, 8, 14]], [-0.6962, -0.0910, 0.0796, 0.7230], atol=1e-4)


def test_nf4_beats_uniform_int4_on_normal_weights():
    w = np.random.default_rng(0).normal(scale=0.02, size=64 * 512)
    int4 = np.arange(-7, 8) / 7.0  # symmetric absmax int4
    errors = {}
    for name, levels in {"nf4": lora.nf4_levels(), "int4": int4}.items():
        codes, absmax = lora.quantize_blockwise(w, levels)
        assert absmax.shape == (512,) and codes.dtype == np.uint8
        errors[name] = np.mean((lora.dequantize_blockwise(codes, absmax, levels) - w) ** 2)
    assert errors["nf4"] < 0.8 * errors["int4"]


def test_blockwise_roundtrip_is_exact_on_levels_and_zero_blocks():
    levels = lora.nf4_levels()
    w = np.concatenate([np.zeros(64), 0.5 * levels[np.arange(64) % 16]])
    codes, absmax = lora.quantize_blockwise(w, levels)
    np.testing.assert_allclose(lora.dequantize_blockwise(codes, absmax, levels), w, atol=1e-15)
