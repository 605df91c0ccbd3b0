"""A per-container TTL cache for what the token path reads: server configuration and client records.

The warm path must make no AWS call (DESIGN.md "The warm path budget"), so each warm container keeps what it read
for at most ``ttl`` (``TOKENMINT_CACHE_SECONDS``, 30 s by default). A change made through the management API drops
its entry sooner: at once on the writing container, within a second elsewhere (``change_watch.py``); ``ttl`` is the
bound when that signal is lost. Misses are cached too, so
a stream of requests for an unknown client cannot turn into a stream of reads.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Callable, Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    def __init__(self, ttl: timedelta, now: Callable[[], datetime], max_entries: int = 1000) -> None:
        self._ttl = ttl
        self._now = now
        self._max = max_entries
        self._entries: dict[K, tuple[datetime, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K, load: Callable[[], V]) -> tuple[V, datetime]:
        """The cached value (loading it when absent or older than ``ttl``) and when it was read."""
        now = self._now()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self._ttl:
            return entry[1], entry[0]
        value = load()
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (now, value)
        return value, now

    def invalidate(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
