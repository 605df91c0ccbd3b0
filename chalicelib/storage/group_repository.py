"""Repository of the directory's groups, group memberships and app assignments (the "directory" table;
docs/ARCHITECTURE.md "Directory").

===============================  ====================  ==============================================================
pk                               sk                    item
===============================  ====================  ==============================================================
``GROUP#{groupId}``              ``GROUP``             the group; listed through ``gsi1``: ``gsi1pk = GROUP``,
                                                       ``gsi1sk = {casefolded name}#{groupId}``
``GROUP#{groupId}``              ``USER#{userId}``     membership (mirror of ``USER#{userId}`` / ``GROUP#{groupId}``)
``GROUP#{groupId}``              ``APP#{clientId}``    the group is assigned to the app (mirror of ``APP#…/GROUP#…``)
``GROUPNAME#{casefolded name}``  ``GROUPNAME``         uniqueness marker of a group name: ``{"groupId": …}``
``APP#{clientId}``               ``USER#{userId}``     a user assigned to the app directly: the AppUser (its
                                                       ``userName`` and ``profile``); mirrored under the user
``APP#{clientId}``               ``GROUP#{groupId}``   a group assigned to the app: priority and profile
===============================  ====================  ==============================================================

Both halves of a link are written and deleted in one transaction. Within a transaction, operations are added in the
order pynamodb sends them (condition checks, deletes, puts), because ``Transaction`` maps DynamoDB's cancellation
reasons to labels by position. The built-in Everyone group is not stored (see
admin/groups.py): its memberships are implicit and its app assignments have no mirror.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Iterator

from pynamodb.exceptions import PynamoDBException

from ..domain import AppGroupAssignment, AppUserAssignment, Group
from ..errors import StorageUnavailableError
from ..ports import L_APP, L_ASSIGNMENT, L_GROUP, L_MEMBER, L_NAME, L_USER, name_key
from ..ports import group_list_key as list_key
from . import mappers
from .client_repository import CLIENT_SK, client_pk
from .base import Repository
from .models import Item
from .transactions import Transaction
from .user_repository import (
    APP_PREFIX,
    BATCH_GET,
    GROUP_PREFIX,
    PAGE,
    USER_PREFIX,
    USER_SK,
    app_pk,
    group_pk,
    user_pk,
)

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition


GROUP_SK = "GROUP"
GROUP_LIST = "GROUP"
NAME_SK = "GROUPNAME"



class GroupRepository(Repository):
    STORE = "the directory store"


    def _tx(self) -> Transaction:
        return Transaction(self._model, self._connection)

    def _get(self, pk: str, sk: str) -> Item | None:
        def read() -> Item | None:
            try:
                return self._model.get(pk, sk, consistent_read=True)
            except self._model.DoesNotExist:
                return None

        return self._guard(read)

    def _query(self, pk: str, prefix: str, after: str | None = None, limit: int | None = None) -> list[Item]:
        """Items of partition ``pk`` whose sort key starts with ``prefix``, in sort-key order, after the sort key
        ``prefix + after``. ``prefix`` must sort last in its partition (``USER#`` does, ``GROUP#`` does in an app
        partition), so "greater than" never leaves the prefix."""
        sk = self._model.sk
        condition = sk > f"{prefix}{after}" if after else sk.startswith(prefix)

        def query() -> list[Item]:
            found = []
            for item in self._model.query(pk, condition, consistent_read=True, page_size=PAGE):
                if not item.sk.startswith(prefix):
                    break
                found.append(item)
                if limit is not None and len(found) >= limit:
                    break
            return found

        return self._guard(query)

    # -- groups --------------------------------------------------------------------------------------------------

    def get(self, group_id: str) -> Group | None:
        item = self._get(group_pk(group_id), GROUP_SK)
        return mappers.group_from(item.doc, item.version) if item else None

    def batch_get(self, group_ids: Iterable[str]) -> dict[str, Group]:
        """The groups that exist among ``group_ids``, by id (one BatchGetItem per 100 ids)."""
        ids = list(dict.fromkeys(group_ids))
        found: dict[str, Group] = {}

        def read() -> None:
            for start in range(0, len(ids), BATCH_GET):
                keys = [(group_pk(i), GROUP_SK) for i in ids[start:start + BATCH_GET]]
                for item in self._model.batch_get(keys, consistent_read=True):
                    group = mappers.group_from(item.doc, item.version)
                    found[group.id] = group

        self._guard(read)
        return found

    def scan(self, prefix: str, after: str | None) -> Iterator[tuple[str, Group]]:
        """Groups in list-key order whose list key starts with ``prefix``, after the list key ``after``, lazily."""
        condition: Condition | None
        if after:
            condition = self._model.gsi1sk > after
        elif prefix:
            condition = self._model.gsi1sk.startswith(prefix)
        else:
            condition = None
        try:
            for item in self._model.gsi1.query(GROUP_LIST, condition, page_size=PAGE):
                if prefix and not item.gsi1sk.startswith(prefix):
                    return
                yield item.gsi1sk, mappers.group_from(item.doc, item.version)
        except PynamoDBException:
            raise StorageUnavailableError("the directory store is unavailable") from None

    def _group_item(self, group: Group, version: int | None) -> Item:
        item = self._model(group_pk(group.id), GROUP_SK, doc=mappers.group_doc(group), gsi1pk=GROUP_LIST,
                           gsi1sk=list_key(group))
        if version is not None:
            item.version = version
        return item

    def _name_item(self, group: Group) -> Item:
        return self._model(f"GROUPNAME#{name_key(group.name)}", NAME_SK, doc={"groupId": group.id})

    def create(self, group: Group) -> Group:
        tx = self._tx()
        tx.put(self._group_item(group, None), L_GROUP)
        tx.put(self._name_item(group), L_NAME)
        tx.commit()
        return replace(group, version=1)

    def replace(self, old: Group, new: Group) -> Group:
        tx = self._tx()
        renamed = name_key(new.name) != name_key(old.name)
        # Deletes before puts: the order pynamodb sends them in, which is the order DynamoDB reports cancellation
        # reasons in (Transaction maps reasons to labels by position).
        if renamed:
            tx.delete(self._name_item(old), L_NAME, check_version=False)
        tx.put(self._group_item(new, old.version), L_GROUP)
        if renamed:
            tx.put(self._name_item(new), L_NAME)
        tx.commit()
        return replace(new, version=(old.version or 0) + 1)

    def delete(self, group: Group) -> None:
        """Remove the group's app assignments, then the group (version-checked), then its memberships.

        App assignments go first, so a group that no longer exists can never make a user "assigned to the app"
        (``is_assigned`` reads only the app's side). Assigning a group to an app bumps the group's version, so an
        assignment made while this runs makes the final transaction fail (409) instead of leaving one behind. If
        this dies half-way, the group either still exists with fewer assignments, or is gone with memberships that
        name it: ``groups_of`` and the listings drop ids of groups that do not exist.
        """
        for item in self._query(group_pk(group.id), APP_PREFIX):
            client_id = item.sk[len(APP_PREFIX):]
            tx = self._tx()
            tx.delete(self._model(app_pk(client_id), f"{GROUP_PREFIX}{group.id}"), L_ASSIGNMENT,
                      check_version=False)
            tx.delete(item, L_ASSIGNMENT, check_version=False)
            tx.commit()
        tx = self._tx()
        tx.delete(self._group_item(group, group.version), L_GROUP)
        tx.delete(self._name_item(group), L_NAME, check_version=False)
        tx.commit()
        self._guard(lambda: self._sweep(group.id))

    def _sweep(self, group_id: str) -> None:
        with self._model.batch_write() as batch:
            for item in self._model.query(group_pk(group_id), consistent_read=True):
                if item.sk.startswith(USER_PREFIX):
                    batch.delete(self._model(user_pk(item.sk[len(USER_PREFIX):]), f"{GROUP_PREFIX}{group_id}"))
                elif item.sk.startswith(APP_PREFIX):
                    batch.delete(self._model(app_pk(item.sk[len(APP_PREFIX):]), f"{GROUP_PREFIX}{group_id}"))
                batch.delete(item)

    # -- memberships ---------------------------------------------------------------------------------------------

    def add_member(self, group_id: str, user_id: str) -> None:
        """Both halves of the membership, if the user and the group exist. Raises WriteConflict with only
        ``L_MEMBER`` when the user already is a member."""
        tx = self._tx()
        tx.require(user_pk(user_id), USER_SK, L_USER)
        tx.require(group_pk(group_id), GROUP_SK, L_GROUP)
        tx.put(self._model(user_pk(user_id), f"{GROUP_PREFIX}{group_id}", doc={"groupId": group_id}), L_MEMBER)
        tx.put(self._model(group_pk(group_id), f"{USER_PREFIX}{user_id}", doc={"userId": user_id}), L_MEMBER)
        tx.commit()

    def remove_member(self, group_id: str, user_id: str) -> None:
        tx = self._tx()
        tx.delete(self._model(user_pk(user_id), f"{GROUP_PREFIX}{group_id}"), L_MEMBER, check_version=False)
        tx.delete(self._model(group_pk(group_id), f"{USER_PREFIX}{user_id}"), L_MEMBER, check_version=False)
        tx.commit()

    def member_ids(self, group_id: str, after: str | None, limit: int) -> list[str]:
        """Up to ``limit`` member ids in id order after the user id ``after`` (one Query)."""
        items = self._query(group_pk(group_id), USER_PREFIX, after, limit)
        return [i.sk[len(USER_PREFIX):] for i in items]

    # -- app assignments -------------------------------------------------------------------------------------------

    def get_app_user(self, client_id: str, user_id: str) -> AppUserAssignment | None:
        item = self._get(app_pk(client_id), f"{USER_PREFIX}{user_id}")
        return mappers.app_user_from(item.doc, item.version) if item else None

    def app_users(self, client_id: str, after: str | None, limit: int) -> list[AppUserAssignment]:
        """Up to ``limit`` direct assignments in user-id order after the user id ``after`` (one Query)."""
        items = self._query(app_pk(client_id), USER_PREFIX, after, limit)
        return [mappers.app_user_from(i.doc, i.version) for i in items]

    def save_app_user(self, assignment: AppUserAssignment, existing: AppUserAssignment | None) -> AppUserAssignment:
        """Create (``existing`` None) or update a direct assignment, if the client and the user exist."""
        tx = self._tx()
        tx.require(client_pk(assignment.client_id), CLIENT_SK, L_APP)
        tx.require(user_pk(assignment.user_id), USER_SK, L_USER)
        item = self._model(app_pk(assignment.client_id), f"{USER_PREFIX}{assignment.user_id}",
                           doc=mappers.app_user_doc(assignment))
        if existing is not None:
            item.version = existing.version
        tx.put(item, L_ASSIGNMENT)
        if existing is None:
            tx.put(self._model(user_pk(assignment.user_id), f"{APP_PREFIX}{assignment.client_id}",
                               doc={"clientId": assignment.client_id}), L_ASSIGNMENT)
        tx.commit()
        return replace(assignment, version=(existing.version or 0) + 1 if existing else 1)

    def remove_app_user(self, client_id: str, user_id: str) -> None:
        tx = self._tx()
        tx.delete(self._model(app_pk(client_id), f"{USER_PREFIX}{user_id}"), L_ASSIGNMENT, check_version=False)
        tx.delete(self._model(user_pk(user_id), f"{APP_PREFIX}{client_id}"), L_ASSIGNMENT, check_version=False)
        tx.commit()

    def get_app_group(self, client_id: str, group_id: str) -> AppGroupAssignment | None:
        item = self._get(app_pk(client_id), f"{GROUP_PREFIX}{group_id}")
        return mappers.app_group_from(item.doc, item.version) if item else None

    def app_groups(self, client_id: str) -> list[AppGroupAssignment]:
        """Every group assignment of the app (one Query; the sort key range ``GROUP#`` sorts before ``USER#``)."""
        condition = self._model.sk.startswith(GROUP_PREFIX)
        items = self._guard(lambda: list(self._model.query(app_pk(client_id), condition, consistent_read=True)))
        return [mappers.app_group_from(i.doc, i.version) for i in items]

    def assigned_group_ids(self, client_id: str) -> set[str]:
        """The ids of the groups assigned to the app (one Query, keys only)."""
        return {a.group_id for a in self.app_groups(client_id)}

    def save_app_group(self, assignment: AppGroupAssignment, existing: AppGroupAssignment | None,
                       group: Group | None) -> AppGroupAssignment:
        """Create or update a group assignment, if the client exists. ``group`` is the stored group as read (None
        for the built-in Everyone group): it is re-saved version-checked, so the assignment and a concurrent
        deletion of the group cannot both succeed."""
        tx = self._tx()
        tx.require(client_pk(assignment.client_id), CLIENT_SK, L_APP)
        if group is not None:
            tx.put(self._group_item(group, group.version), L_GROUP)
        item = self._model(app_pk(assignment.client_id), f"{GROUP_PREFIX}{assignment.group_id}",
                           doc=mappers.app_group_doc(assignment))
        if existing is not None:
            item.version = existing.version
        tx.put(item, L_ASSIGNMENT)
        if existing is None and group is not None:
            tx.put(self._model(group_pk(group.id), f"{APP_PREFIX}{assignment.client_id}",
                               doc={"clientId": assignment.client_id}), L_ASSIGNMENT)
        tx.commit()
        return replace(assignment, version=(existing.version or 0) + 1 if existing else 1)

    def remove_app_group(self, client_id: str, group_id: str) -> None:
        tx = self._tx()
        tx.delete(self._model(app_pk(client_id), f"{GROUP_PREFIX}{group_id}"), L_ASSIGNMENT, check_version=False)
        tx.delete(self._model(group_pk(group_id), f"{APP_PREFIX}{client_id}"), L_ASSIGNMENT, check_version=False)
        tx.commit()
