"""``/api/v1/authorizationServers/{as}/policies/{pid}/rules`` (okta-api.md 6.3, 6.4): CRUD, lifecycle, validation
of conditions and lifetimes, wrong parents, priorities and the pinned default rule."""
from __future__ import annotations

import re

import pytest

from chalicelib.admin.priorities import PINNED_MESSAGE
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
    rule_body,
    scope_body,
    with_path,
)

# On DynamoDB (moto): edits an order-list item in place; and the rules API keeps a module on the real backend.
pytestmark = pytest.mark.dynamodb

POLICIES = f"{SERVERS}/default/policies"
T0 = "2026-01-01T12:00:00.000Z"


@pytest.fixture
def rules(api) -> str:
    """The rules collection of a fresh policy on the default server."""
    policy = api.post(POLICIES, policy_body()).data
    return f"{POLICIES}/{policy['id']}/rules"


@pytest.fixture
def default_rules(default_ids) -> str:
    return f"{POLICIES}/{default_ids['policy']}/rules"


def create(api, path: str, **overrides) -> dict:
    response = api.post(path, rule_body(**overrides))
    assert response.status_code == 201, response.data
    return response.data


def order(api, path: str) -> list[tuple[str, int]]:
    response = api.get(path)
    assert response.status_code == 200
    return [(r["name"], r["priority"]) for r in response.data]


def token(access: int | None = 60, refresh: int | None = 0, window: int | None = 10080) -> dict:
    values = {"accessTokenLifetimeMinutes": access, "refreshTokenLifetimeMinutes": refresh,
              "refreshTokenWindowMinutes": window}
    return {"token": {k: v for k, v in values.items() if v is not None}}


# -- CRUD and lifecycle --------------------------------------------------------------------------------------------


def test_create_answers_201_with_okta_shape(api, rules):
    response = api.post(rules, rule_body(actions={"token": {**token()["token"],
                                                            "inlineHook": {"id": "cal4egvp1mbMldrYN0g7"}}}))
    assert response.status_code == 201
    assert response.headers["ETag"] == 'W/"1"'
    body = response.data
    assert re.fullmatch(r"0pr[A-Za-z0-9]{17}", body["id"])
    assert list(body) == ["id", "status", "name", "priority", "created", "lastUpdated", "system", "conditions",
                          "actions", "_links", "type"]
    href = f"{BASE}{rules}/{body['id']}"
    assert body == {
        "id": body["id"], "status": "ACTIVE", "name": "Orders rule", "priority": 1, "created": T0,
        "lastUpdated": T0, "system": False,
        "conditions": {
            # Okta's echo: missing users and excludes come back as empty lists.
            "people": {"users": {"include": [], "exclude": []}, "groups": {"include": ["EVERYONE"], "exclude": []}},
            "grantTypes": {"include": ["authorization_code", "client_credentials"]},
            "scopes": {"include": ["*"]},
        },
        "actions": {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0,
                              "refreshTokenWindowMinutes": 10080, "inlineHook": {"id": "cal4egvp1mbMldrYN0g7"}}},
        "_links": {"self": {"href": href, "hints": {"allow": ["GET", "PUT", "DELETE"]}},
                   "deactivate": {"href": f"{href}/lifecycle/deactivate", "hints": {"allow": ["POST"]}}},
        "type": "RESOURCE_ACCESS",
    }
    got = api.get(f"{rules}/{body['id']}")
    assert got.status_code == 200 and got.data == body


def test_lifetimes_default_when_not_given(api, rules):
    response = api.post(rules, with_path(rule_body(), "actions", DELETE))
    assert response.status_code == 201
    body = response.data
    assert body["actions"] == {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0,
                                         "refreshTokenWindowMinutes": 10080}}


def test_a_client_credentials_rule_needs_no_people(api, rules):
    body = create(api, rules, conditions={"grantTypes": {"include": ["client_credentials"]},
                                          "scopes": {"include": ["openid"]}})
    assert body["conditions"]["people"] == {"users": {"include": [], "exclude": []},
                                            "groups": {"include": [], "exclude": []}}
    assert body["conditions"]["scopes"] == {"include": ["openid"]}


def test_named_scopes_of_the_server_are_accepted(api, rules):
    assert api.post(f"{SERVERS}/default/scopes", scope_body(name="orders:read")).status_code == 201
    body = create(api, rules, conditions={**rule_body()["conditions"],
                                          "scopes": {"include": ["orders:read", "email"]}})
    assert body["conditions"]["scopes"] == {"include": ["orders:read", "email"]}


