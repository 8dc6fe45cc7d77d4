"""Examples for docs/*/interview.md: an LRU cache on an ordered dict."""

from __future__ import annotations

from collections import OrderedDict
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
