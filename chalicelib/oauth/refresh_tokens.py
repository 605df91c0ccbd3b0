"""Refresh tokens (okta-api.md 7.4, 8.4; RFC 6749 6, 10.4; OAuth 2.0 Security BCP 4.14; security-checklist
RT-01..14, REV-05, INT-03).

A refresh token is opaque to clients: its family's id, a dot and a 256-bit random value
(``secrets.token_urlsafe(32)``: 43 URL-safe characters, RFC 6749 A.17), 64 characters in all; only its SHA-256 is
stored (a slow hash buys nothing for a value nobody can guess). The id is there so that a refresh reads the family
directly (one read, not the token's record and then the family); tokens issued before it are still found through
their record. Every refresh token
belongs to a *family*: the grant it came from (a password sign-in, an authorization-code redemption). The family
carries the user, the scopes, the original grant type, the lifetimes fixed at issuance, and the hash of the one
token that is current. Okta's management API shows a family as a "refresh token" with id ``oar…``; that id is the
``family_id`` of ``issue``. Storage: ``storage/refresh_token_repository.py``.

Rules
-----
* **Rotation on every use.** A refresh returns a new refresh token; the presented one becomes ROTATED (its hash is
  no longer the family's current hash, and joins the family's ``rotated``). Rotation is one write of the family
  conditional on its version, so of two refreshes racing with the same token exactly one wins.
* **Reuse detection.** Presenting a ROTATED token (or losing the race above) revokes the whole family: the current
  refresh token and every unexpired access token the family issued (their ``jti`` go to the revocation list that
  introspection and userinfo consult). No grace period (Okta's optional leeway is not offered): a client must store
  each new refresh token before using it. A rotated token is recognised by the family itself, which remembers the
  hashes of its last ``MAX_ROTATED`` rotated-out tokens until each would have expired (since 2026-12-05; before,
  each token had a record of its own, ``RT#{hash}``, written in the rotation's transaction: tokens issued before are
  still recognised by it). A made-up random part after a real family id matches neither and is merely invalid.
* **Lifetimes** come from the rule that matched at issuance and stay with the family (Okta: "every refresh returns a
  new RT that keeps the original expiry"): ``refreshTokenLifetimeMinutes`` (0 = unlimited) caps the family from its
  creation; ``refreshTokenWindowMinutes`` is the idle window: each token expires that long after it was issued.
* **Binding.** A token is usable only by the client it was issued to and only at its server (``invalid_grant``,
  nothing revoked: the presenter may not be the holder).
* **The user and the client, checked at every use** (``vouching.py``). The family dies (is deleted, with its
  access tokens revoked) when its user no longer exists, is not ACTIVE, changed status since the family was created
  (deactivated, suspended or locked out, even if reactivated since: from ACTIVE every status change leaves ACTIVE)
  or changed password since, or is no longer assigned to the client; or when its client was deactivated since
  (even if active again). Deleting a client makes its families unusable for ever (it cannot authenticate; ids are
  never reused). So no cross-module hook is needed; the management list hides dead families, and their items expire
  by TTL.
* **Consent.** Revoking a user's consent to a client (``consent.py``) revokes the user's families of that client
  at the servers the consent was for (``revoke_user``): the family was granted on the strength of that consent.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

from .. import ids
from ..domain import ACTIVE, OAuthClient, User, UserAccess
from .directory import Directory
from .errors import InvalidGrantError
from .vouching import client_vouches, user_vouches

log = logging.getLogger("tokenmint.oauth")

FAMILY_ID_PREFIX = "oar"  # Okta's refresh-token ids
FAMILY_ID = re.compile(r"oar[A-Za-z0-9]{17}")
SEPARATOR = "."  # between a token's family id and its random part (an RFC 6749 VSCHAR, URL-safe)
REFRESH_TOKEN_GRANT = "refresh_token"
OFFLINE_ACCESS = "offline_access"
INVALID = "The refresh token is invalid or expired."
# Access tokens a family remembers (to revoke them with it); older ones beyond this are forgotten.
MAX_ACCESS_TOKENS = 100
# Rotated-out tokens a family recognises as reuse (the latest; older ones beyond this are merely invalid), each by
# the first ROTATED_HASH_CHARS hex digits of its SHA-256: 128 bits, as unguessable as needed to name a token
# already issued, at half the item size.
MAX_ROTATED = 100
ROTATED_HASH_CHARS = 32


def new_family_id() -> str:
    return ids.new_id(FAMILY_ID_PREFIX)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(family_id: str) -> str:
    """``{family_id}.{256 random bits}``: the family id lets a refresh read the family at once (its key is the
    request's server and client plus this id) instead of first reading the token's record to find it. The random
    part is what makes it unguessable; the id is no secret (the management API shows it)."""
    return f"{family_id}{SEPARATOR}{secrets.token_urlsafe(32)}"


def family_id_of(token: str) -> str | None:
    """The family id a token names (tokens issued before it had one, and garbage, name none)."""
    family_id, separator, rest = token.partition(SEPARATOR)
    return family_id if separator and rest and FAMILY_ID.fullmatch(family_id) else None


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


def dpop_binding(client: OAuthClient, jkt: str | None) -> str | None:
    """The key a new family is bound to: a public client's DPoP key (RFC 9449 5). A confidential client's refresh
    tokens are bound to its client authentication already, so its families stay unbound (its access tokens are
    still bound, per request)."""
    return jkt if client.token_endpoint_auth_method == "none" else None


def refresh_token_due(client: OAuthClient, granted_scopes: Sequence[str]) -> bool:
    """Whether a grant should come with a refresh token: ``offline_access`` was granted and the client is
    registered for the ``refresh_token`` grant (Okta's rule; security-checklist RT-12, TOK-06)."""
    return OFFLINE_ACCESS in granted_scopes and REFRESH_TOKEN_GRANT in client.grant_types


@dataclass(frozen=True)
class Family:
    """One grant's refresh tokens (Okta's management "refresh token" object)."""

    id: str
    server_id: str
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    auth_time: int
    amr: tuple[str, ...]
    grant_type: str
    lifetime_minutes: int
    window_minutes: int
    created: datetime
    last_updated: datetime  # when the current token was issued
    ends_at: datetime | None  # the absolute end (None: unlimited lifetime)
    expires_at: datetime  # when the current token expires: idle window, capped by ends_at
    current_hash: str
    access_tokens: tuple[tuple[str, int], ...] = ()  # (jti, exp) of access tokens it issued
    version: int = 0
    # (hash prefix, exp) of its rotated-out tokens, until each would have expired: presenting one is reuse.
    rotated: tuple[tuple[str, int], ...] = ()
    # The DPoP key a public client's family is bound to (RFC 9449 5): every refresh needs a proof by it.
    jkt: str | None = None
    # When the family's pointers (by id, by user) expire: they must outlive the family, yet rewriting them at every
    # rotation would double its write (``moves_pointers``). None: stored before pointers ran ahead of the family.
    pointers_until: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= now

    def rotated_out(self, token_hash: str) -> bool:
        """Whether the token of this hash was one of the family's, rotated out since."""
        prefix = token_hash[:ROTATED_HASH_CHARS].encode()
        return any(hmac.compare_digest(h.encode(), prefix) for h, _exp in self.rotated)

    def pointers_reach(self, now: datetime) -> datetime:
        """How long pointers written at ``now`` last: a window beyond the token issued now (never past the end), so
        that only a rotation a window later or more has to move them again."""
        return self.next_expiry(now + timedelta(minutes=self.window_minutes))

    def moves_pointers(self, expires_at: datetime) -> bool:
        """Whether a token expiring at ``expires_at`` would outlive the family's pointers."""
        return self.pointers_until is None or expires_at > self.pointers_until

    def next_expiry(self, now: datetime) -> datetime:
        """When a token issued at ``now`` expires: the idle window, never past the family's end."""
        idle = now + timedelta(minutes=self.window_minutes)
        return min(idle, self.ends_at) if self.ends_at else idle


@dataclass(frozen=True)
class IssuedToken:
    """A refresh token's own record (stored by its hash), written for every token issued before 2026-12-05: where
    its family is. It outlives its family's rotation until it would have expired itself, so that such a token,
    rotated out, is still recognised as reuse. (Families now remember their rotated-out tokens themselves.)"""

    server_id: str
    client_id: str
    family_id: str
    issued: int
    expires_at: int


@dataclass(frozen=True)
class CodeWrite:
    """An authorization code as a redemption stores it (oauth/codes.Codes.redemption): the code, whose ``version``
    is the one read (the write's condition), and how long the item is kept."""

    code: Any  # oauth/codes.StoredCode (codes imports this module's neighbours; kept loose to avoid a cycle)
    keep_until: datetime


class Store(Protocol):
    """``storage.refresh_token_repository.RefreshTokenRepository`` (the stored shape is storage's)."""

    def create(self, family: Family, code: "CodeWrite | None" = None) -> bool:
        """A new family (its first token is its ``current_hash``) with its pointers, in one transaction; False when
        it exists. With ``code``: the authorization code is replaced in the same transaction, on condition that its
        version is still ``code.code.version`` (False, and nothing written, when another redemption or a burn moved
        it): a redemption is one write."""

    def rotate(self, family: Family, pointers: bool = True) -> bool:
        """Replace the family if the stored one is still at ``family.version`` (one rotation per token wins): one
        conditional write; with ``pointers``, in one transaction with the family's pointers rewritten (their expiry
        is ``family.pointers_until``). False when the family moved or is gone."""

    def delete(self, server_id: str, client_id: str, family_id: str, user_id: str | None = None,
               revoke: tuple[tuple[str, int], ...] = (), pointer: bool = True) -> None:
        """Remove the family, its pointer (unless ``pointer`` is False) and the user's one when ``user_id`` is given,
        and mark the access tokens ``revoke`` names (``(jti, exp)``, issued to ``client_id``) revoked, in one write.
        The family's token items are left to their TTL: every reader of a token goes through its family."""

    def user_families(self, user_id: str) -> Iterator[tuple[str, str, str]]:
        """(server id, client id, family id) of the user's families."""

    def token(self, token_hash: str) -> IssuedToken | None:
        """The record of a token issued before 2026-12-05 (None for any other)."""

    def family(self, server_id: str, client_id: str, family_id: str) -> Family | None: ...

    def locate(self, family_id: str) -> tuple[str, str] | None: ...

    def families(self, server_id: str, client_id: str, after: str | None = None) -> Iterator[Family]:
        """The client's families of the server in family-id order, strictly after family id ``after``."""


@dataclass(frozen=True)
class Presented:
    """A refresh token that passed ``redeem``: its family and its hash (for ``rotate``)."""

    family: Family
    token_hash: str


@dataclass
class RefreshTokens:
    store: Store
    directory: Directory
    now: Callable[[], datetime]

    # -- the contract of the front channel --------------------------------------------------------------------------

    def issue(self, *, server_id: str, client_id: str, user_id: str, scopes: tuple[str, ...], auth_time: int | None,
              amr: tuple[str, ...], lifetime_minutes: int, window_minutes: int, now: datetime,
              grant_type: str = "authorization_code", access_token: tuple[str, datetime] | None = None,
              jkt: str | None = None) -> tuple[str, str]:
        """A new family with its first refresh token: ``(refresh_token, family_id)``. ``lifetime_minutes`` and
        ``window_minutes`` are the matched rule's ``refreshTokenLifetimeMinutes`` (0 = unlimited) and
        ``refreshTokenWindowMinutes``; ``grant_type`` the grant that matched it (refreshes are judged by it);
        ``access_token``: ``(jti, expires_at)`` of the access token issued with it, revoked with the family;
        ``jkt``: the DPoP key the family is bound to (``dpop_binding``)."""
        family, token = self._new_family(server_id, client_id, user_id, scopes, auth_time, amr, lifetime_minutes,
                                         window_minutes, now, grant_type, access_token, jkt, new_family_id())
        if not self.store.create(family):
            raise RuntimeError("refresh-token id collision")  # 2^256 tokens, 62^17 ids: never in practice
        return token, family.id

    def issue_redeeming(self, code: CodeWrite, family_id: str, *, server_id: str, client_id: str, user_id: str,
                        scopes: tuple[str, ...], auth_time: int | None, amr: tuple[str, ...],
                        lifetime_minutes: int, window_minutes: int, now: datetime, grant_type: str,
                        access_token: tuple[str, datetime] | None = None, jkt: str | None = None) -> str | None:
        """``issue`` of family ``family_id`` (``new_family_id``) and the redemption of the authorization code that
        grants it, in one write: the new refresh token, or None (nothing written) when the code moved since it was
        read (another redemption or a burn won)."""
        family, token = self._new_family(server_id, client_id, user_id, scopes, auth_time, amr, lifetime_minutes,
                                         window_minutes, now, grant_type, access_token, jkt, family_id)
        return token if self.store.create(family, code) else None

    @staticmethod
    def _new_family(server_id: str, client_id: str, user_id: str, scopes: tuple[str, ...], auth_time: int | None,
                    amr: tuple[str, ...], lifetime_minutes: int, window_minutes: int, now: datetime,
                    grant_type: str, access_token: tuple[str, datetime] | None, jkt: str | None,
                    family_id: str) -> tuple[Family, str]:
        if not (server_id and client_id and user_id) or window_minutes < 1 or lifetime_minutes < 0:
            raise ValueError("issue needs a server, a client, a user and positive lifetimes")
        token = new_token(family_id)
        ends_at = now + timedelta(minutes=lifetime_minutes) if lifetime_minutes else None
        family = Family(
            id=family_id, server_id=server_id, client_id=client_id, user_id=user_id,
            scopes=tuple(dict.fromkeys(scopes)), auth_time=int(auth_time if auth_time is not None else _epoch(now)),
            amr=tuple(amr), grant_type=grant_type, lifetime_minutes=int(lifetime_minutes),
            window_minutes=int(window_minutes), created=now, last_updated=now, ends_at=ends_at,
            expires_at=now, current_hash=hash_token(token),
            access_tokens=((access_token[0], _epoch(access_token[1])),) if access_token else (), jkt=jkt)
        return replace(family, expires_at=family.next_expiry(now), pointers_until=family.pointers_reach(now)), token

    def revoke_family(self, family_id: str) -> None:
        """Revoke every refresh token of the family and the access tokens it issued (idempotent)."""
        where = self.store.locate(family_id) if isinstance(family_id, str) and family_id else None
        if where is None:
            return
        found = self.store.family(where[0], where[1], family_id)
        if found is None:
            self.store.delete(where[0], where[1], family_id)
            return
        self._kill(found, "revoked")

    # -- the refresh_token grant -----------------------------------------------------------------------------------

    def redeem(self, token: str, *, server_id: str, client_id: str, now: datetime) -> Presented:
        """Check a presented refresh token (RT-01, RT-04, RT-11); ``invalid_grant`` unless it is the current,
        unexpired token of a live family issued to this client at this server. A rotated-out token revokes its
        family.

        One read when the token is the current one of a family of this client: the family, found by the id the
        token names. Anything else (a rotated-out token, another client's, one without a family id, a family id
        with a random part nobody was given) takes the token's own record, which tells them apart."""
        if not isinstance(token, str) or not token or len(token) > 512:
            raise InvalidGrantError(INVALID)
        token_hash = hash_token(token)
        family_id = family_id_of(token)
        named = self.store.family(server_id, client_id, family_id) if family_id is not None else None
        if named is not None and named.current_hash == token_hash:
            return self._unexpired(named, token_hash, now)
        if named is not None and named.rotated_out(token_hash):
            self._kill(named, "reuse of a rotated refresh token")
            raise InvalidGrantError(INVALID)
        # Only a token actually issued may revoke a family as reused: a made-up random part after a real family id
        # is in neither the family nor a record of its own (tokens issued before 2026-12-05 have one) and is merely
        # invalid.
        record = self.store.token(token_hash)
        if record is None:
            raise InvalidGrantError(INVALID)
        if record.server_id != server_id or record.client_id != client_id:
            log.info("refresh token of another server or client presented (family %s)", record.family_id)
            raise InvalidGrantError(INVALID)
        family = named if named is not None and named.id == record.family_id else \
            self.store.family(server_id, client_id, record.family_id)
        if family is None:
            raise InvalidGrantError(INVALID)
        if family.current_hash != token_hash:
            self._kill(family, "reuse of a rotated refresh token")
            raise InvalidGrantError(INVALID)
        return self._unexpired(family, token_hash, now)

    def _unexpired(self, family: Family, token_hash: str, now: datetime) -> Presented:
        if family.expired(now):
            self._kill(family, "expired")
            raise InvalidGrantError(INVALID)
        return Presented(family, token_hash)

    def holder(self, family: Family, now: datetime) -> UserAccess:
        """The family's user as ``domain.UserAccess`` when the family may still be used: the user exists, is ACTIVE,
        has not changed status since the family was created, and is assigned to the client. Otherwise the family
        is revoked and ``invalid_grant`` raised (okta-api.md 8.4: revoked on deactivation and unassignment)."""
        access = self.directory.assignments.access(family.client_id, family.user_id)
        if access is None or not self.user_alive(access.user, family):
            self._kill(family, "user gone, not active, or changed status or password")
            raise InvalidGrantError(INVALID)
        if not client_vouches(self.directory.clients.find(family.client_id), family.created):
            self._kill(family, "client deactivated since")
            raise InvalidGrantError(INVALID)
        if not access.assigned:
            self._kill(family, "user no longer assigned to the client")
            raise InvalidGrantError(INVALID)
        return access

    @staticmethod
    def user_alive(user: User | None, family: Family) -> bool:
        return user_vouches(user, family.created)

    def rotate(self, presented: Presented, *, now: datetime, access_token: tuple[str, datetime] | None = None
               ) -> str:
        """Replace the presented token by a new one (same family, same scopes: RT-03), remembering the access
        token issued with it. Losing a race to another rotation of the same token is reuse: the family is
        revoked and ``invalid_grant`` raised (RT-09, pinned: exactly one of concurrent refreshes succeeds)."""
        family = presented.family
        token = new_token(family.id)
        token_hash = hash_token(token)
        stamp = _epoch(now)
        remembered = [a for a in family.access_tokens if a[1] > stamp]
        if access_token is not None:
            remembered.append((access_token[0], _epoch(access_token[1])))
        expires_at = family.next_expiry(now)
        # The presented token is remembered as rotated out until it would have expired (its reuse then revokes the
        # family), with the others still unexpired, the latest MAX_ROTATED.
        rotated = [r for r in family.rotated if r[1] > stamp]
        rotated.append((presented.token_hash[:ROTATED_HASH_CHARS], _epoch(family.expires_at)))
        # The pointers are rewritten only when the new token would outlive them: about once a window, so that a
        # rotation is usually one write of the family alone, conditional on its version.
        moves = family.moves_pointers(expires_at)
        updated = replace(family, last_updated=now, expires_at=expires_at, current_hash=token_hash,
                          access_tokens=tuple(remembered[-MAX_ACCESS_TOKENS:]), rotated=tuple(rotated[-MAX_ROTATED:]),
                          pointers_until=family.pointers_reach(now) if moves else family.pointers_until)
        if not self.store.rotate(updated, pointers=moves):
            current = self.store.family(family.server_id, family.client_id, family.id)
            if current is not None and current.current_hash == token_hash:
                # Our own write, committed, its answer lost and the call retried: the retry found its condition moved
                # by that very write (a PutItem, unlike a transaction, has no idempotency token).
                return token
            if current is not None:
                self._kill(current, "concurrent reuse of a refresh token")
            raise InvalidGrantError(INVALID)
        return token

    # -- revocation and introspection endpoints (RFC 7009, RFC 7662) ---------------------------------------------

    def lookup(self, token: str, server_id: str, client_id: str | None = None) -> tuple[Family, bool] | None:
        """The family of a refresh token of this server and whether the token is its current one; None when
        unknown (or of another server), or the family is gone. ``client_id``: the client most likely to hold it
        (the caller of revocation or introspection): a token of one of its families is then found with one read,
        as ``redeem`` finds it; another client's through the family's pointer (two reads); a token issued before
        2026-12-05 through its own record."""
        if not isinstance(token, str) or not token or len(token) > 512:
            return None
        token_hash = hash_token(token)
        family_id = family_id_of(token)
        if family_id is not None:
            named = self.store.family(server_id, client_id, family_id) if client_id else None
            if named is None:  # another client's token (a resource server introspecting): where its family lives
                where = self.store.locate(family_id)
                if where is not None and where[0] == server_id:
                    named = self.store.family(server_id, where[1], family_id)
            if named is not None and named.current_hash == token_hash:
                return named, True
            if named is not None and named.rotated_out(token_hash):
                return named, False
        record = self.store.token(token_hash)
        if record is None or record.server_id != server_id:
            return None
        family = self.store.family(server_id, record.client_id, record.family_id)
        if family is None:
            return None
        return family, family.current_hash == token_hash

    def active(self, token: str, server_id: str, now: datetime, client_id: str | None = None
               ) -> tuple[Family, User] | None:
        """(family, user) when the token would be accepted by a refresh now (not counting assignment and
        policy, which only a refresh evaluates); else None. Reads, never rotates or revokes. ``client_id``: as
        ``lookup``'s."""
        found = self.lookup(token, server_id, client_id)
        if found is None or not found[1] or found[0].expired(now):
            return None
        family = found[0]
        user = self.directory.users.find(family.user_id)
        if user is None or not self.user_alive(user, family):
            return None
        if not client_vouches(self.directory.clients.find(family.client_id), family.created):
            return None
        return family, user

    def revoke(self, family: Family) -> None:
        self._kill(family, "revoked")

    def revoke_consented(self, user_id: str, revoked: Iterable[tuple[str, str, str]]) -> int:
        """Revoke the user's families that hold a scope whose consent was just revoked: ``revoked`` are
        ``(server id, client id, scope)``. How many were revoked."""
        scopes: dict[tuple[str, str], set[str]] = {}
        for server_id, client_id, scope in revoked:
            scopes.setdefault((server_id, client_id), set()).add(scope)
        count = 0
        for server_id, client_id, family_id in list(self.store.user_families(user_id)) if scopes else ():
            if (server_id, client_id) not in scopes:
                continue
            found = self.store.family(server_id, client_id, family_id)
            if found is None:
                self.store.delete(server_id, client_id, family_id, user_id=user_id)
            elif scopes[(server_id, client_id)] & set(found.scopes):
                self._kill(found, "the user's consent to its scopes was revoked")
                count += 1
        return count

    # -- management (admin/refresh_tokens.py) --------------------------------------------------------------------

    def live_families(self, server_id: str, client_id: str, after: str | None, now: datetime
                      ) -> Iterator[tuple[Family, User]]:
        """(family, user) of every family of the client at the server that is still usable as far as the user is
        concerned (unexpired; user ACTIVE and unchanged), in family-id order after ``after``."""
        users: dict[str, User | None] = {}
        for family in self.store.families(server_id, client_id, after):
            if family.expired(now):
                continue
            if family.user_id not in users:
                users[family.user_id] = self.directory.users.find(family.user_id, consistent=False)
            user = users[family.user_id]
            if user is not None and self.user_alive(user, family):
                yield family, user

    def family(self, server_id: str, client_id: str, family_id: str, now: datetime) -> tuple[Family, User] | None:
        family = self.store.family(server_id, client_id, family_id) if family_id else None
        if family is None or family.expired(now):
            return None
        user = self.directory.users.find(family.user_id, consistent=False)
        if user is None or not self.user_alive(user, family):
            return None
        return family, user

    def locate(self, family_id: str) -> tuple[str, str] | None:
        """(server id, client id) of a family, from its pointer (one read); None for an id nobody was given. The
        family may have ended since: ``family`` says."""
        return self.store.locate(family_id) if family_id else None

    def revoke_id(self, server_id: str, client_id: str, family_id: str) -> bool:
        """Revoke one family of the client at the server; False when there is none (dead ones are revoked too)."""
        found = self.store.family(server_id, client_id, family_id) if family_id else None
        if found is None:
            return False
        self._kill(found, "revoked by an administrator")
        return True

    def revoke_all(self, server_id: str, client_id: str) -> int:
        """Revoke every family of the client at the server (dead ones too: the cleanup). The count revoked."""
        count = 0
        for family in list(self.store.families(server_id, client_id)):
            self._kill(family, "revoked with all of the client's refresh tokens")
            count += 1
        return count

    # -- internals -------------------------------------------------------------------------------------------------

    def _kill(self, family: Family, why: str) -> None:
        """Delete the family (every refresh token of it stops working) and revoke its unexpired access tokens."""
        log.info("refresh-token family %s of client %s revoked: %s", family.id, family.client_id, why)
        now = _epoch(self.now())
        # One transaction: the family and its unexpired access tokens go together (issue 20: it was one write per
        # access token after the family's deletion). Only the family: its token items and pointers are left to
        # expire (TTL), as its rotated-out tokens always were, because every reader goes through the family and
        # finds none (``redeem``, ``lookup``, ``revoke_family``, ``revoke_consented``, which also drops the user's
        # pointer it meets). A transaction's item costs two write units; TTL deletes cost none (issue 20: revocation
        # wrote five items, now the family and its access tokens).
        self.store.delete(family.server_id, family.client_id, family.id,
                          revoke=tuple((jti, exp) for jti, exp in family.access_tokens if exp > now), pointer=False)
