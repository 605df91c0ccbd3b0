"""``/api/v1/authorizationServers/{as}/scopes`` (okta-api.md 4): CRUD, system scopes, names, paging, bad input."""
from __future__ import annotations

import re

import pytest

from chalicelib.domain import Scope
from tests.integration.api.apisupport import (
    BASE,
    DELETE,
    SERVERS,
    SYSTEM_SCOPES,
    assert_error,
    assert_no_content,
    assert_not_found,
    assert_validation,
    etag_version,
    nothing_changes,
    parse_links,
    scope_body,
    with_path,
)

SCOPES = f"{SERVERS}/default/scopes"


def create(api, path: str = SCOPES, **overrides) -> dict:
    response = api.post(path, scope_body(**overrides))
    assert response.status_code == 201, response.data
    return response.data


def names(response) -> list[str]:
    assert response.status_code == 200, response.data
    return [s["name"] for s in response.data]


# -- system scopes -------------------------------------------------------------------------------------------------


def test_the_default_server_has_the_seven_system_scopes(api):
    scopes = {s["name"]: s for s in api.get(SCOPES).data if s["system"]}
    assert set(scopes) == set(SYSTEM_SCOPES)
    for name, (display, description) in SYSTEM_SCOPES.items():
        scope = scopes[name]
        assert (scope["displayName"], scope["description"]) == (display, description)
        assert (scope["consent"], scope["metadataPublish"], scope["optional"], scope["default"]) == \
            ("IMPLICIT", "ALL_CLIENTS", False, False)
        assert re.fullmatch(r"scp[A-Za-z0-9]{17}", scope["id"])


def test_system_scopes_cannot_be_deleted(api):
    openid = next(s for s in api.get(SCOPES).data if s["name"] == "openid")
    with nothing_changes():
        response = api.delete(f"{SCOPES}/{openid['id']}")
    assert_error(response, 403, "E0000006", "You do not have permission to perform the requested action",
                 ["'openid' is a system scope and cannot be deleted."])
    assert api.get(f"{SCOPES}/{openid['id']}").status_code == 200


def test_system_scopes_cannot_be_renamed(api):
    email = next(s for s in api.get(SCOPES).data if s["name"] == "email")
    with nothing_changes():
        response = api.put(f"{SCOPES}/{email['id']}", scope_body(name="mail"))
    assert_validation(response, "scope", "name")
    assert api.get(f"{SCOPES}/{email['id']}").data == email


def test_a_system_scope_keeps_its_name_and_flag_when_its_texts_are_edited(api):
    email = next(s for s in api.get(SCOPES).data if s["name"] == "email")
    response = api.put(f"{SCOPES}/{email['id']}", {**email, "description": "Your e-mail address."})
    assert response.status_code == 200
    assert (response.data["name"], response.data["system"], response.data["description"]) == \
        ("email", True, "Your e-mail address.")


# -- CRUD ----------------------------------------------------------------------------------------------------------


def test_create_answers_201_with_okta_shape_and_defaults(api):
    response = api.post(SCOPES, {"name": "car:drive"})
    assert response.status_code == 201
    assert response.headers["ETag"] == 'W/"1"'
    body = response.data
    assert list(body) == ["id", "name", "system", "metadataPublish", "consent", "optional", "apiResourceId",
                          "default", "_links"]  # no displayName or description given: absent, never null
    assert re.fullmatch(r"scp[A-Za-z0-9]{17}", body["id"])
    assert body == {
        "id": body["id"], "name": "car:drive", "system": False,
        "metadataPublish": "NO_CLIENTS", "consent": "IMPLICIT", "optional": False, "apiResourceId": None,
        "default": False,
        "_links": {"self": {"href": f"{BASE}{SCOPES}/{body['id']}", "hints": {"allow": ["GET", "PUT", "DELETE"]}}},
    }
    got = api.get(f"{SCOPES}/{body['id']}")
    assert got.status_code == 200 and got.data == body
    assert "car:drive" in names(api.get(SCOPES))


def test_create_with_every_field(api):
    body = create(api, name="orders:write", consent="REQUIRED", metadataPublish="ALL_CLIENTS", default=True,
                  optional=True)
    assert (body["consent"], body["metadataPublish"], body["default"], body["optional"]) == \
        ("REQUIRED", "ALL_CLIENTS", True, True)
    assert (body["displayName"], body["description"]) == ("Read orders", "Read your orders")


