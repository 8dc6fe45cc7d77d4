"""Float formats, rounding, loss scaling, memory formulas and ring all-reduce."""

import numpy as np
import pytest

from snippets import precision as pr


@pytest.mark.parametrize(("fmt", "dtype"), [(pr.FP16, np.float16), (pr.FP32, np.float32)])
def test_format_properties_match_finfo(fmt, dtype):
    info = np.finfo(dtype)
    assert fmt.max == float(info.max)
    assert fmt.min_normal == float(info.smallest_normal)
    assert fmt.min_subnormal == float(info.smallest_subnormal)
    assert fmt.eps == float(info.eps)


def test_known_values_of_bf16_and_fp8():
    assert pr.FP16.max == 65504.0
    assert pr.BF16.max == pytest.approx(3.3895313892515355e38, rel=1e-15)
    assert pr.BF16.min_normal == pr.FP32.min_normal == 2.0**-126  # same exponent as fp32
    assert pr.BF16.eps == 2.0**-7
    assert pr.FP8_E4M3.max == 448.0
    assert pr.FP8_E4M3.min_normal == 2.0**-6
    assert pr.FP8_E4M3.min_subnormal == 2.0**-9
    assert pr.FP8_E5M2.max == 57344.0
    assert pr.FP8_E5M2.min_normal == 2.0**-14 == pr.FP16.min_normal


def test_round_to_format_agrees_with_numpy_float16():
    rng = np.random.default_rng(0)
    # Normal, subnormal, tiny (flush to 0), near-overflow and overflowing values.
    x = np.concatenate(
        [
            rng.normal(size=2000),
            rng.normal(scale=1e-6, size=2000),
            rng.normal(scale=1e-9, size=200),
            rng.uniform(6e4, 7e4, size=200) * rng.choice([-1, 1], size=200),
        ]
    )
    expected = pr.to_fp16(x)
    np.testing.assert_array_equal(pr.round_to_format(x, pr.FP16), expected)


def test_round_to_format_agrees_with_float32_and_bf16():
    rng = np.random.default_rng(1)
    x = rng.normal(scale=10.0, size=5000) * 10.0 ** rng.integers(-30, 30, size=5000)
    np.testing.assert_array_equal(
        pr.round_to_format(x.astype(np.float32).astype(np.float64), pr.BF16),
        pr.to_bf16(x.astype(np.float32)),
    )
    np.testing.assert_array_equal(
        pr.round_to_format(x, pr.FP32), x.astype(np.float32).astype(np.float64)
    )


def test_bf16_rounding_modes():
    one_plus = 1.0 + 2.0**-8 + 2.0**-10  # above the midpoint between 1 and 1 + 2^-7
    assert pr.to_bf16(np.array([one_plus]))[0] == 1.0 + 2.0**-7
    assert pr.to_bf16(np.array([one_plus]), rounding="truncate")[0] == 1.0
    assert pr.to_bf16(np.array([1.0 + 2.0**-8]))[0] == 1.0  # tie goes to the even pattern
    assert pr.to_bf16(np.array([-3.0]))[0] == -3.0
    assert np.isnan(pr.to_bf16(np.array([np.nan]))[0])
    # bf16 keeps fp32's range: 1e-30 survives, fp16 flushes it to zero.
    assert pr.to_bf16(np.array([1e-30]))[0] == pytest.approx(1e-30, rel=2**-8)
    assert pr.to_fp16(np.array([1e-30]))[0] == 0.0


def test_fp8_saturates_or_overflows():
    x = np.array([500.0, -1000.0, 0.3, 2.0**-10])
    np.testing.assert_array_equal(
        pr.round_to_format(x, pr.FP8_E4M3, saturate=True), [448.0, -448.0, 0.3125, 0.0]
    )
    assert np.isinf(pr.round_to_format(x, pr.FP8_E4M3)[:2]).all()
    # Relative error of E4M3 is at most eps/2 = 2^-4 in the normal range.
    y = np.linspace(0.02, 400, 997)
    assert np.max(np.abs(pr.round_to_format(y, pr.FP8_E4M3) / y - 1)) <= 2.0**-4


