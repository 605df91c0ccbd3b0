"""``/api/v1/apps/{appId}/users|groups``: Okta's app assignments for the OAuth clients registered at
``/oauth2/v1/clients`` (``appId`` is the ``client_id``), for admins (``SSWS``) only. Assigning answers 200 with
Okta's AppUser / ApplicationGroupAssignment, unassigning 204."""
from __future__ import annotations

import functools

from chalice import Blueprint, Response

from ..admin.app_assignments import DEFAULT_LIMIT
from ..container import get_container
from . import directory_render as render
from .context import base
from .http import json_response, no_content, read_json
from .listing import list_page
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

APP = render.APPS + "/{appId}"
USERS = APP + "/users"
USER = USERS + "/{userId}"
GROUPS = APP + "/groups"
GROUP = GROUPS + "/{groupId}"


@routes.route(USERS, methods=["GET"])
def list_application_users(appId: str) -> Response:
    return list_page(bp.current_request, f"{render.APPS}/{appId}/users", DEFAULT_LIMIT,
                     functools.partial(get_container().app_assignments.list_users, appId),
                     lambda pair, base_url: render.app_user(*pair, base_url))


@routes.route(USERS, methods=["POST"])
def assign_user_to_application(appId: str) -> Response:
    assignment, user = get_container().app_assignments.assign_user(appId, read_json(bp.current_request))
    return json_response(render.app_user(assignment, user, base(bp.current_request)))


@routes.route(USER, methods=["GET"])
def get_application_user(appId: str, userId: str) -> Response:
    assignment, user, scope = get_container().app_assignments.get_user(appId, userId)
    return json_response(render.app_user(assignment, user, base(bp.current_request), scope))


@routes.route(USER, methods=["POST"])
def update_application_user(appId: str, userId: str) -> Response:
    assignment, user = get_container().app_assignments.update_user(appId, userId, read_json(bp.current_request))
    return json_response(render.app_user(assignment, user, base(bp.current_request)))


@routes.route(USER, methods=["DELETE"])
def unassign_user_from_application(appId: str, userId: str) -> Response:
    get_container().app_assignments.remove_user(appId, userId)
    return no_content()


@routes.route(GROUPS, methods=["GET"])
def list_application_group_assignments(appId: str) -> Response:
    return list_page(bp.current_request, f"{render.APPS}/{appId}/groups", DEFAULT_LIMIT,
                     functools.partial(get_container().app_assignments.list_groups, appId), render.app_group)


@routes.route(GROUP, methods=["GET"])
def get_application_group_assignment(appId: str, groupId: str) -> Response:
    return json_response(render.app_group(get_container().app_assignments.get_group(appId, groupId),
                                          base(bp.current_request)))


@routes.route(GROUP, methods=["PUT"])
def assign_group_to_application(appId: str, groupId: str) -> Response:
    assignment = get_container().app_assignments.assign_group(appId, groupId, read_json(bp.current_request))
    return json_response(render.app_group(assignment, base(bp.current_request)))


@routes.route(GROUP, methods=["DELETE"])
def unassign_application_from_group(appId: str, groupId: str) -> Response:
    get_container().app_assignments.remove_group(appId, groupId)
    return no_content()


routes.finish()
