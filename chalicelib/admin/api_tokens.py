"""Admin API tokens (Okta's ``SSWS`` tokens): created and revoked by admins, stored only as SHA-256.

Tokens are 256-bit random values generated here, so a fast hash is the right choice (performance.md): a slow
password hash would add ~200 ms to every admin call and buy nothing against a value nobody can guess.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from .. import ids
from ..clock import Clock
from ..domain import ApiToken
from ..errors import NotFoundError
from ..ports import ApiTokenStore
from .validation import Fields, require_object

API_TOKEN_TYPE = "ApiToken"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret() -> str:
    # Okta's tokens are 42 characters starting with "00"; 30 random bytes give 40 url-safe characters.
    return "00" + secrets.token_urlsafe(30)


class ApiTokenService:
    def __init__(self, repo: ApiTokenStore, clock: Clock, bootstrap_hash: str | None = None) -> None:
        self._repo = repo
        self._clock = clock
        # The operator's TOKENMINT_ADMIN_TOKEN, known only by its hash.
        self._bootstrap_hash = bootstrap_hash

    def authenticate(self, raw: str) -> ApiToken | None:
        """The token a raw secret belongs to, or None. The bootstrap token has the id ``bootstrap``."""
        digest = hash_token(raw)
        if self._bootstrap_hash and hmac.compare_digest(digest, self._bootstrap_hash):
            now = self._clock.now()
            return ApiToken(id="bootstrap", name="TOKENMINT_ADMIN_TOKEN", token_hash=digest, created=now,
                            last_updated=now)
        token = self._repo.find_by_hash(digest)
        if token is None or not hmac.compare_digest(token.token_hash, digest):
            return None
        return token

    def create(self, body: Any) -> tuple[ApiToken, str]:
        f = Fields(require_object(body), "apiToken")
        name = f.string("name", required=True, max_len=100)
        f.check()
        secret = new_secret()
        now = self._clock.now()
        token = ApiToken(id=ids.new_id(ids.API_TOKEN), name=name or "", token_hash=hash_token(secret),
                         created=now, last_updated=now)
        self._repo.add(token)
        return token, secret

    def list(self) -> list[ApiToken]:
        return sorted(self._repo.list(), key=lambda t: (t.created, t.id))

    def get(self, token_id: str) -> ApiToken:
        token = self._repo.get(token_id)
        if token is None:
            raise NotFoundError(token_id, API_TOKEN_TYPE)
        return token

    def revoke(self, token_id: str) -> None:
        self._repo.remove(self.get(token_id))
