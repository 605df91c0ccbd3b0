"""Public keys of ``private_key_jwt`` clients registered with a ``jwks_uri`` (RFC 7591 2, RFC 7523 3).

Fetched over HTTPS with a short timeout and a size cap, cached per URI for ``ttl``; a ``kid`` the cached set does
not hold triggers one refetch, at most once per ``refetch_interval`` (a client rotating its key is picked up at
once; a stream of unknown kids cannot turn into a stream of fetches).
"""
from __future__ import annotations

import json
import logging
import threading
import urllib.request
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

log = logging.getLogger(__name__)

MAX_BYTES = 64 * 1024
TIMEOUT_SECONDS = 3


def fetch_https_json(uri: str) -> Mapping[str, Any]:
    if not uri.startswith("https://"):
        raise ValueError("jwks_uri must be https")
    request = urllib.request.Request(uri, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - https only
        body = response.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise ValueError("JWK set too large")
    document = json.loads(body)
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWK set")
    return document


class RemoteJwks:
    def __init__(self, now: Callable[[], datetime], fetch: Callable[[str], Mapping[str, Any]] = fetch_https_json,
                 ttl: timedelta = timedelta(minutes=5), refetch_interval: timedelta = timedelta(minutes=1)) -> None:
        self._now = now
        self._fetch = fetch
        self._ttl = ttl
        self._refetch = refetch_interval
        self._sets: dict[str, tuple[datetime, Mapping[str, Any]]] = {}
        self._lock = threading.Lock()

    def keys(self, uri: str, kid: str | None) -> Mapping[str, Any]:
        """The JWK set at ``uri`` (empty when it cannot be fetched: the assertion then fails to verify)."""
        now = self._now()
        with self._lock:
            cached = self._sets.get(uri)
        if cached is not None:
            fetched_at, jwks = cached
            fresh = now - fetched_at < self._ttl
            knows_kid = kid is None or any(k.get("kid") == kid for k in jwks.get("keys", []))
            if fresh and (knows_kid or now - fetched_at < self._refetch):
                return jwks
        try:
            jwks = self._fetch(uri)
        except Exception as exc:  # noqa: BLE001 - any failure means "no keys", never a 500
            log.warning("fetching a client's jwks_uri failed: %s", type(exc).__name__)
            return cached[1] if cached else {"keys": []}
        with self._lock:
            self._sets[uri] = (now, jwks)
        return jwks
