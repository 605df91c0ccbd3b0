"""People at the org authorization server (issue 16): an admin signs in to an app such as the admin console with
code + PKCE at ``/oauth2/v1/authorize`` (sign-in page under ``/oauth2/v1/org``), the app redeems the code at
``/oauth2/v1/token``, and the person's token opens the management API as far as both its scopes and the person's
admin roles go. Okta scopes the app was not granted are refused before anyone signs in."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest

from tests.integration.api.apisupport import assert_error

BASE = "https://tokenmint.test"
CALLBACK = "https://console.example/cb"
PASSWORD = "Quiet-Harb0ur-42x"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SCOPE = "openid offline_access okta.authorizationServers.read okta.authorizationServers.manage"


class Browser:
    """chalice's test client with a cookie jar, on paths of ``BASE``."""

    def __init__(self, client) -> None:
        self.client = client
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, data: dict | None = None):
        assert url.startswith(BASE), url
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = b""
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = self.client.http.request(method, url[len(BASE):], headers=headers, body=body)
        raw = response.headers.get("Set-Cookie") or []
        for header in [raw] if isinstance(raw, str) else raw:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        response.text = response.body.decode() if response.body else ""
        return response

    def follow(self, response):
        while response.status_code in (302, 303) and response.headers["Location"].startswith(BASE):
            response = self.request("GET", response.headers["Location"])
        return response


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


@pytest.fixture
def console(api) -> dict:
    """A browser app (public, PKCE) granted the authorization-server scopes, and a person assigned to it."""
    app = api.post("/api/v1/apps", {"name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": "Admin console",
                                    "credentials": {"oauthClient": {"token_endpoint_auth_method": "none"}},
                                    "settings": {"oauthClient": {"application_type": "browser",
                                                                 "grant_types": ["authorization_code",
                                                                                 "refresh_token"],
                                                                 "redirect_uris": [CALLBACK]}}})
    assert app.status_code == 200, app.data
    app_id = app.data["id"]
    for scope in ("okta.authorizationServers.read", "okta.authorizationServers.manage"):
        assert api.post(f"/api/v1/apps/{app_id}/grants", {"issuer": BASE, "scopeId": scope}).status_code == 201
    person = api.post("/api/v1/users?activate=true", {
        "profile": {"login": "ada@example.com", "email": "ada@example.com", "firstName": "Ada", "lastName": "Admin"},
        "credentials": {"password": {"value": PASSWORD}}}).data
    assert api.post(f"/api/v1/apps/{app_id}/users", {"id": person["id"]}).status_code == 200
    return {"app_id": app_id, "person": person}


def sign_in_for_code(api, console: dict, scope: str = SCOPE, browser: Browser | None = None
                     ) -> tuple[dict[str, str], str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    browser = browser or Browser(api._client)
    query = urlencode({"client_id": console["app_id"], "response_type": "code", "redirect_uri": CALLBACK,
                       "scope": scope, "state": "st-1", "code_challenge": challenge,
                       "code_challenge_method": "S256"})
    first = browser.request("GET", f"{BASE}/oauth2/v1/authorize?{query}")
    page = browser.follow(first)
    if page.status_code != 200:  # an error, or a session that needs no sign-in: straight back to the app
        location = page.headers["Location"]
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}, verifier
    assert "Sign in" in page.text and f'action="{BASE}/oauth2/v1/org/signin"' in page.text, page.text[:500]
    answer = browser.request("POST", f"{BASE}/oauth2/v1/org/signin", {
        **hidden_fields(page.text), "username": "ada@example.com", "password": PASSWORD})
    landing = browser.follow(answer)
    assert landing.status_code in (302, 303), (landing.status_code, landing.text[:500])
    location = landing.headers["Location"]
    assert location.startswith(CALLBACK), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}, verifier


def redeem(api, console: dict, code: str, verifier: str):
    return api._client.http.post("/oauth2/v1/token", headers=FORM, body=urlencode({
        "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier,
        "client_id": console["app_id"]}))


def bearer(api, method: str, path: str, token: str, body: dict | None = None):
    return getattr(api._client.http, method.lower())(
        path, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        body=json.dumps(body).encode() if body else b"")


