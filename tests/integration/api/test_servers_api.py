"""``/api/v1/authorizationServers``: CRUD, lifecycle, the default server, search, paging and bad input."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.integration.api.apisupport import (
    BASE,
    DELETE,
    SERVERS,
    assert_error,
    assert_no_content,
    assert_not_found,
    assert_validation,
    etag_version,
    nothing_changes,
    parse_links,
    server_body,
    with_path,
)

T0 = "2026-01-01T12:00:00.000Z"


def create(api, **overrides) -> dict:
    response = api.post(SERVERS, server_body(**overrides))
    assert response.status_code == 201, response.data
    return response.data


# -- create and read -----------------------------------------------------------------------------------------------


def test_create_answers_201_with_okta_shape(api):
    response = api.post(SERVERS, server_body())
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["ETag"] == 'W/"1"'
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Okta-Request-Id"])
    body = response.data
    sid = body["id"]
    assert re.fullmatch(r"aus[A-Za-z0-9]{17}", sid)
    assert list(body) == ["id", "name", "description", "audiences", "issuer", "issuerMode", "status", "created",
                          "lastUpdated", "credentials", "default", "_links"]
    assert body["name"] == "Orders"
    assert body["description"] == "Orders API"
    assert body["audiences"] == ["api://orders"]
    assert body["issuer"] == f"{BASE}/oauth2/{sid}"
    assert body["issuerMode"] == "ORG_URL"
    assert body["status"] == "ACTIVE"
    assert body["created"] == body["lastUpdated"] == T0
    assert body["default"] is False
    signing = body["credentials"]["signing"]
    assert list(signing) == ["kid", "rotationMode", "lastRotated", "nextRotation"]
    assert signing["rotationMode"] == "AUTO"
    assert signing["lastRotated"] == T0
    assert signing["nextRotation"] == "2026-04-01T12:00:00.000Z"  # + 90 days
    assert body["_links"]["self"]["href"] == f"{BASE}{SERVERS}/{sid}"
    assert "deactivate" in body["_links"] and "activate" not in body["_links"]
    # A new server starts with its 7 system scopes and 19 system claims, and no policy (okta-api.md 2.4).
    assert [s["system"] for s in api.get(f"{SERVERS}/{sid}/scopes").data] == [True] * 7
    assert [c["system"] for c in api.get(f"{SERVERS}/{sid}/claims").data] == [True] * 19
    assert api.get(f"{SERVERS}/{sid}/policies").data == []
    # GET returns what POST returned.
    got = api.get(f"{SERVERS}/{sid}")
    assert got.status_code == 200
    assert got.headers["ETag"] == 'W/"1"'
    assert got.data == body


def test_description_is_absent_when_not_given(api):
    """Okta's spec types it as a string: no value is no property, never null (the SDK reads both as None)."""
    response = api.put(f"{SERVERS}/default", {"name": "default", "audiences": ["api://default"]})
    assert response.status_code == 200
    assert "description" not in response.data


def test_post_ignores_manual_rotation_and_put_switches_it(api):
    created = create(api, credentials={"signing": {"rotationMode": "MANUAL"}})
    assert created["credentials"]["signing"]["rotationMode"] == "AUTO"
    path = f"{SERVERS}/{created['id']}"

    manual = api.put(path, server_body(credentials={"signing": {"rotationMode": "MANUAL"}}))
    assert manual.status_code == 200
    signing = manual.data["credentials"]["signing"]
    assert signing["rotationMode"] == "MANUAL"
    assert "nextRotation" not in signing
    assert signing["kid"] == created["credentials"]["signing"]["kid"]  # switching mode keeps the active key
    assert api.get(path).data["credentials"]["signing"]["rotationMode"] == "MANUAL"

    auto = api.put(path, server_body(credentials={"signing": {"rotationMode": "AUTO"}}))
    assert auto.data["credentials"]["signing"]["rotationMode"] == "AUTO"
    assert "nextRotation" in auto.data["credentials"]["signing"]


