"""Pushed authorization requests waiting for their ``/v1/authorize`` (RFC 9126 2.2, 4; docs/ARCHITECTURE.md "Pushed
authorization requests and request objects").

The PAR endpoint (``oauth/endpoints/par.py``) stores the authorization request's parameters, already validated, under
a random reference and answers ``request_uri = urn:ietf:params:oauth:request_uri:<reference>``. The reference is 256
random bits (PAR-02: not guessable); only its SHA-256 is stored (grants table, ``PAR#{sha256}``, TTL ``expiresAt``).

``take`` is the one way to read a stored request: it deletes it in the same conditional step, so a ``request_uri``
is good for one ``/v1/authorize`` only, also under concurrency (PAR-01), and never after ``LIFETIME`` (PAR-03).
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping, Protocol

from ..sessions import hash_secret

URN_PREFIX = "urn:ietf:params:oauth:request_uri:"
LIFETIME = timedelta(seconds=60)
_REFERENCE = re.compile(r"[A-Za-z0-9_-]{43}")


class PushedStore(Protocol):
    def create_pushed_request(self, id_hash: str, record: dict[str, Any], expires_at: datetime) -> bool: ...

    def take_pushed_request(self, id_hash: str, now: datetime) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class PushedRequest:
    """What was pushed: the server and client it belongs to, and every authorization parameter (request object
    already resolved into them), as the authorize endpoint reads parameters."""

    server_id: str
    client_id: str
    params: Mapping[str, tuple[str, ...]]
    created: int

    def record(self) -> dict[str, Any]:
        return {"serverId": self.server_id, "clientId": self.client_id, "created": self.created,
                "params": {name: list(values) for name, values in self.params.items()}}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "PushedRequest":
        params = record["params"]
        if not isinstance(params, dict):
            raise ValueError("params")
        return cls(server_id=str(record["serverId"]), client_id=str(record["clientId"]),
                   params={str(k): tuple(str(v) for v in values) for k, values in params.items()},
                   created=int(record["created"]))


def reference(request_uri: str | None) -> str | None:
    """The reference inside one of our ``request_uri`` values; None for anything else (never a URL we would
    fetch: RFC 9101 10.4, JAR-07)."""
    if not request_uri or not request_uri.startswith(URN_PREFIX):
        return None
    ref = request_uri[len(URN_PREFIX):]
    return ref if _REFERENCE.fullmatch(ref) else None


class PushedRequests:
    def __init__(self, store: PushedStore, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    def push(self, server_id: str, client_id: str, params: Mapping[str, tuple[str, ...]]) -> tuple[str, int]:
        """Store the request; its ``request_uri`` and ``expires_in`` (seconds)."""
        now = self._now()
        ref = secrets.token_urlsafe(32)
        pushed = PushedRequest(server_id=server_id, client_id=client_id, params=dict(params),
                               created=int(now.timestamp()))
        expires = datetime.fromtimestamp(pushed.created, timezone.utc) + LIFETIME
        if not self._store.create_pushed_request(hash_secret(ref), pushed.record(), expires):
            raise RuntimeError("request_uri collision")  # 256 random bits: never
        return URN_PREFIX + ref, int(LIFETIME.total_seconds())

    def take(self, request_uri: str | None) -> PushedRequest | None:
        """The pushed request, consumed; None when the value is not ours, unknown, expired or used already."""
        ref = reference(request_uri)
        if ref is None:
            return None
        record = self._store.take_pushed_request(hash_secret(ref), self._now())
        if record is None:
            return None
        try:
            return PushedRequest.from_record(record)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
