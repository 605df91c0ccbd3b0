"""Which ``okta.*`` scope a management route needs from a bearer token (Okta's "OAuth 2.0 scopes" of its management
API; issue 16): the resource family of the path, ``read`` for GET and ``manage`` for the rest. ``manage`` includes
``read``, as in Okta. A route outside every family (the unknown-path catch-all) needs no particular scope: it answers
404 to any accepted token.
"""
from __future__ import annotations

from ..admin.admin_roles import API_ACCESS_MANAGEMENT_ADMIN, READ_ONLY_ADMIN, SUPER_ADMIN

# Path prefix -> scope family (the longest prefix wins).
FAMILIES: tuple[tuple[str, str], ...] = (
    ("/api/v1/authorizationServers", "okta.authorizationServers"),
    ("/api/v1/internal/apps", "okta.apps"),
    ("/api/v1/internal/authorizationServers", "okta.authorizationServers"),  # claims/validate (a write's check)
    ("/api/v1/apps", "okta.apps"),
    ("/oauth2/v1/clients", "okta.clients"),
    ("/api/v1/users", "okta.users"),
    ("/api/v1/groups", "okta.groups"),
    ("/api/v1/api-tokens", "okta.apiTokens"),
    ("/api/v1/trustedOrigins", "okta.trustedOrigins"),
    ("/api/v1/logs", "okta.logs"),
)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# What each admin role of a person lets their tokens do (admin/admin_roles.py): the families and whether writes.
# API Access Management: authorization servers and the apps and clients that use them (the seed's own admin).
API_ACCESS_MANAGEMENT_FAMILIES = frozenset({"okta.authorizationServers", "okta.apps", "okta.clients"})


def family_of(path: str) -> str | None:
    matches = [(len(prefix), family) for prefix, family in FAMILIES
               if path == prefix or path.startswith(prefix + "/")]
    return max(matches)[1] if matches else None


def role_allows(roles: frozenset[str], family: str, method: str) -> bool:
    """Whether a person with ``roles`` may make this call (their token's scopes are checked besides)."""
    if SUPER_ADMIN in roles:
        return True
    if READ_ONLY_ADMIN in roles and method.upper() in READ_METHODS:
        return True
    return API_ACCESS_MANAGEMENT_ADMIN in roles and family in API_ACCESS_MANAGEMENT_FAMILIES


SELF_SCOPE = "okta.users.read.self"
SELF_PATH = "/api/v1/users/{userId}"


def reads_self(path: str, method: str, user_id: str | None, arguments: dict[str, str]) -> bool:
    """A person reading their own user or admin roles (Okta's ``okta.users.read.self``): needs that scope (or a users
    scope) but no admin role, so that any admin, whatever their role, can learn what they may do."""
    return (user_id is not None and method.upper() in READ_METHODS and arguments.get("userId") == user_id
            and (path == SELF_PATH or path.startswith(SELF_PATH + "/roles")))


def accepted_scopes(family: str, method: str) -> tuple[str, ...]:
    """The scopes any one of which lets a token make this call, the one Okta would name first."""
    if method.upper() in READ_METHODS:
        return (f"{family}.read", f"{family}.manage")
    if family == "okta.clients" and method.upper() == "POST":
        return (f"{family}.manage", f"{family}.register")  # Okta: register creates clients
    return (f"{family}.manage",)
