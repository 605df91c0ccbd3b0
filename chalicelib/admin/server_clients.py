"""The clients that hold tokens of an authorization server (okta-api.md 2.1, ``GET …/{authServerId}/clients``)."""
from __future__ import annotations

from typing import Any, Protocol

from ..clock import Clock
from .servers import ServerService


class HolderSource(Protocol):
    def holders(self, server_id: str, now: Any) -> list[str]: ...


class ClientSource(Protocol):
    def get_for_token(self, client_id: str) -> Any: ...


class ServerClientsService:
    def __init__(self, servers: ServerService, holders: HolderSource, clients: ClientSource, clock: Clock) -> None:
        self._servers = servers
        self._holders = holders
        self._clients = clients
        self._clock = clock

    def list(self, server_id: str) -> list[Any]:
        """Registered clients that may still hold unexpired tokens of the server, by name; deleted clients are
        left out."""
        server = self._servers.get(server_id)
        found = [self._clients.get_for_token(cid) for cid in self._holders.holders(server.id, self._clock.now())]
        return sorted((c for c in found if c is not None), key=lambda c: (c.client_name.casefold(), c.client_id))
