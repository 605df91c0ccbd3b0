"""``/api/v1/trustedOrigins``: Okta's Trusted Origins API (create, read, list with q/filter/limit/after, replace,
activate, deactivate, delete). Bad input is Okta's error JSON and changes nothing."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.integration.api.apisupport import (
    BASE,
    assert_error,
    assert_no_content,
    assert_not_found,
    assert_validation,
    nothing_changes,
    parse_links,
)

ORIGINS = "/api/v1/trustedOrigins"
T0 = "2026-01-01T12:00:00.000Z"
DUPLICATE = "An object with this field already exists in the current organization"


def body(name: str = "SPA", origin: str = "https://app.example.com", *types: str) -> dict:
    return {"name": name, "origin": origin, "scopes": [{"type": t} for t in types or ("CORS",)]}


def create(api, *args: str) -> dict:
    response = api.post(ORIGINS, body(*args))
    assert response.status_code == 200, response.data
    return response.data


def test_create_answers_200_with_okta_s_trusted_origin(api, admin_token, container):
    response = api.post(ORIGINS, body("SPA", "HTTPS://App.Example.com:443/", "CORS", "REDIRECT"))
    assert response.status_code == 200
    created = response.data
    assert re.fullmatch(r"tos[A-Za-z0-9]{17}", created["id"])
    token_id = container.api_tokens.authenticate(admin_token).id
    href = f"{BASE}{ORIGINS}/{created['id']}"
    assert created == {
        "id": created["id"], "name": "SPA", "origin": "https://app.example.com",
        "scopes": [{"type": "CORS"}, {"type": "REDIRECT"}], "status": "ACTIVE",
        "created": T0, "createdBy": token_id, "lastUpdated": T0, "lastUpdatedBy": token_id,
        "_links": {"self": {"href": href, "hints": {"allow": ["GET", "PUT", "DELETE"]}},
                   "deactivate": {"href": f"{href}/lifecycle/deactivate", "hints": {"allow": ["POST"]}}},
    }
    assert response.headers["ETag"] == 'W/"1"'
    got = api.get(f"{ORIGINS}/{created['id']}")
    assert (got.status_code, got.data) == (200, created)


def test_iframe_embed_keeps_its_allowed_apps(api):
    response = api.post(ORIGINS, {"name": "portal", "origin": "https://portal.example.com",
                                  "scopes": [{"type": "IFRAME_EMBED", "allowedOktaApps": ["OKTA_ENDUSER"]}]})
    assert response.status_code == 200, response.data
    assert response.data["scopes"] == [{"type": "IFRAME_EMBED", "allowedOktaApps": ["OKTA_ENDUSER"]}]


def test_replace_is_a_get_modify_put(api, clock):
    created = create(api)
    clock.advance(seconds=60)
    sent = {**created, "name": "SPA v2", "origin": "http://localhost:3000", "scopes": [{"type": "REDIRECT"}],
            "status": "INACTIVE", "created": "1999-01-01T00:00:00.000Z"}
    response = api.put(f"{ORIGINS}/{created['id']}", sent)
    assert response.status_code == 200, response.data
    updated = response.data
    assert (updated["name"], updated["origin"], updated["scopes"]) == ("SPA v2", "http://localhost:3000",
                                                                       [{"type": "REDIRECT"}])
    # read-only members are not taken from the body: status changes only through the lifecycle
    assert (updated["status"], updated["created"]) == ("ACTIVE", T0)
    assert updated["lastUpdated"] == "2026-01-01T12:01:00.000Z"
    assert api.get(f"{ORIGINS}/{created['id']}").data == updated
    # the old origin and name are free again
    create(api, "SPA", "https://app.example.com")


def test_deactivate_and_activate(api):
    created = create(api)
    path = f"{ORIGINS}/{created['id']}"
    off = api.post(f"{path}/lifecycle/deactivate")
    assert (off.status_code, off.data["status"]) == (200, "INACTIVE")
    assert set(off.data["_links"]) == {"self", "activate"}
    with nothing_changes():
        again = api.post(f"{path}/lifecycle/deactivate")  # already inactive: the same answer, nothing written
    assert (again.status_code, again.data) == (200, off.data)
    on = api.post(f"{path}/lifecycle/activate")
    assert (on.status_code, on.data["status"]) == (200, "ACTIVE")
    assert set(on.data["_links"]) == {"self", "deactivate"}


def test_delete(api):
    created = create(api)
    assert_no_content(api.delete(f"{ORIGINS}/{created['id']}"))
    assert_not_found(api.get(f"{ORIGINS}/{created['id']}"), created["id"], "TrustedOrigin")
    assert api.get(ORIGINS).data == []
    create(api)  # origin and name are free again


def test_list_with_q_filter_and_paging(api, clock):
    made = []
    for i, (name, origin, types) in enumerate([("Alpha", "https://alpha.example", ("CORS",)),
                                               ("beta", "https://beta.example", ("REDIRECT",)),
                                               ("Alpine", "http://localhost:3000", ("CORS", "REDIRECT"))]):
        clock.advance(seconds=1)
        made.append(create(api, name, origin, *types))
    api.post(f"{ORIGINS}/{made[2]['id']}/lifecycle/deactivate")

    def names(query: str) -> list[str]:
        response = api.get(f"{ORIGINS}?{query}")
        assert response.status_code == 200, response.data
        return [o["name"] for o in response.data]

    assert names("") == ["Alpha", "beta", "Alpine"]
    assert names("q=al") == ["Alpha", "Alpine"]
    assert names("q=" + quote("https://b")) == ["beta"]
    assert names("filter=" + quote('type eq "CORS"')) == ["Alpha", "Alpine"]
    assert names("filter=" + quote('status eq "INACTIVE"')) == ["Alpine"]
    assert names("filter=" + quote('type eq "CORS" and status eq "ACTIVE"')) == ["Alpha"]
    assert names("filter=" + quote('name eq "beta" or origin eq "http://localhost:3000"')) == ["beta", "Alpine"]

    first = api.get(f"{ORIGINS}?limit=2")
    assert [o["name"] for o in first.data] == ["Alpha", "beta"]
    links = parse_links(first.headers["Link"])
    assert links["self"] == f"{BASE}{ORIGINS}?limit=2"
    second = api.get(links["next"].removeprefix(BASE))
    assert [o["name"] for o in second.data] == ["Alpine"]
    assert "next" not in parse_links(second.headers["Link"])


@pytest.mark.parametrize("query, code", [
    ("filter=" + quote('colour eq "red"'), "E0000031"), ("filter=" + quote("status eq"), "E0000031"),
    ("limit=0", "E0000029"), ("limit=abc", "E0000029"), ("after=%00", "E0000029"),
])
def test_bad_list_queries_are_400(api, query, code):
    create(api)
    response = api.get(f"{ORIGINS}?{query}")
    assert response.status_code == 400, response.data
    assert response.data["errorCode"] == code


@pytest.mark.parametrize("sent, fields", [
    ({}, ["name", "origin", "scopes"]),
    (body(origin="https://app.example.com/callback"), ["origin"]),
    (body(origin="https://*.example.com"), ["origin"]),
    (body(origin="javascript://app.example.com"), ["origin"]),
    ({**body(), "scopes": []}, ["scopes"]),
    ({**body(), "scopes": [{"type": "EVERYTHING"}]}, ["scopes[0].type"]),
    ({**body(), "name": "x" * 256}, ["name"]),
])
def test_bad_create_is_400_and_creates_nothing(api, sent, fields):
    with nothing_changes():
        assert_validation(api.post(ORIGINS, sent), "trustedOrigin", *fields)


def test_duplicate_origin_and_name_are_both_named(api):
    create(api, "SPA", "https://app.example.com")
    with nothing_changes():
        causes = assert_validation(api.post(ORIGINS, body("spa", "https://APP.example.com")), "trustedOrigin",
                                   "origin", "name")
    assert causes == [f"origin: {DUPLICATE}", f"name: {DUPLICATE}"]


def test_replace_onto_another_origin_is_400_and_changes_nothing(api):
    create(api, "One", "https://one.example")
    two = create(api, "Two", "https://two.example")
    with nothing_changes():
        assert_validation(api.put(f"{ORIGINS}/{two['id']}", body("Two", "https://one.example")), "trustedOrigin",
                          "origin")


@pytest.mark.parametrize("raw", ["{", '["x"]', "null"])
def test_malformed_bodies_are_400(api, raw):
    with nothing_changes():
        response = api.post(ORIGINS, raw=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.data["errorCode"] in {"E0000003", "E0000001"}


@pytest.mark.parametrize("method, suffix", [("GET", ""), ("PUT", ""), ("DELETE", ""),
                                            ("POST", "/lifecycle/activate"), ("POST", "/lifecycle/deactivate")])
def test_unknown_ids_are_404(api, method, suffix):
    with nothing_changes():
        response = api.call(method, f"{ORIGINS}/tosNOPE{suffix}", body(), headers={})
    assert_not_found(response, "tosNOPE", "TrustedOrigin")


def test_a_stale_if_match_is_412_and_changes_nothing(api):
    created = create(api)
    path = f"{ORIGINS}/{created['id']}"
    api.put(path, body("renamed"))
    with nothing_changes():
        assert_error(api.put(path, body("again"), headers={"If-Match": 'W/"1"'}), 412, "E0000195")
        assert_error(api.delete(path, headers={"If-Match": 'W/"1"'}), 412, "E0000195")


@pytest.mark.parametrize("method, path", [("GET", ORIGINS), ("POST", ORIGINS), ("GET", ORIGINS + "/tosX"),
                                          ("DELETE", ORIGINS + "/tosX")])
def test_every_route_needs_an_admin_token(client, method, path):
    with nothing_changes():
        response = getattr(client.http, method.lower())(path, headers={"Content-Type": "application/json"},
                                                        body=b"{}")
    assert_error(response, 401, "E0000011", "Invalid token provided", [])
