"""Token preview: what a client would get from an authorization server, and why (issue 6; okta-api.md 9: Okta has
it only as a console tab, tokenmint offers it as an API). docs/ARCHITECTURE.md "Token preview".

``TokenPreviewService.preview(server_id, body, base_url) -> TokenPreview`` runs the real path without its side
effects:

* the decision is ``policy.evaluate`` with the ``AccessRequest`` the real grant builds (client_credentials: no
  user; user grants: the user id, its groups and ``assigned`` from ``AppAssignmentService.access``);
* the claims are ``oauth.minting.access_claims`` / ``id_token_claims`` with the arguments the real grants pass,
  the lifetimes come from the matched rule's ``actions``;
* the explanation of every claim comes from ``claims.builder.explain_claims``, which shares its per-claim function
  with ``build_claims`` (what minting calls), evaluated in minting's own context; where a token's own claims or the
  profile claims decide, the explanation is read off the real payload.

Nothing is signed (``minting.sign`` is never called, and the services handed to minting carry a signer that
refuses) and nothing is written: the preview reads the server's partition, the client and the user, nothing else.

Where the real flow is interactive or has inputs a preview cannot have, the choices are (docs: "Token preview"):

* consent: for ``authorization_code`` and ``implicit`` the consent page would ask for the scopes that need it; the
  preview assumes the user allows and lists them in ``consent_scopes``. ``password`` has no consent page: the
  ``consent_required`` error stands;
* the user signs in now: ``auth_time`` = now, ``amr`` = ``["pwd"]``; no ``nonce``, ``at_hash`` or ``c_hash``
  (they hash values a preview never creates);
* ``authorization_code`` and ``password`` return an access token and, with ``openid``, the ID token issued with it
  (``everything=False``: profile claims only with ``alwaysIncludeInToken``); ``implicit`` follows ``responseType``
  (default ``id_token token`` when ``openid`` is requested, else ``token``); an ID token issued alone
  (``responseType: id_token``) carries every profile claim its scopes release (``everything=True``);
* ``refresh_token`` is not a grant to preview: a refresh is judged by the rule of the original grant. The preview
  of ``authorization_code`` / ``password`` says whether a refresh token would be issued (``offline_access``
  granted and the client registered for ``refresh_token``) and with the rule's lifetime and window.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from ..claims.builder import ClaimExplanation, ClaimReason, explain_claims
from ..claims.errors import TooManyGroupsError
from ..domain import ACTIVE, Claim, OAuthClient, ServerConfig, User, UserAccess
from ..oauth import minting
from ..oauth.access_token import OWN_CLAIMS
from ..oauth.authorize import params as authorize_params
from ..oauth.client_auth import FAILED as CLIENT_AUTH_FAILED
from ..oauth.context import OAuthServices
from ..oauth.issuer import issuer
from ..oauth.refresh_tokens import refresh_token_due
from ..policy import AccessRequest, Decision, Reason, Step, evaluate
from .clients import AUTHORIZATION_CODE, CLIENT_CREDENTIALS, IMPLICIT, PASSWORD, REFRESH_TOKEN
from .validation import Fields, require_object

TARGET = "tokenPreview"
# The grant types a preview can run: the rule grant types tokenmint implements a flow for.
GRANT_TYPES = (AUTHORIZATION_CODE, IMPLICIT, PASSWORD, CLIENT_CREDENTIALS)
USER_GRANT_TYPES = (AUTHORIZATION_CODE, IMPLICIT, PASSWORD)
# Grants whose user passes a consent page (the preview assumes the user allows).
CONSENT_PAGE_GRANT_TYPES = (AUTHORIZATION_CODE, IMPLICIT)
# Grants that can issue a refresh token (with offline_access, to a client registered for refresh_token).
REFRESH_GRANT_TYPES = (AUTHORIZATION_CODE, PASSWORD)
RESPONSE_TYPES = ("token", "id_token", "id_token token")
OPENID = "openid"
OFFLINE_ACCESS = "offline_access"
ALG = "RS256"
ACCESS_TOKEN = "accessToken"
ID_TOKEN = "idToken"
MAX_SCOPES = 100
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")  # RFC 6749 3.3 scope-token


class PreviewReason:
    """``TokenPreview.reason`` values beyond the policy evaluator's ``Reason`` codes (stable)."""

    # The client is INACTIVE: the token endpoint refuses to authenticate it.
    CLIENT_INACTIVE = "client_inactive"
    # The user is not ACTIVE: the user cannot sign in.
    USER_NOT_ACTIVE = "user_not_active"
    # A GROUPS claim matches more than 100 groups: the token request fails.
    TOO_MANY_GROUPS = "too_many_groups"
    # /v1/authorize: an ID token, or an OpenID Connect scope, without the openid scope.
    OPENID_REQUIRED = "openid_required"


