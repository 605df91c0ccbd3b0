"""The front channel of an authorization server: ``/v1/authorize`` (GET and POST), the hosted sign-in and consent
pages, and ``/v1/logout`` (okta-api.md 7.3, 7.7; docs/ARCHITECTURE.md "Sign-in, consent and the authorization code
flow").

The walk of one authorize request:

1. ``client_id`` and ``redirect_uri`` (exact match, loopback port exception): failures are an error page, never a
   redirect (REDIR-03).
2. Every other parameter (``params.read``) and the scopes against the server (unknown scope, no default scope):
   failures are redirected with ``error``, ``error_description``, ``state`` and ``iss`` (REDIR-07, ISS-01).
3. The sign-in session (``tm_session``): none, ``prompt=login`` or ``max_age`` exceeded -> the sign-in page
   (``prompt=none`` -> ``login_required``).
4. The user's access (``AppAssignmentService.access``: the user, its groups, ``assigned``), remembered consent,
   and the access policy (``policy.evaluate``): not assigned -> ``access_denied``; consent missing -> the consent
   page (``prompt=none`` -> ``consent_required``); any other refusal -> the decision's error.
5. The answer: a code (``codes.py``) and/or an access token and/or an ID token, minted by ``minting``, delivered by
   ``response_mode`` (``query``, ``fragment`` or ``form_post``), always with ``iss`` (RFC 9207).

A request that needs a page is stored (``pending.py``) and resumed from step 3 after each page.
"""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Callable, Mapping
from urllib.parse import urlencode

from ...audit.event import Origin
from ...domain import ACTIVE, TRUSTED, AuthorizationServer, OAuthClient, ServerConfig, User, UserAccess
from ...policy import AccessRequest, Decision, evaluate, user_consent_asked
from ...policy.reasons import Reason
from .. import minting
from ..codes import CodeGrant, Codes
from ..consent import Consents
from ..context import OAuthServices
from ..directory import Directory
from ..endpoints.logout import logout
from ..errors import OAuthError
from ..issuer import ORG_SERVER_ID, issuer, pages_base
from ..minting import subject_of
from ..request_object import RequestObjects
from ..sessions import ABSOLUTE, SESSION_COOKIE, LoginSession, Sessions, hash_secret
from . import events
from . import params as authz
from . import redirect_uris
from .browser import BrowserRequest, BrowserResponse, Cookie, FormPost, Page, PageError, Redirect, RedirectError
from .params import CODE, ID_TOKEN, TOKEN, AuthorizeParams, Delivery
from .pushed import PushedRequests
from .pending import BROWSER_COOKIE, ConcurrentChange, PendingRequest, PendingRequests, csrf_token, \
    new_browser_cookie, well_formed

log = logging.getLogger("tokenmint.oauth")

LOGIN_REQUIRED = "The client specified not to prompt, but the user is not logged in."
SIGN_IN_FAILED = "Unable to sign in. Check your username and password and try again."
DENIED = "The resource owner or authorization server denied the request."
REQUEST_GONE = ("This sign-in request is no longer valid (it expired or was already answered). Return to the "
                "application and try again.")
FORGED = "The form could not be verified. Return to the application and try again."
REQUEST_URI_GONE = "The request_uri is invalid, expired or was already used."
BOTH_REQUEST_FORMS = "The request must not contain both a request object and a request uri."
PAR_REQUIRED = ("The client requires pushed authorization requests: send the request to the PAR endpoint and use "
                "the request_uri it returns.")
# RFC 6749 4.1.2.1: error_description holds only %x20-21 / %x23-5B / %x5D-7E.
_UNSAFE = re.compile(r'[^\x20-\x21\x23-\x5b\x5d-\x7e]')
BROWSER_COOKIE_MAX_AGE = 24 * 3600


def _sanitize(text: str) -> str:
    return _UNSAFE.sub("'", text.replace('"', "'"))


def _check_granted(client: OAuthClient, scopes: tuple[str, ...] | None) -> None:
    """At the org authorization server an app asks only for Okta scopes an admin granted it (its OIDC scopes, such
    as ``openid``, need no grant): anything else is refused before anyone signs in."""
    granted = {g.scope_id for g in client.scope_grants}
    missing = [s for s in scopes or () if s.startswith("okta.") and s not in granted]
    if missing:
        raise RedirectError("invalid_scope",
                            f"The following scopes are not granted to the app: [{', '.join(missing)}].")


