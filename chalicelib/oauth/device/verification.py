"""The user page of the device flow (RFC 8628 3.3): ``{issuer}/device``, where a person signs in, enters the user code
shown on the device, sees what the device asks and approves or denies it (docs/ARCHITECTURE.md "Device
authorization"; docs/security-cases/device.md).

==================================  ======  ===========================================================
``{issuer}/device``                 GET     the code form (``?user_code=`` prefills it, never submits it); the
                                            sign-in form first when the browser has no session
``{issuer}/device/signin``          POST    sign in (the hosted sign-in's session, ``tm_session``, is shared)
``{issuer}/device``                 POST    check a code (rate-limited) -> the confirmation page
``{issuer}/device/confirm``         POST    Approve (consent included) or Deny -> the done page
==================================  ======  ===========================================================

The session and the sign-in are the hosted pages' own (``sessions.py``; ``UserService.sign_in`` with its lockout):
a person signed in for an app is signed in here, and the other way round. Forms are bound to the browser as the
other pages are (``authorize/pending.py``): the ``tm_csrf`` cookie, and a token ``HMAC(cookie, purpose)``, where the
confirmation's purpose names the user code; a post without both is a 403 page.

Guessing codes (RFC 8628 5.1): every entry is reserved against the person's window before the code is looked up,
and failures count against the server's window (``authorizations.Limits``); over either, 429 and no lookup. The
confirmation cannot be used to guess: it is accepted only from the session that entered that code through the
limited form (the authorization remembers it, ``entered_by``). Remote phishing (RFC 8628 5.4): the person always
confirms on a page that names the app, the scopes and the code, with a warning to approve only a device they hold;
``verification_uri_complete`` only prefills the form.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import replace
from datetime import datetime
from typing import Any, Callable
from urllib.parse import urlencode

from ...domain import ACTIVE, TRUSTED, OAuthClient, ServerConfig, User
from ...policy import AccessRequest, Decision, evaluate
from ...policy.reasons import Reason
from ..authorize import events as authorize_events
from ..authorize.browser import BrowserRequest, BrowserResponse, Cookie, Page, PageError, Redirect
from ..authorize.pending import BROWSER_COOKIE, new_browser_cookie, well_formed
from ..consent import Consents
from ..context import OAuthServices
from ..directory import Directory
from ..issuer import issuer
from ..sessions import ABSOLUTE, SESSION_COOKIE, LoginSession, Sessions
from . import events, user_codes
from .authorizations import APPROVED, DENIED, DEVICE_GRANT, PENDING, DeviceAuthorization, DeviceAuthorizations

SIGN_IN_FAILED = "Unable to sign in. Check your username and password and try again."
INVALID_CODE = "That code is not valid or has expired. Check the code shown on your device and try again."
TOO_MANY = "Too many codes were entered. Wait a few minutes, then try again."
FORGED = "The form could not be verified. Reload the page and try again."
GONE = "This device request is no longer valid (it expired or was already answered). Start again on your device."
BROWSER_COOKIE_MAX_AGE = 24 * 3600
MAX_LOGIN = 256


def csrf(browser_cookie: str, purpose: str) -> str:
    mac = hmac.new(browser_cookie.encode(), f"device:{purpose}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def csrf_ok(browser_cookie: str | None, token: str | None, purpose: str) -> bool:
    if not well_formed(browser_cookie) or not isinstance(token, str):
        return False
    return hmac.compare_digest(csrf(browser_cookie or "", purpose).encode(), token.encode())


class DeviceVerification:
    def __init__(self, services: OAuthServices, directory: Directory, *, sessions: Sessions, consents: Consents,
                 devices: DeviceAuthorizations) -> None:
        self.services = services
        self.directory = directory
        self.sessions = sessions
        self.consents = consents
        self.devices = devices

    @property
    def now(self) -> Callable[[], datetime]:
        return self.services.now

    # -- the routes ----------------------------------------------------------------------------------------------

    def page(self, request: BrowserRequest) -> BrowserResponse:
        config, iss = self._server(request)
        browser, cookies = self._browser(request)
        prefill = user_codes.normalise(request.first("user_code"))
        signed_in = self._signed_in(request)
        if signed_in is None:
            return BrowserResponse(self._signin(iss, browser, prefill, "", None), cookies)
        return BrowserResponse(self._entry(iss, browser, prefill, signed_in[1], None), cookies)

    def sign_in(self, request: BrowserRequest) -> BrowserResponse:
        config, iss = self._server(request)
        browser = request.cookies.get(BROWSER_COOKIE)
        if not csrf_ok(browser, request.first("csrf_token"), "signin"):
            raise PageError("invalid_request", FORGED, 403)
        prefill = user_codes.normalise(request.first("user_code"))
        username = (request.first("username") or "").strip()
        result = self.directory.users.sign_in(username, request.first("password") or "")
        self.services.audit.record(events.sign_in(login=username, user=result.user or result.attempted,
                                                  reason=result.reason, server=config.server,
                                                  origin=request.origin, now=self.now()))
        if not result.ok or result.user is None:
            return BrowserResponse(self._signin(iss, browser or "", prefill, username[:MAX_LOGIN], SIGN_IN_FAILED))
        cookie, _session = self.sessions.start(result.user.id, replacing=request.cookies.get(SESSION_COOKIE))
        target = f"{iss}/device" + (f"?{urlencode({'user_code': user_codes.display(prefill)})}" if prefill else "")
        return BrowserResponse(Redirect(target, 303), [Cookie(SESSION_COOKIE, cookie, int(ABSOLUTE.total_seconds()))])

    def enter(self, request: BrowserRequest) -> BrowserResponse:
        config, iss = self._server(request)
        browser = request.cookies.get(BROWSER_COOKIE)
        if not csrf_ok(browser, request.first("csrf_token"), "entry"):
            raise PageError("invalid_request", FORGED, 403)
        entered = request.first("user_code") or ""
        signed_in = self._signed_in(request)
        if signed_in is None:
            return BrowserResponse(self._signin(iss, browser or "", user_codes.normalise(entered), "", None))
        session, user = signed_in
        server = config.server
        if not self.devices.reserve_entry(server.id, user.id):
            self.services.audit.record(events.user_code(user=user, server=server, client=None, device_hash=None,
                                                        outcome="limited", origin=request.origin, now=self.now()))
            return BrowserResponse(self._entry(iss, browser or "", None, user, TOO_MANY, status=429))
        code = user_codes.normalise(entered)
        found = self.devices.by_user_code(server.id, code) if code else None
        client = self._client(found.client_id) if found is not None and found.status == PENDING else None
        if found is None or client is None:
            self.devices.entry_failed(server.id)
            self.services.audit.record(events.user_code(user=user, server=server, client=None, device_hash=None,
                                                        outcome="invalid", origin=request.origin, now=self.now()))
            return BrowserResponse(self._entry(iss, browser or "", None, user, INVALID_CODE, typed=entered))
        assert code is not None
        marked = self.devices.save(found, replace(found, entered_by=session.id_hash))
        if marked is None:
            raise PageError("invalid_request", GONE)
        self.services.audit.record(events.user_code(user=user, server=server, client=client,
                                                    device_hash=found.device_hash, outcome="ok",
                                                    origin=request.origin, now=self.now()))
        decision = self._decide(config, client, marked, user)
        if not decision.allowed and decision.reason != Reason.CONSENT_REQUIRED:
            return self._refused(config, client, marked, user, decision, request)
        return BrowserResponse(self._confirm(config, iss, browser or "", client, code, user, decision))

    def confirm(self, request: BrowserRequest) -> BrowserResponse:
        config, iss = self._server(request)
        browser = request.cookies.get(BROWSER_COOKIE)
        code = user_codes.normalise(request.first("user_code"))
        if code is None or not csrf_ok(browser, request.first("csrf_token"), f"confirm:{code}"):
            raise PageError("invalid_request", FORGED, 403)
        signed_in = self._signed_in(request)
        if signed_in is None:
            return BrowserResponse(self._signin(iss, browser or "", code, "", None))
        session, user = signed_in
        found = self.devices.by_user_code(config.server.id, code)
        # Only the session that entered this code through the limited form may answer it (no guessing here).
        if found is None or found.status != PENDING or found.entered_by != session.id_hash:
            raise PageError("invalid_request", GONE)
        client = self._client(found.client_id)
        if client is None:
            raise PageError("invalid_request", GONE)
        choice = request.first("decision")
        if choice not in ("approve", "deny"):
            raise PageError("invalid_request", "Choose Approve or Deny.")
        if choice == "deny":
            if self.devices.save(found, replace(found, status=DENIED, user_id=user.id)) is None:
                raise PageError("invalid_request", GONE)
            self.services.audit.record(events.answered(
                user=user, server=config.server, client=client, device_hash=found.device_hash, approved=False,
                scopes=(), decision=None, error=None, origin=request.origin, now=self.now()))
            return BrowserResponse(Page("device_done", {"approved": False, "client_name": _name(client)}))
        decision = self._decide(config, client, found, user)
        asked: tuple[str, ...] = ()
        if not decision.allowed and decision.reason == Reason.CONSENT_REQUIRED:
            asked = decision.consent_scopes
            decision = self._decide(config, client, replace(found, consented=asked), user)
        if not decision.allowed:
            return self._refused(config, client, found, user, decision, request)
        approved = replace(found, status=APPROVED, user_id=user.id, auth_time=int(session.auth_time.timestamp()),
                           amr=session.amr, consented=asked)
        if self.devices.save(found, approved) is None:
            raise PageError("invalid_request", GONE)
        if asked:
            scope_ids = {s.name: s.id for s in config.scopes}
            self.consents.remember(user.id, config.server.id, client.client_id,
                                   [(name, scope_ids.get(name)) for name in asked], iss)
            self.services.audit.record(authorize_events.consent(
                user=user, user_id=user.id, client=client, server=config.server, scopes=asked, allowed=True,
                origin=request.origin, now=self.now()))
        self.services.audit.record(events.answered(
            user=user, server=config.server, client=client, device_hash=found.device_hash, approved=True,
            scopes=decision.granted_scopes, decision=decision, error=None, origin=request.origin, now=self.now()))
        return BrowserResponse(Page("device_done", {"approved": True, "client_name": _name(client)}))

    # -- the steps -----------------------------------------------------------------------------------------------

    def _server(self, request: BrowserRequest) -> tuple[ServerConfig, str]:
        config, _ = self.services.configs.active(request.server_id, org_route=request.org)
        return config, issuer(config.server, request.base_url)

    @staticmethod
    def _browser(request: BrowserRequest) -> tuple[str, list[Cookie]]:
        browser = request.cookies.get(BROWSER_COOKIE)
        if well_formed(browser):
            return browser or "", []
        fresh = new_browser_cookie()
        return fresh, [Cookie(BROWSER_COOKIE, fresh, BROWSER_COOKIE_MAX_AGE)]

    def _signed_in(self, request: BrowserRequest) -> tuple[LoginSession, User] | None:
        session = self.sessions.current(request.cookies.get(SESSION_COOKIE))
        if session is None:
            return None
        user = self.directory.users.find(session.user_id)
        if user is None or user.status != ACTIVE:
            return None
        return session, user

    def _client(self, client_id: str) -> OAuthClient | None:
        client = self.directory.clients.find(client_id)
        return client if client is not None and client.status == ACTIVE else None

    def _decide(self, config: ServerConfig, client: OAuthClient, found: DeviceAuthorization, user: User) -> Decision:
        """The access policy for this person (what the token endpoint will decide again when the device polls)."""
        access = self.directory.assignments.access(client.client_id, user.id)
        consented = self.consents.granted(user.id, config.server.id, client.client_id) | frozenset(found.consented)
        return evaluate(config, AccessRequest(
            client_id=client.client_id, grant_type=DEVICE_GRANT, requested_scopes=found.scopes, user_id=user.id,
            user_group_ids=frozenset(access.group_ids) if access else frozenset(), consent_granted=consented,
            user_assigned=bool(access and access.assigned), client_trusted=client.consent_method == TRUSTED))

    def _refused(self, config: ServerConfig, client: OAuthClient, found: DeviceAuthorization, user: User,
                 decision: Decision, request: BrowserRequest) -> BrowserResponse:
        """The policy refuses this person: the device is told so on its next poll, the person here."""
        error = decision.error or "access_denied"
        description = decision.error_description or "The request was denied."
        self.devices.save(found, replace(found, status=DENIED, user_id=user.id, error=error,
                                         error_description=description))
        self.services.audit.record(events.answered(
            user=user, server=config.server, client=client, device_hash=found.device_hash, approved=False, scopes=(),
            decision=decision, error=error, origin=request.origin, now=self.now()))
        return BrowserResponse(Page("error", {"error": error, "description": description}, 403))

    # -- the pages -----------------------------------------------------------------------------------------------

    @staticmethod
    def _signin(iss: str, browser: str, prefill: str | None, username: str, error: str | None) -> Page:
        return Page("device_signin", {
            "action": f"{iss}/device/signin", "csrf_token": csrf(browser, "signin"), "username": username,
            "user_code": user_codes.display(prefill) if prefill else "", "error": error})

    @staticmethod
    def _entry(iss: str, browser: str, prefill: str | None, user: User, error: str | None, status: int = 200,
               typed: str = "") -> Page:
        return Page("device_entry", {
            "action": f"{iss}/device", "csrf_token": csrf(browser, "entry"), "user_login": user.login,
            "user_code": user_codes.display(prefill) if prefill else typed[:user_codes.MAX_ENTRY], "error": error},
            status)

    @staticmethod
    def _confirm(config: ServerConfig, iss: str, browser: str, client: OAuthClient, code: str, user: User,
                 decision: Decision) -> Page:
        by_name = {s.name: s for s in config.scopes}
        consent = decision.reason == Reason.CONSENT_REQUIRED
        names = decision.consent_scopes if consent else decision.granted_scopes
        scopes: list[dict[str, Any]] = []
        for name in names:
            scope = by_name.get(name)
            scopes.append({"name": name, "display_name": (scope.display_name if scope else None) or name,
                           "description": (scope.description if scope else None) or ""})
        return Page("device_confirm", {
            "action": f"{iss}/device/confirm", "csrf_token": csrf(browser, f"confirm:{code}"),
            "user_code": user_codes.display(code), "client_name": _name(client), "user_login": user.login,
            "scopes": scopes, "consent": consent})


def _name(client: OAuthClient) -> str:
    return client.client_name or client.client_id

