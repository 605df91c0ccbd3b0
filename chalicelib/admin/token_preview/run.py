"""One token preview: the refusals before the policy (an inactive client, a user who cannot sign in, an authorize
request without ``openid``), the policy decision and its steps (``policy.evaluate`` with the ``AccessRequest`` the
real grant builds, consent assumed on a consent page), then the tokens ``oauth.minting`` would issue, explained
claim by claim (``claim_lines.py``), and whether a refresh token comes with them. Nothing is signed or written.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ...claims.builder import ClaimExplanation, ClaimReason, explain_claims
from ...claims.errors import TooManyGroupsError
from ...domain import ACTIVE, TRUSTED, ServerConfig
from ...oauth import minting
from ...oauth.authorize import params as authorize_params
from ...oauth.client_auth import FAILED as CLIENT_AUTH_FAILED
from ...oauth.context import OAuthServices
from ...oauth.refresh_tokens import refresh_token_due
from ...policy import AccessRequest, Decision, Reason, Step, evaluate
from ..clients import AUTHORIZATION_CODE, CLIENT_CREDENTIALS, IMPLICIT, PASSWORD
from .claim_lines import access_token_lines, all_lines, explained_lines, id_token_lines
from .request import OPENID, ResolvedRequest
from .results import (
    ACCESS_TOKEN,
    ID_TOKEN,
    ClaimLine,
    PreviewOutcome,
    PreviewReason,
    PreviewToken,
    RefreshReason,
    RefreshTokenPreview,
    TokenPreview,
)

# Grants whose user passes a consent page (the preview assumes the user allows).
CONSENT_PAGE_GRANT_TYPES = (AUTHORIZATION_CODE, IMPLICIT)
# Grants that can issue a refresh token (with offline_access, to a client registered for refresh_token).
REFRESH_GRANT_TYPES = (AUTHORIZATION_CODE, PASSWORD)
OFFLINE_ACCESS = "offline_access"
ALG = "RS256"


class PreviewRun:
    """One preview of one resolved request against one server configuration."""

    def __init__(self, config: ServerConfig, resolved: ResolvedRequest, services: OAuthServices, iss: str,
                 consented: frozenset[str]) -> None:
        self.consented = consented
        self.config = config
        self.request = resolved.request
        self.client = resolved.client
        self.access = resolved.access
        self.services = services
        self.iss = iss

    def run(self) -> TokenPreview:
        request, client, access = self.request, self.client, self.access
        # The token endpoint authenticates the client before anything else: an INACTIVE one never gets further.
        if client.status != ACTIVE:
            return self._refused(PreviewReason.CLIENT_INACTIVE, "invalid_client", CLIENT_AUTH_FAILED, 401,
                                 f"client {client.client_id} is inactive: client authentication fails")
        # The user must be able to sign in (the sign-in page and the password grant refuse other statuses).
        if access is not None and access.user.status != ACTIVE:
            return self._refused(PreviewReason.USER_NOT_ACTIVE, "invalid_grant",
                                 "The credentials provided were invalid.", 400,
                                 f"user {access.user.id} is {access.user.status}: the user cannot sign in")

        # /v1/authorize checks its parameters before anyone signs in (oauth/authorize/params.py).
        if request.grant_type in CONSENT_PAGE_GRANT_TYPES and self._openid_missing(request.scopes):
            return self._refused(PreviewReason.OPENID_REQUIRED, "invalid_scope", authorize_params.OPENID_REQUIRED,
                                 400, "authorize request: an ID token or an OpenID Connect scope needs the openid "
                                      "scope")

        decision = evaluate(self.config, self._access_request(self.consented))
        consent: tuple[str, ...] = ()
        if (decision.reason == Reason.CONSENT_REQUIRED and request.grant_type in CONSENT_PAGE_GRANT_TYPES
                and decision.consent_scopes):
            # The consent page would ask for these; the preview goes on as if the user allowed them.
            consent = decision.consent_scopes
            decision = evaluate(self.config, self._access_request(self.consented | frozenset(consent)))
        steps = decision.steps
        if consent:
            note = Step("consent", PreviewOutcome.CONSENT_ASSUMED,
                        f"consent page: the user would be asked for {', '.join(consent)}; previewed as if the user "
                        f"allowed")
            steps = (*steps[:-1], note, steps[-1])
        if decision.allowed and "id_token" in request.response_types and request.grant_type == IMPLICIT \
                and OPENID not in decision.granted_scopes:
            note = Step("request", PreviewOutcome.OPENID_REQUIRED, "the ID token needs the openid scope, which is "
                                                                   "not granted")
            final = Step("decision", PreviewReason.OPENID_REQUIRED,
                         f"decision: {PreviewReason.OPENID_REQUIRED}: invalid_scope (400) "
                         f"{authorize_params.OPENID_REQUIRED}")
            return TokenPreview(
                request=request, allowed=False, reason=PreviewReason.OPENID_REQUIRED,
                steps=(*steps[:-1], note, final),
                claims=self._denied_lines(),
                decision=decision, granted_scopes=decision.granted_scopes, consent_scopes=consent,
                error="invalid_scope", error_description=authorize_params.OPENID_REQUIRED, http_status=400)
        if not decision.allowed:
            return TokenPreview(
                request=request, allowed=False, reason=decision.reason, steps=steps,
                claims=self._denied_lines(),
                decision=decision, granted_scopes=decision.granted_scopes, consent_scopes=consent,
                error=decision.error, error_description=decision.error_description, http_status=decision.http_status)
        return self._mint(decision, steps, consent)

    # -- the real request ------------------------------------------------------------------------------------------

    def _access_request(self, consent_granted: frozenset[str]) -> AccessRequest:
        """The ``AccessRequest`` the real grant builds."""
        request, access = self.request, self.access
        if request.grant_type == CLIENT_CREDENTIALS or access is None:
            return AccessRequest(client_id=request.client_id, grant_type=request.grant_type,
                                 requested_scopes=request.scopes, user_id=None)
        return AccessRequest(client_id=request.client_id, grant_type=request.grant_type,
                             requested_scopes=request.scopes, user_id=access.user.id,
                             user_group_ids=frozenset(access.group_ids), user_assigned=access.assigned,
                             consent_granted=consent_granted, client_trusted=self.client.consent_method == TRUSTED)

    def _openid_missing(self, scopes: tuple[str, ...] | None) -> bool:
        """``/v1/authorize``'s rule: an ID token needs ``openid`` among the requested scopes, and so does any of
        profile, email, address, phone."""
        if "id_token" in self.request.response_types and self.request.grant_type == IMPLICIT and \
                (scopes is None or OPENID not in scopes):
            return True
        return scopes is not None and OPENID not in scopes and \
            any(s in authorize_params.OIDC_IDENTITY_SCOPES for s in scopes)

    def _subject(self, now: datetime) -> minting.Subject | None:
        """The user signs in now, with a password (``amr: ["pwd"]``), built as each grant builds it."""
        access = self.access
        if access is None:
            return None
        return minting.subject_of(access, int(now.timestamp()), ("pwd",))

    def _header(self) -> dict[str, Any]:
        return {"kid": self.config.server.signing_kid, "alg": ALG}

    def _mint(self, decision: Decision, steps: tuple[Step, ...], consent: tuple[str, ...]) -> TokenPreview:
        request, config, services, client = self.request, self.config, self.services, self.client
        granted = decision.granted_scopes
        assert decision.actions is not None
        lifetime = timedelta(minutes=decision.actions.access_token_lifetime_minutes)
        subject = self._subject(services.now())
        wants_access = "token" in request.response_types
        id_reason = self._no_id_token_reason(granted)
        everything = request.grant_type == IMPLICIT and not wants_access  # an ID token issued alone
        # Exactly what minting puts in the tokens, and minting's own evaluation context for the explanations.
        context = minting._context(client, subject, granted, services.org)
        access_lines = explain_claims(config.claims, "RESOURCE", granted, context)
        id_lines = explain_claims(config.claims, "IDENTITY", granted, context)

        access_token = id_token = None
        try:
            if wants_access:
                payload = minting.access_claims(services, config, self.iss, client, granted, lifetime, subject)
                access_token = PreviewToken(self._header(), payload, decision.actions.access_token_lifetime_minutes)
            if id_reason is None:
                assert subject is not None
                payload = minting.id_token_claims(services, config, self.iss, client, subject, granted,
                                                  everything=everything)
                id_token = PreviewToken(self._header(), payload,
                                        int(minting.ID_TOKEN_LIFETIME.total_seconds()) // 60)
        except TooManyGroupsError as exc:
            lines = (*explained_lines(ACCESS_TOKEN, access_lines, "no access token: the request fails"),
                     *explained_lines(ID_TOKEN, id_lines, "no ID token: the request fails"))
            note = Step("claims", PreviewOutcome.TOO_MANY_GROUPS, str(exc))
            final = Step("decision", PreviewReason.TOO_MANY_GROUPS,
                         f"decision: {PreviewReason.TOO_MANY_GROUPS}: {exc.error} ({exc.status}) "
                         f"{exc.error_description}")
            return TokenPreview(
                request=request, allowed=False, reason=PreviewReason.TOO_MANY_GROUPS,
                steps=(*steps[:-1], note, final), claims=lines, decision=decision, granted_scopes=granted,
                consent_scopes=consent, error=exc.error, error_description=exc.error_description,
                http_status=exc.status)

        access_missing = None if wants_access else "no access token: the response type asks for an ID token only"
        lines = (
            *access_token_lines(access_lines, access_token, access_missing),
            *self._id_lines(id_lines, id_token, subject, granted, everything, id_reason),
        )
        return TokenPreview(
            request=request, allowed=True, reason=decision.reason, steps=steps, claims=lines, decision=decision,
            granted_scopes=granted, consent_scopes=consent, access_token=access_token, id_token=id_token,
            refresh_token=self._refresh(decision))

    def _no_id_token_reason(self, granted: tuple[str, ...]) -> str | None:
        request = self.request
        if request.grant_type == CLIENT_CREDENTIALS:
            return "no ID token: client_credentials has no user"
        if "id_token" not in request.response_types:
            return "no ID token: the response type asks for an access token only"
        if OPENID not in granted:
            return "no ID token: the openid scope is not granted"
        return None

    def _refresh(self, decision: Decision) -> RefreshTokenPreview:
        grant_type = self.request.grant_type
        actions = decision.actions
        assert actions is not None
        if grant_type not in REFRESH_GRANT_TYPES:
            return RefreshTokenPreview(False, RefreshReason.GRANT_TYPE,
                                       f"the {grant_type} grant never issues a refresh token")
        if not refresh_token_due(self.client, decision.granted_scopes):  # the grants' own test
            if OFFLINE_ACCESS not in decision.granted_scopes:
                return RefreshTokenPreview(False, RefreshReason.OFFLINE_ACCESS_NOT_GRANTED,
                                           "a refresh token needs the offline_access scope, which is not granted")
            return RefreshTokenPreview(False, RefreshReason.CLIENT_NOT_REGISTERED,
                                       "the client is not registered for the refresh_token grant type")
        lifetime = actions.refresh_token_lifetime_minutes
        return RefreshTokenPreview(
            True, RefreshReason.ISSUED,
            f"issued: lifetime {'unlimited' if lifetime == 0 else f'{lifetime} min'}, used at least every "
            f"{actions.refresh_token_window_minutes} min", lifetime, actions.refresh_token_window_minutes)

    # -- refusals before the evaluator -----------------------------------------------------------------------------

    def _refused(self, reason: str, error: str, description: str, status: int, why: str) -> TokenPreview:
        steps = (Step("request", reason, why),
                 Step("decision", reason, f"decision: {reason}: {error} ({status}) {description}"))
        return TokenPreview(
            request=self.request, allowed=False, reason=reason, steps=steps,
            claims=self._denied_lines(),
            error=error, error_description=description, http_status=status)

    # -- claim lines -----------------------------------------------------------------------------------------------

    def _denied_lines(self) -> tuple[ClaimLine, ...]:
        return all_lines(self.config.claims, ClaimReason.REQUEST_DENIED, "the request is refused: no token is issued")

    def _id_lines(self, explained: list[ClaimExplanation], token: PreviewToken | None,
                  subject: minting.Subject | None, granted: tuple[str, ...], everything: bool,
                  missing: str | None) -> list[ClaimLine]:
        if token is None or subject is None:
            return explained_lines(ID_TOKEN, explained, missing)
        # The token's own and profile claims (what id_token_claims sets before the custom claims): the same call
        # without the custom claims.
        base = minting.id_token_claims(self.services, self._system_only(), self.iss, self.client, subject, granted,
                                       everything=everything)
        profile = minting.scope_claims(self.config, subject, granted, everything)
        standard = minting.standard_claims(subject)
        return id_token_lines(explained, token.payload, base, profile, standard, granted, everything)

    def _system_only(self) -> ServerConfig:
        return replace(self.config, claims=[c for c in self.config.claims if c.value_type == "SYSTEM"])
