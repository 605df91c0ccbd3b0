"""The org authorization server's endpoints (Okta's ``/oauth2/v1/…``; issuer = the base URL; issue 16): a service
app gets an access token with the ``okta.*`` scopes it was granted and calls the management API with it
(``api/routing.AdminRoutes``). Token, introspection, revocation, keys and both discovery documents; errors are
RFC 6749 JSON like every authorization server's (the keys, Okta's JSON). ``/v1/par`` too (RFC 9126)."""
from __future__ import annotations

from chalice import Blueprint, Response

from ..container import get_container
from . import errors
from .http import JSON
from .oauth import ANY_BODY, handle
from .routing import Routes

bp = Blueprint(__name__)
routes = Routes(bp, errors.OAUTH_JSON)
okta_json = Routes(bp, errors.OKTA_JSON)

ORG = "/oauth2/v1"


@routes.route(ORG + "/token", methods=["POST"], content_types=ANY_BODY, name="org_token")
def org_token() -> Response:
    return handle("", get_container().oauth.org_token, form=True, request=bp.current_request)


@routes.route(ORG + "/introspect", methods=["POST"], content_types=ANY_BODY, name="org_introspect")
def org_introspect() -> Response:
    return handle("", get_container().oauth.org_introspect, form=True, request=bp.current_request)


@routes.route(ORG + "/revoke", methods=["POST"], content_types=ANY_BODY, name="org_revoke")
def org_revoke() -> Response:
    return handle("", get_container().oauth.org_revoke, form=True, request=bp.current_request)


@routes.route(ORG + "/par", methods=["POST"], content_types=ANY_BODY, name="org_par")
def org_par() -> Response:
    """RFC 9126 at the org authorization server (its front channel: the admin console and other apps)."""
    return handle("", get_container().oauth.org_par, form=True, request=bp.current_request)


@routes.route("/.well-known/openid-configuration", methods=["GET"], name="org_openid_configuration")
def org_openid_configuration() -> Response:
    return handle("", lambda r: get_container().oauth.org_metadata(r, openid=True), form=False,
                   request=bp.current_request)


@routes.route("/.well-known/oauth-authorization-server", methods=["GET"], name="org_authorization_server_metadata")
def org_authorization_server() -> Response:
    return handle("", lambda r: get_container().oauth.org_metadata(r, openid=False), form=False,
                   request=bp.current_request)


@okta_json.route(ORG + "/keys", methods=["GET"], name="org_keys")
def org_keys() -> Response:
    body, max_age = get_container().signing_keys.jwks_document("", org=True)
    return Response(body=body, status_code=200, headers={"Content-Type": JSON,
                                                         "Cache-Control": f"max-age={max_age}, must-revalidate"})
