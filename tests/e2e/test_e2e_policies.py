"""Access policies through the official Okta SDK (okta-api.md 6.1, 6.2, 6.4): CRUD, lifecycle and priorities."""
from __future__ import annotations

import re

from e2e_support import (
    call,
    causes,
    enum_value,
    expect,
    expect_error,
    not_found_summary,
    policy_body,
    rule_body,
)

OKTA_SPEC_OPERATIONS = {
    "listAuthorizationServerPolicies", "createAuthorizationServerPolicy", "getAuthorizationServerPolicy",
    "replaceAuthorizationServerPolicy", "deleteAuthorizationServerPolicy", "activateAuthorizationServerPolicy",
    "deactivateAuthorizationServerPolicy",
}

POLICY_ID = re.compile(r"^00p[A-Za-z0-9]{17}$")


def _order(okta_client, server_id):
    """[(name, priority)] in list order."""
    return [(p.name, p.priority) for p in expect(200, okta_client.list_authorization_server_policies(server_id))]


def test_a_new_server_has_no_policies(okta_client, server):
    assert expect(200, okta_client.list_authorization_server_policies(server.id)) == []


def test_the_default_server_has_the_default_policy(okta_client, stack):
    policies = expect(200, okta_client.list_authorization_server_policies("default"))
    default = next(p for p in policies if p.name == "Default Policy")
    assert default.conditions.clients.include == ["ALL_CLIENTS"]
    assert default.links.var_self.href == (
        f"{stack.base_url}/api/v1/authorizationServers/default/policies/{default.id}")


def test_policy_crud(okta_client, stack, server):
    created = expect(201, okta_client.create_authorization_server_policy(server.id, policy_body(
        "Vendor policy", description="For the vendor apps", clients=["0oa1abcdefghijklmnop"])))
    assert POLICY_ID.match(created.id)
    assert (created.type, created.name, created.description, created.priority) == (
        "OAUTH_AUTHORIZATION_POLICY", "Vendor policy", "For the vendor apps", 1)
    assert enum_value(created.status) == "ACTIVE" and created.system is False
    assert created.conditions.clients.include == ["0oa1abcdefghijklmnop"]
    href = f"{stack.base_url}/api/v1/authorizationServers/{server.id}/policies/{created.id}"
    assert created.links.var_self.href == href
    assert created.links.rules.href == f"{href}/rules"
    assert created.links.deactivate.href == f"{href}/lifecycle/deactivate"

    fetched = expect(200, okta_client.get_authorization_server_policy(server.id, created.id))
    assert fetched.to_dict() == created.to_dict()

    fetched.name = "Vendor policy v2"
    fetched.description = "All apps now"
    fetched.conditions.clients.include = ["ALL_CLIENTS"]
    # The PUT carries id, system, created and _links back (clients.md 2.4): they must be ignored.
    replaced = expect(200, okta_client.replace_authorization_server_policy(server.id, created.id, fetched))
    assert (replaced.id, replaced.name, replaced.description, replaced.priority) == (
        created.id, "Vendor policy v2", "All apps now", 1)
    assert replaced.conditions.clients.include == ["ALL_CLIENTS"]
    assert replaced.created == created.created and replaced.last_updated >= created.last_updated

    expect(204, okta_client.delete_authorization_server_policy(server.id, created.id))
    err = expect_error(404, "E0000007", okta_client.get_authorization_server_policy(server.id, created.id))
    assert err.error_summary == not_found_summary(created.id, "AuthorizationServerPolicy")
    expect_error(404, "E0000007", okta_client.delete_authorization_server_policy(server.id, created.id))
    assert expect(200, okta_client.list_authorization_server_policies(server.id)) == []


