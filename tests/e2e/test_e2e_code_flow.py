"""The authorization code flow over real HTTP on the local stack, driven through the hosted HTML forms with plain
``requests`` (one session per browser): authorize -> sign-in form -> consent form -> the client's callback -> code
exchange -> ID token checked with PyJWT and the official ``okta-jwt-verifier`` -> userinfo and refresh -> logout.
The users, the group, the membership and the app assignments are made with the official ``okta`` SDK; the server,
its scopes, policy and rule too; the OAuth clients with plain HTTP at ``/oauth2/v1/clients``.

Negative cases (security-checklist ids in the test names): redirect URI variants (REDIR-01/03), PKCE downgrade and
wrong verifier (PKCE-02/03/04/07/08), code replay revoking what it issued (CODE-02), cross-client code use
(CODE-05), ``prompt=none`` without a session (IDT-08), XSS in reflected parameters (WEB-05), CSRF (WEB-04),
clickjacking headers (WEB-01/03), issuer in every answer (ISS-01/02).
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from okta import models

from e2e_support import call, expect, policy_body, rule_body, scope_body
from oauth_support import ClientAdmin, RegisteredClient, create_server, drop_server

PASSWORD = "Sunny-Orchard-42x"
CONSENT = "e2e:profile-read"  # consent REQUIRED
SPA_CB = "http://127.0.0.1/e2e/callback"
SPA_BYE = "http://127.0.0.1/e2e/signed-out"
WEB_CB = "https://app.example/e2e/callback"
WEB_BYE = "https://app.example/e2e/signed-out"
XSS = '"><script>alert(1)</script>'


# -- a browser ----------------------------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", "")))
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms and a.get("name") == "decision":
            self.forms[-1].buttons.append(a.get("value", ""))


def the_form(html: str) -> Form:
    reader = _Forms()
    reader.feed(html)
    assert len(reader.forms) == 1, html
    return reader.forms[0]


class Browser:
    """A ``requests`` session that follows redirects only within the stack (the client's callback is not served:
    the test reads the answer from the ``Location`` header)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.trust_env = False

    def get(self, url: str, **params: str) -> requests.Response:
        return self.session.get(url, params=params or None, allow_redirects=False, timeout=30)

    def post(self, url: str, data: dict[str, str]) -> requests.Response:
        return self.session.post(url, data=data, allow_redirects=False, timeout=30)

    def follow(self, response: requests.Response) -> requests.Response:
        for _ in range(10):
            location = response.headers.get("Location")
            if response.status_code not in (302, 303) or not location or not location.startswith(self.base_url):
                return response
            response = self.get(location)
        raise AssertionError("redirect loop")

    def submit(self, page: requests.Response, decision: str | None = None, **values: str) -> requests.Response:
        form = the_form(page.text)
        data = {**form.fields, **values}
        if decision is not None:
            assert decision in form.buttons, form.buttons
            data["decision"] = decision
        return self.post(form.action, data)


def answer(response: requests.Response) -> dict[str, str]:
    assert response.status_code in (302, 303), (response.status_code, response.text[:300])
    parts = urlsplit(response.headers["Location"])
    return {k: v[0] for k, v in parse_qs(parts.fragment or parts.query, keep_blank_values=True).items()}


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    return verifier, base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def assert_page_headers(response: requests.Response) -> None:
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], headers
    assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


def assert_error_page(response: requests.Response, status: int = 400) -> None:
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert "Location" not in response.headers
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert_page_headers(response)


# -- the world ----------------------------------------------------------------------------------------------------


@dataclass
class Front:
    stack: Any
    issuer: str
    server_id: str
    audience: str
    spa: RegisteredClient
    web: RegisteredClient
    login: str
    user_id: str
    outsider_login: str

    @property
    def authorize_url(self) -> str:
        return f"{self.issuer}/v1/authorize"

    def browser(self) -> Browser:
        return Browser(self.stack.base_url)

    def token(self, client: RegisteredClient, **data: str) -> requests.Response:
        with requests.Session() as s:
            s.trust_env = False
            if client.client_secret:
                return s.post(f"{self.issuer}/v1/token", data=data, auth=client.auth, timeout=30)
            return s.post(f"{self.issuer}/v1/token", data={**data, "client_id": client.client_id}, timeout=30)

    def introspect(self, token: str) -> dict:
        with requests.Session() as s:
            s.trust_env = False
            return s.post(f"{self.issuer}/v1/introspect", data={"token": token}, auth=self.web.auth,
                          timeout=30).json()


