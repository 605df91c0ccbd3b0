"""Okta's management scopes (``okta.*``) for what tokenmint serves: what an app may be granted for the org
authorization server (Okta's app grants, ``/api/v1/apps/{appId}/grants``; okta-next.md 1.1) and what the management
API will check a bearer token for. Names as Okta documents them ("OAuth 2.0 scopes" of the management API)."""
from __future__ import annotations

OKTA_SCOPES: tuple[str, ...] = (
    "okta.apiTokens.manage", "okta.apiTokens.read",
    "okta.apps.manage", "okta.apps.read",
    "okta.authorizationServers.manage", "okta.authorizationServers.read",
    "okta.clients.manage", "okta.clients.read", "okta.clients.register",
    "okta.groups.manage", "okta.groups.read",
    "okta.logs.read",
    "okta.trustedOrigins.manage", "okta.trustedOrigins.read",
    "okta.users.manage", "okta.users.read",
    # The signed-in person's own user and admin roles (api/management_scopes.reads_self): what the admin console
    # reads to know which controls to show.
    "okta.users.read.self",
)
