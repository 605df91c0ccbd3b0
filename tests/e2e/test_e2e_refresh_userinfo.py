"""The back channel of user flows over real HTTP against the local stack: a person and a group made with the
official ``okta`` SDK, a native app registered at ``/oauth2/v1/clients`` and assigned through the group, a fresh
authorization server whose only rule lets that group use the ``password`` grant; then the password grant with
``offline_access`` (plain ``requests``), refresh rotation, reuse detection, userinfo, revocation, and the
refresh-token management API through the SDK's ``list_`` / ``get_`` / ``revoke_refresh_token(s)_for_authorization_
server_and_client`` (every response validated against Okta's spec by ``test_e2e_openapi.py``).

Security-checklist cases: RT-01, RT-02, RT-04, RT-10, RT-13, RT-14, UI-01..04, REV-05, INT-03, TOK-01, TOK-07.
"""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
import requests
from okta import models

from e2e_support import call, expect, expect_error, not_found_summary, policy_body, rule_body, server_body

OKTA_SPEC_OPERATIONS = {
    "listRefreshTokensForAuthorizationServerAndClient",
    "getRefreshTokenForAuthorizationServerAndClient",
    "revokeRefreshTokenForAuthorizationServerAndClient",
    "revokeRefreshTokensForAuthorizationServerAndClient",
}

PASSWORD = "Tokenmint-Refresh-Pa55"
FULL = "openid profile email offline_access"
INVALID_RT = {"error": "invalid_grant", "error_description": "The refresh token is invalid or expired."}
BAD_CREDENTIALS = {"error": "invalid_grant", "error_description": "The credentials provided were invalid."}
INVALID_TOKEN = 'Bearer error="invalid_token", error_description="The access token is invalid"'


def tag() -> str:
    return uuid.uuid4().hex[:10]


@dataclass
class Native:
    client_id: str
    secret: str

    @property
    def auth(self) -> tuple[str, str]:
        return self.client_id, self.secret


@dataclass
class World:
    http: requests.Session
    base: str
    server_id: str
    issuer: str
    audience: str
    app: Native
    other_app: Native
    login: str
    user_id: str
    group_id: str

    def token(self, app: Native | None = None, **form: str) -> requests.Response:
        return self.http.post(f"{self.issuer}/v1/token", data=form, auth=(app or self.app).auth)

    def sign_in(self, scope: str = FULL, app: Native | None = None, password: str = PASSWORD) -> requests.Response:
        return self.token(app, grant_type="password", username=self.login, password=password, scope=scope)

    def refresh(self, refresh_token: str, app: Native | None = None, **extra: str) -> requests.Response:
        return self.token(app, grant_type="refresh_token", refresh_token=refresh_token, **extra)

    def userinfo(self, access_token: str, method: str = "GET") -> requests.Response:
        return self.http.request(method, f"{self.issuer}/v1/userinfo",
                                 headers={"Authorization": f"Bearer {access_token}"})

    def keys(self) -> dict[str, Any]:
        response = self.http.get(f"{self.issuer}/v1/keys")
        assert response.status_code == 200
        return response.json()

    def verify(self, token: str, audience: str) -> dict[str, Any]:
        header = jwt.get_unverified_header(token)
        jwk = next(k for k in self.keys()["keys"] if k["kid"] == header["kid"])
        return jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=audience, issuer=self.issuer)


def _register(http: requests.Session, base: str, headers: dict[str, str]) -> Native:
    response = http.post(f"{base}/oauth2/v1/clients", headers=headers, json={
        "client_name": f"e2e-refresh-{tag()}", "application_type": "native",
        "grant_types": ["authorization_code", "password", "refresh_token"],
        "redirect_uris": ["com.example.refresh:/callback"], "token_endpoint_auth_method": "client_secret_basic"})
    assert response.status_code == 201, response.text
    data = response.json()
    return Native(data["client_id"], data["client_secret"])