def _user(okta_client: Any, name: str) -> Any:
    body = models.CreateUserRequest.from_dict({
        "profile": {"login": f"{name}@example.com", "email": f"{name}@example.com", "firstName": "Flow",
                    "lastName": "Tester"},
        "credentials": {"password": {"value": PASSWORD}}})
    return expect(200, okta_client.create_user(body, activate=True))


@pytest.fixture(scope="module")
def front(okta_client: Any, stack: Any) -> Iterator[Front]:
    http = requests.Session()
    http.trust_env = False
    admin = ClientAdmin(http, stack.base_url, stack.token)
    server = create_server(okta_client, stack.base_url)
    tag = uuid.uuid4().hex[:8]
    users: list[str] = []
    group_id = None
    try:
        expect(201, okta_client.create_o_auth2_scope(server.id, scope_body(
            CONSENT, consent="REQUIRED", display_name="Read your <e2e> profile",
            description="The app reads your profile & more.")))
        user = _user(okta_client, f"e2e-flow-{tag}")
        outsider = _user(okta_client, f"e2e-outsider-{tag}")
        users += [user.id, outsider.id]
        group = expect(200, okta_client.add_group(models.AddGroupRequest(
            profile=models.OktaUserGroupProfile(name=f"e2e-flow-group-{tag}", description="code flow"))))
        group_id = group.id
        expect(204, okta_client.assign_user_to_group(group.id, user.id))
        spa = admin.register(application_type="browser", token_endpoint_auth_method="none",
                             grant_types=["authorization_code"], response_types=["code"], redirect_uris=[SPA_CB],
                             post_logout_redirect_uris=[SPA_BYE], client_name=f"e2e SPA <{tag}>")
        web = admin.register(application_type="web", grant_types=["authorization_code", "refresh_token"],
                             response_types=["code"], redirect_uris=[WEB_CB], post_logout_redirect_uris=[WEB_BYE])
        for client in (spa, web):
            expect(200, okta_client.assign_group_to_application(
                client.client_id, group.id, models.ApplicationGroupAssignment(priority=0)))
        policy = expect(201, okta_client.create_authorization_server_policy(server.id, policy_body(
            clients=[spa.client_id, web.client_id])))
        expect(201, okta_client.create_authorization_server_policy_rule(server.id, policy.id, rule_body(
            grant_types=["authorization_code"], groups=[group.id], access_minutes=30)))
        yield Front(stack=stack, issuer=server.issuer, server_id=server.id, audience=server.audience, spa=spa,
                    web=web, login=user.profile.login, user_id=user.id, outsider_login=outsider.profile.login)
    finally:
        admin.delete_all()
        for user_id in users:
            call(okta_client.delete_user(user_id))
            call(okta_client.delete_user(user_id))
        if group_id:
            call(okta_client.delete_group(group_id))
        drop_server(okta_client, server.id)
        http.close()


def start(front: Front, browser: Browser, client: RegisteredClient, redirect_uri: str, **params: str
          ) -> requests.Response:
    query = {"client_id": client.client_id, "redirect_uri": redirect_uri, "response_type": "code",
             "scope": "openid profile email", "state": "st-" + uuid.uuid4().hex[:8], **params}
    return browser.get(front.authorize_url, **query)


def sign_in_page(browser: Browser, first: requests.Response) -> requests.Response:
    page = browser.follow(first)
    assert page.status_code == 200 and "<h1>Sign in</h1>" in page.text, page.text[:300]
    assert_page_headers(page)
    return page


def spa_code(front: Front, browser: Browser, **params: str) -> tuple[dict[str, str], str]:
    verifier, challenge = pkce()
    first = start(front, browser, front.spa, SPA_CB, code_challenge=challenge, code_challenge_method="S256", **params)
    response = browser.follow(first)
    if response.status_code == 200 and "<h1>Sign in</h1>" in response.text:
        response = browser.follow(browser.submit(response, username=front.login, password=PASSWORD))
    if response.status_code == 200 and "Allow access?" in response.text:
        response = browser.follow(browser.submit(response, decision="allow"))
    return answer(response), verifier


