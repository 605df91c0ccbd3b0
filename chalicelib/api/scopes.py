"""``/api/v1/authorizationServers/{authServerId}/scopes`` (okta-api.md 4.1)."""
from __future__ import annotations

from typing import Mapping

from chalice import Blueprint, Response

from ..admin.common import parse_limit
from ..container import get_container
from . import render
from .context import server_links
from .http import etag, if_match, json_response, link_header, no_content, read_json
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

COLLECTION = "/api/v1/authorizationServers/{authServerId}/scopes"
ITEM = COLLECTION + "/{scopeId}"


def _render_base(auth_server_id: str) -> tuple[str, str]:
    return server_links(bp.current_request, auth_server_id)


@routes.route(COLLECTION, methods=["GET"])
def list_scopes(authServerId: str) -> Response:
    params: Mapping[str, str] = bp.current_request.query_params or {}
    limit = parse_limit(params.get("limit"))
    scopes, cursor = get_container().scopes.list(authServerId, params.get("q"), limit, params.get("after"))
    base, path_id = _render_base(authServerId)
    headers = link_header(base, COLLECTION.replace("{authServerId}", authServerId),
                          {"q": params.get("q"), "limit": params.get("limit"), "after": params.get("after")}, cursor)
    return json_response([render.scope(s, base, path_id) for s in scopes], headers=headers)


@routes.route(COLLECTION, methods=["POST"])
def create_scope(authServerId: str) -> Response:
    scope = get_container().scopes.create(authServerId, read_json(bp.current_request))
    base, path_id = _render_base(authServerId)
    return json_response(render.scope(scope, base, path_id), status=201, headers=etag(scope.version))


@routes.route(ITEM, methods=["GET"])
def get_scope(authServerId: str, scopeId: str) -> Response:
    scope = get_container().scopes.get(authServerId, scopeId)
    base, path_id = _render_base(authServerId)
    return json_response(render.scope(scope, base, path_id), headers=etag(scope.version))


@routes.route(ITEM, methods=["PUT"])
def replace_scope(authServerId: str, scopeId: str) -> Response:
    request = bp.current_request
    scope = get_container().scopes.replace(authServerId, scopeId, read_json(request), if_match(request))
    base, path_id = _render_base(authServerId)
    return json_response(render.scope(scope, base, path_id), headers=etag(scope.version))


@routes.route(ITEM, methods=["DELETE"])
def delete_scope(authServerId: str, scopeId: str) -> Response:
    get_container().scopes.delete(authServerId, scopeId, if_match(bp.current_request))
    return no_content()


routes.finish()
