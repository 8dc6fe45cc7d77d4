"""Examples for docs/*/llm/multimodal.md."""

from __future__ import annotations

import math

import numpy as np

from snippets import multimodal as mm
from snippets.activations import sigmoid
from snippets.attention import attention_forward
from snippets.decoding import softmax
from snippets.gradcheck import numerical_gradient

# --8<-- [start:projector]
rng = np.random.default_rng(0)
d_vision, d_model = 8, 6  # toy widths (LLaVA-1.5-7B: 1024 and 4096)
features = rng.normal(size=(4, d_vision))  # 4 patch features from the vision encoder
w1, b1 = rng.normal(size=(d_vision, d_model)), np.zeros(d_model)
w2, b2 = rng.normal(size=(d_model, d_model)), np.zeros(d_model)
visual = mm.mlp_projector(features, w1, b1, w2, b2)  # (4, d_model): one token per patch
# "USER: <image> What is it? ASSISTANT: A cat": 6 text tokens, the image goes in at position 1
text_ids = np.array([11, 12, 13, 14, 15, 16])
is_answer = np.array([False, False, False, False, True, True])
emb, labels = mm.splice_image(rng.normal(size=(6, d_model)), text_ids, is_answer, 1, visual)
print(emb.shape, labels)
# (10, 6) [-100 -100 -100 -100 -100 -100 -100 -100   15   16]   loss on the answer only
print(f"{1024 * 4096 + 4096 + 4096 * 4096 + 4096:,}")  # LLaVA-1.5-7B's projector: 20,979,712
# --8<-- [end:projector]
assert emb.shape == (10, d_model) and np.array_equal(emb[1:5], visual)
assert labels.tolist() == [-100] * 8 + [15, 16]

# --8<-- [start:tokens]
print(mm.patch_tokens(224, 224, 14), mm.patch_tokens(336, 336, 14))  # 256 576
grids = [(336, 672), (672, 336), (672, 672), (1008, 336), (336, 1008)]  # LLaVA-NeXT's
for size in [(1000, 500), (2000, 2000), (800, 2400), (300, 300)]:  # (width, height)
    print(size, *mm.anyres_tokens(size, grids))
# (1000, 500) (2, 1) 1728      2 tiles + overview = 3 * 576
# (2000, 2000) (2, 2) 2880     4 tiles + overview = 5 * 576
# (800, 2400) (1, 3) 2304
# (300, 300) (1, 2) 1728       small images are not upscaled: ties go to the smallest canvas
print(mm.pixel_shuffle(np.zeros((32, 32, 1024)), 2).shape)  # (16, 16, 4096): 1024 -> 256 tokens
print(mm.native_tokens(224, 224), mm.native_tokens(1080, 1920))  # 64 1222
# --8<-- [end:tokens]
assert [mm.anyres_tokens(s, grids)[1] for s in [(1000, 500), (2000, 2000)]] == [1728, 2880]
assert mm.native_tokens(224, 224) == 64 and mm.native_resize(1080, 1920) == (728, 1316)

# --8<-- [start:resampler]
rng = np.random.default_rng(1)
d, m = 8, 64
latents = rng.normal(size=(m, d))  # learned queries (Flamingo: 64)
w_q, w_k, w_v, w_o = (rng.normal(size=(d, d)) / math.sqrt(d) for _ in range(4))
for n in (576, 2880):  # one 336-px image, or AnyRes with 2 x 2 tiles
    print(n, mm.resample(rng.normal(size=(n, d)), latents, w_q, w_k, w_v, w_o).shape)
# 576 (64, 8)
# 2880 (64, 8)     the LLM's cost per image no longer depends on the resolution
# --8<-- [end:resampler]
assert mm.resample(rng.normal(size=(5, d)), latents, w_q, w_k, w_v, w_o).shape == (m, d)

# --8<-- [start:gate]
rng = np.random.default_rng(2)
h = rng.normal(size=(5, d))  # text hidden states
vis = rng.normal(size=(64, d))  # visual tokens from the resampler
w1, w2 = rng.normal(size=(d, 4 * d)), rng.normal(size=(4 * d, d))


def block(a_x: float, wq: np.ndarray = w_q) -> np.ndarray:
    return mm.gated_xattn_dense(h, vis, wq, w_k, w_v, w_o, w1, w2, a_x, 0.0)


