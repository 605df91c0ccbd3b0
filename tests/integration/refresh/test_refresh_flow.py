"""Password grant, refresh rotation and reuse detection on moto, through the app's HTTP handlers, with users and
assignments made through the directory API (security-checklist TOK-01/05/07, RT-01..04, RT-09, RT-11, RT-14,
REV-05, INT-03, DDB-05)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from chalicelib.oauth.refresh_tokens import hash_token
from refresh_support import BAD_CREDENTIALS, INVALID_RT, claims, grants_items

# This module reads DynamoDB's own items (or fails its tables): it stands on moto, not the in-memory backend.
pytestmark = pytest.mark.dynamodb


def test_password_grant_then_refresh_rotation(world, app, alice):
    first = world.signed_in(app, alice)
    assert set(first) == {"token_type", "expires_in", "access_token", "scope", "refresh_token", "id_token"}
    assert re.fullmatch(r"oar[A-Za-z0-9]{17}\.[A-Za-z0-9_-]{43}", first["refresh_token"])  # family id . 256 bits
    world.advance(minutes=5)
    response = world.refresh(app, first["refresh_token"])
    assert response.status_code == 200, response.data
    assert response.headers["Cache-Control"] == "no-store"
    second = response.data
    assert second["refresh_token"] != first["refresh_token"]
    assert claims(second["id_token"])["auth_time"] == claims(first["id_token"])["auth_time"]
    assert claims(second["access_token"])["uid"] == alice.id
    third = world.refresh(app, second["refresh_token"])
    assert third.status_code == 200, third.data


def test_rt04_reuse_revokes_the_family_and_its_access_tokens(world, app, alice):
    first = world.signed_in(app, alice)
    second = world.refresh(app, first["refresh_token"]).data
    replay = world.refresh(app, first["refresh_token"])
    assert (replay.status_code, replay.data) == (400, INVALID_RT)
    assert world.refresh(app, second["refresh_token"]).data == INVALID_RT
    for body in (first, second):
        assert world.introspect(app, body["access_token"]).data == {"active": False}
        assert world.userinfo(body["access_token"]).status_code == 401


def test_only_hashes_are_stored_and_every_item_expires(world, app, alice):
    first = world.signed_in(app, alice)
    second = world.refresh(app, first["refresh_token"]).data
    items = grants_items()
    dump = repr(items)
    for token in (first["refresh_token"], second["refresh_token"]):
        assert token not in dump
    assert not any(i["pk"]["S"].startswith("RT#") for i in items)  # no token has a record of its own any more
    families = [i for i in items if i["pk"]["S"].startswith("RTC#")]
    assert len(families) == 1
    family = families[0]
    # The family holds the current token's hash and the rotated-out one's first 128 bits.
    assert hash_token(second["refresh_token"]) in family["doc"]["S"]
    assert hash_token(first["refresh_token"])[:32] in family["doc"]["S"]
    assert family["pk"]["S"] == f"RTC#{world.container.servers.resolve_id('default')}#{app.client_id}"
    assert family["sk"]["S"].startswith("RTF#oar")
    for item in items:
        if item["pk"]["S"].startswith(("RT#", "RTC#", "RTID#")):
            assert "expiresAt" in item, item["pk"]["S"]  # DynamoDB's TTL attribute


def test_rt09_racing_rotations_on_dynamodb_exactly_one_wins(world, app, alice, container):
    """Two redemptions read the family at the same version; DynamoDB's conditional transaction lets one win."""
    first = world.signed_in(app, alice)
    tokens = container.refresh_tokens
    server_id = container.servers.resolve_id("default")
    now = container.clock.now()
    one = tokens.redeem(first["refresh_token"], server_id=server_id, client_id=app.client_id, now=now)
    two = tokens.redeem(first["refresh_token"], server_id=server_id, client_id=app.client_id, now=now)
    winner = tokens.rotate(one, now=now)
    with pytest.raises(Exception) as caught:
        tokens.rotate(two, now=now)
    assert getattr(caught.value, "error", None) == "invalid_grant"
    assert world.refresh(app, winner).data == INVALID_RT  # the loser's reuse revoked the family


def test_rt01_another_client_cannot_use_the_token(world, app, alice):
    other = world.client(assign=(alice,))
    first = world.signed_in(app, alice)
    assert world.refresh(other, first["refresh_token"]).data == INVALID_RT
    assert world.refresh(app, first["refresh_token"]).status_code == 200


