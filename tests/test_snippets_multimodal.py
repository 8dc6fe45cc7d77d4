"""Vision-language models: token counts by hand, pixel shuffle and its inverse,
the gated block at alpha = 0, SigLIP against hand values and finite
differences, POPE / CHAIR by hand, visual contrastive decoding."""

import math

import numpy as np
import pytest

from snippets import multimodal as mm
from snippets.activations import gelu, softplus
from snippets.attention import attention_forward
from snippets.gradcheck import numerical_gradient

LLAVA_NEXT_GRIDS = [(336, 672), (672, 336), (672, 672), (1008, 336), (336, 1008)]


def test_patch_tokens():
    assert mm.patch_tokens(224, 224, 14) == 256  # LLaVA
    assert mm.patch_tokens(336, 336, 14) == 576  # LLaVA-1.5
    assert mm.patch_tokens(224, 224, 16) == 196  # ViT-B/16
    assert mm.patch_tokens(448, 448, 14) == 1024  # an InternVL tile before pixel shuffle
    with pytest.raises(ValueError):
        mm.patch_tokens(225, 224, 14)


def test_select_resolution_by_hand():
    # 1000 x 500 fits 672 x 336 at scale 0.672 (672 x 336 of its pixels kept); 672 x 672 and
    # 1008 x 336 keep the same 225,792 pixels but waste more canvas; 336 x 672 keeps 56,448.
    assert mm.select_resolution((1000, 500), LLAVA_NEXT_GRIDS) == (672, 336)
    assert mm.select_resolution((500, 1000), LLAVA_NEXT_GRIDS) == (336, 672)
    assert mm.select_resolution((2000, 2000), LLAVA_NEXT_GRIDS) == (672, 672)
    assert mm.select_resolution((800, 2400), LLAVA_NEXT_GRIDS) == (336, 1008)
    # Smaller than every canvas: all keep 300 * 300 (no credit for upscaling), so the least
    # waste wins, and of the two equal smallest canvases the first.
    assert mm.select_resolution((300, 300), LLAVA_NEXT_GRIDS) == (336, 672)
    assert mm.select_resolution((300, 300), [(672, 672), (336, 336)]) == (336, 336)


def test_anyres_tokens():
    assert mm.anyres_tokens((1000, 500), LLAVA_NEXT_GRIDS) == ((2, 1), 3 * 576)
    assert mm.anyres_tokens((2000, 2000), LLAVA_NEXT_GRIDS) == ((2, 2), 5 * 576)
    assert mm.anyres_tokens((800, 2400), LLAVA_NEXT_GRIDS) == ((1, 3), 4 * 576)
    assert mm.anyres_tokens((2000, 2000), [(448, 448)], tile=224, patch=14) == ((2, 2), 5 * 256)


def test_pixel_shuffle_by_hand():
    x = np.arange(16.0).reshape(4, 4, 1)
    y = mm.pixel_shuffle(x, 2)
    assert y.shape == (2, 2, 4)
    # Token (0, 0) holds the top-left 2 x 2 block in row-major order, and so on.
    np.testing.assert_array_equal(y[0, 0], [0, 1, 4, 5])
    np.testing.assert_array_equal(y[0, 1], [2, 3, 6, 7])
    np.testing.assert_array_equal(y[1, 0], [8, 9, 12, 13])
    np.testing.assert_array_equal(y[1, 1], [10, 11, 14, 15])
    # With channels: out[i, j, (a r + b) c + k] = x[i r + a, j r + b, k].
    x = np.random.default_rng(0).normal(size=(6, 9, 5))
    y = mm.pixel_shuffle(x, 3)
    i, j, a, b, k = 1, 2, 2, 1, 4
    assert y[i, j, (a * 3 + b) * 5 + k] == x[i * 3 + a, j * 3 + b, k]
    with pytest.raises(ValueError):
        mm.pixel_shuffle(np.zeros((5, 4, 1)), 2)


