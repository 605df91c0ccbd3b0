"""The browser-facing endpoints of each authorization server (okta-api.md 7.3, 7.7; docs/ARCHITECTURE.md "Sign-in,
consent and the authorization code flow"):

==========================================  =========  ==========================================================
``/oauth2/{authServerId}/v1/authorize``     GET, POST  the authorization endpoint (query string / form body)
``/oauth2/{authServerId}/signin``           GET, POST  the hosted sign-in page and its form
``/oauth2/{authServerId}/consent``          GET, POST  the hosted consent page and its form
``/oauth2/{authServerId}/v1/logout``        GET, POST  RP-initiated logout
==========================================  =========  ==========================================================

Parameters are read with every value they carry (a repeated parameter is an error, REDIR-11), cookies from the
``Cookie`` header; the work is ``oauth/authorize/flow.py``; ``pages.py`` renders. Errors are HTML pages (never
JSON, never a redirect to an unvalidated URI; ``errors.HTML_PAGE``, applied to every route by its registration): an
unknown or inactive server is a 404 page, a storage outage 503.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, cast
from urllib.parse import parse_qsl

from chalice import Blueprint, Response
from chalice.app import Request

from ..container import get_container
from ..errors import NotFoundError
from ..oauth.authorize.browser import BrowserRequest, BrowserResponse, PageError
from ..oauth.issuer import ORG_PAGES, ORG_SERVER_ID
from . import errors, pages, request_origin
from .context import base
from .http import CONTENT_TYPES
from .routing import Routes

if TYPE_CHECKING:  # imported lazily with the container
    from ..oauth.authorize.flow import FrontChannel

bp = Blueprint(__name__)
routes = Routes(bp, errors.HTML_PAGE)

PREFIX = "/oauth2/{authServerId}"
MAX_BODY = 64 * 1024
FORM = "application/x-www-form-urlencoded"


def _form(raw: bytes, content_type: str | None) -> dict[str, tuple[str, ...]]:
    media = (content_type or "").split(";")[0].strip().lower()
    if media != FORM:
        raise PageError("invalid_request", "The request must be sent as application/x-www-form-urlencoded.", 415)
    if len(raw) > MAX_BODY:
        raise PageError("invalid_request", "The request body is too large.", 413)
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise PageError("invalid_request", "The request body is not valid UTF-8.") from None
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return {k: tuple(v) for k, v in params.items()}


def _query(query_params: object) -> dict[str, tuple[str, ...]]:
    if not query_params:
        return {}
    getlist = getattr(query_params, "getlist")
    return {name: tuple(getlist(name)) for name in query_params}  # type: ignore[attr-defined]


def cookies(header: str | None) -> dict[str, str]:
    """The request's cookies (the first value of a name wins: the browser sends the most specific path first)."""
    found: dict[str, str] = {}
    for part in (header or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in found:
            found[name] = value.strip().strip('"')
    return found


def browser_request(request: Request, server_id: str, org: bool = False) -> BrowserRequest:
    """The core's view of a front-channel request (the authorize pages' and the device page's): the form of a POST
    or the query of a GET, the cookies, the base URL and who sent it."""
    method = request.method.upper()
    # Chalice's raw_body is declared str | bytes but always gives bytes (it encodes or decodes the event's body).
    params = _form(cast(bytes, request.raw_body) or b"", request.headers.get("content-type")) if method == "POST" \
        else _query(request.query_params)
    return BrowserRequest(server_id=server_id, base_url=base(request), method=method, params=params,
                          cookies=cookies(request.headers.get("cookie")), org=org,
                          origin=request_origin.origin(request.headers, request.context))


def _handle(server_id: str, call: Callable[[BrowserRequest], BrowserResponse], org: bool = False) -> Response:
    browser = browser_request(bp.current_request, server_id, org)
    return pages.respond(call(browser), browser.base_url)


def _front() -> FrontChannel:
    front = get_container().oauth.front
    if front is None:
        raise NotFoundError("authorize", "Endpoint")
    return front


@routes.route(PREFIX + "/v1/authorize", methods=["GET", "POST"], content_types=CONTENT_TYPES,
              name="oauth_authorize")
def authorize(authServerId: str) -> Response:
    return _handle(authServerId, lambda r: _front().authorize(r))


@routes.route(PREFIX + "/signin", methods=["GET", "POST"], content_types=CONTENT_TYPES, name="oauth_signin")
def signin(authServerId: str) -> Response:
    return _handle(authServerId, lambda r: _front().signin(r) if r.posted else _front().signin_page(r))


@routes.route(PREFIX + "/consent", methods=["GET", "POST"], content_types=CONTENT_TYPES, name="oauth_consent")
def consent(authServerId: str) -> Response:
    return _handle(authServerId, lambda r: _front().consent(r) if r.posted else _front().consent_page(r))


@routes.route(PREFIX + "/v1/logout", methods=["GET", "POST"], content_types=CONTENT_TYPES, name="oauth_logout")
def logout(authServerId: str) -> Response:
    return _handle(authServerId, lambda r: _front().logout(r))


# -- the org authorization server's front channel: people sign in to apps such as the admin console ---------------

@routes.route("/oauth2/v1/authorize", methods=["GET", "POST"], content_types=CONTENT_TYPES, name="org_authorize")
def org_authorize() -> Response:
    return _handle(ORG_SERVER_ID, lambda r: _front().authorize(r), org=True)


@routes.route(ORG_PAGES + "/signin", methods=["GET", "POST"], content_types=CONTENT_TYPES, name="org_signin")
def org_signin() -> Response:
    return _handle(ORG_SERVER_ID, lambda r: _front().signin(r) if r.posted else _front().signin_page(r), org=True)


@routes.route(ORG_PAGES + "/consent", methods=["GET", "POST"], content_types=CONTENT_TYPES, name="org_consent")
def org_consent() -> Response:
    return _handle(ORG_SERVER_ID, lambda r: _front().consent(r) if r.posted else _front().consent_page(r),
                   org=True)


@routes.route("/oauth2/v1/logout", methods=["GET", "POST"], content_types=CONTENT_TYPES, name="org_logout")
def org_logout() -> Response:
    return _handle(ORG_SERVER_ID, lambda r: _front().logout(r), org=True)
