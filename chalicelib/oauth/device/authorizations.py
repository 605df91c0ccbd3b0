"""Device authorizations (RFC 8628 3.1-3.5): what ``/v1/device/authorize`` issues, the user page decides and
``/v1/token`` redeems, and the limits on guessing user codes (RFC 8628 5.1, 5.2; docs/security-cases/device.md).

Stored in the grants table (``storage/device_layout.py``), secrets only as SHA-256:

* ``DEVICE#{sha256(device_code)}`` / ``DEVICE``: the authorization (server, client, requested scopes, the user code's
  hash, ``status``, polling interval and last poll, and once a person answered: the user, ``auth_time``, ``amr``,
  the scopes consented on the page). The device code is 256 random bits, so it cannot be guessed (DEV-05); a
  poll needs the code itself.
* ``USERCODE#{serverId}#{sha256(user code)}`` / ``USERCODE``: the user code's pointer to the device code's hash,
  written in the same transaction, only if no such user code exists (a collision draws another code).

Both live ``LIFETIME`` (600 s, Okta's ``expires_in``); every read checks expiry itself (TTL deletes late). Every
change of ``status`` is a write conditional on the version read: of two racing polls of an approved authorization
only one redeems it (DEV-07), and a person's answer cannot overwrite another's.

States: ``PENDING`` (waiting for a person) -> ``APPROVED`` / ``DENIED`` (a person answered on the page, or the
access policy refused there) -> ``REDEEMED`` (tokens minted once) or ``BURNED`` (the policy or the directory refused
at the token endpoint: never redeemable).

Guessing user codes is limited in two windows, as sign-in limits password guesses (``Limits``): each person may
enter at most ``per_user`` codes in ``user_window`` (each entry reserved before the lookup, like a sign-in attempt,
so parallel guesses get no more; a new session does not reset it), and each server takes at most ``per_server``
failed entries in ``server_window`` from everyone together, which bounds the chance that any guess hits a live code.
Past either limit the page refuses entries until the window ends.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Protocol

from ..sessions import hash_secret
from . import user_codes

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
LIFETIME = timedelta(seconds=600)
INTERVAL = 5  # seconds between polls (RFC 8628 3.2 default; Okta's)
SLOW_DOWN_STEP = 5  # RFC 8628 3.5: "the interval MUST be increased by 5 seconds for this and all subsequent requests"

PENDING, APPROVED, DENIED, REDEEMED, BURNED = "PENDING", "APPROVED", "DENIED", "REDEEMED", "BURNED"


class DeviceStore(Protocol):
    """The grants table's device items (storage/device_layout.py; tests/contract)."""

    def create_device_authorization(self, device_hash: str, server_id: str, user_code_hash: str,
                                    record: dict[str, Any], expires_at: datetime) -> bool:
        """Store an authorization and its user code's pointer together; False (nothing written) when the user code
        (or the device code) exists already."""

    def get_device_authorization(self, device_hash: str) -> tuple[dict[str, Any], int] | None:
        """The authorization and its version, expired or not; None when there is none."""

    def update_device_authorization(self, device_hash: str, record: dict[str, Any], expires_at: datetime,
                                    version: int) -> bool:
        """Replace it if the stored version is still ``version``; False when it moved."""

    def device_for_user_code(self, server_id: str, user_code_hash: str, now: datetime) -> str | None:
        """The device code's hash a live user code points to, else None."""

    def count_device_attempt(self, key: str, window: int, expires_at: datetime, limit: int | None) -> int | None:
        """Add one to the counter ``key`` of the window starting at ``window`` (epoch seconds) and return the new
        count; with ``limit``: only while the count is below it (None, nothing counted, otherwise). Atomic."""

    def device_attempts(self, key: str, window: int) -> int:
        """The count of ``key`` in the window starting at ``window`` (0 when none)."""


@dataclass(frozen=True)
class Limits:
    per_user: int = 10
    user_window: timedelta = timedelta(minutes=15)
    per_server: int = 200
    server_window: timedelta = timedelta(minutes=10)


