"""Examples for docs/*/nlp.md: TF-IDF, skip-gram negative sampling, subword n-grams, CRF, BIO,
rule-based time and number entities, scheduled sampling."""

from __future__ import annotations

import itertools
import re

import numpy as np
from numpy.typing import NDArray

from snippets.activations import sigmoid, softplus
from snippets.gradcheck import numerical_gradient

Array = NDArray[np.float64]
IntArray = NDArray[np.int_]


# --8<-- [start:tfidf]
def tfidf(counts: Array, smooth: bool = True, sublinear: bool = False) -> Array:
    """counts: (n_docs, n_terms) raw term counts -> L2-normalised TF-IDF rows."""
    counts = np.asarray(counts, dtype=float)
    n_docs = counts.shape[0]
    df = (counts > 0).sum(axis=0)
    # smooth: as if one extra document contained every term once
    idf = np.log((1 + n_docs) / (1 + df)) + 1 if smooth else np.log(n_docs / df) + 1
    tf = np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0.0) if sublinear else counts
    x = tf * idf
    return x / np.linalg.norm(x, axis=1, keepdims=True)


docs = ["the cat sat on the mat", "the dog sat on the log", "the cat chased the dog"]
vocab = sorted({w for d in docs for w in d.split()})
counts = np.array([[d.split().count(w) for w in vocab] for d in docs])
X = tfidf(counts)
for w, v in sorted(zip(vocab, X[0], strict=True), key=lambda p: -p[1])[:3]:
    print(w, round(float(v), 2))  # the 0.58 / mat 0.49 / cat 0.37
print((X @ X.T).round(2))  # cosine similarities between documents
# --8<-- [end:tfidf]
top3 = sorted(zip(vocab, X[0], strict=True), key=lambda p: -p[1])[:3]
assert [(w, round(float(v), 2)) for w, v in top3] == [("the", 0.58), ("mat", 0.49), ("cat", 0.37)]
assert np.allclose(np.diag(X @ X.T), 1.0)


# --8<-- [start:sgns]
def sgns_loss_grads(v_c: Array, u_o: Array, u_neg: Array) -> tuple[float, Array, Array, Array]:
    """v_c: (d,) centre vector; u_o: (d,) true context vector; u_neg: (K, d) negatives."""
    # sigmoid and softplus from snippets/activations.py: stable for any |x|.
    # -log sigma(x) = softplus(-x) and -log(1 - sigma(x)) = softplus(x), so no log(0).
    s_pos = sigmoid(u_o @ v_c)  # sigma(u_o . v_c)
    s_neg = sigmoid(u_neg @ v_c)  # sigma(u_k . v_c), shape (K,)
    loss = float(softplus(-(u_o @ v_c)) + softplus(u_neg @ v_c).sum())
    grad_v_c = (s_pos - 1.0) * u_o + s_neg @ u_neg
    grad_u_o = (s_pos - 1.0) * v_c
    grad_u_neg = np.outer(s_neg, v_c)
    return loss, grad_v_c, grad_u_o, grad_u_neg


def noise_distribution(word_counts: list[int], power: float = 0.75) -> Array:
    p = np.asarray(word_counts, dtype=float) ** power
    return p / p.sum()


rng = np.random.default_rng(0)
p_n = noise_distribution([1000, 100, 10, 1])
negatives = rng.choice(len(p_n), size=5, p=p_n)  # K = 5 negative word ids
# --8<-- [end:sgns]
assert p_n[3] / p_n[0] > 1 / 1000  # the 3/4 power raises rare words' share
assert np.isclose(p_n.sum(), 1.0)
assert negatives.shape == (5,)
d = 4
v_c, u_o, u_neg = rng.normal(size=d), rng.normal(size=d), rng.normal(size=(5, d))
loss, g_v, g_o, g_neg = sgns_loss_grads(v_c, u_o, u_neg)
for x, g in [(v_c, g_v), (u_o, g_o), (u_neg, g_neg)]:
    assert np.allclose(g, numerical_gradient(lambda _: sgns_loss_grads(v_c, u_o, u_neg)[0], x))
