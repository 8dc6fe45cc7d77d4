"""Ranking models and metrics: hand-computed values, definitions, gradients."""

import itertools
import math

import numpy as np

from snippets import ranking as rk
from snippets.gradcheck import numerical_gradient, numerical_gradient_array


def test_fm_interaction_matches_pairwise_definition():
    rng = np.random.default_rng(0)
    X, V = rng.normal(size=(3, 6)), rng.normal(size=(6, 4))
    brute = [
        sum(V[i] @ V[j] * x[i] * x[j] for i, j in itertools.combinations(range(6), 2)) for x in X
    ]
    np.testing.assert_allclose(rk.fm_interaction(X, V), brute)


def test_fm_interaction_hand_value():
    # two active one-hot features with v = (1, 2) and (3, -1): <v1, v2> = 3 - 2 = 1
    X = np.array([[1.0, 1.0, 0.0]])
    V = np.array([[1.0, 2.0], [3.0, -1.0], [5.0, 5.0]])
    np.testing.assert_allclose(rk.fm_interaction(X, V), [1.0])


def test_cross_layer_hand_value():
    x0 = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0], [1.0, 1.0]])
    b = np.array([0.5, 0.0])
    # W x0 + b = (1.5, 3); x0 * that = (1.5, 6); + x0 = (2.5, 8)
    np.testing.assert_allclose(rk.cross_layer(x0, x0, W, b), [[2.5, 8.0]])


def test_cross_layer_zero_weights_is_identity():
    rng = np.random.default_rng(1)
    x0, xl = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    np.testing.assert_allclose(rk.cross_layer(x0, xl, np.zeros((3, 3)), np.zeros(3)), xl)


def test_cross_layer_backward_against_finite_differences():
    rng = np.random.default_rng(2)
    x0, xl = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    W, b = rng.normal(size=(3, 3)), rng.normal(size=3)
    dout = rng.normal(size=(4, 3))
    dx0, dxl, dW, db = rk.cross_layer_backward(dout, x0, xl, W, b)
    f = rk.cross_layer
    np.testing.assert_allclose(dx0, numerical_gradient_array(lambda z: f(z, xl, W, b), x0, dout))
    np.testing.assert_allclose(dxl, numerical_gradient_array(lambda z: f(x0, z, W, b), xl, dout))
    np.testing.assert_allclose(dW, numerical_gradient_array(lambda z: f(x0, xl, z, b), W, dout))
    np.testing.assert_allclose(db, numerical_gradient_array(lambda z: f(x0, xl, W, z), b, dout))


def test_din_attention_masks_padding_and_is_not_normalised():
    d, h = 2, 3
    W1 = np.zeros((4 * d, h))
    W1[6, 0] = 1.0  # hidden_0 = relu(e_t[0] * v_a[0]): dot-product-like match on dim 0
    w2, b1 = np.array([1.0, 0.0, 0.0]), np.zeros(h)
    query = np.array([[2.0, 0.0]])
    keys = np.array([[[1.0, 5.0], [3.0, -1.0], [9.0, 9.0]]])
    mask = np.array([[1.0, 1.0, 0.0]])  # the third behaviour is padding
    interest, a = rk.din_attention(query, keys, mask, W1, b1, w2, 0.0)
    np.testing.assert_allclose(a, [[2.0, 6.0, 0.0]])  # sums to 8, not 1
    np.testing.assert_allclose(interest, [[2 * 1 + 6 * 3, 2 * 5 + 6 * -1]])


def test_mmoe_gates_are_distributions_and_single_expert_is_shared_bottom():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 4))
    We, be, Wg = rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 2)), rng.normal(size=(2, 4, 3))
    towers, gates = rk.mmoe_forward(x, We, be, Wg)
    assert towers.shape == (2, 5, 2)
    np.testing.assert_allclose(gates.sum(-1), 1.0)
    towers1, gates1 = rk.mmoe_forward(x, We[:1], be[:1], Wg[:, :, :1])
    np.testing.assert_allclose(gates1, 1.0)
    np.testing.assert_allclose(towers1[0], towers1[1])  # one expert: both tasks share it


def test_esmm_loss_hand_value():
    # logits 0 -> pCTR = pCVR = 0.5, pCTCVR = 0.25
    z = np.zeros(2)
    click, conv = np.array([1.0, 0.0]), np.array([1.0, 0.0])
    expected = math.log(2) + 0.5 * (-math.log(0.25) - math.log(0.75))
    assert math.isclose(rk.esmm_loss(z, z, click, conv), expected)


def test_esmm_gradient_reaches_cvr_from_unclicked_impressions():
    # the CVR logit of an unclicked impression still gets gradient via pCTCVR
    f = lambda c: rk.esmm_loss(np.zeros(1), c, np.zeros(1), np.zeros(1))  # noqa: E731
    g = numerical_gradient(f, np.zeros(1))
    assert g[0] > 0  # pushes pCVR down a little: p(click and convert) should be small


def test_gauc_hand_value_and_difference_from_auc():
    user = np.array([0, 0, 0, 1, 1, 2, 2])
    y = np.array([1, 0, 0, 1, 0, 1, 1])
    s = np.array([0.9, 0.95, 0.1, 0.3, 0.2, 0.5, 0.6])
    # user 0: pos 0.9 beats 0.1, loses to 0.95 -> AUC 1/2, 3 impressions
    # user 1: AUC 1, 2 impressions; user 2: all positive, skipped
    assert math.isclose(rk.gauc(user, y, s), (3 * 0.5 + 2 * 1.0) / 5)


def test_recall_ndcg_mrr_hand_values():
    ranked = np.array([7, 3, 5, 1, 9])
    assert rk.recall_at_k(ranked, {3, 9, 4}, 3) == 1 / 3
    rel = np.array([0, 1, 0, 1])  # hits at positions 2 and 4
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    idcg = 1 + 1 / math.log2(3)
    assert math.isclose(rk.ndcg_at_k(rel, 4), dcg / idcg)
    assert math.isclose(rk.ndcg_at_k(np.array([1, 1, 0, 0]), 4), 1.0)
    assert rk.ndcg_at_k(np.zeros(3), 3) == 0.0
    assert math.isclose(rk.dcg_at_k(np.array([3, 2]), 2), 7 + 3 / math.log2(3))
    assert math.isclose(rk.mrr(np.array([1, 2, 0, 4])), (1 + 0.5 + 0 + 0.25) / 4)


def test_sampled_softmax_logq_uniform_is_constant_and_hand_value():
    u = np.array([[1.0, 0.0]])
    v_pos = np.array([[1.0, 0.0]])
    v_neg = np.array([[0.0, 1.0], [-1.0, 0.0]])
    lq = np.log(np.full(1, 0.1)), np.log(np.full(2, 0.1))
    base = rk.sampled_softmax_loss(u, v_pos, v_neg, *lq)
    # logits (1, 0, -1) after a common shift
    assert math.isclose(base, -math.log(math.e / (math.e + 1 + math.exp(-1))))
    # a popular negative (large q) is down-weighted, so the loss falls
    popular = rk.sampled_softmax_loss(u, v_pos, v_neg, lq[0], np.log(np.array([0.5, 0.1])))
    assert popular < base
