"""The client credentials grant at the org authorization server (Okta's "OAuth 2.0 for Okta APIs"; okta-next.md,
issue 16): a service app gets an access token for the management API with the ``okta.*`` scopes an admin granted it
(``/api/v1/apps/{appId}/grants``).

Okta's rules, checked before the ordinary grant runs on the org server's configuration: the app authenticates with
``private_key_jwt``, names its scopes (no default scope), and every scope it names is granted to it; anything else is
refused with the RFC 6749 error and nothing is issued.
"""
from __future__ import annotations

from typing import Any

from ..context import OAuthServices
from ..errors import InvalidClientError, InvalidScopeError
from ..form import parse_scope
from . import Grant, GrantRequest

PRIVATE_KEY_JWT = "private_key_jwt"


class OrgClientCredentialsGrant:
    grant_type = "client_credentials"
    allows_public_clients = False

    def __init__(self, inner: Grant) -> None:
        self._inner = inner

    def handle(self, services: OAuthServices, request: GrantRequest) -> dict[str, Any]:
        client = request.client
        if client.token_endpoint_auth_method != PRIVATE_KEY_JWT:
            raise InvalidClientError("Client Credentials requests to the org authorization server must use the "
                                     "private_key_jwt token_endpoint_auth_method.")
        scopes = parse_scope(request.params.get("scope"))
        if not scopes:
            raise InvalidScopeError("The 'scope' parameter is required: name the Okta scopes the app was granted.")
        granted = {g.scope_id for g in client.scope_grants}
        missing = [s for s in scopes if s not in granted]
        if missing:
            raise InvalidScopeError("The following scopes are not granted to the app: "
                                    f"[{', '.join(missing)}].")
        return self._inner.handle(services, request)
