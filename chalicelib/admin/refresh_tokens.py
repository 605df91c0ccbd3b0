"""Management of a client's refresh tokens at an authorization server (okta-api.md 8.4; Okta's
``/api/v1/authorizationServers/{authServerId}/clients/{clientId}/tokens[/{tokenId}]``, clients.md 2.3).

A "refresh token" here is a refresh-token family of ``oauth/refresh_tokens.py`` (id ``oar…``): one grant's
refresh tokens, whichever is current. Only live families are shown (unexpired; user ACTIVE and unchanged since the
family was created): a family whose user was deactivated is dead although its items have not expired yet. Listing
reads the client's partition of the grants table in family-id order (``after`` = the last id) plus one user read
per distinct user on the page.

* Unknown server: 404 ``(AuthorizationServer)``; unknown client: 404 with the client API's type; unknown token:
  404 ``(OAuth2RefreshToken)``.
* ``DELETE …/tokens/{tokenId}`` revokes that family (dead ones too), ``DELETE …/tokens`` every family of the client
  at the server (the cleanup of dead ones included), both 204.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from ..clock import Clock
from ..domain import OAuthClient, ServerConfig
from ..errors import InvalidPagingError, NotFoundError
from .clients import ClientService
from .common import MAX_LIMIT, decode_cursor, encode_cursor
from .servers import ServerService

TOKEN_TYPE = "OAuth2RefreshToken"
TOKEN_ID = re.compile(r"oar[A-Za-z0-9]{17}")


class Tokens(Protocol):
    """``oauth.refresh_tokens.RefreshTokens``."""

    def live_families(self, server_id: str, client_id: str, after: str | None, now: Any) -> Any: ...

    def family(self, server_id: str, client_id: str, family_id: str, now: Any) -> Any: ...

    def locate(self, family_id: str) -> tuple[str, str] | None: ...

    def revoke_id(self, server_id: str, client_id: str, family_id: str) -> bool: ...

    def revoke_all(self, server_id: str, client_id: str) -> int: ...


@dataclass(frozen=True)
class TokenView:
    """What rendering one refresh token needs: the family, its user (None if unreadable), server and client."""

    family: Any
    user: Any
    config: ServerConfig
    client: OAuthClient


def parse_token_limit(raw: str | None) -> int:
    """``limit``: 1..200 (larger is 200); absent or Okta's default ``-1`` means the maximum page."""
    if raw is None or raw.strip() in ("", "-1"):
        return MAX_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise InvalidPagingError("Invalid paging request.") from None
    if value < 1:
        raise InvalidPagingError("Invalid paging request.")
    return min(value, MAX_LIMIT)


class RefreshTokenAdmin:
    def __init__(self, servers: ServerService, clients: ClientService, tokens: Tokens, clock: Clock) -> None:
        self._servers = servers
        self._clients = clients
        self._tokens = tokens
        self._clock = clock

    def _scope(self, server_id: str, client_id: str) -> tuple[ServerConfig, OAuthClient]:
        config = self._servers.load(server_id)
        return config, self._clients.get(client_id)

    def list(self, server_id: str, client_id: str, limit: int, after: str | None
             ) -> tuple[list[TokenView], str | None]:
        """One page of the client's live refresh tokens and the cursor of the next page (None on the last)."""
        boundary = None
        if after:
            boundary = decode_cursor(after)
            if not TOKEN_ID.fullmatch(boundary):
                raise InvalidPagingError("Invalid paging request.")
        config, client = self._scope(server_id, client_id)
        found: list[TokenView] = []
        for family, user in self._tokens.live_families(config.server.id, client.client_id, boundary,
                                                       self._clock.now()):
            found.append(TokenView(family, user, config, client))
            if len(found) > limit:
                break
        page = found[:limit]
        more = len(found) > limit
        return page, (encode_cursor(page[-1].family.id) if more and page else None)

    def get(self, server_id: str, client_id: str, token_id: str) -> TokenView:
        config, client = self._scope(server_id, client_id)
        found = self._tokens.family(config.server.id, client.client_id, token_id, self._clock.now()) \
            if TOKEN_ID.fullmatch(token_id) else None
        if found is None:
            raise NotFoundError(token_id, TOKEN_TYPE)
        return TokenView(found[0], found[1], config, client)

    def revoke(self, server_id: str, client_id: str, token_id: str) -> None:
        config, client = self._scope(server_id, client_id)
        if not TOKEN_ID.fullmatch(token_id) or not self._tokens.revoke_id(config.server.id, client.client_id,
                                                                          token_id):
            raise NotFoundError(token_id, TOKEN_TYPE)

    def server_of(self, client_id: str, token_id: str) -> str | None:
        """The id of the server where the client's refresh token ``token_id`` lives, from its family's pointer (one
        read, whatever the number of servers); None when no such token of that client was ever issued."""
        where = self._tokens.locate(token_id) if TOKEN_ID.fullmatch(token_id) else None
        return where[0] if where is not None and where[1] == client_id else None

    def revoke_all(self, server_id: str, client_id: str) -> int:
        config, client = self._scope(server_id, client_id)
        return self._tokens.revoke_all(config.server.id, client.client_id)
