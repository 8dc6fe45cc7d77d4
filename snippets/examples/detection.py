"""Examples for docs/*/cv/detection.md: IoU, NMS, average precision, open-set classifiers."""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray

from snippets.activations import softmax

Array = NDArray[np.float64]


# --8<-- [start:box_iou]
def box_iou(a: Array, b: Array) -> Array:
    """IoU between boxes a (N, 4) and b (M, 4) in (x1, y1, x2, y2) format -> (N, M)."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])  # top-left of the intersection
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])  # bottom-right of the intersection
    wh = np.clip(rb - lt, 0, None)  # no overlap -> width or height 0
    inter = wh[..., 0] * wh[..., 1]
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (area_a[:, None] + area_b[None, :] - inter)


# --8<-- [end:box_iou]
boxes = np.array([[0, 0, 2, 2], [1, 1, 3, 3], [0, 0, 2, 2.2], [5, 5, 6, 6]], dtype=float)
iou = box_iou(boxes, boxes)
assert np.isclose(iou[0, 1], 1 / 7)  # intersection 1, union 4 + 4 - 1
assert np.allclose(np.diag(iou), 1.0)
assert iou[0, 3] == 0.0
assert np.allclose(iou, iou.T)


# --8<-- [start:nms]
def nms(boxes: Array, scores: Array, iou_thr: float = 0.5) -> NDArray[np.int_]:
    """Greedy NMS for one class; returns the indices of kept boxes, best first."""
    order = np.argsort(-scores)
    keep = []
    while order.size > 0:
        i = order[0]
        keep.append(i)
        ious = box_iou(boxes[i : i + 1], boxes[order[1:]])[0]
        order = order[1:][ious <= iou_thr]  # drop the boxes that overlap the kept one
    return np.array(keep, dtype=int)


# --8<-- [end:nms]
scores = np.array([0.9, 0.8, 0.95, 0.3])
assert nms(boxes, scores).tolist() == [2, 1, 3]  # box 0 duplicates box 2 (IoU 0.91)
assert nms(boxes, scores, iou_thr=0.95).tolist() == [2, 0, 1, 3]


# --8<-- [start:average_precision]
def average_precision(recall: Array, precision: Array, mode: str = "all") -> float:
    """AP from a PR curve sampled at each detection (recall ascending).
    mode="all": area under the interpolated curve (VOC2010+);
    mode="11": mean interpolated precision at recall 0, 0.1, ..., 1 (VOC2007)."""
    r = np.concatenate([[0.0], recall, [1.0]])
    p = np.concatenate([[0.0], precision, [0.0]])
    p = np.maximum.accumulate(p[::-1])[::-1]  # p_interp(r) = max precision at recall >= r
    if mode == "11":
        points = np.linspace(0, 1, 11)
        return float(np.mean([p[np.searchsorted(r, t, side="left")] for t in points]))
    idx = np.where(r[1:] != r[:-1])[0]  # points where recall changes
    return float(np.sum((r[idx + 1] - r[idx]) * p[idx + 1]))


# The worked example: 4 ground-truth objects, detections TP, FP, TP, TP, FP.
tp = np.array([1, 0, 1, 1, 0])
recall, precision = np.cumsum(tp) / 4, np.cumsum(tp) / np.arange(1, 6)
print(average_precision(recall, precision), average_precision(recall, precision, "11"))
# 0.625 0.6136...
# --8<-- [end:average_precision]
assert np.isclose(average_precision(recall, precision), 0.625)
assert np.isclose(average_precision(recall, precision, "11"), (3 * 1 + 5 * 0.75) / 11)


# --8<-- [start:zero_shot]
def zero_shot_classify(image_emb: Array, text_emb: Array, logit_scale: float = 100.0) -> Array:
    """CLIP-style zero-shot: image_emb (M, D), text_emb (C, D) from prompts such as
    'a photo of a {class}'. Returns (M, C) probabilities over the C class names."""
    img = image_emb / np.linalg.norm(image_emb, axis=1, keepdims=True)
    txt = text_emb / np.linalg.norm(text_emb, axis=1, keepdims=True)
    logits = logit_scale * img @ txt.T  # scaled cosine similarity
    return softmax(logits, axis=1)  # snippets/activations.py


# --8<-- [end:zero_shot]
rng = np.random.default_rng(0)
text_emb = rng.normal(size=(3, 16))
image_emb = 5.0 * text_emb[[2, 0]] + 0.1 * rng.normal(size=(2, 16))  # images of classes 2, 0
probs = zero_shot_classify(image_emb, text_emb)
assert probs.argmax(axis=1).tolist() == [2, 0]
assert np.allclose(probs.sum(axis=1), 1.0)


# --8<-- [start:prototypes]
def prototype_predict(
    support: Array, support_labels: NDArray[np.int_], query: Array, n_classes: int
) -> Array:
    """Prototypical-network inference. support: (N, D) embeddings f(x) with labels in
    [0, n_classes); query: (M, D). Returns (M, n_classes) class probabilities."""
    protos = np.stack([support[support_labels == k].mean(axis=0) for k in range(n_classes)])
    logits = -((query[:, None, :] - protos[None, :, :]) ** 2).sum(-1)  # -squared Euclidean
    return softmax(logits, axis=1)  # snippets/activations.py


# --8<-- [end:prototypes]
centres = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
labels = np.repeat(np.arange(3), 5)  # a 3-way 5-shot episode
support = centres[labels] + 0.3 * rng.normal(size=(15, 2))
query = np.array([[4.5, 0.5], [0.2, 4.0], [0.1, -0.3]])
assert prototype_predict(support, labels, query, 3).argmax(axis=1).tolist() == [1, 2, 0]


# --8<-- [start:rpn_targets]
def rpn_labels(anchors: Array, gt: Array, pos_thr: float = 0.7, neg_thr: float = 0.3) -> Array:
    """Faster R-CNN RPN labels per anchor: 1 positive, 0 negative, -1 ignored."""
    iou = box_iou(anchors, gt)  # (A, G)
    best = iou.max(axis=1)
    labels = np.full(len(anchors), -1.0)
    labels[best < neg_thr] = 0
    labels[best >= pos_thr] = 1
    # every ground-truth box gets its best anchor(s), even below 0.7 (the second rule)
    labels[np.nonzero(iou == iou.max(axis=0, keepdims=True))[0]] = 1
    return labels


def sample_anchors(
    labels: Array, rng: np.random.Generator, batch: int = 256, pos_frac: float = 0.5
) -> Array:
    """Keep at most batch * pos_frac positives and fill the rest with negatives;
    unsampled anchors become -1 (no loss)."""
    out = labels.copy()
    pos, neg = np.nonzero(labels == 1)[0], np.nonzero(labels == 0)[0]
    n_pos = min(len(pos), int(batch * pos_frac))
    out[rng.permutation(pos)[n_pos:]] = -1
    out[rng.permutation(neg)[batch - n_pos :]] = -1
    return out


# --8<-- [end:rpn_targets]
rng = np.random.default_rng(0)
gt = np.array([[10.0, 10.0, 50.0, 50.0]])
anchors = np.array([[12, 12, 52, 52], [10, 10, 40, 40], [0, 0, 20, 20], [100, 100, 140, 140]])
assert rpn_labels(anchors.astype(float), gt).tolist() == [1, -1, 0, 0]  # IoU .82, .56, .05, 0
weak_gt = np.array([[10.0, 10.0, 30.0, 50.0]])  # best IoU only 0.55: kept by the second rule
assert rpn_labels(anchors.astype(float), weak_gt)[1] == 1
many = rng.permutation(np.r_[np.ones(40), np.zeros(2000), -np.ones(500)])
sampled = sample_anchors(many, rng)
assert (sampled == 1).sum() == 40 and (
    sampled == 0
).sum() == 216  # few positives: pad with negatives


# --8<-- [start:hungarian]
def match_cost(prob: Array, pred_boxes: Array, gt_cls: NDArray[np.int_], gt_boxes: Array) -> Array:
    """DETR matching cost (N_pred, N_gt): -p(class) + 5 * L1(box) (GIoU term left out).
    prob: (N, C+1) class probabilities; boxes: (., 4) normalised (cx, cy, w, h)."""
    l1 = np.abs(pred_boxes[:, None, :] - gt_boxes[None, :, :]).sum(-1)
    return -prob[:, gt_cls] + 5.0 * l1


def hungarian_brute_force(cost: Array) -> tuple[int, ...]:
    """Assignment of each ground truth (column) to a distinct prediction (row) with minimum
    total cost. Exhaustive, for a toy size; real code: scipy.optimize.linear_sum_assignment."""
    n_pred, n_gt = cost.shape
    perms = itertools.permutations(range(n_pred), n_gt)
    return min(perms, key=lambda p: sum(cost[p[j], j] for j in range(n_gt)))


prob = np.array(
    [[0.7, 0.1, 0.2], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1]]
)  # last = no-object
pred = np.array(
    [[0.3, 0.3, 0.2, 0.2], [0.31, 0.3, 0.2, 0.2], [0.5, 0.5, 0.5, 0.5], [0.7, 0.7, 0.1, 0.1]]
)
gt_cls, gt_box = np.array([0, 1]), np.array([[0.3, 0.3, 0.2, 0.2], [0.7, 0.7, 0.1, 0.1]])
assignment = hungarian_brute_force(match_cost(prob, pred, gt_cls, gt_box))
print(assignment)  # (0, 3): prediction 1, a near-duplicate of 0, is matched to no-object
# --8<-- [end:hungarian]
assert assignment == (0, 3)
