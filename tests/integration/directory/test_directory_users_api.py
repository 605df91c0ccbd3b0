"""``/api/v1/users`` through the Chalice app on moto: create, read, list and search, replace and update, lifecycle,
delete, bad input, and passwords that never leave storage."""
from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from directory_support import (
    BASE,
    GROUPS,
    PASSWORD,
    USERS,
    assert_okta_error,
    causes,
    keys,
    profile,
    raw_items,
)

from chalicelib.admin.passwords import REQUIREMENTS

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb


def next_after(response) -> str | None:
    link = response.headers.get("Link", "")
    for part in link.split(","):
        if 'rel="next"' in part:
            url = part.split(";")[0].strip().strip("<>")
            return parse_qs(urlsplit(url).query)["after"][0]
    return None


def search(api, expression: str, param: str = "search"):
    return api.get(f"{USERS}?{param}={quote(expression)}")


# -- create and read --------------------------------------------------------------------------------------------------


def test_create_with_password_is_active_and_okta_shaped(api, clock):
    body = {"profile": profile("alice", title="Engineer"), "credentials": {"password": {"value": PASSWORD}}}
    response = api.post(USERS + "?activate=true", body)
    assert response.status_code == 200, response.data
    user = response.data
    assert user["id"].startswith("00u") and len(user["id"]) == 20
    assert user["status"] == "ACTIVE"
    assert user["created"] == user["activated"] == user["statusChanged"] == user["passwordChanged"] == \
        "2026-01-01T12:00:00.000Z"
    assert user["lastLogin"] is None
    assert user["profile"] == {"login": "alice@example.com", "email": "alice@example.com", "firstName": "Alice",
                               "lastName": "Tester", "title": "Engineer"}
    assert user["credentials"] == {"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}}
    links = user["_links"]
    assert links["self"]["href"] == f"{BASE}{USERS}/{user['id']}"
    assert set(links) == {"self", "suspend", "deactivate"}
    assert response.headers["ETag"] == 'W/"1"'


def test_create_without_password_is_provisioned_and_staged_when_not_activated(api):
    provisioned = api.post(USERS, {"profile": profile()}).data
    assert provisioned["status"] == "PROVISIONED"
    assert provisioned["credentials"] == {"provider": {"type": "OKTA", "name": "OKTA"}}
    assert provisioned["activated"] is None
    staged = api.post(USERS + "?activate=false", {"profile": profile(),
                                                  "credentials": {"password": {"value": PASSWORD}}}).data
    assert staged["status"] == "STAGED" and staged["statusChanged"] is None
    assert set(staged["_links"]) == {"self", "activate", "deactivate"}


def test_create_refuses_a_bad_activate_flag(api):
    response = api.post(USERS + "?activate=maybe", {"profile": profile()})
    assert_okta_error(response, 400, "E0000001")
    assert causes(response) == ["activate: Must be true or false."]


def test_get_by_id_and_by_login(api, make_user):
    user = make_user("bob")
    assert api.get(f"{USERS}/{user['id']}").data == user
    assert api.get(f"{USERS}/bob@example.com").data["id"] == user["id"]
    assert api.get(f"{USERS}/BOB@Example.COM").data["id"] == user["id"]
    assert api.get(f"{USERS}/bob%40example.com").data["id"] == user["id"]


@pytest.mark.parametrize("missing", ["00u0000000000000000x", "nobody@example.com", "x"])
def test_unknown_user_is_okta_404(api, missing):
    assert_okta_error(api.get(f"{USERS}/{missing}"), 404, "E0000007",
                      f"Not found: Resource not found: {missing} (User)")


def test_validation_failures_have_one_cause_per_field(api):
    body = {"profile": {"login": "not-an-email", "email": "x", "firstName": "", "lastName": "L" * 60,
                        "shoeSize": "42"}, "credentials": {"password": {"value": "weak"}}}
    response = api.post(USERS, body)
    assert_okta_error(response, 400, "E0000001", "Api validation failed: user")
    assert causes(response) == [
        "login: Username must be in the form of an email address",
        "email: Must be between 5 and 100 characters long.",
        "lastName: Must be between 1 and 50 characters long.",
        "shoeSize: Property is not defined in the profile schema.",
        "firstName: The field cannot be left blank.",
        f"password: {REQUIREMENTS}",
    ]
    assert not any(pk.startswith("USER") for pk, _ in keys())


def test_malformed_body(api):
    response = api.post(USERS, raw=b"{not json", headers={"Content-Type": "application/json"})
    assert_okta_error(response, 400, "E0000003")


def test_duplicate_login_regardless_of_case_and_diacritics(api, make_user):
    make_user("isaac.brock")
    for login in ("isaac.brock@example.com", "Isaac.Brock@EXAMPLE.com", "isáàc.bröck@example.com"):
        response = api.post(USERS, {"profile": profile(email="x@example.com", login=login)})
        assert_okta_error(response, 400, "E0000001", "Api validation failed: login")
        assert causes(response) == ["login: An object with this field already exists in the current organization"]


def test_create_with_group_ids_adds_memberships(api, make_group):
    group = make_group()
    everyone = "00gEveryoneBuiltIn00"
    user = api.post(USERS, {"profile": profile(), "groupIds": [group["id"], everyone]}).data
    names = [g["profile"]["name"] for g in api.get(f"{USERS}/{user['id']}/groups").data]
    assert names == ["Everyone", group["profile"]["name"]]
    response = api.post(USERS, {"profile": profile(), "groupIds": ["00g" + "Z" * 17]})
    assert_okta_error(response, 400, "E0000001")
    assert causes(response) == ["groupIds: A group in groupIds does not exist."]


# -- passwords never leave storage ------------------------------------------------------------------------------


def test_password_is_never_returned_nor_stored_in_clear(api, make_user, make_group, make_client):
    user = make_user("carol", password=PASSWORD)
    group = make_group()
    client_id = make_client()
    responses = [
        api.get(f"{USERS}/{user['id']}"), api.get(USERS), api.get(f"{USERS}?q=carol"),
        api.post(f"{USERS}/{user['id']}", {"profile": {"title": "x"}}),
        api.put(f"{USERS}/{user['id']}", {"profile": profile("carol"),
                                          "credentials": {"password": {"value": "An0ther-Secret"}}}),
        api.put(f"{GROUPS}/{group['id']}/users/{user['id']}"),
        api.get(f"{GROUPS}/{group['id']}/users"),
        api.post(f"/api/v1/apps/{client_id}/users", {"id": user["id"]}),
        api.get(f"/api/v1/apps/{client_id}/users"),
    ]
    for response in responses:
        text = response.body.decode() if isinstance(response.body, bytes) else str(response.body)
        assert PASSWORD not in text and "An0ther-Secret" not in text
        assert "argon2" not in text and "scrypt" not in text and "passwordHash" not in text
    stored = json.dumps(raw_items())
    assert PASSWORD not in stored and "An0ther-Secret" not in stored
    assert PASSWORD.encode().hex() not in stored and base64.b64encode(PASSWORD.encode()).decode() not in stored
    user_item = next(i for i in raw_items() if i["pk"]["S"] == f"USER#{user['id']}" and i["sk"]["S"] == "USER")
    doc = json.loads(user_item["doc"]["S"])
    assert doc["passwordHash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")


# -- listing and search ------------------------------------------------------------------------------------------


def test_list_pages_in_creation_order_with_a_link_header(api, make_user, clock):
    made = []
    for _ in range(5):
        made.append(make_user(password=None)["id"])
        clock.advance(seconds=1)
    seen, after, pages = [], None, 0
    while True:
        response = api.get(f"{USERS}?limit=2" + (f"&after={after}" if after else ""))
        assert response.status_code == 200
        assert 'rel="self"' in response.headers["Link"]
        seen += [u["id"] for u in response.data]
        pages += 1
        after = next_after(response)
        if not after:
            break
    assert seen == made and pages == 3


def test_default_limit_is_200_and_bad_paging_is_e0000029(api, make_user):
    make_user()
    assert len(api.get(USERS).data) == 1
    for bad in ("limit=0", "limit=x", "after=!!!", "after=" + base64.urlsafe_b64encode(b"junk").decode()):
        assert_okta_error(api.get(f"{USERS}?{bad}"), 400, "E0000029", "Invalid paging request.")


def test_q_is_a_prefix_of_first_name_last_name_email_or_login(api, make_user):
    make_user("dana")
    make_user("daniel", lastName="Smith")
    make_user("erin", firstName="Zed", email="dan.alias@example.org")
    assert sorted(u["profile"]["firstName"] for u in api.get(f"{USERS}?q=dan").data) == ["Dana", "Daniel", "Zed"]
    assert [u["profile"]["firstName"] for u in api.get(f"{USERS}?q=smi").data] == ["Daniel"]
    assert api.get(f"{USERS}?q=nobody").data == []


def test_search_by_login_status_and_dates(api, make_user, clock):
    first = make_user("frank")
    clock.advance(hours=1)
    second = make_user("grace", password=None)
    assert [u["id"] for u in search(api, 'profile.login eq "FRANK@example.com"').data] == [first["id"]]
    assert [u["id"] for u in search(api, 'status eq "PROVISIONED"').data] == [second["id"]]
    assert [u["id"] for u in search(api, 'created gt "2026-01-01T12:30:00.000Z"').data] == [second["id"]]
    both = search(api, 'profile.firstName sw "fr" or (status eq "PROVISIONED" and profile.login pr)').data
    assert {u["id"] for u in both} == {first["id"], second["id"]}
    assert search(api, 'id eq "' + first["id"] + '"').data[0]["id"] == first["id"]
    assert search(api, 'profile.login eq "nobody@example.com"').data == []


def test_filter_is_okta_s_narrower_subset(api, make_user):
    user = make_user("hank")
    assert [u["id"] for u in search(api, 'status eq "ACTIVE" and profile.lastName eq "tester"', "filter").data] \
        == [user["id"]]
    response = search(api, 'profile.login sw "h"', "filter")
    assert_okta_error(response, 400, "E0000031", "Invalid search criteria.")
    assert causes(response) == ["filter: The operator 'sw' is not supported for 'profile.login' in filter."]


@pytest.mark.parametrize("expression", ['profile.login co "x"', "status", 'nickname eq "x"', 'status eq "A" or'])
def test_unsupported_search_is_e0000031_with_a_cause(api, expression):
    response = search(api, expression)
    assert_okta_error(response, 400, "E0000031", "Invalid search criteria.")
    assert len(causes(response)) == 1 and causes(response)[0].startswith("search: ")


def test_deprovisioned_users_are_listed_only_when_searched_for(api, make_user):
    kept = make_user()
    gone = make_user()
    api.post(f"{USERS}/{gone['id']}/lifecycle/deactivate")
    assert [u["id"] for u in api.get(USERS).data] == [kept["id"]]
    assert [u["id"] for u in search(api, 'status eq "DEPROVISIONED"').data] == [gone["id"]]


def test_search_pages_too(api, make_user, clock):
    ids = []
    for _ in range(3):
        ids.append(make_user(title="Pilot")["id"])
        make_user(title="Cook")
        clock.advance(seconds=1)
    pilots = quote('profile.title eq "pilot"')
    first = api.get(f"{USERS}?limit=2&search={pilots}")
    second = api.get(f"{USERS}?limit=2&search={pilots}&after={next_after(first)}")
    assert [u["id"] for u in first.data + second.data] == ids and next_after(second) is None


# -- replace and update ------------------------------------------------------------------------------------------


def test_put_replaces_the_profile(api, make_user, clock):
    user = make_user("ivy", title="Chief")
    clock.advance(minutes=5)
    response = api.put(f"{USERS}/{user['id']}", {**user, "profile": profile("ivy", nickName="Ives")})
    assert response.status_code == 200, response.data
    assert response.data["profile"] == profile("ivy", nickName="Ives")
    assert response.data["lastUpdated"] == "2026-01-01T12:05:00.000Z"
    assert response.data["passwordChanged"] == user["passwordChanged"]
    assert response.headers["ETag"] == 'W/"2"'


def test_post_updates_only_given_attributes(api, make_user):
    user = make_user("jack", title="Chief", city="Wellington")
    response = api.post(f"{USERS}/{user['id']}", {"profile": {"title": "Boss", "city": None}})
    assert response.data["profile"] == {**user["profile"], "title": "Boss"}


def test_login_change_moves_the_uniqueness_marker(api, make_user):
    user = make_user("kate")
    response = api.post(f"{USERS}/{user['id']}", {"profile": {"login": "katherine@example.com"}})
    assert response.data["profile"]["login"] == "katherine@example.com"
    assert ("USERLOGIN#kate@example.com", "USERLOGIN") not in keys()
    assert api.get(f"{USERS}/katherine@example.com").data["id"] == user["id"]
    assert api.get(f"{USERS}/kate@example.com").status_code == 404
    make_user("kate")  # the old login is free again
    other = make_user("leo")
    response = api.post(f"{USERS}/{other['id']}", {"profile": {"login": "Katherine@example.com"}})
    assert causes(response) == ["login: An object with this field already exists in the current organization"]


def test_setting_a_password_activates_a_provisioned_user(api, make_user, clock):
    user = make_user(password=None)
    clock.advance(minutes=1)
    response = api.post(f"{USERS}/{user['id']}", {"credentials": {"password": {"value": PASSWORD}}})
    assert response.data["status"] == "ACTIVE"
    assert response.data["passwordChanged"] == response.data["activated"] == "2026-01-01T12:01:00.000Z"
    assert response.data["credentials"]["password"] == {}


def test_if_match(api, make_user):
    user = make_user()
    stale = api.put(f"{USERS}/{user['id']}", {"profile": user["profile"]}, headers={"If-Match": 'W/"7"'})
    assert stale.status_code == 412 and stale.data["errorCode"] == "E0000195"
    fresh = api.put(f"{USERS}/{user['id']}", {"profile": user["profile"]}, headers={"If-Match": 'W/"1"'})
    assert fresh.status_code == 200


def test_update_validation(api, make_user):
    user = make_user()
    response = api.put(f"{USERS}/{user['id']}", {"profile": {"login": user["profile"]["login"]}})
    assert causes(response) == ["email: The field cannot be left blank.",
                                "firstName: The field cannot be left blank.",
                                "lastName: The field cannot be left blank."]
    assert_okta_error(api.post(f"{USERS}/00u0000000000000000x", {"profile": {}}), 404, "E0000007")


# -- lifecycle -------------------------------------------------------------------------------------------------------


def lifecycle(api, user_id: str, action: str):
    return api.post(f"{USERS}/{user_id}/lifecycle/{action}")


def status(api, user_id: str) -> str:
    return api.get(f"{USERS}/{user_id}").data["status"]


def test_lifecycle_walk(api, make_user):
    user_id = make_user(activate=False)["id"]
    steps = [("activate", "ACTIVE"), ("suspend", "SUSPENDED"), ("unsuspend", "ACTIVE"),
             ("deactivate", "DEPROVISIONED"), ("activate", "ACTIVE")]
    for action, expected in steps:
        response = lifecycle(api, user_id, action)
        assert response.status_code == 200 and response.data == {}, (action, response.data)
        assert status(api, user_id) == expected


def test_activate_without_a_password_is_provisioned(api, make_user):
    user_id = make_user(password=None, activate=False)["id"]
    assert lifecycle(api, user_id, "activate").status_code == 200
    assert status(api, user_id) == "PROVISIONED"
    assert lifecycle(api, user_id, "activate").status_code == 200  # still nothing to sign in with
    assert status(api, user_id) == "PROVISIONED"


@pytest.mark.parametrize("setup, action, code", [
    ([], "activate", "E0000016"),
    (["suspend"], "activate", "E0000016"),
    ([], "unsuspend", "E0000001"),
    (["deactivate"], "suspend", "E0000001"),
    (["deactivate"], "deactivate", "E0000001"),
    (["suspend"], "unlock", "E0000001"),
    (["suspend"], "suspend", "E0000001"),
])
def test_transitions_okta_refuses(api, make_user, setup, action, code):
    user_id = make_user()["id"]
    for step in setup:
        assert lifecycle(api, user_id, step).status_code == 200
    before = status(api, user_id)
    response = lifecycle(api, user_id, action)
    if code == "E0000016":
        assert_okta_error(response, 403, code, "Activation failed because the user is already active")
    else:
        assert_okta_error(response, 400, code, "Api validation failed: user")
        assert causes(response)[0].startswith("status: ")
    assert status(api, user_id) == before


def test_lifecycle_of_unknown_user_and_body_less_posts(api, make_user):
    assert_okta_error(lifecycle(api, "00u0000000000000000x", "activate"), 404, "E0000007")
    user_id = make_user()["id"]
    response = api.call("POST", f"{USERS}/{user_id}/lifecycle/suspend",
                        headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 200


def test_unlock_on_an_active_user_is_allowed(api, make_user):
    user_id = make_user()["id"]
    assert lifecycle(api, user_id, "unlock").status_code == 200
    assert status(api, user_id) == "ACTIVE"


def test_delete_deactivates_first_then_deletes(api, make_user):
    user = make_user("mia")
    response = api.delete(f"{USERS}/{user['id']}")
    assert response.status_code == 204 and response.body in (b"", "")
    assert response.headers["Content-Type"] != "application/json"
    assert status(api, user["id"]) == "DEPROVISIONED"
    assert api.delete(f"{USERS}/{user['id']}").status_code == 204
    assert_okta_error(api.get(f"{USERS}/{user['id']}"), 404, "E0000007")
    assert not [k for k in keys() if user["id"] in k[0] or "mia@" in k[0]]
    assert_okta_error(api.delete(f"{USERS}/{user['id']}"), 404, "E0000007")
    make_user("mia")  # the login is free again


def test_methods_and_auth(api, make_user):
    user_id = make_user()["id"]
    assert_okta_error(api.call("PATCH", f"{USERS}/{user_id}"), 405, "E0000022")
    assert_okta_error(api.call("DELETE", USERS), 405, "E0000022")
    assert_okta_error(api.call("GET", f"{USERS}/{user_id}/lifecycle/suspend"), 405, "E0000022")
    no_token = api.call("GET", USERS, headers={"Authorization": "SSWS wrong"})
    assert_okta_error(no_token, 401, "E0000011")
