"""Grants, registered by ``grant_type`` (RFC 6749 4; one module per grant)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Protocol

from ...domain import OAuthClient, ServerConfig
from ..context import OAuthServices


@dataclass(frozen=True)
class GrantRequest:
    config: ServerConfig
    config_read_at: datetime
    issuer: str
    client: OAuthClient
    params: Mapping[str, str]


class Grant(Protocol):
    grant_type: str
    allows_public_clients: bool

    def handle(self, services: OAuthServices, request: GrantRequest) -> dict[str, Any]: ...
