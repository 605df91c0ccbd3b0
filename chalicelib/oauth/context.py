"""What every OAuth endpoint works with: the request as plain data, the response as plain data, and the services
(no Chalice types: the blueprint converts)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol

from ..keys.signer import LoadedKey
from .client_auth import ClientAuthenticator
from .configuration import ServerConfigs

if TYPE_CHECKING:
    from .refresh_tokens import RefreshTokens

log = logging.getLogger("tokenmint.oauth")

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True)
class OAuthRequest:
    server_id: str
    base_url: str
    params: Mapping[str, str]
    authorization: str | None = None


@dataclass
class OAuthResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class Signer(Protocol):
    def get(self, auth_server_id: str, active_kid: str, *, kid_read_at: datetime | None = None) -> LoadedKey: ...


class Revocations(Protocol):
    def revoke_access_token(self, jti: str, client_id: str, expires_at: datetime) -> None: ...

    def is_access_token_revoked(self, jti: str, now: datetime) -> bool: ...


class Holders(Protocol):
    def note(self, server_id: str, client_id: str) -> None: ...


class _NoHolders:
    def note(self, server_id: str, client_id: str) -> None:
        return None


@dataclass
class OAuthServices:
    configs: ServerConfigs
    authenticator: ClientAuthenticator
    signer: Signer
    revocations: Revocations
    now: Callable[[], datetime]
    org: Mapping[str, Any] = field(default_factory=dict)
    holders: Holders = field(default_factory=_NoHolders)
    # Refresh tokens, the password grant and userinfo (oauth/refresh_tokens.py); None: not offered.
    refresh_tokens: "RefreshTokens | None" = None
