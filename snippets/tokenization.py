"""Subword tokenization: BPE training and encoding (Sennrich et al., 2016),
the WordPiece merge score, WordPiece's greedy longest-match encoding, and
UTF-8 bytes (the base alphabet of byte-level BPE).

A corpus is a word-frequency table {word: count}; pre-tokenization (splitting
text into words) is assumed done. Each word is a tuple of symbols that starts
as its characters plus the end-of-word marker EOW, so "est</w>" (a suffix)
and "est" (inside a word) are different tokens.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

EOW = "</w>"
Pair = tuple[str, str]
Word = tuple[str, ...]


# --8<-- [start:pair_counts]
def split_words(word_counts: dict[str, int]) -> dict[Word, int]:
    """{"low": 5} -> {("l", "o", "w", "</w>"): 5}."""
    return {(*word, EOW): count for word, count in word_counts.items()}


def pair_counts(vocab: dict[Word, int]) -> Counter[Pair]:
    """How often each adjacent symbol pair occurs, weighted by word count."""
    counts: Counter[Pair] = Counter()
    for symbols, count in vocab.items():
        for pair in pairwise(symbols):
            counts[pair] += count
    return counts


# --8<-- [end:pair_counts]


# --8<-- [start:bpe_train]
def merge_pair(symbols: Word, pair: Pair) -> Word:
    """Replace every non-overlapping occurrence of pair, left to right."""
    out: list[str] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def bpe_train(word_counts: dict[str, int], n_merges: int) -> list[Pair]:
    """Learn up to n_merges merges, in order (the merge list is the model).

    Each step merges the most frequent adjacent pair. Ties go to the
    lexicographically smallest pair, so the result does not depend on dict
    order (the reference implementation's max() over a dict does).
    """
    vocab = split_words(word_counts)
    merges: list[Pair] = []
    for _ in range(n_merges):
        counts = pair_counts(vocab)
        if not counts:
            break  # every word is a single symbol
        best = min(counts, key=lambda pair: (-counts[pair], pair))
        merges.append(best)
        vocab = {merge_pair(symbols, best): count for symbols, count in vocab.items()}
    return merges


# --8<-- [end:bpe_train]


# --8<-- [start:bpe_encode]
def bpe_encode(word: str, merges: list[Pair]) -> list[str]:
    """Segment one word with learned merges.

    Repeatedly apply the applicable merge with the lowest rank (learned
    earliest), as GPT-2's encoder does; this reproduces the training-time
    segmentation. Characters never seen in training stay single symbols
    (byte-level BPE avoids that case: every byte is in the base vocabulary).
    """
    rank = {pair: r for r, pair in enumerate(merges)}
    symbols: Word = (*word, EOW)
    while len(symbols) > 1:
        pairs = [p for p in pairwise(symbols) if p in rank]
        if not pairs:
            break
        symbols = merge_pair(symbols, min(pairs, key=rank.__getitem__))
    return list(symbols)


# --8<-- [end:bpe_encode]


# --8<-- [start:wordpiece_score]
def wordpiece_scores(vocab: dict[Word, int]) -> dict[Pair, float]:
    """WordPiece's merge criterion: count(ab) / (count(a) * count(b)).

    The ratio says how much more often a and b occur together than
    independence predicts; the gain in the corpus's unigram log-likelihood
    is about count(ab) * log(p(ab) / (p(a) p(b))), and WordPiece ranks by the
    ratio alone, so a frequent pair made of very frequent symbols can lose
    to a rarer but more "bound" pair.
    """
    unit: Counter[str] = Counter()
    for symbols, count in vocab.items():
        for s in symbols:
            unit[s] += count
    return {(a, b): n_ab / (unit[a] * unit[b]) for (a, b), n_ab in pair_counts(vocab).items()}


# --8<-- [end:wordpiece_score]


# --8<-- [start:wordpiece_encode]
def wordpiece_encode(word: str, vocab: set[str], unk: str = "[UNK]") -> list[str]:
    """BERT's greedy longest-match-first segmentation of one word.

    Non-initial pieces carry the "##" prefix. If some position matches no
    piece, the whole word becomes unk (BERT does not fall back to bytes).
    """
    pieces: list[str] = []
    start = 0
    while start < len(word):
        for end in range(len(word), start, -1):
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                pieces.append(piece)
                start = end
                break
        else:
            return [unk]
    return pieces


# --8<-- [end:wordpiece_encode]


# --8<-- [start:utf8_bytes]
def utf8_bytes(text: str) -> list[int]:
    """The 256-symbol base alphabet of byte-level BPE: any string is a
    sequence of bytes, so no input is ever out of vocabulary. A common
    Chinese character takes 3 bytes, an ASCII letter 1."""
    return list(text.encode("utf-8"))


# --8<-- [end:utf8_bytes]
