"""Examples for docs/*/data.md: streaming statistics, sampling, sketches, missing values."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
T = TypeVar("T")


# --8<-- [start:running_stats]
class RunningStats:
    """Welford's one-pass mean and variance, numerically stable; merge() combines chunks."""

    def __init__(self) -> None:
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def update(self, x: float) -> None:
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (x - self.mean)

    def merge(self, other: RunningStats) -> None:
        n = self.n + other.n
        delta = other.mean - self.mean
        self.mean += delta * other.n / n
        self.m2 += other.m2 + delta**2 * self.n * other.n / n
        self.n = n

    @property
    def var(self) -> float:
        """Population variance; m2 / (n - 1) is the sample variance."""
        return self.m2 / self.n


# --8<-- [end:running_stats]
values = 1e9 + np.random.default_rng(0).normal(size=1000)  # large offset, unit variance
a, b = RunningStats(), RunningStats()
for v in values[:600]:
    a.update(v)
for v in values[600:]:
    b.update(v)
a.merge(b)
assert a.n == 1000
assert math.isclose(a.mean, values.mean(), rel_tol=1e-12)
assert math.isclose(a.var, np.var(values - 1e9), rel_tol=1e-6)


# --8<-- [start:reservoir]
def reservoir_sample(
    stream: Iterable[T], k: int, rng: np.random.Generator | None = None
) -> list[T]:
    """Uniform sample of k items from a stream of unknown length, O(k) memory (Algorithm R)."""
    # A default of np.random.default_rng() would be evaluated once, at definition time,
    # and every call would share (and advance) that one generator: default to None.
    rng = np.random.default_rng() if rng is None else rng
    reservoir: list[T] = []
    for n, item in enumerate(stream, start=1):
        if n <= k:
            reservoir.append(item)
        else:
            j = rng.integers(n)  # uniform in [0, n)
            if j < k:  # happens with probability k / n
                reservoir[j] = item
    return reservoir


# --8<-- [end:reservoir]
rng = np.random.default_rng(0)
hits = np.zeros(10)
for _ in range(3000):
    for item in reservoir_sample(range(10), 3, rng):
        hits[item] += 1
assert np.allclose(hits / 3000, 3 / 10, atol=0.04)  # every item kept with probability k / n
assert sorted(reservoir_sample(range(3), 5)) == [0, 1, 2]  # short stream: keep everything


# --8<-- [start:bloom]
class BloomFilter:
    def __init__(self, m: int, k: int, seed: int = 0) -> None:
        self.bits = np.zeros(m, dtype=bool)
        self.m, self.k, self.seed = m, k, seed

    def _positions(self, item: object) -> list[int]:
        # Double hashing g_i = h1 + i * h2 (Kirsch & Mitzenmacher) from one 128-bit digest.
        d = hashlib.blake2b(f"{self.seed}:{item}".encode(), digest_size=16).digest()
        h1, h2 = int.from_bytes(d[:8], "little"), int.from_bytes(d[8:], "little") | 1
        return [(h1 + i * h2) % self.m for i in range(self.k)]

    def add(self, item: object) -> None:
        self.bits[self._positions(item)] = True

    def __contains__(self, item: object) -> bool:
        """False is certain; True may be a false positive."""
        return bool(self.bits[self._positions(item)].all())


# --8<-- [end:bloom]
bloom = BloomFilter(m=10_000, k=7)
for i in range(1000):
    bloom.add(f"user{i}")
assert all(f"user{i}" in bloom for i in range(1000))  # no false negatives
fp_rate = np.mean([f"other{i}" in bloom for i in range(5000)])
assert fp_rate < 0.03  # theory: (1 - e^{-kn/m})^k = 0.008 at m/n = 10, k = 7


