"""OAuth 2.0 Token Exchange (RFC 8693) as Okta's custom authorization servers offer it: service-to-service
on-behalf-of exchange (okta-next.md 3; developer.okta.com "Set up OAuth 2.0 On-Behalf-Of Token Exchange";
docs/ARCHITECTURE.md "Token exchange"; security cases TX-01..TX-15 in docs/security-cases/exchange.md).

A **service** app registered for ``urn:ietf:params:oauth:grant-type:token-exchange`` authenticates (a confidential
client: never ``none``) and presents a user's access token as ``subject_token``. The token must be an access token
of this server, or of a server this one *trusts* (Okta's associated servers, admin/trusted_servers.py). The answer
is a new access token of this server for the same user (``sub``, ``uid``), with ``cid`` = the exchanging app and an
``act`` claim naming the party that acts (RFC 8693 4.1). No refresh token, no ID token.

Checks, in order, each with Okta's error (its OAuth error catalogue) where Okta has one:

1. The app is a ``service`` app (``invalid_request`` "Only service clients may use on-behalf token exchange.").
2. ``subject_token`` and ``subject_token_type`` present (``invalid_request``); the type is
   ``urn:ietf:params:oauth:token-type:access_token`` (``invalid_request`` "'subject_token_type' is invalid or not
   supported.": RFC 8693 2.2.2 names ``invalid_request`` for tokens and types it will not take).
   ``actor_token_type`` comes with ``actor_token`` and only with it, and is the access-token type too;
   ``requested_token_type``, when sent, is the access-token type.
3. ``audience`` is this server's audience and no ``resource`` is sent (``invalid_target`` "Token Exchange requests
   must include a valid audience of the authorization server.").
4. No OpenID Connect scope (``openid``, ``profile``, …, ``offline_access``): a service app gets neither an ID
   token nor a refresh token (``invalid_scope`` "Can't request 'openid' scopes using the Token Exchange flow for a
   service app.").
5. The subject token: its ``iss`` names this server or a server this one trusts (else 403 ``access_denied``
   "The 'subject_token' issuer isn't a trusted authorization server.", Okta's ``associated_server_not_trusted``);
   it verifies against the keys that server publishes (RS256 only, the ``kid`` named, from the token path's
   configuration cache: the issuer is in this deployment) with that server's ``iss`` and ``aud``; it is an access
   token (``jti`` ``AT.``) with a user (``uid``) (else ``invalid_request`` "'subject_token' is invalid."). Expired,
   revoked, or no longer vouched for by its user (deleted, not ACTIVE, status or password changed since it was
   issued) or its client (deactivated since): ``invalid_grant`` "The 'subject_token' either expired or the session
   associated with it was terminated." (Okta's ``token_exchange_subject_token_expired``).
6. An ``actor_token`` is checked the same way and must have been issued to the exchanging app (``cid``): an app
   cannot claim another party's token as its own (``invalid_request`` "'actor_token' is invalid.").
7. The access policy, for the exchanging app, the grant type URN and the subject token's user (its groups; the
   user need not be assigned to the service app, which has no assignments): the matched rule must list the URN in
   ``conditions.grantTypes.include``, requested scopes must all be allowed (no narrowing of explicit scopes), no
   ``scope`` means the server's default scopes narrowed to the rule's, OIDC ones left out. Consent: REQUIRED scopes
   need a TRUSTED app (Okta's ``consent_required_token_exchange``).

``act`` (RFC 8693 4.1): ``{"sub": <exchanging client_id>}`` without an actor token; with one, ``{"sub": <actor
token's sub>, "cid": <its client>}``. When the subject token itself carried ``act`` (it came from an earlier
exchange), that chain is kept under the new ``act`` as RFC 8693 nests prior actors.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

import jwt

from ...domain import TRUSTED, ServerConfig
from ...errors import NotFoundError
from ...keys import lifecycle
from ...policy import AccessRequest, evaluate
from .. import minting
from ..context import OAuthServices
from ..directory import Directory
from ..errors import (AccessDeniedError, InvalidGrantError, InvalidRequestError, InvalidScopeError,
                      InvalidTargetError, from_decision)
from ..form import parse_scope
from ..issuer import ORG_SERVER_ID, access_token_audience, issuer as issuer_of
from ..minting import subject_of
from ..token_verifier import EXPIRED, check_access_token
from ..vouching import client_vouches, user_vouches
from . import GrantRequest

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
SERVICE = "service"
OIDC_SCOPES = frozenset({"openid", "profile", "email", "address", "phone", "offline_access", "device_sso"})

ONLY_SERVICE = "Only service clients may use on-behalf token exchange."
INVALID_SUBJECT = "'subject_token' is invalid."
INVALID_SUBJECT_TYPE = "'subject_token_type' is invalid or not supported."
INVALID_ACTOR = "'actor_token' is invalid."
INVALID_ACTOR_TYPE = "'actor_token_type' is invalid or not supported."
INVALID_REQUESTED_TYPE = "'requested_token_type' is invalid or not supported."
SUBJECT_ENDED = "The 'subject_token' either expired or the session associated with it was terminated."
NOT_TRUSTED = "The 'subject_token' issuer isn't a trusted authorization server."
INVALID_AUDIENCE = "Token Exchange requests must include a valid audience of the authorization server."
INVALID_RESOURCE = "'resource' is invalid or not supported."
OPENID_NOT_ALLOWED = "Can't request 'openid' scopes using the Token Exchange flow for a service app."
NO_DEFAULT_SCOPES = ("The authorization server resource does not have any configured default scopes, 'scope' must "
                     "be provided.")


def _missing(name: str) -> InvalidRequestError:
    return InvalidRequestError(f"The required parameter '{name}' is missing.")


def base_of(server_issuer: str) -> str:
    """The deployment's base URL, given the issuer of one of its custom servers (``{base}/oauth2/{id}``)."""
    return server_issuer.rsplit("/oauth2/", 1)[0]


