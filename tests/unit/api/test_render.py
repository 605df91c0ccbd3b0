"""api/render.py: Okta's wire shapes (okta-api.md 2.2, 4.2, 5.2, 6.2, 6.3): field order, presence, links."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from chalicelib.api import render
from chalicelib.domain import (
    ACTIVE,
    INACTIVE,
    ApiToken,
    AuthorizationServer,
    Claim,
    Policy,
    Rule,
    RuleConditions,
    Scope,
    TokenActions,
)

BASE = "https://tokenmint.test"
T0 = datetime(2025, 3, 13, 23, 34, 6, tzinfo=timezone.utc)
T1 = datetime(2025, 3, 14, 1, 2, 3, tzinfo=timezone.utc)
ADMIN = f"{BASE}/api/v1/authorizationServers"


def make_server(**overrides) -> AuthorizationServer:
    fields = dict(id="auskwr35t9yxZfX171d7", name="My AS", description=None, audiences=("api://mine",),
                  issuer_mode="ORG_URL", status=ACTIVE, created=T0, last_updated=T1, rotation_mode="AUTO")
    fields.update(overrides)
    return AuthorizationServer(**fields)


def hints(entry: dict) -> list[str]:
    return entry["hints"]["allow"]


# -- authorization server ------------------------------------------------------------------------------------------


def test_server_fields_in_okta_order():
    body = render.server(make_server(), BASE)
    assert list(body) == ["id", "name", "audiences", "issuer", "issuerMode", "status", "created",
                          "lastUpdated", "credentials", "default", "_links"]  # no description: absent, never null
    assert body["id"] == "auskwr35t9yxZfX171d7"
    assert list(render.server(replace(make_server(), description="d"), BASE))[:3] == ["id", "name", "description"]
    assert body["audiences"] == ["api://mine"]
    assert body["issuer"] == f"{BASE}/oauth2/auskwr35t9yxZfX171d7"
    assert body["issuerMode"] == "ORG_URL"
    assert body["created"] == "2025-03-13T23:34:06.000Z"
    assert body["lastUpdated"] == "2025-03-14T01:02:03.000Z"
    assert body["default"] is False


def test_server_links_in_okta_order_with_their_hints():
    links = render.server(make_server(), BASE)["_links"]
    admin = f"{ADMIN}/auskwr35t9yxZfX171d7"
    oauth = f"{BASE}/oauth2/auskwr35t9yxZfX171d7"
    assert list(links) == ["rotateKey", "metadata", "keys", "claims", "policies", "self", "scopes", "deactivate"]
    assert links["rotateKey"] == {"href": f"{admin}/credentials/lifecycle/keyRotate", "hints": {"allow": ["POST"]}}
    assert links["metadata"] == [
        {"name": "oauth-authorization-server", "href": f"{oauth}/.well-known/oauth-authorization-server",
         "hints": {"allow": ["GET"]}},
        {"name": "openid-configuration", "href": f"{oauth}/.well-known/openid-configuration",
         "hints": {"allow": ["GET"]}},
    ]
    assert links["keys"] == {"href": f"{admin}/credentials/keys", "hints": {"allow": ["GET"]}}
    assert links["claims"] == {"href": f"{admin}/claims", "hints": {"allow": ["GET", "POST"]}}
    assert links["policies"] == {"href": f"{admin}/policies", "hints": {"allow": ["GET", "POST"]}}
    assert links["self"] == {"href": admin, "hints": {"allow": ["GET", "DELETE", "PUT"]}}
    assert links["scopes"] == {"href": f"{admin}/scopes", "hints": {"allow": ["GET", "POST"]}}
    assert links["deactivate"] == {"href": f"{admin}/lifecycle/deactivate", "hints": {"allow": ["POST"]}}


def test_inactive_server_links_activate_instead_of_deactivate():
    links = render.server(make_server(status=INACTIVE), BASE)["_links"]
    assert "deactivate" not in links
    assert links["activate"] == {"href": f"{ADMIN}/auskwr35t9yxZfX171d7/lifecycle/activate",
                                 "hints": {"allow": ["POST"]}}
    assert list(links)[-1] == "activate"


def test_default_server_uses_default_in_issuer_and_every_link():
    body = render.server(make_server(id="aus5ysislgkVBE0FS1d7", name="default", default=True), BASE)
    assert body["issuer"] == f"{BASE}/oauth2/default"
    assert body["default"] is True
    hrefs = [body["_links"]["metadata"][0]["href"], body["_links"]["metadata"][1]["href"]]
    hrefs += [v["href"] for k, v in body["_links"].items() if k != "metadata"]
    assert all("/default" in h for h in hrefs)
    assert not any("aus5ysislgkVBE0FS1d7" in h for h in hrefs)


def test_signing_without_a_key_shows_only_the_rotation_mode():
    assert render.server(make_server(), BASE)["credentials"] == {"signing": {"rotationMode": "AUTO"}}


def test_signing_in_auto_mode_has_next_rotation_90_days_after_last_rotated():
    server = make_server(signing_kid="N5BD6L4G-ht_NtwdPMZzCe6aBlVfJY6SLPQ8qSgV3dA", last_rotated=T0)
    signing = render.server(server, BASE)["credentials"]["signing"]
    assert list(signing) == ["kid", "rotationMode", "lastRotated", "nextRotation"]
    assert signing == {"kid": "N5BD6L4G-ht_NtwdPMZzCe6aBlVfJY6SLPQ8qSgV3dA", "rotationMode": "AUTO",
                       "lastRotated": "2025-03-13T23:34:06.000Z", "nextRotation": "2025-06-11T23:34:06.000Z"}


def test_signing_in_manual_mode_has_no_next_rotation():
    server = make_server(signing_kid="kid1", last_rotated=T0, rotation_mode="MANUAL")
    signing = render.server(server, BASE)["credentials"]["signing"]
    assert signing == {"kid": "kid1", "rotationMode": "MANUAL", "lastRotated": "2025-03-13T23:34:06.000Z"}


def test_issuer_helper():
    assert render.issuer(make_server(), BASE) == f"{BASE}/oauth2/auskwr35t9yxZfX171d7"
    assert render.issuer(make_server(default=True), BASE) == f"{BASE}/oauth2/default"


# -- scope ---------------------------------------------------------------------------------------------------------


def test_scope_fields_in_okta_order():
    scope = Scope(id="scpkwr4gk5WeiF51Z1d7", name="car:drive", display_name="Drive car", description="text",
                  system=False, metadata_publish="ALL_CLIENTS", consent="REQUIRED", optional=False, default=False,
                  version=4)
    body = render.scope(scope, BASE, "default")
    assert body == {
        "id": "scpkwr4gk5WeiF51Z1d7", "name": "car:drive", "displayName": "Drive car", "description": "text",
        "system": False, "metadataPublish": "ALL_CLIENTS", "consent": "REQUIRED", "optional": False,
        "apiResourceId": None, "default": False,
        "_links": {"self": {"href": f"{ADMIN}/default/scopes/scpkwr4gk5WeiF51Z1d7",
                            "hints": {"allow": ["GET", "PUT", "DELETE"]}}},
    }
    assert list(body) == ["id", "name", "displayName", "description", "system", "metadataPublish", "consent",
                          "optional", "apiResourceId", "default", "_links"]
    assert "version" not in body


# -- claim ---------------------------------------------------------------------------------------------------------

CLAIM = Claim(id="oclrqrsi40FIFxGsA1d7", name="department", status=ACTIVE, claim_type="RESOURCE",
              value_type="EXPRESSION", value="user.department", group_filter_type=None, scopes=(), system=False,
              always_include_in_token=True)


def test_expression_claim_fields_in_okta_order_without_group_filter_type():
    body = render.claim(CLAIM, BASE, "aus1")
    assert list(body) == ["id", "name", "status", "claimType", "valueType", "value", "conditions", "system",
                          "alwaysIncludeInToken", "apiResourceId", "_links"]
    assert body["value"] == "user.department"
    assert body["conditions"] == {"scopes": []}
    assert body["apiResourceId"] is None
    assert body["_links"] == {"self": {"href": f"{ADMIN}/aus1/claims/oclrqrsi40FIFxGsA1d7",
                                       "hints": {"allow": ["GET", "PUT", "DELETE"]}}}


def test_groups_claim_has_group_filter_type_just_before_links():
    claim = replace(CLAIM, value_type="GROUPS", value="Everyone", group_filter_type="EQUALS", scopes=("groups",))
    body = render.claim(claim, BASE, "aus1")
    assert list(body) == ["id", "name", "status", "claimType", "valueType", "value", "conditions", "system",
                          "alwaysIncludeInToken", "apiResourceId", "group_filter_type", "_links"]
    assert body["group_filter_type"] == "EQUALS"
    assert body["conditions"] == {"scopes": ["groups"]}


def test_system_claims_have_no_value():
    claim = replace(CLAIM, name="email", claim_type="IDENTITY", value_type="SYSTEM", value=None, scopes=("email",),
                    system=True)
    body = render.claim(claim, BASE, "default")
    assert "value" not in body
    assert body["valueType"] == "SYSTEM"
    assert body["system"] is True
    assert list(body) == ["id", "name", "status", "claimType", "valueType", "conditions", "system",
                          "alwaysIncludeInToken", "apiResourceId", "_links"]


def test_expression_claim_with_a_null_value_still_shows_value():
    body = render.claim(replace(CLAIM, value=None), BASE, "aus1")
    assert "value" in body and body["value"] is None


# -- policy --------------------------------------------------------------------------------------------------------

POLICY = Policy(id="00prqrld5eC2LNL8v1d7", name="test", description="Policy", status=ACTIVE, system=False,
                clients=("ALL_CLIENTS",), created=T0, last_updated=T1)


def test_policy_fields_in_okta_order():
    body = render.policy(POLICY, 3, BASE, "default")
    href = f"{ADMIN}/default/policies/00prqrld5eC2LNL8v1d7"
    assert list(body) == ["id", "status", "name", "description", "priority", "system", "conditions", "created",
                          "lastUpdated", "_links", "type"]
    assert body["priority"] == 3
    assert body["conditions"] == {"clients": {"include": ["ALL_CLIENTS"]}}
    assert body["created"] == "2025-03-13T23:34:06.000Z"
    assert body["type"] == "OAUTH_AUTHORIZATION_POLICY"
    assert list(body["_links"]) == ["self", "rules", "deactivate"]
    assert body["_links"]["self"] == {"href": href, "hints": {"allow": ["GET", "PUT", "DELETE"]}}
    assert body["_links"]["rules"] == {"href": f"{href}/rules", "hints": {"allow": ["GET"]}}
    assert body["_links"]["deactivate"] == {"href": f"{href}/lifecycle/deactivate", "hints": {"allow": ["POST"]}}


def test_inactive_policy_links_activate():
    links = render.policy(replace(POLICY, status=INACTIVE), 1, BASE, "aus1")["_links"]
    assert list(links) == ["self", "rules", "activate"]
    assert hints(links["activate"]) == ["POST"]
    assert links["activate"]["href"].endswith("/policies/00prqrld5eC2LNL8v1d7/lifecycle/activate")


# -- rule ----------------------------------------------------------------------------------------------------------

RULE = Rule(
    id="0prrqrg36gLI4RoJF1d7", policy_id="00prqrld5eC2LNL8v1d7", name="test", status=ACTIVE, system=False,
    conditions=RuleConditions(grant_types=("authorization_code", "client_credentials", "implicit", "password"),
                              scopes=("*",), groups_include=("EVERYONE",)),
    actions=TokenActions(), created=T0, last_updated=T1,
)


def test_rule_fields_in_okta_order():
    body = render.rule(RULE, 1, BASE, "default")
    href = f"{ADMIN}/default/policies/00prqrld5eC2LNL8v1d7/rules/0prrqrg36gLI4RoJF1d7"
    assert list(body) == ["id", "status", "name", "priority", "created", "lastUpdated", "system", "conditions",
                          "actions", "_links", "type"]
    assert body["conditions"] == {
        "people": {"users": {"include": [], "exclude": []}, "groups": {"include": ["EVERYONE"], "exclude": []}},
        "grantTypes": {"include": ["authorization_code", "client_credentials", "implicit", "password"]},
        "scopes": {"include": ["*"]},
    }
    assert list(body["conditions"]) == ["people", "grantTypes", "scopes"]
    assert list(body["conditions"]["people"]) == ["users", "groups"]
    assert body["actions"] == {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0,
                                         "refreshTokenWindowMinutes": 10080}}
    assert body["_links"] == {
        "self": {"href": href, "hints": {"allow": ["GET", "PUT", "DELETE"]}},
        "deactivate": {"href": f"{href}/lifecycle/deactivate", "hints": {"allow": ["POST"]}},
    }
    assert body["type"] == "RESOURCE_ACCESS"


def test_rule_inline_hook_only_when_set():
    rule = replace(RULE, actions=TokenActions(inline_hook_id="cal4egvp1mbMldrYN0g7"))
    token = render.rule(rule, 1, BASE, "aus1")["actions"]["token"]
    assert list(token) == ["accessTokenLifetimeMinutes", "refreshTokenLifetimeMinutes", "refreshTokenWindowMinutes",
                           "inlineHook"]
    assert token["inlineHook"] == {"id": "cal4egvp1mbMldrYN0g7"}


def test_inactive_rule_links_activate():
    links = render.rule(replace(RULE, status=INACTIVE), 2, BASE, "aus1")["_links"]
    assert list(links) == ["self", "activate"]
    assert links["activate"]["href"].endswith("/rules/0prrqrg36gLI4RoJF1d7/lifecycle/activate")


# -- API token -----------------------------------------------------------------------------------------------------


def test_api_token_shape_never_shows_the_hash():
    token = ApiToken(id="00Tabcdefghijklmnopq", name="ci", token_hash="f" * 64, created=T0, last_updated=T1)
    body = render.api_token(token, BASE)
    assert list(body) == ["id", "name", "userId", "clientName", "created", "lastUpdated", "expiresAt",
                          "tokenWindow", "network", "_links"]
    assert body["clientName"] == "tokenmint"
    assert body["network"] == {"connection": "ANYWHERE"}
    assert body["_links"] == {"self": {"href": f"{BASE}/api/v1/api-tokens/00Tabcdefghijklmnopq",
                                       "hints": {"allow": ["GET", "DELETE"]}}}
    assert "f" * 64 not in repr(body)
    assert "token" not in body and "tokenHash" not in body


@pytest.mark.parametrize("allow", [(), ("GET",), ("GET", "POST")])
def test_link_helper(allow):
    assert render.link("https://x/y", *allow) == {"href": "https://x/y", "hints": {"allow": list(allow)}}
