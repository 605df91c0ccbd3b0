"""The client credentials grant (RFC 6749 4.4): a confidential client acting on its own behalf, shaped by the
server's access policies (okta-api.md 6.4) and claims (5); security-checklist TOK-06."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...policy import AccessRequest, evaluate
from .. import minting
from ..context import OAuthServices
from ..errors import UnauthorizedClientError, from_decision
from ..form import parse_scope
from . import GrantRequest


class ClientCredentialsGrant:
    grant_type = "client_credentials"
    allows_public_clients = False

    def handle(self, services: OAuthServices, request: GrantRequest) -> dict[str, Any]:
        client = request.client
        if client.token_endpoint_auth_method == "none":
            raise UnauthorizedClientError("The client_credentials grant is only for confidential clients.")
        scopes = parse_scope(request.params.get("scope"))
        config = request.config
        decision = evaluate(config, AccessRequest(client_id=client.client_id, grant_type=self.grant_type,
                                                  requested_scopes=scopes, user_id=None))
        if not decision.allowed:
            raise from_decision(decision.error or "access_denied", decision.error_description or "", decision.http_status)
        granted = decision.granted_scopes
        lifetime = timedelta(minutes=decision.actions.access_token_lifetime_minutes)  # type: ignore[union-attr]
        claims = minting.access_claims(services, config, request.issuer, client, granted, lifetime, subject=None)
        server = config.server
        token = minting.sign(services, config, request.config_read_at, claims)
        services.holders.note(server.id, client.client_id)
        return {
            "token_type": "Bearer",
            "expires_in": int(lifetime.total_seconds()),
            "access_token": token,
            "scope": " ".join(granted),
        }