assert np.isfinite(sgns_loss_grads(100 * v_c, -100 * u_o, u_neg)[0])  # no log(0) = -inf


# --8<-- [start:char_ngrams]
def char_ngrams(word: str, n_min: int = 3, n_max: int = 6) -> list[str]:
    w = f"<{word}>"
    return [w[i : i + n] for n in range(n_min, n_max + 1) for i in range(len(w) - n + 1)]


print(char_ngrams("apple", 3, 3))  # ['<ap', 'app', 'ppl', 'ple', 'le>']
# --8<-- [end:char_ngrams]
assert char_ngrams("apple", 3, 3) == ["<ap", "app", "ppl", "ple", "le>"]
assert len(char_ngrams("apple")) == 5 + 4 + 3 + 2  # n = 3..6 over "<apple>"


# --8<-- [start:crf]
def logsumexp(a: Array, axis: int = 0) -> Array:
    m = a.max(axis=axis, keepdims=True)
    return np.squeeze(m, axis) + np.log(np.exp(a - m).sum(axis=axis))


def crf_score(P: Array, tags: IntArray, A: Array, start: Array, end: Array) -> float:
    """P: (n, K) emission scores, A: (K, K) transitions, start/end: (K,)."""
    n = len(tags)
    emit = P[np.arange(n), tags].sum()
    trans = A[tags[:-1], tags[1:]].sum()
    return float(start[tags[0]] + emit + trans + end[tags[-1]])


def crf_log_partition(P: Array, A: Array, start: Array, end: Array) -> float:
    """log Z by the forward algorithm, O(n K^2)."""
    alpha = start + P[0]
    for p in P[1:]:
        alpha = logsumexp(alpha[:, None] + A, axis=0) + p
    return float(logsumexp(alpha + end, axis=0))


def crf_nll(P: Array, tags: IntArray, A: Array, start: Array, end: Array) -> float:
    return crf_log_partition(P, A, start, end) - crf_score(P, tags, A, start, end)


def viterbi(P: Array, A: Array, start: Array, end: Array) -> tuple[list[int], float]:
    delta = start + P[0]
    backptrs = []
    for p in P[1:]:
        cand = delta[:, None] + A  # cand[j, k]: best path ending in j, then j -> k
        backptrs.append(cand.argmax(axis=0))
        delta = cand.max(axis=0) + p
    delta = delta + end
    path = [int(delta.argmax())]
    for bp in reversed(backptrs):
        path.append(int(bp[path[-1]]))
    return path[::-1], float(delta.max())


# --8<-- [end:crf]
rng = np.random.default_rng(0)
n, K = 4, 3
P, A, start, end = (
    rng.normal(size=(n, K)),
    rng.normal(size=(K, K)),
    rng.normal(size=K),
    rng.normal(size=K),
)
paths = [np.array(t) for t in itertools.product(range(K), repeat=n)]  # all K^n tag sequences
scores = np.array([crf_score(P, t, A, start, end) for t in paths])
assert np.isclose(crf_log_partition(P, A, start, end), np.log(np.exp(scores).sum()))
best_path, best_score = viterbi(P, A, start, end)
assert best_path == paths[int(scores.argmax())].tolist()
assert np.isclose(best_score, scores.max())
assert np.isclose(sum(np.exp(-crf_nll(P, t, A, start, end)) for t in paths), 1.0)


# --8<-- [start:bio]
Span = tuple[int, int, str]


def spans_to_bio(n: int, spans: list[Span]) -> list[str]:
    """spans: list of (start, end_exclusive, type) -> BIO tags for n tokens."""
    tags = ["O"] * n
    for s, e, t in spans:
        tags[s] = f"B-{t}"
        for i in range(s + 1, e):
            tags[i] = f"I-{t}"
    return tags


def mention_replace(
    tokens: list[str], spans: list[Span], k: int, new_mention: list[str]
) -> tuple[list[str], list[str]]:
    """Replace the k-th entity by new_mention (same type) and re-derive the tags."""
    s, e, t = spans[k]
    shift = len(new_mention) - (e - s)
    tokens = tokens[:s] + new_mention + tokens[e:]
    spans = [(a + shift, b + shift, ty) if a >= e else (a, b, ty) for a, b, ty in spans]
    spans[k] = (s, s + len(new_mention), t)
    return tokens, spans_to_bio(len(tokens), spans)


