"""``/oauth2/{authServerId}/v1/userinfo`` (GET and POST; oauth/endpoints/userinfo.py). Errors of the bearer token
are RFC 6750 challenges (``WWW-Authenticate``, no body); an unknown or inactive server is Okta's 404 as on the
other OAuth endpoints; a failing AWS dependency is 503 ``temporarily_unavailable``."""
from __future__ import annotations

import logging

from chalice import Blueprint, Response

from ..container import get_container
from ..errors import NotFoundError, StorageUnavailableError
from ..oauth.context import NO_STORE, OAuthRequest
from ..oauth.errors import OAuthError, ServerError, TemporarilyUnavailableError
from ..oauth.form import parse_form
from . import errors
from .context import base
from .http import CONTENT_TYPES
from .oauth import oauth_error_response, render_oauth_response

bp = Blueprint(__name__)
log = logging.getLogger(__name__)

PATH = "/oauth2/{authServerId}/v1/userinfo"
FORM = "application/x-www-form-urlencoded"


@bp.route(PATH, methods=["GET", "POST"], content_types=CONTENT_TYPES, name="oauth_userinfo")
def userinfo(authServerId: str) -> Response:
    request = bp.current_request
    try:
        params: dict[str, str] = {}
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if request.method == "POST" and content_type == FORM:
            params = parse_form(request.raw_body or b"", content_type)
        oauth_request = OAuthRequest(server_id=authServerId, base_url=base(request), params=params,
                                     authorization=request.headers.get("authorization"))
        return render_oauth_response(get_container().oauth.userinfo(oauth_request))
    except OAuthError as exc:
        return oauth_error_response(exc)
    except NotFoundError as exc:
        response = errors.from_exception(exc)
        response.headers.update(NO_STORE)
        return response
    except StorageUnavailableError:
        return oauth_error_response(TemporarilyUnavailableError("The authorization server is temporarily unavailable."))
    except Exception:  # noqa: BLE001 - never a stack trace to a client
        log.exception("unhandled error at userinfo")
        return oauth_error_response(ServerError("The authorization server encountered an unexpected condition that "
                                        "prevented it from fulfilling the request."))