class PreviewOutcome:
    """``Step.outcome`` values the preview adds to the evaluator's steps (stable)."""

    CLIENT_INACTIVE = PreviewReason.CLIENT_INACTIVE
    USER_NOT_ACTIVE = PreviewReason.USER_NOT_ACTIVE
    # Consent page: the scopes listed would be asked for; the preview continues as if the user allowed.
    CONSENT_ASSUMED = "consent_assumed"
    TOO_MANY_GROUPS = PreviewReason.TOO_MANY_GROUPS
    OPENID_REQUIRED = PreviewReason.OPENID_REQUIRED


class RefreshReason:
    """``RefreshTokenPreview.reason`` (stable)."""

    ISSUED = "issued"
    GRANT_TYPE = "grant_type_issues_no_refresh_token"
    OFFLINE_ACCESS_NOT_GRANTED = "offline_access_not_granted"
    CLIENT_NOT_REGISTERED = "client_not_registered_for_refresh_token"


# -- ports ----------------------------------------------------------------------------------------------------------


class ServerSource(Protocol):
    def load(self, server_id: str) -> ServerConfig: ...


class ClientSource(Protocol):
    def get_for_token(self, client_id: str) -> OAuthClient | None: ...


class UserSource(Protocol):
    def find(self, id_or_login: str, consistent: bool = True) -> User | None: ...


class AccessSource(Protocol):
    def access(self, client_id: str, user_id: str) -> UserAccess | None: ...


class ConsentSource(Protocol):
    def granted(self, user_id: str, server_id: str, client_id: str) -> frozenset[str]: ...


class _NoConsents:
    def granted(self, user_id: str, server_id: str, client_id: str) -> frozenset[str]:
        return frozenset()


class _RefusingSigner:
    """The signer minting would use, replaced: a preview must never produce a signature."""

    def get(self, auth_server_id: str, active_kid: str, *, kid_read_at: datetime | None = None) -> Any:
        raise AssertionError("token preview must never sign")


class _NoHolders:
    def note(self, server_id: str, client_id: str) -> None:
        raise AssertionError("token preview must never record token holders")


# -- results --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRequest:
    client_id: str
    grant_type: str
    user_id: str | None
    scopes: tuple[str, ...] | None  # None: the server's default scopes
    response_types: tuple[str, ...]  # what the flow returns: ("token",), ("id_token",) or both


@dataclass(frozen=True)
class PreviewToken:
    header: dict[str, Any]
    payload: dict[str, Any]
    lifetime_minutes: int


@dataclass(frozen=True)
class RefreshTokenPreview:
    issued: bool
    reason: str
    message: str
    lifetime_minutes: int | None = None  # 0: unlimited (the rule's refreshTokenLifetimeMinutes)
    window_minutes: int | None = None


@dataclass(frozen=True)
class ClaimLine:
    """One claim of the server for one token (``accessToken`` or ``idToken``)."""

    token: str
    claim: Claim
    reason: str
    message: str
    value: Any = None

    @property
    def included(self) -> bool:
        return self.reason == ClaimReason.INCLUDED


@dataclass(frozen=True)
class TokenPreview:
    """The outcome. ``allowed``: the tokens (``access_token`` / ``id_token`` / ``refresh_token``); otherwise
    ``error``, ``error_description`` and ``http_status`` are what the real flow answers. ``steps`` and ``claims``
    explain either way; ``reason`` is the evaluator's ``Reason`` or a ``PreviewReason``."""

    request: PreviewRequest
    allowed: bool
    reason: str
    steps: tuple[Step, ...]
    claims: tuple[ClaimLine, ...]
    decision: Decision | None = None
    granted_scopes: tuple[str, ...] = ()
    consent_scopes: tuple[str, ...] = ()
    access_token: PreviewToken | None = None
    id_token: PreviewToken | None = None
    refresh_token: RefreshTokenPreview | None = None
    error: str | None = None
    error_description: str | None = None
    http_status: int = 200

    @property
    def policy(self) -> tuple[str, str] | None:
        d = self.decision
        return (d.policy_id, d.policy_name or "") if d is not None and d.policy_id else None

    @property
    def rule(self) -> tuple[str, str] | None:
        d = self.decision
        return (d.rule_id, d.rule_name or "") if d is not None and d.rule_id else None


