"""A bounded in-process cache for Flask-Caching that forgets the least recently used entry.

Flask-Caching's own `SimpleCache` (from cachelib) prunes by scanning and sorting every entry on
each `set` once it is full: with thousands of fragments that costs milliseconds per stored
fragment, more than rendering it. This backend keeps the same behaviour and API but relies on
the dict's order: a read moves the entry to the end, and a store past the bound drops the entry
at the front, both in constant time.
"""

from time import time
from typing import Any

from flask_caching.backends.simplecache import SimpleCache


class LRUCache(SimpleCache):
    """`SimpleCache` with least-recently-used eviction in constant time."""

    def get(self, key: str) -> Any:
        with self._lock:
            entry = self._cache.pop(key, None)
            if entry is None:
                return None
            expires, value = entry
            if expires != 0 and expires <= time():
                return None
            self._cache[key] = entry  # now the most recently used
            return self.serializer.loads(value)

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool | None:
        with self._lock:
            self._cache.pop(key, None)  # stored again: the most recently used
            self._cache[key] = (self._normalize_timeout(timeout), self.serializer.dumps(value))
            self._prune()
            return True

    def _prune(self) -> None:
        while len(self._cache) > self._threshold:
            self._cache.pop(next(iter(self._cache)))