def test_policy_lifecycle(okta_client, server):
    policy = expect(201, okta_client.create_authorization_server_policy(server.id, policy_body()))

    expect(204, okta_client.deactivate_authorization_server_policy(server.id, policy.id))
    inactive = expect(200, okta_client.get_authorization_server_policy(server.id, policy.id))
    assert enum_value(inactive.status) == "INACTIVE"
    assert inactive.links.deactivate is None and inactive.links.activate.href.endswith("/lifecycle/activate")
    expect(204, okta_client.deactivate_authorization_server_policy(server.id, policy.id))

    expect(204, okta_client.activate_authorization_server_policy(server.id, policy.id))
    active = expect(200, okta_client.get_authorization_server_policy(server.id, policy.id))
    assert enum_value(active.status) == "ACTIVE" and active.links.activate is None

    created_inactive = expect(201, okta_client.create_authorization_server_policy(
        server.id, policy_body(status="INACTIVE")))
    assert enum_value(created_inactive.status) == "INACTIVE"

    expect_error(404, "E0000007", okta_client.activate_authorization_server_policy(server.id, "00pNoSuchPolicy00000"))
    expect_error(404, "E0000007", okta_client.deactivate_authorization_server_policy(
        "ausNoSuchServer00000", policy.id))


def test_priorities_shift_when_inserting_and_close_gaps_on_delete(okta_client, server):
    def create(name, priority=None):
        return expect(201, okta_client.create_authorization_server_policy(
            server.id, policy_body(name, priority=priority)))

    a = create("A")
    b = create("B")
    assert (a.priority, b.priority) == (1, 2)  # no priority: last
    c = create("C", priority=1)
    assert c.priority == 1
    assert _order(okta_client, server.id) == [("C", 1), ("A", 2), ("B", 3)]
    d = create("D", priority=99)  # beyond the end: last
    assert d.priority == 4
    e = create("E", priority=2)
    assert _order(okta_client, server.id) == [("C", 1), ("E", 2), ("A", 3), ("B", 4), ("D", 5)]

    # moving by replace
    b_now = expect(200, okta_client.get_authorization_server_policy(server.id, b.id))
    b_now.priority = 1
    assert expect(200, okta_client.replace_authorization_server_policy(server.id, b.id, b_now)).priority == 1
    assert _order(okta_client, server.id) == [("B", 1), ("C", 2), ("E", 3), ("A", 4), ("D", 5)]

    # deleting closes the gap
    expect(204, okta_client.delete_authorization_server_policy(server.id, e.id))
    assert _order(okta_client, server.id) == [("B", 1), ("C", 2), ("A", 3), ("D", 4)]
    expect(204, okta_client.delete_authorization_server_policy(server.id, b.id))
    assert _order(okta_client, server.id) == [("C", 1), ("A", 2), ("D", 3)]
    assert expect(200, okta_client.get_authorization_server_policy(server.id, d.id)).priority == 3


def test_deleting_a_policy_deletes_its_rules(okta_client, server):
    policy = expect(201, okta_client.create_authorization_server_policy(server.id, policy_body()))
    rule = expect(201, okta_client.create_authorization_server_policy_rule(server.id, policy.id, rule_body()))
    expect(204, okta_client.delete_authorization_server_policy(server.id, policy.id))
    err = expect_error(404, "E0000007", okta_client.get_authorization_server_policy_rule(server.id, policy.id, rule.id))
    assert err.error_summary == not_found_summary(policy.id, "AuthorizationServerPolicy")


def test_policy_validation(okta_client, server):
    err = expect_error(400, "E0000001", okta_client.create_authorization_server_policy(
        server.id, policy_body(clients=["ALL_CLIENTS", "0oa1abcdefghijklmnop"])))
    assert err.error_summary == "Api validation failed: policy"
    assert causes(err) == ["conditions.clients.include: Use either ALL_CLIENTS or a list of client ids, not both."]

    bare = policy_body()
    bare.conditions = None
    bare.description = None
    err = expect_error(400, "E0000001", okta_client.create_authorization_server_policy(server.id, bare))
    assert set(causes(err)) == {"description: The field cannot be left blank.",
                                "conditions.clients.include: The field cannot be left blank."}
    assert call(okta_client.list_authorization_server_policies(server.id)).data == []
