"""index/cache.py: the bounded least-recently-used map."""

from __future__ import annotations

from index.cache import LRUCache


def test_lru_keeps_the_most_recently_used_entries() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "x", "b", "a"]) == [1, None, 2, 1]  # "a" is now the most recent
    cache.put_many({"c": 3})
    assert len(cache) == 2
    assert cache.get_many(["a", "b", "c"]) == [1, None, 3]
    cache.put_many({"a": 10, "d": 4})  # replacing "a" makes it the most recent; "c" goes
    assert (cache.get("a"), cache.get("c"), cache.get("d")) == (10, None, 4)
