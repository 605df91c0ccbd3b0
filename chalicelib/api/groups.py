"""``/api/v1/groups``: Okta's Groups API (CRUD, list and search, membership), for admins (``SSWS``) only. Create
answers 200 (what the official SDK deserializes), membership changes 204. The built-in Everyone group is listed
and readable but cannot be changed (403)."""
from __future__ import annotations

import functools

from chalice import Blueprint, Response

from ..admin.groups import DEFAULT_LIMIT
from ..container import get_container
from ..domain import Group
from . import directory_render as render
from .context import base
from .http import etag, if_match, json_response, no_content, read_json
from .listing import list_page
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

COLLECTION = render.GROUPS
ITEM = COLLECTION + "/{groupId}"
MEMBERS = ITEM + "/users"
MEMBER = MEMBERS + "/{userId}"


def _respond(group: Group) -> Response:
    return json_response(render.group(group, base(bp.current_request)), headers=etag(group.version))


@routes.route(COLLECTION, methods=["GET"])
def list_groups() -> Response:
    return list_page(bp.current_request, COLLECTION, DEFAULT_LIMIT, get_container().groups.list, render.group,
                     searchable=True)


@routes.route(COLLECTION, methods=["POST"])
def add_group() -> Response:
    return _respond(get_container().groups.create(read_json(bp.current_request)))


@routes.route(ITEM, methods=["GET"])
def get_group(groupId: str) -> Response:
    return _respond(get_container().groups.get(groupId))


@routes.route(ITEM, methods=["PUT"])
def replace_group(groupId: str) -> Response:
    request = bp.current_request
    return _respond(get_container().groups.replace(groupId, read_json(request), if_match(request)))


@routes.route(ITEM, methods=["DELETE"])
def delete_group(groupId: str) -> Response:
    get_container().groups.delete(groupId, if_match(bp.current_request))
    return no_content()


@routes.route(MEMBERS, methods=["GET"])
def list_group_users(groupId: str) -> Response:
    return list_page(bp.current_request, f"{COLLECTION}/{groupId}/users", DEFAULT_LIMIT,
                     functools.partial(get_container().groups.members, groupId), render.user)


@routes.route(MEMBER, methods=["PUT"])
def assign_user_to_group(groupId: str, userId: str) -> Response:
    get_container().groups.add_member(groupId, userId)
    return no_content()


@routes.route(MEMBER, methods=["DELETE"])
def unassign_user_from_group(groupId: str, userId: str) -> Response:
    get_container().groups.remove_member(groupId, userId)
    return no_content()


routes.finish()
