"""The five directory listings (users, groups, a group's members, an app's users and groups) share one handler
(api/listing.py): the same ``limit``/``after`` paging and, for users and groups, ``q``/``search``/``filter``, and the
same single ``Link`` header, byte for byte."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from directory_support import APPS, BASE, GROUPS, USERS, assert_okta_error


def links(response) -> dict[str, str]:
    found = {}
    for part in response.headers["Link"].split(", <"):
        url, rel = part.split(">; rel=")
        found[rel.strip('"')] = url.lstrip("<")
    return found


def after_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["after"][0]


def walk(api, path: str, params: dict[str, str]) -> list[dict]:
    """Every page of one item; each page's Link header is exactly what Okta's SDK follows."""
    seen, after = [], None
    while True:
        shown = {**params, "limit": "1", **({"after": after} if after else {})}
        response = api.get(f"{path}?{urlencode(shown)}")
        assert response.status_code == 200, response.data
        assert len(response.data) <= 1
        seen += response.data
        found = links(response)
        assert found["self"] == f"{BASE}{path}?{urlencode(shown)}"
        if "next" not in found:
            return seen
        after = after_of(found["next"])
        assert found["next"] == f"{BASE}{path}?{urlencode({**params, 'limit': '1', 'after': after})}"


def test_users_with_q_search_and_filter(api, make_user):
    for name in ("lista", "listb", "other"):
        make_user(name, activate=True)
    # Link parameters keep Okta's order: q, search, filter, limit, after.
    params = {"q": "list", "search": 'profile.lastName eq "Tester"', "filter": 'status eq "ACTIVE"'}
    assert sorted(u["profile"]["firstName"] for u in walk(api, USERS, params)) == ["Lista", "Listb"]


def test_groups_with_q_and_members(api, make_group, make_user):
    group = make_group("listing-one")
    make_group("listing-two")
    listed = walk(api, GROUPS, {"q": "listing", "filter": 'type eq "OKTA_GROUP"'})
    assert sorted(g["profile"]["name"] for g in listed) == ["listing-one", "listing-two"]
    for name in ("member1", "member2"):
        user = make_user(name)
        assert api.put(f"{GROUPS}/{group['id']}/users/{user['id']}").status_code == 204
    assert len(walk(api, f"{GROUPS}/{group['id']}/users", {})) == 2


def test_app_users_and_groups(api, make_client, make_user, make_group):
    client_id = make_client()
    for name in ("appuser1", "appuser2"):
        assert api.post(f"{APPS}/{client_id}/users", {"id": make_user(name)["id"]}).status_code == 200
    for _ in range(2):
        assert api.put(f"{APPS}/{client_id}/groups/{make_group()['id']}").status_code == 200
    assert len(walk(api, f"{APPS}/{client_id}/users", {})) == 2
    assert len(walk(api, f"{APPS}/{client_id}/groups", {})) == 2


def test_a_listing_without_parameters_links_to_itself_alone(api):
    response = api.get(GROUPS)
    assert response.headers["Link"] == f'<{BASE}{GROUPS}>; rel="self"'


def test_bad_paging_and_search_are_okta_errors(api, make_client):
    client_id = make_client()
    for path in (USERS, GROUPS, f"{APPS}/{client_id}/users", f"{APPS}/{client_id}/groups"):
        assert_okta_error(api.get(f"{path}?limit=0"), 400, "E0000029", "Invalid paging request.")
    for path in (USERS, GROUPS):
        assert_okta_error(api.get(f"{path}?search=nonsense"), 400, "E0000031", "Invalid search criteria.")