def test_a_person_signs_in_to_the_console_and_manages_authorization_servers_as_their_role_allows(api, console):
    api.post(f"/api/v1/users/{console['person']['id']}/roles", {"type": "API_ACCESS_MANAGEMENT_ADMIN"})
    params, verifier = sign_in_for_code(api, console)
    assert params["state"] == "st-1" and params["iss"] == BASE
    issued = redeem(api, console, params["code"], verifier)
    assert issued.status_code == 200, issued.body
    tokens = issued.json_body
    assert tokens["scope"] == SCOPE and tokens["refresh_token"] and tokens["id_token"]
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert (claims["iss"], claims["aud"], claims["uid"]) == (BASE, BASE, console["person"]["id"])
    assert jwt.decode(tokens["id_token"], options={"verify_signature": False})["iss"] == BASE

    access = tokens["access_token"]
    assert bearer(api, "GET", "/api/v1/authorizationServers", access).status_code == 200
    made = bearer(api, "POST", "/api/v1/authorizationServers", access, {"name": "ada's", "audiences": ["api://a"]})
    assert made.status_code == 201, made.body
    assert_error(_data(bearer(api, "GET", "/api/v1/users", access)), 403, "E0000006")  # no scope, no role

    refreshed = api._client.http.post("/oauth2/v1/token", headers=FORM, body=urlencode({
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": console["app_id"]}))
    assert refreshed.status_code == 200, refreshed.body
    assert bearer(api, "GET", "/api/v1/authorizationServers", refreshed.json_body["access_token"]).status_code == 200


def test_userinfo_and_logout_at_the_org_server(api, console):
    browser = Browser(api._client)
    params, verifier = sign_in_for_code(api, console, browser=browser)
    tokens = redeem(api, console, params["code"], verifier).json_body
    info = api._client.http.get("/oauth2/v1/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 200 and info.json_body["sub"] == console["person"]["id"]
    # A custom server's userinfo does not take the org server's token, nor the other way round.
    elsewhere = api._client.http.get("/oauth2/default/v1/userinfo",
                                     headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert elsewhere.status_code == 401
    # The session lets the next authorize through without signing in; logout at the org server ends it.
    again, _ = sign_in_for_code(api, console, browser=browser)
    assert "code" in again
    ended = browser.request("GET", f"{BASE}/oauth2/v1/logout?" + urlencode({"id_token_hint": tokens["id_token"]}))
    assert ended.status_code == 200 and "signed out" in ended.text.lower(), ended.text[:300]
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    page = browser.follow(browser.request("GET", f"{BASE}/oauth2/v1/authorize?" + urlencode({
        "client_id": console["app_id"], "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid",
        "state": "s", "code_challenge": challenge, "code_challenge_method": "S256"})))
    assert page.status_code == 200 and "Sign in" in page.text  # signed out: asked again


def test_a_person_without_a_role_gets_nothing(api, console):
    params, verifier = sign_in_for_code(api, console)
    access = redeem(api, console, params["code"], verifier).json_body["access_token"]
    assert_error(_data(bearer(api, "GET", "/api/v1/authorizationServers", access)), 403, "E0000006")


def test_okta_scopes_not_granted_to_the_app_are_refused_before_sign_in(api, console):
    params, _ = sign_in_for_code(api, console, scope="openid okta.users.manage")
    assert params["error"] == "invalid_scope" and "okta.users.manage" in params["error_description"]


def test_the_org_discovery_documents_offer_the_code_flow(api):
    doc = api._client.http.get("/.well-known/openid-configuration").json_body
    assert doc["authorization_endpoint"] == f"{BASE}/oauth2/v1/authorize"
    assert doc["response_types_supported"] == ["code"]
    assert set(doc["grant_types_supported"]) == {"authorization_code", "refresh_token"}  # (client credentials:
    # not in the OpenID document, as for every server)
    assert (doc["userinfo_endpoint"], doc["end_session_endpoint"]) == (f"{BASE}/oauth2/v1/userinfo",
                                                                        f"{BASE}/oauth2/v1/logout")
    assert "client_credentials" in api._client.http.get("/.well-known/oauth-authorization-server").json_body[
        "grant_types_supported"]


def _data(response):
    response.data = json.loads(response.body) if response.body else None
    return response
