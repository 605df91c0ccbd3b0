"""Bearer access tokens for the management API (Okta's "OAuth 2.0 for Okta APIs"; issue 16): who a token speaks for
and which ``okta.*`` scopes it carries now.

A token is accepted only when it is an access token of the org authorization server (RS256 with one of its
published keys, named by ``kid``; ``iss`` and ``aud`` the base URL; unexpired; ``oauth/token_verifier.py``), has not
been revoked, and its app is still ACTIVE and was not deactivated after the token was issued. Its scopes are those
it carries that are *still* granted to the app: revoking an app grant takes effect on the next request. Everything
is read from the token path's caches (the org configuration and the client): no KMS or Secrets Manager call, and
no DynamoDB read when warm but the revocation list's.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..keys import lifecycle
from ..errors import NotFoundError
from .context import OAuthServices
from .issuer import ORG_SERVER_ID, issuer
from .token_verifier import verify_access_token

BEARER = "bearer"


@dataclass(frozen=True)
class ManagementPrincipal:
    """An app acting with a management token: its client id, the token's ``jti`` and its scopes in force."""

    client_id: str
    jti: str
    scopes: frozenset[str]
    claims: dict[str, Any]
    # A person's token (``uid``): whose, and their admin roles (filled in by the caller, which reads the user).
    user_id: str | None = None
    roles: frozenset[str] = frozenset()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive), else None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    return value if scheme.lower() == BEARER and value and " " not in value else None


def verify_management_token(services: OAuthServices, clients: Any, token: str, base_url: str
                            ) -> ManagementPrincipal | None:
    """The principal a management token speaks for, or None when it is not one this deployment accepts.
    ``clients``: the token path's client cache (``oauth/clients.CachedClients``)."""
    try:
        config, _ = services.configs.active(ORG_SERVER_ID, org_route=True)
    except NotFoundError:
        return None
    org_issuer = issuer(config.server, base_url)
    now = services.now()
    claims = verify_access_token(token, lifecycle.published(config.keys), org_issuer, org_issuer, now)
    if claims is None or services.revocations.is_access_token_revoked(str(claims["jti"]), now):
        return None
    if "cnf" in claims:
        # A DPoP-bound token (oauth/dpop.py) is never a bearer token (RFC 9449 7.2, DPOP-14); the management API
        # does not take DPoP proofs yet, so such a token is refused here rather than accepted without one.
        return None
    client = clients.find(str(claims["cid"]))
    if client is None or not client.active:
        return None
    if client.deactivated is not None and client.deactivated.timestamp() >= int(claims["iat"]):
        return None
    carried = claims.get("scp")
    if not isinstance(carried, list):
        return None
    granted = {g.scope_id for g in client.scope_grants}
    uid = claims.get("uid")
    return ManagementPrincipal(client_id=client.client_id, jti=str(claims["jti"]),
                               scopes=frozenset(s for s in carried if isinstance(s, str) and s in granted),
                               claims=claims, user_id=str(uid) if uid else None)
