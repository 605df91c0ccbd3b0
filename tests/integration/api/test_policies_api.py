"""``/api/v1/authorizationServers/{as}/policies`` (okta-api.md 6.1, 6.2, 6.5): the seeded default policy, CRUD,
lifecycle, priorities and bad input."""
from __future__ import annotations

import re

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
    policy_body,
    raw_items,
    rule_body,
    with_path,
)

POLICIES = f"{SERVERS}/default/policies"
T0 = "2026-01-01T12:00:00.000Z"


def create(api, path: str = POLICIES, **overrides) -> dict:
    response = api.post(path, policy_body(**overrides))
    assert response.status_code == 201, response.data
    return response.data


def order(api, path: str = POLICIES) -> list[tuple[str, int]]:
    """(name, priority) of every policy, in listing order."""
    response = api.get(path)
    assert response.status_code == 200
    return [(p["name"], p["priority"]) for p in response.data]


# -- the seeded default policy and rule (okta-api.md 6.5) ------------------------------------------------------------


def test_the_default_server_is_seeded_with_the_historic_default_policy(api, default_ids):
    policies = api.get(POLICIES).data
    assert len(policies) == 1
    policy = policies[0]
    href = f"{BASE}{POLICIES}/{default_ids['policy']}"
    assert policy == {
        "id": default_ids["policy"], "status": "ACTIVE", "name": "Default Policy",
        "description": policy["description"], "priority": 1, "system": False,
        "conditions": {"clients": {"include": ["ALL_CLIENTS"]}}, "created": T0, "lastUpdated": T0,
        "_links": {
            "self": {"href": href, "hints": {"allow": ["GET", "PUT", "DELETE"]}},
            "rules": {"href": f"{href}/rules", "hints": {"allow": ["GET"]}},
            "deactivate": {"href": f"{href}/lifecycle/deactivate", "hints": {"allow": ["POST"]}},
        },
        "type": "OAUTH_AUTHORIZATION_POLICY",
    }
    assert isinstance(policy["description"], str) and policy["description"]


def test_the_default_policy_is_seeded_with_the_historic_default_rule(api, default_ids):
    rules = api.get(f"{POLICIES}/{default_ids['policy']}/rules").data
    assert len(rules) == 1
    rule = rules[0]
    href = f"{BASE}{POLICIES}/{default_ids['policy']}/rules/{default_ids['rule']}"
    assert rule == {
        "id": default_ids["rule"], "status": "ACTIVE", "name": "Default Policy Rule", "priority": 1,
        "created": T0, "lastUpdated": T0, "system": False,
        "conditions": {
            "people": {"users": {"include": [], "exclude": []}, "groups": {"include": ["EVERYONE"], "exclude": []}},
            "grantTypes": {"include": ["implicit", "client_credentials", "authorization_code", "password"]},
            "scopes": {"include": ["*"]},
        },
        "actions": {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0,
                              "refreshTokenWindowMinutes": 10080}},
        "_links": {
            "self": {"href": href, "hints": {"allow": ["GET", "PUT", "DELETE"]}},
            "deactivate": {"href": f"{href}/lifecycle/deactivate", "hints": {"allow": ["POST"]}},
        },
        "type": "RESOURCE_ACCESS",
    }


def test_policies_and_rules_are_the_same_through_the_alias_and_the_real_id(api, default_ids):
    real = f"{SERVERS}/{default_ids['server']}/policies/{default_ids['policy']}"
    alias = f"{POLICIES}/{default_ids['policy']}"
    assert api.get(real).data == api.get(alias).data
    assert api.get(f"{real}/rules/{default_ids['rule']}").data == api.get(f"{alias}/rules/{default_ids['rule']}").data
    assert api.get(f"{SERVERS}/{default_ids['server']}/policies").data == api.get(POLICIES).data
    assert "/authorizationServers/default/policies/" in api.get(real).data["_links"]["self"]["href"]


# -- CRUD and lifecycle --------------------------------------------------------------------------------------------