def test_put_replaces_and_bumps_the_version(api):
    created = create(api)
    path = f"{SCOPES}/{created['id']}"
    response = api.put(path, scope_body(name="orders:list", consent="FLEXIBLE", description=None))
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"2"'
    assert (response.data["name"], response.data["consent"], response.data.get("description", "absent")) == \
        ("orders:list", "FLEXIBLE", "absent")
    assert response.data["id"] == created["id"]
    assert api.get(path).data == response.data
    # The old name is free again once renamed away.
    assert create(api, name="orders:read")["name"] == "orders:read"


def test_delete_answers_204_and_frees_the_name(api):
    created = create(api)
    path = f"{SCOPES}/{created['id']}"
    assert_no_content(api.delete(path))
    assert_not_found(api.get(path), created["id"], "OAuth2Scope")
    assert_not_found(api.delete(path), created["id"], "OAuth2Scope")
    assert "orders:read" not in names(api.get(SCOPES))
    assert create(api)["name"] == "orders:read"


def test_default_alias_and_real_id_address_the_same_scopes(api, default_ids):
    created = create(api)
    by_id = api.get(f"{SERVERS}/{default_ids['server']}/scopes/{created['id']}")
    assert by_id.status_code == 200
    assert by_id.data == created  # links keep saying "default"
    assert f"/authorizationServers/default/scopes/{created['id']}" in created["_links"]["self"]["href"]


# -- uniqueness ----------------------------------------------------------------------------------------------------


def test_duplicate_name_is_400_and_creates_nothing(api):
    create(api)
    with nothing_changes():
        response = api.post(SCOPES, scope_body(description="again"))
    assert_error(response, 400, "E0000001", "Api validation failed: scope",
                 ["name: A scope named 'orders:read' already exists on this authorization server."])


def test_a_system_scope_name_is_taken_too(api):
    with nothing_changes():
        response = api.post(SCOPES, {"name": "openid"})
    assert_validation(response, "scope", "name")


def test_names_are_case_sensitive(api):
    create(api, name="orders:read")
    assert create(api, name="Orders:Read")["name"] == "Orders:Read"


def test_renaming_onto_a_taken_name_is_400_and_changes_nothing(api):
    first = create(api, name="first")
    second = create(api, name="second")
    with nothing_changes():
        response = api.put(f"{SCOPES}/{second['id']}", scope_body(name="first"))
    assert_error(response, 400, "E0000001", "Api validation failed: scope",
                 ["name: A scope named 'first' already exists on this authorization server."])
    assert api.get(f"{SCOPES}/{second['id']}").data == second
    assert api.get(f"{SCOPES}/{first['id']}").data == first


# -- bad input -----------------------------------------------------------------------------------------------------

BAD_BODIES = [
    ({}, ["name"]),
    (with_path(scope_body(), "name", DELETE), ["name"]),
    (scope_body(name=None), ["name"]),
    (scope_body(name=""), ["name"]),
    (scope_body(name=7), ["name"]),
    (scope_body(name="x" * 301), ["name"]),
    (scope_body(name="okta.users.read"), ["name"]),
    (scope_body(name="okta"), ["name"]),
    (scope_body(name="*"), ["name"]),
    (scope_body(name="two words"), ["name"]),
    (scope_body(name='say"hi'), ["name"]),
    (scope_body(name="a<b>"), ["name"]),
    (scope_body(displayName="x" * 256), ["displayName"]),
    (scope_body(description="x" * 1001), ["description"]),
    (scope_body(description=5), ["description"]),
    (scope_body(consent="ADMIN"), ["consent"]),
    (scope_body(consent="required"), ["consent"]),
    (scope_body(metadataPublish="SOME_CLIENTS"), ["metadataPublish"]),
    (scope_body(default="yes"), ["default"]),
    (scope_body(optional=1), ["optional"]),
    (scope_body(name="", consent="X", default="no"), ["name", "consent", "default"]),
]


@pytest.mark.parametrize("body, fields", BAD_BODIES)
def test_bad_create_is_400_and_creates_nothing(api, body, fields):
    with nothing_changes():
        response = api.post(SCOPES, body)
    assert_validation(response, "scope", *fields)