def issuing_server_id(claimed_issuer: object, base: str) -> str | None:
    """The id (or ``default``) of the custom server of this deployment that ``claimed_issuer`` names, or None: the
    org authorization server (issuer = the base URL) and anything outside the deployment name none."""
    if not isinstance(claimed_issuer, str):
        return None
    prefix = f"{base}/oauth2/"
    if not claimed_issuer.startswith(prefix):
        return None
    server_id = claimed_issuer[len(prefix):]
    if not server_id or "/" in server_id or server_id == ORG_SERVER_ID:
        return None
    return server_id


def actor_claim(client_id: str, actor: Mapping[str, Any] | None, prior: object) -> dict[str, Any]:
    """RFC 8693 4.1 ``act``: who acts now (the actor token's subject and client, else the exchanging client), with
    the prior chain of the subject token nested under it."""
    act: dict[str, Any] = {"sub": str(actor["sub"]), "cid": str(actor["cid"])} if actor is not None \
        else {"sub": client_id}
    if isinstance(prior, dict) and prior:
        act["act"] = prior
    return act


class TokenExchangeGrant:
    grant_type = TOKEN_EXCHANGE
    allows_public_clients = False

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    # -- the request's parameters ----------------------------------------------------------------------------------

    @staticmethod
    def _check_parameters(request: GrantRequest) -> None:
        params = request.params
        if request.client.application_type != SERVICE:
            raise InvalidRequestError(ONLY_SERVICE)
        if not params.get("subject_token"):
            raise _missing("subject_token")
        if not params.get("subject_token_type"):
            raise _missing("subject_token_type")
        if params["subject_token_type"] != ACCESS_TOKEN_TYPE:
            raise InvalidRequestError(INVALID_SUBJECT_TYPE)
        actor, actor_type = params.get("actor_token"), params.get("actor_token_type")
        if actor and not actor_type:
            raise _missing("actor_token_type")
        if actor_type and not actor:
            raise _missing("actor_token")
        if actor_type and actor_type != ACCESS_TOKEN_TYPE:
            raise InvalidRequestError(INVALID_ACTOR_TYPE)
        requested_type = params.get("requested_token_type")
        if requested_type and requested_type != ACCESS_TOKEN_TYPE:
            raise InvalidRequestError(INVALID_REQUESTED_TYPE)
        if params.get("resource"):
            raise InvalidTargetError(INVALID_RESOURCE)
        audience = access_token_audience(request.config.server, request.issuer)
        if params.get("audience") != audience:
            raise InvalidTargetError(INVALID_AUDIENCE)

    # -- the tokens presented --------------------------------------------------------------------------------------

    def _issuer_config(self, services: OAuthServices, request: GrantRequest, claimed: object
                       ) -> tuple[ServerConfig, str] | None:
        """The configuration and issuer of the server that ``claimed`` names if this server accepts its tokens
        (itself, or a server it trusts, ACTIVE); None otherwise."""
        own = request.config
        if claimed == request.issuer:
            return own, request.issuer
        base = base_of(request.issuer)
        server_id = issuing_server_id(claimed, base)
        if server_id is None:
            return None
        try:
            config, _read_at = services.configs.active(server_id)
        except NotFoundError:
            return None
        if config.server.id == own.server.id or config.server.id not in own.trusted_server_ids:
            return None
        found_issuer = issuer_of(config.server, base)
        return (config, found_issuer) if found_issuer == claimed else None

    def _verified(self, services: OAuthServices, request: GrantRequest, token: str, invalid: str
                  ) -> dict[str, Any]:
        """The claims of a valid, live access token of this server or a trusted one (checks 5 and 6)."""
        try:
            claimed = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            raise InvalidRequestError(invalid) from None
        found = self._issuer_config(services, request, claimed)
        if found is None:
            raise AccessDeniedError(NOT_TRUSTED, status=403)
        config, server_issuer = found
        now = services.now()
        claims, reason = check_access_token(token, lifecycle.published(config.keys), server_issuer,
                                            access_token_audience(config.server, server_issuer), now)
        if claims is None:
            if reason == EXPIRED:
                raise InvalidGrantError(SUBJECT_ENDED)
            raise InvalidRequestError(invalid)
        if not isinstance(claims.get("uid"), str) or not isinstance(claims.get("iat"), int):
            raise InvalidRequestError(invalid)
        if services.revocations.is_access_token_revoked(str(claims["jti"]), now):
            raise InvalidGrantError(SUBJECT_ENDED)
        issued = int(claims["iat"])
        if not client_vouches(self.directory.clients.find(str(claims["cid"])), issued) \
                or not user_vouches(self.directory.users.find(claims["uid"]), issued):
            raise InvalidGrantError(SUBJECT_ENDED)
        return claims

    # -- the grant -------------------------------------------------------------------------------------------------

    def handle(self, services: OAuthServices, request: GrantRequest) -> dict[str, Any]:
        self._check_parameters(request)
        params = request.params
        client = request.client
        config = request.config
        requested = parse_scope(params.get("scope"))
        if requested is not None:
            oidc = [s for s in requested if s in OIDC_SCOPES]
            if oidc:
                raise InvalidScopeError(OPENID_NOT_ALLOWED)
        elif not [s for s in config.scopes if s.default and s.name not in OIDC_SCOPES]:
            raise InvalidScopeError(NO_DEFAULT_SCOPES)

        subject = self._verified(services, request, params["subject_token"], INVALID_SUBJECT)
        trace = request.trace
        trace.extra.update({"subjectTokenJti": subject["jti"], "subjectTokenIssuer": subject["iss"]})
        actor: dict[str, Any] | None = None
        if params.get("actor_token"):
            actor = self._verified(services, request, params["actor_token"], INVALID_ACTOR)
            if actor["cid"] != client.client_id:
                raise InvalidRequestError(INVALID_ACTOR)
            trace.extra.update({"actorTokenJti": actor["jti"], "actorTokenIssuer": actor["iss"]})

        user_id = str(subject["uid"])
        access = self.directory.assignments.access(client.client_id, user_id)
        if access is None:  # deleted since the token was checked
            raise InvalidGrantError(SUBJECT_ENDED)
        decision = evaluate(config, AccessRequest(
            client_id=client.client_id, grant_type=self.grant_type, requested_scopes=requested, user_id=user_id,
            user_group_ids=frozenset(access.group_ids), user_assigned=True,
            client_trusted=client.consent_method == TRUSTED))
        trace.decided(decision, user_id)
        if not decision.allowed:
            raise from_decision(decision.error or "access_denied", decision.error_description or "",
                                decision.http_status)
        granted = tuple(s for s in decision.granted_scopes if s not in OIDC_SCOPES)
        if not granted:  # only default OIDC scopes were left: nothing a service app may get
            raise InvalidScopeError(NO_DEFAULT_SCOPES)

        lifetime = timedelta(minutes=decision.granted_actions.access_token_lifetime_minutes)
        auth_time = subject.get("auth_time")
        person = subject_of(access, auth_time if isinstance(auth_time, int) else None, ())
        claims = minting.access_claims(services, config, request.issuer, client, granted, lifetime, person)
        claims["act"] = actor_claim(client.client_id, actor, subject.get("act"))
        token = minting.sign(services, config, request.config_read_at, claims)
        trace.access_token = (claims["jti"], claims["exp"])
        services.holders.note(config.server.id, client.client_id)
        return {
            "token_type": "Bearer",
            "expires_in": int(lifetime.total_seconds()),
            "access_token": token,
            "scope": " ".join(granted),
            "issued_token_type": ACCESS_TOKEN_TYPE,
        }