def test_create_answers_201_with_okta_shape_and_goes_last_by_default(api):
    response = api.post(POLICIES, policy_body())
    assert response.status_code == 201
    assert response.headers["ETag"] == 'W/"1"'
    body = response.data
    assert re.fullmatch(r"00p[A-Za-z0-9]{17}", body["id"])
    assert list(body) == ["id", "status", "name", "description", "priority", "system", "conditions", "created",
                          "lastUpdated", "_links", "type"]
    assert (body["name"], body["description"], body["priority"], body["system"], body["status"]) == \
        ("Orders policy", "Who gets orders", 2, False, "ACTIVE")
    assert body["conditions"] == {"clients": {"include": ["ALL_CLIENTS"]}}
    assert body["_links"]["self"]["href"] == f"{BASE}{POLICIES}/{body['id']}"
    got = api.get(f"{POLICIES}/{body['id']}")
    assert got.status_code == 200 and got.data == body
    assert got.headers["ETag"] == 'W/"1"'


def test_put_accepts_the_echo_of_a_get_as_okta_sdks_send_it(api, default_ids):
    path = f"{POLICIES}/{default_ids['policy']}"
    current = api.get(path).data
    response = api.put(path, {**current, "description": "Edited"})
    assert response.status_code == 200, response.data
    assert response.data == {**current, "description": "Edited"}


def test_a_policy_for_named_clients(api):
    body = create(api, conditions={"clients": {"include": ["0oa1", "0oa2"]}})
    assert body["conditions"] == {"clients": {"include": ["0oa1", "0oa2"]}}


def test_put_replaces_and_keeps_the_priority_when_none_is_given(api, clock):
    created = create(api)
    path = f"{POLICIES}/{created['id']}"
    clock.advance(minutes=3)
    response = api.put(path, policy_body(name="Renamed", description="New text", status="INACTIVE"))
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"2"'
    body = response.data
    assert (body["name"], body["description"], body["status"], body["priority"]) == \
        ("Renamed", "New text", "INACTIVE", 2)
    assert (body["created"], body["lastUpdated"]) == (T0, "2026-01-01T12:03:00.000Z")
    assert "activate" in body["_links"] and "deactivate" not in body["_links"]
    assert api.get(path).data == body


def test_delete_answers_204_and_removes_its_rules(api, container, default_ids):
    created = create(api)
    path = f"{POLICIES}/{created['id']}"
    rule = api.post(f"{path}/rules", rule_body()).data
    assert_no_content(api.delete(path))
    assert_not_found(api.get(path), created["id"], "AuthorizationServerPolicy")
    assert_not_found(api.get(f"{path}/rules/{rule['id']}"), created["id"], "AuthorizationServerPolicy")
    assert_not_found(api.delete(path), created["id"], "AuthorizationServerPolicy")
    leftovers = [i.sk for i in raw_items(container, f"AS#{default_ids['server']}") if created["id"] in i.sk]
    assert leftovers == []


def test_lifecycle(api, clock):
    created = create(api)
    path = f"{POLICIES}/{created['id']}"
    clock.advance(minutes=1)
    assert_no_content(api.post(f"{path}/lifecycle/deactivate"))
    inactive = api.get(path).data
    assert inactive["status"] == "INACTIVE"
    assert inactive["lastUpdated"] == "2026-01-01T12:01:00.000Z"
    assert inactive["_links"]["activate"] == {"href": f"{BASE}{path}/lifecycle/activate",
                                              "hints": {"allow": ["POST"]}}
    with nothing_changes():
        assert_no_content(api.post(f"{path}/lifecycle/deactivate"))
    assert_no_content(api.post(f"{path}/lifecycle/activate"))
    assert api.get(path).data["status"] == "ACTIVE"
    assert_not_found(api.post(f"{POLICIES}/00pNOPE/lifecycle/activate"), "00pNOPE", "AuthorizationServerPolicy")


# -- priorities ----------------------------------------------------------------------------------------------------


def test_creating_at_priority_1_shifts_the_others(api):
    create(api, name="A")
    create(api, name="B", priority=1)
    create(api, name="C", priority=2)
    assert order(api) == [("B", 1), ("C", 2), ("Default Policy", 3), ("A", 4)]


def test_a_priority_beyond_the_end_means_last(api):
    create(api, name="A", priority=99)
    assert order(api) == [("Default Policy", 1), ("A", 2)]


def test_deleting_closes_the_gap(api):
    a = create(api, name="A")
    create(api, name="B")
    assert_no_content(api.delete(f"{POLICIES}/{a['id']}"))
    assert order(api) == [("Default Policy", 1), ("B", 2)]