@pytest.mark.parametrize("body, fields", BAD_BODIES[::3])  # the same reader serves create and replace
def test_bad_replace_is_400_and_changes_nothing(api, body, fields):
    created = create(api)
    path = f"{SCOPES}/{created['id']}"
    with nothing_changes():
        response = api.put(path, body)
    assert_validation(response, "scope", *fields)
    after = api.get(path)
    assert after.data == created and etag_version(after) == 1


@pytest.mark.parametrize("raw", ["{", "[]", '[{"name": "x"}]', "null null", '"orders:read"'])
def test_malformed_bodies_are_400_e0000003(api, raw):
    created = create(api)
    for method, path in (("POST", SCOPES), ("PUT", f"{SCOPES}/{created['id']}")):
        with nothing_changes():
            response = api.call(method, path, raw=raw, headers={"Content-Type": "application/json"})
        assert_error(response, 400, "E0000003", "The request body was not well-formed.", [])


def test_unknown_server_is_404(api):
    path = f"{SERVERS}/ausNOPE/scopes"
    for response in (api.get(path), api.post(path, scope_body()), api.get(f"{path}/scpX"),
                     api.put(f"{path}/scpX", scope_body()), api.delete(f"{path}/scpX")):
        assert_not_found(response, "ausNOPE", "AuthorizationServer")


def test_unknown_scope_is_404(api):
    with nothing_changes():
        for response in (api.get(f"{SCOPES}/scpNOPE"), api.put(f"{SCOPES}/scpNOPE", scope_body()),
                         api.delete(f"{SCOPES}/scpNOPE")):
            assert_not_found(response, "scpNOPE", "OAuth2Scope")


# -- search and paging ---------------------------------------------------------------------------------------------


def test_listing_is_sorted_by_name_and_q_matches_name_prefixes_case_insensitively(api):
    create(api, name="orders:read")
    assert names(api.get(SCOPES)) == sorted([*SYSTEM_SCOPES, "orders:read"])
    assert names(api.get(f"{SCOPES}?q=EMAIL")) == ["email"]
    assert names(api.get(f"{SCOPES}?q=o")) == ["offline_access", "openid", "orders:read"]
    assert names(api.get(f"{SCOPES}?q=zzz")) == []


def test_paging_follows_next_links(api):
    expected = sorted(SYSTEM_SCOPES)
    seen, url, pages = [], f"{SCOPES}?limit=3", 0
    while url:
        response = api.get(url)
        links = parse_links(response.headers["Link"])
        assert links["self"] == f"{BASE}{url}"
        seen += names(response)
        pages += 1
        url = links["next"].removeprefix(BASE) if "next" in links else None
    assert (seen, pages) == (expected, 3)


def test_a_scope_cursor_survives_deletion_of_the_scope_it_names(api):
    first = create(api, name="aaa")
    create(api, name="aab")
    page1 = api.get(f"{SCOPES}?limit=1")
    assert names(page1) == ["aaa"]
    next_url = parse_links(page1.headers["Link"])["next"].removeprefix(BASE)
    assert_no_content(api.delete(f"{SCOPES}/{first['id']}"))
    assert names(api.get(next_url)) == ["aab"]


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "limit=-3", "after=%21%21%21"])
def test_bad_paging_is_400_e0000029(api, query):
    assert_error(api.get(f"{SCOPES}?{query}"), 400, "E0000029", "Invalid paging request.", [])


def test_limit_above_200_is_clamped_to_200(api, container, default_ids):
    # 200 scopes written straight to the store: going through the API would only make this test slow.
    for i in range(200):
        scope = Scope(id=f"scpBULK{i:013d}", name=f"bulk:{i:03d}", display_name=None, description=None,
                      system=False, metadata_publish="NO_CLIENTS", consent="IMPLICIT", optional=False, default=False)
        container.storage.config.create_scope(default_ids["server"], scope)
    first = api.get(f"{SCOPES}?limit=1000")
    assert len(first.data) == 200
    links = parse_links(first.headers["Link"])
    assert links["self"] == f"{BASE}{SCOPES}?limit=1000"
    rest = api.get(links["next"].removeprefix(BASE))
    assert len(rest.data) == 7
    assert "next" not in parse_links(rest.headers["Link"])
    assert len(api.get(SCOPES).data) == 200  # no limit = the maximum
