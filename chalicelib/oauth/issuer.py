"""The issuer of an authorization server (okta-api.md 8.1): ``{base}/oauth2/{id}``, ``/oauth2/default`` for the
default server. Byte for byte the same in discovery, tokens and links (clients.md row 9)."""
from __future__ import annotations

from ..domain import AuthorizationServer


def path_id(server: AuthorizationServer) -> str:
    """Okta writes ``default`` in every link and in the issuer of the default server (okta-api.md 2.5)."""
    return "default" if server.default else server.id


def issuer(server: AuthorizationServer, base: str) -> str:
    return f"{base}/oauth2/{path_id(server)}"
