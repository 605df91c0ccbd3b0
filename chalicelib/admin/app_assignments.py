"""Assignments of users and groups to OAuth clients (Okta's ``/api/v1/apps/{appId}/users|groups`` for the clients
of ``/oauth2/v1/clients``), and the access queries the authorize and token flows call. docs/ARCHITECTURE.md
"Directory".

For the flows:

* ``is_assigned(client_id, user_id)``: is the user assigned to the client, directly or through any of its groups
  (Everyone included)? At most two reads: a Query of the user's partition (which holds its direct assignments and
  memberships), and, only when there is no direct assignment, a Query of the app's group assignments.
* ``access(client_id, user_id)``: the user, its groups and whether it is assigned, for evaluating a rule's people
  condition: the partition, its groups by id (those that still exist) when it has any, and the app's group
  assignments through ``assigned_groups``, the token path's cache of them in a container (``oauth/app_groups.py``;
  a Query when none is given). A stale cached set that still names a deleted group grants nothing: only the
  person's groups that exist are intersected with it.

Neither checks the user's status or that the client exists: the flows do that.
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import AbstractSet, Any, Callable, TypeVar

from ..clock import Clock
from ..domain import EVERYONE_ID, AppGroupAssignment, AppUserAssignment, Group, User, UserAccess
from ..errors import ConflictError, InvalidPagingError, NotFoundError, TokenmintError
from ..ports import L_APP, L_GROUP, L_USER, AppDirectory, UserStore
from .clients import CLIENT_ID, ClientService
from .common import decode_cursor, encode_cursor, guarded, page
from .groups import EVERYONE, GROUP_TYPE, GroupService
from .users import USER_ID, USER_TYPE
from .validation import Fields, require_object

T = TypeVar("T")

APP_TYPE = "AppInstance"  # Okta's resource type in "Not found: Resource not found: {appId} (AppInstance)"
APP_USER_TYPE = "AppUser"
APP_GROUP_TYPE = "ApplicationGroupAssignment"
USER_SCOPE = "USER"
GROUP_SCOPE = "GROUP"
DEFAULT_LIMIT = 200
PROFILE_MAX_BYTES = 8192  # an app user's or group assignment's profile, serialized
MAX_PRIORITY = 1_000_000


def _read_profile(f: Fields) -> dict[str, Any] | None:
    if not f.given("profile"):
        return None
    value = f.raw("profile")
    if not isinstance(value, dict):
        f.error("profile", "Must be an object.")
        return None
    if len(json.dumps(value)) > PROFILE_MAX_BYTES:
        f.error("profile", f"Must be at most {PROFILE_MAX_BYTES} bytes of JSON.")
        return None
    return value


def read_app_user(body: Any, *, assigning: bool) -> tuple[str | None, str | None, dict[str, Any] | None]:
    """(user id, credentials.userName, profile) of an assign (``assigning``) or update body; None = not given.
    ``scope`` may only be USER; read-only members (``status``, timestamps, ``_links``…) are ignored."""
    f = Fields(require_object(body), "appuser")
    user_id = f.string("id", required=assigning, max_len=20) if assigning else None
    if f.given("scope") and f.raw("scope") != USER_SCOPE:
        f.error("scope", "Only USER assignments can be made directly; assign a group for GROUP scope.")
    user_name = f.string("credentials.userName", max_len=100)
    if user_name is not None and any(ord(c) < 0x20 or ord(c) == 0x7F for c in user_name):
        f.error("credentials.userName", "Must not contain control characters.")
    if f.given("credentials.password"):
        f.error("credentials.password", "App passwords are not supported.")
    profile = _read_profile(f)
    f.check()
    return user_id, user_name, profile


def read_app_group(body: Any) -> tuple[int | None, dict[str, Any] | None]:
    """(priority, profile) of a group-assignment body (both optional)."""
    f = Fields(require_object(body), "appgroup")
    priority = f.integer("priority", minimum=0, maximum=MAX_PRIORITY)
    profile = _read_profile(f)
    f.check()
    return priority, profile


class AppAssignmentService:
    def __init__(self, clients: ClientService, users: UserStore, groups: AppDirectory,
                 group_service: GroupService, clock: Clock,
                 assigned_groups: Callable[[str], AbstractSet[str]] | None = None) -> None:
        self._clients = clients
        self._users = users
        self._groups = groups
        self._assigned_groups = assigned_groups or groups.assigned_group_ids
        self._group_service = group_service
        self._clock = clock

    # -- the flows' queries --------------------------------------------------------------------------------------

    def is_assigned(self, client_id: str, user_id: str) -> bool:
        """True when the user is assigned to the client directly or through one of its groups (Everyone too)."""
        if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id) or not isinstance(client_id, str):
            return False
        partition = self._users.partition(user_id)
        if partition is None:
            return False
        if client_id in partition.client_ids:
            return True
        # Fresh, not the flows' cache: the person's group ids are not checked against existing groups here, so only
        # a fresh read keeps a deleted group from counting (storage: a group's assignments are deleted first).
        assigned = self._groups.assigned_group_ids(client_id)
        return bool(assigned & ({EVERYONE_ID} | set(partition.group_ids)))

    def access(self, client_id: str, user_id: str) -> UserAccess | None:
        """The user (None when there is none), its groups (Everyone first; groups deleted meanwhile left out) and
        whether it is assigned to the client."""
        if not isinstance(client_id, str):
            return None
        found = self._membership(user_id)
        if found is None:
            return None
        partition, groups = found
        assigned = client_id in partition.client_ids or bool(
            self._assigned_groups(client_id) & {g.id for g in groups})
        return UserAccess(user=partition.user, groups=groups, assigned=assigned)

    def member(self, user_id: str) -> UserAccess | None:
        """``access`` without the assignment (``assigned`` False, never looked up): the user and its groups, for
        what only releases claims (userinfo). One read less when the user is assigned through a group."""
        found = self._membership(user_id)
        return UserAccess(user=found[0].user, groups=found[1], assigned=False) if found is not None else None

    def _membership(self, user_id: str) -> tuple[Any, tuple[Group, ...]] | None:
        if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id):
            return None
        partition = self._users.partition(user_id)
        if partition is None:
            return None
        found = self._groups.batch_get(partition.group_ids) if partition.group_ids else {}
        return partition, (EVERYONE, *sorted(found.values(), key=lambda g: (g.name.casefold(), g.id)))

    # -- management: users -----------------------------------------------------------------------------------------

    def _client(self, client_id: str) -> None:
        """404 (AppInstance) unless the OAuth client exists."""
        if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
            raise NotFoundError(client_id, APP_TYPE)
        try:
            self._clients.get(client_id)
        except NotFoundError:
            raise NotFoundError(client_id, APP_TYPE) from None

    def _user(self, user_id: str) -> User:
        user = self._users.get(user_id) if isinstance(user_id, str) and USER_ID.fullmatch(user_id) else None
        if user is None:
            raise NotFoundError(user_id, USER_TYPE)
        return user

    def _write(self, call: Callable[[], T], client_id: str, user_id: str | None = None,
               group_id: str | None = None) -> T:
        outcomes: list[tuple[str, Callable[[], TokenmintError] | None]] = [
            (L_APP, lambda: NotFoundError(client_id, APP_TYPE))]
        if user_id:
            outcomes.append((L_USER, lambda: NotFoundError(user_id, USER_TYPE)))
        if group_id:
            outcomes.append((L_GROUP, lambda: ConflictError(
                f"{GROUP_TYPE} {group_id} was changed or deleted by another request at the same time; retry.")))
        return guarded(call, outcomes, "The assignment was changed by another request at the same time; retry.")

    def assign_user(self, client_id: str, body: Any) -> tuple[AppUserAssignment, User]:
        """Assign a user directly (POST ``{"id": userId}``); assigning again updates ``credentials.userName`` and
        ``profile`` when given and otherwise returns the assignment unchanged."""
        user_id, user_name, profile = read_app_user(body, assigning=True)
        self._client(client_id)
        user = self._user(user_id or "")
        existing = self._groups.get_app_user(client_id, user.id)
        now = self._clock.now()
        if existing is None:
            assignment = AppUserAssignment(client_id=client_id, user_id=user.id, user_name=user_name,
                                           profile=profile or {}, created=now, last_updated=now)
        elif user_name is None and profile is None:
            return existing, user
        else:
            assignment = replace(existing, user_name=user_name if user_name is not None else existing.user_name,
                                 profile=profile if profile is not None else existing.profile, last_updated=now)
        saved = self._write(lambda: self._groups.save_app_user(assignment, existing), client_id, user.id)
        return saved, user

    def update_user(self, client_id: str, user_id: str, body: Any) -> tuple[AppUserAssignment, User]:
        """POST ``/apps/{appId}/users/{userId}``: change a direct assignment's userName or profile."""
        _, user_name, profile = read_app_user(body, assigning=False)
        self._client(client_id)
        user = self._user(user_id)
        existing = self._groups.get_app_user(client_id, user.id)
        if existing is None:
            raise NotFoundError(user_id, APP_USER_TYPE)
        if user_name is None and profile is None:
            return existing, user
        assignment = replace(existing, user_name=user_name if user_name is not None else existing.user_name,
                             profile=profile if profile is not None else existing.profile,
                             last_updated=self._clock.now())
        return self._write(lambda: self._groups.save_app_user(assignment, existing), client_id, user.id), user

    def get_user(self, client_id: str, user_id: str) -> tuple[AppUserAssignment, User, str]:
        """The assignment, the user and its scope: USER for a direct assignment, GROUP when the user is assigned
        only through a group (then the assignment is derived, not stored)."""
        self._client(client_id)
        user = self._user(user_id)
        direct = self._groups.get_app_user(client_id, user.id)
        if direct is not None:
            return direct, user, USER_SCOPE
        assigned = self._groups.app_groups(client_id)
        through = {a.group_id: a for a in assigned} if assigned else {}
        member_of = {EVERYONE_ID, *self._users.group_ids(user.id)}
        via = [through[g] for g in member_of if g in through]
        if not via:
            raise NotFoundError(user_id, APP_USER_TYPE)
        first = min(via, key=lambda a: (a.priority, a.group_id))
        derived = AppUserAssignment(client_id=client_id, user_id=user.id, user_name=None, profile={},
                                    created=first.last_updated, last_updated=first.last_updated)
        return derived, user, GROUP_SCOPE

    def list_users(self, client_id: str, limit: int = DEFAULT_LIMIT, after: str | None = None
                   ) -> tuple[list[tuple[AppUserAssignment, User]], str | None]:
        """Direct assignments in user-id order (one Query, one BatchGetItem). Users assigned only through groups
        are not listed (see docs/ARCHITECTURE.md "Directory")."""
        self._client(client_id)
        boundary = decode_cursor(after) if after else None
        if boundary is not None and not USER_ID.fullmatch(boundary):
            raise InvalidPagingError("Invalid paging request.")
        assignments = self._groups.app_users(client_id, boundary, limit + 1)
        chunk = assignments[:limit]
        users = self._users.batch_get(a.user_id for a in chunk)
        cursor = encode_cursor(chunk[-1].user_id) if len(assignments) > limit and chunk else None
        return [(a, users[a.user_id]) for a in chunk if a.user_id in users], cursor

    def remove_user(self, client_id: str, user_id: str) -> None:
        self._client(client_id)
        if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id) or \
                self._groups.get_app_user(client_id, user_id) is None:
            raise NotFoundError(user_id, APP_USER_TYPE)
        self._write(lambda: self._groups.remove_app_user(client_id, user_id), client_id, user_id)

    # -- management: groups ----------------------------------------------------------------------------------------

    def assign_group(self, client_id: str, group_id: str, body: Any) -> AppGroupAssignment:
        """PUT: assign the group, or update the assignment's priority and profile. A new assignment without a
        priority goes last (priorities are 0-based)."""
        priority, profile = read_app_group(body)
        self._client(client_id)
        group = self._group_service.get(group_id)
        existing = self._groups.get_app_group(client_id, group.id)
        now = self._clock.now()
        if existing is None:
            if priority is None:
                priority = len(self._groups.app_groups(client_id))
            assignment = AppGroupAssignment(client_id=client_id, group_id=group.id, priority=priority,
                                            profile=profile or {}, last_updated=now)
        else:
            assignment = replace(existing, priority=priority if priority is not None else existing.priority,
                                 profile=profile if profile is not None else existing.profile, last_updated=now)
        stored: Group | None = None if group.id == EVERYONE_ID else group
        return self._write(lambda: self._groups.save_app_group(assignment, existing, stored), client_id,
                           group_id=group.id)

    def get_group(self, client_id: str, group_id: str) -> AppGroupAssignment:
        self._client(client_id)
        assignment = self._groups.get_app_group(client_id, group_id) if isinstance(group_id, str) else None
        if assignment is None:
            raise NotFoundError(group_id, APP_GROUP_TYPE)
        return assignment

    def list_groups(self, client_id: str, limit: int = DEFAULT_LIMIT, after: str | None = None
                    ) -> tuple[list[AppGroupAssignment], str | None]:
        """Group assignments in priority order (one Query; a client has few), paged in memory."""
        self._client(client_id)
        ordered = sorted(self._groups.app_groups(client_id), key=lambda a: (a.priority, a.group_id))
        return page(ordered, lambda a: f"{a.priority:010d}#{a.group_id}", limit, after)

    def remove_group(self, client_id: str, group_id: str) -> None:
        self.get_group(client_id, group_id)
        self._write(lambda: self._groups.remove_app_group(client_id, group_id), client_id, group_id=group_id)