@dataclass(frozen=True)
class DeviceAuthorization:
    device_hash: str
    server_id: str
    client_id: str
    scopes: tuple[str, ...] | None  # as requested; None: the server's default scopes
    user_code_hash: str
    created: int
    expires: int
    interval: int = INTERVAL
    last_poll: int | None = None
    status: str = PENDING
    # The session (its id hash) that entered the user code last: only it may answer (DEV-03).
    entered_by: str | None = None
    user_id: str | None = None
    auth_time: int | None = None
    amr: tuple[str, ...] = ()
    consented: tuple[str, ...] = ()
    # Why it was DENIED (the policy's error and description; None: the person said no).
    error: str | None = None
    error_description: str | None = None
    version: int = 0

    def expired(self, now: datetime) -> bool:
        return int(now.timestamp()) >= self.expires

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, timezone.utc)

    def record(self) -> dict[str, Any]:
        return {"serverId": self.server_id, "clientId": self.client_id,
                "scopes": list(self.scopes) if self.scopes is not None else None,
                "userCodeHash": self.user_code_hash, "created": self.created, "expires": self.expires,
                "interval": self.interval, "lastPoll": self.last_poll, "status": self.status,
                "enteredBy": self.entered_by, "userId": self.user_id, "authTime": self.auth_time,
                "amr": list(self.amr), "consented": list(self.consented), "error": self.error,
                "errorDescription": self.error_description}

    @classmethod
    def from_record(cls, device_hash: str, record: dict[str, Any], version: int) -> "DeviceAuthorization":
        scopes = record.get("scopes")
        return cls(device_hash=device_hash, server_id=str(record["serverId"]), client_id=str(record["clientId"]),
                   scopes=tuple(scopes) if scopes is not None else None,
                   user_code_hash=str(record["userCodeHash"]), created=int(record["created"]),
                   expires=int(record["expires"]), interval=int(record.get("interval") or INTERVAL),
                   last_poll=int(record["lastPoll"]) if record.get("lastPoll") is not None else None,
                   status=str(record["status"]), entered_by=record.get("enteredBy"), user_id=record.get("userId"),
                   auth_time=int(record["authTime"]) if record.get("authTime") is not None else None,
                   amr=tuple(record.get("amr") or ()), consented=tuple(record.get("consented") or ()),
                   error=record.get("error"), error_description=record.get("errorDescription"), version=version)


@dataclass(frozen=True)
class Issued:
    device_code: str
    user_code: str  # normalised; user_codes.display() for people
    authorization: DeviceAuthorization


class DeviceAuthorizations:
    def __init__(self, store: DeviceStore, now: Callable[[], datetime], limits: Limits = Limits()) -> None:
        self._store = store
        self._now = now
        self.limits = limits

    # -- issuing -------------------------------------------------------------------------------------------------

    def issue(self, server_id: str, client_id: str, scopes: tuple[str, ...] | None) -> Issued:
        now = self._now()
        created = int(now.timestamp())
        for _attempt in range(5):
            device_code = secrets.token_urlsafe(32)
            user_code = user_codes.generate()
            authorization = DeviceAuthorization(
                device_hash=hash_secret(device_code), server_id=server_id, client_id=client_id, scopes=scopes,
                user_code_hash=hash_secret(user_code), created=created,
                expires=created + int(LIFETIME.total_seconds()), version=1)
            if self._store.create_device_authorization(authorization.device_hash, server_id,
                                                       authorization.user_code_hash, authorization.record(),
                                                       authorization.expires_at):
                return Issued(device_code, user_code, authorization)
        raise RuntimeError("no free user code after 5 draws")  # 2.56e10 codes: never in practice

    # -- reading -------------------------------------------------------------------------------------------------

    def by_device_code(self, device_code: str | None) -> DeviceAuthorization | None:
        """The authorization of a device code (expired or consumed ones too); None for anything never issued."""
        if not isinstance(device_code, str) or not 20 <= len(device_code) <= 128:
            return None
        return self._load(hash_secret(device_code))

    def by_user_code(self, server_id: str, user_code: str) -> DeviceAuthorization | None:
        """The live authorization of a normalised user code at this server, else None."""
        device_hash = self._store.device_for_user_code(server_id, hash_secret(user_code), self._now())
        if device_hash is None:
            return None
        found = self._load(device_hash)
        if found is None or found.server_id != server_id or found.expired(self._now()):
            return None
        return found

    def _load(self, device_hash: str) -> DeviceAuthorization | None:
        found = self._store.get_device_authorization(device_hash)
        if found is None:
            return None
        try:
            return DeviceAuthorization.from_record(device_hash, found[0], found[1])
        except (KeyError, TypeError, ValueError):
            return None

    # -- changing ------------------------------------------------------------------------------------------------

    def save(self, before: DeviceAuthorization, after: DeviceAuthorization) -> DeviceAuthorization | None:
        """Write ``after`` if the stored authorization is still ``before``; the stored result, or None when it
        moved (someone else answered or polled meanwhile)."""
        if not self._store.update_device_authorization(before.device_hash, after.record(), before.expires_at,
                                                       before.version):
            return None
        return replace(after, version=before.version + 1)

    # -- guessing limits (RFC 8628 5.1) ----------------------------------------------------------------------------

    @staticmethod
    def _window(now: datetime, size: timedelta) -> tuple[int, datetime]:
        seconds = int(size.total_seconds())
        start = int(now.timestamp()) // seconds * seconds
        return start, datetime.fromtimestamp(start + seconds, timezone.utc)

    def reserve_entry(self, server_id: str, user_id: str) -> bool:
        """Count one code entry of a person before the code is looked up; False (nothing looked up) when the
        person or the server has used up its window."""
        now = self._now()
        server_window, _ = self._window(now, self.limits.server_window)
        if self._store.device_attempts(f"SERVER#{server_id}", server_window) >= self.limits.per_server:
            return False
        window, ends = self._window(now, self.limits.user_window)
        return self._store.count_device_attempt(f"USER#{user_id}", window, ends, self.limits.per_user) is not None

    def entry_failed(self, server_id: str) -> None:
        """An entry that matched no live code, counted against the server's window."""
        window, ends = self._window(self._now(), self.limits.server_window)
        self._store.count_device_attempt(f"SERVER#{server_id}", window, ends, None)
