"""The admin console's built-in client at the org authorization server (issue 18; oauth/console_client.py): a
public client whose redirect URI is ``{base URL}/admin`` and only at the org server, code + PKCE required, open to
every person with an admin role and to nobody else; and ``okta.users.read.self`` (a person reads their own user and
roles, whatever their role)."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest

from tests.integration.api.apisupport import assert_error
from tests.integration.org.test_org_people import BASE, FORM, PASSWORD, Browser, hidden_fields

CONSOLE = "tokenmint-admin-console"
REDIRECT = f"{BASE}/admin"
SCOPE = "openid profile okta.authorizationServers.manage okta.users.read.self"


def _person(api, login: str, role: str | None) -> dict:
    person = api.post("/api/v1/users?activate=true", {
        "profile": {"login": login, "email": login, "firstName": "Con", "lastName": "Sole"},
        "credentials": {"password": {"value": PASSWORD}}}).data
    if role:
        assert api.post(f"/api/v1/users/{person['id']}/roles", {"type": role}).status_code == 201
    return person


def _follow(browser: Browser, response):
    """Redirects within the server, stopping at the console (whose page the test does not need)."""
    while response.status_code in (302, 303) and response.headers["Location"].startswith(BASE) \
            and not response.headers["Location"].startswith(REDIRECT):
        response = browser.request("GET", response.headers["Location"])
    return response


def _authorize(browser: Browser, *, redirect: str = REDIRECT, path: str = "/oauth2/v1", scope: str = SCOPE,
               pkce: bool = True) -> tuple[object, str]:
    verifier = secrets.token_urlsafe(48)
    query = {"client_id": CONSOLE, "response_type": "code", "redirect_uri": redirect, "scope": scope, "state": "st",
             "nonce": "n"}
    if pkce:
        query["code_challenge"] = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        query["code_challenge_method"] = "S256"
    return _follow(browser, browser.request("GET", f"{BASE}{path}/authorize?{urlencode(query)}")), verifier


def _sign_in(browser: Browser, page, login: str) -> dict[str, str]:
    assert page.status_code == 200 and "Sign in" in page.text, page.text[:300]
    answer = _follow(browser, browser.request("POST", f"{BASE}/oauth2/v1/org/signin", {
        **hidden_fields(page.text), "username": login, "password": PASSWORD}))
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?"), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _tokens(api, login: str, role: str | None, scope: str = SCOPE) -> tuple[dict, dict]:
    person = _person(api, login, role)
    browser = Browser(api._client)
    page, verifier = _authorize(browser, scope=scope)
    params = _sign_in(browser, page, login)
    redeemed = api._client.http.post("/oauth2/v1/token", headers=FORM, body=urlencode({
        "grant_type": "authorization_code", "code": params["code"], "redirect_uri": REDIRECT,
        "code_verifier": verifier, "client_id": CONSOLE}))
    assert redeemed.status_code == 200, redeemed.body
    return person, redeemed.json_body


def _bearer(api, path: str, token: str, method: str = "GET"):
    response = getattr(api._client.http, method.lower())(path, headers={"Authorization": f"Bearer {token}"})
    response.data = json.loads(response.body) if response.body else None
    return response


def test_an_admin_signs_in_to_the_console_with_code_and_pkce_and_no_secret(api):
    person, tokens = _tokens(api, "ada@example.com", "API_ACCESS_MANAGEMENT_ADMIN")
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert (claims["cid"], claims["uid"], claims["aud"]) == (CONSOLE, person["id"], BASE)
    assert set(claims["scp"]) >= {"okta.authorizationServers.manage", "okta.users.read.self"}
    assert _bearer(api, "/api/v1/authorizationServers", tokens["access_token"]).status_code == 200


@pytest.mark.parametrize("redirect", [f"{BASE}/admin/", f"{BASE}/admin?x=1", "https://evil.example/admin",
                                      "/admin", f"{BASE}/oauth2/v1/admin"])
def test_only_the_consoles_own_address_is_its_redirect_uri(api, redirect):
    page, _ = _authorize(Browser(api._client), redirect=redirect)
    assert page.status_code == 400 and "redirect_uri" in page.text and "Location" not in page.headers


def test_the_console_client_signs_in_only_at_the_org_server(api):
    # At a custom server its registered path resolves to nothing: no redirect URI matches.
    page, _ = _authorize(Browser(api._client), path="/oauth2/default/v1")
    assert page.status_code == 400 and "redirect_uri" in page.text


def test_pkce_is_required(api):
    page, _ = _authorize(Browser(api._client), pkce=False)
    location = page.headers["Location"]
    assert location.startswith(REDIRECT + "?") and "error=invalid_request" in location and "PKCE" in location


def test_a_person_without_an_admin_role_is_refused_at_sign_in(api):
    _person(api, "nobody@example.com", None)
    browser = Browser(api._client)
    page, _ = _authorize(browser)
    params = _sign_in(browser, page, "nobody@example.com")
    assert params["error"] == "access_denied" and "code" not in params


def test_a_person_reads_their_own_roles_with_the_self_scope_and_nothing_else(api):
    other = _person(api, "other@example.com", "SUPER_ADMIN")
    person, tokens = _tokens(api, "self@example.com", "API_ACCESS_MANAGEMENT_ADMIN", scope="openid okta.users.read.self")
    token = tokens["access_token"]
    roles = _bearer(api, f"/api/v1/users/{person['id']}/roles", token)
    assert roles.status_code == 200 and [r["type"] for r in roles.data] == ["API_ACCESS_MANAGEMENT_ADMIN"]
    assert _bearer(api, f"/api/v1/users/{person['id']}", token).data["id"] == person["id"]
    # Someone else's roles, the list of people, and anything written: refused.
    assert_error(_bearer(api, f"/api/v1/users/{other['id']}/roles", token), 403, "E0000006")
    assert_error(_bearer(api, "/api/v1/users", token), 403, "E0000006")
    assert_error(_bearer(api, f"/api/v1/users/{person['id']}/lifecycle/deactivate", token, "POST"), 403, "E0000006")
    assert_error(_bearer(api, "/api/v1/authorizationServers", token), 403, "E0000006")


def test_signing_out_of_the_console_returns_to_it(api):
    _person(api, "leaving@example.com", "READ_ONLY_ADMIN")
    browser = Browser(api._client)
    page, verifier = _authorize(browser)
    params = _sign_in(browser, page, "leaving@example.com")
    tokens = api._client.http.post("/oauth2/v1/token", headers=FORM, body=urlencode({
        "grant_type": "authorization_code", "code": params["code"], "redirect_uri": REDIRECT,
        "code_verifier": verifier, "client_id": CONSOLE})).json_body
    ended = browser.request("GET", f"{BASE}/oauth2/v1/logout?" + urlencode({
        "id_token_hint": tokens["id_token"], "post_logout_redirect_uri": REDIRECT}))
    assert ended.status_code in (302, 303) and ended.headers["Location"] == REDIRECT


def test_an_org_server_from_an_older_release_gets_the_new_okta_scopes(container):
    from chalicelib.oauth.issuer import ORG_SERVER_ID

    repo = container.storage.config
    scope = next(s for s in repo.load(ORG_SERVER_ID).scopes if s.name == "okta.users.read.self")
    repo.delete_scope(ORG_SERVER_ID, scope)  # as an org server created before the scope existed
    assert "okta.users.read.self" not in {s.name for s in repo.load(ORG_SERVER_ID).scopes}
    container.servers.ensure_org()
    names = [s.name for s in repo.load(ORG_SERVER_ID).scopes]
    assert names.count("okta.users.read.self") == 1
    container.servers.ensure_org()  # idempotent
    assert [s.name for s in repo.load(ORG_SERVER_ID).scopes].count("okta.users.read.self") == 1
