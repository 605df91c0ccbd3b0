"""OAuth clients registered by admins through Okta's client API (RFC 7591 shape; docs/ARCHITECTURE.md "OAuth
clients"): the service, and client secrets. Reading a registration body is ``admin/client_fields.py``; the
vocabulary and the checks of single values are ``admin/client_metadata.py``.

Secrets are 256-bit random values generated here and shown once; only their SHA-256 is stored (the same reasoning
as admin API tokens, admin/api_tokens.py: a slow hash buys nothing for a value nobody can guess).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import replace
from datetime import datetime
from typing import Any, Callable, TypeVar

from .. import ids
from ..clock import Clock
from ..domain import ACTIVE, INACTIVE, ClientSecret, OAuthClient
from ..errors import InvalidPagingError, NotFoundError, ValidationError
from ..ports import L_NAME, ClientStore, name_key
from .client_fields import TARGET, read_client
# The grant-type vocabulary is imported from here by admin/token_preview/ ("X as X": an explicit re-export).
from .client_metadata import (  # noqa: F401
    AUTHORIZATION_CODE as AUTHORIZATION_CODE,
    CLIENT_CREDENTIALS as CLIENT_CREDENTIALS,
    IMPLICIT as IMPLICIT,
    PASSWORD as PASSWORD,
    REFRESH_TOKEN as REFRESH_TOKEN,
    SECRET_METHODS,
)
from .jwk_ids import identify_keys
from .common import changed_meanwhile, check_if_match, decode_cursor, encode_cursor, guarded

T = TypeVar("T")

# Okta's resource type in "Not found: Resource not found: {id} (PublicClientApp)" for this API.
CLIENT_TYPE = "PublicClientApp"
CLIENT_ID_PREFIX = "0oa"
SECRET_ID_PREFIX = "ocs"
CLIENT_ID = re.compile(r"0oa[A-Za-z0-9]{17}")
DEFAULT_LIMIT = 20  # Okta's default page size for this list

# -- secrets -------------------------------------------------------------------------------------------------------


def new_secret() -> str:
    """256 random bits, url-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# Compared against when a client has no secret, so every call does the same work.
_NO_SECRET = hash_secret(secrets.token_urlsafe(32))


MAX_SECRETS = 2  # Okta: at most two secrets per app, so one can replace the other without downtime


def secret_matches(client: OAuthClient, presented: Any) -> bool:
    """Constant-time check of a presented secret against the SHA-256 of every ACTIVE secret. Always two
    comparisons, whatever the client holds, so the time says nothing about how many secrets it has."""
    if not isinstance(presented, str):
        return False
    try:
        digest = hash_secret(presented)
    except UnicodeEncodeError:  # a lone surrogate: no secret of ours
        return False
    stored = client.active_secret_hashes
    slots = (stored + (_NO_SECRET,) * MAX_SECRETS)[:MAX_SECRETS]
    matched = False
    for candidate in slots:
        matched |= hmac.compare_digest(digest, candidate)
    return matched and bool(stored)


def fresh_secret(now: datetime) -> tuple[ClientSecret, str]:
    """A new ACTIVE secret and its value (shown once)."""
    raw = new_secret()
    return ClientSecret(ids.new_id(SECRET_ID_PREFIX), hash_secret(raw), ACTIVE, now, now), raw


def secrets_for(current: OAuthClient, method: str, now: datetime) -> tuple[tuple[ClientSecret, ...], str | None]:
    """The secrets a client keeps when its method becomes ``method``, and a new secret's value when one had to be
    made: moving to ``client_secret_basic``/``_post`` without an ACTIVE secret makes one; moving away drops them."""
    if method not in SECRET_METHODS:
        return (), None
    if current.active_secret_hashes:
        return current.secrets, None
    stored, secret = fresh_secret(now)
    return current.secrets[-(MAX_SECRETS - 1):] + (stored,) if current.secrets else (stored,), secret


def list_boundary(after: str | None, prefix: str) -> str | None:
    """The list key an ``after`` cursor names (None without one); 400 for a cursor that is not one of ours or lies
    outside the ``q`` prefix."""
    if not after:
        return None
    boundary = decode_cursor(after)
    _, sep, last_id = boundary.rpartition("#")
    if not sep or not CLIENT_ID.fullmatch(last_id) or not boundary.startswith(prefix):
        raise InvalidPagingError("Invalid paging request.")
    return boundary


def duplicate_cause() -> str:
    return "client_name: An object with this field already exists in the current organization"


# -- the service ---------------------------------------------------------------------------------------------------


