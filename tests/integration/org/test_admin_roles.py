"""People's admin roles (Okta's ``/api/v1/users/{userId}/roles``) and what they let a person's management token do
(issue 16). The person's token is an access token of the org authorization server with ``uid``, signed with its
ACTIVE key exactly as its token endpoint signs (``oauth/minting.sign``), so that each role is checked without a
browser; test_org_people.py gets such tokens through the real code flow."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.oauth import minting
from chalicelib.oauth.access_token import access_token_claims
from chalicelib.oauth.issuer import ORG_SERVER_ID
from tests.integration.api.apisupport import assert_error, assert_not_found, nothing_changes

BASE = "https://tokenmint.test"
SERVERS = "/api/v1/authorizationServers"
ALL_SCOPES = ("okta.authorizationServers.read", "okta.authorizationServers.manage", "okta.users.read",
              "okta.users.manage")


@pytest.fixture
def person(api) -> dict:
    made = api.post("/api/v1/users?activate=true", {"profile": {
        "login": "ada@example.com", "email": "ada@example.com", "firstName": "Ada", "lastName": "Admin"},
        "credentials": {"password": {"value": "Quiet-Harb0ur-42x"}}})
    assert made.status_code == 200 and made.data["status"] == "ACTIVE", made.data
    return made.data


@pytest.fixture
def console(api) -> str:
    """The app a person's token is issued to, granted every scope these tests use."""
    app = api.post("/api/v1/apps", {"name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": "console",
                                    "credentials": {"oauthClient": {"token_endpoint_auth_method": "none"}},
                                    "settings": {"oauthClient": {"application_type": "browser",
                                                                 "redirect_uris": ["https://console.example/cb"]}}})
    assert app.status_code == 200, app.data
    for scope in ALL_SCOPES:
        assert api.post(f"/api/v1/apps/{app.data['id']}/grants", {"issuer": BASE, "scopeId": scope}).status_code == 201
    return app.data["id"]


def person_token(container, app_id: str, user: dict) -> str:
    services = container.oauth.services
    config, read_at = services.configs.active(ORG_SERVER_ID, org_route=True)
    claims = access_token_claims(issuer=BASE, audience=BASE, client_id=app_id, scopes=ALL_SCOPES,
                                 now=services.now(), lifetime=timedelta(hours=1), subject=user["profile"]["login"],
                                 custom={}, user_id=user["id"])
    return minting.sign(services, config, read_at, claims)


def call(api, method: str, path: str, token: str, body: dict | None = None):
    response = getattr(api._client.http, method.lower())(
        path, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        body=json.dumps(body).encode() if body else b"")
    response.data = json.loads(response.body) if response.body else None
    return response


def assign(api, user_id: str, role: str) -> dict:
    made = api.post(f"/api/v1/users/{user_id}/roles", {"type": role})
    assert made.status_code == 201, made.data
    return made.data


def test_the_role_assignment_api(api, person):
    roles = f"/api/v1/users/{person['id']}/roles"
    assert api.get(roles).data == []
    role = assign(api, person["id"], "API_ACCESS_MANAGEMENT_ADMIN")
    assert (role["type"], role["label"], role["status"], role["assignmentType"]) == (
        "API_ACCESS_MANAGEMENT_ADMIN", "API Access Management Administrator", "ACTIVE", "USER")
    assert role["_links"]["assignee"]["href"] == f"{BASE}/api/v1/users/{person['id']}"
    assert api.get(f"{roles}/{role['id']}").data == role
    assert [r["id"] for r in api.get(roles).data] == [role["id"]]
    with nothing_changes():
        assert_error(api.post(roles, {"type": "API_ACCESS_MANAGEMENT_ADMIN"}), 400, "E0000001")  # once
        assert_error(api.post(roles, {"type": "ORG_ADMIN"}), 400, "E0000001")  # not served
        assert_error(api.post(roles, {}), 400, "E0000001")
        assert_not_found(api.post("/api/v1/users/00uNOPE/roles", {"type": "SUPER_ADMIN"}), "00uNOPE", "User")
    assert api.delete(f"{roles}/{role['id']}").status_code == 204
    assert_not_found(api.get(f"{roles}/{role['id']}"), role["id"], "Role")