print(np.array_equal(block(0.0), h))  # True: at initialisation the frozen LM is untouched
g = rng.normal(size=h.shape)  # upstream gradient, L = sum(g * out)
d_alpha = numerical_gradient(lambda a: float(np.sum(g * block(a[0]))), np.zeros(1))
d_wq = numerical_gradient(lambda w: float(np.sum(g * block(0.0, w))), w_q.copy())
print(round(float(d_alpha[0]), 3), np.abs(d_wq).max())  # 0.087 0.0
# the gate gets a gradient at alpha = 0; the weights inside start once alpha has moved
# --8<-- [end:gate]
assert np.array_equal(block(0.0), h) and not np.allclose(block(0.5), h)
# d tanh(alpha) / d alpha = 1 at 0, so dL/dalpha is sum(g * the cross-attention's output)
attn_out = attention_forward(h @ w_q, vis @ w_k, vis @ w_v)[0] @ w_o
assert math.isclose(d_alpha[0], np.sum(g * attn_out), rel_tol=1e-6) and np.abs(d_wq).max() == 0.0

# --8<-- [start:siglip]
rng = np.random.default_rng(0)
u = rng.normal(size=(4, 16))  # image embeddings
v = u + 0.3 * rng.normal(size=(4, 16))  # text embeddings: row i matches image i
un, vn = (x / np.linalg.norm(x, axis=1, keepdims=True) for x in (u, v))
cos = un @ vn.T
print(sigmoid(10 * cos - 10).diagonal().round(2))  # SigLIP's start: t = 10, b = -10
# [0.34 0.31 0.4  0.43]    and < 0.001 off the diagonal: every pair starts as "no match"
p = sigmoid(20 * cos - 5)  # later in training, t and b have moved
print(p.round(2), p.sum(axis=1).round(2), sep="\n")
# [[1.   0.68 0.   0.  ]   each pair is its own yes/no: the hard negative (0, 1)
#  [0.37 1.   0.   0.02]   gets 0.68 without taking anything from the positive
#  [0.   0.   1.   0.  ]
#  [0.   0.01 0.01 1.  ]]
# [1.68 1.39 1.01 1.02]    rows need not sum to 1 (a softmax row would)
z = 2 * np.eye(4) - 1
full = mm.siglip_loss(u, v, math.log(20), -5.0)[0]
halves = (slice(0, 2), slice(2, 4))  # two devices, two images and two texts each
chunks = [
    mm.siglip_loss(u[r], v[c], math.log(20), -5.0, z[r, c])[0] for r in halves for c in halves
]
print(round(full, 4), round(sum(chunks) / 2, 4))  # 0.4099 0.4099: block by block, same loss
# --8<-- [end:siglip]
assert math.isclose(full, sum(chunks) / 2)
assert np.all(sigmoid(10 * cos - 10)[~np.eye(4, dtype=bool)] < 0.001)

# --8<-- [start:pope]
present = np.array([True, True, True, False, False, False] * 100)  # 3 present, 3 absent
agreeable = np.array([True, True, True, True, True, False] * 100)
cautious = np.array([True, True, False, False, False, False] * 100)
for answers in (agreeable, cautious):
    print({k: round(x, 3) for k, x in mm.pope_metrics(answers, present).items()})
# {'accuracy': 0.667, 'precision': 0.6, 'recall': 1.0, 'f1': 0.75, 'yes_ratio': 0.833}
# {'accuracy': 0.833, 'precision': 1.0, 'recall': 0.667, 'f1': 0.8, 'yes_ratio': 0.333}
mentioned = [{"dog", "frisbee"}, {"person", "car", "fork"}, {"cat"}]
annotated = [{"dog", "frisbee", "person"}, {"person", "car"}, {"cat", "sofa"}]
print([round(x, 3) for x in mm.chair(mentioned, annotated)])  # [0.167, 0.333]: 1 fork in 6
# --8<-- [end:pope]
assert mm.pope_metrics(agreeable, present)["yes_ratio"] == 5 / 6
assert mm.chair(mentioned, annotated) == (1 / 6, 1 / 3)

# --8<-- [start:vcd]
# "Is there a fork in the image?" over the tokens ["yes", "no", "maybe"]; there is none,
# but forks go with dining tables, and the language prior says yes.
clean = np.log([0.55, 0.44, 0.01])  # with the image: a weak yes
noised = np.log([0.80, 0.19, 0.01])  # with a noised image: the prior alone, a strong yes
print(softmax(mm.visual_contrastive_logits(clean, noised)).round(3))  # [0.271 0.729 0.   ]
# 2 log p - log p': "yes" owes more to the prior than to the image, so "no" wins;
# "maybe" (p = 0.01 < 0.1 * 0.55) is outside the plausible set and stays at 0
# --8<-- [end:vcd]
assert np.allclose(
    softmax(mm.visual_contrastive_logits(clean, noised))[:2], [0.2707, 0.7293], atol=1e-4
)
