"""Users of the directory: Okta's Users API (create, read, list and search, replace, partial update, lifecycle,
delete) and what the sign-in page needs (password verification, failed-attempt lockout). docs/ARCHITECTURE.md
"Directory".

Reading a body and the attributes users are searched by are ``admin/user_fields.py``.

Lifecycle (Okta's transitions; each answers 200 ``{}``):

===============  ===============================================  ===============================================
operation        allowed from                                     result
===============  ===============================================  ===============================================
``activate``     STAGED, PROVISIONED, DEPROVISIONED               ACTIVE with a password, else PROVISIONED;
                                                                  403 E0000016 when already active
``deactivate``   anything but DEPROVISIONED                       DEPROVISIONED
``suspend``      ACTIVE                                           SUSPENDED
``unsuspend``    SUSPENDED                                        ACTIVE
``unlock``       LOCKED_OUT, ACTIVE                               ACTIVE, failed sign-ins forgotten
``DELETE``       DEPROVISIONED (deletes); anything else           deactivates (Okta: a second DELETE deletes)
===============  ===============================================  ===============================================

Any other transition is 400 E0000001 with a cause naming the current status.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Callable, TypeVar

from .. import ids
from ..clock import Clock
from ..domain import ACTIVE, DEPROVISIONED, EVERYONE_ID, LOCKED_OUT, PROVISIONED, STAGED, SUSPENDED, User
from ..errors import InvalidPagingError, NotFoundError, ValidationError
from ..ports import L_GROUP, L_LOGIN, UserStore
from . import directory_search as search
from . import passwords
from .common import changed_meanwhile, check_if_match, decode_cursor, encode_cursor, guarded
from .sign_in import SignIns
from .user_fields import (
    FILTER_ATTRIBUTES,
    PROFILE_ATTRIBUTES,
    SEARCH_ATTRIBUTES,
    TARGET,
    UserInput,
    attribute_of,
    duplicate_login_cause,
    q_matches,
    read_user,
)

T = TypeVar("T")

USER_TYPE = "User"  # Okta's resource type in "Not found: Resource not found: {id} (User)"
USER_ID_PREFIX = "00u"
USER_ID = re.compile(r"00u[A-Za-z0-9]{17}")
DEFAULT_LIMIT = 200  # Okta's default (and maximum) page size for users


def parse_activate(raw: str | None) -> bool:
    """``?activate=`` of a create: true (the default) or false."""
    if raw is None or raw == "" or raw.lower() == "true":
        return True
    if raw.lower() == "false":
        return False
    raise ValidationError(TARGET, ["activate: Must be true or false."])


class AlreadyActiveError(ValidationError):
    """Okta's 403 E0000016 "Activation failed because the user is already active" (api/errors.py)."""

    status = 403
    error_code = "E0000016"

    def __init__(self) -> None:
        super().__init__(TARGET, ["status: Activation failed because the user is already active"])


