"""The admin console's own client at the org authorization server (issue 18; Okta's first-party "Okta Admin
Console" app): a public browser app that signs people in with code + PKCE (RFC 7636) and calls the management API
with their access token.

It is built in rather than stored, because what it needs depends on the deployment, not on an admin:

* Its redirect URI is the console's own page, ``{base URL}/admin``, and the base URL is only known per request (an
  API Gateway URL, a custom domain). It is registered as the path ``/admin``; ``authorize.redirect_uris.resolve``
  makes it absolute against the org issuer (which is the base URL), and only at the org authorization server. No
  admin can register a relative URI (``admin/client_fields.py`` refuses it), so only this client has one.
* It is granted every Okta scope: what a person can do with its token is bounded by their admin roles, checked on
  every management call (``api/management_scopes.role_allows``).
* Instead of app assignments, "assigned" means "has an admin role": a person with none is refused at sign-in
  (``access_denied``), as Okta refuses the admin console to people who are not admins.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Protocol

from ..domain import ACTIVE, OAuthClient, ScopeGrant, UserAccess
from ..okta_scopes import OKTA_SCOPES

CONSOLE_CLIENT_ID = "tokenmint-admin-console"
CONSOLE_PATH = "/admin"
_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _console() -> OAuthClient:
    grants = tuple(ScopeGrant(id=f"scp{n:017d}", issuer="", scope_id=scope, created=_EPOCH, created_by=None,
                              created_by_type="SYSTEM") for n, scope in enumerate(OKTA_SCOPES))
    return OAuthClient(
        client_id=CONSOLE_CLIENT_ID, client_name="tokenmint Admin Console", application_type="browser",
        token_endpoint_auth_method="none", grant_types=("authorization_code",), response_types=("code",),
        redirect_uris=(CONSOLE_PATH,), post_logout_redirect_uris=(CONSOLE_PATH,), client_uri=None, logo_uri=None,
        jwks=None, jwks_uri=None, secrets=(), status=ACTIVE, created=_EPOCH, last_updated=_EPOCH,
        consent_method="TRUSTED", pkce_required=True, scope_grants=grants)


CONSOLE_CLIENT = _console()


class ClientSource(Protocol):
    def get_for_token(self, client_id: str, consistent: bool = False) -> Any: ...

    def verify_secret(self, client: Any, presented: str) -> bool: ...


class Assignments(Protocol):
    def access(self, client_id: str, user_id: str) -> UserAccess | None: ...

    def member(self, user_id: str) -> UserAccess | None: ...


class WithConsoleClient:
    """A client source that also knows the console's client (the token path's caches read through it)."""

    def __init__(self, source: ClientSource) -> None:
        self._source = source

    def get_for_token(self, client_id: str, consistent: bool = False) -> Any:
        if client_id == CONSOLE_CLIENT_ID:
            return CONSOLE_CLIENT
        return self._source.get_for_token(client_id, consistent=consistent)

    def verify_secret(self, client: Any, presented: str) -> bool:
        # The console has no secret (a public client): only stored clients can match one.
        return client is not CONSOLE_CLIENT and self._source.verify_secret(client, presented)


class WithConsoleAccess:
    """App assignments, where the console is "assigned" to exactly the people who hold an admin role."""

    def __init__(self, assignments: Assignments) -> None:
        self._assignments = assignments

    def access(self, client_id: str, user_id: str) -> UserAccess | None:
        access = self._assignments.access(client_id, user_id)
        if access is None or client_id != CONSOLE_CLIENT_ID:
            return access
        return replace(access, assigned=bool(access.user.roles))

    def member(self, user_id: str) -> UserAccess | None:
        return self._assignments.member(user_id)
