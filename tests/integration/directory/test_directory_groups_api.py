"""``/api/v1/groups`` through the Chalice app on moto: CRUD, the built-in Everyone group, listing and search,
membership, a user's groups, and what deleting leaves behind."""
from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest

from directory_support import BASE, GROUPS, USERS, assert_okta_error, causes, keys

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb

EVERYONE = "00gEveryoneBuiltIn00"


def next_after(response) -> str | None:
    for part in response.headers.get("Link", "").split(","):
        if 'rel="next"' in part:
            return parse_qs(urlsplit(part.split(";")[0].strip().strip("<>")).query)["after"][0]
    return None


def names(response) -> list[str]:
    return [g["profile"]["name"] for g in response.data]


def test_create_is_200_and_okta_shaped(api):
    response = api.post(GROUPS, {"profile": {"name": "Engineering", "description": "Builders"}})
    assert response.status_code == 200, response.data
    group = response.data
    assert group["id"].startswith("00g") and len(group["id"]) == 20
    assert group["type"] == "OKTA_GROUP" and group["objectClass"] == ["okta:user_group"]
    assert group["profile"] == {"name": "Engineering", "description": "Builders"}
    assert group["created"] == group["lastUpdated"] == "2026-01-01T12:00:00.000Z"
    assert group["_links"]["self"]["href"] == f"{BASE}{GROUPS}/{group['id']}"
    assert group["_links"]["users"]["href"] == f"{BASE}{GROUPS}/{group['id']}/users"
    assert api.get(f"{GROUPS}/{group['id']}").data == group


def test_bad_group_bodies(api):
    response = api.post(GROUPS, {"profile": {"description": "no name"}, "type": "APP_GROUP"})
    assert_okta_error(response, 400, "E0000001", "Api validation failed: group")
    assert causes(response) == ["profile.name: The field cannot be left blank.",
                                "type: Only OKTA_GROUP groups can be created or changed through the API."]


def test_names_are_unique_case_insensitively_and_everyone_is_taken(api, make_group):
    make_group("Sales")
    for name in ("sales", "SALES", "Everyone", "everyone"):
        response = api.post(GROUPS, {"profile": {"name": name}})
        assert_okta_error(response, 400, "E0000001", "Api validation failed: name")
        assert causes(response) == ["name: An object with this field already exists in the current organization"]


def test_replace_and_rename(api, make_group, clock):
    group = make_group("Ops")
    clock.advance(minutes=1)
    response = api.put(f"{GROUPS}/{group['id']}", {**group, "profile": {"name": "Operations"}})
    assert response.status_code == 200
    assert response.data["profile"] == {"name": "Operations", "description": None}
    assert response.data["lastUpdated"] == "2026-01-01T12:01:00.000Z"
    make_group("Ops")  # the old name is free again
    other = make_group("Support")
    clash = api.put(f"{GROUPS}/{other['id']}", {"profile": {"name": "operations"}})
    assert causes(clash) == ["name: An object with this field already exists in the current organization"]


def test_unknown_groups_are_okta_404(api):
    for path in (f"{GROUPS}/00g0000000000000000x", f"{GROUPS}/nope", f"{GROUPS}/00g0000000000000000x/users"):
        assert_okta_error(api.get(path), 404, "E0000007")
    assert api.get(f"{GROUPS}/00g0000000000000000x").data["errorSummary"] == \
        "Not found: Resource not found: 00g0000000000000000x (UserGroup)"


def test_everyone_is_built_in_and_read_only(api, make_user):
    everyone = api.get(f"{GROUPS}/{EVERYONE}").data
    assert everyone["type"] == "BUILT_IN" and everyone["profile"]["name"] == "Everyone"
    user = make_user()
    for response in (api.put(f"{GROUPS}/{EVERYONE}", {"profile": {"name": "All"}}),
                     api.delete(f"{GROUPS}/{EVERYONE}"),
                     api.put(f"{GROUPS}/{EVERYONE}/users/{user['id']}"),
                     api.delete(f"{GROUPS}/{EVERYONE}/users/{user['id']}")):
        assert_okta_error(response, 403, "E0000006")
    assert [u["id"] for u in api.get(f"{GROUPS}/{EVERYONE}/users").data] == [user["id"]]


def test_list_is_in_name_order_with_everyone_in_its_place_and_pages(api, make_group):
    for name in ("delta", "Alpha", "foxtrot", "charlie", "Echo"):
        make_group(name)
    assert names(api.get(GROUPS)) == ["Alpha", "charlie", "delta", "Echo", "Everyone", "foxtrot"]
    seen, after = [], None
    while True:
        response = api.get(f"{GROUPS}?limit=2" + (f"&after={after}" if after else ""))
        seen += names(response)
        after = next_after(response)
        if not after:
            break
    assert seen == ["Alpha", "charlie", "delta", "Echo", "Everyone", "foxtrot"]


