"""Token introspection ``/oauth2/{authServerId}/v1/introspect`` (RFC 7662; security-checklist INT-01..04).

The caller must authenticate as a client of this deployment; any authenticated client may introspect this
server's access tokens (a resource server introspects tokens issued to other clients). A public client (``none``:
only a client_id, which is no secret) is not authenticated, so it learns only about its own tokens (INT-02: "not
allowed for this caller"). Anything that is not an active access token of this server, or not one this caller may
see, gets exactly ``{"active": false}``.

An access token is active only while its client, and its user if it has one (``uid``), still vouch for it
(``vouching.py``): deactivating or suspending the user, a password change, or deactivating the client ends it at
once, as Okta does, though the JWT itself stays unexpired (a resource server that only checks signatures cannot
know: that is what introspection is for).

Refresh tokens (opaque, not JWTs) are looked up when the token is not an access token: active only while it is the
current token of a live family and only for the client it was issued to (``_refresh_token``).
"""
from __future__ import annotations

from typing import Any

from ...domain import User
from ...keys import lifecycle
from ..context import NO_STORE, OAuthRequest, OAuthResponse, OAuthServices
from ..errors import InvalidRequestError
from ..issuer import access_token_audience, endpoints_base, issuer
from ..refresh_tokens import Family, RefreshTokens
from ..directory import Directory
from ..token_verifier import verify_access_token
from ..vouching import client_vouches, user_vouches

INACTIVE = {"active": False}


def introspect(services: OAuthServices, request: OAuthRequest, refresh_tokens: RefreshTokens | None = None,
               directory: Directory | None = None) -> OAuthResponse:
    """``refresh_tokens``: the refresh tokens this server issues (None: it issues none, so none is active);
    ``directory``: where a token's client and user are checked (None: access tokens are judged by signature, expiry
    and the revocation list alone)."""
    config, _ = services.configs.active(request.server_id, org_route=request.org)
    iss = issuer(config.server, request.base_url)
    caller = services.authenticator.authenticate(request.params, request.authorization,
                                                 [f"{endpoints_base(config.server, request.base_url)}/v1/introspect",
                                                  iss], allow_public=True)
    token = request.params.get("token")
    if not token:
        raise InvalidRequestError("The 'token' parameter is required.")
    now = services.now()
    audience = access_token_audience(config.server, iss)
    claims = verify_access_token(token, lifecycle.published(config.keys), iss, audience, now)
    if claims is None:
        found = refresh_tokens.active(token, config.server.id, now, caller.client.client_id) \
            if refresh_tokens is not None else None
        return OAuthResponse(200, _refresh_token(found, iss, caller.client.client_id), dict(NO_STORE))
    if services.revocations.is_access_token_revoked(str(claims["jti"]), now):
        return OAuthResponse(200, dict(INACTIVE), dict(NO_STORE))
    if caller.method == "none" and claims["cid"] != caller.client.client_id:
        return OAuthResponse(200, dict(INACTIVE), dict(NO_STORE))
    if directory is not None and not _vouched(directory, claims):
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
    cnf = claims.get("cnf")
    if isinstance(cnf, dict) and isinstance(cnf.get("jkt"), str):
        # RFC 9449 6.2: a DPoP-bound token says so, with the key's thumbprint, so a resource server checks the proof.
        body["token_type"] = "DPoP"
        body["cnf"] = {"jkt": cnf["jkt"]}
    return OAuthResponse(200, body, dict(NO_STORE))


def _vouched(directory: Directory, claims: dict[str, Any]) -> bool:
    issued = claims.get("iat")
    if not isinstance(issued, int) or not client_vouches(directory.clients.find(str(claims["cid"])), issued):
        return False
    user_id = claims.get("uid")
    return user_id is None or user_vouches(directory.users.find(str(user_id)), issued)


def _refresh_token(found: tuple[Family, User] | None, iss: str, caller_id: str) -> dict[str, Any]:
    """A refresh token of this server, ``found`` by ``RefreshTokens.active`` (okta-api.md 7.5: ``active,
    token_type, scope, client_id, username, exp, sub``, plus ``uid``, ``iat`` and ``iss``). Only the client it was
    issued to learns about it (nobody else ever needs to: a resource server never sees refresh tokens);
    introspecting it neither uses nor rotates it."""
    if found is None or found[0].client_id != caller_id:
        return dict(INACTIVE)
    family, user = found
    login = user.profile.get("login", family.user_id)
    return {
        "active": True,
        "token_type": "Bearer",
        "scope": " ".join(family.scopes),
        "client_id": family.client_id,
        "username": login,
        "exp": int(family.expires_at.timestamp()),
        "iat": int(family.last_updated.timestamp()),
        "sub": login,
        "iss": iss,
        "uid": family.user_id,
    }
