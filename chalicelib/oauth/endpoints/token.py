"""The token endpoint ``/oauth2/{authServerId}/v1/token`` (RFC 6749 3.2, 5; security-checklist TOK-01..08).

Every request ends in System Log events (oauth/token_events.py): one per token minted, or one FAILURE naming the
error and, when a policy decided, the policy and rule. They go through ``services.audit.record_token``, which
buffers them: no synchronous write per token.
"""
from __future__ import annotations

from typing import Mapping

from ...domain import OAuthClient, ServerConfig
from .. import token_events
from ..audit import TokenTrace
from ..context import NO_STORE, OAuthRequest, OAuthResponse, OAuthServices
from ..errors import InvalidRequestError, OAuthError, UnauthorizedClientError, UnsupportedGrantTypeError
from ..grants import Grant, GrantRequest
from ..issuer import endpoints_base, issuer


def token(services: OAuthServices, grants: Mapping[str, Grant], request: OAuthRequest) -> OAuthResponse:
    trace = TokenTrace()
    config: ServerConfig | None = None
    client: OAuthClient | None = None
    try:
        config, read_at = services.configs.active(request.server_id, org_route=request.org)
        iss = issuer(config.server, request.base_url)
        grant_type = request.params.get("grant_type")
        if not grant_type:
            raise InvalidRequestError("The token request must specify a 'grant_type'. Valid values: "
                                      f"[{', '.join(grants)}]")
        grant = grants.get(grant_type)
        if grant is None:
            raise UnsupportedGrantTypeError("The authorization grant type is not supported by the authorization "
                                            f"server. Configured grant types: [{', '.join(grants)}].")
        at = endpoints_base(config.server, request.base_url)
        authenticated = services.authenticator.authenticate(request.params, request.authorization,
                                                            [f"{at}/v1/token", iss], grant.allows_public_clients)
        client = authenticated.client
        allowed = client.grant_types
        if grant_type not in allowed:
            raise UnauthorizedClientError("The client is not authorized to use the provided grant type. Configured "
                                          f"grant types: [{', '.join(allowed)}].")
        body = grant.handle(services, GrantRequest(config=config, config_read_at=read_at, issuer=iss, client=client,
                                                   params=request.params, trace=trace))
    except OAuthError as error:
        if error.routine:
            raise
        server = config.server if config is not None else None
        services.audit.record_token(lambda: token_events.refused(
            server=server, server_id=request.server_id, client=client, params=request.params,
            authorization=request.authorization, error=error.error,
            description=error.description, trace=trace, origin=request.origin, now=services.now()), success=False)
        raise
    minted_by = client
    services.audit.record_token(lambda: token_events.granted(
        server=config.server, client=minted_by, grant_type=grant_type, params=request.params, body=body,
        trace=trace, origin=request.origin, now=services.now()), success=True)
    return OAuthResponse(200, body, dict(NO_STORE))
