"""An app's refresh tokens at every authorization server (Okta's ``/api/v1/apps/{appId}/tokens[/{tokenId}]``,
okta-next.md 1.1), over ``admin/refresh_tokens.py``, which manages them one server at a time.

The list walks, in id order, the servers where the app has refresh tokens (admin/client_token_index.py: one Query;
every server while that index is still being built for older families) and, in each, the app's live families in id
order; the ``after`` cursor is ``{serverId}#{familyId}`` (base64url), so paging resumes exactly where it stopped
(docs/ARCHITECTURE.md "One client, two views"). "Revoke all" goes through the same servers. A single token, read or
revoked, is found through its family's pointer (``RTID#{familyId}``: its server and client), one read whatever the
number of servers.
"""
from __future__ import annotations

import re

from ..errors import InvalidPagingError, NotFoundError
from .applications import ApplicationService
from .client_token_index import ClientTokenIndex
from .common import SERVER_TYPE, decode_cursor, encode_cursor
from .refresh_tokens import TOKEN_TYPE, RefreshTokenAdmin, TokenView
from .servers import ServerService

_CURSOR = re.compile(r"(aus[A-Za-z0-9]{17})#(oar[A-Za-z0-9]{17})")


class AppTokenAdmin:
    def __init__(self, apps: ApplicationService, servers: ServerService, tokens: RefreshTokenAdmin,
                 index: ClientTokenIndex) -> None:
        self._apps = apps
        self._servers = servers
        self._tokens = tokens
        self._index = index

    def _server_ids(self, app_id: str) -> list[str]:
        indexed = self._index.servers(app_id)
        return indexed if indexed is not None else sorted(s.id for s in self._servers.search(None))

    def list(self, app_id: str, limit: int, after: str | None) -> tuple[list[TokenView], str | None]:
        start_server, start_family = None, None
        if after:
            match = _CURSOR.fullmatch(decode_cursor(after))
            if match is None:
                raise InvalidPagingError("Invalid paging request.")
            start_server, start_family = match.groups()
        self._apps.get(app_id)
        found: list[TokenView] = []
        for server_id in self._server_ids(app_id):
            if start_server is not None and server_id < start_server:
                continue
            cursor = encode_cursor(start_family) if server_id == start_server and start_family else None
            while len(found) <= limit:
                try:
                    page, cursor = self._tokens.list(server_id, app_id, limit + 1 - len(found), cursor)
                except NotFoundError as exc:
                    if exc.resource_type != SERVER_TYPE:
                        raise
                    break  # an indexed server deleted since (or the org's): none of its tokens is live
                found += page
                if cursor is None:
                    break
            if len(found) > limit:
                break
        shown = found[:limit]
        more = len(found) > limit
        last = shown[-1] if shown else None
        return shown, (encode_cursor(f"{last.config.server.id}#{last.family.id}") if more and last else None)

    def get(self, app_id: str, token_id: str) -> TokenView:
        self._apps.get(app_id)
        server_id = self._tokens.server_of(app_id, token_id)
        if server_id is not None:
            try:
                return self._tokens.get(server_id, app_id, token_id)
            except NotFoundError as exc:
                if exc.resource_type not in (TOKEN_TYPE, SERVER_TYPE):  # ended, or its server deleted (or the org's)
                    raise
        raise NotFoundError(token_id, TOKEN_TYPE)

    def revoke(self, app_id: str, token_id: str) -> None:
        view = self.get(app_id, token_id)
        self._tokens.revoke(view.config.server.id, app_id, token_id)

    def revoke_all(self, app_id: str) -> None:
        self._apps.get(app_id)
        for server_id in self._server_ids(app_id):
            try:
                self._tokens.revoke_all(server_id, app_id)
            except NotFoundError as exc:
                if exc.resource_type != SERVER_TYPE:
                    raise
