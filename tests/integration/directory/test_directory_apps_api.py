"""``/api/v1/apps/{appId}/users|groups`` through the Chalice app on moto, for clients registered at
``/oauth2/v1/clients``."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from directory_support import APPS, BASE, GROUPS, USERS, assert_okta_error, causes, keys

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb

EVERYONE = "00gEveryoneBuiltIn00"
MISSING_CLIENT = "0oa00000000000000000"


def next_after(response) -> str | None:
    for part in response.headers.get("Link", "").split(","):
        if 'rel="next"' in part:
            return parse_qs(urlsplit(part.split(";")[0].strip().strip("<>")).query)["after"][0]
    return None


def test_assign_user_returns_an_okta_app_user(api, make_user, make_client):
    client_id = make_client()
    user = make_user("nina")
    response = api.post(f"{APPS}/{client_id}/users", {"id": user["id"], "scope": "USER"})
    assert response.status_code == 200, response.data
    app_user = response.data
    assert app_user["id"] == user["id"] and app_user["scope"] == "USER" and app_user["status"] == "ACTIVE"
    assert app_user["credentials"] == {"userName": "nina@example.com"}
    assert app_user["syncState"] == "DISABLED" and app_user["profile"] == {}
    assert app_user["_links"]["app"]["href"] == f"{BASE}{APPS}/{client_id}"
    assert app_user["_links"]["user"]["href"] == f"{BASE}{USERS}/{user['id']}"
    assert api.get(f"{APPS}/{client_id}/users/{user['id']}").data == app_user
    assert {(f"APP#{client_id}", f"USER#{user['id']}"), (f"USER#{user['id']}", f"APP#{client_id}")} <= keys()


def test_assigning_again_is_idempotent_and_updates_what_is_given(api, make_user, make_client, clock):
    client_id, user = make_client(), make_user()
    first = api.post(f"{APPS}/{client_id}/users", {"id": user["id"]}).data
    assert api.post(f"{APPS}/{client_id}/users", {"id": user["id"]}).data == first
    clock.advance(minutes=1)
    updated = api.post(f"{APPS}/{client_id}/users", {"id": user["id"], "credentials": {"userName": "nickname"},
                                                     "profile": {"role": "admin"}}).data
    assert updated["credentials"]["userName"] == "nickname" and updated["profile"] == {"role": "admin"}
    assert updated["created"] == first["created"] and updated["lastUpdated"] == "2026-01-01T12:01:00.000Z"
    again = api.post(f"{APPS}/{client_id}/users/{user['id']}", {"profile": {"role": "viewer"}}).data
    assert again["profile"] == {"role": "viewer"} and again["credentials"]["userName"] == "nickname"


def test_bad_assign_bodies(api, make_client):
    client_id = make_client()
    response = api.post(f"{APPS}/{client_id}/users", {"scope": "GROUP"})
    assert_okta_error(response, 400, "E0000001", "Api validation failed: appuser")
    assert causes(response) == ["id: The field cannot be left blank.",
                                "scope: Only USER assignments can be made directly; assign a group for GROUP scope."]


def test_unknown_client_user_and_group(api, make_user, make_group, make_client):
    user, group, client_id = make_user(), make_group(), make_client()
    missing_user, missing_group = "00u0000000000000000x", "00g0000000000000000x"
    app_404 = f"Not found: Resource not found: {MISSING_CLIENT} (AppInstance)"
    for response in (api.get(f"{APPS}/{MISSING_CLIENT}/users"),
                     api.post(f"{APPS}/{MISSING_CLIENT}/users", {"id": user["id"]}),
                     api.get(f"{APPS}/{MISSING_CLIENT}/users/{user['id']}"),
                     api.get(f"{APPS}/{MISSING_CLIENT}/groups"),
                     api.put(f"{APPS}/{MISSING_CLIENT}/groups/{group['id']}")):
        assert_okta_error(response, 404, "E0000007", app_404)
    assert_okta_error(api.get(f"{APPS}/not-a-client/users"), 404, "E0000007",
                      "Not found: Resource not found: not-a-client (AppInstance)")
    assert_okta_error(api.post(f"{APPS}/{client_id}/users", {"id": missing_user}), 404, "E0000007",
                      f"Not found: Resource not found: {missing_user} (User)")
    assert_okta_error(api.put(f"{APPS}/{client_id}/groups/{missing_group}"), 404, "E0000007",
                      f"Not found: Resource not found: {missing_group} (UserGroup)")
    assert_okta_error(api.get(f"{APPS}/{client_id}/users/{user['id']}"), 404, "E0000007",
                      f"Not found: Resource not found: {user['id']} (AppUser)")
    assert_okta_error(api.delete(f"{APPS}/{client_id}/users/{user['id']}"), 404, "E0000007")
    assert_okta_error(api.get(f"{APPS}/{client_id}/groups/{group['id']}"), 404, "E0000007",
                      f"Not found: Resource not found: {group['id']} (ApplicationGroupAssignment)")
    assert not [k for k in keys() if k[0].startswith("APP#")]


def test_list_app_users_pages_in_user_id_order(api, make_user, make_client):
    client_id = make_client()
    ids = sorted(make_user()["id"] for _ in range(5))
    for user_id in ids:
        api.post(f"{APPS}/{client_id}/users", {"id": user_id})
    seen, after = [], None
    while True:
        response = api.get(f"{APPS}/{client_id}/users?limit=2" + (f"&after={after}" if after else ""))
        assert response.status_code == 200
        seen += [a["id"] for a in response.data]
        after = next_after(response)
        if not after:
            break
    assert seen == ids


def test_unassign_user(api, make_user, make_client):
    client_id, user = make_client(), make_user()
    api.post(f"{APPS}/{client_id}/users", {"id": user["id"]})
    response = api.delete(f"{APPS}/{client_id}/users/{user['id']}")
    assert response.status_code == 204 and response.body in (b"", "")
    assert api.get(f"{APPS}/{client_id}/users").data == []
    assert not [k for k in keys() if k[0].startswith("APP#") or k[1].startswith("APP#")]


def test_group_assignments(api, make_group, make_client, clock):
    client_id = make_client()
    first, second = make_group("First"), make_group("Second")
    response = api.put(f"{APPS}/{client_id}/groups/{first['id']}")
    assert response.status_code == 200, response.data
    assert response.data["id"] == first["id"] and response.data["priority"] == 0
    assert response.data["_links"]["group"]["href"] == f"{BASE}{GROUPS}/{first['id']}"
    assert response.data["_links"]["app"]["href"] == f"{BASE}{APPS}/{client_id}"
    second_assignment = api.put(f"{APPS}/{client_id}/groups/{second['id']}", {"priority": 5, "profile": {"x": 1}})
    assert second_assignment.data["priority"] == 5 and second_assignment.data["profile"] == {"x": 1}
    everyone = api.put(f"{APPS}/{client_id}/groups/{EVERYONE}").data
    assert everyone["priority"] == 2
    listed = api.get(f"{APPS}/{client_id}/groups").data
    assert [a["id"] for a in listed] == [first["id"], everyone["id"], second["id"]]  # priority order
    page = api.get(f"{APPS}/{client_id}/groups?limit=1")
    assert [a["id"] for a in page.data] == [first["id"]] and next_after(page)
    clock.advance(minutes=1)
    moved = api.put(f"{APPS}/{client_id}/groups/{first['id']}", {"priority": 9}).data
    assert moved["priority"] == 9 and moved["lastUpdated"] == "2026-01-01T12:01:00.000Z"
    assert api.get(f"{APPS}/{client_id}/groups/{first['id']}").data == moved
    assert api.delete(f"{APPS}/{client_id}/groups/{first['id']}").status_code == 204
    assert_okta_error(api.delete(f"{APPS}/{client_id}/groups/{first['id']}"), 404, "E0000007")
    assert [a["id"] for a in api.get(f"{APPS}/{client_id}/groups").data] == [everyone["id"], second["id"]]


def test_a_user_assigned_through_a_group_reads_as_group_scope(api, make_user, make_group, make_client):
    client_id, group, user = make_client(), make_group(), make_user()
    api.put(f"{GROUPS}/{group['id']}/users/{user['id']}")
    api.put(f"{APPS}/{client_id}/groups/{group['id']}")
    app_user = api.get(f"{APPS}/{client_id}/users/{user['id']}").data
    assert app_user["scope"] == "GROUP" and app_user["id"] == user["id"]
    assert api.get(f"{APPS}/{client_id}/users").data == []  # only direct assignments are listed


def test_app_user_status_follows_the_user(api, make_user, make_client):
    client_id, user = make_client(), make_user()
    api.post(f"{APPS}/{client_id}/users", {"id": user["id"]})
    api.post(f"{USERS}/{user['id']}/lifecycle/suspend")
    assert api.get(f"{APPS}/{client_id}/users/{user['id']}").data["status"] == "SUSPENDED"
    api.post(f"{USERS}/{user['id']}/lifecycle/deactivate")
    assert api.get(f"{APPS}/{client_id}/users/{user['id']}").data["status"] == "INACTIVE"


def test_deleting_a_user_removes_its_assignments(api, make_user, make_client):
    client_id, user = make_client(), make_user()
    api.post(f"{APPS}/{client_id}/users", {"id": user["id"]})
    api.delete(f"{USERS}/{user['id']}")
    api.delete(f"{USERS}/{user['id']}")
    assert api.get(f"{APPS}/{client_id}/users").data == []
    assert not [k for k in keys() if user["id"] in k[0] or user["id"] in k[1]]


@pytest.mark.parametrize("method, path", [("PUT", f"{APPS}/{MISSING_CLIENT}/users"),
                                          ("PATCH", f"{APPS}/{MISSING_CLIENT}/groups/x"),
                                          ("POST", f"{APPS}/{MISSING_CLIENT}/groups")])
def test_unsupported_methods(api, method, path):
    assert_okta_error(api.call(method, path), 405, "E0000022")
