"""Decoding: sampling filters, beam search, speculative sampling, BLEU/ROUGE, perplexity."""

import math

import numpy as np
import pytest

from snippets import decoding as dec

LOGITS = np.log(np.array([0.5, 0.2, 0.15, 0.1, 0.05]))


def test_softmax_temperature_sharpens_and_flattens():
    p1 = dec.softmax(LOGITS)
    np.testing.assert_allclose(p1, [0.5, 0.2, 0.15, 0.1, 0.05])
    cold, hot = dec.softmax(LOGITS, 0.5), dec.softmax(LOGITS, 2.0)
    assert cold[0] > p1[0] > hot[0]
    # T = 0.5 squares the probabilities before renormalising
    np.testing.assert_allclose(cold, p1**2 / np.sum(p1**2))
    np.testing.assert_allclose(dec.softmax(LOGITS, 1e4), np.full(5, 0.2), atol=1e-4)
    # same ranking at every temperature
    assert (np.argsort(cold) == np.argsort(hot)).all()


def test_softmax_is_stable_and_handles_minus_inf():
    p = dec.softmax(np.array([1000.0, 999.0, -np.inf]))
    np.testing.assert_allclose(p, [1 / (1 + math.e**-1), 1 / (1 + math.e), 0.0])
    with pytest.raises(ValueError):
        dec.softmax(LOGITS, 0.0)


def test_top_k_keeps_exactly_k():
    z = dec.top_k_filter(LOGITS, 2)
    assert np.isfinite(z).sum() == 2
    np.testing.assert_allclose(dec.softmax(z), [0.5 / 0.7, 0.2 / 0.7, 0, 0, 0])
    tied = dec.top_k_filter(np.zeros(4), 2)
    assert np.isfinite(tied).tolist() == [True, True, False, False]


@pytest.mark.parametrize(
    "p,kept",
    [(0.3, 1), (0.6, 2), (0.69, 2), (0.75, 3), (0.9, 4), (0.94, 4), (0.97, 5), (1.0, 5)],
)
def test_top_p_keeps_smallest_set_with_mass_at_least_p(p, kept):
    z = dec.top_p_filter(LOGITS, p)
    assert np.isfinite(z).sum() == kept
    assert np.isfinite(z[:kept]).all()  # the most likely ones
    assert dec.softmax(LOGITS)[np.isfinite(z)].sum() >= p - 1e-12


def test_top_p_always_keeps_top_token():
    z = dec.top_p_filter(LOGITS, 1e-9)
    assert np.isfinite(z).tolist() == [True, False, False, False, False]


def test_min_p_scales_with_confidence():
    # threshold 0.3 * 0.5 = 0.15 keeps 0.5, 0.2, 0.15
    assert np.isfinite(dec.min_p_filter(LOGITS, 0.3)).sum() == 3
    assert np.isfinite(dec.min_p_filter(np.zeros(10), 0.3)).all()  # flat: keep all


def test_penalties():
    z = np.array([2.0, -1.0, 0.5, 1.0])
    out = dec.apply_penalties(z, [0, 1, 1], repetition=2.0)
    np.testing.assert_allclose(out, [1.0, -2.0, 0.5, 1.0])  # both seen tokens less likely
    out = dec.apply_penalties(z, [0, 1, 1], frequency=0.5, presence=1.0)
    np.testing.assert_allclose(out, [2.0 - 0.5 - 1.0, -1.0 - 1.0 - 1.0, 0.5, 1.0])
    np.testing.assert_array_equal(dec.apply_penalties(z, []), z)


def test_sample_is_reproducible_and_respects_filters():
    draws = [dec.sample(LOGITS, np.random.default_rng(7), top_k=3) for _ in range(3)]
    assert len(set(draws)) == 1  # same seed, same token
    rng = np.random.default_rng(0)
    tokens = [dec.sample(LOGITS, rng, top_p=0.7) for _ in range(2000)]
    assert set(tokens) == {0, 1}
    # after the nucleus filter P(0) = 0.5 / 0.7
    assert abs(np.mean(np.array(tokens) == 0) - 0.5 / 0.7) < 4 * math.sqrt(0.2 / 2000)


