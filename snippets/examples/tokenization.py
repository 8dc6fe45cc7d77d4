"""Usage examples for snippets/tokenization.py, shown on llm/tokenization.md."""

from snippets import tokenization as tok

# --8<-- [start:bpe_worked]
corpus = {"low": 5, "lower": 2, "newest": 6, "widest": 3}  # word: count
merges = tok.bpe_train(corpus, 8)

vocab = tok.split_words(corpus)
for step, pair in enumerate(merges, 1):
    count = tok.pair_counts(vocab)[pair]
    vocab = {tok.merge_pair(symbols, pair): c for symbols, c in vocab.items()}
    print(f"{step}. {pair[0]} + {pair[1]} ({count}x)  ->", "  ".join(" ".join(s) for s in vocab))
# --8<-- [end:bpe_worked]
assert merges[:3] == [("e", "s"), ("es", "t"), ("est", "</w>")]
assert merges[3:6] == [("l", "o"), ("lo", "w"), ("e", "w")]

# --8<-- [start:bpe_encode]
for word in ["lowest", "newer", "wider"]:
    print(word, "->", tok.bpe_encode(word, merges))
# --8<-- [end:bpe_encode]
assert tok.bpe_encode("lowest", merges) == ["low", "est</w>"]

# --8<-- [start:wordpiece_vs_bpe]
vocab0 = tok.split_words(corpus)
counts = tok.pair_counts(vocab0)
scores = tok.wordpiece_scores(vocab0)
bpe_pick = min(counts, key=lambda p: (-counts[p], p))
wp_pick = max(scores, key=scores.__getitem__)
print("BPE picks      ", bpe_pick, "count", counts[bpe_pick], f"score {scores[bpe_pick]:.3f}")
print("WordPiece picks", wp_pick, "count", counts[wp_pick], f"score {scores[wp_pick]:.3f}")
# --8<-- [end:wordpiece_vs_bpe]
assert bpe_pick == ("e", "s") and wp_pick == ("i", "d")

# --8<-- [start:utf8]
for text in ["token", "分词", "深度学习"]:
    print(f"{text!r}: {len(text)} chars, {len(tok.utf8_bytes(text))} UTF-8 bytes")
# --8<-- [end:utf8]
assert len(tok.utf8_bytes("深度学习")) == 3 * 4
