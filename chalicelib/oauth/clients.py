"""Client records for the token path, from the per-container cache (see ``cache.py`` for the staleness bound)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable, Protocol

from .cache import TTLCache


class ClientSource(Protocol):
    def get_for_token(self, client_id: str) -> Any: ...

    def verify_secret(self, client: Any, presented: str) -> bool: ...


class CachedClients:
    def __init__(self, source: ClientSource, ttl: timedelta, now: Callable[[], datetime]) -> None:
        self._source = source
        self._cache: TTLCache[str, Any] = TTLCache(ttl, now, max_entries=10_000)

    def find(self, client_id: str) -> Any:
        if not client_id or len(client_id) > 100:
            return None
        return self._cache.get(client_id, lambda: self._source.get_for_token(client_id))[0]

    def verify_secret(self, client: Any, presented: str) -> bool:
        return self._source.verify_secret(client, presented)
