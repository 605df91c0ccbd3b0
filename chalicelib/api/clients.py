"""``/oauth2/v1/clients``: Okta's client registration API (RFC 7591 shape), for admins (``SSWS``) only.

The client secret appears in exactly three responses: the create, the ``lifecycle/newSecret`` and a PUT that moved
the client to a secret-based method; never in a GET or a list, and those three responses are ``no-store``.
"""
from __future__ import annotations

from typing import Any, Mapping

from chalice import Blueprint, Response

from ..admin.client_metadata import SECRET_METHODS
from ..admin.clients import DEFAULT_LIMIT
from ..admin.common import parse_limit
from ..container import get_container
from ..domain import OAuthClient
from . import render
from .context import base
from .http import etag, if_match, json_response, link_header, no_content, read_json
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

COLLECTION = "/oauth2/v1/clients"
ITEM = COLLECTION + "/{clientId}"
NEW_SECRET = ITEM + "/lifecycle/newSecret"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def render_client(c: OAuthClient, base_url: str, secret: str | None = None) -> dict[str, Any]:
    """Okta's field order; ``client_secret`` only when just generated, ``client_secret_expires_at`` (0 = never)
    only for clients that have a secret."""
    href = f"{base_url}{COLLECTION}/{c.client_id}"
    has_secret = c.token_endpoint_auth_method in SECRET_METHODS
    body: dict[str, Any] = {"client_id": c.client_id}
    if secret is not None:
        body["client_secret"] = secret
    body["client_id_issued_at"] = int(c.created.timestamp())
    if has_secret:
        body["client_secret_expires_at"] = 0
    body.update({
        "client_name": c.client_name,
        "client_uri": c.client_uri,
        "logo_uri": c.logo_uri,
        "application_type": c.application_type,
        "redirect_uris": list(c.redirect_uris),
        "post_logout_redirect_uris": list(c.post_logout_redirect_uris),
        "response_types": list(c.response_types),
        "grant_types": list(c.grant_types),
        "token_endpoint_auth_method": c.token_endpoint_auth_method,
        "dpop_bound_access_tokens": c.dpop_bound_access_tokens,  # RFC 9449 5.2
    })
    if c.require_pushed_authorization_requests:  # RFC 9126 6 (absent means false)
        body["require_pushed_authorization_requests"] = True
    if c.jwks is not None:
        body["jwks"] = c.verification_jwks  # the keys that verify, as plain JWKs (the Apps API shows the rest)
    if c.jwks_uri is not None:
        body["jwks_uri"] = c.jwks_uri
    links = {"self": render.link(href, "GET", "PUT", "DELETE")}
    if has_secret:
        links["newSecret"] = render.link(f"{href}/lifecycle/newSecret", "POST")
    body["_links"] = links
    return body


def _respond(client: OAuthClient, secret: str | None, status: int = 200) -> Response:
    headers = {**etag(client.version), **(NO_STORE if secret is not None else {})}
    return json_response(render_client(client, base(bp.current_request), secret), status=status, headers=headers)


@routes.route(COLLECTION, methods=["GET"])
def list_oauth_clients() -> Response:
    params: Mapping[str, str] = bp.current_request.query_params or {}
    limit = parse_limit(params.get("limit"), default=DEFAULT_LIMIT)
    clients, cursor = get_container().clients.list(params.get("q"), limit, params.get("after"))
    base_url = base(bp.current_request)
    headers = link_header(base_url, COLLECTION, {"q": params.get("q"), "limit": params.get("limit"),
                                                 "after": params.get("after")}, cursor)
    return json_response([render_client(c, base_url) for c in clients], headers=headers)


@routes.route(COLLECTION, methods=["POST"])
def create_oauth_client() -> Response:
    client, secret = get_container().clients.create(read_json(bp.current_request))
    return _respond(client, secret, status=201)


@routes.route(ITEM, methods=["GET"])
def get_oauth_client(clientId: str) -> Response:
    return _respond(get_container().clients.get(clientId), None)


@routes.route(ITEM, methods=["PUT"])
def replace_oauth_client(clientId: str) -> Response:
    request = bp.current_request
    client, secret = get_container().clients.replace(clientId, read_json(request), if_match(request))
    return _respond(client, secret)


@routes.route(ITEM, methods=["DELETE"])
def delete_oauth_client(clientId: str) -> Response:
    get_container().clients.delete(clientId, if_match(bp.current_request))
    return no_content()


@routes.route(NEW_SECRET, methods=["POST"])
def new_oauth_client_secret(clientId: str) -> Response:
    client, secret = get_container().clients.new_secret(clientId)
    return _respond(client, secret)


routes.finish()
