"""Groups of the directory: Okta's Groups API (CRUD, list and search, membership) and ``groups_of`` for the token
flows. docs/ARCHITECTURE.md "Directory".

The built-in ``Everyone`` group (``type: BUILT_IN``) is virtual: it is not stored, exists in every deployment with
the fixed id ``EVERYONE_ID``, holds every user, and cannot be edited, deleted or have its membership changed (403
E0000006). It can be assigned to apps like any group.
"""
from __future__ import annotations

import builtins  # GroupService.list shadows the builtin list in the annotations of the methods after it
import heapq
import re
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, TypeVar

from .. import ids
from ..clock import Clock
from ..domain import BUILT_IN, EVERYONE_ID, OKTA_GROUP, Group, User
from ..errors import ForbiddenError, InvalidPagingError, NotFoundError, ValidationError
from ..ports import L_GROUP, L_MEMBER, L_NAME, L_USER, DirectoryGroups, UserStore, name_key
from ..ports import group_list_key as list_key
from . import directory_search as search
from .common import changed_meanwhile, check_if_match, decode_cursor, encode_cursor, guarded
from .users import USER_ID, USER_TYPE
from .validation import Fields, require_object

T = TypeVar("T")

TARGET = "group"
GROUP_TYPE = "UserGroup"  # Okta's resource type in "Not found: Resource not found: {id} (UserGroup)"
GROUP_ID_PREFIX = "00g"
GROUP_ID = re.compile(r"00g[A-Za-z0-9]{17}")
DEFAULT_LIMIT = 200
NAME_MAX = 255
DESCRIPTION_MAX = 1024
PROFILE_ATTRIBUTES = ("name", "description")

EVERYONE_CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)
EVERYONE = Group(id=EVERYONE_ID, name="Everyone", description="All users in your organization", group_type=BUILT_IN,
                 created=EVERYONE_CREATED, last_updated=EVERYONE_CREATED)

SEARCH_ATTRIBUTES: dict[str, str] = {
    "id": search.TEXT, "type": search.ENUM, "created": search.DATETIME, "lastUpdated": search.DATETIME,
    "profile.name": search.TEXT, "profile.description": search.TEXT,
}
FILTER_ATTRIBUTES: dict[str, str] = {name: SEARCH_ATTRIBUTES[name] for name in ("id", "type", "lastUpdated")}


def duplicate_name_cause() -> str:
    return "name: An object with this field already exists in the current organization"


def read_group(body: Any) -> tuple[str, str | None]:
    """The name and description of a POST or PUT body. ``type`` may only be ``OKTA_GROUP``; read-only members sent
    back by a GET-modify-PUT (``id``, ``created``, ``objectClass``, ``_links``…) are ignored."""
    f = Fields(require_object(body), TARGET)
    if f.given("profile") and not isinstance(f.raw("profile"), dict):
        f.fail("profile", "Must be an object.")
    raw_profile = f.raw("profile")
    if isinstance(raw_profile, dict):
        for key in raw_profile:
            if key not in PROFILE_ATTRIBUTES:
                f.error(key, "Property is not defined in the group profile schema.")
    name = f.string("profile.name", required=True, max_len=NAME_MAX)
    description = f.string("profile.description", max_len=DESCRIPTION_MAX)
    for path, value in (("name", name), ("description", description)):
        if value and any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            f.error(path, "Must not contain control characters.")
    if f.given("type") and f.raw("type") != OKTA_GROUP:
        f.error("type", f"Only {OKTA_GROUP} groups can be created or changed through the API.")
    f.check()
    return name or "", description or None


def attribute_of(group: Group, name: str) -> Any:
    return {
        "id": group.id, "type": group.group_type, "created": group.created, "lastUpdated": group.last_updated,
        "profile.name": group.name, "profile.description": group.description,
    }.get(name)


_LIST_KEY = re.compile(r"^.*#00g[A-Za-z0-9]{17}$", re.DOTALL)


