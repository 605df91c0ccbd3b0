"""Token revocation ``/oauth2/{authServerId}/v1/revoke`` (RFC 7009; security-checklist REV-01..06).

Access tokens are self-contained JWTs, so revoking one records its ``jti`` until the token expires; introspection
then reports it inactive. An unknown, malformed or expired token is answered 200 like a revoked one (RFC 7009
2.2). A token issued to another client is not revoked and the caller is told (400 ``invalid_request``), as
node-oidc does for confidential clients.

A refresh token (opaque) revokes its whole family (``_revoke_refresh_token``). Revoking an access token does not
revoke the refresh token of its grant (node-oidc's default; security-checklist REV-05 asks to pin the choice).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ...audit.event import FAILURE, SUCCESS, Party, log_event
from ...domain import ServerConfig
from ...keys import lifecycle
from .. import token_events
from ..context import NO_STORE, OAuthRequest, OAuthResponse, OAuthServices
from ..errors import InvalidRequestError, OAuthError
from ..issuer import access_token_audience, endpoints_base, issuer
from ..refresh_tokens import RefreshTokens
from ..token_verifier import verify_access_token


def revoke(services: OAuthServices, request: OAuthRequest, refresh_tokens: RefreshTokens | None = None
           ) -> OAuthResponse:
    """``refresh_tokens``: the refresh tokens this server issues (None: it issues none). Each request is a System
    Log event (``app.oauth2.as.token.revoke``, buffered like the token endpoint's)."""
    config, _ = services.configs.active(request.server_id, org_route=request.org)
    noted: dict[str, Any] = {}
    try:
        response = _revoke(services, request, refresh_tokens, config, noted)
    except OAuthError as error:
        services.audit.record_token(lambda: [_event(services, request, config, noted, error)], success=False)
        raise
    services.audit.record_token(lambda: [_event(services, request, config, noted, None)], success=True)
    return response


def _event(services: OAuthServices, request: OAuthRequest, config: ServerConfig, noted: dict[str, Any],
           error: OAuthError | None) -> dict[str, Any]:
    client = noted.get("client")
    targets = [token_events.server_party(config.server)]
    if noted.get("token_id"):
        targets.insert(0, Party(id=noted["token_id"], type=noted["token_type"]))
    return log_event(f"{token_events.event_prefix(config.server)}.revoke", published=services.now(),
                     actor=token_events.client_party(client, client.client_id if client else
                                                     token_events.claimed_client_id(request.params,
                                                                                    request.authorization)),
                     targets=targets, result=FAILURE if error else SUCCESS,
                     reason=f"{error.error}: {error.description}" if error else None, origin=request.origin,
                     debug={"tokenTypeHint": request.params.get("token_type_hint"), "jti": noted.get("token_id")})


def _revoke(services: OAuthServices, request: OAuthRequest, refresh_tokens: RefreshTokens | None,
            config: ServerConfig, noted: dict[str, Any]) -> OAuthResponse:
    iss = issuer(config.server, request.base_url)
    caller = services.authenticator.authenticate(request.params, request.authorization,
                                                 [f"{endpoints_base(config.server, request.base_url)}/v1/revoke", iss],
                                                 allow_public=True).client
    noted["client"] = caller
    token = request.params.get("token")
    if not token:
        raise InvalidRequestError("The 'token' parameter is required.")
    audience = access_token_audience(config.server, iss)
    claims = verify_access_token(token, lifecycle.published(config.keys), iss, audience,
                                 services.now())
    if claims is not None:
        if claims["cid"] != caller.client_id:
            raise InvalidRequestError("The token was issued to another client.")
        noted.update(token_id=str(claims["jti"]), token_type="access_token")
        expires = datetime.fromtimestamp(int(claims["exp"]), timezone.utc)
        services.revocations.revoke_access_token(str(claims["jti"]), caller.client_id, expires)
    elif refresh_tokens is not None:
        noted.update(token_id=token_events.refresh_token_id(token), token_type="refresh_token")
        _revoke_refresh_token(refresh_tokens, config.server.id, caller.client_id, token)
    return OAuthResponse(200, "", dict(NO_STORE))


def _revoke_refresh_token(tokens: RefreshTokens, server_id: str, caller_id: str, token: str) -> None:
    """A refresh token of this server revokes its whole family: every refresh token of the grant and the access
    tokens it issued (RFC 7009 2.1; REV-05, RT-10). A rotated-out token of the family does too (whoever holds it
    holds a piece of the grant). Another client's refresh token is refused like another client's access token."""
    found = tokens.lookup(token, server_id, caller_id)
    if found is None:
        return
    family, _current = found
    if family.client_id != caller_id:
        raise InvalidRequestError("The token was issued to another client.")
    tokens.revoke(family)
