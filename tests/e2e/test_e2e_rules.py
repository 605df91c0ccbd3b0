"""Policy rules through the official Okta SDK (okta-api.md 6.3, 6.4): CRUD with
``AuthorizationServerPolicyRuleRequest``, lifecycle, priorities, the pinned default rule, and scoping to the
parent policy and server."""
from __future__ import annotations

import re

import pytest

from e2e_support import (
    call,
    causes,
    enum_value,
    expect,
    expect_error,
    not_found_summary,
    policy_body,
    rule_body,
    rule_request_from,
    scope_body,
)

OKTA_SPEC_OPERATIONS = {
    "listAuthorizationServerPolicyRules", "createAuthorizationServerPolicyRule", "getAuthorizationServerPolicyRule",
    "replaceAuthorizationServerPolicyRule", "deleteAuthorizationServerPolicyRule",
    "activateAuthorizationServerPolicyRule", "deactivateAuthorizationServerPolicyRule",
}

RULE_ID = re.compile(r"^0pr[A-Za-z0-9]{17}$")


@pytest.fixture
def policy(okta_client, server):
    return expect(201, okta_client.create_authorization_server_policy(server.id, policy_body()))


def _order(okta_client, server_id, policy_id):
    rules = expect(200, okta_client.list_authorization_server_policy_rules(server_id, policy_id))
    return [(r.name, r.priority) for r in rules]


def test_rule_crud(okta_client, stack, server, policy):
    expect(201, okta_client.create_o_auth2_scope(server.id, scope_body("read:things")))
    created = expect(201, okta_client.create_authorization_server_policy_rule(server.id, policy.id, rule_body(
        "Machines", grant_types=["client_credentials"], scopes=["read:things"], access_minutes=30)))
    assert RULE_ID.match(created.id)
    assert (created.type, created.name, created.priority, created.system) == ("RESOURCE_ACCESS", "Machines", 1,
                                                                              False)
    assert enum_value(created.status) == "ACTIVE"
    c = created.conditions
    assert (c.grant_types.include, c.scopes.include, c.people.groups.include) == (
        ["client_credentials"], ["read:things"], ["EVERYONE"])
    t = created.actions.token
    assert (t.access_token_lifetime_minutes, t.refresh_token_lifetime_minutes, t.refresh_token_window_minutes) == (
        30, 0, 10080)
    href = f"{stack.base_url}/api/v1/authorizationServers/{server.id}/policies/{policy.id}/rules/{created.id}"
    assert created.links.var_self.href == href
    assert created.links.deactivate.href == f"{href}/lifecycle/deactivate"
    # Okta's echo (okta-api.md 6.3): people.users and the excludes come back as empty lists.
    raw = call(okta_client.get_authorization_server_policy_rule(server.id, policy.id, created.id)).json()
    assert raw["conditions"]["people"] == {"users": {"include": [], "exclude": []},
                                           "groups": {"include": ["EVERYONE"], "exclude": []}}
    assert "inlineHook" not in raw["actions"]["token"]

    fetched = expect(200, okta_client.get_authorization_server_policy_rule(server.id, policy.id, created.id))
    assert fetched.to_dict() == created.to_dict()

    replaced = expect(200, okta_client.replace_authorization_server_policy_rule(
        server.id, policy.id, created.id, rule_request_from(fetched, name="Machines and users", actions={
            "token": {"accessTokenLifetimeMinutes": 15, "refreshTokenLifetimeMinutes": 120,
                      "refreshTokenWindowMinutes": 60}},
            conditions={"grantTypes": {"include": ["client_credentials", "authorization_code"]},
                        "people": {"groups": {"include": ["EVERYONE"]}}, "scopes": {"include": ["*"]}})))
    assert (replaced.id, replaced.name, replaced.created) == (created.id, "Machines and users", created.created)
    assert replaced.conditions.grant_types.include == ["client_credentials", "authorization_code"]
    t = replaced.actions.token
    assert (t.access_token_lifetime_minutes, t.refresh_token_lifetime_minutes, t.refresh_token_window_minutes) == (
        15, 120, 60)

    listed = expect(200, okta_client.list_authorization_server_policy_rules(server.id, policy.id))
    assert [r.id for r in listed] == [created.id]

    expect(204, okta_client.delete_authorization_server_policy_rule(server.id, policy.id, created.id))
    err = expect_error(404, "E0000007", okta_client.get_authorization_server_policy_rule(
        server.id, policy.id, created.id))
    assert err.error_summary == not_found_summary(created.id, "AuthorizationServerPolicyRule")
    assert expect(200, okta_client.list_authorization_server_policy_rules(server.id, policy.id)) == []


