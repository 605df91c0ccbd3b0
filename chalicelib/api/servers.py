"""``/api/v1/authorizationServers`` and ``/{authServerId}`` with its lifecycle (okta-api.md 2.1)."""
from __future__ import annotations

from datetime import timedelta
from typing import Mapping

from chalice import Blueprint, Response

from ..admin.common import page, parse_limit
from ..container import get_container
from . import context, render
from .http import etag, if_match, json_response, link_header, no_content, read_json
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

COLLECTION = "/api/v1/authorizationServers"
ITEM = "/api/v1/authorizationServers/{authServerId}"


def _interval() -> timedelta:
    return get_container().signing_keys.policy.rotation_interval


def _base() -> str:
    return context.base(bp.current_request)


@routes.route(COLLECTION, methods=["GET"])
def list_authorization_servers() -> Response:
    params: Mapping[str, str] = bp.current_request.query_params or {}
    limit = parse_limit(params.get("limit"))
    servers = get_container().servers.search(params.get("q"))
    chunk, cursor = page(servers, lambda s: f"{s.created.isoformat()}#{s.id}", limit, params.get("after"))
    base = _base()
    headers = link_header(base, COLLECTION, {"q": params.get("q"), "limit": params.get("limit"),
                                             "after": params.get("after")}, cursor)
    return json_response([render.server(s, base, _interval()) for s in chunk], headers=headers)


@routes.route(COLLECTION, methods=["POST"])
def create_authorization_server() -> Response:
    server = get_container().servers.create(read_json(bp.current_request))
    return json_response(render.server(server, _base(), _interval()), status=201, headers=etag(server.version))


@routes.route(ITEM, methods=["GET"])
def get_authorization_server(authServerId: str) -> Response:
    server = get_container().servers.get(authServerId)
    return json_response(render.server(server, _base(), _interval()), headers=etag(server.version))


@routes.route(ITEM, methods=["PUT"])
def replace_authorization_server(authServerId: str) -> Response:
    request = bp.current_request
    server = get_container().servers.replace(authServerId, read_json(request), if_match(request))
    return json_response(render.server(server, _base(), _interval()), headers=etag(server.version))


@routes.route(ITEM, methods=["DELETE"])
def delete_authorization_server(authServerId: str) -> Response:
    get_container().servers.delete(authServerId, if_match(bp.current_request))
    return no_content()


@routes.route(ITEM + "/lifecycle/activate", methods=["POST"])
def activate_authorization_server(authServerId: str) -> Response:
    get_container().servers.activate(authServerId)
    return no_content()


@routes.route(ITEM + "/lifecycle/deactivate", methods=["POST"])
def deactivate_authorization_server(authServerId: str) -> Response:
    get_container().servers.deactivate(authServerId)
    return no_content()


@routes.route(ITEM + "/clients", methods=["GET"])
def list_o_auth2_clients_for_authorization_server(authServerId: str) -> Response:
    clients = get_container().server_clients.list(authServerId)
    base = _base()
    return json_response([render.token_client(c, base) for c in clients])


routes.finish()