_LIST_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}T[^#]+#00u[A-Za-z0-9]{17}$")


class UserService(SignIns):
    def __init__(self, repo: UserStore, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock

    # -- reads ---------------------------------------------------------------------------------------------------

    def find(self, id_or_login: str, consistent: bool = True) -> User | None:
        """The user with this id, or else this login; None when there is none. A well-formed id costs one
        GetItem, a login two."""
        if not isinstance(id_or_login, str) or not id_or_login or len(id_or_login) > 100:
            return None
        if USER_ID.fullmatch(id_or_login):
            user = self._repo.get(id_or_login, consistent)
            if user is not None:
                return user
        if "@" not in id_or_login:
            return None
        return self._repo.get_by_login(id_or_login, consistent)

    def get(self, id_or_login: str) -> User:
        user = self.find(id_or_login)
        if user is None:
            raise NotFoundError(id_or_login, USER_TYPE)
        return user

    def list(self, *, q: str | None = None, search_expr: str | None = None, filter_expr: str | None = None,
             limit: int = DEFAULT_LIMIT, after: str | None = None) -> tuple[list[User], str | None]:
        """One page of users in creation order and the cursor of the next page (None on the last).

        Without ``search`` or ``filter``, DEPROVISIONED users are left out (as Okta does); ``q`` is a prefix of the
        first name, last name, email or login. Everything is matched while reading the listing index in order, so
        a page costs the users read to fill it; ``profile.login eq "…"`` and ``id eq "…"`` alone are direct reads.
        """
        trees = []
        if search_expr:
            trees.append(search.parse(search_expr, search.SEARCH, SEARCH_ATTRIBUTES))
        if filter_expr:
            trees.append(search.parse(filter_expr, search.FILTER, FILTER_ATTRIBUTES))
        boundary = None
        if after:
            boundary = decode_cursor(after)
            if not _LIST_KEY.match(boundary):
                raise InvalidPagingError("Invalid paging request.")

        def wanted(user: User) -> bool:
            if not trees and user.status == DEPROVISIONED:
                return False
            if q and not q_matches(user, q):
                return False
            return all(search.matches(tree, lambda name: attribute_of(user, name)) for tree in trees)

        if len(trees) == 1 and not q and not boundary and isinstance(trees[0], search.Compare) \
                and trees[0].operator == "eq" and trees[0].attribute in ("id", "profile.login"):
            value = trees[0].value
            if trees[0].attribute == "id":
                user = self._repo.get(value) if USER_ID.fullmatch(value) else None
            else:
                user = self._repo.get_by_login(value) if len(value) <= PROFILE_ATTRIBUTES["login"] else None
            return ([user] if user is not None and wanted(user) else []), None

        found: list[tuple[str, User]] = []
        for key, user in self._repo.scan(boundary):
            if wanted(user):
                found.append((key, user))
                if len(found) > limit:
                    break
        page = found[:limit]
        more = len(found) > limit
        return [u for _, u in page], (encode_cursor(page[-1][0]) if more and page else None)

    # -- writes --------------------------------------------------------------------------------------------------

    def _write(self, call: Callable[[], T], user_id: str) -> T:
        return guarded(call, [
            (L_LOGIN, lambda: ValidationError("login", [duplicate_login_cause()])),
            (L_GROUP, lambda: ValidationError(TARGET, ["groupIds: A group in groupIds does not exist."])),
        ], changed_meanwhile(USER_TYPE, user_id))

    def create(self, body: Any, activate: bool = True) -> User:
        """``activate`` true (Okta's default): ACTIVE with a password, else PROVISIONED; false: STAGED."""
        given = read_user(body, creating=True)
        now = self._clock.now()
        status = STAGED
        if activate:
            status = ACTIVE if given.password else PROVISIONED
        user = User(
            id=ids.new_id(USER_ID_PREFIX), status=status, profile=given.profile, created=now, last_updated=now,
            status_changed=None if status == STAGED else now, activated=now if status == ACTIVE else None,
            password_changed=now if given.password else None,
            password_hash=passwords.hash_password(given.password) if given.password else None,
        )
        group_ids = [g for g in given.group_ids if g != EVERYONE_ID]
        return self._write(lambda: self._repo.create(user, group_ids), user.id)

    def _save(self, current: User, updated: User) -> User:
        return self._write(lambda: self._repo.replace(current, updated), current.id)

    def _apply(self, current: User, given: UserInput) -> User:
        now = self._clock.now()
        updated = replace(current, profile=given.profile, last_updated=now)
        if given.password:
            updated = replace(updated, password_hash=passwords.hash_password(given.password), password_changed=now)
            if current.status == PROVISIONED:
                # Okta's lifecycle: a PROVISIONED user becomes ACTIVE once a password is set.
                updated = replace(updated, status=ACTIVE, status_changed=now, activated=now)
        return updated

    def replace(self, id_or_login: str, body: Any, expected_version: int | None = None) -> User:
        """PUT: the profile is replaced (absent attributes are removed); a password is set only when given."""
        current = self.get(id_or_login)
        check_if_match(current.version, expected_version)
        return self._save(current, self._apply(current, read_user(body, current)))

    def update(self, id_or_login: str, body: Any, expected_version: int | None = None) -> User:
        """POST: only the given profile attributes change (null or absent = unchanged)."""
        current = self.get(id_or_login)
        check_if_match(current.version, expected_version)
        return self._save(current, self._apply(current, read_user(body, current, partial=True)))

    def _transition(self, current: User, status: str) -> User:
        now = self._clock.now()
        updated = replace(current, status=status, status_changed=now, last_updated=now)
        if status == ACTIVE and current.status in (STAGED, PROVISIONED, DEPROVISIONED):
            updated = replace(updated, activated=now)
        return self._save(current, updated)

    @staticmethod
    def _not_allowed(action: str, current: User, allowed: str) -> ValidationError:
        return ValidationError(TARGET, [f"status: Cannot {action} a user whose status is {current.status}; only "
                                        f"{allowed} users can be {action}ed."])

    def activate(self, id_or_login: str) -> User:
        current = self.get(id_or_login)
        if current.status not in (STAGED, PROVISIONED, DEPROVISIONED):
            raise AlreadyActiveError()
        target = ACTIVE if current.has_password else PROVISIONED
        if target == current.status:
            return current
        return self._transition(current, target)

    def deactivate(self, id_or_login: str) -> User:
        current = self.get(id_or_login)
        if current.status == DEPROVISIONED:
            raise ValidationError(TARGET, ["status: The user is already deactivated (DEPROVISIONED)."])
        deactivated = self._transition(current, DEPROVISIONED)
        self._repo.clear_failed_sign_ins(current.id)
        return deactivated

    def suspend(self, id_or_login: str) -> User:
        current = self.get(id_or_login)
        if current.status != ACTIVE:
            raise self._not_allowed("suspend", current, ACTIVE)
        return self._transition(current, SUSPENDED)

    def unsuspend(self, id_or_login: str) -> User:
        current = self.get(id_or_login)
        if current.status != SUSPENDED:
            raise self._not_allowed("unsuspend", current, SUSPENDED)
        return self._transition(current, ACTIVE)

    def unlock(self, id_or_login: str) -> User:
        """LOCKED_OUT -> ACTIVE; on an ACTIVE user, only forgets its failed sign-ins (as Okta allows)."""
        current = self.get(id_or_login)
        if current.status not in (LOCKED_OUT, ACTIVE):
            raise self._not_allowed("unlock", current, f"{LOCKED_OUT} or {ACTIVE}")
        self._repo.clear_failed_sign_ins(current.id)
        if current.status == ACTIVE:
            return current
        return self._transition(current, ACTIVE)

    def delete(self, id_or_login: str, expected_version: int | None = None) -> bool:
        """Okta's DELETE: a user that is not DEPROVISIONED is deactivated (False); a DEPROVISIONED one is deleted
        with its memberships and app assignments (True)."""
        current = self.get(id_or_login)
        check_if_match(current.version, expected_version)
        if current.status != DEPROVISIONED:
            self._transition(current, DEPROVISIONED)
            self._repo.clear_failed_sign_ins(current.id)
            return False
        self._write(lambda: self._repo.delete(current), current.id)
        return True
