"""``/oauth2/{authServerId}/v1/userinfo`` (GET and POST; oauth/endpoints/userinfo.py). Errors of the bearer token
are RFC 6750 challenges (``WWW-Authenticate``, no body); an unknown or inactive server is Okta's 404 as on the
other OAuth endpoints; a failing AWS dependency is 503 ``temporarily_unavailable``."""
from __future__ import annotations

from chalice import Blueprint, Response

from ..container import get_container
from ..oauth.context import OAuthRequest, OAuthResponse
from ..oauth.form import parse_form
from .context import base
from .http import CONTENT_TYPES
from .oauth import serve

bp = Blueprint(__name__)

PATH = "/oauth2/{authServerId}/v1/userinfo"
FORM = "application/x-www-form-urlencoded"


@bp.route(PATH, methods=["GET", "POST"], content_types=CONTENT_TYPES, name="oauth_userinfo")
def userinfo(authServerId: str) -> Response:
    request = bp.current_request

    def produce() -> OAuthResponse:
        params: dict[str, str] = {}
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if request.method == "POST" and content_type == FORM:
            params = parse_form(request.raw_body or b"", content_type)
        return get_container().oauth.userinfo(OAuthRequest(
            server_id=authServerId, base_url=base(request), params=params,
            authorization=request.headers.get("authorization")))

    return serve(produce)
