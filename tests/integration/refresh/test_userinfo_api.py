"""``/oauth2/{id}/v1/userinfo`` over the app's HTTP handlers on moto (okta-api.md 7.6; security-checklist UI-01..04,
REV-06) and its place in discovery."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from refresh_support import BASE, FORM, claims

INVALID = 'Bearer error="invalid_token", error_description="The access token is invalid"'
INSUFFICIENT = ('Bearer error="insufficient_scope", error_description="The access token must provide access to at '
                'least one of these scopes - profile, email, address or phone"')


def assert_challenge(response, status: int, header: str) -> None:
    assert response.status_code == status
    assert response.headers["WWW-Authenticate"] == header
    assert response.body in (b"", "")  # no JSON body
    assert not response.headers.get("Content-Type", "").startswith("application/json")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers.get("X-Okta-Request-Id")


def test_ui01_get_and_post_with_the_header_and_post_with_the_form(world, app, alice):
    access = world.signed_in(app, alice, scope="openid profile email phone address")["access_token"]
    expected = {"sub": alice.id, "name": "Alice Tester", "family_name": "Tester", "given_name": "Alice",
                "preferred_username": alice.login, "email": alice.login, "email_verified": True}
    for response in (world.userinfo(access), world.userinfo(access, method="POST"),
                     world.userinfo(None, method="POST", headers=FORM, raw=urlencode({"access_token": access}))):
        assert response.status_code == 200, response.body
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Cache-Control"] == "no-store"
        body = response.data
        updated = body.pop("updated_at")
        assert isinstance(updated, int) and body == expected


def test_ui02_sub_matches_the_id_token(world, app, alice):
    tokens = world.signed_in(app, alice, scope="openid")
    assert world.userinfo(tokens["access_token"]).data == {"sub": claims(tokens["id_token"])["sub"]}


def test_profile_changes_show_up(world, app, alice, api):
    access = world.signed_in(app, alice, scope="openid profile")["access_token"]
    assert api.post(f"/api/v1/users/{alice.id}", {"profile": {"nickName": "Al", "mobilePhone": "+1 555"}}
                    ).status_code == 200
    assert world.userinfo(access).data["nickname"] == "Al"


def test_ui03_failures(world, app, alice):
    tokens = world.signed_in(app, alice, scope="openid offline_access")
    assert_challenge(world.userinfo(None), 401, INVALID)
    assert_challenge(world.userinfo("not-a-jwt"), 401, INVALID)
    assert_challenge(world.userinfo(tokens["id_token"]), 401, INVALID)  # JAT-05
    assert_challenge(world.userinfo(None, headers={"Authorization": f"Basic {tokens['access_token']}"}), 401,
                     INVALID)
    refreshed = world.refresh(app, tokens["refresh_token"]).data
    assert world.revoke(app, refreshed["access_token"]).status_code == 200
    assert_challenge(world.userinfo(refreshed["access_token"]), 401, INVALID)  # REV-06
    world.advance(hours=2)
    assert_challenge(world.userinfo(tokens["access_token"]), 401, INVALID)  # expired


def test_ui03_no_openid_is_403(world, app, alice):
    access = world.signed_in(app, alice, scope="profile offline_access")["access_token"]
    assert_challenge(world.userinfo(access), 403, INSUFFICIENT)


def test_ui04_token_of_another_server(world, app, alice, api):
    other = api.post("/api/v1/authorizationServers", {"name": "second", "audiences": ["api://second"]}).data["id"]
    policy = api.post(f"/api/v1/authorizationServers/{other}/policies", {
        "type": "OAUTH_AUTHORIZATION_POLICY", "name": "all", "description": "all clients",
        "conditions": {"clients": {"include": ["ALL_CLIENTS"]}}}).data["id"]
    rule = api.post(f"/api/v1/authorizationServers/{other}/policies/{policy}/rules", {
        "type": "RESOURCE_ACCESS", "name": "everyone",
        "conditions": {"people": {"groups": {"include": ["EVERYONE"]}}, "grantTypes": {"include": ["password"]},
                       "scopes": {"include": ["*"]}}})
    assert rule.status_code == 201, rule.data
    access = world.signed_in(app, alice, scope="openid")["access_token"]
    theirs = world.password(app, alice, scope="openid", server=other)
    assert theirs.status_code == 200, theirs.data
    assert world.userinfo(theirs.data["access_token"], server=other).status_code == 200
    assert_challenge(world.userinfo(theirs.data["access_token"]), 401, INVALID)
    assert_challenge(world.userinfo(access, server=other), 401, INVALID)


@pytest.mark.parametrize("action", ["deactivate", "suspend"])
def test_inactive_user_gets_401(world, app, alice, action):
    access = world.signed_in(app, alice, scope="openid")["access_token"]
    world.lifecycle(alice, action)
    assert_challenge(world.userinfo(access), 401, INVALID)


def test_unknown_server_is_okta_404(world):
    response = world.userinfo("x", server="ausNoSuchServer00000")
    assert response.status_code == 404 and response.data["errorCode"] == "E0000007"


def test_discovery_advertises_userinfo_and_the_grants(world):
    oidc = world._oauth("GET", "/oauth2/default/.well-known/openid-configuration", {}).data
    oauth = world._oauth("GET", "/oauth2/default/.well-known/oauth-authorization-server", {}).data
    assert oidc["userinfo_endpoint"] == f"{BASE}/oauth2/default/v1/userinfo"
    assert "userinfo_endpoint" not in oauth
    for doc in (oidc, oauth):
        assert {"refresh_token", "password"} <= set(doc["grant_types_supported"])
