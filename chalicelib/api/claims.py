"""``/api/v1/authorizationServers/{authServerId}/claims`` (okta-api.md 5.1)."""
from __future__ import annotations

from chalice import Blueprint, Response

from ..container import get_container
from . import render
from .context import server_links
from .http import etag, if_match, json_response, no_content, read_json
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

COLLECTION = "/api/v1/authorizationServers/{authServerId}/claims"
ITEM = COLLECTION + "/{claimId}"


@routes.route(COLLECTION, methods=["GET"])
def list_claims(authServerId: str) -> Response:
    claims = get_container().claims.list(authServerId)
    base, path_id = server_links(bp.current_request, authServerId)
    return json_response([render.claim(c, base, path_id) for c in claims])


@routes.route(COLLECTION, methods=["POST"])
def create_claim(authServerId: str) -> Response:
    claim = get_container().claims.create(authServerId, read_json(bp.current_request))
    base, path_id = server_links(bp.current_request, authServerId)
    return json_response(render.claim(claim, base, path_id), status=201, headers=etag(claim.version))


@routes.route(ITEM, methods=["GET"])
def get_claim(authServerId: str, claimId: str) -> Response:
    claim = get_container().claims.get(authServerId, claimId)
    base, path_id = server_links(bp.current_request, authServerId)
    return json_response(render.claim(claim, base, path_id), headers=etag(claim.version))


@routes.route(ITEM, methods=["PUT"])
def replace_claim(authServerId: str, claimId: str) -> Response:
    request = bp.current_request
    claim = get_container().claims.replace(authServerId, claimId, read_json(request), if_match(request))
    base, path_id = server_links(request, authServerId)
    return json_response(render.claim(claim, base, path_id), headers=etag(claim.version))


@routes.route(ITEM, methods=["DELETE"])
def delete_claim(authServerId: str, claimId: str) -> Response:
    get_container().claims.delete(authServerId, claimId, if_match(bp.current_request))
    return no_content()


routes.finish()
