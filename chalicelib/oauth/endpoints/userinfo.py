"""UserInfo ``/oauth2/{authServerId}/v1/userinfo`` (OIDC Core 5.3; RFC 6750; okta-api.md 7.6; security-checklist
UI-01..04, JAT-04..06, REV-06).

GET or POST with ``Authorization: Bearer <access token>``; a POST may instead carry ``access_token`` in an
``application/x-www-form-urlencoded`` body (RFC 6750 2.2). A token in the query string is not accepted.

The token must be a valid, unexpired access token of *this* server (signature by a published key, ``iss`` and
``aud`` of this server: a token of another server is refused, UI-04), not revoked, issued for a user (``uid``)
who still exists and vouches for it, to a client that still exists and vouches for it (``vouching.py``: ACTIVE,
and no deactivation, suspension, lockout or password change since the token was issued). Otherwise 401 with
``WWW-Authenticate: Bearer error="invalid_token", error_description="The access token is invalid"`` and no body.
A valid token without ``openid`` is 403 ``insufficient_scope`` (Okta's description text), no body either.

A DPoP-bound token (``cnf.jkt``, RFC 9449 7) is accepted only as ``Authorization: DPoP <token>`` with a proof by its
key for this request (``htm``, ``htu``, ``ath``, ``jti`` used once; no server nonce is demanded here); refusals
are 401 with a ``WWW-Authenticate: DPoP`` challenge (``invalid_token`` for a scheme that does not fit the token,
``invalid_dpop_proof`` for the proof).

The answer is ``minting.userinfo_claims``: ``sub`` (the user id, as in the ID token, UI-02) and every claim the
token's scopes release, plus IDENTITY custom claims; ``Cache-Control: no-store`` (personal data).
"""
from __future__ import annotations

from typing import Any, Mapping

from ...keys import lifecycle
from .. import minting
from ..context import NO_STORE, OAuthRequest, OAuthResponse, OAuthServices
from ..directory import Directory
from ..dpop import BEARER, DPOP_SCHEME as DPOP, authorization_token, binding_refusal
from ..issuer import access_token_audience, endpoints_base, issuer
from ..token_verifier import verify_access_token
from ..vouching import client_vouches, user_vouches

INVALID_TOKEN = 'Bearer error="invalid_token", error_description="The access token is invalid"'
INSUFFICIENT_SCOPE = ('Bearer error="insufficient_scope", error_description="The access token must provide access '
                      'to at least one of these scopes - profile, email, address or phone"')
OPENID = "openid"


def _challenge(status: int, header: str) -> OAuthResponse:
    return OAuthResponse(status, "", {"WWW-Authenticate": header, **NO_STORE})


def presented_token(authorization: str | None, params: Mapping[str, str] | None) -> tuple[str | None, str]:
    """The access token of the request and its scheme (``bearer`` or ``dpop``): ``Authorization: Bearer`` or
    ``Authorization: DPoP`` (RFC 9449 7.1; scheme case-insensitive), else a form body's ``access_token`` (a bearer
    token; only when no Authorization header was sent: RFC 6750 2 allows one method per request)."""
    if authorization is not None:
        found = authorization_token(authorization)
        return found if found is not None else (None, BEARER)
    token = params.get("access_token") if params else None
    return token or None, BEARER


def bearer_token(authorization: str | None, params: Mapping[str, str] | None) -> str | None:
    """The access token of a bearer request (``presented_token`` with the Bearer scheme), else None."""
    token, scheme = presented_token(authorization, params)
    return token if scheme == BEARER else None


def _dpop_refusal(services: OAuthServices, request: OAuthRequest, token: str, scheme: str, claims: Mapping[str, Any],
                  uri: str, server_id: str) -> OAuthResponse | None:
    """RFC 9449 7 (``dpop.binding_refusal``) as userinfo answers it: 401 with the DPoP challenge. None when the
    request may go on."""
    dpop = services.dpop
    refusal = binding_refusal(dpop, claims=claims, token=token, scheme=scheme, proofs=request.dpop,
                              method=request.method, uri=uri, server_id=server_id)
    if refusal is None:
        return None
    if dpop is None:
        return _challenge(401, INVALID_TOKEN)
    return _challenge(401, dpop.challenge(refusal.error, refusal.description))


def userinfo(services: OAuthServices, request: OAuthRequest, directory: Directory | None) -> OAuthResponse:
    """``directory``: where the token's user and client are looked up (None: userinfo is not offered, every token
    is refused)."""
    config, _ = services.configs.active(request.server_id, org_route=request.org)
    iss = issuer(config.server, request.base_url)
    token, scheme = presented_token(request.authorization, request.params)
    invalid = INVALID_TOKEN
    if scheme == DPOP and services.dpop is not None:
        invalid = services.dpop.challenge("invalid_token", "The access token is invalid")
    if not token:
        return _challenge(401, invalid)
    now = services.now()
    audience = access_token_audience(config.server, iss)
    claims = verify_access_token(token, lifecycle.published(config.keys), iss, audience, now)
    if claims is None or services.revocations.is_access_token_revoked(str(claims["jti"]), now):
        return _challenge(401, invalid)
    refusal = _dpop_refusal(services, request, token, scheme, claims,
                            f"{endpoints_base(config.server, request.base_url)}/v1/userinfo", config.server.id)
    if refusal is not None:
        return refusal
    scopes = claims.get("scp")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        return _challenge(401, INVALID_TOKEN)
    if OPENID not in scopes:
        return _challenge(403, INSUFFICIENT_SCOPE)
    user_id, client_id = claims.get("uid"), claims.get("cid")
    if not isinstance(user_id, str) or not isinstance(client_id, str) or directory is None:
        return _challenge(401, INVALID_TOKEN)
    client = directory.clients.find(client_id)
    issued = claims.get("iat")
    if client is None or not isinstance(issued, int) or not client_vouches(client, issued):
        return _challenge(401, INVALID_TOKEN)
    # The user and its groups (for claims). Userinfo refuses inactive users and clients, never an unassigned user's
    # unexpired token, so the app's group assignments are not read.
    access = directory.assignments.member(user_id)
    if access is None or not user_vouches(access.user, issued):
        return _challenge(401, INVALID_TOKEN)
    auth_time = claims.get("auth_time")
    subject = minting.subject_of(access, auth_time if isinstance(auth_time, int) else None, ())
    body = minting.userinfo_claims(services, config, client, subject, tuple(scopes))
    return OAuthResponse(200, body, dict(NO_STORE))