class GroupService:
    def __init__(self, repo: DirectoryGroups, users: UserStore, clock: Clock) -> None:
        self._repo = repo
        self._users = users
        self._clock = clock

    # -- reads -----------------------------------------------------------------------------------------------------

    def find(self, group_id: str) -> Group | None:
        if group_id == EVERYONE_ID:
            return EVERYONE
        if not isinstance(group_id, str) or not GROUP_ID.fullmatch(group_id):
            return None
        return self._repo.get(group_id)

    def get(self, group_id: str) -> Group:
        group = self.find(group_id)
        if group is None:
            raise NotFoundError(group_id, GROUP_TYPE)
        return group

    def _scan(self, prefix: str, after: str | None) -> Iterator[tuple[str, Group]]:
        """Stored groups and Everyone, merged in list-key order."""
        everyone_key = list_key(EVERYONE)
        virtual = [(everyone_key, EVERYONE)] if everyone_key.startswith(prefix) and (
            after is None or everyone_key > after) else []
        return heapq.merge(self._repo.scan(prefix, after), virtual, key=lambda pair: pair[0])

    def list(self, *, q: str | None = None, search_expr: str | None = None, filter_expr: str | None = None,
             limit: int = DEFAULT_LIMIT, after: str | None = None) -> tuple[list[Group], str | None]:
        """Groups in case-insensitive name order; ``q`` is a case-insensitive name prefix (a key condition)."""
        trees = []
        if search_expr:
            trees.append(search.parse(search_expr, search.SEARCH, SEARCH_ATTRIBUTES))
        if filter_expr:
            trees.append(search.parse(filter_expr, search.FILTER, FILTER_ATTRIBUTES))
        prefix = name_key(q) if q else ""
        boundary = None
        if after:
            boundary = decode_cursor(after)
            if not _LIST_KEY.match(boundary) or not boundary.startswith(prefix):
                raise InvalidPagingError("Invalid paging request.")
        found: list[tuple[str, Group]] = []
        for key, group in self._scan(prefix, boundary):
            if all(search.matches(tree, lambda name: attribute_of(group, name)) for tree in trees):
                found.append((key, group))
                if len(found) > limit:
                    break
        page = found[:limit]
        more = len(found) > limit
        return [g for _, g in page], (encode_cursor(page[-1][0]) if more and page else None)

    # -- writes ----------------------------------------------------------------------------------------------------

    def _write(self, call: Callable[[], T], group_id: str) -> T:
        return guarded(call, [(L_NAME, lambda: ValidationError("name", [duplicate_name_cause()]))],
                       changed_meanwhile(GROUP_TYPE, group_id))

    @staticmethod
    def _check_name(name: str) -> None:
        if name_key(name) == name_key(EVERYONE.name):
            raise ValidationError("name", [duplicate_name_cause()])

    @staticmethod
    def _editable(group: Group) -> None:
        if group.group_type == BUILT_IN:
            raise ForbiddenError("The built-in Everyone group cannot be changed or deleted.")

    def create(self, body: Any) -> Group:
        name, description = read_group(body)
        self._check_name(name)
        now = self._clock.now()
        group = Group(id=ids.new_id(GROUP_ID_PREFIX), name=name, description=description, group_type=OKTA_GROUP,
                      created=now, last_updated=now)
        return self._write(lambda: self._repo.create(group), group.id)

    def replace(self, group_id: str, body: Any, expected_version: int | None = None) -> Group:
        current = self.get(group_id)
        self._editable(current)
        check_if_match(current.version, expected_version)
        name, description = read_group(body)
        if name_key(name) != name_key(current.name):
            self._check_name(name)
        updated = replace(current, name=name, description=description, last_updated=self._clock.now())
        return self._write(lambda: self._repo.replace(current, updated), group_id)

    def delete(self, group_id: str, expected_version: int | None = None) -> None:
        current = self.get(group_id)
        self._editable(current)
        check_if_match(current.version, expected_version)
        self._write(lambda: self._repo.delete(current), group_id)

    # -- membership ------------------------------------------------------------------------------------------------

    def _member_write(self, call: Callable[[], None], group_id: str, user_id: str) -> None:
        guarded(call, [
            (L_USER, lambda: NotFoundError(user_id, USER_TYPE)),
            (L_GROUP, lambda: NotFoundError(group_id, GROUP_TYPE)),
            (L_MEMBER, None),  # already a member: PUT is idempotent
        ], "The membership was changed by another request at the same time; retry.")

    def _membership_target(self, group_id: str, user_id: str) -> None:
        """404s without a read for ids that cannot exist; 403 for Everyone."""
        if group_id != EVERYONE_ID and (not isinstance(group_id, str) or not GROUP_ID.fullmatch(group_id)):
            raise NotFoundError(group_id, GROUP_TYPE)
        if group_id == EVERYONE_ID:
            raise ForbiddenError("The membership of the built-in Everyone group cannot be changed: it holds every "
                                 "user.")
        if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id):
            raise NotFoundError(user_id, USER_TYPE)

    def add_member(self, group_id: str, user_id: str) -> None:
        """Add the user to the group (idempotent); both must exist."""
        self._membership_target(group_id, user_id)
        self._member_write(lambda: self._repo.add_member(group_id, user_id), group_id, user_id)

    def remove_member(self, group_id: str, user_id: str) -> None:
        """Remove the user from the group (idempotent for a non-member); both must exist."""
        self._membership_target(group_id, user_id)
        self.get(group_id)
        if self._users.get(user_id) is None:
            raise NotFoundError(user_id, USER_TYPE)
        self._member_write(lambda: self._repo.remove_member(group_id, user_id), group_id, user_id)

    def members(self, group_id: str, limit: int = DEFAULT_LIMIT, after: str | None = None
                ) -> tuple[builtins.list[User], str | None]:
        """One page of the group's users and the next cursor. Everyone lists every user in creation order; other
        groups list members in user-id order (one Query, one BatchGetItem)."""
        group = self.get(group_id)
        boundary = decode_cursor(after) if after else None
        if group.id == EVERYONE_ID:
            if boundary is not None and not re.match(r"^\d{4}-\d{2}-\d{2}T[^#]+#00u[A-Za-z0-9]{17}$", boundary):
                raise InvalidPagingError("Invalid paging request.")
            found = []
            for key, user in self._users.scan(boundary):
                found.append((key, user))
                if len(found) > limit:
                    break
            page = found[:limit]
            return [u for _, u in page], (encode_cursor(page[-1][0]) if len(found) > limit and page else None)
        if boundary is not None and not USER_ID.fullmatch(boundary):
            raise InvalidPagingError("Invalid paging request.")
        member_ids = self._repo.member_ids(group.id, boundary, limit + 1)
        page_ids = member_ids[:limit]
        users = self._users.batch_get(page_ids)
        cursor = encode_cursor(page_ids[-1]) if len(member_ids) > limit and page_ids else None
        # Memberships of a user whose deletion is still being swept name nobody: leave them out.
        return [users[i] for i in page_ids if i in users], cursor

    def groups_of(self, user_id: str) -> builtins.list[Group]:
        """Every group the user belongs to, Everyone first, then by name (one Query, one BatchGetItem per 100
        groups). Memberships of groups that no longer exist are left out. No check that the user exists."""
        if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id):
            return []
        found = self._repo.batch_get(self._users.group_ids(user_id))
        return [EVERYONE] + sorted(found.values(), key=lambda g: (name_key(g.name), g.id))