# -- reading the request --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Resolved:
    request: PreviewRequest
    client: OAuthClient
    access: UserAccess | None


# -- the use case ---------------------------------------------------------------------------------------------------


class TokenPreviewService:
    def __init__(self, servers: ServerSource, clients: ClientSource, users: UserSource, assignments: AccessSource,
                 services: OAuthServices, consents: ConsentSource | None = None) -> None:
        self._servers = servers
        self._clients = clients
        self._users = users
        self._assignments = assignments
        self._services = services
        self._consents = consents or _NoConsents()

    def _oauth_services(self) -> OAuthServices:
        # minting reads only ``now`` and ``org``; the rest is replaced so that nothing can sign or record.
        return replace(self._services, signer=_RefusingSigner(), holders=_NoHolders())

    def preview(self, server_id: str, body: Any, base_url: str) -> TokenPreview:
        """What the server would mint for the request in ``body`` (see the module docstring). Raises
        ``NotFoundError`` for an unknown server, ``ValidationError`` (one cause per field) for bad input,
        ``MalformedBodyError`` when the body is not an object."""
        fields = Fields(require_object(body), TARGET)
        config = self._servers.load(server_id)
        resolved = self._read(fields, config)
        consented = frozenset()
        if resolved.access is not None and resolved.request.grant_type in CONSENT_PAGE_GRANT_TYPES:
            consented = self._consents.granted(resolved.access.user.id, config.server.id, resolved.client.client_id)
        return _Preview(config, resolved, self._oauth_services(), issuer(config.server, base_url), consented).run()

    # -- validation --------------------------------------------------------------------------------------------

    def _read(self, f: Fields, config: ServerConfig) -> _Resolved:
        client_id = f.string("clientId", required=True, max_len=100)
        grant_type = f.string("grantType", required=True, max_len=100)
        user_ref = f.string("userId", max_len=100)
        response_type = f.string("responseType", max_len=100)

        client: OAuthClient | None = None
        if client_id is not None:
            client = self._clients.get_for_token(client_id)
            if client is None:
                f.error("clientId", f"'{client_id}' is not an OAuth client.")
        if grant_type == REFRESH_TOKEN:
            f.error("grantType", "refresh_token cannot be previewed: a refresh is decided by the rule of the original "
                                 "grant. Preview authorization_code or password: the response says whether a refresh "
                                 "token is issued.")
            grant_type = None
        elif grant_type is not None and grant_type not in GRANT_TYPES:
            f.error("grantType", f"Must be one of: {', '.join(GRANT_TYPES)}.")
            grant_type = None
        elif grant_type is not None and client is not None and grant_type not in client.grant_types:
            f.error("grantType", f"The client is not registered for {grant_type} (its grant types: "
                                 f"{', '.join(client.grant_types)}).")

        access: UserAccess | None = None
        user_field_bad = any(c.startswith("userId:") for c in f.causes)
        if grant_type == CLIENT_CREDENTIALS and f.given("userId"):
            f.error("userId", "Must not be given for client_credentials: the client acts on its own behalf.")
        elif grant_type in USER_GRANT_TYPES and user_ref is None and not user_field_bad:
            f.error("userId", f"Required for the {grant_type} grant type: the token is issued for a user.")
        elif grant_type in USER_GRANT_TYPES and user_ref is not None:
            user = self._users.find(user_ref)  # an id or a login
            if user is not None and client is not None:
                access = self._assignments.access(client.client_id, user.id)
            if user is None or (client is not None and access is None):
                f.error("userId", f"'{user_ref}' is not a user.")

        scopes = self._scopes(f, config)
        response_types = self._response_types(f, grant_type, response_type, scopes, client)
        f.check()
        assert grant_type is not None and client is not None
        request = PreviewRequest(client_id=client.client_id, grant_type=grant_type,
                                 user_id=access.user.id if access else None, scopes=scopes,
                                 response_types=response_types)
        return _Resolved(request, client, access)

    @staticmethod
    def _scopes(f: Fields, config: ServerConfig) -> tuple[str, ...] | None:
        raw = f.body.get("scopes")
        if raw is None or raw == []:
            return None  # absent, null or []: the server's default scopes (as an absent or empty scope parameter)
        scopes = f.string_list("scopes", max_items=MAX_SCOPES)
        if not scopes:
            return None  # not a list of strings: a cause was added
        malformed = [s for s in scopes if not _SCOPE_TOKEN.fullmatch(s)]
        known = {s.name for s in config.scopes}
        unknown = [s for s in scopes if s not in known]
        if malformed:
            f.error("scopes", f"'{malformed[0]}' is not a valid scope name.")
        elif unknown:
            f.error("scopes", f"'{unknown[0]}' is not a scope of this authorization server.")
        return tuple(scopes)

    @staticmethod
    def _response_types(f: Fields, grant_type: str | None, raw: str | None, scopes: tuple[str, ...] | None,
                        client: OAuthClient | None) -> tuple[str, ...]:
        """What the flow returns: ``token`` (an access token) and/or ``id_token``."""
        if grant_type != IMPLICIT:
            if raw is not None:
                f.error("responseType", "Only for the implicit grant type.")
            return ("token",) if grant_type == CLIENT_CREDENTIALS else ("token", "id_token")
        registered = set(client.response_types) if client is not None else {"token", "id_token"}
        if raw is None:
            # As an SPA asks: an access token, and an ID token when openid is requested; what the client may get.
            wanted = {"token"} | ({"id_token"} if scopes and OPENID in scopes else set())
            kinds = (wanted & registered) or ({"token", "id_token"} & registered) or wanted
            return tuple(k for k in ("token", "id_token") if k in kinds)
        parts = raw.split(" ")
        if len(parts) != len(set(parts)) or set(parts) not in ({"token"}, {"id_token"}, {"id_token", "token"}):
            f.error("responseType", f"Must be one of: {', '.join(RESPONSE_TYPES)}.")
            return ("token",)
        missing = [p for p in ("id_token", "token") if p in parts and p not in registered]
        if missing and client is not None:
            f.error("responseType", f"The client is not registered for the response type {missing[0]} (its "
                                    f"response types: {', '.join(client.response_types) or 'none'}).")
        return tuple(p for p in ("token", "id_token") if p in parts)


