"""Users of the directory: Okta's Users API (create, read, list and search, replace, partial update, lifecycle,
delete) and what the sign-in page needs (password verification, failed-attempt lockout). docs/ARCHITECTURE.md
"Directory".

Validation is one pure function, ``read_user``, with one cause per bad field. Profiles hold Okta's standard profile
attributes only (custom attributes would need Okta's schema API, which tokenmint does not have): an unknown
attribute is a 400, never silently dropped.

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

import logging
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, TypeVar

from .. import ids
from ..clock import Clock
from ..domain import ACTIVE, DEPROVISIONED, EVERYONE_ID, LOCKED_OUT, PROVISIONED, STAGED, SUSPENDED, User
from ..errors import ConflictError, InvalidPagingError, NotFoundError, ValidationError
from ..storage.transactions import WriteConflict
from ..storage.user_repository import L_GROUP, L_LOGIN, UserRepository
from . import directory_search as search
from . import passwords
from .common import check_if_match, decode_cursor, encode_cursor
from .validation import Fields, require_object

T = TypeVar("T")
log = logging.getLogger(__name__)

TARGET = "user"
USER_TYPE = "User"  # Okta's resource type in "Not found: Resource not found: {id} (User)"
USER_ID_PREFIX = "00u"
USER_ID = re.compile(r"00u[A-Za-z0-9]{17}")
GROUP_ID = re.compile(r"00g[A-Za-z0-9]{17}")
DEFAULT_LIMIT = 200  # Okta's default (and maximum) page size for users
MAX_GROUP_IDS = 20  # groupIds on create: every one is two items of the creating transaction
# Failed sign-ins (since the last successful one) after which an ACTIVE user becomes LOCKED_OUT (Okta's default
# password policy locks out after 10). Only an admin's lifecycle/unlock brings the user back.
MAX_FAILED_SIGN_INS = 10

# -- the profile ----------------------------------------------------------------------------------------------------

EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f.][^@\s\x00-\x1f\x7f]*$")
REQUIRED = ("login", "email", "firstName", "lastName")
# Okta's standard profile attributes and their maximum lengths (the official SDK's UserProfile limits, else 1024).
PROFILE_ATTRIBUTES: dict[str, int] = {
    "login": 100, "email": 100, "firstName": 50, "lastName": 50, "middleName": 1024, "honorificPrefix": 1024,
    "honorificSuffix": 1024, "title": 1024, "displayName": 1024, "nickName": 1024, "profileUrl": 1024,
    "secondEmail": 100, "mobilePhone": 100, "primaryPhone": 100, "streetAddress": 1024, "city": 128, "state": 128,
    "zipCode": 50, "countryCode": 2, "postalAddress": 4096, "preferredLanguage": 1024, "locale": 1024,
    "timezone": 1024, "userType": 1024, "employeeNumber": 1024, "costCenter": 1024, "organization": 1024,
    "division": 1024, "department": 1024, "managerId": 1024, "manager": 1024,
}
MIN_LENGTHS = {"login": 5, "email": 5}
EMAIL_ATTRIBUTES = ("email", "secondEmail")

# Attributes of ``search`` / ``filter`` (admin/directory_search.py); ``filter`` is Okta's narrower subset.
SEARCH_ATTRIBUTES: dict[str, str] = {
    "id": search.TEXT, "status": search.ENUM, "created": search.DATETIME, "activated": search.DATETIME,
    "statusChanged": search.DATETIME, "lastUpdated": search.DATETIME, "lastLogin": search.DATETIME,
    "passwordChanged": search.DATETIME, **{f"profile.{name}": search.TEXT for name in PROFILE_ATTRIBUTES},
}
FILTER_ATTRIBUTES: dict[str, str] = {
    name: SEARCH_ATTRIBUTES[name]
    for name in ("id", "status", "lastUpdated", "profile.login", "profile.email", "profile.firstName",
                 "profile.lastName")
}


def duplicate_login_cause() -> str:
    return "login: An object with this field already exists in the current organization"


@dataclass(frozen=True)
class UserInput:
    """What a create, replace or partial-update body asks for."""

    profile: dict[str, str]
    password: str | None
    group_ids: tuple[str, ...] = ()


class _Reader:
    """``Fields`` plus "one cause per field"."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.f = Fields(body, TARGET)

    def bad(self, path: str) -> bool:
        return any(c.startswith(f"{path}: ") or c.startswith(f"{path}.") for c in self.f.causes)

    def error(self, path: str, message: str) -> None:
        if not self.bad(path):
            self.f.error(path, message)


