"""The refresh token grant (RFC 6749 6; okta-api.md 7.4, 8.4; security-checklist RT-01..04, RT-09, RT-11, RT-13).

1. The presented token must be the current, unexpired token of a live family issued to this client at this server
   (``RefreshTokens.redeem``; a rotated-out token revokes the family).
2. ``scope`` may narrow the family's scopes, never widen them (``invalid_scope``); without it, the family's scopes.
3. The user must still exist, be ACTIVE, not have changed status since the family was created, and be assigned to
   the client (else the family is revoked: ``invalid_grant``).
4. The access policy is evaluated again, as for the original grant (``AccessRequest.grant_type`` = the grant type
   stored with the family; consent already given for the family's scopes counts). A policy that no longer grants
   the scopes answers with its own error and leaves the family alone (fixing the policy brings it back); the
   access token's lifetime comes from the rule that matches now, the refresh token's lifetimes stay those of the
   family.
   A family bound to a DPoP key (a public client's, RFC 9449 5) is refreshed only with a proof by that key.
5. Tokens are minted and signed first, then the family rotates (one conditional write); only then are they
   returned, so a failure anywhere before leaves the presented token usable. The response carries a new access
   token, the new refresh token and, when ``openid`` is among the granted scopes, an ID token whose ``auth_time``
   and ``amr`` are those of the original sign-in (RT-13).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ...policy import AccessRequest, evaluate
from .. import dpop, minting
from ..errors import InvalidDpopProofError
from ..context import OAuthServices
from ..errors import InvalidRequestError, InvalidScopeError, from_decision
from ..form import parse_scope
from ..minting import subject_of
from ..refresh_tokens import RefreshTokens
from . import GrantRequest

OPENID = "openid"
SCOPE_EXCEEDED = ("The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource "
                  "owner.")


def mint_for_user(services: OAuthServices, request: GrantRequest, subject: minting.Subject,
                  granted: tuple[str, ...], lifetime: timedelta) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """Sign the access token (and the ID token when ``openid`` is granted) of a user grant: (response body so
    far, access-token claims, ID token or None)."""
    config = request.config
    claims = minting.access_claims(services, config, request.issuer, request.client, granted, lifetime, subject,
                                   jkt=request.dpop_jkt)
    access_token = minting.sign(services, config, request.config_read_at, claims)
    id_token = None
    if OPENID in granted:
        id_claims = minting.id_token_claims(services, config, request.issuer, request.client, subject, granted,
                                            access_token=access_token)
        id_token = minting.sign(services, config, request.config_read_at, id_claims)
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "expires_in": int(lifetime.total_seconds()),
        "access_token": access_token,
        "scope": " ".join(granted),
    }
    return body, claims, id_token


def access_token_of(claims: dict[str, Any]) -> tuple[str, datetime]:
    """(jti, expiry) of an access token's claims, for the family to revoke it with itself."""
    return str(claims["jti"]), datetime.fromtimestamp(int(claims["exp"]), timezone.utc)


class RefreshTokenGrant:
    grant_type = "refresh_token"
    allows_public_clients = True  # SPAs and native apps refresh too; rotation and reuse detection protect them

    def __init__(self, tokens: RefreshTokens) -> None:
        self.tokens = tokens

    def handle(self, services: OAuthServices, request: GrantRequest) -> dict[str, Any]:
        tokens = self.tokens
        presented_token = request.params.get("refresh_token")
        if not presented_token:
            raise InvalidRequestError("The 'refresh_token' parameter is required.")
        client = request.client
        config = request.config
        now = services.now()
        presented = tokens.redeem(presented_token, server_id=config.server.id, client_id=client.client_id, now=now)
        family = presented.family
        if family.jkt is not None and request.dpop_jkt != family.jkt:
            # RFC 9449 5: a public client's bound refresh token needs a proof by the same key (DPOP-13). The family
            # is left alone: whoever presented it may not be its holder.
            raise InvalidDpopProofError(dpop.MISSING if request.dpop_jkt is None else dpop.KEY_MISMATCH)

        requested = parse_scope(request.params.get("scope"))
        if requested is None:
            scopes = family.scopes
        elif not set(requested) <= set(family.scopes):
            raise InvalidScopeError(SCOPE_EXCEEDED)
        else:
            scopes = requested

        access = tokens.holder(family, now)
        decision = evaluate(config, AccessRequest(
            client_id=client.client_id, grant_type=family.grant_type, requested_scopes=scopes,
            user_id=family.user_id, user_group_ids=frozenset(access.group_ids), user_assigned=access.assigned,
            consent_granted=frozenset(family.scopes)))
        request.trace.decided(decision, family.user_id)
        if not decision.allowed:
            raise from_decision(decision.error or "access_denied", decision.error_description or "",
                                decision.http_status)
        granted = decision.granted_scopes
        lifetime = timedelta(minutes=decision.granted_actions.access_token_lifetime_minutes)
        subject = subject_of(access, family.auth_time, family.amr)
        body, claims, id_token = mint_for_user(services, request, subject, granted, lifetime)
        body["refresh_token"] = tokens.rotate(presented, now=now, access_token=access_token_of(claims))
        if id_token is not None:
            body["id_token"] = id_token
        services.holders.note(config.server.id, client.client_id)
        return body
