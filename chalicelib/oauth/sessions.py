"""Sign-in sessions of the hosted pages (security-checklist WEB-04; docs/ARCHITECTURE.md "Sign-in, consent and the
authorization code flow").

A session is an opaque 256-bit random id, sent to the browser in the ``tm_session`` cookie (``HttpOnly``,
``SameSite=Lax``, ``Path=/oauth2``, ``Secure`` over https; the attributes are the API layer's). Only its SHA-256 is
stored (grants table, ``SESSION#{sha256(id)}``), with the user, when and how the user authenticated, when the
session started and when it was last used.

Lifetime: ``IDLE`` (2 h without use) and ``ABSOLUTE`` (12 h after sign-in), whichever comes first. Expiry is
checked on every read: DynamoDB's TTL deletes expired items days late. Use moves the idle deadline at most once per
``TOUCH_EVERY`` (one write per few minutes of activity, not one per request).

Every successful sign-in starts a new session with a new id (no fixation); the previous one is deleted.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Protocol

SESSION_COOKIE = "tm_session"
IDLE = timedelta(hours=2)
ABSOLUTE = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=5)
# token_urlsafe(32): 43 base64url characters, 256 bits.
_ID = re.compile(r"[A-Za-z0-9_-]{43}")


class SessionStore(Protocol):
    def save_session(self, id_hash: str, record: dict[str, Any], expires_at: datetime) -> None: ...

    def get_session(self, id_hash: str, now: datetime) -> dict[str, Any] | None: ...

    def delete_session(self, id_hash: str) -> None: ...


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _ts(value: datetime) -> int:
    return int(value.timestamp())


def _dt(value: int) -> datetime:
    return datetime.fromtimestamp(int(value), timezone.utc)


@dataclass(frozen=True)
class LoginSession:
    id_hash: str
    user_id: str
    auth_time: datetime
    amr: tuple[str, ...]
    created: datetime
    last_seen: datetime

    @property
    def expires(self) -> datetime:
        return min(self.last_seen + IDLE, self.created + ABSOLUTE)

    def record(self) -> dict[str, Any]:
        return {"userId": self.user_id, "authTime": _ts(self.auth_time), "amr": list(self.amr),
                "created": _ts(self.created), "lastSeen": _ts(self.last_seen)}

    @classmethod
    def from_record(cls, id_hash: str, record: dict[str, Any]) -> "LoginSession":
        return cls(id_hash=id_hash, user_id=str(record["userId"]), auth_time=_dt(record["authTime"]),
                   amr=tuple(record.get("amr") or ("pwd",)), created=_dt(record["created"]),
                   last_seen=_dt(record["lastSeen"]))


class Sessions:
    def __init__(self, store: SessionStore, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    def start(self, user_id: str, amr: tuple[str, ...] = ("pwd",), replacing: str | None = None
              ) -> tuple[str, LoginSession]:
        """A new session for a user who just authenticated: ``(cookie value, session)``. ``replacing``: the
        browser's previous session cookie, ended here."""
        if replacing:
            self.end(replacing)
        now = self._now()
        session_id = secrets.token_urlsafe(32)
        session = LoginSession(id_hash=hash_secret(session_id), user_id=user_id, auth_time=now, amr=amr,
                               created=now, last_seen=now)
        self._store.save_session(session.id_hash, session.record(), session.expires)
        return session_id, session

    def current(self, cookie: str | None) -> LoginSession | None:
        """The live session the cookie names, or None (absent, malformed, unknown, idle too long or too old)."""
        if not cookie or not _ID.fullmatch(cookie):
            return None
        id_hash = hash_secret(cookie)
        now = self._now()
        record = self._store.get_session(id_hash, now)
        if record is None:
            return None
        try:
            session = LoginSession.from_record(id_hash, record)
        except (KeyError, TypeError, ValueError):
            return None
        if session.expires <= now:
            return None
        if now - session.last_seen >= TOUCH_EVERY:
            session = LoginSession(id_hash=id_hash, user_id=session.user_id, auth_time=session.auth_time,
                                   amr=session.amr, created=session.created, last_seen=now)
            self._store.save_session(id_hash, session.record(), session.expires)
        return session

    def end(self, cookie: str | None) -> bool:
        """Delete the session the cookie names (if any); True when there was a well-formed cookie."""
        if not cookie or not _ID.fullmatch(cookie):
            return False
        self._store.delete_session(hash_secret(cookie))
        return True
