"""Examples for docs/*/interview.md: an LRU cache on an ordered dict, a bounded buffer with
a condition variable, and the roofline model."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Hashable


# --8<-- [start:lru_cache]
class LRUCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.data: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, key: Hashable) -> object:
        if key not in self.data:
            return -1
        self.data.move_to_end(key)  # mark as most recently used
        return self.data[key]

    def put(self, key: Hashable, value: object) -> None:
        if key in self.data:
            self.data.move_to_end(key)
        self.data[key] = value
        if len(self.data) > self.capacity:
            self.data.popitem(last=False)  # evict the least recently used


# --8<-- [end:lru_cache]
cache = LRUCache(2)
cache.put(1, "a")
cache.put(2, "b")
assert cache.get(1) == "a"  # 1 is now the most recent
cache.put(3, "c")  # evicts 2
assert cache.get(2) == -1
cache.put(1, "A")  # update keeps the size
cache.put(4, "d")  # evicts 3
assert list(cache.data.items()) == [(1, "A"), (4, "d")]


# --8<-- [start:bounded_buffer]
class BoundedBuffer:
    """Producer-consumer queue of fixed capacity: one mutex, two condition variables."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: deque[object] = deque()
        self.lock = threading.Lock()
        self.not_full = threading.Condition(self.lock)  # both share the one mutex
        self.not_empty = threading.Condition(self.lock)
        self.max_seen = 0

    def put(self, item: object) -> None:
        with self.not_full:  # acquires the lock
            while len(self.items) == self.capacity:  # "while", not "if": re-check on wake-up
                self.not_full.wait()  # releases the lock while asleep, re-acquires after
            self.items.append(item)
            self.max_seen = max(self.max_seen, len(self.items))
            self.not_empty.notify()

    def get(self) -> object:
        with self.not_empty:
            while not self.items:
                self.not_empty.wait()
            item = self.items.popleft()
            self.not_full.notify()
            return item


buf, consumed = BoundedBuffer(capacity=4), []
STOP = object()  # one sentinel per consumer ends it


def producer(start: int) -> None:
    for i in range(start, start + 500):
        buf.put(i)


def consumer() -> None:
    while (item := buf.get()) is not STOP:
        consumed.append(item)  # list.append is atomic under the GIL


workers = [threading.Thread(target=producer, args=(k * 500,)) for k in range(2)]
readers = [threading.Thread(target=consumer) for _ in range(2)]
for t in workers + readers:
    t.start()
for t in workers:
    t.join()
for _ in readers:
    buf.put(STOP)
for t in readers:
    t.join()
print(len(consumed), buf.max_seen)  # 1000, at most 4: nothing lost, capacity never exceeded
# --8<-- [end:bounded_buffer]
assert sorted(consumed) == list(range(1000))
assert buf.max_seen <= 4


# --8<-- [start:roofline]
def attainable_tflops(intensity: float, peak_tflops: float, bandwidth_tbs: float) -> float:
    """Roofline: min(peak, arithmetic intensity [FLOP/byte] x bandwidth)."""
    return min(peak_tflops, intensity * bandwidth_tbs)


PEAK, BW = 989.0, 3.35  # H100 SXM: dense BF16 Tensor Core TFLOP/s, HBM3 TB/s
ridge = PEAK / BW  # ~295 FLOP/byte: below it a kernel is memory-bound
n = 4096
gemm_ai = 2 * n**3 / (3 * n * n * 2)  # 2n^3 FLOPs over A, B, C in bf16 (2 bytes each)
add_ai = 1 / (3 * 2)  # c = a + b: 1 FLOP per 2 reads + 1 write of 2 bytes
for name, ai in [("GEMM 4096", gemm_ai), ("elementwise add", add_ai)]:
    print(f"{name}: {ai:.3g} FLOP/B -> {attainable_tflops(ai, PEAK, BW):.3g} TFLOP/s")
# GEMM 4096: 1.37e+03 FLOP/B -> 989 TFLOP/s   (compute-bound)
# elementwise add: 0.167 FLOP/B -> 0.558 TFLOP/s   (memory-bound, ~0.06% of peak)
# --8<-- [end:roofline]
assert round(ridge) == 295
assert attainable_tflops(gemm_ai, PEAK, BW) == PEAK
assert abs(attainable_tflops(add_ai, PEAK, BW) - 3.35 / 6) < 1e-12