def test_refresh_token_of_another_server_is_refused(world, app, alice, api):
    other = api.post("/api/v1/authorizationServers", {"name": "second", "audiences": ["api://second"]}).data["id"]
    first = world.signed_in(app, alice)
    assert world.refresh(app, first["refresh_token"], server=other).data == INVALID_RT


def test_rt02_scope_narrowing_and_widening(world, app, alice):
    first = world.signed_in(app, alice)
    narrowed = world.refresh(app, first["refresh_token"], scope="email offline_access")
    assert narrowed.status_code == 200 and narrowed.data["scope"] == "email offline_access"
    assert "id_token" not in narrowed.data
    wider = world.refresh(app, narrowed.data["refresh_token"], scope="openid phone")
    assert wider.status_code == 400 and wider.data["error"] == "invalid_scope"
    again = world.refresh(app, narrowed.data["refresh_token"])
    assert again.data["scope"] == "openid profile email offline_access"  # RT-03


def test_rt11_idle_window_and_lifetime_from_the_rule(world, app, alice, api, container):
    policy = api.get("/api/v1/authorizationServers/default/policies").data[0]["id"]
    rules = api.get(f"/api/v1/authorizationServers/default/policies/{policy}/rules").data
    rule = rules[0]
    rule["actions"]["token"].update(refreshTokenLifetimeMinutes=120, refreshTokenWindowMinutes=60,
                                    accessTokenLifetimeMinutes=30)
    updated = api.put(f"/api/v1/authorizationServers/default/policies/{policy}/rules/{rule['id']}", rule)
    assert updated.status_code == 200, updated.data
    world.advance(seconds=31)  # past the token path's configuration cache
    first = world.signed_in(app, alice)
    assert first["expires_in"] == 1800
    world.advance(minutes=59)
    second = world.refresh(app, first["refresh_token"]).data
    world.advance(minutes=59)
    third = world.refresh(app, second["refresh_token"]).data
    world.advance(minutes=3)  # 121 minutes after the sign-in: past the lifetime, inside the window
    assert world.refresh(app, third["refresh_token"]).data == INVALID_RT
    fresh = world.signed_in(app, alice)
    world.advance(minutes=61)
    assert world.refresh(app, fresh["refresh_token"]).data == INVALID_RT


@pytest.mark.parametrize("action", ["deactivate", "suspend"])
def test_rt14_user_lifecycle_revokes_refresh_tokens(world, app, alice, action):
    first = world.signed_in(app, alice)
    world.advance(seconds=2)
    world.lifecycle(alice, action)
    world.advance(seconds=2)
    world.lifecycle(alice, "activate" if action == "deactivate" else "unsuspend")
    world.advance(seconds=2)
    assert world.refresh(app, first["refresh_token"]).data == INVALID_RT
    assert world.password(app, alice).status_code == 200  # a fresh sign-in works again


def test_rt14_deleted_user_and_unassigned_user(world, app, alice, api):
    bob = world.user("bob")
    world.assign(app, bob)
    alice_tokens = world.signed_in(app, alice)
    bob_tokens = world.signed_in(app, bob)
    assert api.delete(f"/api/v1/apps/{app.client_id}/users/{bob.id}").status_code == 204
    assert world.refresh(app, bob_tokens["refresh_token"]).data == INVALID_RT
    assert api.delete(f"/api/v1/users/{alice.id}").status_code == 204  # deactivates
    assert api.delete(f"/api/v1/users/{alice.id}").status_code == 204  # deletes
    assert world.refresh(app, alice_tokens["refresh_token"]).data == INVALID_RT


def test_deleted_client_cannot_refresh(world, app, alice, api):
    first = world.signed_in(app, alice)
    assert api.delete(f"/oauth2/v1/clients/{app.client_id}").status_code == 204
    world.advance(seconds=31)  # the token path's client cache
    response = world.refresh(app, first["refresh_token"])
    assert response.status_code == 401 and response.data["error"] == "invalid_client"


def test_password_grant_failures_look_alike(world, app, alice, api):
    wrong = world.password(app, alice.__class__(alice.id, alice.login, "Wrong-Passw0rd"))
    unknown = world.password(app, alice.__class__("00uNobody", "nobody@example.com"))
    assert (wrong.status_code, wrong.data) == (unknown.status_code, unknown.data) == (400, BAD_CREDENTIALS)
    assert wrong.headers["Cache-Control"] == "no-store"


