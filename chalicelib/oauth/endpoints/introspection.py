"""Token introspection ``/oauth2/{authServerId}/v1/introspect`` (RFC 7662; security-checklist INT-01..04).

The caller must authenticate as a client of this deployment; any authenticated client may introspect this
server's access tokens (a resource server introspects tokens issued to other clients). A public client (``none``:
only a client_id, which is no secret) is not authenticated, so it learns only about its own tokens (INT-02: "not
allowed for this caller"). Anything that is not an active access token of this server, or not one this caller may
see, gets exactly ``{"active": false}``.
"""
from __future__ import annotations

from typing import Any

from ...keys import lifecycle
from ..context import NO_STORE, OAuthRequest, OAuthResponse, OAuthServices
from ..errors import InvalidRequestError
from ..issuer import issuer
from ..token_verifier import verify_access_token

INACTIVE = {"active": False}


def introspect(services: OAuthServices, request: OAuthRequest) -> OAuthResponse:
    config, _ = services.configs.active(request.server_id)
    iss = issuer(config.server, request.base_url)
    caller = services.authenticator.authenticate(request.params, request.authorization,
                                                 [f"{iss}/v1/introspect", iss], allow_public=True)
    token = request.params.get("token")
    if not token:
        raise InvalidRequestError("The 'token' parameter is required.")
    now = services.now()
    claims = verify_access_token(token, lifecycle.published(config.keys), iss, config.server.audiences[0], now)
    if claims is None or services.revocations.is_access_token_revoked(str(claims["jti"]), now):
        return OAuthResponse(200, dict(INACTIVE), dict(NO_STORE))
    if caller.method == "none" and claims["cid"] != caller.client.client_id:
        return OAuthResponse(200, dict(INACTIVE), dict(NO_STORE))
    body: dict[str, Any] = {
        "active": True,
        "scope": " ".join(claims.get("scp", [])),
        "username": claims.get("sub"),
        "exp": claims["exp"],
        "iat": claims["iat"],
        "sub": claims.get("sub"),
        "aud": claims["aud"],
        "iss": claims["iss"],
        "jti": claims["jti"],
        "token_type": "Bearer",
        "client_id": claims["cid"],
    }
    if "uid" in claims:
        body["uid"] = claims["uid"]
    return OAuthResponse(200, body, dict(NO_STORE))