# -- the whole flow -----------------------------------------------------------------------------------------------


def test_spa_code_pkce_flow_through_the_forms_to_tokens_userinfo_refresh_and_logout(front, okta_verifier_over_http):
    from okta_jwt_verifier import IDTokenVerifier
    from okta_jwt_verifier.exceptions import JWTValidationException

    browser = front.browser()
    verifier, challenge = pkce()
    nonce = "n-" + uuid.uuid4().hex
    first = start(front, browser, front.spa, SPA_CB, scope=f"openid profile email {CONSENT}", state="e2e-state",
                  nonce=nonce, code_challenge=challenge, code_challenge_method="S256", login_hint=front.login)
    assert first.status_code == 302 and first.headers["Location"].startswith(f"{front.issuer}/signin?")

    page = sign_in_page(browser, first)
    form = the_form(page.text)
    assert form.action == f"{front.issuer}/signin" and form.fields["username"] == front.login
    assert set(form.fields) == {"request_id", "csrf_token", "username", "password"}
    signed_in = browser.submit(page, username=front.login, password=PASSWORD)
    assert signed_in.status_code == 303  # WEB-02
    cookie = next(c for c in browser.session.cookies if c.name == "tm_session")
    assert cookie.path == "/oauth2" and cookie.has_nonstandard_attr("HttpOnly")

    consent = browser.follow(signed_in)
    assert consent.status_code == 200 and "Allow access?" in consent.text
    assert "Read your &lt;e2e&gt; profile" in consent.text and "profile &amp; more." in consent.text
    assert_page_headers(consent)
    assert "form-action 'self' http://127.0.0.1" in consent.headers["Content-Security-Policy"]
    back = browser.submit(consent, decision="allow")
    assert back.status_code == 303 and back.headers["Location"].startswith(SPA_CB + "?")
    params = answer(back)
    assert params["state"] == "e2e-state" and params["iss"] == front.issuer and set(params) == {"code", "state", "iss"}

    tokens = front.token(front.spa, grant_type="authorization_code", code=params["code"], redirect_uri=SPA_CB,
                         code_verifier=verifier)
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["Cache-Control"] == "no-store"
    body = tokens.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1800
    assert body["scope"] == f"openid profile email {CONSENT}" and "refresh_token" not in body

    # The ID token, checked by PyJWT with the published keys and by Okta's own verifier.
    with requests.Session() as s:
        s.trust_env = False
        metadata = s.get(f"{front.issuer}/.well-known/openid-configuration", timeout=30).json()
        jwks = jwt.PyJWKSet.from_dict(s.get(metadata["jwks_uri"], timeout=30).json())
    assert metadata["authorization_response_iss_parameter_supported"] is True  # ISS-02
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    key = jwks[jwt.get_unverified_header(body["id_token"])["kid"]]
    claims = jwt.decode(body["id_token"], key.key, algorithms=["RS256"], audience=front.spa.client_id,
                        issuer=front.issuer, leeway=5)
    assert claims["sub"] == front.user_id and claims["nonce"] == nonce and claims["amr"] == ["pwd"]
    assert isinstance(claims["auth_time"], int) and claims["at_hash"] and claims["exp"] - claims["iat"] == 3600
    okta_verifier = IDTokenVerifier(issuer=front.issuer, client_id=front.spa.client_id)
    okta_verifier.verify_sync(body["id_token"], nonce=nonce)  # raises JWTValidationException on any failure
    with pytest.raises(JWTValidationException):
        okta_verifier.verify_sync(body["id_token"], nonce="another-nonce")
    with pytest.raises(JWTValidationException):
        IDTokenVerifier(issuer=front.issuer, client_id=front.web.client_id).verify_sync(body["id_token"], nonce=nonce)
    access = jwt.decode(body["access_token"], jwks[jwt.get_unverified_header(body["access_token"])["kid"]].key,
                        algorithms=["RS256"], audience=front.audience, issuer=front.issuer, leeway=5)
    assert access["uid"] == front.user_id and access["cid"] == front.spa.client_id and access["sub"] == front.login

    # userinfo with the access token: same subject as the ID token (UI-02).
    with requests.Session() as s:
        s.trust_env = False
        info = s.get(metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {body['access_token']}"},
                     timeout=30)
    assert info.status_code == 200, info.text
    assert info.json()["sub"] == front.user_id and info.json()["email"] == front.login

    # The session: the next authorization needs no page at all.
    again, _verifier = spa_code(front, browser, prompt="none")
    assert "code" in again and again["iss"] == front.issuer

    # Logout: registered URI only, state echoed, the session is gone.
    bye = browser.get(metadata["end_session_endpoint"], id_token_hint=body["id_token"],
                      post_logout_redirect_uri=SPA_BYE, state="bye")
    assert bye.status_code == 302 and bye.headers["Location"] == f"{SPA_BYE}?state=bye"
    assert "tm_session" not in {c.name for c in browser.session.cookies}
    silent = answer(start(front, browser, front.spa, SPA_CB, prompt="none", code_challenge=challenge,
                          code_challenge_method="S256"))
    assert silent["error"] == "login_required" and silent["iss"] == front.issuer