def test_password_grant_locked_out_user(world, app, alice):
    wrong = alice.__class__(alice.id, alice.login, "Wrong-Passw0rd")
    for _ in range(10):
        assert world.password(app, wrong).data == BAD_CREDENTIALS
    locked = world.password(app, alice)  # the right password no longer helps
    assert (locked.status_code, locked.data) == (400, BAD_CREDENTIALS)


def test_tok07_password_grant_needs_the_registration(world, alice):
    web = world.client(grants=("authorization_code", "refresh_token"), application_type="web", assign=(alice,))
    response = world.password(web, alice)
    assert response.status_code == 400 and response.data["error"] == "unauthorized_client"


def test_unassigned_user_gets_access_denied(world, alice):
    stranger_app = world.client()
    response = world.password(stranger_app, alice)
    assert response.status_code == 400
    assert response.data == {"error": "access_denied",
                             "error_description": "User is not assigned to the client application."}


def test_group_assignment_is_enough(world, api, alice):
    group = api.post("/api/v1/groups", {"profile": {"name": "staff"}}).data["id"]
    assert api.put(f"/api/v1/groups/{group}/users/{alice.id}").status_code == 204
    app = world.client()
    assert api.put(f"/api/v1/apps/{app.client_id}/groups/{group}", {}).status_code == 200
    assert world.password(app, alice).status_code == 200


def test_public_native_app_refreshes(world, alice):
    public = world.client(method="none", assign=(alice,))
    first = world.signed_in(public, alice)
    second = world.refresh(public, first["refresh_token"])
    assert second.status_code == 200, second.data


def test_revocation_and_introspection_of_refresh_tokens(world, app, alice):
    first = world.signed_in(app, alice)
    active = world.introspect(app, first["refresh_token"], token_type_hint="refresh_token").data
    assert active["active"] is True and active["client_id"] == app.client_id and active["uid"] == alice.id
    other = world.client(assign=(alice,))
    assert world.introspect(other, first["refresh_token"]).data == {"active": False}
    refused = world.revoke(other, first["refresh_token"])
    assert refused.status_code == 400 and refused.data["error"] == "invalid_request"
    revoked = world.revoke(app, first["refresh_token"])
    assert revoked.status_code == 200 and revoked.body in (b"", "")
    assert world.refresh(app, first["refresh_token"]).data == INVALID_RT
    assert world.introspect(app, first["access_token"]).data == {"active": False}  # RT-10


def test_dynamo_ttl_lag_expired_items_are_ignored(world, app, alice):
    """moto never deletes expired items (H-03), like DynamoDB before its sweeper: expiry is checked on read."""
    first = world.signed_in(app, alice)
    world.advance(days=8)  # past the default 7-day window
    assert world.refresh(app, first["refresh_token"]).data == INVALID_RT


def test_holders_note_the_client(world, app, alice, api):
    world.signed_in(app, alice)
    listed = api.get("/api/v1/authorizationServers/default/clients").data
    assert app.client_id in [c["client_id"] for c in listed]


def test_rotation_keeps_the_pointers_ahead_of_the_family(world, app, alice, container):
    """The pointers (by id, by user) are written two windows ahead and moved only by a rotation whose token would
    outlive them: most rotations write the family and the new token only (docs/ARCHITECTURE.md, refresh costs)."""
    def expiries() -> tuple[int, int, int]:
        items = {i["pk"]["S"]: i for i in grants_items()}
        family = next(i for k, i in items.items() if k.startswith("RTC#"))
        family_id = family["sk"]["S"][len("RTF#"):]
        by_user = next(i for k, i in items.items() if k.startswith("RTU#") and i["sk"]["S"] == f"RTF#{family_id}")
        return (int(family["expiresAt"]["N"]), int(items["RTID#" + family_id]["expiresAt"]["N"]),
                int(by_user["expiresAt"]["N"]))

    def at(**delta: float) -> int:
        return int((start + timedelta(**delta)).timestamp())

    start = container.clock.now()
    token = world.signed_in(app, alice)["refresh_token"]
    assert expiries() == (at(days=7), at(days=14), at(days=14))  # the default rule's 7-day window
    world.advance(days=6)
    token = world.refresh(app, token).data["refresh_token"]
    assert expiries() == (at(days=13), at(days=14), at(days=14))  # not moved: they outlive the new token
    world.advance(days=2)
    world.refresh(app, token)
    assert expiries() == (at(days=15), at(days=22), at(days=22))  # moved: the new token would have outlived them