def test_put_replaces_and_delete_removes(api, rules, clock):
    created = create(api, rules)
    path = f"{rules}/{created['id']}"
    clock.advance(minutes=2)
    response = api.put(path, rule_body(name="Renamed", status="INACTIVE", actions=token(30, 60, 45)))
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"2"'
    body = response.data
    assert (body["name"], body["status"], body["priority"]) == ("Renamed", "INACTIVE", 1)
    assert body["actions"]["token"] == {"accessTokenLifetimeMinutes": 30, "refreshTokenLifetimeMinutes": 60,
                                        "refreshTokenWindowMinutes": 45}
    assert (body["created"], body["lastUpdated"]) == (T0, "2026-01-01T12:02:00.000Z")
    assert "activate" in body["_links"] and "deactivate" not in body["_links"]
    assert api.get(path).data == body

    assert_no_content(api.delete(path))
    assert_not_found(api.get(path), created["id"], "AuthorizationServerPolicyRule")
    assert_not_found(api.delete(path), created["id"], "AuthorizationServerPolicyRule")
    assert api.get(rules).data == []


def test_lifecycle(api, rules):
    created = create(api, rules)
    path = f"{rules}/{created['id']}"
    assert_no_content(api.post(f"{path}/lifecycle/deactivate"))
    assert api.get(path).data["status"] == "INACTIVE"
    with nothing_changes():
        assert_no_content(api.post(f"{path}/lifecycle/deactivate"))
    assert_no_content(api.post(f"{path}/lifecycle/activate"))
    assert api.get(path).data["status"] == "ACTIVE"
    for action in ("activate", "deactivate"):
        assert_not_found(api.post(f"{rules}/0prNOPE/lifecycle/{action}"), "0prNOPE", "AuthorizationServerPolicyRule")


# -- validation ----------------------------------------------------------------------------------------------------

CONDITIONS = rule_body()["conditions"]
BAD_BODIES = [
    ({}, ["type", "name", "conditions", "conditions.grantTypes.include"]),
    (with_path(rule_body(), "type", DELETE), ["type"]),
    (rule_body(type="ACCESS"), ["type"]),
    (with_path(rule_body(), "name", DELETE), ["name"]),
    (rule_body(name="x" * 256), ["name"]),
    (rule_body(name=False), ["name"]),
    (with_path(rule_body(), "conditions", DELETE), ["conditions", "conditions.grantTypes.include"]),
    (with_path(rule_body(), "conditions.grantTypes", DELETE), ["conditions.grantTypes.include"]),
    (with_path(rule_body(), "conditions.grantTypes.include", []), ["conditions.grantTypes.include"]),
    (with_path(rule_body(), "conditions.grantTypes.include", ["refresh_token"]), ["conditions.grantTypes.include"]),
    (with_path(rule_body(), "conditions.grantTypes.include", "password"), ["conditions.grantTypes.include"]),
    (with_path(rule_body(), "conditions.people", DELETE), ["conditions.people"]),
    (with_path(rule_body(), "conditions.people.groups.exclude", ["EVERYONE"]), ["conditions.people.groups.exclude"]),
    (with_path(rule_body(), "conditions.people.users.include", ["x" * 101]), ["conditions.people.users.include"]),
    (with_path(rule_body(), "conditions.scopes.include", ["nope"]), ["conditions.scopes.include"]),
    (with_path(rule_body(), "conditions.scopes.include", ["*", "openid"]), ["conditions.scopes.include"]),
    (with_path(rule_body(), "conditions.scopes.include", "*"), ["conditions.scopes.include"]),
    (rule_body(actions=token(access=4)), ["actions.token.accessTokenLifetimeMinutes"]),
    (rule_body(actions=token(access=1441)), ["actions.token.accessTokenLifetimeMinutes"]),
    (rule_body(actions=token(access="60")), ["actions.token.accessTokenLifetimeMinutes"]),
    (rule_body(actions=token(access=60.5)), ["actions.token.accessTokenLifetimeMinutes"]),
    (rule_body(actions=token(refresh=-1)), ["actions.token.refreshTokenLifetimeMinutes"]),
    (rule_body(actions=token(refresh=2_628_001)), ["actions.token.refreshTokenLifetimeMinutes"]),
    (rule_body(actions=token(access=60, refresh=30)), ["actions.token.refreshTokenLifetimeMinutes"]),
    (rule_body(actions=token(window=9)), ["actions.token.refreshTokenWindowMinutes"]),
    (rule_body(actions=token(window=2_628_001)), ["actions.token.refreshTokenWindowMinutes"]),
    (rule_body(actions=token(access=60, refresh=120, window=30)), ["actions.token.refreshTokenWindowMinutes"]),
    (rule_body(actions=token(access=60, refresh=120, window=121)), ["actions.token.refreshTokenWindowMinutes"]),
    (rule_body(actions={"token": {"inlineHook": {"id": 5}}}), ["actions.token.inlineHook.id"]),
    (rule_body(status="ON"), ["status"]),
    (rule_body(priority=0), ["priority"]),
    (rule_body(priority="2"), ["priority"]),
    (rule_body(type="X", name="", status="Y"), ["type", "name", "status"]),
]


