"""Tokenization: BPE merges computed by hand on the Sennrich et al. toy corpus."""

from snippets import tokenization as tok

# Sennrich et al. (2016), Algorithm 1's corpus.
CORPUS = {"low": 5, "lower": 2, "newest": 6, "widest": 3}


def test_pair_counts_by_hand():
    counts = tok.pair_counts(tok.split_words(CORPUS))
    # e s: newest 6 + widest 3; w e: lower 2 + newest 6; l o: low 5 + lower 2.
    assert counts[("e", "s")] == 9
    assert counts[("s", "t")] == 9
    assert counts[("t", tok.EOW)] == 9
    assert counts[("w", "e")] == 8
    assert counts[("l", "o")] == 7
    assert counts[("o", "w")] == 7
    assert counts[("r", tok.EOW)] == 2


def test_bpe_first_merges_by_hand():
    # Step 1: e s, s t, t </w> tie at 9; (e, s) is smallest.
    # Step 2: es t = 9 and t </w> = 9 tie; ("es", "t") < ("t", "</w>").
    # Step 3: est </w> = 9. Step 4: l o = o w = 7 tie, "l" < "o". Step 5: lo w = 7.
    # Step 6: n e = 6, e w = 6, w est</w> = 6 tie; ("e", "w") < ("n", "e") < ("w", ...).
    merges = tok.bpe_train(CORPUS, 6)
    assert merges == [
        ("e", "s"),
        ("es", "t"),
        ("est", tok.EOW),
        ("l", "o"),
        ("lo", "w"),
        ("e", "w"),
    ]


def test_bpe_encode_unseen_word_with_learned_merges():
    merges = tok.bpe_train(CORPUS, 5)
    assert tok.bpe_encode("lowest", merges) == ["low", "est</w>"]
    assert tok.bpe_encode("est", merges) == ["est</w>"]
    # "z" never occurred: it stays a single symbol (a character-level BPE
    # would need an UNK here; byte-level BPE would not).
    assert tok.bpe_encode("zest", merges) == ["z", "est</w>"]


def test_bpe_encode_reproduces_training_segmentation():
    merges = tok.bpe_train(CORPUS, 10)
    vocab = tok.split_words(CORPUS)
    for pair in merges:
        vocab = {tok.merge_pair(s, pair): c for s, c in vocab.items()}
    for word, symbols in zip(CORPUS, vocab, strict=True):
        assert tok.bpe_encode(word, merges) == list(symbols)


def test_bpe_stops_when_nothing_left_to_merge():
    merges = tok.bpe_train({"ab": 1}, 10)
    assert merges == [("a", "b"), ("ab", tok.EOW)]


def test_merge_pair_is_non_overlapping_left_to_right():
    assert tok.merge_pair(("a", "a", "a"), ("a", "a")) == ("aa", "a")


def test_wordpiece_score_by_hand():
    scores = tok.wordpiece_scores(tok.split_words(CORPUS))
    # count(e) = 2 + 6*2 + 3 = 17, count(s) = 9: 9 / (17 * 9) = 1/17.
    assert abs(scores[("e", "s")] - 1 / 17) < 1e-15
    # count(i) = 3, count(d) = 3, count(i d) = 3: 3 / 9 = 1/3, the best pair,
    # although BPE (by frequency) merges e s first; w i only gets 3 / (16 * 3).
    assert abs(scores[("i", "d")] - 1 / 3) < 1e-15
    assert abs(scores[("w", "i")] - 1 / 16) < 1e-15
    assert max(scores, key=scores.__getitem__) == ("i", "d")


def test_wordpiece_greedy_longest_match():
    vocab = {"un", "unaff", "##aff", "##able", "##a", "##ble"}
    assert tok.wordpiece_encode("unaffable", vocab) == ["unaff", "##able"]
    assert tok.wordpiece_encode("unable", vocab) == ["un", "##able"]
    assert tok.wordpiece_encode("xyz", vocab) == ["[UNK]"]


def test_utf8_bytes():
    assert tok.utf8_bytes("a") == [97]
    assert tok.utf8_bytes("中") == [0xE4, 0xB8, 0xAD]
    assert len(tok.utf8_bytes("深度学习")) == 12