class FrontChannel:
    def __init__(self, services: OAuthServices, directory: Directory, *, sessions: Sessions, codes: Codes,
                 consents: Consents, pending: PendingRequests, pushed: PushedRequests | None = None,
                 request_objects: RequestObjects | None = None) -> None:
        self.services = services
        self.directory = directory
        self.sessions = sessions
        self.codes = codes
        self.consents = consents
        self.pending = pending
        # RFC 9126 (``request_uri`` from the PAR endpoint) and RFC 9101 (``request``): None refuses them as
        # ``request_uri_not_supported`` / ``request_not_supported`` (REDIR-18).
        self.pushed = pushed
        self.request_objects = request_objects

    @property
    def now(self) -> Callable[[], datetime]:
        return self.services.now

    # -- /v1/authorize -----------------------------------------------------------------------------------------

    def authorize(self, request: BrowserRequest) -> BrowserResponse:
        config, read_at = self.services.configs.active(request.server_id, org_route=request.org)
        iss = issuer(config.server, request.base_url)
        client_id = authz.single_for_page(request.params, "client_id")
        if client_id is None:
            raise PageError("invalid_request", "The 'client_id' parameter is required.")
        client = self._client(client_id)
        raw, pushed, refusal = self._resolve(request, config.server, client, iss)
        presented = authz.single_for_page(raw, "redirect_uri")
        if presented is None:
            raise PageError("invalid_request", "The 'redirect_uri' parameter is required.")
        if not self.registered_redirect(client, presented, iss, request.org):
            raise PageError("invalid_request", authz.BAD_REDIRECT)

        cookies: list[Cookie] = []
        browser = request.cookies.get(BROWSER_COOKIE)
        if not well_formed(browser):
            browser = new_browser_cookie()
            cookies.append(Cookie(BROWSER_COOKIE, browser, BROWSER_COOKIE_MAX_AGE))
        lenient = authz.delivery(raw, presented)
        try:
            if refusal is not None:
                raise refusal
            if client.require_pushed_authorization_requests and not pushed:
                raise RedirectError("invalid_request", PAR_REQUIRED)  # RFC 9126 4 (PAR-06)
            params = self.validate(config, client, raw, presented, request.org)
        except RedirectError as exc:
            self._refused(config.server, client, None, exc, request)
            response = self._error(lenient, iss, exc, request.posted)
        else:
            session = self.sessions.current(request.cookies.get(SESSION_COOKIE))
            now = self.now()
            needs_login = session is None or "login" in params.prompt or (
                params.max_age is not None and (now - session.auth_time).total_seconds() > params.max_age)
            pending = PendingRequest(server_id=config.server.id, issuer=iss, params=params,
                                     browser_hash=hash_secret(browser or ""), needs_login=needs_login,
                                     created=int(now.timestamp()))
            response = self._answer(config, read_at, client, pending, session, request.posted, request.origin)
        response.cookies[:0] = cookies
        return response

    def registered_redirect(self, client: OAuthClient, presented: str, iss: str, org: bool) -> bool:
        """Whether ``presented`` is one of the client's redirect URIs (REDIR-01, REDIR-02)."""
        return redirect_uris.find(redirect_uris.resolve(client.redirect_uris, iss if org else None),
                                  presented) is not None

    def validate(self, config: ServerConfig, client: OAuthClient, raw: Mapping[str, tuple[str, ...]],
                 redirect_uri: str, org: bool) -> AuthorizeParams:
        """Every parameter after ``client_id`` and ``redirect_uri`` (``params.read``) and the scopes against the
        server; the first problem raises ``RedirectError``. The PAR endpoint validates with this too."""
        params = authz.read(raw, client, redirect_uri)
        self._check_scopes(config, params)
        if org:
            _check_granted(client, params.scopes)
        return params

    def _resolve(self, request: BrowserRequest, server: AuthorizationServer, client: OAuthClient, iss: str
                 ) -> tuple[Mapping[str, tuple[str, ...]], bool, RedirectError | None]:
        """The parameters the request really carries: a pushed request's (``request_uri``, taken once, every
        other parameter but ``client_id`` ignored: RFC 9126 4), or those of a signed request object merged over
        the query's (``request``, RFC 9101). Also whether they were pushed, and a refusal to redirect once the
        ``redirect_uri`` is known to be good. A ``request_uri`` that is not good is an error page: no redirect URI
        can be trusted then."""
        params = request.params
        if self.pushed is not None and params.get("request_uri"):
            if len(params["request_uri"]) > 1:
                raise PageError("invalid_request", authz.DUPLICATE)
            if params.get("request"):
                raise PageError("invalid_request", BOTH_REQUEST_FORMS)
            # Taken (consumed) before anything else is checked: whoever presents it, it is good once (PAR-01).
            pushed = self.pushed.take(params["request_uri"][0])
            if pushed is None:
                problem = PageError("invalid_request_uri", REQUEST_URI_GONE)
            elif pushed.server_id != server.id:
                problem = PageError("invalid_request_uri", "The request_uri was issued for another authorization "
                                                           "server.")
            elif pushed.client_id != client.client_id:
                # Okta's authorize_request_uri_mismatched_client (okta-next.md 3).
                problem = PageError("invalid_client", "The client_id does not match the client the request_uri "
                                                      "was issued to.")
            else:
                return pushed.params, True, None
            self._refused(server, client, None, RedirectError(problem.error, problem.description), request)
            raise problem
        if self.request_objects is not None and params.get("request"):
            try:
                return self.request_objects.resolve(params, client, iss), False, None
            except OAuthError as exc:
                rest = {name: values for name, values in params.items() if name != "request"}
                return rest, False, RedirectError(exc.error, exc.description)
        return params, False, None

    def _check_scopes(self, config: ServerConfig, params: AuthorizeParams) -> None:
        """Scope problems that need no user (REDIR-07): a ``scope`` naming nothing, an unknown scope, no default
        scope. Reported before anyone is asked to sign in."""
        decision = evaluate(config, AccessRequest(client_id=params.client_id, grant_type=params.grant_type,
                                                  requested_scopes=params.scopes, user_id=None))
        if decision.reason in (Reason.NO_SCOPES_REQUESTED, Reason.UNKNOWN_SCOPE, Reason.NO_DEFAULT_SCOPES):
            raise RedirectError(decision.error or "invalid_scope", decision.error_description or "")

    # -- the hosted pages ----------------------------------------------------------------------------------------

    def signin_page(self, request: BrowserRequest) -> BrowserResponse:
        config, _ = self.services.configs.active(request.server_id, org_route=request.org)
        pending = self._pending_for(request, config)
        browser = request.cookies.get(BROWSER_COOKIE)
        if not pending.bound_to(browser):
            raise PageError("invalid_request", REQUEST_GONE)
        client = self._client(pending.params.client_id)
        return BrowserResponse(self._signin(pending, client, browser or "", pending.params.login_hint or "", None))

    def signin(self, request: BrowserRequest) -> BrowserResponse:
        config, read_at = self.services.configs.active(request.server_id, org_route=request.org)
        pending = self._pending_for(request, config)
        browser = request.cookies.get(BROWSER_COOKIE)
        if not pending.csrf_ok(browser, request.first("csrf_token"), "signin"):
            raise PageError("invalid_request", FORGED, 403)
        client = self._client(pending.params.client_id)
        username = (request.first("username") or "").strip()
        result = self.directory.users.sign_in(username, request.first("password") or "")
        self.services.audit.record(events.session_start(
            login=username, user=result.user or result.attempted, reason=result.reason, client=client, server=config.server,
            origin=request.origin, now=self.now()))
        if result.locked_user is not None:
            self.services.audit.record(events.account_locked(user=result.locked_user, origin=request.origin,
                                                             now=self.now()))
        if not result.ok or result.user is None:
            # One message for every failure (unknown login, wrong password, locked, not active): WEB-04.
            log.info("sign-in failed for a request of client %s: %s", client.client_id, result.reason)
            return BrowserResponse(self._signin(pending, client, browser or "", username[:authz.MAX_LOGIN_HINT],
                                                SIGN_IN_FAILED))
        cookie, session = self.sessions.start(result.user.id, replacing=request.cookies.get(SESSION_COOKIE))
        pending = replace(pending, login_session=session.id_hash)
        response = self._answer(config, read_at, client, pending, session, posted=True, origin=request.origin)
        response.cookies.append(Cookie(SESSION_COOKIE, cookie, int(ABSOLUTE.total_seconds())))
        return response

    def consent_page(self, request: BrowserRequest) -> BrowserResponse:
        config, read_at = self.services.configs.active(request.server_id, org_route=request.org)
        pending = self._pending_for(request, config)
        browser = request.cookies.get(BROWSER_COOKIE)
        if not pending.bound_to(browser):
            raise PageError("invalid_request", REQUEST_GONE)
        client = self._client(pending.params.client_id)
        session = self.sessions.current(request.cookies.get(SESSION_COOKIE))
        if not pending.consent_scopes or session is None or session.user_id != pending.user_id:
            return self._answer(config, read_at, client, pending, session, posted=False, origin=request.origin)
        return BrowserResponse(self._consent(config, pending, client, browser or ""))

    def consent(self, request: BrowserRequest) -> BrowserResponse:
        config, read_at = self.services.configs.active(request.server_id, org_route=request.org)
        pending = self._pending_for(request, config)
        browser = request.cookies.get(BROWSER_COOKIE)
        if not pending.csrf_ok(browser, request.first("csrf_token"), "consent"):
            raise PageError("invalid_request", FORGED, 403)
        client = self._client(pending.params.client_id)
        session = self.sessions.current(request.cookies.get(SESSION_COOKIE))
        if not pending.consent_scopes or session is None or session.user_id != pending.user_id:
            return self._answer(config, read_at, client, pending, session, posted=True, origin=request.origin)
        choice = request.first("decision")
        if choice in ("allow", "deny"):
            self.services.audit.record(events.consent(
                user=self.directory.users.find(session.user_id), user_id=session.user_id, client=client,
                server=config.server, scopes=pending.consent_scopes, allowed=choice == "allow",
                origin=request.origin, now=self.now()))
        if choice == "deny":
            self.pending.finish(pending)
            return self._error(self._delivery(pending.params), pending.issuer,
                               RedirectError("access_denied", DENIED), posted=True)
        if choice != "allow":
            raise PageError("invalid_request", "Choose Allow or Don't allow.")
        scope_ids = {s.name: s.id for s in config.scopes}
        self.consents.remember(session.user_id, config.server.id, client.client_id,
                               [(name, scope_ids.get(name)) for name in pending.consent_scopes], pending.issuer)
        pending = replace(pending, consented=tuple(dict.fromkeys(pending.consented + pending.consent_scopes)),
                          consent_scopes=())
        return self._answer(config, read_at, client, pending, session, posted=True, origin=request.origin)

    def _signin(self, pending: PendingRequest, client: OAuthClient, browser: str, username: str,
                error: str | None) -> Page:
        return Page("signin", {
            "action": f"{pages_base(pending.server_id, pending.issuer)}/signin", "request_id": pending.request_id,
            "csrf_token": csrf_token(browser, pending.request_id or "", "signin"), "username": username,
            "client_name": client.client_name or client.client_id, "error": error,
            # The answer to this form is a redirect to the client: CSP form-action must allow it.
            "form_targets": (pending.params.redirect_uri,),
        })

    def _consent(self, config: ServerConfig, pending: PendingRequest, client: OAuthClient, browser: str) -> Page:
        by_name = {s.name: s for s in config.scopes}
        scopes = []
        for name in pending.consent_scopes:
            scope = by_name.get(name)
            scopes.append({"name": name, "display_name": (scope.display_name if scope else None) or name,
                           "description": (scope.description if scope else None) or ""})
        return Page("consent", {
            "action": f"{pages_base(pending.server_id, pending.issuer)}/consent", "request_id": pending.request_id,
            "csrf_token": csrf_token(browser, pending.request_id or "", "consent"),
            "client_name": client.client_name or client.client_id,
            "user_login": pending.user_login or "", "scopes": scopes,
            "form_targets": (pending.params.redirect_uri,),
        })

    def _pending_for(self, request: BrowserRequest, config: ServerConfig) -> PendingRequest:
        pending = self.pending.load(request.first("request_id"))
        if pending is None or pending.server_id != config.server.id:
            raise PageError("invalid_request", REQUEST_GONE)
        return pending

    def _client(self, client_id: str) -> OAuthClient:
        client = self.directory.clients.find(client_id)
        if client is None or client.status != ACTIVE:
            raise PageError("invalid_client", authz.BAD_CLIENT)
        return client

    # -- resuming a request --------------------------------------------------------------------------------------

    def _answer(self, config: ServerConfig, read_at: datetime, client: OAuthClient, pending: PendingRequest,
                session: LoginSession | None, posted: bool, origin: Origin | None = None) -> BrowserResponse:
        org_issuer = pending.issuer if config.server.id == ORG_SERVER_ID else None
        if redirect_uris.find(redirect_uris.resolve(client.redirect_uris, org_issuer),
                              pending.params.redirect_uri) is None:
            # Unregistered while the person was on a page: never send anything there any more.
            self.pending.finish(pending)
            raise PageError("invalid_request", authz.BAD_REDIRECT)
        try:
            return self._resume(config, read_at, client, pending, session, posted, origin)
        except RedirectError as exc:
            self.pending.finish(pending)
            user = self.directory.users.find(session.user_id) if session is not None else None
            self._refused(config.server, client, user, exc, origin)
            return self._error(self._delivery(pending.params), pending.issuer, exc, posted)

    def _refused(self, server: AuthorizationServer, client: OAuthClient, user: User | None, exc: RedirectError,
                 origin: Origin | BrowserRequest | None) -> None:
        where = origin.origin if isinstance(origin, BrowserRequest) else origin
        self.services.audit.record(events.authorize_refused(
            user=user, client=client, server=server, error=exc.error, description=exc.description,
            decision=exc.decision, origin=where, now=self.now()))

    def _resume(self, config: ServerConfig, read_at: datetime, client: OAuthClient, pending: PendingRequest,
                session: LoginSession | None, posted: bool, origin: Origin | None) -> BrowserResponse:
        params = pending.params
        silent = "none" in params.prompt
        if session is None or (pending.needs_login and pending.login_session != session.id_hash):
            if silent:
                raise RedirectError("login_required", LOGIN_REQUIRED)
            return self._to_page(pending, "signin", posted)
        access = self.directory.assignments.access(client.client_id, session.user_id)
        if access is None or access.user.status != ACTIVE:
            # The session's user was deleted or deactivated meanwhile: it must sign in again (CODE-08's spirit).
            if silent:
                raise RedirectError("login_required", LOGIN_REQUIRED)
            return self._to_page(replace(pending, needs_login=True, login_session=None), "signin", posted)
        if pending.user_id not in (None, session.user_id):
            pending = replace(pending, consented=(), consent_scopes=())  # another user's consent does not carry
        pending = replace(pending, user_id=session.user_id, user_login=access.user.login)

        prompt_consent = "consent" in params.prompt
        consented = frozenset(pending.consented)
        trusted = client.consent_method == TRUSTED
        if not prompt_consent and user_consent_asked(config, params.scopes or (), client_trusted=trusted,
                                                     prompt_consent=False):
            consented |= self.consents.granted(session.user_id, config.server.id, client.client_id)
        decision = evaluate(config, AccessRequest(
            client_id=client.client_id, grant_type=params.grant_type, requested_scopes=params.scopes,
            user_id=session.user_id, user_group_ids=frozenset(access.group_ids), consent_granted=consented,
            user_assigned=access.assigned, prompt_consent=prompt_consent,
            client_trusted=trusted))
        if not decision.allowed:
            if decision.reason == Reason.CONSENT_REQUIRED:
                if silent:
                    raise RedirectError("consent_required", decision.error_description or "", decision)
                return self._to_page(replace(pending, consent_scopes=decision.consent_scopes), "consent", posted)
            raise RedirectError(decision.error or "access_denied", decision.error_description or "", decision)
        if ID_TOKEN in params.response_types and "openid" not in decision.granted_scopes:
            raise RedirectError("invalid_scope", authz.OPENID_REQUIRED)
        response = self._issue(config, read_at, client, pending, session, access, decision, posted)
        self.pending.finish(pending)
        self.services.audit.record_many(events.authorize_granted(
            user=access.user, client=client, server=config.server, kinds=params.response_types, decision=decision,
            origin=origin, now=self.now()))
        return response

    def _to_page(self, pending: PendingRequest, page: str, posted: bool) -> BrowserResponse:
        try:
            stored = self.pending.store(pending)
        except ConcurrentChange:
            raise PageError("invalid_request", REQUEST_GONE) from None
        pages = pages_base(stored.server_id, stored.issuer)
        return BrowserResponse(Redirect(f"{pages}/{page}?{urlencode({'request_id': stored.request_id})}",
                                        303 if posted else 302))

    # -- the answer ----------------------------------------------------------------------------------------------

    def _issue(self, config: ServerConfig, read_at: datetime, client: OAuthClient, pending: PendingRequest,
               session: LoginSession, access: UserAccess, decision: Decision, posted: bool) -> BrowserResponse:
        params = pending.params
        kinds = params.response_types
        user = access.user
        granted = decision.granted_scopes
        actions = decision.granted_actions
        auth_time = int(session.auth_time.timestamp())
        subject = subject_of(access, auth_time, session.amr)
        fields: list[tuple[str, str]] = []
        code = None
        if CODE in kinds:
            code = self.codes.issue(CodeGrant(
                server_id=config.server.id, client_id=client.client_id, redirect_uri=params.redirect_uri,
                user_id=user.id, scopes=granted, auth_time=auth_time, amr=session.amr, nonce=params.nonce,
                code_challenge=params.code_challenge, code_challenge_method=params.code_challenge_method,
                policy_id=decision.policy_id, rule_id=decision.rule_id,
                access_token_lifetime_minutes=actions.access_token_lifetime_minutes,
                refresh_token_lifetime_minutes=actions.refresh_token_lifetime_minutes,
                refresh_token_window_minutes=actions.refresh_token_window_minutes, dpop_jkt=params.dpop_jkt))
            fields.append(("code", code))
        access_token = None
        if TOKEN in kinds:
            lifetime = timedelta(minutes=actions.access_token_lifetime_minutes)
            claims = minting.access_claims(self.services, config, pending.issuer, client, granted, lifetime, subject)
            access_token = minting.sign(self.services, config, read_at, claims)
            self.services.holders.note(config.server.id, client.client_id)
            fields += [("access_token", access_token), ("token_type", "Bearer"),
                       ("expires_in", str(int(lifetime.total_seconds()))), ("scope", " ".join(granted))]
        if ID_TOKEN in kinds:
            # okta-api.md 8.3: every claim of the granted scopes when no access token comes with the ID token
            # (``id_token``, ``code id_token``); otherwise only those with alwaysIncludeInToken.
            claims = minting.id_token_claims(self.services, config, pending.issuer, client, subject, granted,
                                             nonce=params.nonce, access_token=access_token, code=code,
                                             everything=TOKEN not in kinds)
            fields.append(("id_token", minting.sign(self.services, config, read_at, claims)))
        log.info("authorize: %s for client %s, user %s, scopes %s", authz.canonical(kinds), client.client_id,
                 user.id, " ".join(granted))
        return self._deliver(self._delivery(params), pending.issuer, fields, posted)

    @staticmethod
    def _delivery(params: AuthorizeParams) -> Delivery:
        return Delivery(redirect_uri=params.redirect_uri, response_mode=params.response_mode, state=params.state)

    def _error(self, delivery: Delivery, iss: str, exc: RedirectError, posted: bool) -> BrowserResponse:
        return self._deliver(delivery, iss, [("error", exc.error),
                                             ("error_description", _sanitize(exc.description))], posted)

    @staticmethod
    def _deliver(delivery: Delivery, iss: str, fields: list[tuple[str, str]], posted: bool) -> BrowserResponse:
        """The authorization response (RFC 6749 4.1.2 / 4.2.2; OAuth 2.0 Form Post Response Mode), with ``state``
        when the request had one (REDIR-16) and ``iss`` always (RFC 9207, ISS-01)."""
        everything = list(fields)
        if delivery.state is not None:
            everything.append(("state", delivery.state))
        everything.append(("iss", iss))
        uri = delivery.redirect_uri
        if delivery.response_mode == "form_post":
            return BrowserResponse(FormPost(uri, tuple(everything)))
        encoded = urlencode(everything)
        if delivery.response_mode == "fragment":
            location = f"{uri}#{encoded}"
        else:
            location = f"{uri}{'&' if '?' in uri else '?'}{encoded}"
        return BrowserResponse(Redirect(location, 303 if posted else 302))

    # -- /v1/logout ----------------------------------------------------------------------------------------------

    def logout(self, request: BrowserRequest) -> BrowserResponse:
        return logout(request, configs=self.services.configs, clients=self.directory.clients, sessions=self.sessions,
                      audit=self.services.audit, now=self.now)