@pytest.fixture
def w(okta_client, http, stack, admin_headers) -> Iterator[World]:
    login = f"e2e-rt-{tag()}@example.com"
    user = expect(200, okta_client.create_user(models.CreateUserRequest.from_dict({
        "profile": {"login": login, "email": login, "firstName": "Refresh", "lastName": "Tester"},
        "credentials": {"password": {"value": PASSWORD}}}), activate=True))
    group = expect(200, okta_client.add_group(models.AddGroupRequest(
        profile=models.OktaUserGroupProfile(name=f"e2e-rt-group-{tag()}", description="refresh e2e"))))
    expect(204, okta_client.assign_user_to_group(group.id, user.id))
    app = _register(http, stack.base_url, admin_headers)
    other_app = _register(http, stack.base_url, admin_headers)
    for client_id in (app.client_id, other_app.client_id):
        expect(200, okta_client.assign_group_to_application(client_id, group.id,
                                                            models.ApplicationGroupAssignment(priority=0)))
    server = expect(201, okta_client.create_authorization_server(server_body()))
    policy = expect(201, okta_client.create_authorization_server_policy(server.id, policy_body()))
    expect(201, okta_client.create_authorization_server_policy_rule(
        server.id, policy.id, rule_body(grant_types=("password",), groups=(group.id,), access_minutes=15)))
    world = World(http=http, base=stack.base_url, server_id=server.id, issuer=server.issuer,
                  audience=server.audiences[0], app=app, other_app=other_app, login=login, user_id=user.id,
                  group_id=group.id)
    yield world
    call(okta_client.deactivate_authorization_server(server.id))
    call(okta_client.delete_authorization_server(server.id))
    for client_id in (app.client_id, other_app.client_id):
        http.delete(f"{stack.base_url}/oauth2/v1/clients/{client_id}", headers=admin_headers)
    call(okta_client.delete_user(user.id))
    call(okta_client.delete_user(user.id))
    call(okta_client.delete_group(group.id))


