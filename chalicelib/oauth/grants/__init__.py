"""Grants, registered by ``grant_type`` (RFC 6749 4; one module per grant)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Protocol

from ...domain import OAuthClient, ServerConfig
from ..audit import TokenTrace
from ..context import OAuthServices


@dataclass(frozen=True)
class GrantRequest:
    config: ServerConfig
    config_read_at: datetime
    issuer: str
    client: OAuthClient
    params: Mapping[str, str]
    # What decided the request, noted by the grant for the System Log's event (oauth/token_events.py).
    trace: TokenTrace = field(default_factory=TokenTrace)
    # The RFC 7638 thumbprint of the request's checked DPoP proof key: the access token is bound to it (``cnf``).
    dpop_jkt: str | None = None


class Grant(Protocol):
    grant_type: str
    allows_public_clients: bool

    def handle(self, services: OAuthServices, request: GrantRequest) -> dict[str, Any]: ...
