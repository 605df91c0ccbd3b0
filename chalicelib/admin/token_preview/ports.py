"""What the token preview reads, as the container wires it: the server's configuration, the client, the user,
the user's access to the client (assignment and groups) and remembered consent. Reads only: a preview writes
nothing."""
from __future__ import annotations

from typing import Protocol

from ...domain import OAuthClient, ServerConfig, User, UserAccess


class ServerSource(Protocol):
    def load(self, server_id: str) -> ServerConfig: ...


class ClientSource(Protocol):
    def get_for_token(self, client_id: str) -> OAuthClient | None: ...


class UserSource(Protocol):
    def find(self, id_or_login: str, consistent: bool = True) -> User | None: ...


class AccessSource(Protocol):
    def access(self, client_id: str, user_id: str) -> UserAccess | None: ...


class ConsentSource(Protocol):
    def granted(self, user_id: str, server_id: str, client_id: str) -> frozenset[str]: ...