def test_password_grant_refresh_rotation_reuse_and_userinfo(w, okta_verifier_over_http):
    from okta_jwt_verifier import AccessTokenVerifier, IDTokenVerifier

    signed_in = w.sign_in()
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.headers["Cache-Control"] == "no-store"  # TOK-01
    first = signed_in.json()
    assert set(first) == {"token_type", "expires_in", "access_token", "scope", "refresh_token", "id_token"}
    assert first["expires_in"] == 900 and first["scope"] == FULL
    access = w.verify(first["access_token"], w.audience)
    assert access["uid"] == w.user_id and access["sub"] == w.login and access["cid"] == w.app.client_id
    id_claims = w.verify(first["id_token"], w.app.client_id)
    assert id_claims["sub"] == w.user_id and id_claims["amr"] == ["pwd"] and id_claims["email"] == w.login
    AccessTokenVerifier(issuer=w.issuer, audience=w.audience).verify_sync(first["access_token"])
    asyncio.run(IDTokenVerifier(issuer=w.issuer, client_id=w.app.client_id, audience=w.app.client_id)
                .verify(first["id_token"]))

    # UI-01/02: userinfo by GET and POST
    for method in ("GET", "POST"):
        info = w.userinfo(first["access_token"], method)
        assert info.status_code == 200, info.text
        assert info.json()["sub"] == id_claims["sub"] and info.json()["email"] == w.login
        assert info.json()["given_name"] == "Refresh"

    # rotation (RT-04, RT-13)
    rotated = w.refresh(first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    refreshed_id = w.verify(second["id_token"], w.app.client_id)
    assert refreshed_id["auth_time"] == id_claims["auth_time"] and refreshed_id["sub"] == id_claims["sub"]
    assert w.userinfo(second["access_token"]).status_code == 200

    # RT-02: narrowing, no ID token without openid; widening refused
    narrowed = w.refresh(second["refresh_token"], scope="email offline_access").json()
    assert narrowed["scope"] == "email offline_access" and "id_token" not in narrowed
    widened = w.refresh(narrowed["refresh_token"], scope="openid phone")
    assert widened.status_code == 400 and widened.json()["error"] == "invalid_scope"

    # RT-01: another client
    assert w.refresh(narrowed["refresh_token"], app=w.other_app).json() == INVALID_RT

    # RT-04: replaying a rotated token revokes the family and the access tokens it issued
    replay = w.refresh(first["refresh_token"])
    assert (replay.status_code, replay.json()) == (400, INVALID_RT)
    assert w.refresh(narrowed["refresh_token"]).json() == INVALID_RT
    for body in (first, second, narrowed):
        answer = w.userinfo(body["access_token"])
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == INVALID_TOKEN
        assert answer.text == ""
        assert w.http.post(f"{w.issuer}/v1/introspect", data={"token": body["access_token"]},
                           auth=w.app.auth).json() == {"active": False}


def test_userinfo_refusals(w):
    tokens = w.sign_in(scope="profile offline_access").json()
    insufficient = w.userinfo(tokens["access_token"])
    assert insufficient.status_code == 403 and 'error="insufficient_scope"' in insufficient.headers["WWW-Authenticate"]
    assert insufficient.text == ""
    assert w.userinfo("not-a-token").status_code == 401
    default_info = w.http.get(f"{w.base}/oauth2/default/v1/userinfo",
                              headers={"Authorization": f"Bearer {w.sign_in().json()['access_token']}"})
    assert default_info.status_code == 401  # UI-04: a token of another server
    discovery = w.http.get(f"{w.issuer}/.well-known/openid-configuration").json()
    assert discovery["userinfo_endpoint"] == f"{w.issuer}/v1/userinfo"
    assert {"password", "refresh_token"} <= set(discovery["grant_types_supported"])


def test_password_failures_and_policy(w, okta_client):
    assert w.sign_in(password="Wrong-Passw0rd-1").json() == BAD_CREDENTIALS
    outsider = w.http.post(f"{w.issuer}/v1/token", data={
        "grant_type": "password", "username": f"nobody-{tag()}@example.com", "password": PASSWORD, "scope": FULL},
        auth=w.app.auth)
    assert outsider.json() == BAD_CREDENTIALS
    expect(204, okta_client.unassign_user_from_group(w.group_id, w.user_id))
    denied = w.sign_in()  # no longer in the group: neither assigned (through it) nor included by the rule
    assert denied.status_code == 400 and denied.json()["error"] == "access_denied"


def test_revocation_introspection_and_user_deactivation(w, okta_client):
    tokens = w.sign_in().json()
    active = w.http.post(f"{w.issuer}/v1/introspect", data={"token": tokens["refresh_token"],
                                                             "token_type_hint": "refresh_token"}, auth=w.app.auth)
    assert active.json()["active"] is True and active.json()["client_id"] == w.app.client_id  # INT-03
    assert w.http.post(f"{w.issuer}/v1/revoke", data={"token": tokens["access_token"]},
                       auth=w.app.auth).status_code == 200
    still = w.refresh(tokens["refresh_token"])  # REV-05 pinned: an access token's revocation keeps the grant
    assert still.status_code == 200, still.text
    current = still.json()
    revoked = w.http.post(f"{w.issuer}/v1/revoke", data={"token": current["refresh_token"]}, auth=w.app.auth)
    assert revoked.status_code == 200 and revoked.text == ""
    assert w.refresh(current["refresh_token"]).json() == INVALID_RT
    assert w.userinfo(current["access_token"]).status_code == 401  # RT-10

    fresh = w.sign_in().json()
    expect(200, okta_client.deactivate_user(w.user_id))  # RT-14
    assert w.refresh(fresh["refresh_token"]).json() == INVALID_RT
    expect(200, okta_client.activate_user(w.user_id, send_email=False))


def test_refresh_token_management_with_the_sdk(w, okta_client):
    first = w.sign_in().json()
    second = w.sign_in(scope="openid offline_access").json()
    listed = expect(200, okta_client.list_refresh_tokens_for_authorization_server_and_client(
        w.server_id, w.app.client_id))
    assert len(listed) == 2
    for token in listed:
        assert token.id.startswith("oar") and len(token.id) == 20
        assert token.client_id == w.app.client_id and token.user_id == w.user_id
        assert token.issuer == w.issuer and str(getattr(token.status, "value", token.status)) == "ACTIVE"
        assert token.expires_at > token.created
        assert token.links.revoke.href.endswith(f"/clients/{w.app.client_id}/tokens/{token.id}")
    expanded = expect(200, okta_client.list_refresh_tokens_for_authorization_server_and_client(
        w.server_id, w.app.client_id, expand="scope", limit=1))
    assert len(expanded) == 1 and {s.name for s in expanded[0].embedded.scopes} <= set(FULL.split())

    narrow = next(t for t in listed if t.scopes == ["openid", "offline_access"])
    got = expect(200, okta_client.get_refresh_token_for_authorization_server_and_client(
        w.server_id, w.app.client_id, narrow.id, expand="scope"))
    assert got.id == narrow.id and [s.name for s in got.embedded.scopes] == ["openid", "offline_access"]

    expect(204, okta_client.revoke_refresh_token_for_authorization_server_and_client(
        w.server_id, w.app.client_id, narrow.id))
    assert w.refresh(second["refresh_token"]).json() == INVALID_RT
    err = expect_error(404, "E0000007", okta_client.get_refresh_token_for_authorization_server_and_client(
        w.server_id, w.app.client_id, narrow.id))
    assert err.error_summary == not_found_summary(narrow.id, "OAuth2RefreshToken")
    remaining = expect(200, okta_client.list_refresh_tokens_for_authorization_server_and_client(
        w.server_id, w.app.client_id))
    assert [t.id for t in remaining] == [t.id for t in listed if t.id != narrow.id]

    rotated = w.refresh(first["refresh_token"]).json()
    expect(204, okta_client.revoke_refresh_tokens_for_authorization_server_and_client(w.server_id, w.app.client_id))
    assert w.refresh(rotated["refresh_token"]).json() == INVALID_RT
    assert expect(200, okta_client.list_refresh_tokens_for_authorization_server_and_client(
        w.server_id, w.app.client_id)) == []
    expect_error(404, "E0000007", okta_client.list_refresh_tokens_for_authorization_server_and_client(
        w.server_id, "0oaNoSuchClient000000"))
