"""Revocation that reaches every token (issue 13; okta-api.md 8.4; security-checklist REV-05, INT-03): after a
password change, a deactivation or suspension of the user, a deactivation of the client, or a revoked consent, the
refresh token stops working and introspection stops vouching for the access tokens issued before, although the
access token JWTs are still unexpired. Tokens issued afterwards work."""
from __future__ import annotations

import pytest

from refresh_support import INVALID_RT

NEW_PASSWORD = "Another-Passw0rd-9"


def introspected(world, app, token: str) -> bool:
    response = world.introspect(app, token)
    assert response.status_code == 200, response.data
    return response.data["active"]


def default_server(api) -> tuple[str, str]:
    """The id and issuer of the ``default`` server (consent is remembered under a server's real id, as the
    consent page does)."""
    server = api.get("/api/v1/authorizationServers/default").data
    return server["id"], server["issuer"]


def all_gone(world, app, tokens: dict) -> None:
    assert introspected(world, app, tokens["access_token"]) is False
    assert introspected(world, app, tokens["refresh_token"]) is False
    assert world.userinfo(tokens["access_token"]).status_code == 401
    refreshed = world.refresh(app, tokens["refresh_token"])
    assert (refreshed.status_code, refreshed.data) == (400, INVALID_RT)


def all_live(world, app, tokens: dict) -> None:
    assert introspected(world, app, tokens["access_token"]) is True
    assert introspected(world, app, tokens["refresh_token"]) is True
    assert world.userinfo(tokens["access_token"]).status_code == 200


def test_a_password_change_ends_the_users_tokens(world, app, alice, api):
    before = world.signed_in(app, alice)
    all_live(world, app, before)
    world.advance(seconds=2)
    changed = api.post(f"/api/v1/users/{alice.id}", {"credentials": {"password": {"value": NEW_PASSWORD}}})
    assert changed.status_code == 200, changed.data
    all_gone(world, app, before)
    world.advance(seconds=2)
    after = world.signed_in(app, alice.__class__(alice.id, alice.login, NEW_PASSWORD))
    all_live(world, app, after)


def test_a_profile_change_leaves_tokens_alone(world, app, alice, api):
    tokens = world.signed_in(app, alice)
    world.advance(seconds=2)
    assert api.post(f"/api/v1/users/{alice.id}", {"profile": {"nickName": "Al"}}).status_code == 200
    all_live(world, app, tokens)


@pytest.mark.parametrize("action", ["suspend", "deactivate"])
def test_suspending_or_deactivating_the_user_ends_its_tokens_for_good(world, app, alice, action):
    tokens = world.signed_in(app, alice)
    world.advance(seconds=2)
    world.lifecycle(alice, action)
    world.advance(seconds=2)
    world.lifecycle(alice, "unsuspend" if action == "suspend" else "activate")
    # Active again, but the tokens issued before stay dead (from ACTIVE every status change leaves ACTIVE).
    all_gone(world, app, tokens)


def test_deactivating_the_client_ends_its_tokens_for_good(world, app, alice, container):
    tokens = world.signed_in(app, alice)
    other = world.client(assign=(alice,))
    others = world.signed_in(other, alice)
    world.advance(seconds=2)
    container.clients.set_status(app.client_id, "INACTIVE")
    assert introspected(world, other, tokens["access_token"]) is False  # a resource server asking
    world.advance(seconds=2)
    container.clients.set_status(app.client_id, "ACTIVE")
    all_gone(world, app, tokens)
    all_live(world, other, others)  # another client's tokens of the same user are untouched
    world.advance(seconds=2)
    all_live(world, app, world.signed_in(app, alice))


def test_revoking_consent_revokes_the_refresh_tokens_that_hold_its_scopes(world, app, alice, api, container):
    tokens = world.signed_in(app, alice)  # scopes: openid profile email offline_access
    other = world.client(assign=(alice,))
    others = world.signed_in(other, alice)
    consents = container.oauth.front.consents
    server_id, issuer = default_server(api)
    consents.remember(alice.id, server_id, app.client_id, [("profile", None)], issuer)
    consents.remember(alice.id, server_id, other.client_id, [("profile", None)], issuer)
    assert api.delete(f"/api/v1/users/{alice.id}/clients/{app.client_id}/grants").status_code == 204
    # The refresh token and the access token issued with it are revoked; the other client's are not.
    all_gone(world, app, tokens)
    all_live(world, other, others)


def test_revoking_one_consent_spares_families_without_that_scope(world, app, alice, api, container):
    narrow = world.signed_in(app, alice, scope="openid offline_access")
    consents = container.oauth.front.consents
    consents.remember(alice.id, *default_server(api)[:1], app.client_id, [("profile", None)], default_server(api)[1])
    grant = consents.list(alice.id)[0]
    assert api.delete(f"/api/v1/users/{alice.id}/grants/{grant.id}").status_code == 204
    assert introspected(world, app, narrow["refresh_token"]) is True


def test_a_revoked_familys_user_pointer_is_left_to_expire_and_dropped_when_met(world, app, alice, api, container):
    """Revocation deletes the family alone (its pointers expire by TTL); the next consent revocation that meets the
    user's pointer to it finds no family and drops the pointer."""
    tokens = world.signed_in(app, alice)
    store = container.refresh_tokens.store
    consents = container.oauth.front.consents
    server_id, issuer = default_server(api)
    [(_server, _client, family_id)] = list(store.user_families(alice.id))
    consents.remember(alice.id, server_id, app.client_id, [("profile", None)], issuer)
    assert api.delete(f"/api/v1/users/{alice.id}/clients/{app.client_id}/grants").status_code == 204
    all_gone(world, app, tokens)
    assert store.family(server_id, app.client_id, family_id) is None
    assert [f for *_, f in store.user_families(alice.id)] == [family_id]  # left to its TTL
    consents.remember(alice.id, server_id, app.client_id, [("profile", None)], issuer)
    assert api.delete(f"/api/v1/users/{alice.id}/clients/{app.client_id}/grants").status_code == 204
    assert list(store.user_families(alice.id)) == [] and store.locate(family_id) is None