def test_q_is_a_name_prefix_and_search_and_filter(api, make_group, clock):
    make_group("Eng-Backend")
    make_group("eng-frontend")
    clock.advance(hours=1)
    make_group("Marketing")
    assert names(api.get(f"{GROUPS}?q=ENG")) == ["Eng-Backend", "eng-frontend"]
    assert names(api.get(f"{GROUPS}?q=ev")) == ["Everyone"]
    def listed(param: str, expression: str) -> list[str]:
        response = api.get(f"{GROUPS}?{param}={quote(expression)}")
        assert response.status_code == 200, response.data
        return names(response)

    assert listed("filter", 'type eq "BUILT_IN"') == ["Everyone"]
    assert listed("search", 'lastUpdated gt "2026-01-01T12:30:00.000Z"') == ["Marketing"]
    assert listed("search", 'profile.name sw "eng" and profile.description pr') == ["Eng-Backend", "eng-frontend"]
    bad = api.get(GROUPS + "?filter=" + quote('profile.name eq "x"'))
    assert_okta_error(bad, 400, "E0000031", "Invalid search criteria.")
    assert_okta_error(api.get(f"{GROUPS}?q=eng&after=" + "QUJD"), 400, "E0000029")


def test_membership(api, make_user, make_group):
    group = make_group("Pilots")
    alice, bob = make_user(), make_user()
    for user in (alice, bob, alice):  # PUT is idempotent
        response = api.put(f"{GROUPS}/{group['id']}/users/{user['id']}")
        assert response.status_code == 204 and response.body in (b"", "")
    members = api.get(f"{GROUPS}/{group['id']}/users").data
    assert sorted(u["id"] for u in members) == sorted([alice["id"], bob["id"]])
    assert all("passwordHash" not in u and u["credentials"]["password"] == {} for u in members)
    assert [g["profile"]["name"] for g in api.get(f"{USERS}/{alice['id']}/groups").data] == ["Everyone", "Pilots"]
    assert api.delete(f"{GROUPS}/{group['id']}/users/{alice['id']}").status_code == 204
    assert api.delete(f"{GROUPS}/{group['id']}/users/{alice['id']}").status_code == 204  # not a member: still 204
    assert [u["id"] for u in api.get(f"{GROUPS}/{group['id']}/users").data] == [bob["id"]]
    assert [g["profile"]["name"] for g in api.get(f"{USERS}/{alice['id']}/groups").data] == ["Everyone"]


def test_membership_of_unknown_users_and_groups(api, make_user, make_group):
    group, user = make_group(), make_user()
    missing_user, missing_group = "00u0000000000000000x", "00g0000000000000000x"
    response = api.put(f"{GROUPS}/{group['id']}/users/{missing_user}")
    assert_okta_error(response, 404, "E0000007", f"Not found: Resource not found: {missing_user} (User)")
    response = api.put(f"{GROUPS}/{missing_group}/users/{user['id']}")
    assert_okta_error(response, 404, "E0000007", f"Not found: Resource not found: {missing_group} (UserGroup)")
    assert_okta_error(api.delete(f"{GROUPS}/{missing_group}/users/{user['id']}"), 404, "E0000007")
    assert_okta_error(api.delete(f"{GROUPS}/{group['id']}/users/{missing_user}"), 404, "E0000007")
    assert_okta_error(api.put(f"{GROUPS}/{group['id']}/users/not-an-id"), 404, "E0000007")
    assert not [k for k in keys() if k[1].startswith("USER#") or k[1].startswith("GROUP#")]


def test_group_users_page(api, make_user, make_group):
    group = make_group()
    ids = sorted(make_user()["id"] for _ in range(5))
    for user_id in ids:
        api.put(f"{GROUPS}/{group['id']}/users/{user_id}")
    seen, after = [], None
    while True:
        response = api.get(f"{GROUPS}/{group['id']}/users?limit=2" + (f"&after={after}" if after else ""))
        seen += [u["id"] for u in response.data]
        after = next_after(response)
        if not after:
            break
    assert seen == ids
    assert_okta_error(api.get(f"{GROUPS}/{group['id']}/users?after=Zm9v"), 400, "E0000029")


def test_user_groups_of_unknown_user(api):
    assert_okta_error(api.get(f"{USERS}/00u0000000000000000x/groups"), 404, "E0000007")


def test_delete_group_removes_memberships_and_name(api, make_user, make_group, make_client):
    group = make_group("Temp")
    user = make_user()
    client_id = make_client()
    api.put(f"{GROUPS}/{group['id']}/users/{user['id']}")
    assert api.put(f"/api/v1/apps/{client_id}/groups/{group['id']}").status_code == 200
    response = api.delete(f"{GROUPS}/{group['id']}")
    assert response.status_code == 204
    assert_okta_error(api.get(f"{GROUPS}/{group['id']}"), 404, "E0000007")
    assert [g["profile"]["name"] for g in api.get(f"{USERS}/{user['id']}/groups").data] == ["Everyone"]
    assert not [k for k in keys() if group["id"] in k[0] or group["id"] in k[1] or k[0] == "GROUPNAME#temp"]
    assert api.get(f"/api/v1/apps/{client_id}/groups").data == []
    make_group("Temp")


def test_delete_with_a_stale_if_match(api, make_group):
    group = make_group()
    response = api.delete(f"{GROUPS}/{group['id']}", headers={"If-Match": 'W/"9"'})
    assert response.status_code == 412
    assert api.get(f"{GROUPS}/{group['id']}").status_code == 200


@pytest.mark.parametrize("method, path", [("PATCH", GROUPS), ("POST", f"{GROUPS}/00g0000000000000000x"),
                                          ("POST", f"{GROUPS}/00g0000000000000000x/users")])
def test_unsupported_methods(api, method, path):
    assert_okta_error(api.call(method, path), 405, "E0000022")
