"""``/api/v1/authorizationServers/{authServerId}/clients/{clientId}/tokens[/{tokenId}]``: a client's refresh tokens
at an authorization server (okta-api.md 8.4; the SDK's ``list_`` / ``get_`` / ``revoke_refresh_token(s)_for_
authorization_server_and_client``). Shape: Okta's ``OAuth2RefreshToken`` (the wire's ``clientId``, not the spec
example's ``client_id``); ``?expand=scope`` adds ``_embedded.scopes``."""
from __future__ import annotations

from typing import Any, Mapping

from chalice import Blueprint, Response

from ..admin.refresh_tokens import TokenView, parse_token_limit
from ..clock import okta_time
from ..container import get_container
from ..oauth.issuer import issuer, path_id
from . import context
from .http import json_response, link_header, no_content
from .render import link
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

COLLECTION = "/api/v1/authorizationServers/{authServerId}/clients/{clientId}/tokens"
ITEM = COLLECTION + "/{tokenId}"


def _titled(href: str, title: str | None) -> dict[str, Any]:
    return {"href": href, "title": title} if title else {"href": href}


def _user_title(user: Any) -> str | None:
    if user is None:
        return None
    profile = user.profile
    name = " ".join(p for p in (profile.get("firstName"), profile.get("lastName")) if p)
    return profile.get("displayName") or name or profile.get("login")


def render_token(view: TokenView, base: str, expand: bool) -> dict[str, Any]:
    family, server, client = view.family, view.config.server, view.client
    server_href = f"{base}/api/v1/authorizationServers/{path_id(server)}"
    href = f"{server_href}/clients/{client.client_id}/tokens/{family.id}"
    body: dict[str, Any] = {
        "id": family.id,
        "status": "ACTIVE",
        "created": okta_time(family.created),
        "lastUpdated": okta_time(family.last_updated),
        "expiresAt": okta_time(family.expires_at),
        "issuer": issuer(server, base),
        "clientId": client.client_id,
        "userId": family.user_id,
        "scopes": list(family.scopes),
    }
    if expand:
        by_name = {s.name: s for s in view.config.scopes}
        embedded = []
        for name in family.scopes:
            scope = by_name.get(name)
            if scope is None:
                continue
            entry: dict[str, Any] = {"id": scope.id, "name": scope.name}
            if scope.display_name:
                entry["displayName"] = scope.display_name
            if scope.description:
                entry["description"] = scope.description
            entry["_links"] = {"scope": _titled(f"{server_href}/scopes/{scope.id}", scope.display_name or scope.name)}
            embedded.append(entry)
        body["_embedded"] = {"scopes": embedded}
    body["_links"] = {
        "app": _titled(f"{base}/api/v1/apps/{client.client_id}", client.client_name),
        "authorizationServer": _titled(server_href, server.name),
        "self": link(href, "GET", "DELETE"),
        "revoke": link(href, "DELETE"),
        "client": _titled(f"{base}/oauth2/v1/clients/{client.client_id}", client.client_name),
        "user": _titled(f"{base}/api/v1/users/{family.user_id}", _user_title(view.user)),
    }
    return body


def _expand() -> bool:
    params: Mapping[str, str] = bp.current_request.query_params or {}
    return "scope" in [v.strip() for v in (params.get("expand") or "").split(",")]


@routes.route(COLLECTION, methods=["GET"])
def list_refresh_tokens_for_authorization_server_and_client(authServerId: str, clientId: str) -> Response:
    request = bp.current_request
    params: Mapping[str, str] = request.query_params or {}
    limit = parse_token_limit(params.get("limit"))
    views, cursor = get_container().refresh_token_admin.list(authServerId, clientId, limit, params.get("after"))
    base = context.base(request)
    path = COLLECTION.replace("{authServerId}", authServerId).replace("{clientId}", clientId)
    headers = link_header(base, path, {"expand": params.get("expand"), "limit": params.get("limit"),
                                       "after": params.get("after")}, cursor)
    expand = _expand()
    return json_response([render_token(v, base, expand) for v in views], headers=headers)


@routes.route(COLLECTION, methods=["DELETE"])
def revoke_refresh_tokens_for_authorization_server_and_client(authServerId: str, clientId: str) -> Response:
    get_container().refresh_token_admin.revoke_all(authServerId, clientId)
    return no_content()


@routes.route(ITEM, methods=["GET"])
def get_refresh_token_for_authorization_server_and_client(authServerId: str, clientId: str,
                                                          tokenId: str) -> Response:
    view = get_container().refresh_token_admin.get(authServerId, clientId, tokenId)
    return json_response(render_token(view, context.base(bp.current_request), _expand()))


@routes.route(ITEM, methods=["DELETE"])
def revoke_refresh_token_for_authorization_server_and_client(authServerId: str, clientId: str,
                                                             tokenId: str) -> Response:
    get_container().refresh_token_admin.revoke(authServerId, clientId, tokenId)
    return no_content()


routes.finish()