@pytest.mark.parametrize("shape,r", [((32, 32, 7), 2), ((6, 9, 5), 3), ((4, 8, 1), 4)])
def test_pixel_shuffle_inverse_undoes_it(shape, r):
    x = np.random.default_rng(1).normal(size=shape)
    y = mm.pixel_shuffle(x, r)
    assert y.shape == (shape[0] // r, shape[1] // r, shape[2] * r * r)
    np.testing.assert_array_equal(mm.pixel_shuffle_inverse(y, r), x)
    # A permutation: the same values, r^2 times fewer tokens.
    np.testing.assert_array_equal(np.sort(y, axis=None), np.sort(x, axis=None))


def test_native_resize_by_hand():
    assert mm.native_resize(224, 224) == (224, 224)
    assert mm.native_tokens(224, 224) == 64  # Qwen2-VL: 66 with the two markers
    # 1080 x 1920 rounds to 1092 x 1932 > 1280 * 28^2 pixels, so beta =
    # sqrt(1080 * 1920 / 1003520) = 1.4375 and the sides floor to 26 * 28 and 47 * 28.
    assert mm.native_resize(1080, 1920) == (26 * 28, 47 * 28)
    assert mm.native_tokens(1080, 1920) == 26 * 47
    # Too small: scaled up to at least 56 x 56 pixels.
    assert mm.native_resize(40, 40) == (56, 56)
    assert mm.native_resize(1000, 500) == (1008, 504)  # 36 x 18 tokens


def test_native_resize_respects_its_limits():
    rng = np.random.default_rng(2)
    for h, w in rng.integers(30, 4000, size=(200, 2)):
        rh, rw = mm.native_resize(int(h), int(w))
        assert rh % 28 == 0 and rw % 28 == 0
        assert 56 * 56 <= rh * rw <= 28 * 28 * 1280
        assert abs(math.log((rh / rw) / (h / w))) < 0.7  # aspect ratio roughly kept


def test_mlp_projector_and_splice():
    rng = np.random.default_rng(3)
    f = rng.normal(size=(5, 4))
    w1, b1, w2, b2 = (rng.normal(size=s) for s in [(4, 3), (3,), (3, 3), (3,)])
    out = mm.mlp_projector(f, w1, b1, w2, b2)
    hidden = f @ w1 + b1
    np.testing.assert_allclose(out, gelu(hidden) @ w2 + b2)
    assert out.shape == (5, 3)  # one visual token per patch
    text = rng.normal(size=(4, 3))
    emb, labels = mm.splice_image(
        text, np.array([7, 8, 9, 10]), np.array([False, False, True, True]), 2, out
    )
    np.testing.assert_array_equal(emb[:2], text[:2])
    np.testing.assert_array_equal(emb[2:7], out)
    np.testing.assert_array_equal(emb[7:], text[2:])
    assert labels.tolist() == [-100] * 7 + [9, 10]


def test_resample_has_a_fixed_size_and_ignores_token_order():
    rng = np.random.default_rng(4)
    d, m = 6, 3
    latents = rng.normal(size=(m, d))
    ws = [rng.normal(size=(d, d)) for _ in range(4)]
    visual = rng.normal(size=(50, d))
    out = mm.resample(visual, latents, *ws)
    assert out.shape == (m, d)
    assert mm.resample(rng.normal(size=(500, d)), latents, *ws).shape == (m, d)
    # Attention pools over keys, so shuffling the visual tokens changes nothing.
    np.testing.assert_allclose(mm.resample(visual[rng.permutation(50)], latents, *ws), out)
    # By hand: keys and values are [visual; latents].
    kv = np.concatenate([visual, latents])
    s = latents @ ws[0] @ (kv @ ws[1]).T / math.sqrt(d)
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(out, latents + p @ (kv @ ws[2]) @ ws[3])


def _gated_setup(seed: int = 5):
    rng = np.random.default_rng(seed)
    d = 4
    h, visual = rng.normal(size=(3, d)), rng.normal(size=(6, d))
    ws = [rng.normal(size=(d, d)) for _ in range(4)]
    w1, w2 = rng.normal(size=(d, 8)), rng.normal(size=(8, d))
    return h, visual, ws, w1, w2


def test_gated_block_is_the_identity_at_alpha_zero():
    h, visual, ws, w1, w2 = _gated_setup()
    np.testing.assert_array_equal(mm.gated_xattn_dense(h, visual, *ws, w1, w2, 0.0, 0.0), h)
    assert not np.allclose(mm.gated_xattn_dense(h, visual, *ws, w1, w2, 0.3, 0.0), h)


def test_gated_block_by_hand_with_mask():
    h, visual, (w_q, w_k, w_v, w_o), w1, w2 = _gated_setup()
    a_x, a_d = 0.4, -0.7
    # Text token 0 comes before any image; tokens 1, 2 see the image's 6 tokens.
    mask = np.array([[False] * 6, [True] * 6, [True] * 6])
    out = mm.gated_xattn_dense(h, visual, w_q, w_k, w_v, w_o, w1, w2, a_x, a_d, mask)
    attn, _ = attention_forward(h @ w_q, visual @ w_k, visual @ w_v, mask)
    assert np.all(attn[0] == 0.0)  # nothing to attend to: no update from the image
    mid = h + math.tanh(a_x) * attn @ w_o
    np.testing.assert_allclose(out, mid + math.tanh(a_d) * gelu(mid @ w1) @ w2)


def test_gated_block_gradients_at_alpha_zero():
    h, visual, (w_q, w_k, w_v, w_o), w1, w2 = _gated_setup()
    g = np.random.default_rng(6).normal(size=h.shape)

    def loss(a_x: float, a_d: float, wq: np.ndarray = w_q) -> float:
        out = mm.gated_xattn_dense(h, visual, wq, w_k, w_v, w_o, w1, w2, a_x, a_d)
        return float(np.sum(g * out))

    attn_out = attention_forward(h @ w_q, visual @ w_k, visual @ w_v)[0] @ w_o
    d_ax = numerical_gradient(lambda a: loss(a[0], 0.0), np.zeros(1))
    np.testing.assert_allclose(d_ax, [np.sum(g * attn_out)], rtol=1e-6)  # tanh'(0) = 1
    d_ad = numerical_gradient(lambda a: loss(0.0, a[0]), np.zeros(1))
    np.testing.assert_allclose(d_ad, [np.sum(g * (gelu(h @ w1) @ w2))], rtol=1e-6)
    assert np.all(numerical_gradient(lambda w: loss(0.0, 0.0, w), w_q.copy()) == 0.0)
    assert np.abs(numerical_gradient(lambda w: loss(0.5, 0.0, w), w_q.copy())).max() > 1e-3


def test_siglip_by_hand():
    # Orthonormal pairs: cos = I, so logits are t + b on the diagonal and b elsewhere;
    # loss = (1/N) [N softplus(-(t + b)) + N (N - 1) softplus(b)].
    n, t, b = 3, 10.0, -10.0
    loss, *_ = mm.siglip_loss(np.eye(n), 2.0 * np.eye(n), math.log(t), b)
    expected = float(softplus(np.array(-(t + b)))) + (n - 1) * float(softplus(np.array(b)))
    assert loss == pytest.approx(expected)
    assert loss == pytest.approx(math.log(2) + 2 * math.log1p(math.exp(-10)))


def test_siglip_gradients_match_finite_differences():
    rng = np.random.default_rng(7)
    u, v = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    z = np.where(rng.random((4, 5)) < 0.3, 1.0, -1.0)  # any labels, not only the diagonal
    log_t, b = math.log(5.0), -2.0
    _, du, dv, dlog_t, db = mm.siglip_loss(u, v, log_t, b, z)

    def f(uu=u, vv=v, lt=log_t, bb=b) -> float:
        return mm.siglip_loss(uu, vv, lt, bb, z)[0]

    np.testing.assert_allclose(
        du, numerical_gradient(lambda x: f(uu=x), u.copy()), rtol=1e-6, atol=1e-9
    )
    np.testing.assert_allclose(
        dv, numerical_gradient(lambda x: f(vv=x), v.copy()), rtol=1e-6, atol=1e-9
    )
    num_t = numerical_gradient(lambda x: f(lt=x[0]), np.array([log_t]))
    num_b = numerical_gradient(lambda x: f(bb=x[0]), np.array([b]))
    np.testing.assert_allclose([dlog_t, db], [num_t[0], num_b[0]], rtol=1e-6)


def test_siglip_decomposes_into_blocks_and_ignores_scale():
    rng = np.random.default_rng(8)
    u, v = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    log_t, b = math.log(10.0), -10.0
    full = mm.siglip_loss(u, v, log_t, b)[0]
    z = 2 * np.eye(6) - 1
    rows, cols = (slice(0, 2), slice(2, 6)), (slice(0, 3), slice(3, 6))
    parts = [
        (r.stop - r.start) / 6 * mm.siglip_loss(u[r], v[c], log_t, b, z[r, c])[0]
        for r in rows
        for c in cols
    ]
    assert sum(parts) == pytest.approx(full)
    assert mm.siglip_loss(3.0 * u, v, log_t, b)[0] == pytest.approx(full)  # cosines only


def test_pope_by_hand():
    present = np.array([True, True, True, False, False, False])
    answers = np.array([True, True, False, True, False, False])  # TP 2, FN 1, FP 1, TN 2
    m = mm.pope_metrics(answers, present)
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    assert m["yes_ratio"] == pytest.approx(3 / 6)
    always_yes = mm.pope_metrics(np.ones(6, dtype=bool), present)
    assert always_yes["recall"] == 1.0 and always_yes["precision"] == 0.5
    assert always_yes["accuracy"] == 0.5 and always_yes["yes_ratio"] == 1.0


def test_chair_by_hand():
    mentioned = [{"dog", "cat"}, {"car"}, {"fork", "knife", "cup"}, set()]
    present = [{"dog"}, {"car", "person"}, {"cup"}, {"tv"}]
    # Hallucinated: cat; fork and knife. 3 of 6 mentions; 2 of 4 captions.
    assert mm.chair(mentioned, present) == (3 / 6, 2 / 4)
    assert mm.chair([{"dog"}], [{"dog", "ball"}]) == (0.0, 0.0)


def test_visual_contrastive_logits():
    clean = np.log(np.array([0.55, 0.44, 0.01]))
    noised = np.log(np.array([0.80, 0.19, 0.01]))
    out = mm.visual_contrastive_logits(clean, noised, alpha=1.0, beta=0.1)
    np.testing.assert_allclose(out[:2], 2 * clean[:2] - noised[:2])
    assert out[2] == -np.inf  # 0.01 < 0.1 * 0.55: outside the plausible set
    # alpha = 0 leaves the clean logits (inside the plausible set) unchanged.
    np.testing.assert_allclose(mm.visual_contrastive_logits(clean, noised, 0.0, 0.1)[:2], clean[:2])
    # Without the plausibility limit, a token the noised image makes even less likely
    # would be boosted: 2 log(0.01) - log(1e-6) > 2 log(0.55) - log(0.8).
    sharp = np.log(np.array([0.8, 0.2 - 1e-6, 1e-6]))
    assert (2 * clean - sharp)[2] > (2 * clean - sharp)[0]
    assert mm.visual_contrastive_logits(clean, sharp)[2] == -np.inf
    # Log-probabilities or logits give the same distribution: a shift per input cancels.
    shifted = mm.visual_contrastive_logits(clean + 3.0, noised - 1.0)
    keep = np.isfinite(shifted)
    p = np.exp(shifted[keep] - shifted[keep].max())
    q = np.exp(out[keep] - out[keep].max())
    np.testing.assert_allclose(p / p.sum(), q / q.sum())
