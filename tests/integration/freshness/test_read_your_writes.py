"""Issue 12: a management write takes effect on the very next request of the container that made it, for every
kind of write the token path depends on (docs/ARCHITECTURE.md "Staleness bound"). Each test warms the caches with
a successful token first, writes through the management API, and asks again at the same instant (no clock moves)."""
from __future__ import annotations

import pytest

from tests.integration.freshness.freshness_support import SCOPE, active_kid, cc_token, kid_of, setup_server
from tests.integration.refresh.refresh_support import World, claims
from tests.unit.oauth.oauthfakes import client_rsa_jwk, rsa_key

SERVER = "/api/v1/authorizationServers/default"


@pytest.fixture
def world(api, container) -> World:
    return World(api, container)


@pytest.fixture
def ready(world):
    setup = setup_server(world)
    assert cc_token(world, setup["app"]).status_code == 200  # configuration and client now cached
    return setup


def refused(response, status: int, error: str) -> None:
    assert (response.status_code, (response.data or {}).get("error")) == (status, error), \
        response.data


def test_deactivating_the_server_stops_tokens_at_once(world, ready):
    assert world.api.post(f"{SERVER}/lifecycle/deactivate").status_code == 204
    response = cc_token(world, ready["app"])
    assert response.status_code == 404 and response.data["errorCode"] == "E0000007"


def test_deactivating_the_only_rule_stops_tokens_at_once(world, ready):
    path = f"{SERVER}/policies/{ready['policy']}/rules/{ready['rule']}/lifecycle/deactivate"
    assert world.api.post(path).status_code == 204
    refused(cc_token(world, ready["app"]), 401, "access_denied")


def test_deactivating_the_only_policy_stops_tokens_at_once(world, ready):
    assert world.api.post(f"{SERVER}/policies/{ready['policy']}/lifecycle/deactivate").status_code == 204
    refused(cc_token(world, ready["app"]), 401, "access_denied")


def test_a_deleted_scope_is_unknown_at_once(world, ready):
    scopes = world.api.get(f"{SERVER}/scopes?q={SCOPE}").data
    scope = next(s for s in scopes if s["name"] == SCOPE)
    assert world.api.delete(f"{SERVER}/scopes/{scope['id']}").status_code == 204
    refused(cc_token(world, ready["app"]), 400, "invalid_scope")


def test_a_new_claim_is_in_the_next_token(world, ready):
    claim = {"name": "tier", "claimType": "RESOURCE", "valueType": "EXPRESSION", "value": '"gold"',
             "status": "ACTIVE", "conditions": {"scopes": []}}
    assert world.api.post(f"{SERVER}/claims", claim).status_code == 201
    response = cc_token(world, ready["app"])
    assert response.status_code == 200
    assert claims(response.data["access_token"])["tier"] == "gold"


def test_a_deleted_client_is_refused_at_once(world, ready):
    assert world.api.delete(f"/oauth2/v1/clients/{ready['app'].client_id}").status_code == 204
    refused(cc_token(world, ready["app"]), 401, "invalid_client")


def test_a_client_whose_auth_method_changed_is_refused_at_once(world, ready):
    path = f"/oauth2/v1/clients/{ready['app'].client_id}"
    body = {**world.api.get(path).data, "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [client_rsa_jwk(rsa_key("freshness"), "k1")]}}
    updated = world.api.put(path, body)
    assert updated.status_code == 200, updated.data["errorCauses"]
    refused(cc_token(world, ready["app"]), 401, "invalid_client")  # a secret no longer authenticates it


def test_a_replaced_secret_stops_the_old_one_at_once(world, ready):
    app = ready["app"]
    new = world.api.post(f"/oauth2/v1/clients/{app.client_id}/lifecycle/newSecret")
    assert new.status_code == 200
    refused(cc_token(world, app), 401, "invalid_client")
    app.secret = new.data["client_secret"]
    assert cc_token(world, app).status_code == 200


def test_key_rotation_signs_the_next_token_with_the_new_key_already_published(world, ready):
    before = active_kid(world)
    assert kid_of(cc_token(world, ready["app"]).data["access_token"]) == before
    rotated = world.api.post(f"{SERVER}/credentials/lifecycle/keyRotate", {"use": "sig"})
    assert rotated.status_code == 200
    after = active_kid(world)
    assert after != before
    assert kid_of(cc_token(world, ready["app"]).data["access_token"]) == after
    published = world._oauth("GET", "/oauth2/default/v1/keys", {}).data["keys"]
    assert after in [k["kid"] for k in published]


# -- the directory: never cached on the token path, so every change counts at once --------------------------------


@pytest.fixture
def signed_in(world):
    person = world.user()
    app = world.client(assign=(person,))
    assert world.password(app, person).status_code == 200
    return app, person


def test_a_deactivated_user_cannot_sign_in_at_once(world, signed_in):
    app, person = signed_in
    world.lifecycle(person, "deactivate")
    refused(world.password(app, person), 400, "invalid_grant")


def test_an_unassigned_user_cannot_sign_in_at_once(world, signed_in):
    app, person = signed_in
    assert world.api.delete(f"/api/v1/apps/{app.client_id}/users/{person.id}").status_code == 204
    refused(world.password(app, person), 400, "access_denied")


def test_a_user_removed_from_the_rules_group_is_refused_at_once(world, signed_in):
    app, person = signed_in
    group = world.api.post("/api/v1/groups", {"profile": {"name": "Fresh staff"}}).data["id"]
    assert world.api.put(f"/api/v1/groups/{group}/users/{person.id}").status_code == 204
    policy = world.api.get(f"{SERVER}/policies").data[0]["id"]
    rule = world.api.get(f"{SERVER}/policies/{policy}/rules").data[0]
    rule["conditions"]["people"] = {"groups": {"include": [group]}}
    assert world.api.put(f"{SERVER}/policies/{policy}/rules/{rule['id']}", rule).status_code == 200
    assert world.password(app, person).status_code == 200
    assert world.api.delete(f"/api/v1/groups/{group}/users/{person.id}").status_code == 204
    refused(world.password(app, person), 401, "access_denied")
