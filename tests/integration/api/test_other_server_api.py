"""Servers are separate worlds: a second server starts with its own system objects, and ids, names, scopes and
priorities of one server are unknown to the other (wrong parent ids are 404)."""
from __future__ import annotations

import re

from tests.integration.api.apisupport import (
    BASE,
    IDENTITY_SCOPES,
    SERVERS,
    SYSTEM_SCOPES,
    assert_error,
    assert_not_found,
    claim_body,
    nothing_changes,
    policy_body,
    rule_body,
    scope_body,
    with_path,
)

OTHER_SERVER = True  # the world holds a second server "Other" with scope "other:read", a policy and a rule
DEFAULT = f"{SERVERS}/default"


def post(api, path: str, body: dict) -> dict:
    response = api.post(path, body)
    assert response.status_code == 201, response.data
    return response.data


def names(api, path: str) -> list[str]:
    return [o["name"] for o in api.get(path).data]


def test_a_second_server_starts_with_its_own_system_scopes_and_claims(api, other):
    scopes = {s["name"]: s for s in api.get(f"{SERVERS}/{other['server']}/scopes").data if s["system"]}
    assert set(scopes) == set(SYSTEM_SCOPES)
    default_scope_ids = {s["id"] for s in api.get(f"{DEFAULT}/scopes").data}
    assert not default_scope_ids & {s["id"] for s in scopes.values()}
    for name, (display, description) in SYSTEM_SCOPES.items():
        assert (scopes[name]["displayName"], scopes[name]["description"]) == (display, description)

    claims = {c["name"]: c for c in api.get(f"{SERVERS}/{other['server']}/claims").data}
    assert set(claims) == {"sub", *IDENTITY_SCOPES}
    for name, scope in IDENTITY_SCOPES.items():
        assert claims[name]["conditions"] == {"scopes": [scope]} and "value" not in claims[name]
        assert re.fullmatch(r"ocl[A-Za-z0-9]{17}", claims[name]["id"])


def test_scopes_of_another_server_are_separate(api, other):
    other_scopes = f"{SERVERS}/{other['server']}/scopes"
    assert "other:read" in names(api, other_scopes)
    assert "other:read" not in names(api, f"{DEFAULT}/scopes")
    created = post(api, other_scopes, scope_body(name="orders:read"))
    assert created["_links"]["self"]["href"] == f"{BASE}{other_scopes}/{created['id']}"
    # The same name on another server is fine.
    assert post(api, f"{DEFAULT}/scopes", scope_body(name="orders:read"))["id"] != created["id"]


def test_a_scope_addressed_under_another_server_is_404(api, other):
    path = f"{DEFAULT}/scopes/{other['scope']}"
    with nothing_changes():
        for response in (api.get(path), api.put(path, scope_body()), api.delete(path)):
            assert_not_found(response, other["scope"], "OAuth2Scope")
    assert api.get(f"{SERVERS}/{other['server']}/scopes/{other['scope']}").status_code == 200


def test_a_claim_addressed_under_another_server_is_404(api, other):
    foreign = post(api, f"{SERVERS}/{other['server']}/claims", claim_body())
    path = f"{DEFAULT}/claims/{foreign['id']}"
    with nothing_changes():
        for response in (api.get(path), api.put(path, claim_body()), api.delete(path)):
            assert_not_found(response, foreign["id"], "OAuth2Claim")


def test_claim_scopes_must_be_scopes_of_that_server(api, other):
    with nothing_changes():
        response = api.post(f"{DEFAULT}/claims", claim_body(conditions={"scopes": ["other:read"]}))
    assert_error(response, 400, "E0000001", "Api validation failed: claim",
                 ["conditions.scopes: 'other:read' is not a scope of this authorization server."])
    foreign = post(api, f"{SERVERS}/{other['server']}/claims", claim_body(conditions={"scopes": ["other:read"]}))
    assert foreign["conditions"] == {"scopes": ["other:read"]}


def test_priorities_are_per_server(api, other):
    other_policies = f"{SERVERS}/{other['server']}/policies"
    post(api, other_policies, policy_body(name="Elsewhere", priority=1))
    assert [(p["name"], p["priority"]) for p in api.get(f"{DEFAULT}/policies").data] == [("Default Policy", 1)]
    assert [(p["name"], p["priority"]) for p in api.get(other_policies).data] == \
        [("Elsewhere", 1), ("Other policy", 2)]


def test_a_policy_addressed_under_another_server_is_404(api, other):
    foreign = other["policy"]
    path = f"{DEFAULT}/policies/{foreign}"
    with nothing_changes():
        for response in (api.get(path), api.put(path, policy_body()), api.delete(path),
                         api.post(f"{path}/lifecycle/deactivate"), api.get(f"{path}/rules"),
                         api.post(f"{path}/rules", rule_body())):
            assert_not_found(response, foreign, "AuthorizationServerPolicy")
    assert api.get(f"{SERVERS}/{other['server']}/policies/{foreign}").status_code == 200


def test_rule_scopes_must_be_scopes_of_that_server(api, other, default_ids):
    with nothing_changes():
        response = api.post(f"{DEFAULT}/policies/{default_ids['policy']}/rules",
                            with_path(rule_body(), "conditions.scopes.include", ["other:read", "gone"]))
    assert_error(response, 400, "E0000001", "Api validation failed: rule", [
        "conditions.scopes.include: 'other:read' is not a scope of this authorization server.",
        "conditions.scopes.include: 'gone' is not a scope of this authorization server.",
    ])
    rules = f"{SERVERS}/{other['server']}/policies/{other['policy']}/rules"
    accepted = post(api, rules, with_path(rule_body(), "conditions.scopes.include", ["other:read"]))
    assert accepted["conditions"]["scopes"] == {"include": ["other:read"]}


def test_a_rule_addressed_under_another_servers_policy_is_404(api, other, default_ids):
    # The other server's policy and rule, addressed through the default server.
    path = f"{DEFAULT}/policies/{other['policy']}/rules/{other['rule']}"
    with nothing_changes():
        for response in (api.get(path), api.put(path, rule_body()), api.delete(path),
                         api.post(f"{path}/lifecycle/deactivate")):
            assert_not_found(response, other["policy"], "AuthorizationServerPolicy")
        # The other server's rule under the default server's own policy.
        foreign = f"{DEFAULT}/policies/{default_ids['policy']}/rules/{other['rule']}"
        for response in (api.get(foreign), api.put(foreign, rule_body()), api.delete(foreign)):
            assert_not_found(response, other["rule"], "AuthorizationServerPolicyRule")
    own = f"{SERVERS}/{other['server']}/policies/{other['policy']}/rules/{other['rule']}"
    assert api.get(own).status_code == 200


def test_deleting_the_other_server_leaves_the_default_one_alone(api, other):
    before = {kind: api.get(f"{DEFAULT}/{kind}").data for kind in ("scopes", "claims", "policies")}
    assert api.delete(f"{SERVERS}/{other['server']}").status_code == 204
    assert_not_found(api.get(f"{SERVERS}/{other['server']}/policies/{other['policy']}"), other["server"],
                     "AuthorizationServer")
    assert {kind: api.get(f"{DEFAULT}/{kind}").data for kind in ("scopes", "claims", "policies")} == before