def test_bad_create_is_400_and_creates_nothing(api, rules, subtests):
    for body, fields in BAD_BODIES:
        with subtests.test(fields=fields):
            with nothing_changes():
                response = api.post(rules, body)
            assert_validation(response, "rule", *fields)


def test_bad_replace_is_400_and_changes_nothing(api, rules, subtests):
    created = create(api, rules)
    path = f"{rules}/{created['id']}"
    for body, fields in BAD_BODIES[::3]:  # the same reader serves create and replace
        with subtests.test(fields=fields):
            with nothing_changes():
                response = api.put(path, body)
            assert_validation(response, "rule", *fields)
    after = api.get(path)
    assert after.data == created and etag_version(after) == 1


def test_refresh_lifetime_below_access_lifetime_says_why(api, rules):
    with nothing_changes():
        response = api.post(rules, rule_body(actions=token(access=120, refresh=60)))
    assert_error(response, 400, "E0000001", "Api validation failed: rule",
                 ["actions.token.refreshTokenLifetimeMinutes: Must be 0 (unlimited) or at least the access token "
                  "lifetime."])


@pytest.mark.parametrize("access, refresh, window", [
    (5, 0, 10), (1440, 0, 2_628_000), (60, 60, 60), (60, 2_628_000, 2_628_000), (60, 120, 90),
])
def test_lifetimes_at_their_limits_are_accepted(api, rules, access, refresh, window):
    body = create(api, rules, actions=token(access, refresh, window))
    assert body["actions"]["token"] == {"accessTokenLifetimeMinutes": access, "refreshTokenLifetimeMinutes": refresh,
                                        "refreshTokenWindowMinutes": window}


@pytest.mark.parametrize("raw", ["{", "[]", '[{"name": "x"}]', "3"])
def test_malformed_bodies_are_400_e0000003(api, rules, raw):
    created = create(api, rules)
    for method, path in (("POST", rules), ("PUT", f"{rules}/{created['id']}")):
        with nothing_changes():
            response = api.call(method, path, raw=raw, headers={"Content-Type": "application/json"})
        assert_error(response, 400, "E0000003", "The request body was not well-formed.", [])


# -- wrong parents -------------------------------------------------------------------------------------------------


def test_unknown_ids_are_404(api, rules, default_ids):
    with nothing_changes():
        for response in (api.get(f"{rules}/0prNOPE"), api.put(f"{rules}/0prNOPE", rule_body()),
                         api.delete(f"{rules}/0prNOPE")):
            assert_not_found(response, "0prNOPE", "AuthorizationServerPolicyRule")
        path = f"{POLICIES}/00pNOPE/rules"
        for response in (api.get(path), api.post(path, rule_body()), api.get(f"{path}/{default_ids['rule']}"),
                         api.put(f"{path}/{default_ids['rule']}", rule_body()),
                         api.delete(f"{path}/{default_ids['rule']}")):
            assert_not_found(response, "00pNOPE", "AuthorizationServerPolicy")
        path = f"{SERVERS}/ausNOPE/policies/{default_ids['policy']}/rules"
        for response in (api.get(path), api.post(path, rule_body()), api.get(f"{path}/{default_ids['rule']}")):
            assert_not_found(response, "ausNOPE", "AuthorizationServer")


def test_a_rule_addressed_under_another_policy_of_the_same_server_is_404(api, rules, default_rules, default_ids):
    foreign = default_ids["rule"]  # a rule of the default policy, addressed under the fresh policy
    with nothing_changes():
        for response in (api.get(f"{rules}/{foreign}"), api.put(f"{rules}/{foreign}", rule_body()),
                         api.delete(f"{rules}/{foreign}"), api.post(f"{rules}/{foreign}/lifecycle/deactivate")):
            assert_not_found(response, foreign, "AuthorizationServerPolicyRule")
    assert api.get(f"{default_rules}/{foreign}").status_code == 200


