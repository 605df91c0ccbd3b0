"""Issue 12 from outside, over real HTTP against the local stack (one process, the default 30 s cache period): a
rule deactivated through the official Okta SDK stops tokens on the very next request, and after ``keyRotate`` the
next token is signed with the new ACTIVE key, which a verifier's JWKS fetched before the rotation already holds."""
from __future__ import annotations

from typing import Iterator

import jwt
import pytest
from okta import models

from e2e_support import expect
from oauth_support import READ, World, assert_oauth_error, world

OKTA_SPEC_OPERATIONS = {"rotateAuthorizationServerKeys", "deactivateAuthorizationServerPolicyRule",
                        "activateAuthorizationServerPolicyRule", "listAuthorizationServerPolicyRules"}
POLICY_FAILED = "Policy evaluation failed for this request, please check the policy configurations."


@pytest.fixture(scope="module")
def w(okta_client, http, stack) -> Iterator[World]:
    with world(okta_client, http, stack) as built:
        yield built


def _token(w: World):
    return w.http.post(w.server.token_url, data={"grant_type": "client_credentials", "scope": READ},
                       auth=w.basic.auth)


def test_a_deactivated_rule_stops_the_next_token(w, okta_client):
    assert _token(w).status_code == 200  # configuration and client now cached
    rules = expect(200, okta_client.list_authorization_server_policy_rules(w.server.id, w.policy_id))
    assert len(rules) == 1
    expect(204, okta_client.deactivate_authorization_server_policy_rule(w.server.id, w.policy_id, rules[0].id))
    try:
        assert_oauth_error(_token(w), 401, "access_denied", POLICY_FAILED)
    finally:
        expect(204, okta_client.activate_authorization_server_policy_rule(w.server.id, w.policy_id, rules[0].id))
    assert _token(w).status_code == 200


def test_the_token_after_key_rotation_carries_the_new_kid_already_in_the_jwks(w, okta_client):
    cached_jwks = w.http.get(w.server.keys_url).json()  # what a verifier holds from before the rotation
    before = jwt.get_unverified_header(_token(w).json()["access_token"])["kid"]

    keys = expect(200, okta_client.rotate_authorization_server_keys(w.server.id, models.JwkUse(use="sig")))
    active = next(k.kid for k in keys if k.status == "ACTIVE")
    assert active != before

    token = _token(w).json()["access_token"]
    assert jwt.get_unverified_header(token)["kid"] == active
    key = jwt.PyJWKSet.from_dict(cached_jwks)[active]
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=w.server.audience, issuer=w.server.issuer)
    assert claims["scp"] == [READ]
