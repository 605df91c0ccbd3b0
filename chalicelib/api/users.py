"""``/api/v1/users``: Okta's Users API (create, list and search, get by id or login, replace, partial update,
lifecycle, delete) and a user's groups, for admins (``SSWS``) only. Status codes are the ones the official SDK
deserializes: 200 for create and for every lifecycle operation, 204 for DELETE."""
from __future__ import annotations

from typing import Mapping
from urllib.parse import unquote

from chalice import Blueprint, Response

from ..admin.users import DEFAULT_LIMIT, parse_activate
from ..container import get_container
from ..domain import Group, User
from . import directory_render as render
from .context import base
from .http import etag, if_match, json_response, no_content, read_json
from .listing import list_page
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

COLLECTION = render.USERS
ITEM = COLLECTION + "/{userId}"
LIFECYCLE = ITEM + "/lifecycle/"
GROUPS = ITEM + "/groups"


def _user_ref(user_id: str) -> str:
    """``{userId}`` is an id or a login; a login may arrive percent-encoded (``%40``) depending on the gateway."""
    return unquote(user_id) if "%" in user_id else user_id


def _respond(user: User) -> Response:
    return json_response(render.user(user, base(bp.current_request)), headers=etag(user.version))


@routes.route(COLLECTION, methods=["GET"])
def list_users() -> Response:
    return list_page(bp.current_request, COLLECTION, DEFAULT_LIMIT, get_container().users.list, render.user,
                     searchable=True)


@routes.route(COLLECTION, methods=["POST"])
def create_user() -> Response:
    request = bp.current_request
    params: Mapping[str, str] = request.query_params or {}
    activate = parse_activate(params.get("activate"))
    return _respond(get_container().users.create(read_json(request), activate=activate))


@routes.route(ITEM, methods=["GET"])
def get_user(userId: str) -> Response:
    return _respond(get_container().users.get(_user_ref(userId)))


@routes.route(ITEM, methods=["PUT"])
def replace_user(userId: str) -> Response:
    request = bp.current_request
    return _respond(get_container().users.replace(_user_ref(userId), read_json(request), if_match(request)))


@routes.route(ITEM, methods=["POST"])
def update_user(userId: str) -> Response:
    request = bp.current_request
    return _respond(get_container().users.update(_user_ref(userId), read_json(request), if_match(request)))


@routes.route(ITEM, methods=["DELETE"])
def delete_user(userId: str) -> Response:
    get_container().users.delete(_user_ref(userId), if_match(bp.current_request))
    return no_content()


@routes.route(LIFECYCLE + "activate", methods=["POST"])
def activate_user(userId: str) -> Response:
    get_container().users.activate(_user_ref(userId))
    return json_response({})


@routes.route(LIFECYCLE + "deactivate", methods=["POST"])
def deactivate_user(userId: str) -> Response:
    get_container().users.deactivate(_user_ref(userId))
    return json_response({})


@routes.route(LIFECYCLE + "suspend", methods=["POST"])
def suspend_user(userId: str) -> Response:
    get_container().users.suspend(_user_ref(userId))
    return json_response({})


@routes.route(LIFECYCLE + "unsuspend", methods=["POST"])
def unsuspend_user(userId: str) -> Response:
    get_container().users.unsuspend(_user_ref(userId))
    return json_response({})


@routes.route(LIFECYCLE + "unlock", methods=["POST"])
def unlock_user(userId: str) -> Response:
    get_container().users.unlock(_user_ref(userId))
    return json_response({})


@routes.route(GROUPS, methods=["GET"])
def list_user_groups(userId: str) -> Response:
    container = get_container()
    user = container.users.get(_user_ref(userId))
    base_url = base(bp.current_request)
    # Declared: mypy reads admin's "-> list[...]" as the class's own ``list`` method, an unusable type.
    groups: list[Group] = container.groups.groups_of(user.id)
    return json_response([render.group(g, base_url) for g in groups])


routes.finish()
