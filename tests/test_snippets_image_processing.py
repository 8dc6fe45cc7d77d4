"""Canny stages and receptive fields: hand-computed values and invariants."""

import numpy as np
import pytest

from snippets import image_processing as ip


def test_gaussian_kernel_is_normalised_and_symmetric():
    g = ip.gaussian_kernel(1.0)
    assert g.shape == (7, 7)
    assert np.isclose(g.sum(), 1.0)
    np.testing.assert_allclose(g, g.T)
    np.testing.assert_allclose(g, g[::-1, ::-1])


def test_sobel_hand_value_on_a_step():
    step = np.tile((np.arange(8) >= 4).astype(float), (8, 1))
    gx, gy = ip.sobel(step)
    np.testing.assert_allclose(gx[:, 3:5], 4.0)  # 1 + 2 + 1 across the step
    np.testing.assert_allclose(gy, 0.0)


def test_step_edge_gives_a_one_pixel_wide_line():
    img = np.tile((np.arange(20) >= 10).astype(float), (20, 1))
    out = ip.canny(img, sigma=1.0, low=0.1, high=0.3)
    edges = out["edges"]
    np.testing.assert_array_equal(edges.sum(axis=1), 1)  # one pixel per row
    assert set(np.nonzero(edges)[1]) <= {9, 10}  # at the step
    assert (out["magnitude"] > 0).sum(axis=1).min() > 2  # before NMS the ridge is wide


def test_nms_keeps_ridge_of_a_diagonal_edge_thin():
    y, x = np.mgrid[:24, :24]
    img = (x + y >= 24).astype(float)
    edges = ip.canny(img, sigma=1.0, low=0.1, high=0.3)["edges"]
    inner = edges[4:-4, 4:-4]
    # along each row the diagonal edge is at most 2 pixels wide (8-connected line)
    assert inner.sum(axis=1).max() <= 2
    assert inner.sum() > 0


def test_hysteresis_keeps_weak_pixels_connected_to_strong_only():
    nms = np.zeros((7, 9))
    nms[3, 1] = 1.0  # strong
    nms[3, 2:5] = 0.5  # weak chain touching it
    nms[4, 5] = 0.5  # weak, diagonal neighbour of the chain end
    nms[1, 8] = 0.5  # isolated weak pixel
    nms[6, 0] = 0.05  # below low
    edges = ip.hysteresis(nms, low=0.2, high=0.8)
    expected = np.zeros_like(edges)
    expected[3, 1:5] = True
    expected[4, 5] = True
    np.testing.assert_array_equal(edges, expected)


def test_hysteresis_without_strong_pixels_keeps_nothing():
    assert not ip.hysteresis(np.full((4, 4), 0.5), low=0.2, high=0.8).any()


@pytest.mark.parametrize(
    ("dilations", "strides", "expected"),
    [
        ([1, 1, 1], [1, 1, 1], [3, 5, 7]),
        ([1, 2, 4], [1, 1, 1], [3, 7, 15]),
        ([1, 1, 1], [2, 2, 1], [3, 7, 15]),  # strides multiply the later steps
    ],
)
def test_receptive_field_formula(dilations, strides, expected):
    assert ip.receptive_field([3, 3, 3], dilations, strides) == expected


@pytest.mark.parametrize("dilations", [[1, 1, 1], [1, 2, 4], [2, 2, 2], [1, 2, 3]])
def test_coverage_extent_matches_formula(dilations):
    cov = ip.coverage(dilations, size=33)
    rows = np.nonzero(cov.sum(axis=1))[0]
    assert rows.max() - rows.min() + 1 == ip.receptive_field([3] * 3, dilations, [1] * 3)[-1]
    assert np.isclose(cov.sum(), 9.0**3)  # every one of the 9^3 paths lands somewhere


def test_coverage_gridding_with_repeated_dilation():
    cov = ip.coverage([2, 2, 2], size=33)
    c = 16
    assert cov[c, c + 1] == 0  # odd offsets are never seen
    assert (cov[c - 6 : c + 7, c - 6 : c + 7] > 0).sum() == 7 * 7  # only the even grid
    dense = ip.coverage([1, 2, 4], size=33)
    assert (dense[c - 7 : c + 8, c - 7 : c + 8] > 0).all()  # 1, 2, 4 fills its 15 x 15
