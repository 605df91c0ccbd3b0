"""The directory as the protocol core sees it: users, their app assignments and the registered clients (okta-api.md
7.4, 7.6; docs/ARCHITECTURE.md "Directory").

Ports, not implementations: ``admin.users.UserService``, ``admin.app_assignments.AppAssignmentService`` and the
token path's client cache (``oauth.clients.CachedClients``) provide them, the composition root (``container.py``)
wires them, and the core imports no ``admin`` module. Clients are the frozen ``domain.OAuthClient``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..domain import OAuthClient, User, UserAccess


class SignInResult(Protocol):
    """``admin.users.SignIn``: ``user`` only on success; ``reason`` for logs, never for the person signing in."""

    @property
    def ok(self) -> bool: ...

    @property
    def user(self) -> User | None: ...

    @property
    def reason(self) -> str: ...

    @property
    def locked_user(self) -> User | None: ...

    @property
    def attempted(self) -> User | None: ...


class Users(Protocol):
    def sign_in(self, login: str, password: object) -> SignInResult: ...

    def find(self, id_or_login: str, consistent: bool = True) -> User | None: ...


class Assignments(Protocol):
    def access(self, client_id: str, user_id: str) -> UserAccess | None: ...

    def member(self, user_id: str) -> UserAccess | None:
        """``access`` without looking up the assignment (``assigned`` is False): for claims only."""


class Clients(Protocol):
    def find(self, client_id: str) -> OAuthClient | None: ...


@dataclass(frozen=True)
class Directory:
    users: Users
    assignments: Assignments
    clients: Clients
