"""Admin roles of people (Okta's role assignment API, ``/api/v1/users/{userId}/roles``; issue 16). A role decides
what a person's management tokens may do (``api/management_scopes.role_allows``): ``SUPER_ADMIN`` everything,
``READ_ONLY_ADMIN`` every read, ``API_ACCESS_MANAGEMENT_ADMIN`` authorization servers and their apps and clients.
Roles live on the user record; a role is assigned at most once per person."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import ids
from ..clock import Clock
from ..domain import RoleAssignment, User
from ..errors import NotFoundError, ValidationError
from ..ports import UserStore
from .common import changed_meanwhile, guarded
from .users import USER_TYPE, UserService
from .validation import Fields, require_object

SUPER_ADMIN = "SUPER_ADMIN"
READ_ONLY_ADMIN = "READ_ONLY_ADMIN"
API_ACCESS_MANAGEMENT_ADMIN = "API_ACCESS_MANAGEMENT_ADMIN"
# Okta's labels of the roles tokenmint serves.
LABELS = {SUPER_ADMIN: "Super Administrator", READ_ONLY_ADMIN: "Read Only Administrator",
          API_ACCESS_MANAGEMENT_ADMIN: "API Access Management Administrator"}
ROLE_TYPE = "Role"
TARGET = "role"


class AdminRoleService:
    def __init__(self, users: UserService, repo: UserStore, clock: Clock) -> None:
        self._users = users
        self._repo = repo
        self._clock = clock

    def list(self, user_id: str) -> tuple[User, list[RoleAssignment]]:
        user = self._users.get(user_id)
        return user, list(user.roles)

    def get(self, user_id: str, role_id: str) -> tuple[User, RoleAssignment]:
        user = self._users.get(user_id)
        found = next((r for r in user.roles if r.id == role_id), None)
        if found is None:
            raise NotFoundError(role_id, ROLE_TYPE)
        return user, found

    def assign(self, user_id: str, body: Any) -> tuple[User, RoleAssignment]:
        f = Fields(require_object(body), TARGET)
        role_type = f.enum("type", tuple(LABELS), default=None)
        if role_type is None and not f.causes:
            f.error("type", "The field cannot be left blank.")
        f.check()
        user = self._users.get(user_id)
        if any(r.type == role_type for r in user.roles):
            raise ValidationError(TARGET, [f"type: The role {role_type} is already assigned to this user."])
        made = RoleAssignment(ids.new_id("ra1"), role_type or "", self._clock.now())
        self._save(user, replace(user, roles=user.roles + (made,), last_updated=self._clock.now()))
        return user, made

    def _save(self, old: User, new: User) -> None:
        guarded(lambda: self._repo.replace(old, new), [], changed_meanwhile(USER_TYPE, old.id))

    def unassign(self, user_id: str, role_id: str) -> None:
        user, _ = self.get(user_id, role_id)
        self._save(user, replace(user, roles=tuple(r for r in user.roles if r.id != role_id),
                                 last_updated=self._clock.now()))
