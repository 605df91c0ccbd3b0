"""The directory through the official Okta SDK against the running local stack: users (create, get, list with paging,
update, lifecycle, delete), groups and membership, and assignments of users and groups to an OAuth client registered
with plain HTTP at ``/oauth2/v1/clients``. Every response must be one the SDK deserializes."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from okta import models
from okta.pagination import PaginationHelper, paginate_all

from e2e_support import call, causes, enum_value, expect, expect_error, not_found_summary

PASSWORD = "Tokenmint-Dir-Pa55"
EVERYONE = "00gEveryoneBuiltIn00"


def tag() -> str:
    return uuid.uuid4().hex[:10]


def user_body(name: str, last_name: str, password: str | None = PASSWORD, **profile) -> models.CreateUserRequest:
    body = {"profile": {"login": f"{name}@example.com", "email": f"{name}@example.com", "firstName": name[:50],
                        "lastName": last_name, **profile}}
    if password:
        body["credentials"] = {"password": {"value": password}}
    return models.CreateUserRequest.from_dict(body)


@pytest.fixture
def directory(okta_client, http, admin_headers, stack) -> Iterator[dict]:
    """Factories for users, groups and OAuth clients, cleaned up after the test."""
    made: dict[str, list[str]] = {"users": [], "groups": [], "clients": []}

    def user(password: str | None = PASSWORD, activate: bool = True, last_name: str | None = None, **profile):
        name = f"e2e-{tag()}"
        created = expect(200, okta_client.create_user(user_body(name, last_name or "Directory", password, **profile),
                                                      activate=activate))
        made["users"].append(created.id)
        return created

    def group(name: str | None = None):
        body = models.AddGroupRequest(profile=models.OktaUserGroupProfile(name=name or f"e2e-group-{tag()}",
                                                                         description="e2e group"))
        created = expect(200, okta_client.add_group(body))
        made["groups"].append(created.id)
        return created

    def client() -> str:
        response = http.post(f"{stack.base_url}/oauth2/v1/clients", headers=admin_headers,
                             json={"client_name": f"e2e-dir-app-{tag()}", "redirect_uris": ["https://app.example/cb"]})
        assert response.status_code == 201, response.text
        made["clients"].append(response.json()["client_id"])
        return made["clients"][-1]

    yield {"user": user, "group": group, "client": client}

    for user_id in made["users"]:
        call(okta_client.delete_user(user_id))  # deactivates
        call(okta_client.delete_user(user_id))  # deletes
    for group_id in made["groups"]:
        call(okta_client.delete_group(group_id))
    for client_id in made["clients"]:
        http.delete(f"{stack.base_url}/oauth2/v1/clients/{client_id}", headers=admin_headers)


# -- users ---------------------------------------------------------------------------------------------------------


def test_create_user_with_password_is_active(okta_client, directory, stack):
    created = directory["user"](title="Navigator")
    assert created.id.startswith("00u") and len(created.id) == 20
    assert enum_value(created.status) == "ACTIVE"
    assert created.profile.title == "Navigator" and created.profile.last_name == "Directory"
    assert enum_value(created.credentials.provider.type) == "OKTA"
    assert created.credentials.password is not None and created.credentials.password.value is None
    assert created.links.var_self.href == f"{stack.base_url}/api/v1/users/{created.id}"
    raw = call(okta_client.get_user(created.id)).raw.decode()
    assert PASSWORD not in raw and "argon2" not in raw and "scrypt" not in raw


def test_create_staged_and_provisioned_users(directory):
    assert enum_value(directory["user"](activate=False).status) == "STAGED"
    assert enum_value(directory["user"](password=None).status) == "PROVISIONED"


def test_get_user_by_id_and_by_login(okta_client, directory):
    created = directory["user"]()
    by_id = expect(200, okta_client.get_user(created.id))
    by_login = expect(200, okta_client.get_user(created.profile.login))
    assert by_id.to_dict() == by_login.to_dict() == created.to_dict()


def test_list_users_pages_through_the_link_header(okta_client, directory):
    family = f"Fam{tag()}"
    ids = [directory["user"](last_name=family).id for _ in range(5)]
    search = f'profile.lastName eq "{family}"'
    first, resp, err = asyncio.run(okta_client.list_users(search=search, limit=2))
    assert err is None and len(first) == 2
    cursor = PaginationHelper.extract_next_cursor(resp.headers)
    assert cursor
    second = expect(200, okta_client.list_users(search=search, limit=2, after=cursor))
    assert len(second) == 2 and not {u.id for u in first} & {u.id for u in second}

    async def everything():
        return [u.id async for u in paginate_all(okta_client.list_users, search=search, limit=2)]

    # Creation order; users created within the same second are ordered by id.
    everyone = asyncio.run(everything())
    assert sorted(everyone) == sorted(ids) and len(everyone) == 5
    assert everyone[:2] == [u.id for u in first]
    by_q = expect(200, okta_client.list_users(q=family.lower()))
    assert [u.id for u in by_q] == everyone
    by_filter = expect(200, okta_client.list_users(filter=f'status eq "ACTIVE" and profile.lastName eq "{family}"'))
    assert [u.id for u in by_filter] == everyone


def test_update_and_replace_user(okta_client, directory):
    created = directory["user"](title="Cadet")
    partial = models.UpdateUserRequest.from_dict({"profile": {"title": "Captain"}})
    updated = expect(200, okta_client.update_user(created.id, partial))
    assert updated.profile.title == "Captain" and updated.profile.login == created.profile.login
    fetched = expect(200, okta_client.get_user(created.id)).to_dict()  # GET-modify-PUT
    fetched["profile"]["nickName"] = "Cap"
    fetched["profile"].pop("title")
    replaced = expect(200, okta_client.replace_user(created.id, models.UpdateUserRequest.from_dict(fetched)))
    assert replaced.profile.nick_name == "Cap" and replaced.profile.title is None


def test_user_lifecycle(okta_client, directory):
    user_id = directory["user"](activate=False).id

    def status() -> str:
        return enum_value(expect(200, okta_client.get_user(user_id)).status)

    expect(200, okta_client.activate_user(user_id, send_email=False))
    assert status() == "ACTIVE"
    expect(200, okta_client.suspend_user(user_id))
    assert status() == "SUSPENDED"
    expect(200, okta_client.unsuspend_user(user_id))
    assert status() == "ACTIVE"
    expect(200, okta_client.unlock_user(user_id))
    assert status() == "ACTIVE"
    expect_error(403, "E0000016", okta_client.activate_user(user_id, send_email=False))
    expect(200, okta_client.deactivate_user(user_id))
    assert status() == "DEPROVISIONED"
    expect_error(400, "E0000001", okta_client.suspend_user(user_id))


def test_delete_user_deactivates_then_deletes(okta_client, directory):
    user_id = directory["user"]().id
    expect(204, okta_client.delete_user(user_id))
    assert enum_value(expect(200, okta_client.get_user(user_id)).status) == "DEPROVISIONED"
    expect(204, okta_client.delete_user(user_id))
    err = expect_error(404, "E0000007", okta_client.get_user(user_id))
    assert err.error_summary == not_found_summary(user_id, "User")


def test_user_errors(okta_client, directory):
    created = directory["user"]()
    err = expect_error(400, "E0000001", okta_client.create_user(
        user_body(created.profile.login.split("@")[0], "Dup"), activate=True))
    assert causes(err) == ["login: An object with this field already exists in the current organization"]
    err = expect_error(400, "E0000001", okta_client.create_user(
        user_body(f"e2e-{tag()}", "Weak", password="weakpass"), activate=True))
    assert causes(err)[0].startswith("password: Password requirements were not met.")
    expect_error(400, "E0000031", okta_client.list_users(search='profile.login co "x"'))
    expect_error(404, "E0000007", okta_client.get_user("00u0000000000000000x"))


# -- groups --------------------------------------------------------------------------------------------------------


def test_add_group_and_membership(okta_client, directory):
    group = directory["group"]()
    assert group.id.startswith("00g") and enum_value(group.type) == "OKTA_GROUP"
    assert group.profile.actual_instance.description == "e2e group"
    users = [directory["user"]() for _ in range(3)]
    for user in users:
        expect(204, okta_client.assign_user_to_group(group.id, user.id))
    expect(204, okta_client.assign_user_to_group(group.id, users[0].id))  # idempotent
    members = expect(200, okta_client.list_group_users(group.id))
    assert sorted(u.id for u in members) == sorted(u.id for u in users)

    async def paged():
        return [u.id async for u in paginate_all(okta_client.list_group_users, limit=2, group_id=group.id)]

    assert sorted(asyncio.run(paged())) == sorted(u.id for u in users)
    groups_of = expect(200, okta_client.list_user_groups(users[0].id))
    assert [g.id for g in groups_of] == [EVERYONE, group.id]
    expect(204, okta_client.unassign_user_from_group(group.id, users[0].id))
    assert [g.id for g in expect(200, okta_client.list_user_groups(users[0].id))] == [EVERYONE]


def test_list_get_replace_delete_group(okta_client, directory):
    name = f"e2e-group-{tag()}"
    group = directory["group"](name)
    assert [g.id for g in expect(200, okta_client.list_groups(q=name))] == [group.id]
    assert expect(200, okta_client.get_group(group.id)).to_dict() == group.to_dict()
    body = models.AddGroupRequest.from_dict({"profile": {"name": name + "-renamed", "description": "renamed"}})
    replaced = expect(200, okta_client.replace_group(group.id, body))
    assert replaced.profile.actual_instance.name == name + "-renamed"
    everyone = expect(200, okta_client.get_group(EVERYONE))
    assert enum_value(everyone.type) == "BUILT_IN"
    expect_error(403, "E0000006", okta_client.delete_group(EVERYONE))
    expect(204, okta_client.delete_group(group.id))
    expect_error(404, "E0000007", okta_client.get_group(group.id))


# -- app assignments -----------------------------------------------------------------------------------------------


def test_assign_users_and_groups_to_an_oauth_client(okta_client, directory):
    app_id = directory["client"]()
    users = [directory["user"]() for _ in range(3)]
    for user in users:
        app_user = expect(200, okta_client.assign_user_to_application(
            app_id, models.AppUserAssignRequest(id=user.id, scope="USER")))
        assert app_user.id == user.id and app_user.scope == "USER"
        assert app_user.credentials.user_name == user.profile.login
    listed = expect(200, okta_client.list_application_users(app_id))
    assert sorted(a.id for a in listed) == sorted(u.id for u in users)

    async def paged():
        return [a.id async for a in paginate_all(okta_client.list_application_users, limit=2, app_id=app_id)]

    assert sorted(asyncio.run(paged())) == sorted(u.id for u in users)
    one = expect(200, okta_client.get_application_user(app_id, users[0].id))
    assert enum_value(one.status) == "ACTIVE"
    expect(204, okta_client.unassign_user_from_application(app_id, users[0].id))
    expect_error(404, "E0000007", okta_client.get_application_user(app_id, users[0].id))

    group = directory["group"]()
    member = directory["user"]()
    expect(204, okta_client.assign_user_to_group(group.id, member.id))
    assignment = expect(200, okta_client.assign_group_to_application(
        app_id, group.id, models.ApplicationGroupAssignment(priority=0)))
    assert assignment.id == group.id and assignment.priority == 0
    assert assignment.links.group.href.endswith(f"/api/v1/groups/{group.id}")
    assigned = expect(200, okta_client.list_application_group_assignments(app_id))
    assert [a.id for a in assigned] == [group.id]
    through_group = expect(200, okta_client.get_application_user(app_id, member.id))
    assert through_group.scope == "GROUP"
    expect(204, okta_client.unassign_application_from_group(app_id, group.id))
    assert expect(200, okta_client.list_application_group_assignments(app_id)) == []


def test_assignment_errors(okta_client, directory):
    app_id = directory["client"]()
    err = expect_error(404, "E0000007", okta_client.assign_user_to_application(
        "0oa00000000000000000", models.AppUserAssignRequest(id="00u0000000000000000x")))
    assert err.error_summary == not_found_summary("0oa00000000000000000", "AppInstance")
    err = expect_error(404, "E0000007", okta_client.assign_user_to_application(
        app_id, models.AppUserAssignRequest(id="00u0000000000000000x")))
    assert err.error_summary == not_found_summary("00u0000000000000000x", "User")
    expect_error(404, "E0000007", okta_client.assign_group_to_application(app_id, "00g0000000000000000x"))