# -- one preview ----------------------------------------------------------------------------------------------------


class _Preview:
    def __init__(self, config: ServerConfig, resolved: _Resolved, services: OAuthServices, iss: str,
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
                claims=self._all_lines(ClaimReason.REQUEST_DENIED, "the request is refused: no token is issued"),
                decision=decision, granted_scopes=decision.granted_scopes, consent_scopes=consent,
                error="invalid_scope", error_description=authorize_params.OPENID_REQUIRED, http_status=400)
        if not decision.allowed:
            return TokenPreview(
                request=request, allowed=False, reason=decision.reason, steps=steps,
                claims=self._all_lines(ClaimReason.REQUEST_DENIED, "the request is refused: no token is issued"),
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
                             consent_granted=consent_granted)

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
            lines = (*self._lines(ACCESS_TOKEN, access_lines, None, "no access token: the request fails"),
                     *self._lines(ID_TOKEN, id_lines, None, "no ID token: the request fails"))
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
            *self._access_lines(access_lines, access_token, access_missing),
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
            claims=self._all_lines(ClaimReason.REQUEST_DENIED, "the request is refused: no token is issued"),
            error=error, error_description=description, http_status=status)

    # -- claim lines -----------------------------------------------------------------------------------------------

    def _all_lines(self, reason: str, message: str) -> tuple[ClaimLine, ...]:
        claims = self.config.claims
        return (*(ClaimLine(ACCESS_TOKEN, c, reason, message) for c in claims),
                *(ClaimLine(ID_TOKEN, c, reason, message) for c in claims))

    @staticmethod
    def _lines(token: str, explained: list[ClaimExplanation], payload: dict[str, Any] | None,
               missing: str | None) -> list[ClaimLine]:
        """Lines straight from ``explain_claims``; when the token is not issued, the claims that would have been
        included say so (the others keep their reason: it holds whatever the token)."""
        out = []
        for e in explained:
            if missing is not None and (e.included or e.reason == ClaimReason.SYSTEM_CLAIM):
                out.append(ClaimLine(token, e.claim, ClaimReason.TOKEN_NOT_ISSUED, missing))
            else:
                out.append(ClaimLine(token, e.claim, e.reason, e.message, e.value if e.included else None))
        return out

    def _access_lines(self, explained: list[ClaimExplanation], token: PreviewToken | None,
                      missing: str | None) -> list[ClaimLine]:
        if token is None:
            return self._lines(ACCESS_TOKEN, explained, None, missing)
        payload = token.payload
        out = []
        for e in explained:
            claim = e.claim
            if not e.included:
                out.append(ClaimLine(ACCESS_TOKEN, claim, e.reason, e.message))
            elif claim.name == "sub":
                # minting takes the value of the sub claim as the token's subject.
                out.append(ClaimLine(ACCESS_TOKEN, claim, ClaimReason.INCLUDED, "included: the token's subject",
                                     payload["sub"]))
            elif claim.name in OWN_CLAIMS or payload.get(claim.name) != e.value:
                out.append(ClaimLine(ACCESS_TOKEN, claim, ClaimReason.RESERVED_NAME,
                                     f"'{claim.name}' is a claim the access token sets itself"))
            else:
                out.append(ClaimLine(ACCESS_TOKEN, claim, ClaimReason.INCLUDED, "included", e.value))
        return out

    def _id_lines(self, explained: list[ClaimExplanation], token: PreviewToken | None,
                  subject: minting.Subject | None, granted: tuple[str, ...], everything: bool,
                  missing: str | None) -> list[ClaimLine]:
        if token is None or subject is None:
            return self._lines(ID_TOKEN, explained, None, missing)
        payload = token.payload
        # The token's own and profile claims (what id_token_claims sets before the custom claims): the same call
        # without the custom claims.
        base = minting.id_token_claims(self.services, self._system_only(), self.iss, self.client, subject, granted,
                                       everything=everything)
        profile = minting.scope_claims(self.config, subject, granted, everything)
        standard = minting.standard_claims(subject)
        out = []
        for e in explained:
            claim = e.claim
            if claim.value_type == "SYSTEM" and claim.claim_type == "IDENTITY":
                out.append(self._system_line(claim, payload, profile, standard, granted, everything))
            elif not e.included:
                out.append(ClaimLine(ID_TOKEN, claim, e.reason, e.message))
            elif claim.name in base or payload.get(claim.name) != e.value:
                out.append(ClaimLine(ID_TOKEN, claim, ClaimReason.RESERVED_NAME,
                                     f"'{claim.name}' is a claim the ID token sets itself; it keeps its own value"))
            else:
                out.append(ClaimLine(ID_TOKEN, claim, ClaimReason.INCLUDED, "included", e.value))
        return out

    def _system_only(self) -> ServerConfig:
        return replace(self.config, claims=[c for c in self.config.claims if c.value_type == "SYSTEM"])

    @staticmethod
    def _system_line(claim: Claim, payload: dict[str, Any], profile: dict[str, Any], standard: dict[str, Any],
                     granted: tuple[str, ...], everything: bool) -> ClaimLine:
        """A profile claim (okta-api.md 8.3): included exactly when ``minting.scope_claims`` includes it; the
        reason otherwise is the first condition of that function that fails."""
        if claim.name in profile:
            return ClaimLine(ID_TOKEN, claim, ClaimReason.INCLUDED, "included: from the user's profile",
                             payload.get(claim.name))
        releasing = [scope for scope, names in minting.SCOPE_CLAIMS.items() if claim.name in names]
        if claim.status != ACTIVE:
            return ClaimLine(ID_TOKEN, claim, ClaimReason.INACTIVE, "the claim is inactive")
        if not any(scope in granted for scope in releasing):
            return ClaimLine(ID_TOKEN, claim, ClaimReason.SCOPES_NOT_GRANTED,
                             f"released by scope {', '.join(releasing) or '(none)'}, not granted")
        if claim.name not in standard:
            return ClaimLine(ID_TOKEN, claim, ClaimReason.NULL_VALUE, "the user's profile has no value for it")
        if not everything and not claim.always_include_in_token:
            return ClaimLine(ID_TOKEN, claim, ClaimReason.NOT_ALWAYS_INCLUDED,
                             "alwaysIncludeInToken is false: an ID token issued with an access token leaves it "
                             "out (the client reads it from /v1/userinfo)")
        return ClaimLine(ID_TOKEN, claim, ClaimReason.SYSTEM_CLAIM, "not a profile claim the ID token releases")


__all__ = [
    "ACCESS_TOKEN", "GRANT_TYPES", "ID_TOKEN", "ClaimLine", "PreviewOutcome", "PreviewReason", "PreviewRequest",
    "PreviewToken", "RefreshReason", "RefreshTokenPreview", "TokenPreview", "TokenPreviewService",
]
