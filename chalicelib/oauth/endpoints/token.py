"""The token endpoint ``/oauth2/{authServerId}/v1/token`` (RFC 6749 3.2, 5; security-checklist TOK-01..08; DPoP,
RFC 9449 5, after client authentication: ``_dpop_key``).

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

DPOP = "DPoP"


def _dpop_key(services: OAuthServices, request: OAuthRequest, client: OAuthClient, server_id: str, uri: str,
              trace: TokenTrace) -> str | None:
    """The thumbprint of the key the tokens are bound to (RFC 9449 5): a proof is checked when the request carries
    one (any client may bind its tokens) or the client requires DPoP (``dpop_bound_access_tokens``: no proof is
    ``invalid_dpop_proof``). Always with a server nonce (Okta: the first proof gets ``use_dpop_nonce``). Nothing is
    looked at for a client without DPoP that sends no proof: the warm client_credentials path is unchanged."""
    dpop = services.dpop
    if dpop is None or (not request.dpop and not client.dpop_bound_access_tokens):
        return None
    proof = dpop.verify(request.dpop, method=request.method, uri=uri, server_id=server_id, require_nonce=True)
    trace.extra["dpopBound"] = True
    trace.extra["dpopJkt"] = proof.jkt
    return proof.jkt


def token(services: OAuthServices, grants: Mapping[str, Grant], request: OAuthRequest) -> OAuthResponse:
    # A cold container builds the key store's clients while this request reads (keys/signer.py).
    services.signer.prepare()
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
        if config.server.signing_kid:
            # A cold container fetches the key while the grant decides; only for an authenticated client.
            services.signer.prefetch(config.server.id, config.server.signing_kid)
        jkt = _dpop_key(services, request, client, config.server.id, f"{at}/v1/token", trace)
        body = grant.handle(services, GrantRequest(config=config, config_read_at=read_at, issuer=iss, client=client,
                                                   params=request.params, trace=trace, dpop_jkt=jkt))
        if jkt is not None:
            body["token_type"] = DPOP
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
