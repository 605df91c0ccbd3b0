"""Remembered consent: the scopes a user allowed a client of an authorization server (okta-api.md 4.5; Okta's
"user grants", ``/api/v1/users/{userId}/grants``).

One item per (user, server, client, scope) in the grants table (``CONSENT#{userId}``,
``{serverId}#{clientId}#{scope}``), without an expiry: a consent lasts until it is revoked through the admin API
(``api/user_grants.py``). Reading a user's consents is one Query of the user's partition. Revoking a consent also
revokes the refresh tokens (and their access tokens) the user holds for that client with that scope
(``RefreshTokens.revoke_consented``, handed in as ``on_revoke``): they were issued on the strength of it.
"""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Protocol

_ALPHABET = string.ascii_letters + string.digits


class ConsentStore(Protocol):
    def consent_grants(self, user_id: str) -> list[dict[str, Any]]: ...

    def save_consent_grants(self, user_id: str, records: list[tuple[str, dict[str, Any]]]) -> None: ...

    def delete_consent_grant(self, user_id: str, key: str) -> None: ...


def new_grant_id() -> str:
    """Okta's consent-grant ids: ``oag`` + 17 characters."""
    return "oag" + "".join(secrets.choice(_ALPHABET) for _ in range(17))


@dataclass(frozen=True)
class ConsentGrant:
    """Okta's ``OAuth2ScopeConsentGrant``: one scope a user consented to for one client of one server."""

    id: str
    user_id: str
    server_id: str
    client_id: str
    scope: str
    scope_id: str | None
    issuer: str | None
    created: datetime
    last_updated: datetime
    key: str

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "ConsentGrant":
        return cls(id=record["id"], user_id=record["userId"], server_id=record["serverId"],
                   client_id=record["clientId"], scope=record["scope"], scope_id=record.get("scopeId"),
                   issuer=record.get("issuer"),
                   created=datetime.fromtimestamp(int(record["created"]), timezone.utc),
                   last_updated=datetime.fromtimestamp(int(record["lastUpdated"]), timezone.utc),
                   key=record["_key"])


def _key(server_id: str, client_id: str, scope: str) -> str:
    return f"{server_id}#{client_id}#{scope}"


# Called with the user id and the (server id, client id, scope) of every consent just revoked.
OnRevoke = Callable[[str, list[tuple[str, str, str]]], object]


class Consents:
    def __init__(self, store: ConsentStore, now: Callable[[], datetime], on_revoke: OnRevoke | None = None) -> None:
        self._store = store
        self._now = now
        self._on_revoke = on_revoke

    def list(self, user_id: str, *, client_id: str | None = None, server_id: str | None = None
             ) -> list[ConsentGrant]:
        grants = []
        for record in self._store.consent_grants(user_id):
            try:
                grant = ConsentGrant.from_record(record)
            except (KeyError, TypeError, ValueError):
                continue
            if (client_id is None or grant.client_id == client_id) and \
                    (server_id is None or grant.server_id == server_id):
                grants.append(grant)
        return sorted(grants, key=lambda g: (g.created, g.id))

    def granted(self, user_id: str, server_id: str, client_id: str) -> frozenset[str]:
        """The scopes the user consented to for this client of this server."""
        return frozenset(g.scope for g in self.list(user_id, client_id=client_id, server_id=server_id))

    def remember(self, user_id: str, server_id: str, client_id: str, scopes: Iterable[tuple[str, str | None]],
                 issuer: str) -> None:
        """Store consent to ``(scope name, scope id)`` pairs (again: refreshes ``lastUpdated``, keeps the id)."""
        now = int(self._now().timestamp())
        existing = {g.key: g for g in self.list(user_id, client_id=client_id, server_id=server_id)}
        records = []
        for name, scope_id in scopes:
            key = _key(server_id, client_id, name)
            before = existing.get(key)
            records.append((key, {
                "id": before.id if before else new_grant_id(), "userId": user_id, "serverId": server_id,
                "clientId": client_id, "scope": name, "scopeId": scope_id, "issuer": issuer,
                "created": int(before.created.timestamp()) if before else now, "lastUpdated": now,
            }))
        if records:
            self._store.save_consent_grants(user_id, records)

    def revoke(self, user_id: str, *, client_id: str | None = None, grant_id: str | None = None) -> int:
        """Forget consents of the user (all, one client's, or one grant), then revoke the tokens that stood on
        them; how many consents were removed."""
        removed: list[tuple[str, str, str]] = []
        for grant in self.list(user_id, client_id=client_id):
            if grant_id is not None and grant.id != grant_id:
                continue
            self._store.delete_consent_grant(user_id, grant.key)
            removed.append((grant.server_id, grant.client_id, grant.scope))
        if removed and self._on_revoke is not None:
            self._on_revoke(user_id, removed)
        return len(removed)