def test_rule_lifecycle(okta_client, server, policy):
    rule = expect(201, okta_client.create_authorization_server_policy_rule(server.id, policy.id, rule_body()))

    expect(204, okta_client.deactivate_authorization_server_policy_rule(server.id, policy.id, rule.id))
    inactive = expect(200, okta_client.get_authorization_server_policy_rule(server.id, policy.id, rule.id))
    assert enum_value(inactive.status) == "INACTIVE"
    assert inactive.links.deactivate is None and inactive.links.activate.href.endswith("/lifecycle/activate")

    expect(204, okta_client.activate_authorization_server_policy_rule(server.id, policy.id, rule.id))
    expect(204, okta_client.activate_authorization_server_policy_rule(server.id, policy.id, rule.id))
    assert enum_value(expect(200, okta_client.get_authorization_server_policy_rule(
        server.id, policy.id, rule.id)).status) == "ACTIVE"
    expect_error(404, "E0000007", okta_client.activate_authorization_server_policy_rule(
        server.id, policy.id, "0prNoSuchRule0000000"))


def test_rule_priorities_shift_and_close_gaps(okta_client, server, policy):
    def create(name, priority=None):
        return expect(201, okta_client.create_authorization_server_policy_rule(
            server.id, policy.id, rule_body(name, priority=priority)))

    r1 = create("r1")
    r2 = create("r2")
    r3 = create("r3", priority=1)
    assert r3.priority == 1
    assert _order(okta_client, server.id, policy.id) == [("r3", 1), ("r1", 2), ("r2", 3)]
    assert create("r4", priority=50).priority == 4

    moved = expect(200, okta_client.get_authorization_server_policy_rule(server.id, policy.id, r2.id))
    expect(200, okta_client.replace_authorization_server_policy_rule(
        server.id, policy.id, r2.id, rule_request_from(moved, priority=1)))
    assert _order(okta_client, server.id, policy.id) == [("r2", 1), ("r3", 2), ("r1", 3), ("r4", 4)]

    expect(204, okta_client.delete_authorization_server_policy_rule(server.id, policy.id, r3.id))
    assert _order(okta_client, server.id, policy.id) == [("r2", 1), ("r1", 2), ("r4", 3)]
    assert expect(200, okta_client.get_authorization_server_policy_rule(server.id, policy.id, r1.id)).priority == 2


def test_the_default_rule_of_the_default_policy_stays_last(okta_client):
    default_policy = next(p for p in expect(200, okta_client.list_authorization_server_policies("default"))
                          if p.name == "Default Policy")
    rules = expect(200, okta_client.list_authorization_server_policy_rules("default", default_policy.id))
    default_rule = rules[-1]
    assert default_rule.name == "Default Policy Rule"
    assert default_rule.conditions.scopes.include == ["*"]
    before = len(rules)
    created = []
    try:
        first = expect(201, okta_client.create_authorization_server_policy_rule(
            "default", default_policy.id, rule_body("e2e first", priority=1)))
        created.append(first.id)
        assert first.priority == 1
        late = expect(201, okta_client.create_authorization_server_policy_rule(
            "default", default_policy.id, rule_body("e2e late", priority=999)))
        created.append(late.id)
        unplaced = expect(201, okta_client.create_authorization_server_policy_rule(
            "default", default_policy.id, rule_body("e2e unplaced")))
        created.append(unplaced.id)
        # Neither a huge priority nor none puts a rule after the default rule.
        order = _order(okta_client, "default", default_policy.id)
        assert order[-1] == ("Default Policy Rule", before + 3)
        assert [n for n, _p in order].index("e2e late") == before  # just before the default rule
        assert order[:1] == [("e2e first", 1)]
        assert [p for _n, p in order] == list(range(1, before + 4))

        # The default rule itself cannot be moved, but can be edited in place.
        fetched = expect(200, okta_client.get_authorization_server_policy_rule(
            "default", default_policy.id, default_rule.id))
        err = expect_error(400, "E0000001", okta_client.replace_authorization_server_policy_rule(
            "default", default_policy.id, default_rule.id, rule_request_from(fetched, priority=1)))
        assert causes(err) == ["priority: The default rule of the default policy cannot be reordered; it is "
                               "always evaluated last."]
        same_place = expect(200, okta_client.replace_authorization_server_policy_rule(
            "default", default_policy.id, default_rule.id, rule_request_from(fetched)))
        assert same_place.priority == before + 3
    finally:
        for rule_id in created:
            call(okta_client.delete_authorization_server_policy_rule("default", default_policy.id, rule_id))
    assert _order(okta_client, "default", default_policy.id)[-1] == ("Default Policy Rule", before)


