"""Examples for docs/*/llm/decoding.md and docs/*/llm/applications.md."""

from __future__ import annotations

import math

import numpy as np

from snippets import decoding as dec

# --8<-- [start:temperature]
logits = np.log(np.array([0.5, 0.2, 0.15, 0.1, 0.05]))
for T in (0.5, 1.0, 2.0):
    print(T, dec.softmax(logits, T).round(3))
# 0.5 [0.769 0.123 0.069 0.031 0.008]   (p_i^2, renormalised: the top token gains)
# 1.0 [0.5   0.2   0.15  0.1   0.05 ]
# 2.0 [0.34  0.215 0.186 0.152 0.107]   (sqrt(p_i), renormalised: flatter, same ranking)
# --8<-- [end:temperature]
assert np.allclose(dec.softmax(logits, 0.5), [0.769, 0.123, 0.069, 0.031, 0.008], atol=1e-3)
assert np.allclose(dec.softmax(logits, 2.0), [0.34, 0.215, 0.186, 0.152, 0.107], atol=1e-3)

# --8<-- [start:filters]
print(dec.softmax(dec.top_k_filter(logits, 2)).round(3))  # [0.714 0.286 0. 0. 0.]
print(dec.softmax(dec.top_p_filter(logits, 0.8)).round(3))  # [0.588 0.235 0.176 0. 0.]
print(dec.softmax(dec.min_p_filter(logits, 0.3)).round(3))  # keep p >= 0.15: same 3 tokens
rng = np.random.default_rng(0)
tokens = [dec.sample(logits, rng, temperature=0.7, top_p=0.9) for _ in range(10)]
# --8<-- [end:filters]
assert np.allclose(dec.softmax(dec.top_k_filter(logits, 2)), [0.5 / 0.7, 0.2 / 0.7, 0, 0, 0])
assert np.isfinite(dec.top_p_filter(logits, 0.8)).sum() == 3  # 0.5 + 0.2 < 0.8 <= 0.85
assert np.isfinite(dec.min_p_filter(logits, 0.3)).sum() == 3
assert set(tokens) <= {0, 1, 2, 3}

# --8<-- [start:beam]
# 0 = bos, 1 = eos, 2 = "a", 3 = "b"; missing prefixes end the sentence.
table = {(0,): [0, 0, 0.6, 0.4], (0, 2): [0, 0.4, 0.3, 0.3], (0, 3): [0, 0.9, 0.05, 0.05]}


def model(prefix: tuple[int, ...]) -> np.ndarray:
    with np.errstate(divide="ignore"):  # log 0 = -inf: impossible tokens
        return np.log(np.array(table.get(prefix, [0, 1, 0, 0]), dtype=float))


for k in (1, 2):
    best, score = dec.beam_search(model, bos=0, eos=1, beam_size=k, max_len=5)[0]
    print(k, best, round(math.exp(score), 2))
# 1 (2, 1) 0.24    greedy: "a" looked best, but everything after it is uncertain
# 2 (3, 1) 0.36    beam 2 keeps "b", whose continuation is almost certain
# --8<-- [end:beam]
assert dec.beam_search(model, 0, 1, 1, 5)[0][0] == (2, 1)
assert dec.beam_search(model, 0, 1, 2, 5)[0][0] == (3, 1)

# --8<-- [start:speculative]
p = np.array([0.5, 0.3, 0.15, 0.05])  # target model
q = np.array([0.1, 0.1, 0.4, 0.4])  # a poor draft model
print(round(dec.acceptance_rate(p, q), 3))  # sum min(p, q) = 0.1 + 0.1 + 0.15 + 0.05 = 0.4
print(dec.speculative_output_distribution(p, q))  # exactly p: [0.5 0.3 0.15 0.05]
print(round(dec.expected_tokens_per_step(0.8, gamma=4), 2))  # 3.36 tokens per target pass
# --8<-- [end:speculative]
assert math.isclose(dec.acceptance_rate(p, q), 0.4)
assert np.allclose(dec.speculative_output_distribution(p, q), p)
assert math.isclose(dec.expected_tokens_per_step(0.8, 4), 3.3616)

# --8<-- [start:bleu]
candidate = ["the", "cat", "sat", "on", "the", "mat"]
reference = ["the", "cat", "sat", "on", "the", "red", "mat"]
print([round(dec.modified_precision(candidate, [reference], n), 3) for n in range(1, 5)])
# [1.0, 0.8, 0.75, 0.667]
print(round(dec.brevity_penalty(len(candidate), len(reference)), 4))  # exp(1 - 7/6) = 0.8465
print(round(dec.bleu(candidate, [reference]), 4))  # 0.8465 * 0.4 ** 0.25 = 0.6732
print(round(dec.rouge_n(candidate, reference, 2), 3), round(dec.rouge_l(candidate, reference), 3))
# 0.667 0.923    ROUGE-2 recall 4/6; ROUGE-L F1 with LCS = 6
# --8<-- [end:bleu]
assert math.isclose(dec.bleu(candidate, [reference]), math.exp(-1 / 6) * 0.4**0.25)
assert math.isclose(dec.rouge_l(candidate, reference), 12 / 13)

# --8<-- [start:perplexity]
log_probs = np.log([0.5, 0.25, 0.125, 0.5])  # the model's p for each actual next token
print(round(dec.perplexity(log_probs), 3))  # 2 ** 1.75 = 3.364
print(round(dec.perplexity(np.full(8, -np.log(50_000)))))  # uniform over 50k tokens: PPL = 50000
print(dec.bits_per_byte(log_probs, n_bytes=14))  # 7 bits / 14 bytes = 0.5
# --8<-- [end:perplexity]
assert math.isclose(dec.perplexity(log_probs), 2**1.75)
assert math.isclose(dec.perplexity(np.full(8, -np.log(50_000))), 50_000)
