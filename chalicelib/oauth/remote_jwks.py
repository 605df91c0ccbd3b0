"""Public keys of ``private_key_jwt`` clients registered with a ``jwks_uri`` (RFC 7591 2, RFC 7523 3).

Fetched by ``jwks_fetch.py`` (HTTPS to public addresses only, no redirects, one deadline, a size cap), cached per
URI for ``ttl``; a ``kid`` the cached set does not hold triggers one refetch, at most once per ``refetch_interval``
(a client rotating its key is picked up at once; a stream of unknown kids cannot turn into a stream of fetches).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

from .jwks_fetch import fetch_https_json

log = logging.getLogger(__name__)


class RemoteJwks:
    def __init__(self, now: Callable[[], datetime], fetch: Callable[[str], Mapping[str, Any]] = fetch_https_json,
                 ttl: timedelta = timedelta(minutes=5), refetch_interval: timedelta = timedelta(minutes=1)) -> None:
        self._now = now
        self._fetch = fetch
        self._ttl = ttl
        self._refetch = refetch_interval
        self._sets: dict[str, tuple[datetime, Mapping[str, Any]]] = {}
        self._failed: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def keys(self, uri: str, kid: str | None) -> Mapping[str, Any]:
        """The JWK set at ``uri`` (empty when it cannot be fetched: the assertion then fails to verify)."""
        now = self._now()
        with self._lock:
            cached = self._sets.get(uri)
            failed_at = self._failed.get(uri)
        fresh = cached is not None and now - cached[0] < self._ttl
        if cached is not None:
            fetched_at, jwks = cached
            knows_kid = kid is None or any(isinstance(k, Mapping) and k.get("kid") == kid
                                           for k in _listed(jwks))
            if fresh and (knows_kid or now - fetched_at < self._refetch):
                return jwks
        # A set older than ttl is never used again (a key the client removed must stop working), and a failing
        # fetch is retried at most once per refetch interval like an unknown kid.
        fallback: Mapping[str, Any] = cached[1] if cached is not None and fresh else {"keys": []}
        if failed_at is not None and now - failed_at < self._refetch:
            return fallback
        try:
            jwks = self._fetch(uri)
        except Exception as exc:  # noqa: BLE001 - any failure means "no keys", never a 500
            log.warning("fetching a client's jwks_uri failed: %s", type(exc).__name__)
            with self._lock:
                self._failed[uri] = now
            return fallback
        with self._lock:
            self._sets[uri] = (now, jwks)
            self._failed.pop(uri, None)
        return jwks

    def clear(self) -> None:
        """Forget every fetched set and failure: the next request for a URI fetches it."""
        with self._lock:
            self._sets.clear()
            self._failed.clear()


def _listed(jwks: Mapping[str, Any]) -> list[Any]:
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    return keys if isinstance(keys, list) else []
