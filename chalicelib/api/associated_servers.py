"""``/api/v1/authorizationServers/{authServerId}/associatedServers[/{associatedServerId}]``: Okta's trusted servers
of a server, the issuers whose access tokens token exchange accepts there (admin/trusted_servers.py;
docs/ARCHITECTURE.md "Token exchange").

Okta's operations (okta-authorization-servers.openapi.yaml): ``listAssociatedServersByTrustedType`` (GET, ``trusted``,
``q``, ``limit``, ``after``), ``createAssociatedServers`` (POST ``{"trusted": [ids]}``, 200 with the servers named)
and ``deleteAssociatedServer`` (204). Each listed server is rendered as Okta renders an authorization server, with
one link: ``self``, to this trust, whose only method is DELETE (Okta's example shape).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

from chalice import Blueprint, Response

from ..admin.common import page, parse_limit
from ..container import get_container
from ..domain import AuthorizationServer
from ..errors import ValidationError
from . import context, render
from .http import json_response, link_header, no_content, read_json
from .routing import AdminRoutes
bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

COLLECTION = "/api/v1/authorizationServers/{authServerId}/associatedServers"
ITEM = COLLECTION + "/{associatedServerId}"


def _interval() -> timedelta:
    return get_container().signing_keys.policy.rotation_interval


def _trusted(raw: str | None) -> bool:
    """``trusted``: ``true`` (the default: what an admin and Terraform's ``okta_trusted_server`` read back) or
    ``false``."""
    if raw is None or raw.lower() == "true":
        return True
    if raw.lower() == "false":
        return False
    raise ValidationError("associatedServers", ["trusted: Must be 'true' or 'false'."])


def associated(server: AuthorizationServer, owner_path_id: str, base: str) -> dict[str, Any]:
    body = render.server(server, base, _interval())
    href = f"{base}/api/v1/authorizationServers/{owner_path_id}/associatedServers/{server.id}"
    body["_links"] = {"self": render.link(href, "DELETE")}
    return body


@routes.route(COLLECTION, methods=["GET"])
def list_associated_servers_by_trusted_type(authServerId: str) -> Response:
    params: Mapping[str, str] = bp.current_request.query_params or {}
    trusted = _trusted(params.get("trusted"))
    limit = parse_limit(params.get("limit"))
    container = get_container()
    servers = container.trusted_servers.list(authServerId, trusted, params.get("q"))
    chunk, cursor = page(servers, lambda s: f"{s.created.isoformat()}#{s.id}", limit, params.get("after"))
    base = context.base(bp.current_request)
    owner = container.servers.path_id(authServerId)
    headers = link_header(base, COLLECTION.replace("{authServerId}", owner),
                          {"trusted": params.get("trusted"), "q": params.get("q"), "limit": params.get("limit"),
                           "after": params.get("after")}, cursor)
    return json_response([associated(s, owner, base) for s in chunk], headers=headers)


@routes.route(COLLECTION, methods=["POST"])
def create_associated_servers(authServerId: str) -> Response:
    container = get_container()
    # Declared: mypy reads admin's "-> list[...]" as the class's own ``list`` method, an unusable type.
    added: list[AuthorizationServer] = container.trusted_servers.add(authServerId, read_json(bp.current_request))
    base = context.base(bp.current_request)
    owner = container.servers.path_id(authServerId)
    return json_response([associated(s, owner, base) for s in added])


@routes.route(ITEM, methods=["DELETE"])
def delete_associated_server(authServerId: str, associatedServerId: str) -> Response:
    get_container().trusted_servers.remove(authServerId, associatedServerId)
    return no_content()


routes.finish()