def test_put_replaces_the_writable_fields(api, clock, default_ids):
    path = f"{SERVERS}/default"
    clock.advance(minutes=5)
    response = api.put(path, server_body(name="Orders v2", description="Second", audiences=["api://orders/v2"]))
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"2"'
    body = response.data
    assert (body["name"], body["description"], body["audiences"]) == ("Orders v2", "Second", ["api://orders/v2"])
    assert body["created"] == T0
    assert body["lastUpdated"] == "2026-01-01T12:05:00.000Z"
    assert body["id"] == default_ids["server"]
    assert api.get(path).data == body


def test_put_tolerates_the_read_only_fields_of_a_get(api):
    path = f"{SERVERS}/default"
    before = api.get(path).data
    response = api.put(path, {**before, "name": "Renamed"})
    assert response.status_code == 200, response.data
    assert response.data == {**before, "name": "Renamed"}


# -- delete and lifecycle ------------------------------------------------------------------------------------------


def test_delete_answers_204_and_the_server_is_gone(api):
    created = create(api)
    path = f"{SERVERS}/{created['id']}"
    assert_no_content(api.delete(path))
    assert_not_found(api.get(path), created["id"], "AuthorizationServer")
    assert created["id"] not in [s["id"] for s in api.get(SERVERS).data]
    assert_not_found(api.delete(path), created["id"], "AuthorizationServer")
    assert_not_found(api.get(f"{path}/scopes"), created["id"], "AuthorizationServer")


def test_deactivate_and_activate(api, clock):
    path = f"{SERVERS}/default"
    clock.advance(minutes=1)

    assert_no_content(api.post(f"{path}/lifecycle/deactivate"))
    inactive = api.get(path).data
    assert inactive["status"] == "INACTIVE"
    assert inactive["lastUpdated"] == "2026-01-01T12:01:00.000Z"
    assert inactive["_links"]["activate"]["href"] == f"{BASE}{path}/lifecycle/activate"
    assert list(inactive["_links"])[-1] == "activate"
    assert "deactivate" not in inactive["_links"]
    assert_no_content(api.post(f"{path}/lifecycle/deactivate"))  # idempotent

    assert_no_content(api.post(f"{path}/lifecycle/activate"))
    active = api.get(path).data
    assert active["status"] == "ACTIVE"
    assert "deactivate" in active["_links"] and "activate" not in active["_links"]


def test_activating_an_active_server_answers_204_without_touching_it(api, clock):
    path = f"{SERVERS}/default"
    clock.advance(minutes=1)
    with nothing_changes():
        assert_no_content(api.post(f"{path}/lifecycle/activate"))
    assert api.get(path).data["lastUpdated"] == T0


@pytest.mark.parametrize("method, suffix", [
    ("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/lifecycle/activate"), ("POST", "/lifecycle/deactivate"),
])
def test_unknown_server_is_404(api, method, suffix):
    with nothing_changes():
        response = api.call(method, f"{SERVERS}/ausUNKNOWN0000000000{suffix}",
                            body=server_body() if method == "PUT" else None)
    assert_not_found(response, "ausUNKNOWN0000000000", "AuthorizationServer")


# -- the default server --------------------------------------------------------------------------------------------


def test_default_server_is_seeded_and_reachable_by_alias_and_id(api, default_ids):
    by_alias = api.get(f"{SERVERS}/default")
    assert by_alias.status_code == 200
    body = by_alias.data
    assert body["id"] == default_ids["server"]
    assert body["name"] == "default"
    assert body["description"] == "Default Authorization Server for your Applications"
    assert body["audiences"] == ["api://default"]
    assert body["issuer"] == f"{BASE}/oauth2/default"
    assert body["default"] is True
    hrefs = [v["href"] for k, v in body["_links"].items() if k != "metadata"]
    hrefs += [m["href"] for m in body["_links"]["metadata"]]
    assert all("/default" in h and default_ids["server"] not in h for h in hrefs), hrefs

    by_id = api.get(f"{SERVERS}/{default_ids['server']}")
    assert by_id.data == body  # links say "default" even when the request used the real id


def test_default_server_cannot_be_deleted(api, default_ids):
    for server_id in ("default", default_ids["server"]):
        with nothing_changes():
            response = api.delete(f"{SERVERS}/{server_id}")
        assert_error(response, 403, "E0000006", "You do not have permission to perform the requested action")
    assert api.get(f"{SERVERS}/default").status_code == 200


