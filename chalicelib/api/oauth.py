"""The OAuth endpoints of each authorization server under ``/oauth2/{authServerId}`` (okta-api.md 7): token,
introspection, revocation and the two discovery documents. Errors are RFC 6749 JSON with ``Cache-Control:
no-store``; an unknown or inactive server is Okta's 404 (as for ``/v1/keys``): ``errors.OAUTH_JSON``, applied to
every route by its registration. Browser apps on trusted origins may call them all (api/cors.py)."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from chalice import Blueprint, Response

from ..container import get_container
from ..oauth.context import JsonBody, OAuthRequest, OAuthResponse
from ..oauth.errors import InvalidRequestError
from ..oauth.form import parse_form
from . import errors, request_origin
from .cors import CorsRoutes
from .http import base_url, dpop_proofs, json_text

bp = Blueprint(__name__)
routes = CorsRoutes(bp, errors.OAUTH_JSON)

PREFIX = "/oauth2/{authServerId}"
TOKEN_PATH = PREFIX + "/v1/token"  # also served by the fast path (api/fastpath.py), as are the discovery documents
OPENID_CONFIGURATION_PATH = PREFIX + "/.well-known/openid-configuration"
OAUTH_METADATA_PATH = PREFIX + "/.well-known/oauth-authorization-server"
# Any request body reaches the POST endpoints, which refuse a non-form one with the OAuth ``invalid_request``
# (TOK-04) rather than Chalice's 415 in the management API's error format. ``*/*`` is also the check Chalice makes
# fastest, on every token.
ANY_BODY = ["*/*"]


def render_oauth_response(response: OAuthResponse) -> Response:
    if response.body == "":
        return Response(body="", status_code=response.status, headers={"Content-Type": "text/plain",
                                                                        **response.headers})
    body = response.body if isinstance(response.body, JsonBody) else json_text(response.body)
    return Response(body=str(body), status_code=response.status,
                    headers={"Content-Type": "application/json", **response.headers})


def respond(server_id: str, call: Callable[[OAuthRequest], OAuthResponse], form: bool,
            raw_body: Callable[[], bytes], headers: Mapping[str, str], request_context: Any = None,
            event: Any = None, method: str = "POST") -> Response:
    """One OAuth request, from what either entry reaches it with (the blueprint's Chalice request, or the token
    fast path's Lambda event, ``api/fastpath.py``): the form body (read inside, so a body that cannot be read is an
    OAuth error like any other), the lower-cased headers and API Gateway's request context (who is calling, for the
    System Log), and the Lambda event itself for the ``DPoP`` header fields (``dpop_proofs``); the proofs' ``htu``
    is checked against the endpoint's public URL, built from the same base URL as the issuer. Errors are the
    caller's: both entries guard it with ``errors.OAUTH_JSON``."""
    params = parse_form(raw_body(), headers.get("content-type")) if form else {}
    proofs = dpop_proofs(event) if "dpop" in headers else ()
    return render_oauth_response(call(OAuthRequest(
        server_id=server_id, base_url=base_url(headers, get_container().settings.base_url), params=params,
        authorization=headers.get("authorization"), origin=request_origin.origin(headers, request_context),
        method=method, dpop=proofs)))


def handle(server_id: str, call: Callable[[OAuthRequest], OAuthResponse], form: bool, request: Any = None
            ) -> Response:
    """``request``: Chalice's request when the route is another blueprint's (api/org_server.py)."""
    request = request if request is not None else bp.current_request
    return respond(server_id, call, form, lambda: request.raw_body or b"", request.headers, request.context,
                   event=request.to_original_event(), method=request.method)


@routes.route(TOKEN_PATH, methods=["POST"], content_types=ANY_BODY, name="oauth_token")
def token(authServerId: str) -> Response:
    return handle(authServerId, get_container().oauth.token, form=True)


@routes.route(PREFIX + "/v1/introspect", methods=["POST"], content_types=ANY_BODY, name="oauth_introspect")
def introspect(authServerId: str) -> Response:
    return handle(authServerId, get_container().oauth.introspect, form=True)


@routes.route(PREFIX + "/v1/revoke", methods=["POST"], content_types=ANY_BODY, name="oauth_revoke")
def revoke(authServerId: str) -> Response:
    return handle(authServerId, get_container().oauth.revoke, form=True)


@routes.route(PREFIX + "/v1/par", methods=["POST"], content_types=ANY_BODY, name="oauth_par")
def pushed_authorization_request(authServerId: str) -> Response:
    """RFC 9126 (oauth/endpoints/par.py)."""
    return handle(authServerId, get_container().oauth.par, form=True)


def openid_metadata(request: OAuthRequest) -> OAuthResponse:
    return get_container().oauth.metadata(request, openid=True)


def oauth_metadata(request: OAuthRequest) -> OAuthResponse:
    return get_container().oauth.metadata(request, openid=False)


@routes.route(OPENID_CONFIGURATION_PATH, methods=["GET"], name="oauth_openid_configuration")
def openid_configuration(authServerId: str) -> Response:
    return handle(authServerId, openid_metadata, form=False)


@routes.route(OAUTH_METADATA_PATH, methods=["GET"], name="oauth_authorization_server_metadata")
def oauth_authorization_server(authServerId: str) -> Response:
    return handle(authServerId, oauth_metadata, form=False)


def _post_only(*_args: str, **_kwargs: str) -> Response:
    # RFC 6749 3.2: the token endpoint takes POST only (security-checklist TOK-04).
    response = errors.oauth_error_response(InvalidRequestError("This endpoint accepts POST requests only."))
    response.status_code = 405
    response.headers["Allow"] = "POST"
    return response


for _path in ("/v1/token", "/v1/introspect", "/v1/revoke", "/v1/par"):
    routes.add(PREFIX + _path, ["GET", "PUT", "DELETE", "PATCH"], _post_only,
               "oauth_post_only_" + _path.rsplit("/", 1)[1], ANY_BODY, cors_allowed=False)

routes.finish()
