"""Trusted servers of an authorization server (Okta's associated servers,
``/api/v1/authorizationServers/{authServerId}/associatedServers``; docs/ARCHITECTURE.md "Token exchange").

Server B *trusts* server A when token exchange at B may accept an access token A issued as ``subject_token`` (or
``actor_token``). Trust is one-way and per pair; it is stored as a ``TRUST#{A}`` item in B's partition, so the
token path reads it with B's configuration (one Query, cached like the rest).

* ``list(B, trusted)``: the servers B trusts (``trusted=True``) or every other server it does not trust
  (``trusted=False``: the candidates an admin could add, as Okta's console searches them), optionally narrowed by
  ``q`` (name or audience, case-insensitive prefix). A trusted server deleted since is not listed.
* ``add(B, {"trusted": [ids]})``: every id must name an existing server other than B (``default`` means the
  default server); otherwise 400 E0000001 with one cause per bad id and nothing is written. Ids already trusted
  are left as they are (the call is idempotent); the answer is the servers named, in request order.
* ``remove(B, A)``: 404 when B does not trust A.
"""
from __future__ import annotations

import builtins  # TrustedServerService.list shadows the builtin list in the annotations of the methods after it
from typing import Any

from ..clock import Clock
from ..domain import AuthorizationServer, TrustedServer
from ..errors import NotFoundError, ValidationError
from ..ports import L_SERVER, L_VERSION, ConfigStore
from .common import SERVER_TYPE, changed_meanwhile, guarded
from .servers import ServerService
from .validation import require_object

TARGET = "associatedServerMediated"
# One DynamoDB transaction holds at most 100 items: the server's check and the new trust items.
MAX_PER_REQUEST = 50
ASSOCIATED_TYPE = "AssociatedServer"


class TrustedServerService:
    def __init__(self, repo: ConfigStore, servers: ServerService, clock: Clock) -> None:
        self._repo = repo
        self._servers = servers
        self._clock = clock

    def list(self, server_id: str, trusted: bool, q: str | None = None) -> list[AuthorizationServer]:
        """Trusted (or untrusted) servers of ``server_id`` in creation order (the order of every server list)."""
        config = self._servers.load(server_id)
        own = config.server.id
        trusted_ids = config.trusted_server_ids
        servers = [s for s in self._servers.search(None) if s.id != own and (s.id in trusted_ids) == trusted]
        if q:
            needle = q.strip().casefold()
            servers = [s for s in servers if s.name.casefold().startswith(needle)
                       or any(a.casefold().startswith(needle) for a in s.audiences)]
        return servers

    def _read(self, body: Any, own: str) -> builtins.list[AuthorizationServer]:
        fields = require_object(body)
        raw = fields.get("trusted")
        if not isinstance(raw, list) or not raw or not all(isinstance(i, str) and i for i in raw):
            raise ValidationError(TARGET, ["trusted: Must be a non-empty list of authorization server ids."])
        if len(raw) > MAX_PER_REQUEST:
            raise ValidationError(TARGET, [f"trusted: At most {MAX_PER_REQUEST} servers can be added at once."])
        found: dict[str, AuthorizationServer] = {}
        causes: list[str] = []
        for requested in dict.fromkeys(raw):
            try:
                server = self._servers.get(requested)
            except NotFoundError:
                causes.append(f"trusted: '{requested}' is not an authorization server.")
                continue
            if server.id == own:
                causes.append(f"trusted: '{requested}' is this authorization server; a server always accepts its "
                              "own tokens and cannot be its own trusted server.")
                continue
            found.setdefault(server.id, server)
        if causes:
            raise ValidationError(TARGET, causes)
        return list(found.values())

    def add(self, server_id: str, body: Any) -> builtins.list[AuthorizationServer]:
        config = self._servers.load(server_id)
        own = config.server.id
        servers = self._read(body, own)
        new = [TrustedServer(id=s.id, created=self._clock.now()) for s in servers
               if s.id not in config.trusted_server_ids]
        if new:
            guarded(lambda: self._repo.add_trusted_servers(own, new),
                    [(L_SERVER, lambda: NotFoundError(server_id, SERVER_TYPE))],
                    changed_meanwhile(SERVER_TYPE, own))
        return servers

    def remove(self, server_id: str, associated_server_id: str) -> None:
        config = self._servers.load(server_id)
        try:
            wanted = self._servers.resolve_id(associated_server_id)
        except NotFoundError:
            raise NotFoundError(associated_server_id, ASSOCIATED_TYPE) from None
        current = next((t for t in config.trusted_servers if t.id == wanted), None)
        if current is None:
            raise NotFoundError(associated_server_id, ASSOCIATED_TYPE)
        guarded(lambda: self._repo.remove_trusted_server(config.server.id, current),
                [(L_SERVER, lambda: NotFoundError(server_id, SERVER_TYPE)),
                 (L_VERSION, None)],  # removed meanwhile by another request: the goal holds
                changed_meanwhile(SERVER_TYPE, config.server.id))