# A toy model: token 0 = bos, 1 = eos, 2 = "a", 3 = "b".
# Greedy takes "a" (0.6) but everything after "a" is spread out;
# "b" (0.4) is followed by eos with probability 0.9.
TABLE = {
    (0,): [0.0, 0.0, 0.6, 0.4],
    (0, 2): [0.0, 0.4, 0.3, 0.3],
    (0, 3): [0.0, 0.9, 0.05, 0.05],
}


def toy_model(prefix: tuple[int, ...]) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(np.array(TABLE.get(prefix, [0.0, 1.0, 0.0, 0.0])))


def test_beam_search_beats_greedy():
    greedy = dec.beam_search(toy_model, bos=0, eos=1, beam_size=1, max_len=5)
    assert greedy[0][0] == (2, 1)
    assert math.isclose(greedy[0][1], math.log(0.6 * 0.4))
    beam = dec.beam_search(toy_model, bos=0, eos=1, beam_size=2, max_len=5)
    assert beam[0][0] == (3, 1)
    assert math.isclose(beam[0][1], math.log(0.4 * 0.9))


def test_length_penalty_favours_longer_outputs():
    # Tokens 0 = bos, 1 = eos, 2 = "a". Stop at once: p = 0.5. Or "a a a a eos":
    # p = 0.5 * 0.9^3 = 0.3645, and every eos in between is unlikely (0.1).
    def model(prefix: tuple[int, ...]) -> np.ndarray:
        n = len(prefix)
        probs = [1e-9, 0.5, 0.5] if n == 1 else [1e-9, 0.1, 0.9] if n < 5 else [1e-9, 1.0, 1e-9]
        return np.log(np.array(probs))

    raw = dec.beam_search(model, bos=0, eos=1, beam_size=3, max_len=8, alpha=0.0)
    assert raw[0][0] == (1,)
    normed = dec.beam_search(model, bos=0, eos=1, beam_size=3, max_len=8, alpha=1.0)
    assert normed[0][0] == (2, 2, 2, 2, 1)
    # log(0.3645) / (10 / 6) = -0.605 beats log(0.5) / 1 = -0.693
    assert math.isclose(normed[0][1], math.log(0.3645) / (10 / 6), rel_tol=1e-6)
    assert math.isclose(dec.length_penalty(5, 1.0), 10 / 6)
    assert dec.length_penalty(7, 0.0) == 1.0


def random_dist(rng: np.random.Generator, v: int) -> np.ndarray:
    return dec.softmax(rng.normal(scale=2.0, size=v))


@pytest.mark.parametrize("seed", range(5))
def test_speculative_output_distribution_is_exactly_p(seed):
    rng = np.random.default_rng(seed)
    p, q = random_dist(rng, 8), random_dist(rng, 8)
    np.testing.assert_allclose(dec.speculative_output_distribution(p, q), p, atol=1e-12)
    np.testing.assert_allclose(dec.speculative_output_distribution(p, p), p)
    # acceptance rate = 1 - total variation distance
    tv = 0.5 * np.abs(p - q).sum()
    assert math.isclose(dec.acceptance_rate(p, q), 1 - tv)


def test_speculative_accept_samples_p():
    rng = np.random.default_rng(0)
    p = np.array([0.5, 0.3, 0.15, 0.05])
    q = np.array([0.1, 0.1, 0.4, 0.4])  # a poor draft
    n = 40_000
    tokens = np.empty(n, dtype=int)
    accepted = 0
    for i in range(n):
        x = int(rng.choice(4, p=q))
        ok, tokens[i] = dec.speculative_accept(p, q, x, rng)
        accepted += ok
    freq = np.bincount(tokens, minlength=4) / n
    assert (np.abs(freq - p) < 4 * np.sqrt(p * (1 - p) / n)).all()
    alpha = dec.acceptance_rate(p, q)  # 0.1 + 0.1 + 0.15 + 0.05 = 0.4
    assert abs(accepted / n - alpha) < 4 * math.sqrt(alpha * (1 - alpha) / n)


