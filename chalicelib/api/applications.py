"""``/api/v1/apps``: Okta's Applications API for OIDC apps (okta-next.md 1.1), over the same client records as
``/oauth2/v1/clients``; for admins (``SSWS``) only. The app's assignments (``/users``, ``/groups``) are
``api/apps.py``. Also the two calls Terraform's ``okta_app_oauth`` makes besides (okta-next.md 1.3):
``GET /.well-known/okta-organization`` (public) and the internal ``settings/oauth/idToken`` resource."""
from __future__ import annotations

from typing import Mapping

from chalice import Blueprint, Response

from .. import ids
from ..admin.applications import MAX_LIMIT
from ..container import get_container
from ..domain import ACTIVE, INACTIVE, OAuthClient
from . import app_render as render
from . import errors
from .context import base
from .directory_render import APPS
from ..admin.refresh_tokens import parse_token_limit
from .http import etag, if_match, json_response, link_header, no_content, read_json
from .refresh_tokens import render_token
from .listing import list_page
from .routing import AdminRoutes, Routes, current_actor

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")
public = Routes(bp, errors.OKTA_JSON)

APP = APPS + "/{appId}"
SECRETS = APP + "/credentials/secrets"
SECRET = SECRETS + "/{secretId}"
JWKS = APP + "/credentials/jwks"
JWK = JWKS + "/{keyId}"
ID_TOKEN = "/api/v1/internal/apps/{appId}/settings/oauth/idToken"


def _app(client: OAuthClient, secret: str | None = None) -> Response:
    return json_response(render.application(client, base(bp.current_request), secret), headers=etag(client.version))


@routes.route(APPS, methods=["GET"])
def list_applications() -> Response:
    service = get_container().applications

    def fetch(*, q: str | None, search_expr: str | None, filter_expr: str | None, limit: int, after: str | None
              ) -> tuple[list[OAuthClient], str | None]:
        return service.list(q=q, filter_expr=filter_expr, limit=min(limit, MAX_LIMIT), after=after)

    return list_page(bp.current_request, APPS, MAX_LIMIT, fetch, render.application, searchable=True)


@routes.route(APPS, methods=["POST"])
def create_application() -> Response:
    request = bp.current_request
    params: Mapping[str, str] = request.query_params or {}
    activate = (params.get("activate") or "true").lower() != "false"
    client, secret = get_container().applications.create(read_json(request), activate)
    return _app(client, secret)


@routes.route(APP, methods=["GET"])
def get_application(appId: str) -> Response:
    return _app(get_container().applications.get(appId))


@routes.route(APP, methods=["PUT"])
def replace_application(appId: str) -> Response:
    request = bp.current_request
    client, secret = get_container().applications.replace(appId, read_json(request), if_match(request))
    return _app(client, secret)


@routes.route(APP, methods=["DELETE"])
def delete_application(appId: str) -> Response:
    get_container().applications.delete(appId)
    return no_content()


def _empty_200() -> Response:
    """Okta's spec documents the app lifecycle answers as 200 without content (recorded Okta traffic shows ``{}``;
    an empty body reads the same to every client, and never claims to be JSON)."""
    return Response(body="", status_code=200, headers={"Content-Type": "text/plain"})


@routes.route(APP + "/lifecycle/activate", methods=["POST"])
def activate_application(appId: str) -> Response:
    get_container().applications.activate(appId)
    return _empty_200()


@routes.route(APP + "/lifecycle/deactivate", methods=["POST"])
def deactivate_application(appId: str) -> Response:
    get_container().applications.deactivate(appId)
    return _empty_200()


# -- client secrets ----------------------------------------------------------------------------------------------

@routes.route(SECRETS, methods=["GET"])
def list_client_secrets(appId: str) -> Response:
    url = base(bp.current_request)
    return json_response([render.client_secret(s, url, appId)
                          for s in get_container().app_credentials.secrets(appId)])


@routes.route(SECRETS, methods=["POST"])
def create_client_secret(appId: str) -> Response:
    made, value = get_container().app_credentials.create_secret(appId, read_json(bp.current_request))
    return json_response(render.client_secret(made, base(bp.current_request), appId, value), status=201)


@routes.route(SECRET, methods=["GET"])
def get_client_secret(appId: str, secretId: str) -> Response:
    secret = get_container().app_credentials.secret(appId, secretId)
    return json_response(render.client_secret(secret, base(bp.current_request), appId))


@routes.route(SECRET, methods=["DELETE"])
def delete_client_secret(appId: str, secretId: str) -> Response:
    get_container().app_credentials.delete_secret(appId, secretId)
    return no_content()


@routes.route(SECRET + "/lifecycle/activate", methods=["POST"])
def activate_client_secret(appId: str, secretId: str) -> Response:
    secret = get_container().app_credentials.set_secret_status(appId, secretId, ACTIVE)
    return json_response(render.client_secret(secret, base(bp.current_request), appId))


@routes.route(SECRET + "/lifecycle/deactivate", methods=["POST"])
def deactivate_client_secret(appId: str, secretId: str) -> Response:
    secret = get_container().app_credentials.set_secret_status(appId, secretId, INACTIVE)
    return json_response(render.client_secret(secret, base(bp.current_request), appId))


# -- client JWKs -------------------------------------------------------------------------------------------------