def test_default_server_can_be_renamed_and_keeps_its_issuer(api):
    response = api.put(f"{SERVERS}/default", server_body(name="Main", audiences=["api://main"]))
    assert response.status_code == 200
    assert (response.data["name"], response.data["audiences"]) == ("Main", ["api://main"])
    assert response.data["issuer"] == f"{BASE}/oauth2/default"
    assert response.data["default"] is True


# -- search --------------------------------------------------------------------------------------------------------


def test_search_matches_the_exact_name_or_audience_case_insensitively(api):
    create(api, name="Orders Archive", audiences=["api://archive"])
    assert api.put(f"{SERVERS}/default", server_body(name="Orders", audiences=["api://default"])).status_code == 200

    def found(q: str) -> list[str]:
        response = api.get(f"{SERVERS}?q={q}")
        assert response.status_code == 200
        return [s["name"] for s in response.data]

    assert found("Orders") == ["Orders"]
    assert found("oRdErS") == ["Orders"]
    assert found("api://ARCHIVE") == ["Orders Archive"]
    assert found("API://default") == ["Orders"]
    assert found("Ord") == []  # no prefix or substring matching
    assert found("Archive") == []
    assert found("nothing") == []
    assert sorted(found("")) == ["Orders", "Orders Archive"]  # no q: everything


# -- paging --------------------------------------------------------------------------------------------------------


def make_servers(api, clock, count: int) -> list[str]:
    ids = []
    for i in range(count):
        clock.advance(seconds=1)
        ids.append(create(api, name=f"S{i}", audiences=[f"api://s{i}"])["id"])
    return ids


def test_paging_follows_next_links_to_the_last_page_and_survives_deletions(api, clock, default_ids):
    first, second = make_servers(api, clock, 2)
    seen, url, pages = [], f"{SERVERS}?limit=1", 0
    while url:
        response = api.get(url)
        assert response.status_code == 200
        links = parse_links(response.headers["Link"])
        assert links["self"] == f"{BASE}{url}"
        seen += [s["id"] for s in response.data]
        pages += 1
        url = links["next"].removeprefix(BASE) if "next" in links else None
        if url:
            assert len(response.data) == 1
            assert parse_qs(urlparse(url).query)["limit"] == ["1"]
    assert pages == 3
    assert seen == [default_ids["server"], first, second]

    # A cursor names the last item of its page, and still works once that item is deleted.
    page1 = api.get(f"{SERVERS}?limit=2")
    assert [s["id"] for s in page1.data] == [default_ids["server"], first]
    next_url = parse_links(page1.headers["Link"])["next"].removeprefix(BASE)
    assert_no_content(api.delete(f"{SERVERS}/{first}"))
    page2 = api.get(next_url)
    assert [s["id"] for s in page2.data] == [second]
    assert "next" not in parse_links(page2.headers["Link"])

    # A page that holds everything has no next link, and neither has an unpaged listing.
    everything = api.get(f"{SERVERS}?limit=2")
    assert len(everything.data) == 2
    assert parse_links(everything.headers["Link"]) == {"self": f"{BASE}{SERVERS}?limit=2"}
    unpaged = api.get(SERVERS)
    assert parse_links(unpaged.headers["Link"]) == {"self": f"{BASE}{SERVERS}"}

    # Search and paging combine.
    searched = api.get(f"{SERVERS}?q=S1&limit=1")
    assert [s["name"] for s in searched.data] == ["S1"]
    assert parse_links(searched.headers["Link"]) == {"self": f"{BASE}{SERVERS}?q=S1&limit=1"}


def test_limit_above_200_is_clamped_not_refused(api):
    response = api.get(f"{SERVERS}?limit=5000")
    assert response.status_code == 200
    assert [s["name"] for s in response.data] == ["default"]


@pytest.mark.parametrize("query", ["limit=0", "limit=-1", "limit=abc", "limit=1.5", "after=!!!!", "after=abc",
                                   "limit=2&after=%25%25"])
def test_bad_paging_is_400_e0000029(api, query):
    assert_error(api.get(f"{SERVERS}?{query}"), 400, "E0000029", "Invalid paging request.", [])


