"""The origins browser apps may call the OAuth endpoints from, as the token path reads them: a per-container cache
of one entry (docs/ARCHITECTURE.md "CORS").

Checking an ``Origin`` must cost the token path no read: the set of allowed origins (ACTIVE trusted origins with the
``CORS`` scope, normalised) is loaded with one strongly consistent Query and kept like a server's configuration:
dropped when the change log says the trusted origins changed (``changes.TRUSTED_ORIGINS``: at once on the container
that made the change, within a second elsewhere) and read again after ``TOKENMINT_CACHE_SECONDS``, or, while the change
log vouches for the caches, after ``changes.LOG_TRUST`` (``cache.py``) at the latest.
Only requests that carry an ``Origin`` header ask (browsers send it on cross-origin ``fetch``; servers do not).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, Iterable

from .cache import CacheStats, TTLCache, Vouch

_KEY = "cors"
BUDGET = 1024 * 1024  # a thousand origins take ~100 KB


def _nothing() -> None:
    return None


class CorsOrigins:
    """``load`` returns the allowed origins; ``freshen`` is the change log's poll
    (``change_watch.ChangeWatch.poll``), ``vouch`` its ``vouched``."""

    def __init__(self, load: Callable[[], Iterable[str]], ttl: timedelta, now: Callable[[], datetime],
                 freshen: Callable[[], None] = _nothing, budget: int = BUDGET, vouch: Vouch | None = None) -> None:
        self._load = load
        self._freshen = freshen
        self._cache: TTLCache[str, frozenset[str]] = TTLCache(ttl, now, budget, vouch=vouch)

    def allowed(self) -> frozenset[str]:
        self._freshen()
        origins, _read_at = self._cache.get(_KEY, lambda: frozenset(self._load()))
        return origins

    def changed(self) -> None:
        """The trusted origins changed: the next lookup reads them again."""
        self._cache.invalidate(_KEY)

    def clear(self) -> None:
        self._cache.clear()

    def stats(self) -> CacheStats:
        return self._cache.stats()
