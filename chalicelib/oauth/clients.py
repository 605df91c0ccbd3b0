"""Client records for the token path, from the per-container cache (see ``cache.py`` for how long a record is kept).

One exception to the bound: a secret that does not match the cached record is checked once more against a fresh
read, so a secret replaced by ``newSecret`` works at once instead of after the cache period (the old one keeps
working until then: the bound). Fresh reads are limited to one per client per ``RECHECK_INTERVAL``, so wrong
secrets cannot turn into a stream of reads.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any, Callable, Protocol

from .cache import DEFAULT_BUDGET, CacheStats, TTLCache, Vouch

RECHECK_INTERVAL = timedelta(seconds=5)


MAX_CHANGED = 10_000


class ClientSource(Protocol):
    def get_for_token(self, client_id: str, consistent: bool = False) -> Any: ...

    def verify_secret(self, client: Any, presented: str) -> bool: ...


def _nothing() -> None:
    return None


class CachedClients:
    """``freshen`` runs before every lookup: the change log's poll (``change_watch.ChangeWatch.poll``); ``vouch`` its
    ``vouched`` (``cache.py``)."""

    def __init__(self, source: ClientSource, ttl: timedelta, now: Callable[[], datetime],
                 freshen: Callable[[], None] = _nothing, budget: int = DEFAULT_BUDGET,
                 vouch: Vouch | None = None) -> None:
        self._source = source
        self._now = now
        self._freshen = freshen
        # Clients known to have changed since they were last read: their next read is strongly consistent, or an
        # eventually consistent read could bring back the record the change replaced and keep it for the TTL.
        self._changed: set[str] = set()
        self._cache: TTLCache[str, Any] = TTLCache(ttl, now, budget, vouch=vouch)
        self._rechecked_at: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def find(self, client_id: str) -> Any:
        if not client_id or len(client_id) > 100:
            return None
        self._freshen()
        return self._cache.get(client_id, lambda: self._load(client_id))[0]

    def _load(self, client_id: str) -> Any:
        with self._lock:
            consistent = client_id in self._changed
            self._changed.discard(client_id)
        return self._source.get_for_token(client_id, consistent=consistent)

    def changed(self, client_id: str) -> None:
        """The client's record changed: drop it, and read it strongly consistently next time."""
        with self._lock:
            if len(self._changed) >= MAX_CHANGED:
                self._changed.clear()  # never read since: at worst those few reads are eventually consistent
            self._changed.add(client_id)
        self._cache.invalidate(client_id)

    def verify_secret(self, client: Any, presented: str) -> bool:
        if self._source.verify_secret(client, presented):
            return True
        now = self._now()
        with self._lock:
            last = self._rechecked_at.get(client.client_id)
            if last is not None and now - last < RECHECK_INTERVAL:
                return False  # re-read for this client a moment ago already
            if len(self._rechecked_at) >= 10_000:
                self._rechecked_at.clear()
            self._rechecked_at[client.client_id] = now
        self._cache.invalidate(client.client_id)
        fresh = self.find(client.client_id)
        if fresh is None or fresh.active_secret_hashes == client.active_secret_hashes:
            return False
        return bool(self._source.verify_secret(fresh, presented))

    def stats(self) -> CacheStats:
        return self._cache.stats()

    def clear(self) -> None:
        """Forget every record and every recent re-check (``token_path_caches.TokenPathCaches.clear``)."""
        self._cache.clear()
        with self._lock:
            self._rechecked_at.clear()
            self._changed.clear()
