"""Authorize requests waiting for the person (sign-in, consent), and the CSRF protection of the hosted forms
(security-checklist WEB-04; RFC 6749 10.12).

A request that needs a page is stored server-side under an opaque 256-bit ``request_id`` (grants table,
``AUTHZ#{sha256(request_id)}``, ``PENDING_LIFETIME`` = 10 minutes) with its validated parameters. The forms carry
only ``request_id`` and a CSRF token; nothing the client sent travels through the browser again.

Binding to the browser: every browser gets a random ``tm_csrf`` cookie (``HttpOnly``, ``SameSite=Lax``,
``Path=/oauth2``). The stored request keeps the SHA-256 of the cookie that started it, and the form's CSRF token is
``HMAC-SHA256(key=cookie, "{purpose}:{request_id}")``. A post is accepted only when the cookie is the one that
started the request and the token matches (constant-time). A cross-site post carries no cookie (SameSite=Lax), a
request started in another browser (an attacker's) has another cookie, and the token cannot be computed without
the HttpOnly cookie. No server-side secret is needed, so nothing has to be provisioned or rotated.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Protocol

from ..sessions import hash_secret
from .params import AuthorizeParams

BROWSER_COOKIE = "tm_csrf"
PENDING_LIFETIME = timedelta(minutes=10)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


class PendingStore(Protocol):
    def create_authorize_request(self, id_hash: str, record: dict[str, Any], expires_at: datetime) -> bool: ...

    def get_authorize_request(self, id_hash: str, now: datetime) -> tuple[dict[str, Any], int] | None: ...

    def update_authorize_request(self, id_hash: str, record: dict[str, Any], expires_at: datetime,
                                 version: int) -> bool: ...

    def delete_authorize_request(self, id_hash: str) -> None: ...


def well_formed(value: str | None) -> bool:
    return isinstance(value, str) and bool(_TOKEN.fullmatch(value))


def new_browser_cookie() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(browser_cookie: str, request_id: str, purpose: str) -> str:
    mac = hmac.new(browser_cookie.encode(), f"{purpose}:{request_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


@dataclass(frozen=True)
class PendingRequest:
    """An authorize request in progress. ``request_id`` is the secret the forms carry (None until stored)."""

    server_id: str
    issuer: str
    params: AuthorizeParams
    browser_hash: str
    needs_login: bool
    created: int
    request_id: str | None = None
    version: int | None = None
    # The session that signed in for this request (its id hash): satisfies prompt=login / max_age.
    login_session: str | None = None
    user_id: str | None = None
    user_login: str | None = None
    # Scopes the consent page asks for, and scopes consented to within this request.
    consent_scopes: tuple[str, ...] = ()
    consented: tuple[str, ...] = ()

    @property
    def stored(self) -> bool:
        return self.request_id is not None

    def record(self) -> dict[str, Any]:
        return {"serverId": self.server_id, "issuer": self.issuer, "params": self.params.record(),
                "browserHash": self.browser_hash, "needsLogin": self.needs_login, "created": self.created,
                "loginSession": self.login_session, "userId": self.user_id, "userLogin": self.user_login,
                "consentScopes": list(self.consent_scopes), "consented": list(self.consented)}

    @classmethod
    def from_record(cls, request_id: str, version: int, record: dict[str, Any]) -> "PendingRequest":
        return cls(server_id=record["serverId"], issuer=record["issuer"],
                   params=AuthorizeParams.from_record(record["params"]), browser_hash=record["browserHash"],
                   needs_login=bool(record["needsLogin"]), created=int(record["created"]), request_id=request_id,
                   version=version, login_session=record.get("loginSession"), user_id=record.get("userId"),
                   user_login=record.get("userLogin"), consent_scopes=tuple(record.get("consentScopes") or ()),
                   consented=tuple(record.get("consented") or ()))

    def bound_to(self, browser_cookie: str | None) -> bool:
        """Whether ``browser_cookie`` is the cookie of the browser that started the request."""
        return well_formed(browser_cookie) and hmac.compare_digest(
            hash_secret(browser_cookie or "").encode(), self.browser_hash.encode())

    def csrf_ok(self, browser_cookie: str | None, token: str | None, purpose: str) -> bool:
        if self.request_id is None or not self.bound_to(browser_cookie) or not isinstance(token, str):
            return False
        expected = csrf_token(browser_cookie or "", self.request_id, purpose)
        return hmac.compare_digest(expected.encode(), token.encode())


class PendingRequests:
    def __init__(self, store: PendingStore, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    @staticmethod
    def _expires(pending: PendingRequest) -> datetime:
        return datetime.fromtimestamp(pending.created, timezone.utc) + PENDING_LIFETIME

    def store(self, pending: PendingRequest) -> PendingRequest:
        """Store a request (first time: a new ``request_id``; afterwards: conditional on the version read)."""
        if pending.request_id is None:
            request_id = secrets.token_urlsafe(32)
            if not self._store.create_authorize_request(hash_secret(request_id), pending.record(),
                                                        self._expires(pending)):
                raise RuntimeError("request id collision")  # 256 random bits: never
            return replace(pending, request_id=request_id, version=1)
        if not self._store.update_authorize_request(hash_secret(pending.request_id), pending.record(),
                                                    self._expires(pending), pending.version or 0):
            raise ConcurrentChange()
        return replace(pending, version=(pending.version or 0) + 1)

    def load(self, request_id: str | None) -> PendingRequest | None:
        if not well_formed(request_id):
            return None
        found = self._store.get_authorize_request(hash_secret(request_id or ""), self._now())
        if found is None:
            return None
        record, version = found
        try:
            return PendingRequest.from_record(request_id or "", version, record)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def finish(self, pending: PendingRequest) -> None:
        """The request got its answer (tokens or an error): it cannot be resumed again."""
        if pending.request_id is not None:
            self._store.delete_authorize_request(hash_secret(pending.request_id))


class ConcurrentChange(Exception):
    """The stored request changed since it was read (a double submit): the caller starts over from a fresh read."""