@routes.route(JWKS, methods=["GET"])
def list_client_jwks(appId: str) -> Response:
    url = base(bp.current_request)
    return json_response([render.jwk(k, url, appId) for k in get_container().app_credentials.jwks(appId)])


@routes.route(JWKS, methods=["POST"])
def add_client_jwk(appId: str) -> Response:
    key = get_container().app_credentials.add_jwk(appId, read_json(bp.current_request))
    return json_response(render.jwk(key, base(bp.current_request), appId), status=201)


@routes.route(JWK, methods=["GET"])
def get_client_jwk(appId: str, keyId: str) -> Response:
    return json_response(render.jwk(get_container().app_credentials.jwk(appId, keyId), base(bp.current_request),
                                    appId))


@routes.route(JWK, methods=["DELETE"])
def delete_client_jwk(appId: str, keyId: str) -> Response:
    get_container().app_credentials.delete_jwk(appId, keyId)
    return no_content()


@routes.route(JWK + "/lifecycle/activate", methods=["POST"])
def activate_client_jwk(appId: str, keyId: str) -> Response:
    key = get_container().app_credentials.set_jwk_status(appId, keyId, ACTIVE)
    return json_response(render.jwk(key, base(bp.current_request), appId))


@routes.route(JWK + "/lifecycle/deactivate", methods=["POST"])
def deactivate_client_jwk(appId: str, keyId: str) -> Response:
    key = get_container().app_credentials.set_jwk_status(appId, keyId, INACTIVE)
    return json_response(render.jwk(key, base(bp.current_request), appId))


# -- the app's refresh tokens (at every authorization server) ----------------------------------------------------

TOKENS = APP + "/tokens"


def _expand() -> bool:
    params: Mapping[str, str] = bp.current_request.query_params or {}
    return "scope" in [v.strip() for v in (params.get("expand") or "").split(",")]


@routes.route(TOKENS, methods=["GET"])
def list_o_auth2_tokens_for_application(appId: str) -> Response:
    request = bp.current_request
    params: Mapping[str, str] = request.query_params or {}
    views, cursor = get_container().app_tokens.list(appId, parse_token_limit(params.get("limit")),
                                                    params.get("after"))
    url = base(request)
    headers = link_header(url, f"{APPS}/{appId}/tokens", {"expand": params.get("expand"),
                                                         "limit": params.get("limit"),
                                                         "after": params.get("after")}, cursor)
    return json_response([render_token(v, url, _expand()) for v in views], headers=headers)


@routes.route(TOKENS, methods=["DELETE"])
def revoke_o_auth2_tokens_for_application(appId: str) -> Response:
    get_container().app_tokens.revoke_all(appId)
    return no_content()


@routes.route(TOKENS + "/{tokenId}", methods=["GET"])
def get_o_auth2_token_for_application(appId: str, tokenId: str) -> Response:
    return json_response(render_token(get_container().app_tokens.get(appId, tokenId), base(bp.current_request),
                                      _expand()))


@routes.route(TOKENS + "/{tokenId}", methods=["DELETE"])
def revoke_o_auth2_token_for_application(appId: str, tokenId: str) -> Response:
    get_container().app_tokens.revoke(appId, tokenId)
    return no_content()


# -- app grants of Okta scopes (for the org authorization server) ------------------------------------------------

GRANTS = APP + "/grants"


@routes.route(GRANTS, methods=["GET"])
def list_scope_consent_grants(appId: str) -> Response:
    container, url = get_container(), base(bp.current_request)
    app = container.applications.get(appId)
    return json_response([render.scope_grant(g, app, url, _expand()) for g in container.app_grants.list(appId)])


@routes.route(GRANTS, methods=["POST"])
def grant_consent_to_scope(appId: str) -> Response:
    container, url = get_container(), base(bp.current_request)
    request = bp.current_request
    made = container.app_grants.grant(appId, read_json(request), url, current_actor(request))
    return json_response(render.scope_grant(made, container.applications.get(appId), url), status=201)


@routes.route(GRANTS + "/{grantId}", methods=["GET"])
def get_scope_consent_grant(appId: str, grantId: str) -> Response:
    container = get_container()
    grant = container.app_grants.get(appId, grantId)
    return json_response(render.scope_grant(grant, container.applications.get(appId), base(bp.current_request),
                                            _expand()))


@routes.route(GRANTS + "/{grantId}", methods=["DELETE"])
def revoke_scope_consent_grant(appId: str, grantId: str) -> Response:
    get_container().app_grants.revoke(appId, grantId)
    return no_content()


# -- what Terraform's provider calls besides ----------------------------------------------------------------------

@routes.route(ID_TOKEN, methods=["GET"])
def get_id_token_settings(appId: str) -> Response:
    return json_response(get_container().applications.id_token_settings(appId))


@routes.route(ID_TOKEN, methods=["POST"])
def save_id_token_settings(appId: str) -> Response:
    return json_response(get_container().applications.save_id_token_settings(appId, read_json(bp.current_request)))


@public.route("/.well-known/okta-organization", methods=["GET"], name="okta_organization")
def okta_organization() -> Response:
    """What the Okta provider asks to tell a Classic org from an Identity Engine one: ``pipeline: v1`` (Classic), so
    it does not look for Identity Engine's app sign-on policies, which tokenmint does not have."""
    url = base(bp.current_request)
    return json_response({"id": ids.organization_id(url), "pipeline": "v1",
                          "_links": {"organization": {"href": url}}})


routes.finish()