def test_speculative_step_and_expected_tokens():
    rng = np.random.default_rng(1)
    p = np.tile([0.7, 0.2, 0.1], (4, 1))
    # a perfect draft: all gamma = 3 tokens accepted plus one bonus token
    assert len(dec.speculative_step(p, p[:3], [0, 0, 1], rng)) == 4
    # a draft token the target never produces is always rejected
    p0 = np.tile([0.0, 0.5, 0.5], (4, 1))
    out = dec.speculative_step(p0, np.tile([1.0, 0.0, 0.0], (3, 1)), [0, 0, 0], rng)
    assert len(out) == 1 and out[0] in (1, 2)
    assert math.isclose(dec.expected_tokens_per_step(0.8, 4), 1 + 0.8 + 0.64 + 0.512 + 0.4096)
    assert dec.expected_tokens_per_step(1.0, 4) == 5.0
    assert dec.expected_tokens_per_step(0.0, 4) == 1.0


def test_speculative_step_length_distribution():
    # acceptance probability alpha per token -> E[tokens] = (1 - alpha^(g+1)) / (1 - alpha)
    rng = np.random.default_rng(2)
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    alpha, g, n = dec.acceptance_rate(p, q), 3, 20_000
    lengths = []
    for _ in range(n):
        draft = rng.choice(2, size=g, p=q)
        lengths.append(
            len(dec.speculative_step(np.tile(p, (g + 1, 1)), np.tile(q, (g, 1)), draft, rng))
        )
    assert abs(np.mean(lengths) - dec.expected_tokens_per_step(alpha, g)) < 0.03


CAND = ["the", "cat", "sat", "on", "the", "mat"]
REF = ["the", "cat", "sat", "on", "the", "red", "mat"]


def test_bleu_hand_computed():
    # p1 = 6/6, p2 = 4/5, p3 = 3/4, p4 = 2/3; product 0.4; BP = exp(1 - 7/6)
    ps = [dec.modified_precision(CAND, [REF], n) for n in range(1, 5)]
    np.testing.assert_allclose(ps, [1.0, 0.8, 0.75, 2 / 3])
    expected = math.exp(1 - 7 / 6) * 0.4**0.25
    assert math.isclose(dec.bleu(CAND, [REF]), expected)
    assert math.isclose(expected, 0.67318, abs_tol=1e-5)
    assert dec.bleu(REF, [REF]) == 1.0


def test_bleu_clipping_and_zero_precision():
    # Papineni et al.'s example: "the" x 7 against a reference with two "the"
    assert math.isclose(
        dec.modified_precision(["the"] * 7, [["the", "cat", "is", "on", "the", "mat"]], 1), 2 / 7
    )
    # no matching 4-gram -> sentence BLEU-4 is 0 without smoothing
    assert (
        dec.bleu(
            ["the", "cat", "is", "on", "the", "mat"], [["the", "cat", "sat", "on", "the", "mat"]]
        )
        == 0.0
    )


def test_bleu_uses_closest_reference_length():
    # lengths 7 and 5 are both 1 away from c = 6: the tie goes to the shorter, BP = 1
    refs = [REF, ["the", "cat", "sat", "on", "mat"]]
    assert math.isclose(dec.bleu(CAND, refs), 0.4**0.25)
    assert dec.brevity_penalty(10, 7) == 1.0
    assert math.isclose(dec.brevity_penalty(6, 7), math.exp(-1 / 6))


def test_rouge():
    assert math.isclose(dec.rouge_n(CAND, REF, 1), 6 / 7)
    assert math.isclose(dec.rouge_n(CAND, REF, 2), 4 / 6)
    assert dec.lcs_length(CAND, REF) == 6
    assert dec.lcs_length(list("ABCBDAB"), list("BDCABA")) == 4
    assert math.isclose(dec.rouge_l(CAND, REF), 12 / 13)


def test_perplexity():
    logp = np.log([0.5, 0.25, 0.125, 0.5])
    assert math.isclose(dec.perplexity(logp), 2**1.75)
    assert math.isclose(dec.perplexity(np.full(10, -math.log(50))), 50)
    # bits per byte: 4 tokens, 7 bits in total, over 14 bytes
    assert math.isclose(dec.bits_per_byte(logp, 14), 0.5)