def test_web_client_code_flow_with_refresh_token(front):
    browser = front.browser()
    first = start(front, browser, front.web, WEB_CB, scope="openid offline_access", nonce="n-web")
    response = browser.follow(browser.submit(sign_in_page(browser, first), username=front.login, password=PASSWORD))
    params = answer(response)
    tokens = front.token(front.web, grant_type="authorization_code", code=params["code"], redirect_uri=WEB_CB)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["refresh_token"] and body["id_token"] and body["scope"] == "openid offline_access"
    refreshed = front.token(front.web, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["refresh_token"] != body["refresh_token"]
    assert front.introspect(refreshed.json()["access_token"])["active"] is True


# -- negative cases -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", [SPA_CB + "/", SPA_CB + "?x=1", SPA_CB.upper(), "https://127.0.0.1/e2e/callback",
                                     "http://127.0.0.1/e2e/callbac", "http://evil.example/e2e/callback",
                                     SPA_CB + "#frag", "http://localhost/e2e/callback"])
def test_redir01_redir03_redirect_uri_variants_never_redirect(front, variant):
    _verifier, challenge = pkce()
    response = start(front, front.browser(), front.spa, variant, code_challenge=challenge,
                     code_challenge_method="S256")
    assert_error_page(response)
    assert "evil" not in response.text


def test_redir02_loopback_port_is_free(front):
    browser = front.browser()
    verifier, challenge = pkce()
    first = start(front, browser, front.spa, "http://127.0.0.1:49152/e2e/callback", code_challenge=challenge,
                  code_challenge_method="S256")
    response = browser.follow(browser.submit(sign_in_page(browser, first), username=front.login, password=PASSWORD))
    if response.status_code == 200:  # consent for this client was not given in this test's world yet
        response = browser.follow(browser.submit(response, decision="allow"))
    assert response.headers["Location"].startswith("http://127.0.0.1:49152/e2e/callback?code=")


def test_pkce07_pkce08_downgrades_at_the_authorize_endpoint(front):
    browser = front.browser()
    _verifier, challenge = pkce()
    for extra in ({}, {"code_challenge": challenge, "code_challenge_method": "plain"},
                  {"code_challenge": challenge}):
        params = answer(start(front, browser, front.spa, SPA_CB, **extra))
        assert params["error"] == "invalid_request" and params["iss"] == front.issuer


def test_pkce02_pkce03_pkce04_verifier_checks_at_the_token_endpoint(front):
    params, verifier = spa_code(front, front.browser())
    wrong, _ = pkce()
    response = front.token(front.spa, grant_type="authorization_code", code=params["code"], redirect_uri=SPA_CB,
                           code_verifier=wrong)
    assert response.status_code == 400 and response.json() == {"error": "invalid_grant",
                                                                "error_description": "PKCE verification failed."}
    burned = front.token(front.spa, grant_type="authorization_code", code=params["code"], redirect_uri=SPA_CB,
                         code_verifier=verifier)
    assert burned.json()["error"] == "invalid_grant"  # PKCE-03: a failed attempt burns the code
    params, _verifier = spa_code(front, front.browser())
    missing = front.token(front.spa, grant_type="authorization_code", code=params["code"], redirect_uri=SPA_CB)
    assert missing.json()["error"] == "invalid_grant"  # PKCE-02
    # PKCE-04: a confidential client's code issued without a challenge, redeemed with a verifier
    browser = front.browser()
    first = start(front, browser, front.web, WEB_CB, scope="openid")
    code = answer(browser.follow(browser.submit(sign_in_page(browser, first), username=front.login,
                                                password=PASSWORD)))["code"]
    downgrade = front.token(front.web, grant_type="authorization_code", code=code, redirect_uri=WEB_CB,
                            code_verifier=verifier)
    assert downgrade.json()["error"] == "invalid_grant"


