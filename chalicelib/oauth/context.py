"""What every OAuth endpoint works with: the request as plain data, the response as plain data, and the services
(no Chalice types: the blueprint converts)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping, Protocol

from ..audit.event import Origin
from ..keys.signer import LoadedKey
from .audit import AuditTrail, NoAudit
from .client_auth import ClientAuthenticator
from .configuration import ServerConfigs
from .dpop import Dpop

log = logging.getLogger("tokenmint.oauth")

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True)
class OAuthRequest:
    server_id: str
    base_url: str
    params: Mapping[str, str]
    authorization: str | None = None
    # Came through the org authorization server's routes (``/oauth2/v1/…``): only those reach its configuration.
    org: bool = False
    # Who sent it (for the System Log's events).
    origin: Origin | None = None
    # The HTTP method, and the request's DPoP proofs: one per ``DPoP`` header value (oauth/dpop.header_values).
    method: str = "POST"
    dpop: tuple[str, ...] = ()


class JsonBody(str):
    """A response body already serialized as JSON (oauth/rendered.py): sent as is."""


@dataclass
class OAuthResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class Signer(Protocol):
    def prepare(self) -> None: ...

    def prefetch(self, auth_server_id: str, active_kid: str) -> Any: ...

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
    """What every endpoint and grant shares. Optional features (refresh tokens, userinfo, the front channel) are
    not services here but registered on ``OAuthServer`` by the composition root (server.py)."""

    configs: ServerConfigs
    authenticator: ClientAuthenticator
    signer: Signer
    revocations: Revocations
    now: Callable[[], datetime]
    org: Mapping[str, Any] = field(default_factory=dict)
    holders: Holders = field(default_factory=_NoHolders)
    # The System Log (oauth/audit.py).
    audit: AuditTrail = field(default_factory=NoAudit)
    # DPoP proofs (oauth/dpop.py); None: DPoP is not offered (a proof is ignored, no token is bound).
    dpop: Dpop | None = None
