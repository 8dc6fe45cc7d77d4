"""Initializers: shapes, bounds, and empirical variance against the formulas."""

import math

import numpy as np
import pytest

from snippets.initialization import kaiming_normal, kaiming_uniform, xavier_normal, xavier_uniform

FAN_IN, FAN_OUT = 400, 600  # 240 000 samples: the sample variance is within ~0.3 %


@pytest.mark.parametrize(
    ("init", "expected_var"),
    [
        (xavier_uniform, 2 / (FAN_IN + FAN_OUT)),
        (xavier_normal, 2 / (FAN_IN + FAN_OUT)),
        (kaiming_normal, 2 / FAN_IN),
        (kaiming_uniform, 2 / FAN_IN),
    ],
)
def test_variance_matches_formula(init, expected_var):
    W = init(FAN_IN, FAN_OUT, np.random.default_rng(0))
    assert W.shape == (FAN_IN, FAN_OUT)
    assert abs(W.mean()) < 0.05 * math.sqrt(expected_var)
    assert W.var() == pytest.approx(expected_var, rel=0.05)


@pytest.mark.parametrize("init", [kaiming_normal, kaiming_uniform])
def test_kaiming_fan_out_mode(init):
    W = init(FAN_IN, FAN_OUT, np.random.default_rng(1), mode="fan_out")
    assert W.var() == pytest.approx(2 / FAN_OUT, rel=0.05)
    with pytest.raises(ValueError):
        init(FAN_IN, FAN_OUT, np.random.default_rng(1), mode="fan_avg")


def test_uniform_bounds():
    rng = np.random.default_rng(2)
    assert np.abs(xavier_uniform(FAN_IN, FAN_OUT, rng)).max() <= math.sqrt(6 / (FAN_IN + FAN_OUT))
    assert np.abs(kaiming_uniform(FAN_IN, FAN_OUT, rng)).max() <= math.sqrt(6 / FAN_IN)


def test_seeded_initialization_is_reproducible():
    a = kaiming_normal(8, 4, np.random.default_rng(3))
    b = kaiming_normal(8, 4, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)


def test_kaiming_keeps_relu_second_moment_through_depth():
    # The point of the factor 2: E[h^2] stays ~constant through ReLU layers.
    rng = np.random.default_rng(4)
    h = rng.normal(size=(2000, 256))
    start = np.mean(h**2)
    for _ in range(10):
        h = np.maximum(0.0, h @ kaiming_normal(256, 256, rng))
    assert np.mean(h**2) == pytest.approx(start, rel=0.3)
