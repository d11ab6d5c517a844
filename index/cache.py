"""A bounded, thread-safe least-recently-used map for caches that are looked up and filled a batch at a time.

Written here rather than functools.lru_cache: its callers look up many keys at once and compute every miss in
one batched call (one model pass, one bm25s call), which a cache of one call per key cannot do.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most `size` entries; a hit makes an entry the most recent, and the least recent goes first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[K]) -> list[V | None]:
        """The value kept for each key, None where there is none."""
        found: list[V | None] = []
        with self._lock:
            for key in keys:
                value = self._entries.get(key)
                if value is not None:
                    self._entries.move_to_end(key)
                found.append(value)
        return found

    def get(self, key: K) -> V | None:
        """The value kept for `key`, or None."""
        return self.get_many([key])[0]

    def put_many(self, items: Mapping[K, V]) -> None:
        """Keep these values (as the most recent), dropping the least recent beyond `size`."""
        with self._lock:
            for key, value in items.items():
                self._entries[key] = value
                self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