def test_put_moves_a_policy(api):
    create(api, name="A")
    b = create(api, name="B")
    response = api.put(f"{POLICIES}/{b['id']}", policy_body(name="B", priority=1))
    assert response.status_code == 200
    assert response.data["priority"] == 1
    assert order(api) == [("B", 1), ("Default Policy", 2), ("A", 3)]
    api.put(f"{POLICIES}/{b['id']}", policy_body(name="B", priority=50))
    assert order(api) == [("Default Policy", 1), ("A", 2), ("B", 3)]


def test_the_default_policy_can_be_moved(api, default_ids):
    create(api, name="A")
    response = api.put(f"{POLICIES}/{default_ids['policy']}",
                       policy_body(name="Default Policy", description="x", priority=2))
    assert response.status_code == 200
    assert order(api) == [("A", 1), ("Default Policy", 2)]


# -- bad input -----------------------------------------------------------------------------------------------------

BAD_BODIES = [
    ({}, ["type", "name", "description", "conditions.clients.include"]),
    (with_path(policy_body(), "type", DELETE), ["type"]),
    (policy_body(type="OKTA_SIGN_ON"), ["type"]),
    (with_path(policy_body(), "name", DELETE), ["name"]),
    (policy_body(name=""), ["name"]),
    (policy_body(name="x" * 101), ["name"]),
    (policy_body(name=1), ["name"]),
    (with_path(policy_body(), "description", DELETE), ["description"]),
    (policy_body(description="x" * 256), ["description"]),
    (with_path(policy_body(), "conditions", DELETE), ["conditions.clients.include"]),
    (policy_body(conditions={"clients": {"include": []}}), ["conditions.clients.include"]),
    (policy_body(conditions={"clients": {"include": "ALL_CLIENTS"}}), ["conditions.clients.include"]),
    (policy_body(conditions={"clients": {"include": ["ALL_CLIENTS", "0oa1"]}}), ["conditions.clients.include"]),
    (policy_body(conditions={"clients": {"include": ["x" * 101]}}), ["conditions.clients.include"]),
    (policy_body(conditions={"clients": ["ALL_CLIENTS"]}), ["conditions.clients", "conditions.clients.include"]),
    (policy_body(status="PAUSED"), ["status"]),
    (policy_body(priority=0), ["priority"]),
    (policy_body(priority=-1), ["priority"]),
    (policy_body(priority="1"), ["priority"]),
    (policy_body(priority=1.5), ["priority"]),
    (policy_body(name="", status="X", priority=0), ["name", "status", "priority"]),
]


def test_bad_create_is_400_and_creates_nothing(api, subtests):
    for body, fields in BAD_BODIES:
        with subtests.test(fields=fields):
            with nothing_changes():
                response = api.post(POLICIES, body)
            assert_validation(response, "policy", *fields)


def test_bad_replace_is_400_and_changes_nothing(api, subtests, default_ids):
    path = f"{POLICIES}/{default_ids['policy']}"
    before = api.get(path).data
    for body, fields in BAD_BODIES[::3]:  # the same reader serves create and replace
        with subtests.test(fields=fields):
            with nothing_changes():
                response = api.put(path, body)
            assert_validation(response, "policy", *fields)
    after = api.get(path)
    assert after.data == before and etag_version(after) == 1


@pytest.mark.parametrize("raw", ["{", "[]", "[1]", '"policy"'])
def test_malformed_bodies_are_400_e0000003(api, raw, default_ids):
    for method, path in (("POST", POLICIES), ("PUT", f"{POLICIES}/{default_ids['policy']}")):
        with nothing_changes():
            response = api.call(method, path, raw=raw, headers={"Content-Type": "application/json"})
        assert_error(response, 400, "E0000003", "The request body was not well-formed.", [])


def test_unknown_server_and_policy_are_404(api):
    path = f"{SERVERS}/ausNOPE/policies"
    for response in (api.get(path), api.post(path, policy_body()), api.get(f"{path}/00pX"),
                     api.put(f"{path}/00pX", policy_body()), api.delete(f"{path}/00pX")):
        assert_not_found(response, "ausNOPE", "AuthorizationServer")
    with nothing_changes():
        for response in (api.get(f"{POLICIES}/00pNOPE"), api.put(f"{POLICIES}/00pNOPE", policy_body()),
                         api.delete(f"{POLICIES}/00pNOPE"), api.post(f"{POLICIES}/00pNOPE/lifecycle/deactivate"),
                         api.get(f"{POLICIES}/00pNOPE/rules")):
            assert_not_found(response, "00pNOPE", "AuthorizationServerPolicy")