def _profile_value(r: _Reader, name: str, value: Any) -> str | None:
    """The checked value of one profile attribute; None when absent (null or "") or bad (a cause is added)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        r.error(name, "Must be a string.")
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        r.error(name, "Must not contain control characters.")
        return None
    maximum, minimum = PROFILE_ATTRIBUTES[name], MIN_LENGTHS.get(name, 1)
    if not minimum <= len(value) <= maximum:
        r.error(name, f"Must be between {minimum} and {maximum} characters long.")
        return None
    if name == "login" and not EMAIL.match(value):
        r.error(name, "Username must be in the form of an email address")
        return None
    if name in EMAIL_ATTRIBUTES and not EMAIL.match(value):
        r.error(name, "Does not match required pattern")
        return None
    if name == "countryCode" and not (value.isascii() and value.isalpha()):
        r.error(name, "Must be an ISO 3166-1 alpha-2 country code.")
        return None
    return value


def read_user(body: Any, current: User | None = None, *, partial: bool = False, creating: bool = False
              ) -> UserInput:
    """The profile, password and group ids a body asks for.

    ``creating``: a POST /users; ``partial``: a POST /users/{id} (given attributes change, absent or null ones stay);
    otherwise a PUT (the profile is replaced: absent attributes are removed). Read-only members a GET-modify-PUT sends
    back (``id``, ``status``, timestamps, ``_links``, ``credentials.provider`` of type OKTA, an empty
    ``credentials.password``) are accepted and ignored.
    """
    r = _Reader(require_object(body))
    f = r.f
    raw_profile = f.raw("profile")
    profile: dict[str, str] = dict(current.profile) if current is not None and partial else {}
    if not f.given("profile"):
        if not partial:
            r.error("profile", "The field cannot be left blank.")
    elif not isinstance(raw_profile, dict):
        r.error("profile", "Must be an object.")
    else:
        for name, value in raw_profile.items():
            if name not in PROFILE_ATTRIBUTES:
                r.error(name, "Property is not defined in the profile schema.")
                continue
            checked = _profile_value(r, name, value)
            if checked is not None:
                profile[name] = checked
            elif not partial and not r.bad(name):
                profile.pop(name, None)
        if not r.bad("profile"):
            for name in REQUIRED:
                if name not in profile and not r.bad(name):
                    r.error(name, "The field cannot be left blank.")

    password = None
    if f.given("credentials"):
        if not isinstance(f.raw("credentials"), dict):
            r.error("credentials", "Must be an object.")
        else:
            if f.given("credentials.recovery_question"):
                r.error("credentials.recovery_question", "Recovery questions are not supported.")
            if f.given("credentials.password.hash") or f.given("credentials.password.hook"):
                r.error("credentials.password", "Importing password hashes and password hooks are not supported.")
            provider = f.raw("credentials.provider.type")
            if isinstance(provider, str) and provider not in ("", "OKTA"):
                r.error("credentials.provider.type", "Only the OKTA provider is supported.")
            if f.given("credentials.password.value"):
                value = f.raw("credentials.password.value")
                problem = passwords.password_problem(value, profile.get("login"))
                if problem:
                    r.error("password", problem)
                else:
                    password = value

    group_ids: list[str] = []
    if creating and f.given("groupIds"):
        group_ids = f.string_list("groupIds", max_items=MAX_GROUP_IDS, max_len=20)
        unknown = [g for g in group_ids if not GROUP_ID.fullmatch(g)]
        if unknown and not r.bad("groupIds"):
            r.error("groupIds", f"'{unknown[0]}' is not a group id.")
    f.check()
    return UserInput(profile=profile, password=password, group_ids=tuple(group_ids))


def parse_activate(raw: str | None) -> bool:
    """``?activate=`` of a create: true (the default) or false."""
    if raw is None or raw == "" or raw.lower() == "true":
        return True
    if raw.lower() == "false":
        return False
    raise ValidationError(TARGET, ["activate: Must be true or false."])


def attribute_of(user: User, name: str) -> Any:
    """A user's value of a ``search`` attribute, or None (for directory_search.matches)."""
    if name.startswith("profile."):
        return user.profile.get(name[len("profile."):])
    return {
        "id": user.id, "status": user.status, "created": user.created, "activated": user.activated,
        "statusChanged": user.status_changed, "lastUpdated": user.last_updated, "lastLogin": user.last_login,
        "passwordChanged": user.password_changed,
    }.get(name)


