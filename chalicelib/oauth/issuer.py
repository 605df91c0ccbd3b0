"""The issuer of an authorization server (okta-api.md 8.1): ``{base}/oauth2/{id}``, ``/oauth2/default`` for the
default server. Byte for byte the same in discovery, tokens and links (clients.md row 9).

The org authorization server (Okta's, for ``okta.*`` management scopes) is an authorization server record like the
others, with a fixed id that no management route shows: its issuer is the base URL itself and its endpoints live
under ``{base}/oauth2/v1/`` (``endpoints_base``)."""
from __future__ import annotations

from ..domain import AuthorizationServer


def path_id(server: AuthorizationServer) -> str:
    """Okta writes ``default`` in every link and in the issuer of the default server (okta-api.md 2.5)."""
    return "default" if server.default else server.id


ORG_SERVER_ID = "ausOrgAuthzServer001"


def is_org(server: AuthorizationServer) -> bool:
    return server.id == ORG_SERVER_ID


def issuer(server: AuthorizationServer, base: str) -> str:
    return base if is_org(server) else f"{base}/oauth2/{path_id(server)}"


def access_token_audience(server: AuthorizationServer, server_issuer: str) -> str:
    """The ``aud`` of a server's access tokens, given its issuer: its first audience; the org itself (its issuer,
    the base URL) for the org server, as Okta's org authorization server does."""
    return server_issuer if is_org(server) else server.audiences[0]


ORG_PAGES = "/oauth2/v1/org"


def pages_base(server_id: str, server_issuer: str) -> str:
    """Where the sign-in and consent pages of a server's authorize requests are: under its issuer; for the org
    server (whose issuer is the base URL) under ``/oauth2/v1/org``, inside the path the front channel's cookies
    are scoped to (``/oauth2``)."""
    return f"{server_issuer}{ORG_PAGES}" if server_id == ORG_SERVER_ID else server_issuer


def endpoints_base(server: AuthorizationServer, base: str) -> str:
    """Where a server's ``/v1/…`` endpoints are: under its issuer, or ``{base}/oauth2`` for the org server."""
    return f"{base}/oauth2" if is_org(server) else issuer(server, base)
