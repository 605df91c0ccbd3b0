"""``/api/v1/api-tokens``: list, get and revoke admin API tokens as Okta does, plus creation (ours: Okta creates
tokens only in its Admin Console, which tokenmint does not have). The secret is shown once, at creation."""
from __future__ import annotations

from chalice import Blueprint, Response

from ..container import get_container
from ..errors import ForbiddenError
from ..admin.admin_roles import SUPER_ADMIN
from . import render
from .context import base
from .http import json_response, no_content, read_json
from .routing import AdminRoutes, current_principal, current_token

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

COLLECTION = "/api/v1/api-tokens"
ITEM = COLLECTION + "/{apiTokenId}"


@routes.route(COLLECTION, methods=["GET"])
def list_api_tokens() -> Response:
    tokens = get_container().api_tokens.list()
    return json_response([render.api_token(t, base(bp.current_request)) for t in tokens])


def _check_may_create() -> None:
    """An API token acts as a super administrator: with a management bearer token, only a person who is one may
    create it (``okta.apiTokens.manage`` alone, or a service app, would otherwise turn into full admin access)."""
    request = bp.current_request
    if current_token(request.headers) is not None:
        return  # an admin API token: a super administrator already
    principal = current_principal(request)
    if principal is None or principal.user_id is None or SUPER_ADMIN not in principal.roles:
        raise ForbiddenError("An API token acts as a super administrator: only a super administrator, signed in as "
                             "a person, can create one.")


@routes.route(COLLECTION, methods=["POST"])
def create_api_token() -> Response:
    _check_may_create()
    token, secret = get_container().api_tokens.create(read_json(bp.current_request))
    return json_response({**render.api_token(token, base(bp.current_request)), "token": secret}, status=201)


@routes.route(ITEM, methods=["GET"])
def get_api_token(apiTokenId: str) -> Response:
    token = get_container().api_tokens.get(apiTokenId)
    return json_response(render.api_token(token, base(bp.current_request)))


@routes.route(ITEM, methods=["DELETE"])
def revoke_api_token(apiTokenId: str) -> Response:
    token_id = apiTokenId
    if apiTokenId == "current":
        current = current_token(bp.current_request.headers)
        token_id = current.id if current else ""
        if token_id == "bootstrap":
            raise ForbiddenError("TOKENMINT_ADMIN_TOKEN is configured by the operator; remove it from the "
                                 "environment to revoke it.")
    get_container().api_tokens.revoke(token_id)
    return no_content()


routes.finish()
