"""What an expression can see: the user, the app user, the app, the granted scopes, the org and the groups."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

_EMPTY: Mapping[str, Any] = MappingProxyType({})

# The variables of the claims context (okta-api.md 5; Okta's EL reference, "Referencing User Attributes" and
# "Referencing Application and Organization Properties"). Explicit app references (``zendesk.x``, ``$app.x``)
# are not supported for OAuth/OIDC custom claims, so they are not variables here either.
ROOTS = frozenset({"user", "appuser", "app", "access", "org"})


@dataclass(frozen=True, slots=True)
class Group:
    """A group the user belongs to. ``source`` is ``"OKTA"`` for Okta-mastered groups, else the app type or app
    instance id the group was imported from (the first argument of ``Groups.startsWith`` and friends)."""

    id: str
    name: str
    source: str = "OKTA"


class Scope(Protocol):
    """What the evaluator and the functions read of a context: the top-level variables and the user's groups
    (``EvalContext``, or inside ``getFilteredGroups`` the same plus the variable ``group``)."""

    @property
    def groups(self) -> tuple[Group, ...]: ...

    def root(self, name: str) -> Any: ...


@dataclass(frozen=True)
class EvalContext:
    """The evaluation context of one token request.

    ``user``: profile attributes (``login``, ``email``, ``firstName``, ...) plus ``id``; ``None`` without a user
    (client_credentials). ``appuser``: the app user profile (``userName``, ...), ``None`` without a user.
    ``app``: ``id``, ``clientId``, ``profile``, ... ``access_scopes``: the granted scopes (``access.scope``).
    ``org``: ``name``, ``subdomain``. ``groups``: the user's groups (empty without a user).
    """

    user: Mapping[str, Any] | None = None
    appuser: Mapping[str, Any] | None = None
    app: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    access_scopes: tuple[str, ...] = ()
    org: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    groups: tuple[Group, ...] = ()

    def root(self, name: str) -> Any:
        """The value of a top-level variable (one of ``ROOTS``)."""
        if name == "user":
            return self.user
        if name == "appuser":
            return self.appuser
        if name == "app":
            return self.app
        if name == "access":
            return {"scope": list(self.access_scopes)}
        if name == "org":
            return self.org
        raise KeyError(name)
