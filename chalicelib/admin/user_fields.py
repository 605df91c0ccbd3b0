"""Reading and matching users (docs/ARCHITECTURE.md "Directory"): the body of a create, replace or partial update
(``read_user``, one cause per bad field) and the attributes ``q``, ``search`` and ``filter`` match against.

Profiles hold Okta's standard profile attributes only (custom attributes would need Okta's schema API, which
tokenmint does not have): an unknown attribute is a 400, never silently dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..domain import User
from . import directory_search as search
from . import passwords
from .validation import Reader, require_object

TARGET = "user"
GROUP_ID = re.compile(r"00g[A-Za-z0-9]{17}")
MAX_GROUP_IDS = 20  # groupIds on create: every one is two items of the creating transaction

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


def _profile_value(r: Reader, name: str, value: Any) -> str | None:
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
    r = Reader(require_object(body), TARGET)
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
