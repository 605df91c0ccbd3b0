"""Repository of the directory's users (the "directory" table; docs/ARCHITECTURE.md "Directory").

A user's partition holds the user and every link that starts from the user, so one Query answers "who is this,
which groups is the user in, which apps is the user assigned to directly":

===============================  ====================  ==============================================================
pk                               sk                    item
===============================  ====================  ==============================================================
``USER#{userId}``                ``USER``              the user (``passwordHash``, never the password); listed through
                                                       ``gsi1``: ``gsi1pk = USER``, ``gsi1sk = {created}#{userId}``
``USER#{userId}``                ``GROUP#{groupId}``   membership (mirror of ``GROUP#{groupId}`` / ``USER#{userId}``)
``USER#{userId}``                ``APP#{clientId}``    direct app assignment (mirror of ``APP#{clientId}`` /
                                                       ``USER#{userId}``)
``USER#{userId}``                ``SIGNIN``            sign-in attempts reserved since the last success: the item's
                                                       ``version`` is an atomic counter (conditional UpdateItem
                                                       ``ADD``, refused at the limit)
``USERLOGIN#{login key}``        ``USERLOGIN``         uniqueness marker of a login: ``{"userId": …}``
===============================  ====================  ==============================================================

The login key is the login case-folded without diacritical marks: Okta treats ``Isaac.Brock@example.com`` and
``isáàc.bröck@example.com`` as the same login.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Iterator

from pynamodb.exceptions import PynamoDBException, UpdateError

from ..domain import User
from ..errors import StorageUnavailableError
from ..ports import L_GROUP, L_LOGIN, L_MEMBER, L_USER, UserPartition, login_key
from ..ports import user_list_key as list_key
from . import mappers
from .base import Repository
from .models import Item
from .transactions import Transaction


USER_SK = "USER"
USER_LIST = "USER"
LOGIN_SK = "USERLOGIN"
SIGNIN_SK = "SIGNIN"
GROUP_PREFIX = "GROUP#"
APP_PREFIX = "APP#"
USER_PREFIX = "USER#"
BATCH_GET = 100  # DynamoDB's limit per BatchGetItem call
PAGE = 100  # items per Query page when scanning the listing index



def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def group_pk(group_id: str) -> str:
    return f"GROUP#{group_id}"


def app_pk(client_id: str) -> str:
    return f"APP#{client_id}"


class UserRepository(Repository):
    STORE = "the directory store"


    def _tx(self) -> Transaction:
        return Transaction(self._model, self._connection)

    # -- reads -------------------------------------------------------------------------------------------------

    def _get(self, pk: str, sk: str, consistent: bool = True) -> Item | None:
        def read() -> Item | None:
            try:
                return self._model.get(pk, sk, consistent_read=consistent)
            except self._model.DoesNotExist:
                return None

        return self._guard(read)

    def get(self, user_id: str, consistent: bool = True) -> User | None:
        item = self._get(user_pk(user_id), USER_SK, consistent)
        return mappers.user_from(item.doc, item.version) if item else None

    def id_for_login(self, login: str, consistent: bool = True) -> str | None:
        item = self._get(f"USERLOGIN#{login_key(login)}", LOGIN_SK, consistent)
        return item.doc["userId"] if item else None

    def get_by_login(self, login: str, consistent: bool = True) -> User | None:
        """Two GetItems: the login marker, then the user."""
        user_id = self.id_for_login(login, consistent)
        user = self.get(user_id, consistent) if user_id else None
        # The marker and the user are written together; a marker whose user changed login since is stale.
        return user if user and login_key(user.login) == login_key(login) else None

    def batch_get(self, user_ids: Iterable[str]) -> dict[str, User]:
        """The users that exist among ``user_ids``, by id (one BatchGetItem per 100 ids)."""
        ids = list(dict.fromkeys(user_ids))
        found: dict[str, User] = {}

        def read() -> None:
            for start in range(0, len(ids), BATCH_GET):
                keys = [(user_pk(i), USER_SK) for i in ids[start:start + BATCH_GET]]
                for item in self._model.batch_get(keys, consistent_read=True):
                    user = mappers.user_from(item.doc, item.version)
                    found[user.id] = user

        self._guard(read)
        return found

    def scan(self, after: str | None) -> Iterator[tuple[str, User]]:
        """Every user in list-key order after the list key ``after``, lazily (one Query page per 100 users)."""
        condition = self._model.gsi1sk > after if after else None
        try:
            for item in self._model.gsi1.query(USER_LIST, condition, page_size=PAGE):
                yield item.gsi1sk, mappers.user_from(item.doc, item.version)
        except PynamoDBException:
            raise StorageUnavailableError("the directory store is unavailable") from None

    def partition(self, user_id: str) -> UserPartition | None:
        """One strongly consistent Query of the user's partition: the user, its groups and its direct apps."""
        items = self._guard(lambda: list(self._model.query(user_pk(user_id), consistent_read=True)))
        user = None
        groups: list[str] = []
        clients: list[str] = []
        for item in items:
            if item.sk == USER_SK:
                user = mappers.user_from(item.doc, item.version)
            elif item.sk.startswith(GROUP_PREFIX):
                groups.append(item.sk[len(GROUP_PREFIX):])
            elif item.sk.startswith(APP_PREFIX):
                clients.append(item.sk[len(APP_PREFIX):])
        if user is None:
            return None
        return UserPartition(user=user, group_ids=tuple(groups), client_ids=tuple(clients))

    def group_ids(self, user_id: str) -> list[str]:
        """The ids of the groups the user is a member of (one Query; the built-in Everyone group is not stored)."""
        condition = self._model.sk.startswith(GROUP_PREFIX)
        items = self._guard(lambda: list(self._model.query(user_pk(user_id), condition, consistent_read=True)))
        return [i.sk[len(GROUP_PREFIX):] for i in items]

    # -- writes ------------------------------------------------------------------------------------------------

    def _user_item(self, user: User, version: int | None) -> Item:
        item = self._model(user_pk(user.id), USER_SK, doc=mappers.user_doc(user), gsi1pk=USER_LIST,
                           gsi1sk=list_key(user))
        if version is not None:
            item.version = version
        return item

    def _login_item(self, login: str, user_id: str) -> Item:
        return self._model(f"USERLOGIN#{login_key(login)}", LOGIN_SK, doc={"userId": user_id})

    def create(self, user: User, group_ids: Iterable[str] = ()) -> User:
        """The user, its login marker and its memberships of ``group_ids`` (which must exist) in one transaction."""
        tx = self._tx()
        # Condition checks first, then deletes, then puts: the order pynamodb sends them in, which is the order
        # DynamoDB reports cancellation reasons in (Transaction maps reasons to labels by position).
        for group_id in group_ids:
            tx.require(group_pk(group_id), "GROUP", L_GROUP)
        tx.put(self._user_item(user, None), L_USER)
        tx.put(self._login_item(user.login, user.id), L_LOGIN)
        for group_id in group_ids:
            tx.put(self._model(user_pk(user.id), f"{GROUP_PREFIX}{group_id}", doc={"groupId": group_id}), L_MEMBER)
            tx.put(self._model(group_pk(group_id), f"{USER_PREFIX}{user.id}", doc={"userId": user.id}), L_MEMBER)
        tx.commit()
        return replace(user, version=1)

    def replace(self, old: User, new: User, clear_sign_ins: bool = False) -> User:
        """Save ``new`` if the stored user is still at ``old.version``; move the login marker on a login change;
        ``clear_sign_ins``: delete the failed sign-ins' counter in the same transaction."""
        tx = self._tx()
        if clear_sign_ins:
            tx.delete(self._model(user_pk(new.id), SIGNIN_SK), L_USER, check_version=False)
        moved = login_key(new.login) != login_key(old.login)
        if moved:  # deletes before puts (see create)
            tx.delete(self._login_item(old.login, old.id), L_LOGIN, check_version=False)
        tx.put(self._user_item(new, old.version), L_USER)
        if moved:
            tx.put(self._login_item(new.login, new.id), L_LOGIN)
        tx.commit()
        return replace(new, version=(old.version or 0) + 1)

    def delete(self, user: User) -> None:
        """Delete the user and its login marker (atomically, version-checked), then sweep its links.

        Every read starts from the ``USER`` item, so once it is gone the user is gone for every caller. Links the
        sweep has not reached yet (a membership in a group partition, a direct assignment in an app partition) name
        a user that no longer exists: listings skip them, and user ids are never reused.
        """
        tx = self._tx()
        tx.delete(self._user_item(user, user.version), L_USER)
        tx.delete(self._login_item(user.login, user.id), L_LOGIN, check_version=False)
        tx.commit()
        self._guard(lambda: self._sweep(user.id))

    def _sweep(self, user_id: str) -> None:
        with self._model.batch_write() as batch:
            for item in self._model.query(user_pk(user_id), consistent_read=True):
                if item.sk.startswith(GROUP_PREFIX):
                    batch.delete(self._model(group_pk(item.sk[len(GROUP_PREFIX):]), f"{USER_PREFIX}{user_id}"))
                elif item.sk.startswith(APP_PREFIX):
                    batch.delete(self._model(app_pk(item.sk[len(APP_PREFIX):]), f"{USER_PREFIX}{user_id}"))
                batch.delete(item)

    # -- failed sign-ins ---------------------------------------------------------------------------------------

    def reserve_sign_in(self, user_id: str, at: str, limit: int) -> int | None:
        """Reserve one sign-in attempt before the password is checked: one conditional UpdateItem (``ADD version 1``
        if the count is below ``limit``); the new count, or None when ``limit`` attempts are already counted.

        The reservation stays as the failure count unless the sign-in succeeds (``clear_failed_sign_ins``), so a
        burst of parallel guesses gets ``limit`` password checks in all, never more. ``limit`` 0 reserves nothing
        but spends the same request (a login that names no user does the same work as one that does).
        """
        item = self._model(user_pk(user_id), SIGNIN_SK)
        item.version = 0  # makes pynamodb send "ADD version 1" instead of "SET version = 1"
        below = self._model.version < limit
        condition = (self._model.version.does_not_exist() | below) if limit > 0 else below

        def update() -> bool:
            try:
                item.update(actions=[self._model.doc.set({"lastFailure": at})], condition=condition,
                            add_version_condition=False)
            except UpdateError as exc:
                if exc.cause_response_code == "ConditionalCheckFailedException":
                    return False
                raise
            return True

        return int(item.version or 0) if self._guard(update) else None

    def failed_sign_ins(self, user_id: str) -> int:
        item = self._get(user_pk(user_id), SIGNIN_SK)
        return int(item.version or 0) if item else 0

    def clear_failed_sign_ins(self, user_id: str) -> None:
        item = self._model(user_pk(user_id), SIGNIN_SK)
        self._guard(lambda: item.delete(add_version_condition=False))