# --8<-- [start:count_min]
class CountMinSketch:
    def __init__(self, width: int, depth: int, seed: int = 0) -> None:
        self.table = np.zeros((depth, width), dtype=np.int64)
        self.width, self.depth, self.seed = width, depth, seed

    def _cols(self, item: object) -> list[int]:
        return [
            int.from_bytes(
                hashlib.blake2b(f"{self.seed}:{row}:{item}".encode(), digest_size=8).digest(),
                "little",
            )
            % self.width
            for row in range(self.depth)
        ]

    def add(self, item: object, count: int = 1) -> None:
        self.table[np.arange(self.depth), self._cols(item)] += count

    def estimate(self, item: object) -> int:
        """Never below the true count (for non-negative updates)."""
        return int(self.table[np.arange(self.depth), self._cols(item)].min())


# --8<-- [end:count_min]
cms = CountMinSketch(width=200, depth=4)
true_counts = {f"w{i}": i % 17 + 1 for i in range(500)}
for word, c in true_counts.items():
    cms.add(word, c)
estimates = {word: cms.estimate(word) for word in true_counts}
assert all(estimates[w] >= c for w, c in true_counts.items())
total = sum(true_counts.values())
# With probability 1 - e^{-depth}, each error is at most e / width * total.
assert np.mean([estimates[w] - c <= math.e / 200 * total for w, c in true_counts.items()]) > 0.9


# --8<-- [start:map_reduce]
def map_fn(line: str) -> Iterator[tuple[str, int]]:
    """Runs on every input split in parallel."""
    for word in line.split():
        yield word, 1


def reduce_fn(word: str, counts: Iterable[int]) -> Iterator[tuple[str, int]]:
    """Receives all values for one key after the shuffle."""
    yield word, sum(counts)


# --8<-- [end:map_reduce]
shuffled: defaultdict[str, list[int]] = defaultdict(list)  # the shuffle: group by key
for line in ["a b a", "b c", "a"]:
    for word, one in map_fn(line):
        shuffled[word].append(one)
result = dict(pair for word, ones in shuffled.items() for pair in reduce_fn(word, ones))
assert result == {"a": 3, "b": 2, "c": 1}


# --8<-- [start:imputer]
def fit_imputer(X_train: Array, strategy: str = "median") -> Array:
    """Learn per-column fill values from the TRAINING split only."""
    stat = np.nanmedian if strategy == "median" else np.nanmean
    return stat(X_train, axis=0)


def transform_imputer(X: Array, fill: Array, add_indicator: bool = True) -> Array:
    """Fill NaNs with the learned values; optionally append 0/1 'was missing' columns."""
    mask = np.isnan(X)
    X_filled = np.where(mask, fill[None, :], X)
    if add_indicator:
        X_filled = np.hstack([X_filled, mask.astype(X.dtype)])
    return X_filled


X_train = np.array([[1.0, np.nan], [2.0, 10.0], [np.nan, 20.0], [4.0, 30.0]])
X_test = np.array([[np.nan, 100.0], [3.0, np.nan]])
fill = fit_imputer(X_train)  # correct: statistics from the training split only
X_train_i, X_test_i = transform_imputer(X_train, fill), transform_imputer(X_test, fill)
leaky = fit_imputer(np.vstack([X_train, X_test]))  # wrong: the test set leaks into training
print(fill, leaky)  # [ 2. 20.] [ 2.5 25. ]
# --8<-- [end:imputer]
assert np.allclose(fill, [2.0, 20.0])
assert np.allclose(leaky, [2.5, 25.0])
assert np.allclose(X_test_i, [[2.0, 100.0, 1.0, 0.0], [3.0, 20.0, 0.0, 1.0]])
assert not np.isnan(X_train_i).any()


# --8<-- [start:ffill]
def ffill(x: Array) -> Array:
    """Forward fill a 1-D series: carry the last observed value (leading NaNs stay NaN)."""
    idx = np.where(np.isnan(x), 0, np.arange(len(x)))
    np.maximum.accumulate(idx, out=idx)
    return x[idx]


# --8<-- [end:ffill]
out = ffill(np.array([np.nan, 1.0, np.nan, np.nan, 4.0, np.nan]))
assert np.isnan(out[0])
assert np.allclose(out[1:], [1.0, 1.0, 1.0, 4.0, 4.0])
