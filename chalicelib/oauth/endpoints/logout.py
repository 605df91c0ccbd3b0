"""``/oauth2/{authServerId}/v1/logout`` (GET and POST): RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0
2 and 6; okta-api.md 7.7; security-checklist REDIR-08, IDT-09).

* ``id_token_hint`` is required: an ID token of this server, signed by any key it publishes (ACTIVE, NEXT or a
  still-published EXPIRED one, so a hint survives a rotation), ``iss`` this server's issuer, ``aud`` a client id.
  An expired but otherwise valid token is accepted (Okta's rule); an access token is not an ID token.
* ``post_logout_redirect_uri``, when given, must be one of that client's registered ``post_logout_redirect_uris``
  (exact match, loopback port exception); ``state`` is appended to it. Anything wrong is an error page, never a
  redirect (no open redirector).
* The sign-in session named by the ``tm_session`` cookie is ended and the cookie expired only when the hint's
  ``sub`` is the session's user (or the session is already dead). Any valid ID token would otherwise do, an
  attacker's own included, so a link could sign anyone out (logout CSRF, issue 13 item 4): with another user's
  hint the person is asked (spec 2: "the OP SHOULD ask the End-User whether to log out"), on a page whose form
  carries ``HMAC-SHA256(key=session cookie, "logout:{sha256(hint)}")`` (the cookie is HttpOnly, so no other page
  can compute it). "Sign out" ends the session; "Stay signed in" keeps it; both then go where the RP asked.
* Without ``post_logout_redirect_uri``: a simple "signed out" (or "still signed in") page.
"""
from __future__ import annotations

import hmac
import json
import logging
from datetime import datetime
from typing import Any, Callable
from urllib.parse import urlencode

import jwt

from ...domain import ACTIVE, ServerConfig
from ..authorize import params as authz
from ..authorize import redirect_uris
from ..audit import AuditTrail
from ..authorize.events import session_end
from ..authorize.browser import BrowserRequest, BrowserResponse, Cookie, Page, PageError, Redirect
from ..authorize.pending import csrf_token
from ..configuration import ServerConfigs
from ..directory import Clients
from ..issuer import endpoints_base, issuer
from ..sessions import SESSION_COOKIE, LoginSession, Sessions, hash_secret

log = logging.getLogger("tokenmint.oauth")

BAD_HINT = "The 'id_token_hint' parameter is not a valid ID token of this authorization server."
BAD_POST_LOGOUT = ("The 'post_logout_redirect_uri' parameter must be a Logout redirect URI in the client app "
                   "settings.")
MAX_HINT = 16 * 1024
FORGED = "The form could not be verified. Return to the application and try again."
CONFIRM = "confirm"
SIGN_OUT, STAY = "logout", "stay"


def verify_id_token_hint(config: ServerConfig, iss: str, hint: str) -> dict[str, Any]:
    """The claims of a hint this server issued (expiry not checked); ``PageError`` otherwise."""
    if len(hint) > MAX_HINT or not hint.isascii():  # a compact JWS is ASCII (PyJWT raises on what UTF-8 cannot carry)
        raise PageError("invalid_request", BAD_HINT)
    try:
        header = jwt.get_unverified_header(hint)
    except jwt.PyJWTError:
        raise PageError("invalid_request", BAD_HINT) from None
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
        raise PageError("invalid_request", BAD_HINT)
    record = next((k for k in config.keys if k.kid == header["kid"]), None)
    if record is None:
        raise PageError("invalid_request", BAD_HINT)
    try:
        key = jwt.PyJWK.from_json(json.dumps(dict(record.public_jwk)), algorithm="RS256").key
        claims = jwt.decode(hint, key=key, algorithms=["RS256"], issuer=iss,
                            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                                     "verify_aud": False, "require": ["iss", "sub", "aud", "iat"]})
    except jwt.PyJWTError:
        raise PageError("invalid_request", BAD_HINT) from None
    # An ID token: ``aud`` is the client id as a string, and it carries no access-token members (JAT-05).
    if not isinstance(claims.get("aud"), str) or "scp" in claims or "cid" in claims:
        raise PageError("invalid_request", BAD_HINT)
    return claims