def test_code02_replay_revokes_the_first_access_token(front):
    params, verifier = spa_code(front, front.browser())
    data = {"grant_type": "authorization_code", "code": params["code"], "redirect_uri": SPA_CB,
            "code_verifier": verifier}
    first = front.token(front.spa, **data)
    assert first.status_code == 200
    access_token = first.json()["access_token"]
    assert front.introspect(access_token)["active"] is True
    replay = front.token(front.spa, **data)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert front.introspect(access_token) == {"active": False}


def test_code05_code_used_by_another_client(front):
    params, _verifier = spa_code(front, front.browser())
    response = front.token(front.web, grant_type="authorization_code", code=params["code"], redirect_uri=SPA_CB)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert "issued to another client" in response.json()["error_description"]


def test_idt08_prompt_none_without_session_is_login_required(front):
    _verifier, challenge = pkce()
    response = start(front, front.browser(), front.spa, SPA_CB, prompt="none", state="silent",
                     code_challenge=challenge, code_challenge_method="S256")
    assert response.status_code == 302 and response.headers["Location"].startswith(SPA_CB + "?")
    assert answer(response) == {"error": "login_required", "state": "silent", "iss": front.issuer,
                                "error_description": "The client specified not to prompt, but the user is not "
                                                     "logged in."}


def test_user_not_assigned_is_access_denied(front):
    browser = front.browser()
    _verifier, challenge = pkce()
    first = start(front, browser, front.spa, SPA_CB, code_challenge=challenge, code_challenge_method="S256")
    response = browser.follow(browser.submit(sign_in_page(browser, first), username=front.outsider_login,
                                             password=PASSWORD))
    params = answer(response)
    assert params["error"] == "access_denied" and params["iss"] == front.issuer


def test_web05_reflected_values_are_escaped(front):
    browser = front.browser()
    _verifier, challenge = pkce()
    page = sign_in_page(browser, start(front, browser, front.spa, SPA_CB, login_hint=XSS, state=XSS,
                                       code_challenge=challenge, code_challenge_method="S256"))
    assert "<script>" not in page.text and the_form(page.text).fields["username"] == XSS
    assert "e2e SPA &lt;" in page.text  # the client name too
    bad = start(front, browser, front.spa, XSS, code_challenge=challenge, code_challenge_method="S256")
    assert_error_page(bad)
    assert "<script>" not in bad.text
    failed = browser.submit(page, username=XSS, password="nope")
    assert failed.status_code == 200 and "<script>" not in failed.text and "Unable to sign in" in failed.text


def test_web04_sign_in_without_or_with_a_wrong_csrf_token_is_refused(front):
    browser = front.browser()
    _verifier, challenge = pkce()
    page = sign_in_page(browser, start(front, browser, front.spa, SPA_CB, code_challenge=challenge,
                                       code_challenge_method="S256"))
    form = the_form(page.text)
    for token in (None, "A" * 43):
        data = {**form.fields, "username": front.login, "password": PASSWORD}
        if token is None:
            del data["csrf_token"]
        else:
            data["csrf_token"] = token
        assert_error_page(browser.post(form.action, data), 403)
    stranger = front.browser()  # another browser posting this browser's form (login CSRF)
    assert_error_page(stranger.post(form.action, {**form.fields, "username": front.login, "password": PASSWORD}),
                      403)
    assert "tm_session" not in {c.name for c in browser.session.cookies}


def test_web01_web03_clickjacking_and_referrer_headers_everywhere(front):
    browser = front.browser()
    _verifier, challenge = pkce()
    first = start(front, browser, front.spa, SPA_CB, code_challenge=challenge, code_challenge_method="S256")
    assert_page_headers(first)
    page = sign_in_page(browser, first)
    assert "<script" not in page.text and "http://" not in page.text.replace(front.stack.base_url, "")
    assert_page_headers(browser.get(f"{front.issuer}/v1/logout"))
