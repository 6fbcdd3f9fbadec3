"""The in-process fragment cache keeps at most its bound and forgets the least recently used."""

from app import fragments
from tests.conftest import make_config


def test_the_least_recently_used_entry_goes_first():
    from app.lrucache import LRUCache

    cache = LRUCache(threshold=3)
    for key in "abc":
        cache.set(key, key.upper())
    assert cache.get("a") == "A"  # a is now the most recently used
    cache.set("d", "D")
    assert cache.get("b") is None
    assert [cache.get(key) for key in "acd"] == ["A", "C", "D"]
    cache.set("c", "C2")  # storing again also counts as a use
    cache.set("e", "E")
    assert cache.get("a") is None
    assert [cache.get(key) for key in "cde"] == ["C2", "D", "E"]
    assert len(cache._cache) == 3


def test_expired_entries_are_not_served():
    from app.lrucache import LRUCache

    cache = LRUCache(threshold=3)
    cache.set("a", "A", timeout=-1)
    assert cache.get("a") is None


def test_the_app_keeps_fragments_in_the_bounded_cache(tmp_path):
    from app import create_app

    app = create_app(make_config(tmp_path, FRAGMENT_CACHE_ENTRIES=2))
    with app.app_context():
        for key in ("one", "two", "three"):
            fragments.cache().set(key, key)
        assert fragments.cache().get("one") is None
        assert fragments.cache().get("three") == "three"
