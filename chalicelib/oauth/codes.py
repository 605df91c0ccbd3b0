"""Authorization codes (RFC 6749 4.1.2, 10.5; RFC 7636; security-checklist CODE-01..09, PKCE-01..11).

A code is 256 random bits (``secrets.token_urlsafe(32)``); only its SHA-256 is stored (grants table,
``CODE#{sha256(code)}``), with everything the token endpoint must check and mint from: server, client, redirect
URI, PKCE challenge, the DPoP key it is bound to (RFC 9449 10), user, granted scopes, nonce, auth_time/amr, the
matched policy and rule and their token lifetimes. A code lives ``CODE_LIFETIME`` (300 s, Okta's).

Single use: redeeming (and burning, on a failed redemption) is a write conditional on the version read, so of two
concurrent redemptions exactly one wins. A consumed code's record is kept (``KEEP_CONSUMED``) with the ``jti`` of
the access token and the refresh-token family issued from it, so that a replay can revoke them (CODE-02).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Callable, Protocol

from .sessions import hash_secret

CODE_LIFETIME = timedelta(seconds=300)
# How long a consumed code is remembered, so that a late replay still revokes what it issued: the longest access
# token a rule allows (24 h).
KEEP_CONSUMED = timedelta(hours=24)
_CODE = re.compile(r"[A-Za-z0-9_-]{43}")
# RFC 7636 4.1: code_verifier = 43*128 unreserved characters; 4.2: an S256 challenge is 43 base64url characters.
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")

# States of a stored code.
ISSUED = "ISSUED"
REDEEMED = "REDEEMED"  # tokens were issued from it
BURNED = "BURNED"  # a redemption failed (wrong client, redirect URI or verifier, user gone): never redeemable


class CodeStore(Protocol):
    """Codes by the hash of their value (storage/front_channel_repository.py maps them to the grants table)."""

    def create_code(self, code: "StoredCode") -> bool:
        """Store a new code, kept until it expires; False when one with that hash exists."""

    def get_code(self, code_hash: str) -> "StoredCode | None":
        """The code whether or not it expired (a replay of a consumed code must still be recognised); None when
        there is none, or its record cannot be read."""

    def update_code(self, code: "StoredCode", keep_until: datetime) -> bool:
        """Replace the code if the stored one is still at ``code.version`` (single use: two redemptions cannot both
        win); False when it moved."""


def s256(verifier: str) -> str:
    """RFC 7636 4.2: BASE64URL(SHA256(ASCII(code_verifier)))."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode().rstrip("=")


def verify_pkce(challenge: str, verifier: str | None) -> bool:
    """Whether ``verifier`` belongs to an S256 ``challenge`` (PKCE-01/02/03/05; compared in constant time,
    PKCE-11)."""
    if not isinstance(verifier, str) or not VERIFIER.fullmatch(verifier):
        return False
    return hmac.compare_digest(s256(verifier).encode(), challenge.encode())


@dataclass(frozen=True)
class CodeGrant:
    """What a code was issued for."""

    server_id: str
    client_id: str
    redirect_uri: str
    user_id: str
    scopes: tuple[str, ...]
    auth_time: int
    amr: tuple[str, ...] = ("pwd",)
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    policy_id: str | None = None
    rule_id: str | None = None
    access_token_lifetime_minutes: int = 60
    refresh_token_lifetime_minutes: int = 0
    refresh_token_window_minutes: int = 10080
    dpop_jkt: str | None = None  # RFC 9449 10: redeemed only with a DPoP proof by this key


@dataclass(frozen=True)
class StoredCode:
    """A code as read, with the version every state change is conditional on."""

    code_hash: str
    grant: CodeGrant
    state: str
    issued_at: datetime
    expires_at: datetime
    version: int
    # What a redemption issued (revoked on replay).
    access_jti: str | None = None
    access_expires: int | None = None
    refresh_family: str | None = None
    replayed: bool = False

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


class Codes:
    def __init__(self, store: CodeStore, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    def issue(self, grant: CodeGrant) -> str:
        now = self._now()
        code = secrets.token_urlsafe(32)
        stored = StoredCode(code_hash=hash_secret(code), grant=grant, state=ISSUED, issued_at=now,
                            expires_at=now + CODE_LIFETIME, version=0)
        if not self._store.create_code(stored):
            raise RuntimeError("authorization code collision")  # 256 random bits: never
        return code

    def find(self, code: str | None) -> StoredCode | None:
        """The stored code (expired or consumed ones too), or None when it was never issued."""
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            return None
        return self._store.get_code(hash_secret(code))

    def _planned(self, stored: StoredCode, updated: StoredCode) -> tuple[StoredCode, datetime]:
        """``updated`` to be written on condition that the stored version is still ``stored``'s, and until when it
        is kept (a consumed code is remembered, so that a replay is recognised)."""
        keep = max(updated.expires_at, self._now() + KEEP_CONSUMED) if updated.state != ISSUED \
            else updated.expires_at
        return replace(updated, version=stored.version), keep

    def _write(self, stored: StoredCode, updated: StoredCode) -> bool:
        return self._store.update_code(*self._planned(stored, updated))

    def redemption(self, stored: StoredCode, access_jti: str, access_expires: int, refresh_family: str
                   ) -> tuple[StoredCode, datetime]:
        """``redeem``'s write, with the refresh-token family it issues, for the refresh-token store to make in the
        same transaction as the family (oauth/refresh_tokens.RefreshTokens.issue_redeeming)."""
        return self._planned(stored, replace(stored, state=REDEEMED, access_jti=access_jti,
                                             access_expires=access_expires, refresh_family=refresh_family))

    def redeem(self, stored: StoredCode, access_jti: str, access_expires: int) -> bool:
        """Mark an ISSUED code redeemed, with the access token issued from it; False when another redemption (or
        burn) got there first."""
        return self._write(stored, replace(stored, state=REDEEMED, access_jti=access_jti,
                                           access_expires=access_expires))

    def burn(self, stored: StoredCode) -> bool:
        """Make an ISSUED code unusable after a failed redemption; False when its state moved meanwhile."""
        return self._write(stored, replace(stored, state=BURNED))

    def mark_replayed(self, stored: StoredCode) -> StoredCode:
        """Record that a consumed code was presented again; returns the code as now stored (with the refresh-token
        family its redemption created in the same write, if any)."""
        current = stored
        for _attempt in range(5):
            if self._write(current, replace(current, replayed=True)):
                return replace(current, replayed=True, version=current.version + 1)
            again = self.reread(current)
            if again is None:
                return current
            current = again
        return current

    def reread(self, stored: StoredCode) -> StoredCode | None:
        return self._store.get_code(stored.code_hash)