def test_a_rule_is_only_found_under_its_own_policy_and_server(okta_client, new_server):
    server_a, server_b = new_server(), new_server()
    policy_a = expect(201, okta_client.create_authorization_server_policy(server_a.id, policy_body()))
    other_policy_a = expect(201, okta_client.create_authorization_server_policy(server_a.id, policy_body()))
    policy_b = expect(201, okta_client.create_authorization_server_policy(server_b.id, policy_body()))
    rule = expect(201, okta_client.create_authorization_server_policy_rule(server_a.id, policy_a.id, rule_body()))

    # Another server, with the right policy id: the policy does not exist there.
    err = expect_error(404, "E0000007", okta_client.get_authorization_server_policy_rule(
        server_b.id, policy_a.id, rule.id))
    assert err.error_summary == not_found_summary(policy_a.id, "AuthorizationServerPolicy")
    expect_error(404, "E0000007", okta_client.list_authorization_server_policy_rules(server_b.id, policy_a.id))
    expect_error(404, "E0000007", okta_client.delete_authorization_server_policy_rule(
        server_b.id, policy_a.id, rule.id))
    # Another server's policy, or another policy of the same server: the rule does not exist there.
    err = expect_error(404, "E0000007", okta_client.get_authorization_server_policy_rule(
        server_b.id, policy_b.id, rule.id))
    assert err.error_summary == not_found_summary(rule.id, "AuthorizationServerPolicyRule")
    expect_error(404, "E0000007", okta_client.get_authorization_server_policy_rule(
        server_a.id, other_policy_a.id, rule.id))
    expect_error(404, "E0000007", okta_client.deactivate_authorization_server_policy_rule(
        server_a.id, other_policy_a.id, rule.id))
    # ...and it is untouched.
    assert enum_value(expect(200, okta_client.get_authorization_server_policy_rule(
        server_a.id, policy_a.id, rule.id)).status) == "ACTIVE"


def test_rule_validation(okta_client, server, policy):
    err = expect_error(400, "E0000001", okta_client.create_authorization_server_policy_rule(
        server.id, policy.id, rule_body(access_minutes=1, scopes=["no:such:scope"],
                                        grant_types=["client_credentials", "urn:example:unknown"])))
    assert err.error_summary == "Api validation failed: rule"
    assert set(causes(err)) == {
        "actions.token.accessTokenLifetimeMinutes: Must be between 5 and 1440.",
        "conditions.scopes.include: 'no:such:scope' is not a scope of this authorization server.",
        "conditions.grantTypes.include: 'urn:example:unknown' is not a supported grant type.",
    }
    err = expect_error(400, "E0000001", okta_client.create_authorization_server_policy_rule(
        server.id, policy.id, rule_body(grant_types=["authorization_code"], groups=[])))
    assert causes(err) == ["conditions.people: A rule for grant types that act on behalf of a user must include "
                           "users or groups (EVERYONE for any user assigned to the client)."]
    assert expect(200, okta_client.list_authorization_server_policy_rules(server.id, policy.id)) == []
