"""The device flow's routes (RFC 8628; docs/ARCHITECTURE.md "Device authorization"):

=============================================  =========  =====================================================
``/oauth2/{authServerId}/v1/device/authorize``  POST       the device authorization endpoint (OAuth JSON errors)
``/oauth2/{authServerId}/device``               GET, POST  the user page: the code form / checking a code
``/oauth2/{authServerId}/device/signin``        POST       signing in on the user page
``/oauth2/{authServerId}/device/confirm``       POST       Approve / Deny
=============================================  =========  =====================================================

The endpoint is answered as the token endpoint's neighbours are (api/oauth.handle); the pages as the other hosted
pages (api/authorize._handle's parsing; errors are HTML pages, ``errors.HTML_PAGE``), rendered by
``device_pages.py``. Only custom authorization servers (``default`` included) offer the flow, as Okta's do.
"""
from __future__ import annotations

from typing import Callable

from chalice import Blueprint, Response

from ..container import get_container
from ..errors import NotFoundError
from ..oauth.authorize.browser import BrowserRequest, BrowserResponse
from ..oauth.device.verification import DeviceVerification
from . import device_pages, errors, oauth
from .authorize import browser_request
from .http import CONTENT_TYPES
from .routing import Routes

bp = Blueprint(__name__)
endpoint_routes = Routes(bp, errors.OAUTH_JSON)
page_routes = Routes(bp, errors.HTML_PAGE)

PREFIX = "/oauth2/{authServerId}"


@endpoint_routes.route(PREFIX + "/v1/device/authorize", methods=["POST"], content_types=oauth.ANY_BODY,
                       name="oauth_device_authorize")
def device_authorize(authServerId: str) -> Response:
    return oauth.handle(authServerId, get_container().oauth.device_authorize, form=True, request=bp.current_request)


def _page() -> DeviceVerification:
    page = get_container().oauth.device_page
    if page is None:
        raise NotFoundError("device", "Endpoint")
    return page


def _handle(server_id: str, call: Callable[[BrowserRequest], BrowserResponse]) -> Response:
    browser = browser_request(bp.current_request, server_id)
    return device_pages.respond(call(browser), browser.base_url)


@page_routes.route(PREFIX + "/device", methods=["GET", "POST"], content_types=CONTENT_TYPES, name="device_page")
def device_page(authServerId: str) -> Response:
    return _handle(authServerId, lambda r: _page().enter(r) if r.posted else _page().page(r))


@page_routes.route(PREFIX + "/device/signin", methods=["POST"], content_types=CONTENT_TYPES, name="device_signin")
def device_signin(authServerId: str) -> Response:
    return _handle(authServerId, lambda r: _page().sign_in(r))


@page_routes.route(PREFIX + "/device/confirm", methods=["POST"], content_types=CONTENT_TYPES, name="device_confirm")
def device_confirm(authServerId: str) -> Response:
    return _handle(authServerId, lambda r: _page().confirm(r))
