"""What Terraform's Okta provider dereferences without nil checks when it reads authorization-server resources back
(okta-next.md 1.4): ``credentials.signing`` and ``default`` on servers, ``conditions.clients`` on policies,
``actions.token``, ``conditions.people`` and ``conditions.people.users`` on rules. They must be present on every
answer, also for objects created from the smallest body the API accepts."""
from __future__ import annotations

SERVERS = "/api/v1/authorizationServers"


def test_the_members_terraform_reads_without_nil_checks_are_always_there(api):
    server = api.post(SERVERS, {"name": "tf-minimal", "audiences": ["api://tf"]})
    assert server.status_code == 201, server.data
    sid = server.data["id"]
    policy = api.post(f"{SERVERS}/{sid}/policies", {"type": "OAUTH_AUTHORIZATION_POLICY", "name": "p",
                                                    "description": "d",
                                                    "conditions": {"clients": {"include": ["ALL_CLIENTS"]}}})
    assert policy.status_code == 201, policy.data
    rule = api.post(f"{SERVERS}/{sid}/policies/{policy.data['id']}/rules", {
        "type": "RESOURCE_ACCESS", "name": "r", "conditions": {"grantTypes": {"include": ["client_credentials"]},
                                                               "scopes": {"include": ["*"]},
                                                               "people": {"groups": {"include": ["EVERYONE"]}}}})
    assert rule.status_code == 201, rule.data

    for listed in (api.get(SERVERS).data, [api.get(f"{SERVERS}/{sid}").data, api.get(f"{SERVERS}/default").data]):
        for s in listed:
            assert isinstance(s["credentials"]["signing"], dict) and s["credentials"]["signing"]["rotationMode"]
            assert isinstance(s["default"], bool)
    default = next(s for s in api.get(SERVERS).data if s["default"])
    assert default["name"] == "default"
    for p in api.get(f"{SERVERS}/{sid}/policies").data:
        assert isinstance(p["conditions"]["clients"]["include"], list)
    got = api.get(f"{SERVERS}/{sid}/policies/{policy.data['id']}/rules/{rule.data['id']}").data
    assert got["conditions"]["people"]["users"] == {"include": [], "exclude": []}
    assert set(got["actions"]["token"]) >= {"accessTokenLifetimeMinutes", "refreshTokenLifetimeMinutes",
                                            "refreshTokenWindowMinutes"}
