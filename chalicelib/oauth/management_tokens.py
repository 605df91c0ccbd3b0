"""Bearer access tokens for the management API (Okta's "OAuth 2.0 for Okta APIs"; issue 16): who a token speaks for
and which ``okta.*`` scopes it carries now.

A token is accepted only when it is an access token of the org authorization server (RS256 with one of its
published keys, named by ``kid``; ``iss`` and ``aud`` the base URL; unexpired; ``oauth/token_verifier.py``), has not
been revoked, and its app is still ACTIVE and was not deactivated after the token was issued. Its scopes are those
it carries that are *still* granted to the app: revoking an app grant takes effect on the next request. Everything
is read from the token path's caches (the org configuration and the client): no KMS or Secrets Manager call, and
no DynamoDB read when warm but the revocation list's.

A DPoP-bound token (an app that requires DPoP, as Okta's SDK sends with ``dpopEnabled``) is taken only as
``Authorization: DPoP <token>`` with a proof by its key for this very request and token (``dpop.binding_refusal``,
as at userinfo: ``htm``, ``htu`` the request's public URL, ``ath``, ``jti`` once); a bound token presented as a
bearer token, or the DPoP scheme with an unbound one, is refused (RFC 9449 7; DPOP-14, DPOP-18).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..keys import lifecycle
from ..errors import NotFoundError
from .context import OAuthServices
from .dpop import BEARER, BindingRefusal, binding_refusal
from .issuer import ORG_SERVER_ID, issuer
from .token_verifier import verify_access_token


@dataclass(frozen=True)
class PresentedToken:
    """A management request's access token, its scheme (``bearer`` or ``dpop``) and, for DPoP, what its proof must
    fit: the ``DPoP`` header values, the method and the request's public URL without the query."""

    token: str
    scheme: str = BEARER
    proofs: tuple[str, ...] = ()
    method: str = "GET"
    uri: str = ""


@dataclass(frozen=True)
class DpopRefused:
    """A token that would be accepted but for how it was presented (RFC 9449 7.1): the challenge to answer with."""

    refusal: BindingRefusal
    challenge: str = ""


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


def verify_management_token(services: OAuthServices, clients: Any, presented: PresentedToken, base_url: str
                            ) -> ManagementPrincipal | DpopRefused | None:
    """The principal a management token speaks for; ``DpopRefused`` when the token is good but not presented as its
    DPoP binding requires; None when it is not one this deployment accepts. ``clients``: the token path's client
    cache (``oauth/clients.CachedClients``)."""
    token = presented.token
    try:
        config, _ = services.configs.active(ORG_SERVER_ID, org_route=True)
    except NotFoundError:
        return None
    org_issuer = issuer(config.server, base_url)
    now = services.now()
    claims = verify_access_token(token, lifecycle.published(config.keys), org_issuer, org_issuer, now)
    if claims is None or services.revocations.is_access_token_revoked(str(claims["jti"]), now):
        return None
    client = clients.find(str(claims["cid"]))
    if client is None or not client.active:
        return None
    if client.deactivated is not None and client.deactivated.timestamp() >= int(claims["iat"]):
        return None
    carried = claims.get("scp")
    if not isinstance(carried, list):
        return None
    # Last: a proof's jti is spent only for a token that is otherwise good.
    refusal = binding_refusal(services.dpop, claims=claims, token=token, scheme=presented.scheme,
                              proofs=presented.proofs, method=presented.method, uri=presented.uri,
                              server_id=ORG_SERVER_ID)
    if refusal is not None:
        dpop = services.dpop
        return DpopRefused(refusal, dpop.challenge(refusal.error, refusal.description) if dpop is not None else "")
    granted = {g.scope_id for g in client.scope_grants}
    uid = claims.get("uid")
    return ManagementPrincipal(client_id=client.client_id, jti=str(claims["jti"]),
                               scopes=frozenset(s for s in carried if isinstance(s, str) and s in granted),
                               claims=claims, user_id=str(uid) if uid else None)
