"""Decoding from a language model, and the metrics used to evaluate it.

Everything works on one next-token distribution at a time: `logits` is a
vector of shape (V,) over the vocabulary. Filters (top-k, top-p, min-p) return
logits with the removed tokens set to -inf, so they compose and a final
softmax renormalises over the survivors. A "model" in beam search is any
function from a prefix (a tuple of token ids) to log-probabilities (V,).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray


# --8<-- [start:softmax]
def softmax(logits: NDArray[np.float64], temperature: float = 1.0) -> NDArray[np.float64]:
    """p_i = exp(z_i / T) / sum_j exp(z_j / T) over the last axis; any shape.

    T < 1 sharpens the distribution (T -> 0 is greedy), T > 1 flattens it
    (T -> inf is uniform); the ranking of tokens never changes. Subtracting the
    max before exp avoids overflow; entries equal to -inf get probability 0.
    """
    if temperature <= 0:
        raise ValueError("temperature must be > 0; use argmax for greedy decoding")
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


# --8<-- [end:softmax]


# --8<-- [start:filters]
def top_k_filter(logits: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """Keep the k largest logits (V,), set the rest to -inf.

    Ties at the k-th value are broken by index (a stable sort), so exactly k
    tokens survive.
    """
    order = np.argsort(-logits, kind="stable")
    out = np.full_like(logits, -np.inf, dtype=np.float64)
    out[order[:k]] = logits[order[:k]]
    return out


def top_p_filter(logits: NDArray[np.float64], p: float) -> NDArray[np.float64]:
    """Nucleus filter: keep the smallest set of most likely tokens whose total
    probability is >= p (Holtzman et al., 2019); logits (V,).

    A token is kept if the mass of the tokens ranked strictly above it is < p,
    so the top token is always kept (even for tiny p) and the token that first
    pushes the cumulative mass past p is included.
    """
    probs = softmax(logits)
    order = np.argsort(-probs, kind="stable")
    mass_before = np.cumsum(probs[order]) - probs[order]  # mass ranked strictly above
    keep = order[mass_before < p]
    out = np.full_like(logits, -np.inf, dtype=np.float64)
    out[keep] = logits[keep]
    return out


def min_p_filter(logits: NDArray[np.float64], p_base: float) -> NDArray[np.float64]:
    """Keep tokens with probability >= p_base * max probability (min-p sampling).

    The threshold scales with the model's confidence: a peaked distribution
    keeps few tokens, a flat one keeps many.
    """
    probs = softmax(logits)
    return np.where(probs >= p_base * probs.max(), logits, -np.inf)


# --8<-- [end:filters]


# --8<-- [start:penalties]
def apply_penalties(
    logits: NDArray[np.float64],
    previous: Sequence[int],
    repetition: float = 1.0,
    frequency: float = 0.0,
    presence: float = 0.0,
) -> NDArray[np.float64]:
    """Discourage tokens that already occur in `previous`; logits (V,).

    repetition (> 1 penalises; CTRL, Keskar et al., 2019, divides every seen
    token's logit by it): as in Hugging Face's implementation, a seen token's
    logit is divided by it if positive and multiplied by it if negative, so the
    token always becomes less likely. frequency / presence (OpenAI API style):
    subtract frequency * count(token) + presence * [count(token) > 0].
    """
    out = np.array(logits, dtype=np.float64)
    counts = Counter(previous)
    if not counts:
        return out
    seen = np.fromiter(counts.keys(), dtype=np.int64)
    n = np.fromiter(counts.values(), dtype=np.float64)
    z = out[seen]
    out[seen] = np.where(z > 0, z / repetition, z * repetition)
    out[seen] -= frequency * n + presence
    return out


# --8<-- [end:penalties]


# --8<-- [start:sample]
def sample(
    logits: NDArray[np.float64],
    rng: np.random.Generator,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> int:
    """Draw one token id from logits (V,): temperature first, then top-k,
    then top-p, then sample from the renormalised survivors."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    if top_k is not None:
        z = top_k_filter(z, top_k)
    if top_p is not None:
        z = top_p_filter(z, top_p)
    return int(rng.choice(z.size, p=softmax(z)))


# --8<-- [end:sample]


# --8<-- [start:beam_search]
def length_penalty(length: int, alpha: float) -> float:
    """GNMT length penalty lp(Y) = ((5 + |Y|) / 6) ** alpha (Wu et al., 2016).

    alpha = 0 gives lp = 1 (raw log-probability, which favours short outputs);
    alpha = 1 is close to dividing by the length.
    """
    return ((5 + length) / 6) ** alpha


def beam_search(
    next_log_probs: Callable[[tuple[int, ...]], NDArray[np.float64]],
    bos: int,
    eos: int,
    beam_size: int,
    max_len: int,
    alpha: float = 0.0,
) -> list[tuple[tuple[int, ...], float]]:
    """Beam search; returns (tokens after bos, score) pairs, best first.

    next_log_probs(prefix) gives log p(next token | prefix), shape (V,).
    Each step expands every live beam by its beam_size best tokens and ranks
    the expansions by total log-probability; one that ends in eos within the
    top beam_size is set aside as finished, and the best beam_size that do not
    end in eos stay live (so the beam never shrinks). Finished hypotheses are
    ranked by log p(Y) / lp(|Y|), |Y| counting eos but not bos. The search stops
    after max_len tokens, or once beam_size hypotheses have finished and no live
    beam can still beat the best of them.
    """
    beams: list[tuple[tuple[int, ...], float]] = [((bos,), 0.0)]
    finished: list[tuple[tuple[int, ...], float]] = []
    for _ in range(max_len):
        candidates = []
        for prefix, logp in beams:
            step = next_log_probs(prefix)
            for token in np.argsort(-step, kind="stable")[:beam_size]:
                candidates.append(((*prefix, int(token)), logp + float(step[token])))
        candidates.sort(key=lambda c: -c[1])
        beams = []
        for rank, (prefix, logp) in enumerate(candidates):
            if prefix[-1] == eos:
                if rank < beam_size:  # an eos outside the top beam_size is not kept
                    finished.append((prefix, logp))
            elif len(beams) < beam_size:
                beams.append((prefix, logp))
        if not beams:
            break
        if len(finished) >= beam_size:
            # Log-probabilities only fall as a hypothesis grows, so a live beam can
            # at best keep its log p and reach max_len: stop once that bound loses.
            best_done = max(lp / length_penalty(len(s) - 1, alpha) for s, lp in finished)
            if best_done >= max(lp for _, lp in beams) / length_penalty(max_len, alpha):
                break
    else:
        finished += beams  # hypotheses cut off by max_len still compete
    scored = [(seq[1:], logp / length_penalty(len(seq) - 1, alpha)) for seq, logp in finished]
    return sorted(scored, key=lambda c: -c[1])


# --8<-- [end:beam_search]


# --8<-- [start:speculative]
def speculative_accept(
    p: NDArray[np.float64], q: NDArray[np.float64], x: int, rng: np.random.Generator
) -> tuple[bool, int]:
    """One verification step of speculative sampling (Leviathan et al., 2022;
    Chen et al., 2023). p, q: target and draft distributions (V,); x ~ q is the
    draft token.

    Accept x with probability min(1, p[x] / q[x]); otherwise draw the
    replacement from the residual max(0, p - q), renormalised. Returns
    (accepted, token); the token is distributed exactly as p.
    """
    if rng.random() < min(1.0, p[x] / q[x]):
        return True, x
    residual = np.maximum(p - q, 0.0)
    return False, int(rng.choice(p.size, p=residual / residual.sum()))


def speculative_output_distribution(
    p: NDArray[np.float64], q: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The exact distribution of the token that speculative_accept returns.

    P(x) = q(x) min(1, p(x)/q(x)) + (1 - beta) r(x), where q min(1, p/q) =
    min(p, q), beta = sum min(p, q) is the acceptance rate and
    r = max(0, p - q) / (1 - beta). Since sum max(0, p - q) = 1 - beta,
    P = min(p, q) + max(0, p - q) = p.
    """
    accepted = np.minimum(p, q)
    beta = accepted.sum()
    residual = np.maximum(p - q, 0.0)
    if residual.sum() == 0.0:  # q == p: every draft is accepted
        return accepted
    return accepted + (1.0 - beta) * residual / residual.sum()


def acceptance_rate(p: NDArray[np.float64], q: NDArray[np.float64]) -> float:
    """alpha = E_{x~q}[min(1, p(x)/q(x))] = sum_x min(p, q) = 1 - TV(p, q)."""
    return float(np.minimum(p, q).sum())


def expected_tokens_per_step(alpha: float, gamma: int) -> float:
    """Expected tokens produced per target forward pass with gamma draft tokens,
    if each is accepted independently with probability alpha:
    1 + alpha + ... + alpha^gamma = (1 - alpha^(gamma+1)) / (1 - alpha)."""
    if alpha == 1.0:
        return gamma + 1.0
    return (1.0 - alpha ** (gamma + 1)) / (1.0 - alpha)


# --8<-- [end:speculative]


# --8<-- [start:speculative_step]
def speculative_step(
    target_probs: NDArray[np.float64],
    draft_probs: NDArray[np.float64],
    draft_tokens: Sequence[int],
    rng: np.random.Generator,
) -> list[int]:
    """Verify gamma draft tokens with one target pass; returns 1..gamma+1 tokens.

    target_probs: (gamma + 1, V), p(. | prefix + draft_tokens[:i]) for
    i = 0..gamma (one forward pass of the target over the drafted sequence).
    draft_probs: (gamma, V), the draft's distributions the tokens came from.
    Tokens are accepted left to right; the first rejection is replaced by a
    residual sample and ends the step. If all gamma are accepted, a bonus token
    is sampled from target_probs[gamma].
    """
    out: list[int] = []
    for i, x in enumerate(draft_tokens):
        accepted, token = speculative_accept(target_probs[i], draft_probs[i], int(x), rng)
        out.append(token)
        if not accepted:
            return out
    out.append(int(rng.choice(target_probs.shape[1], p=target_probs[-1])))
    return out


# --8<-- [end:speculative_step]


# --8<-- [start:bleu]
def ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    """Counts of the n-grams of a token list."""
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def modified_precision(
    candidate: Sequence[str], references: Sequence[Sequence[str]], n: int
) -> float:
    """p_n: candidate n-gram counts clipped by their maximum count in any one
    reference, divided by the number of candidate n-grams."""
    cand = ngrams(candidate, n)
    if not cand:
        return 0.0
    max_ref: Counter[tuple[str, ...]] = Counter()
    for ref in references:
        max_ref |= ngrams(ref, n)  # elementwise max of counts
    clipped = sum(min(c, max_ref[g]) for g, c in cand.items())
    return clipped / sum(cand.values())


def brevity_penalty(c: int, r: int) -> float:
    """BP = 1 if c > r else exp(1 - r / c); c = candidate length, r = reference length."""
    if c == 0:
        return 0.0
    return 1.0 if c > r else math.exp(1.0 - r / c)


def bleu(candidate: Sequence[str], references: Sequence[Sequence[str]], max_n: int = 4) -> float:
    """Sentence BLEU (Papineni et al., 2002): BP * exp(mean_n log p_n), n = 1..max_n.

    r is the reference length closest to c (ties: the shorter). No smoothing:
    any p_n = 0 gives BLEU = 0, which is why BLEU is meant for a corpus (counts
    summed over all sentences before dividing) and sentence BLEU needs smoothing.
    """
    c = len(candidate)
    r = min((len(ref) for ref in references), key=lambda n: (abs(n - c), n))
    precisions = [modified_precision(candidate, references, n) for n in range(1, max_n + 1)]
    if min(precisions) == 0.0:
        return 0.0
    return brevity_penalty(c, r) * math.exp(sum(map(math.log, precisions)) / max_n)


# --8<-- [end:bleu]


# --8<-- [start:rouge]
def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> float:
    """ROUGE-N recall (Lin, 2004): overlapping n-grams / n-grams in the reference."""
    ref = ngrams(reference, n)
    overlap = sum((ngrams(candidate, n) & ref).values())  # & = elementwise min
    return overlap / max(sum(ref.values()), 1)


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (in order, not necessarily
    contiguous), by dynamic programming in O(len(a) len(b))."""
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    """ROUGE-L F1: P = LCS / len(candidate), R = LCS / len(reference)."""
    lcs = lcs_length(candidate, reference)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(candidate), lcs / len(reference)
    return 2 * precision * recall / (precision + recall)


# --8<-- [end:rouge]


# --8<-- [start:perplexity]
def perplexity(token_log_probs: NDArray[np.float64]) -> float:
    """PPL = exp(-(1/N) sum_t log p(x_t | x_<t)) = exp(mean cross-entropy in nats).

    token_log_probs: (N,) natural-log probabilities the model gave the actual
    next tokens. A uniform model over V tokens has PPL = V.
    """
    return float(np.exp(-np.mean(token_log_probs)))


def bits_per_byte(token_log_probs: NDArray[np.float64], n_bytes: int) -> float:
    """Total negative log-likelihood in bits divided by the text's UTF-8 bytes.

    Unlike per-token perplexity it does not depend on how the text was
    tokenised, so it compares models with different vocabularies.
    """
    return float(-np.sum(token_log_probs) / math.log(2) / n_bytes)


# --8<-- [end:perplexity]