class ClientService:
    def __init__(self, repo: ClientStore, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock

    # -- the token path ----------------------------------------------------------------------------------------

    def get_for_token(self, client_id: str, consistent: bool = False) -> OAuthClient | None:
        """The client for client authentication: one eventually consistent GetItem (the caller caches it; it asks
        for a strongly consistent one after a change), or None; an id that cannot be ours costs no read. Inactive
        clients are returned: check ``client.active``."""
        if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
            return None
        return self._repo.get(client_id, consistent=consistent)

    def verify_secret(self, client: OAuthClient, presented: str) -> bool:
        """True only for an ACTIVE client with a secret-based method whose secret this is (constant time)."""
        matched = secret_matches(client, presented)
        return matched and client.active and client.token_endpoint_auth_method in SECRET_METHODS

    # -- management --------------------------------------------------------------------------------------------

    def _write(self, call: Callable[[], T], client_id: str) -> T:
        return guarded(call, [(L_NAME, lambda: ValidationError(TARGET, [duplicate_cause()]))],
                       changed_meanwhile(CLIENT_TYPE, client_id))

    def create(self, body: Any) -> tuple[OAuthClient, str | None]:
        """The new client and its secret (None for clients without one); the secret is never retrievable again."""
        fields = read_client(body)
        now = self._clock.now()
        fields["jwks"] = identify_keys(fields["jwks"], None, now)
        stored, secret = fresh_secret(now) if fields["token_endpoint_auth_method"] in SECRET_METHODS else (None, None)
        client = OAuthClient(client_id=ids.new_id(CLIENT_ID_PREFIX), status=ACTIVE, created=now, last_updated=now,
                             secrets=(stored,) if stored else (), pkce_required=fields["token_endpoint_auth_method"]
                             == "none", **fields)
        return self.save_new(client), secret

    def save_new(self, client: OAuthClient) -> OAuthClient:
        """Store a client built by a registration (this API or the Applications API)."""
        return self._write(lambda: self._repo.create(client), client.client_id)

    def list(self, q: str | None, limit: int, after: str | None) -> tuple[list[OAuthClient], str | None]:
        """Clients in case-insensitive name order; ``q`` is a case-insensitive ``client_name`` prefix."""
        prefix = name_key(q) if q else ""
        clients, next_key = self._repo.page(prefix, limit, list_boundary(after, prefix))
        return clients, (encode_cursor(next_key) if next_key else None)

    def get(self, client_id: str) -> OAuthClient:
        client = self._repo.get(client_id) if CLIENT_ID.fullmatch(client_id) else None
        if client is None:
            raise NotFoundError(client_id, CLIENT_TYPE)
        return client

    def replace(self, client_id: str, body: Any, expected_version: int | None = None
                ) -> tuple[OAuthClient, str | None]:
        """Replace every setting. Returns a secret only when one was generated: the client moved from a method
        without a secret to ``client_secret_basic``/``client_secret_post``. Moving away from those drops it."""
        current = self.get(client_id)
        check_if_match(current.version, expected_version)
        fields = read_client(body, current)
        now = self._clock.now()
        fields["jwks"] = identify_keys(fields["jwks"], current.jwks, now)
        secrets, secret = secrets_for(current, fields["token_endpoint_auth_method"], now)
        updated = replace(current, **fields, secrets=secrets, last_updated=now)
        return self.save(current, updated), secret

    def save(self, current: OAuthClient, updated: OAuthClient) -> OAuthClient:
        """Store ``updated`` if ``current`` is still what is stored (else the conflict: retried by the request)."""
        return self._write(lambda: self._repo.replace(current, updated), current.client_id)

    def delete(self, client_id: str, expected_version: int | None = None) -> None:
        current = self.get(client_id)
        check_if_match(current.version, expected_version)
        self._write(lambda: self._repo.delete(current), client_id)

    def new_secret(self, client_id: str) -> tuple[OAuthClient, str]:
        """A fresh secret; the previous one stops working at once (no overlap)."""
        current = self.get(client_id)
        if current.token_endpoint_auth_method not in SECRET_METHODS:
            raise ValidationError(TARGET, [
                "token_endpoint_auth_method: Only clients that authenticate with client_secret_basic or "
                "client_secret_post have a client secret."])
        now = self._clock.now()
        stored, secret = fresh_secret(now)
        updated = replace(current, secrets=(stored,), last_updated=now)
        return self.save(current, updated), secret

    def set_status(self, client_id: str, status: str) -> OAuthClient:
        """ACTIVE or INACTIVE (the Apps API's lifecycle, admin/applications.py). An INACTIVE client fails
        client authentication (``verify_secret``); every token issued to it before is dead for good, even if it is
        activated again (``oauth/vouching.py``)."""
        if status not in (ACTIVE, INACTIVE):
            raise ValidationError(TARGET, [f"status: Must be one of: {ACTIVE}, {INACTIVE}."])
        current = self.get(client_id)
        if current.status == status:
            return current
        now = self._clock.now()
        updated = replace(current, status=status, last_updated=now,
                          deactivated=now if status == INACTIVE else current.deactivated)
        return self._write(lambda: self._repo.replace(current, updated), client_id)
