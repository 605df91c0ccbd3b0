"""The client credentials grant (RFC 6749 4.4): a confidential client acting on its own behalf, shaped by the
server's access policies (okta-api.md 6.4) and claims (5); security-checklist TOK-06."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...claims.builder import build_claims
from ...claims.expression import EvalContext
from ...keys import jws
from ...keys.errors import KeyStoreError
from ...policy import AccessRequest, evaluate
from ..access_token import access_token_claims
from ..context import OAuthServices, log
from ..errors import TemporarilyUnavailableError, UnauthorizedClientError, from_decision
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
        context = EvalContext(user=None, appuser=None, app=_app(client), access_scopes=granted, org=services.org,
                              groups=())
        custom = build_claims(config.claims, "RESOURCE", granted, context, log)
        subject = custom.pop("sub", None) or client.client_id
        lifetime = timedelta(minutes=decision.actions.access_token_lifetime_minutes)  # type: ignore[union-attr]
        claims = access_token_claims(issuer=request.issuer, audience=config.server.audiences[0],
                                     client_id=client.client_id, scopes=granted, now=services.now(),
                                     lifetime=lifetime, subject=str(subject), custom=custom)
        server = config.server
        try:
            key = services.signer.get(server.id, server.signing_kid or "", kid_read_at=request.config_read_at)
        except KeyStoreError:
            log.error("signing key of %s unavailable", server.id)
            raise TemporarilyUnavailableError("The authorization server is temporarily unavailable.") from None
        token = jws.sign(claims, key)
        services.holders.note(server.id, client.client_id)
        return {
            "token_type": "Bearer",
            "expires_in": int(lifetime.total_seconds()),
            "access_token": token,
            "scope": " ".join(granted),
        }


def _app(client: Any) -> dict[str, Any]:
    return {"id": client.client_id, "clientId": client.client_id, "name": getattr(client, "client_name", None),
            "profile": {}}