def q_matches(user: User, q: str) -> bool:
    """Okta's ``q``: a case-insensitive prefix of the first name, last name, email or login."""
    prefix = q.casefold()
    return any((user.profile.get(a) or "").casefold().startswith(prefix)
               for a in ("firstName", "lastName", "email", "login"))


class AlreadyActiveError(ValidationError):
    """Okta's 403 E0000016 "Activation failed because the user is already active" (api/errors.py)."""

    status = 403
    error_code = "E0000016"

    def __init__(self) -> None:
        super().__init__(TARGET, ["status: Activation failed because the user is already active"])


@dataclass(frozen=True)
class SignIn:
    """The outcome of ``UserService.sign_in``. ``user`` is set only on success. ``reason`` is for logs and audit,
    never for the person signing in: "ok", "invalid" (unknown login or wrong password), "locked" (LOCKED_OUT,
    possibly by this very attempt) or "inactive" (right password, but the user is not ACTIVE)."""

    user: User | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.user is not None


_LIST_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}T[^#]+#00u[A-Za-z0-9]{17}$")


class UserService:
    def __init__(self, repo: UserRepository, clock: Clock) -> None:
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
        try:
            return call()
        except WriteConflict as conflict:
            if L_LOGIN in conflict.labels:
                raise ValidationError("login", [duplicate_login_cause()]) from None
            if L_GROUP in conflict.labels:
                raise ValidationError(TARGET, ["groupIds: A group in groupIds does not exist."]) from None
            raise ConflictError(
                f"{USER_TYPE} {user_id} was changed by another request at the same time; reload it and retry."
            ) from None

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

    # -- signing in ----------------------------------------------------------------------------------------------

    def verify_password(self, user: User | None, presented: object) -> bool:
        """True when ``presented`` is the user's password. Constant time (one scrypt computation, also for a user
        without a password or no user at all); no side effects and no status check: see ``sign_in``."""
        return passwords.verify_password(user.password_hash if user else None, presented)

    def failed_sign_ins(self, user_id: str) -> int:
        return self._repo.failed_sign_ins(user_id)

    def record_failed_sign_in(self, user: User) -> User:
        """Count a failed sign-in (atomically); the MAX_FAILED_SIGN_INS-th turns an ACTIVE user LOCKED_OUT. The user
        as it is now."""
        count = self._repo.add_failed_sign_in(user.id, self._clock.now().isoformat())
        if count < MAX_FAILED_SIGN_INS:
            return user
        for _attempt in range(3):  # the user may be changing under us (another failure locking it, an admin edit)
            current = self._repo.get(user.id)
            if current is None or current.status != ACTIVE:
                return current or user
            try:
                locked = self._transition(current, LOCKED_OUT)
            except ConflictError:
                continue
            log.warning("user %s locked out after %d failed sign-ins", user.id, count)
            return locked
        return user

    def record_successful_sign_in(self, user: User, presented_password: str | None = None) -> User:
        """Forget failed sign-ins, set ``lastLogin`` and, when the stored hash has older parameters and the password
        is given, rehash it. Best effort: losing a race with an admin edit keeps the admin's version."""
        self._repo.clear_failed_sign_ins(user.id)
        now = self._clock.now()
        updated = replace(user, last_login=now)
        if presented_password and passwords.needs_rehash(user.password_hash):
            updated = replace(updated, password_hash=passwords.hash_password(presented_password))
        try:
            return self._repo.replace(user, updated)
        except WriteConflict:
            return user

    def sign_in(self, login: str, password: object) -> SignIn:
        """Check a login and password the way the sign-in page needs: constant work whether or not the login
        exists, failed attempts counted per user, LOCKED_OUT after MAX_FAILED_SIGN_INS. Show the person the same
        message for every failure."""
        # Only logins sign in (never ids); get_by_login checks the marker still names this user's login.
        usable = isinstance(login, str) and "@" in login and len(login) <= PROFILE_ATTRIBUTES["login"]
        user = self._repo.get_by_login(login) if usable else None
        if user is None:
            self.verify_password(None, password)
            return SignIn(None, "invalid")
        if user.status == LOCKED_OUT:
            self.verify_password(None, password)
            return SignIn(None, "locked")
        if not self.verify_password(user, password):
            after = self.record_failed_sign_in(user)
            return SignIn(None, "locked" if after.status == LOCKED_OUT else "invalid")
        if user.status != ACTIVE:
            return SignIn(None, "inactive")
        return SignIn(self.record_successful_sign_in(user, password if isinstance(password, str) else None), "ok")
