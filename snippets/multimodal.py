"""Vision-language models: what an image costs in tokens (ViT patches,
LLaVA-NeXT's AnyRes tiling, pixel shuffle, Qwen2-VL's native resolution), the
connectors (MLP projector, learned-query resampler, Flamingo's gated
cross-attention), SigLIP's sigmoid loss, and the hallucination metrics and
decoding fix (POPE, CHAIR, visual contrastive decoding).

Shapes: an image is H x W pixels; a grid of patch features is (h, w, c); a
token sequence is (n, d). Attention is snippets/attention.py's, L2
normalisation snippets/contrastive.py's, precision and recall
snippets/metrics.py's, the min-p mask snippets/decoding.py's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from snippets.activations import gelu, sigmoid, softplus
from snippets.attention import attention_forward
from snippets.contrastive import l2_normalize, l2_normalize_backward
from snippets.decoding import min_p_filter
from snippets.metrics import precision_recall_fbeta

Array = NDArray[np.float64]


# --8<-- [start:patch_tokens]
def patch_tokens(height: int, width: int, patch: int) -> int:
    """Visual tokens from a ViT with patch x patch patches on a height x width
    image: (H / p)(W / p), one per patch (a [CLS] token is not passed on).

    CLIP ViT-L/14: 224 px -> 16 x 16 = 256 (LLaVA), 336 px -> 24 x 24 = 576
    (LLaVA-1.5).
    """
    if height % patch or width % patch:
        raise ValueError("the image sides must be multiples of the patch size")
    return (height // patch) * (width // patch)


# --8<-- [end:patch_tokens]


# --8<-- [start:anyres]
def select_resolution(
    size: tuple[int, int], candidates: Sequence[tuple[int, int]]
) -> tuple[int, int]:
    """LLaVA-NeXT's AnyRes choice of canvas (width, height) for an image of
    size (width, height).

    The image is scaled to fit inside each candidate without distortion. The
    winner keeps the most of the image's pixels, effective = min(scaled area,
    original area) (upscaling adds none), and on a tie wastes the least canvas,
    candidate area - effective; a full tie keeps the earlier candidate.
    """
    w, h = size
    best, best_key = candidates[0], (-1, 0)
    for cw, ch in candidates:
        scale = min(cw / w, ch / h)
        effective = min(int(w * scale) * int(h * scale), w * h)
        key = (effective, -(cw * ch - effective))
        if key > best_key:
            best, best_key = (cw, ch), key
    return best


def anyres_tokens(
    size: tuple[int, int],
    candidates: Sequence[tuple[int, int]],
    tile: int = 336,
    patch: int = 14,
) -> tuple[tuple[int, int], int]:
    """Grid (columns, rows) of tile x tile crops and the visual tokens for an
    image of size (width, height): every tile is encoded on its own, plus one
    overview of the whole image resized to a single tile, so

        tokens = (columns * rows + 1) * (tile / patch)^2.

    (LLaVA-NeXT then drops the tokens of padding and adds one newline token per
    row of features, which changes the count slightly.)
    """
    cw, ch = select_resolution(size, candidates)
    grid = (cw // tile, ch // tile)
    return grid, (grid[0] * grid[1] + 1) * patch_tokens(tile, tile, patch)


# --8<-- [end:anyres]


# --8<-- [start:pixel_shuffle]
def pixel_shuffle(x: Array, r: int) -> Array:
    """Merge every r x r block of a (h, w, c) feature grid into one token:
    (h, w, c) -> (h / r, w / r, c r^2), r^2 times fewer tokens, each r^2
    times wider (space-to-depth; PyTorch calls this direction pixel_unshuffle).

    out[i, j, (a r + b) c + k] = x[i r + a, j r + b, k]: a permutation, so
    nothing is lost (pixel_shuffle_inverse undoes it). InternVL 1.5 uses r = 2
    before its MLP projector: a 448-px tile, 32 x 32 patches, gives 256 tokens.
    """
    h, w, c = x.shape
    if h % r or w % r:
        raise ValueError("the grid sides must be multiples of r")
    blocks = x.reshape(h // r, r, w // r, r, c).transpose(0, 2, 1, 3, 4)
    return blocks.reshape(h // r, w // r, r * r * c)


def pixel_shuffle_inverse(y: Array, r: int) -> Array:
    """(h / r, w / r, c r^2) -> (h, w, c): pixel_shuffle undone."""
    hr, wr, crr = y.shape
    c = crr // (r * r)
    blocks = y.reshape(hr, wr, r, r, c).transpose(0, 2, 1, 3, 4)
    return blocks.reshape(hr * r, wr * r, c)


# --8<-- [end:pixel_shuffle]


# --8<-- [start:native_resolution]
def native_resize(
    height: int,
    width: int,
    patch: int = 14,
    merge: int = 2,
    min_pixels: int = 56 * 56,
    max_pixels: int = 28 * 28 * 1280,
) -> tuple[int, int]:
    """Qwen2-VL's resize (smart_resize in its processor): both sides rounded
    to a multiple of factor = patch * merge = 28; if the pixel count is then
    outside [min_pixels, max_pixels], the image is rescaled by one factor
    (aspect ratio kept) and the sides rounded down (too big) or up (too small).
    Returns (height, width) in pixels.
    """
    factor = patch * merge
    h_bar = max(factor, round(height / factor) * factor)
    w_bar = max(factor, round(width / factor) * factor)
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt(height * width / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


def native_tokens(height: int, width: int, patch: int = 14, merge: int = 2, **limits: int) -> int:
    """Visual tokens Qwen2-VL's LLM reads for a height x width image: the ViT
    makes one token per 14 x 14 patch of the resized image and an MLP merges
    each 2 x 2 group, so one token per 28 x 28 pixels (the <|vision_start|>
    and <|vision_end|> markers around them are not counted).
    """
    h, w = native_resize(height, width, patch, merge, **limits)
    return patch_tokens(h, w, patch) // (merge * merge)


# --8<-- [end:native_resolution]


# --8<-- [start:projector]
IGNORE_INDEX = -100  # the label PyTorch's cross-entropy skips


def mlp_projector(features: Array, w1: Array, b1: Array, w2: Array, b2: Array) -> Array:
    """LLaVA-1.5's connector: GELU(features w1 + b1) w2 + b2.

    features: (n, d_vision) patch features; w1: (d_vision, d_model),
    w2: (d_model, d_model). Returns n visual tokens (n, d_model), one per
    patch. LLaVA (v1) used one linear layer, features w + b.
    """
    return gelu(features @ w1 + b1) @ w2 + b2


def splice_image(
    text_emb: Array,
    text_ids: NDArray[np.int_],
    is_answer: NDArray[np.bool_],
    image_at: int,
    visual: Array,
) -> tuple[Array, NDArray[np.int_]]:
    """Input embeddings and labels of one visual-instruction-tuning example.

    text_emb: (n_t, d) embeddings of the text tokens, text_ids: (n_t,) their
    ids, is_answer: (n_t,) True on the assistant's answer; visual: (n_v, d)
    projector output, inserted before text position image_at (where the
    <image> placeholder stood). Returns embeddings (n_t + n_v, d) and labels
    (n_t + n_v,): the token id on answer tokens, IGNORE_INDEX on visual tokens,
    the system prompt and the question, so the loss covers the answer only.
    (Shifting labels by one for next-token prediction is the loss's job.)
    """
    emb = np.concatenate([text_emb[:image_at], visual, text_emb[image_at:]])
    labels = np.where(is_answer, text_ids, IGNORE_INDEX)
    skip = np.full(visual.shape[0], IGNORE_INDEX)
    return emb, np.concatenate([labels[:image_at], skip, labels[image_at:]])


# --8<-- [end:projector]


# --8<-- [start:resampler]
def resample(
    visual: Array, latents: Array, w_q: Array, w_k: Array, w_v: Array, w_o: Array
) -> Array:
    """One layer of learned-query pooling (Flamingo's Perceiver Resampler; a
    Q-Former's cross-attention is the same idea): m learned latents (m, d)
    attend to n visual tokens (n, d) and come back updated, (m, d).

    As in Flamingo, keys and values are the visual tokens concatenated with
    the latents. latents + attention(latents w_q, kv w_k, kv w_v) w_o, with
    w_* (d, d); the output has m tokens whatever n is. (Real resamplers stack
    several such layers with LayerNorms, heads and feed-forward blocks.)
    """
    kv = np.concatenate([visual, latents])
    out, _ = attention_forward(latents @ w_q, kv @ w_k, kv @ w_v)
    return latents + out @ w_o


# --8<-- [end:resampler]


# --8<-- [start:gated_xattn]
def gated_xattn_dense(
    h: Array,
    visual: Array,
    w_q: Array,
    w_k: Array,
    w_v: Array,
    w_o: Array,
    w1: Array,
    w2: Array,
    alpha_xattn: float,
    alpha_dense: float,
    mask: NDArray[np.bool_] | None = None,
) -> Array:
    """Flamingo's GATED XATTN-DENSE block, inserted before a frozen LM layer:

        h = h + tanh(alpha_xattn) * attention(q = h, kv = visual) w_o
        h = h + tanh(alpha_dense) * gelu(h w1) w2

    h: (n_t, d) text hidden states, visual: (n_v, d) visual tokens; w_q, w_k,
    w_v, w_o: (d, d), w1: (d, d_ff), w2: (d_ff, d). mask (n_t, n_v): True
    where a text token may see a visual token (Flamingo: only those of the
    image just before it; a row with none gets a zero update). Both alphas
    start at 0, so the block starts as the identity. (LayerNorms and heads
    omitted.)
    """
    attn, _ = attention_forward(h @ w_q, visual @ w_k, visual @ w_v, mask)
    h = h + np.tanh(alpha_xattn) * (attn @ w_o)
    return h + np.tanh(alpha_dense) * (gelu(h @ w1) @ w2)


# --8<-- [end:gated_xattn]


# --8<-- [start:siglip]
def siglip_loss(
    u: Array, v: Array, log_t: float, b: float, labels: Array | None = None
) -> tuple[float, Array, Array, float, float]:
    """SigLIP's pairwise sigmoid loss (Zhai et al., 2023), with gradients.

    u: (N, D) image embeddings, v: (M, D) text embeddings (L2-normalised
    here); logits[i, j] = t cos(u_i, v_j) + b with t = exp(log_t); labels
    z[i, j] = +1 for a matching pair, -1 otherwise (default 2I - 1: the
    diagonal of the batch). The loss is

        -(1/N) sum_ij log sigmoid(z_ij logits_ij) = (1/N) sum_ij softplus(-z_ij logits_ij),

    one binary classification per pair, with no normalisation over a row or a
    column. Returns loss, du (N, D), dv (M, D), dlog_t, db.
    """
    un, u_norm = l2_normalize(u)
    vn, v_norm = l2_normalize(v)
    n = u.shape[0]
    z = 2.0 * np.eye(n, v.shape[0]) - 1.0 if labels is None else labels
    t = math.exp(log_t)
    cos = un @ vn.T  # (N, M)
    logits = t * cos + b
    loss = float(np.sum(softplus(-z * logits)) / n)
    # d softplus(-z l) / dl = -z sigmoid(-z l): the pair's "error", at most 1 in size.
    dlogits = -z * sigmoid(-z * logits) / n
    du = l2_normalize_backward(t * dlogits @ vn, un, u_norm)
    dv = l2_normalize_backward(t * dlogits.T @ un, vn, v_norm)
    dlog_t = float(np.sum(dlogits * cos) * t)  # dt/dlog_t = t
    return loss, du, dv, dlog_t, float(np.sum(dlogits))


# --8<-- [end:siglip]


# --8<-- [start:hallucination_metrics]
def pope_metrics(answered_yes: NDArray[np.bool_], present: NDArray[np.bool_]) -> dict[str, float]:
    """POPE's five numbers from yes/no answers to "Is there a <object> in the
    image?"; answered_yes and present (the ground truth) are (N,).

    "Yes" is the positive class: precision is how often a "yes" is right,
    recall how many present objects get a "yes". The yes ratio is the share of
    "yes" answers; POPE asks about as many absent objects as present ones, so
    an unbiased model is near 0.5 and a model that agrees with everything
    near 1.
    """
    y_true, y_pred = present.astype(np.int_), answered_yes.astype(np.int_)
    precision, recall, f1 = precision_recall_fbeta(y_true, y_pred)
    return {
        "accuracy": float(np.mean(y_true == y_pred)),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "yes_ratio": float(np.mean(y_pred)),
    }


def chair(mentioned: Sequence[set[str]], present: Sequence[set[str]]) -> tuple[float, float]:
    """CHAIR (Rohrbach et al., 2018) over captions: mentioned[k] is the set of
    objects caption k names, present[k] those annotated in its image (both
    already mapped to the label set, e.g. COCO's 80 classes and synonyms).

    CHAIR_i = hallucinated objects / objects mentioned (per instance),
    CHAIR_s = captions with a hallucinated object / captions (per sentence).
    """
    fake = [m - p for m, p in zip(mentioned, present, strict=True)]
    n_mentioned = sum(len(m) for m in mentioned)
    chair_i = sum(len(f) for f in fake) / n_mentioned if n_mentioned else 0.0
    return chair_i, sum(bool(f) for f in fake) / len(fake)


# --8<-- [end:hallucination_metrics]


# --8<-- [start:vcd]
def visual_contrastive_logits(
    logits: Array, logits_distorted: Array, alpha: float = 1.0, beta: float = 0.1
) -> Array:
    """Visual contrastive decoding (Leng et al., 2023) for one step; (V,) each.

    logits: next-token logits given the real image, logits_distorted: given a
    noised copy that keeps the language prior but little of the image. Returns
    (1 + alpha) logits - alpha logits_distorted, restricted to the tokens the
    real image makes plausible, p >= beta * max p (the min-p rule); the rest
    get -inf. Tokens the model favours even without seeing the image lose.
    """
    contrast = (1.0 + alpha) * logits - alpha * logits_distorted
    return np.where(np.isfinite(min_p_filter(logits, beta)), contrast, -np.inf)


# --8<-- [end:vcd]
