"""``/oauth2/{authServerId}/v1/userinfo`` and the org server's ``/oauth2/v1/userinfo`` (GET and POST; oauth/endpoints/userinfo.py). Errors of the bearer token
are RFC 6750 challenges (``WWW-Authenticate``, no body); an unknown or inactive server is Okta's 404 as on the
other OAuth endpoints; a failing AWS dependency is 503 ``temporarily_unavailable``."""
from __future__ import annotations

from typing import cast

from chalice import Blueprint, Response

from ..container import get_container
from ..oauth.context import OAuthRequest
from ..oauth.form import parse_form
from . import errors
from .context import base
from .http import CONTENT_TYPES
from .cors import CorsRoutes
from .http import dpop_proofs
from .oauth import render_oauth_response

bp = Blueprint(__name__)
routes = CorsRoutes(bp, errors.OAUTH_JSON)  # browser apps on trusted origins may call it (api/cors.py)

PATH = "/oauth2/{authServerId}/v1/userinfo"
FORM = "application/x-www-form-urlencoded"


def _answer(server_id: str, org: bool) -> Response:
    request = bp.current_request
    params: dict[str, str] = {}
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if request.method == "POST" and content_type == FORM:
        # Chalice's raw_body is declared str | bytes but always gives bytes (it encodes or decodes the event's body).
        params = parse_form(cast(bytes, request.raw_body) or b"", content_type)
    oauth = get_container().oauth
    call = oauth.org_userinfo if org else oauth.userinfo
    return render_oauth_response(call(OAuthRequest(server_id=server_id, base_url=base(request), params=params,
                                                   authorization=request.headers.get("authorization"),
                                                   method=request.method,
                                                   dpop=dpop_proofs(request.to_original_event()))))


@routes.route(PATH, methods=["GET", "POST"], content_types=CONTENT_TYPES, name="oauth_userinfo")
def userinfo(authServerId: str) -> Response:
    return _answer(authServerId, org=False)


@routes.route("/oauth2/v1/userinfo", methods=["GET", "POST"], content_types=CONTENT_TYPES, name="org_userinfo")
def org_userinfo() -> Response:
    """The org authorization server's userinfo (a person signed in to an app such as the admin console)."""
    return _answer("", org=True)


routes.finish()
