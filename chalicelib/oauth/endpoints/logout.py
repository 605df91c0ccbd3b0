"""``/oauth2/{authServerId}/v1/logout`` (GET and POST): RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0;
okta-api.md 7.7; security-checklist REDIR-08, IDT-09).

* ``id_token_hint`` is required: an ID token of this server, signed by any key it publishes (ACTIVE, NEXT or a
  still-published EXPIRED one, so a hint survives a rotation), ``iss`` this server's issuer, ``aud`` a client id.
  An expired but otherwise valid token is accepted (Okta's rule); an access token is not an ID token.
* ``post_logout_redirect_uri``, when given, must be one of that client's registered ``post_logout_redirect_uris``
  (exact match, loopback port exception); ``state`` is appended to it. Anything wrong is an error page, never a
  redirect (no open redirector).
* The sign-in session named by the ``tm_session`` cookie is deleted and the cookie expired, whoever it belongs
  to (an RP can only end the session it is shown; a browser without a session is just redirected).
* Without ``post_logout_redirect_uri``: a simple "signed out" page.
"""
from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import jwt

from ...domain import ACTIVE, ServerConfig
from ..authorize import params as authz
from ..authorize import redirect_uris
from ..authorize.browser import BrowserRequest, BrowserResponse, Cookie, Page, PageError, Redirect
from ..configuration import ServerConfigs
from ..directory import Clients
from ..issuer import issuer
from ..sessions import SESSION_COOKIE, Sessions

log = logging.getLogger("tokenmint.oauth")

BAD_HINT = "The 'id_token_hint' parameter is not a valid ID token of this authorization server."
BAD_POST_LOGOUT = ("The 'post_logout_redirect_uri' parameter must be a Logout redirect URI in the client app "
                   "settings.")
MAX_HINT = 16 * 1024


def verify_id_token_hint(config: ServerConfig, iss: str, hint: str) -> dict[str, Any]:
    """The claims of a hint this server issued (expiry not checked); ``PageError`` otherwise."""
    if len(hint) > MAX_HINT:
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


def logout(request: BrowserRequest, *, configs: ServerConfigs, clients: Clients, sessions: Sessions) -> BrowserResponse:
    config, _ = configs.active(request.server_id)
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
    if target is not None and redirect_uris.find(client.post_logout_redirect_uris, target) is None:
        raise PageError("invalid_request", BAD_POST_LOGOUT)
    if state is not None and len(state) > authz.MAX_STATE:
        raise PageError("invalid_request", f"The 'state' parameter must be at most {authz.MAX_STATE} characters.")

    ended = sessions.end(request.cookies.get(SESSION_COOKIE))
    log.info("logout for client %s (session %s)", client.client_id, "ended" if ended else "absent")
    cookies = [Cookie(SESSION_COOKIE, "", 0)] if SESSION_COOKIE in request.cookies else []
    if target is None:
        return BrowserResponse(Page("signed_out", {"client_name": client.client_name or ""}), cookies)
    location = target
    if state is not None:
        location = f"{target}{'&' if '?' in target else '?'}{urlencode({'state': state})}"
    return BrowserResponse(Redirect(location, 303 if request.posted else 302), cookies)
