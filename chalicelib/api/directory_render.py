"""Okta's wire shapes for the directory (users, groups, app assignments). Every shape here is parsed by the official
``okta`` SDK's models (User, Group, AppUser, ApplicationGroupAssignment): statuses are in its enums, every link has an
``href``, lengths fit its limits.

A user's password and its hash never appear: ``credentials.password`` is ``{}`` when the user has a password (as
Okta renders it) and absent otherwise.
"""
from __future__ import annotations

from typing import Any

from ..admin.user_fields import PROFILE_ATTRIBUTES
from ..clock import okta_time
from ..domain import (
    ACTIVE,
    DEPROVISIONED,
    LOCKED_OUT,
    PROVISIONED,
    STAGED,
    SUSPENDED,
    AppGroupAssignment,
    AppUserAssignment,
    Group,
    User,
)
from .render import link

USERS = "/api/v1/users"
GROUPS = "/api/v1/groups"
APPS = "/api/v1/apps"


def _time(value: Any) -> str | None:
    return okta_time(value) if value is not None else None


def user(u: User, base: str) -> dict[str, Any]:
    href = f"{base}{USERS}/{u.id}"
    credentials: dict[str, Any] = {}
    if u.has_password:
        credentials["password"] = {}
    credentials["provider"] = {"type": "OKTA", "name": "OKTA"}
    links: dict[str, Any] = {}
    if u.status in (STAGED, PROVISIONED, DEPROVISIONED):
        links["activate"] = link(f"{href}/lifecycle/activate", "POST")
    if u.status == ACTIVE:
        links["suspend"] = link(f"{href}/lifecycle/suspend", "POST")
    if u.status == SUSPENDED:
        links["unsuspend"] = link(f"{href}/lifecycle/unsuspend", "POST")
    if u.status == LOCKED_OUT:
        links["unlock"] = link(f"{href}/lifecycle/unlock", "POST")
    if u.status != DEPROVISIONED:
        links["deactivate"] = link(f"{href}/lifecycle/deactivate", "POST")
    links["self"] = link(href, "GET", "POST", "PUT", "DELETE")
    return {
        "id": u.id,
        "status": u.status,
        "created": okta_time(u.created),
        "activated": _time(u.activated),
        "statusChanged": _time(u.status_changed),
        "lastLogin": _time(u.last_login),
        "lastUpdated": okta_time(u.last_updated),
        "passwordChanged": _time(u.password_changed),
        "profile": {name: u.profile[name] for name in PROFILE_ATTRIBUTES if name in u.profile},
        "credentials": credentials,
        "_links": links,
    }


def group(g: Group, base: str) -> dict[str, Any]:
    href = f"{base}{GROUPS}/{g.id}"
    return {
        "id": g.id,
        "created": okta_time(g.created),
        "lastUpdated": okta_time(g.last_updated),
        "objectClass": ["okta:user_group"],
        "type": g.group_type,
        "profile": {"name": g.name, "description": g.description},
        "_links": {
            "self": link(href, "GET", "PUT", "DELETE") if g.group_type != "BUILT_IN" else link(href, "GET"),
            "users": {"href": f"{href}/users"},
        },
    }


def app_user_status(u: User) -> str:
    """The AppUser status of a user (the SDK's AppUserStatus enum)."""
    if u.status in (STAGED, PROVISIONED, SUSPENDED):
        return u.status
    if u.status == DEPROVISIONED:
        return "INACTIVE"
    return ACTIVE


def app_user(a: AppUserAssignment, u: User, base: str, scope: str = "USER") -> dict[str, Any]:
    """Okta's AppUser. ``externalId`` (the id in a provisioned app) is left out: tokenmint provisions nowhere, and
    the spec types it as a plain string, never null."""
    app_href = f"{base}{APPS}/{a.client_id}"
    return {
        "id": u.id,
        "created": okta_time(a.created),
        "lastUpdated": okta_time(a.last_updated),
        "scope": scope,
        "status": app_user_status(u),
        "statusChanged": okta_time(a.created),
        "passwordChanged": None,
        "syncState": "DISABLED",
        "credentials": {"userName": a.user_name or u.login},
        "profile": dict(a.profile),
        "_links": {
            "app": {"href": app_href},
            "user": {"href": f"{base}{USERS}/{u.id}"},
        },
    }


def app_group(a: AppGroupAssignment, base: str) -> dict[str, Any]:
    app_href = f"{base}{APPS}/{a.client_id}"
    return {
        "id": a.group_id,
        "lastUpdated": okta_time(a.last_updated),
        "priority": a.priority,
        "profile": dict(a.profile),
        "_links": {
            "app": {"href": app_href},
            "self": {"href": f"{app_href}/groups/{a.group_id}"},
            "group": {"href": f"{base}{GROUPS}/{a.group_id}"},
        },
    }