# -- bad input -----------------------------------------------------------------------------------------------------

BAD_BODIES = [
    ({}, ["name", "audiences"]),
    (with_path(server_body(), "name", DELETE), ["name"]),
    (server_body(name=None), ["name"]),
    (server_body(name=""), ["name"]),
    (server_body(name=42), ["name"]),
    (server_body(name="x" * 101), ["name"]),
    (server_body(description="x" * 256), ["description"]),
    (server_body(description=["a"]), ["description"]),
    (with_path(server_body(), "audiences", DELETE), ["audiences"]),
    (server_body(audiences=[]), ["audiences"]),
    (server_body(audiences="api://orders"), ["audiences"]),
    (server_body(audiences=["api://a", "api://b"]), ["audiences"]),
    (server_body(audiences=["has space"]), ["audiences"]),
    (server_body(audiences=["urn:"]), ["audiences"]),
    (server_body(audiences=[7]), ["audiences"]),
    (server_body(issuerMode="SOMETIMES"), ["issuerMode"]),
    (server_body(issuerMode="CUSTOM_URL"), ["issuerMode"]),
    (server_body(credentials={"signing": {"rotationMode": "WEEKLY"}}), ["credentials.signing.rotationMode"]),
    (server_body(credentials={"signing": {"use": "enc"}}), ["credentials.signing.use"]),
    (server_body(credentials="AUTO"), ["credentials"]),
    (server_body(jwks_uri="https://keys.example.com"), ["jwks_uri"]),
    (server_body(accessTokenEncryptedResponseAlgorithm="RSA-OAEP-256"), ["accessTokenEncryptedResponseAlgorithm"]),
    (server_body(name="", audiences=[], issuerMode="X"), ["name", "audiences", "issuerMode"]),
]


@pytest.mark.parametrize("body, fields", BAD_BODIES)
def test_bad_create_is_400_and_creates_nothing(api, body, fields):
    with nothing_changes():
        response = api.post(SERVERS, body)
    causes = assert_validation(response, "authorizationServer", *fields)
    assert all(re.fullmatch(r"[\w.]+: .+", c) for c in causes), causes


@pytest.mark.parametrize("body, fields", BAD_BODIES[::3])  # the same reader serves create and replace
def test_bad_replace_is_400_and_changes_nothing(api, body, fields):
    path = f"{SERVERS}/default"
    before = api.get(path).data
    with nothing_changes():
        response = api.put(path, body)
    assert_validation(response, "authorizationServer", *fields)
    after = api.get(path)
    assert after.data == before
    assert etag_version(after) == 1


@pytest.mark.parametrize("raw, content_type", [
    ("{not json", "application/json"),
    ('{"name": "x",}', "application/json"),
    ('[{"name": "x", "audiences": ["api://x"]}]', "application/json"),
    ('"just a string"', "application/json"),
    ("42", "application/json"),
    ('{"name": "x", "audiences": ["api://x"]}', "text/plain"),
])
def test_malformed_bodies_are_400_e0000003(api, raw, content_type):
    with nothing_changes():
        response = api.post(SERVERS, raw=raw, headers={"Content-Type": content_type})
    assert_error(response, 400, "E0000003", "The request body was not well-formed.", [])
    with nothing_changes():
        response = api.put(f"{SERVERS}/default", raw=raw, headers={"Content-Type": content_type})
    assert_error(response, 400, "E0000003", "The request body was not well-formed.", [])


def test_empty_body_is_a_validation_error(api):
    with nothing_changes():
        response = api.post(SERVERS)
    assert_validation(response, "authorizationServer", "name", "audiences")


@pytest.mark.parametrize("audiences", [-1, 1.5, True, 10 ** 20, "api://one", {"a": 1}])
def test_audiences_that_are_not_a_list_are_a_validation_error(api, audiences):
    # A number other than 0 was a 500: the one-audience check took its len() (found by a mutation probe).
    for method, path in (("POST", SERVERS), ("PUT", f"{SERVERS}/default")):
        with nothing_changes():
            response = api.call(method, path, server_body(audiences=audiences))
        assert_error(response, 400, "E0000001", "Api validation failed: authorizationServer",
                     ["audiences: Must be a list of non-empty strings."])