def test_loss_scaler_state_machine():
    s = pr.DynamicLossScaler(scale=1024.0, growth_interval=3)
    assert s.update(finite=True) and s.update(finite=True)
    assert s.scale == 1024.0 and s.good_steps == 2
    assert s.update(finite=True)
    assert s.scale == 2048.0 and s.good_steps == 0  # grew after 3 good steps
    assert not s.update(finite=False)  # overflow: skip the step
    assert s.scale == 1024.0 and s.good_steps == 0
    s.update(finite=True)
    s.update(finite=True)
    assert not s.update(finite=False)  # an overflow resets the count of good steps
    assert s.scale == 512.0 and s.good_steps == 0


def test_loss_scaler_unscale_detects_overflow():
    s = pr.DynamicLossScaler(scale=8.0)
    g, finite = s.unscale(np.array([8.0, 16.0]))
    np.testing.assert_array_equal(g, [1.0, 2.0])
    assert finite
    _, finite = s.unscale(np.array([np.inf, 1.0]))
    assert not finite


def test_fp16_gradients_underflow_without_scaling():
    g = np.array([1e-8, 3e-6, 1e-3])
    np.testing.assert_array_equal(pr.fp16_gradients(g, 1.0)[0], 0.0)  # below 2^-24 / 2
    np.testing.assert_allclose(pr.fp16_gradients(g, 2.0**16), g, rtol=1e-3)


def test_mixed_precision_adam_is_16_bytes_per_param():
    mem = pr.mixed_precision_adam_bytes(7e9)
    assert sum(mem.values()) == 16 * 7e9  # 112 GB for a 7B model
    assert mem["master"] + mem["adam_m"] + mem["adam_v"] == 12 * 7e9


def test_zero_stage_formulas():
    psi, n = 7.5e9, 64  # the ZeRO paper's example: 120 GB, 31.4, 16.6, 1.9 GB
    gb = [pr.zero_bytes_per_gpu(psi, n, stage) / 1e9 for stage in range(4)]
    np.testing.assert_allclose(gb, [120.0, 31.4, 16.6, 1.9], atol=0.05)
    assert pr.zero_bytes_per_gpu(psi, n, 3) == (2 + 2 + 12) * psi / n
    assert pr.zero_bytes_per_gpu(psi, 1, 3) == pr.zero_bytes_per_gpu(psi, 1, 0)


def test_activation_memory():
    s, b, h, a = 2048, 1, 4096, 32
    full = pr.activation_bytes_per_layer(s, b, h, a)
    assert full == s * b * h * (34 + 5 * a * s / h)
    assert pr.activation_bytes_per_layer(s, b, h, a, recompute="selective") == 34 * s * b * h
    assert pr.activation_bytes_per_layer(s, b, h, a, recompute="full") == 2 * s * b * h
    assert pr.activation_bytes_per_layer(s, b, h, a, t=8) == full / 8


@pytest.mark.parametrize("N", [1, 2, 3, 4, 8])
def test_ring_allreduce_sums_on_every_worker(N):
    rng = np.random.default_rng(N)
    n = 24
    xs = [rng.normal(size=n) for _ in range(N)]
    out, sent = pr.ring_allreduce(xs)
    for o in out:
        np.testing.assert_allclose(o, np.sum(xs, axis=0), rtol=1e-12)
    assert sent == [2 * (N - 1) * n // N] * N


def test_ring_allreduce_uneven_chunks():
    xs = [np.arange(7.0) * (i + 1) for i in range(3)]
    out, sent = pr.ring_allreduce(xs)
    for o in out:
        np.testing.assert_array_equal(o, np.arange(7.0) * 6)
    assert sum(sent) == 2 * (3 - 1) * 7  # every element is sent 2(N-1) times in total


def test_pipeline_bubble():
    assert pr.pipeline_bubble_fraction(1, 8) == 0.0
    assert pr.pipeline_bubble_fraction(4, 1) == 0.75  # no micro-batching: 3 of 4 stages idle
    assert pr.pipeline_bubble_fraction(4, 13) == 3 / 16