tokens = list("张伟在北京大学读书")
spans = [(0, 2, "PER"), (3, 7, "ORG")]
new_tokens, tags = mention_replace(tokens, spans, 0, list("欧阳明"))
print(list(zip(new_tokens, tags, strict=True)))  # 欧/B-PER 阳/I-PER 明/I-PER 在/O 北/B-ORG ...
# --8<-- [end:bio]
assert "".join(new_tokens) == "欧阳明在北京大学读书"
assert tags == ["B-PER", "I-PER", "I-PER", "O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "O"]


# --8<-- [start:rule_ner]
CN_DIGIT = "零〇一二两三四五六七八九十百千万"
NUM = rf"(?:\d+(?:\.\d+)?|[{CN_DIGIT}]+(?:点[{CN_DIGIT}]+)?)"
RULES = [  # (type, pattern), earlier rules win ties at the same start
    (
        "DATE",
        rf"\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|(?:{NUM}年)?{NUM}月{NUM}[日号]|{NUM}年|[今明昨前后]天",
    ),
    (
        "TIME",
        rf"(?:凌晨|早上|上午|中午|下午|晚上)?{NUM}[点时](?:{NUM}分|半|一刻)?|\d{{1,2}}[:\uff1a]\d{{2}}",
    ),
    ("PERCENT", rf"百分之{NUM}|{NUM}\s?[%\uff05]"),
    ("MONEY", rf"[¥￥$]\s?\d[\d,]*(?:\.\d+)?|{NUM}(?:万|亿)?(?:元|块|美元|人民币)"),
]


def extract_entities(text: str) -> list[tuple[str, str]]:
    """Leftmost-longest matching over all rules; overlapping shorter matches are dropped."""
    cands = [
        (m.start(), -len(m.group()), k, t, m.group())
        for k, (t, pat) in enumerate(RULES)
        for m in re.finditer(pat, text)
    ]
    out, end = [], 0
    for start, neg_len, _, typ, span in sorted(cands):
        if start >= end:  # does not overlap an entity already taken
            out.append((typ, span))
            end = start - neg_len
    return out


text = "2024年3月15日下午3点半，公司称营收增长12.5%，达到3.2亿元，利润率提高了百分之二。"  # noqa: RUF001
print(extract_entities(text))
# [('DATE', '2024年3月15日'), ('TIME', '下午3点半'), ('PERCENT', '12.5%'),
#  ('MONEY', '3.2亿元'), ('PERCENT', '百分之二')]
# --8<-- [end:rule_ner]
assert extract_entities(text) == [
    ("DATE", "2024年3月15日"),
    ("TIME", "下午3点半"),
    ("PERCENT", "12.5%"),
    ("MONEY", "3.2亿元"),
    ("PERCENT", "百分之二"),
]
assert extract_entities("会议定在2025-06-01 14:30，门票￥1,200") == [  # noqa: RUF001
    ("DATE", "2025-06-01"),
    ("TIME", "14:30"),
    ("MONEY", "￥1,200"),
]
assert extract_entities("他三点钟到") == [("TIME", "三点")]  # recall is easy to get...
assert extract_entities("一点也不难") == [("TIME", "一点")]  # ...precision is not: a false hit


# --8<-- [start:scheduled_sampling]
def teacher_forcing_prob(step: int, k: float = 1000.0) -> float:
    """Inverse-sigmoid decay (Bengio et al. 2015): eps_i = k / (k + exp(i / k)), the
    probability of feeding the ground-truth token instead of the model's own sample."""
    return float(k / (k + np.exp(step / k)))


print([round(teacher_forcing_prob(i), 3) for i in (0, 5000, 7000, 10000)])
# [0.999, 0.871, 0.477, 0.043]: from pure teacher forcing towards free running
# --8<-- [end:scheduled_sampling]
assert [round(teacher_forcing_prob(i), 3) for i in (0, 5000, 7000, 10000)] == [
    0.999,
    0.871,
    0.477,
    0.043,
]