def test_a_policy_holds_at_most_50_rules(api, container, rules, default_ids):
    from chalicelib.admin.rules import MAX_RULES_PER_POLICY
    from chalicelib.domain import Ordered
    from chalicelib.storage import mappers

    policy_id = rules.split("/")[-2]
    create(api, rules, name="first")  # creates the policy's order list
    # Fill the order list up to the limit directly: 49 more rules through the API would only make this slow.
    item = container.config_model.get(f"AS#{default_ids['server']}", f"ORDER#RULES#{policy_id}")
    item.doc = mappers.order_doc(Ordered(ids=tuple(f"0prFILL{i:013d}" for i in range(MAX_RULES_PER_POLICY))))
    item.save()
    with nothing_changes():
        response = api.post(rules, rule_body(name="one too many"))
    assert_error(response, 400, "E0000001", "Api validation failed: rule",
                 ["policy: A policy holds at most 50 rules."])


# -- priorities ----------------------------------------------------------------------------------------------------


def test_priorities_shift_on_insert_and_close_on_delete(api, rules):
    a = create(api, rules, name="A")
    create(api, rules, name="B", priority=1)
    create(api, rules, name="C", priority=2)
    create(api, rules, name="D", priority=99)
    assert order(api, rules) == [("B", 1), ("C", 2), ("A", 3), ("D", 4)]
    assert_no_content(api.delete(f"{rules}/{a['id']}"))
    assert order(api, rules) == [("B", 1), ("C", 2), ("D", 3)]


def test_put_moves_a_rule_and_keeps_its_place_without_a_priority(api, rules):
    create(api, rules, name="A")
    b = create(api, rules, name="B")
    create(api, rules, name="C")
    moved = api.put(f"{rules}/{b['id']}", rule_body(name="B", priority=1))
    assert moved.status_code == 200 and moved.data["priority"] == 1
    assert order(api, rules) == [("B", 1), ("A", 2), ("C", 3)]
    api.put(f"{rules}/{b['id']}", rule_body(name="B2"))
    assert order(api, rules) == [("B2", 1), ("A", 2), ("C", 3)]
    api.put(f"{rules}/{b['id']}", rule_body(name="B2", priority=3))
    assert order(api, rules) == [("A", 1), ("C", 2), ("B2", 3)]


def test_new_rules_of_the_default_policy_go_before_its_default_rule(api, default_rules):
    create(api, default_rules, name="A")
    create(api, default_rules, name="B", priority=99)
    create(api, default_rules, name="C", priority=1)
    assert order(api, default_rules) == [("C", 1), ("A", 2), ("B", 3), ("Default Policy Rule", 4)]


def test_the_default_rule_of_the_default_policy_cannot_be_moved(api, default_rules, default_ids):
    create(api, default_rules, name="A")
    path = f"{default_rules}/{default_ids['rule']}"
    rule = api.get(path).data
    assert rule["priority"] == 2
    for priority in (1, 3, 50):
        with nothing_changes():
            response = api.put(path, {**rule, "priority": priority})
        assert_error(response, 400, "E0000001", "Api validation failed: rule", [PINNED_MESSAGE])
    assert order(api, default_rules) == [("A", 1), ("Default Policy Rule", 2)]
    # Saving it where it is, or without a priority, is fine.
    assert api.put(path, {**rule, "name": "Catch-all"}).status_code == 200
    assert api.put(path, rule_body(name="Catch-all")).data["priority"] == 2
    assert order(api, default_rules) == [("A", 1), ("Catch-all", 2)]


def test_nothing_moves_after_the_default_rule(api, default_rules):
    a = create(api, default_rules, name="A")
    response = api.put(f"{default_rules}/{a['id']}", rule_body(name="A", priority=10))
    assert response.status_code == 200 and response.data["priority"] == 1
    assert order(api, default_rules) == [("A", 1), ("Default Policy Rule", 2)]


def test_the_default_rule_may_be_deleted_and_then_pins_nothing(api, default_rules, default_ids):
    assert_no_content(api.delete(f"{default_rules}/{default_ids['rule']}"))
    create(api, default_rules, name="A")
    create(api, default_rules, name="B", priority=5)
    assert order(api, default_rules) == [("A", 1), ("B", 2)]


def test_rules_of_a_moved_default_policy_stay_pinned(api, default_rules, default_ids):
    api.post(POLICIES, policy_body(priority=1))
    create(api, default_rules, name="A", priority=2)
    assert order(api, default_rules) == [("A", 1), ("Default Policy Rule", 2)]