def test_an_api_access_management_admin_manages_authorization_servers_but_not_users(api, container, person,
                                                                                   console):
    assign(api, person["id"], "API_ACCESS_MANAGEMENT_ADMIN")
    token = person_token(container, console, person)
    assert call(api, "GET", SERVERS, token).status_code == 200
    made = call(api, "POST", SERVERS, token, {"name": "by-ada", "audiences": ["api://by-ada"]})
    assert made.status_code == 201, made.data
    with nothing_changes():
        assert_error(call(api, "GET", "/api/v1/users", token), 403, "E0000006")
        assert_error(call(api, "POST", "/api/v1/users", token, {"profile": {"login": "x@example.com"}}), 403,
                     "E0000006")


def test_a_read_only_admin_reads_everything_and_writes_nothing(api, container, person, console):
    assign(api, person["id"], "READ_ONLY_ADMIN")
    token = person_token(container, console, person)
    assert call(api, "GET", SERVERS, token).status_code == 200
    assert call(api, "GET", "/api/v1/users", token).status_code == 200
    with nothing_changes():
        assert_error(call(api, "POST", SERVERS, token, {"name": "no", "audiences": ["api://no"]}), 403, "E0000006")


def test_a_super_admin_does_everything_and_no_role_nothing(api, container, person, console):
    token = person_token(container, console, person)
    assert_error(call(api, "GET", SERVERS, token), 403, "E0000006")  # no role yet
    role = assign(api, person["id"], "SUPER_ADMIN")
    assert call(api, "GET", "/api/v1/users", token).status_code == 200  # the same token, at once
    assert call(api, "POST", SERVERS, token, {"name": "by-super", "audiences": ["api://s"]}).status_code == 201
    api.delete(f"/api/v1/users/{person['id']}/roles/{role['id']}")
    assert_error(call(api, "GET", SERVERS, token), 403, "E0000006")  # removed: at once


def test_a_deactivated_person_s_token_stops_working(api, container, person, console):
    assign(api, person["id"], "SUPER_ADMIN")
    token = person_token(container, console, person)
    assert call(api, "GET", SERVERS, token).status_code == 200
    api.post(f"/api/v1/users/{person['id']}/lifecycle/deactivate")
    assert_error(call(api, "GET", SERVERS, token), 401, "E0000011")


def test_only_a_person_who_is_a_super_admin_creates_api_tokens(api, container, person, console):
    """An API token acts as a super administrator: a narrower credential must not mint one."""
    for scope in ("okta.apiTokens.read", "okta.apiTokens.manage"):
        api.post(f"/api/v1/apps/{console}/grants", {"issuer": BASE, "scopeId": scope})
    services = container.oauth.services
    config, read_at = services.configs.active(ORG_SERVER_ID, org_route=True)

    def token_for(user: dict | None) -> str:
        claims = access_token_claims(issuer=BASE, audience=BASE, client_id=console, now=services.now(),
                                     scopes=("okta.apiTokens.read", "okta.apiTokens.manage"),
                                     lifetime=timedelta(hours=1), subject=user["profile"]["login"] if user else console,
                                     custom={}, user_id=user["id"] if user else None)
        return minting.sign(services, config, read_at, claims)

    with nothing_changes():  # a service app with okta.apiTokens.manage, no person: refused
        assert_error(call(api, "POST", "/api/v1/api-tokens", token_for(None), {"name": "x"}), 403, "E0000006")
    assert call(api, "GET", "/api/v1/api-tokens", token_for(None)).status_code == 200  # reading is fine
    role = assign(api, person["id"], "READ_ONLY_ADMIN")
    with nothing_changes():
        assert_error(call(api, "POST", "/api/v1/api-tokens", token_for(person), {"name": "x"}), 403, "E0000006")
    api.delete(f"/api/v1/users/{person['id']}/roles/{role['id']}")
    assign(api, person["id"], "SUPER_ADMIN")
    made = call(api, "POST", "/api/v1/api-tokens", token_for(person), {"name": "by-ada"})
    assert made.status_code == 201, made.data
