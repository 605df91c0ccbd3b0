"""``/oauth2/{authServerId}/v1/userinfo`` (GET and POST; oauth/endpoints/userinfo.py). Errors of the bearer token
are RFC 6750 challenges (``WWW-Authenticate``, no body); an unknown or inactive server is Okta's 404 as on the
other OAuth endpoints; a failing AWS dependency is 503 ``temporarily_unavailable``."""
from __future__ import annotations

from chalice import Blueprint, Response

from ..container import get_container
from ..oauth.context import OAuthRequest
from ..oauth.form import parse_form
from . import errors
from .context import base
from .http import CONTENT_TYPES
from .cors import CorsRoutes
from .oauth import render_oauth_response

bp = Blueprint(__name__)
routes = CorsRoutes(bp, errors.OAUTH_JSON)  # browser apps on trusted origins may call it (api/cors.py)

PATH = "/oauth2/{authServerId}/v1/userinfo"
FORM = "application/x-www-form-urlencoded"


@routes.route(PATH, methods=["GET", "POST"], content_types=CONTENT_TYPES, name="oauth_userinfo")
def userinfo(authServerId: str) -> Response:
    request = bp.current_request
    params: dict[str, str] = {}
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if request.method == "POST" and content_type == FORM:
        params = parse_form(request.raw_body or b"", content_type)
    return render_oauth_response(get_container().oauth.userinfo(OAuthRequest(
        server_id=authServerId, base_url=base(request), params=params,
        authorization=request.headers.get("authorization"))))


routes.finish()
