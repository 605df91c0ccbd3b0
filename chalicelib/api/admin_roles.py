"""``/api/v1/users/{userId}/roles[/{roleId}]``: Okta's role assignment API for people (issue 16): list, assign
(201), get, unassign (204). The roles are ``admin/admin_roles.py``'s; they limit what that person's management
tokens may do (api/routing.AdminRoutes)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from ..admin.admin_roles import LABELS
from ..clock import okta_time
from ..container import get_container
from ..domain import ACTIVE, RoleAssignment, User
from .context import base
from .directory_render import USERS
from .http import json_response, no_content, read_json
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

ROLES = USERS + "/{userId}/roles"


def render_role(user: User, role: RoleAssignment, base_url: str) -> dict[str, Any]:
    """Okta's Role of a person (assignment type USER)."""
    user_href = f"{base_url}{USERS}/{user.id}"
    return {"id": role.id, "label": LABELS.get(role.type, role.type), "type": role.type, "status": ACTIVE,
            "created": okta_time(role.created), "lastUpdated": okta_time(role.created), "assignmentType": "USER",
            "_links": {"assignee": {"href": user_href}}}


@routes.route(ROLES, methods=["GET"])
def list_assigned_roles_for_user(userId: str) -> Response:
    user, roles = get_container().admin_roles.list(userId)
    url = base(bp.current_request)
    return json_response([render_role(user, r, url) for r in roles])


@routes.route(ROLES, methods=["POST"])
def assign_role_to_user(userId: str) -> Response:
    user, role = get_container().admin_roles.assign(userId, read_json(bp.current_request))
    return json_response(render_role(user, role, base(bp.current_request)), status=201)


@routes.route(ROLES + "/{roleId}", methods=["GET"])
def get_user_assigned_role(userId: str, roleId: str) -> Response:
    user, role = get_container().admin_roles.get(userId, roleId)
    return json_response(render_role(user, role, base(bp.current_request)))


@routes.route(ROLES + "/{roleId}", methods=["DELETE"])
def unassign_role_from_user(userId: str, roleId: str) -> Response:
    get_container().admin_roles.unassign(userId, roleId)
    return no_content()


routes.finish()