def logout(request: BrowserRequest, *, configs: ServerConfigs, clients: Clients, sessions: Sessions,
           audit: AuditTrail | None = None, now: Callable[[], datetime] | None = None) -> BrowserResponse:
    config, _ = configs.active(request.server_id, org_route=request.org)
    iss = issuer(config.server, request.base_url)
    hint = authz.single_for_page(request.params, "id_token_hint")
    target = authz.single_for_page(request.params, "post_logout_redirect_uri")
    state = authz.single_for_page(request.params, "state")
    if hint is None:
        raise PageError("invalid_request", "The 'id_token_hint' parameter is required.")
    claims = verify_id_token_hint(config, iss, hint)
    client = clients.find(claims["aud"])
    if client is None or client.status != ACTIVE:
        raise PageError("invalid_request", BAD_HINT)
    registered = redirect_uris.resolve(client.post_logout_redirect_uris, iss if request.org else None)
    if target is not None and redirect_uris.find(registered, target) is None:
        raise PageError("invalid_request", BAD_POST_LOGOUT)
    if state is not None and len(state) > authz.MAX_STATE:
        raise PageError("invalid_request", f"The 'state' parameter must be at most {authz.MAX_STATE} characters.")

    cookie = request.cookies.get(SESSION_COOKIE)
    session = sessions.current(cookie)
    if session is not None and not hmac.compare_digest(session.user_id.encode(), str(claims["sub"]).encode()):
        # Another user's ID token: only the person at this browser may end its session.
        if authz.single_for_page(request.params, CONFIRM) is None:
            log.info("logout for client %s with another user's hint: asking to confirm", client.client_id)
            return BrowserResponse(_confirm_page(endpoints_base(config.server, request.base_url),
                                                 client.client_name or client.client_id, hint, target, state,
                                                 cookie or ""))
        if not request.posted or not _confirmed_by_form(request, cookie or "", hint):
            raise PageError("invalid_request", FORGED, 403)
        if authz.single_for_page(request.params, CONFIRM) == STAY:
            log.info("logout for client %s: the person stayed signed in", client.client_id)
            return _leave(client.client_name, target, state, request.posted, [], signed_out=False)
    ended = _end(sessions, cookie, session)
    log.info("logout for client %s (session %s)", client.client_id, "ended" if ended else "absent")
    if ended and session is not None and audit is not None and now is not None:
        audit.record(session_end(user_id=session.user_id, client=client, server=config.server,
                                 origin=request.origin, now=now()))
    cookies = [Cookie(SESSION_COOKIE, "", 0)] if SESSION_COOKIE in request.cookies else []
    return _leave(client.client_name, target, state, request.posted, cookies, signed_out=True)


def _end(sessions: Sessions, cookie: str | None, session: LoginSession | None) -> bool:
    """End the session; a cookie naming no live session is deleted too (its record may linger until TTL)."""
    return sessions.end(cookie) and session is not None


def _leave(client_name: str | None, target: str | None, state: str | None, posted: bool, cookies: list[Cookie],
           *, signed_out: bool) -> BrowserResponse:
    if target is None:
        page = "signed_out" if signed_out else "still_signed_in"
        return BrowserResponse(Page(page, {"client_name": client_name or ""}), cookies)
    location = target
    if state is not None:
        location = f"{target}{'&' if '?' in target else '?'}{urlencode({'state': state})}"
    return BrowserResponse(Redirect(location, 303 if posted else 302), cookies)


def _confirm_page(at: str, client_name: str, hint: str, target: str | None, state: str | None,
                  cookie: str) -> Page:
    """``at``: where the server's ``/v1/…`` endpoints are (``issuer.endpoints_base``)."""
    fields = [("id_token_hint", hint)]
    if target is not None:
        fields.append(("post_logout_redirect_uri", target))
    if state is not None:
        fields.append(("state", state))
    fields.append(("csrf_token", csrf_token(cookie, hash_secret(hint), "logout")))
    # The answer to this form is a redirect to the RP: CSP form-action must allow it.
    return Page("logout_confirm", {"action": f"{at}/v1/logout", "fields": tuple(fields),
                                   "client_name": client_name, "form_targets": (target,) if target else ()})


def _confirmed_by_form(request: BrowserRequest, cookie: str, hint: str) -> bool:
    token = authz.single_for_page(request.params, "csrf_token") or ""
    expected = csrf_token(cookie, hash_secret(hint), "logout")
    return hmac.compare_digest(expected.encode(), token.encode()) and \
        authz.single_for_page(request.params, CONFIRM) in (SIGN_OUT, STAY)
