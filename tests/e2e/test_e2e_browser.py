"""The hosted sign-in and consent pages in a real browser: Debian's headless Chromium driven by Playwright, against the
local stack over real HTTP (security-checklist WEB-01..05, ISS-01, IDT-09; issue 5 "Tests that must exist").

The world (plain ``requests`` with ``SSWS``): a fresh authorization server with a consent-REQUIRED scope and one
policy (the two clients below) whose rule allows ``authorization_code`` for ``EVERYONE`` (a new server has no
policy at all, so nothing would be allowed without it); a user with a password; a browser client (public, PKCE) whose
name is an XSS payload and a web client (``client_secret_basic``); the user assigned to both. The client application
is a tiny HTTP server on a loopback port (``browser_support.ClientApp``): the browser really lands on its
``/callback``.

What the tests prove, in a real browser: the sign-in form (fields, CSRF token, security headers), sign-in -> consent
(display names, descriptions) -> Allow -> the app's callback with ``code``, ``state`` and ``iss`` and no ``Referer``
-> code + PKCE exchanged -> ID token verified (PyJWT, ``/v1/keys``, nonce, ``at_hash``); one generic error for a
wrong password or an unknown user; Deny -> ``access_denied`` with ``state``; XSS payloads in ``login_hint``,
``state`` (query and ``form_post``), the username and the client's name escaped and never run; the session cookie
(``HttpOnly``, ``SameSite=Lax``) skipping the sign-in page, ``prompt=login`` forcing it, logout ending it, and a
logout with another user's ID token asking first; and the sign-in page refused inside a frame even by a same-site
framer.

Every browser context records JavaScript dialogs and page errors: none may ever appear (an injected script would
raise ``alert``).

The browser must start: if Chromium is missing or broken, the ``browser`` fixture raises and every test here fails
(never a skip).
"""
from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import jwt
import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, Response, sync_playwright

from browser_support import Admin, ClientApp, launch_chromium, pkce, query_of

PASSWORD = "Velvet-Harbor-73q"
CONSENT_SCOPE = "browser:calendar.read"
CONSENT_DISPLAY = "Read your calendar"
CONSENT_DESCRIPTION = "See the events & invitations on your calendar."
CLIENT_NAME_XSS = "Browser SPA <img src=x onerror=alert('client_name')>"
SIGN_IN_FAILED = "Unable to sign in. Check your username and password and try again."
TIMEOUT_MS = 15_000


# -- the browser --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (``TOKENMINT_CHROMIUM``, default /usr/bin/chromium); ``launch_chromium`` raises when it
    cannot start, so these tests fail rather than skip."""
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Tab:
    """A fresh browser profile (context) with one page, and what the page did that it must never do."""

    context: BrowserContext
    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def cookie(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.context.cookies() if c["name"] == name), None)


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    context = browser.new_context(java_script_enabled=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(context=context, page=page)

    def on_dialog(dialog: Any) -> None:
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    page.on("console", lambda msg: tab.console.append(f"{msg.type}: {msg.text}"))
    page.on("request", lambda request: tab.requests.append(request.url))
    try:
        yield tab
        assert tab.dialogs == [], tab.dialogs  # no script of anyone's ever ran alert()
        assert tab.errors == [], tab.errors
    finally:
        context.close()


# -- the world ----------------------------------------------------------------------------------------------------


@dataclass
class World:
    base_url: str
    issuer: str
    server_id: str
    user_id: str
    login: str
    spa_id: str  # public client: PKCE, token_endpoint_auth_method none
    web_id: str  # confidential client: client_secret_basic
    web_secret: str
    app: ClientApp
    other_login: str  # a second user, assigned to both clients: the attacker of the logout CSRF test

    def authorize_url(self, client_id: str, *, pkce_challenge: str | None = None, **params: str) -> str:
        query = {"client_id": client_id, "redirect_uri": self.app.callback, "response_type": "code",
                 "scope": "openid profile", "state": "st-" + uuid.uuid4().hex[:10], **params}
        if pkce_challenge is not None:
            query.update(code_challenge=pkce_challenge, code_challenge_method="S256")
        return f"{self.issuer}/v1/authorize?{urlencode(query, quote_via=quote)}"

    def token(self, data: dict[str, str], *, web: bool) -> dict[str, Any]:
        with requests.Session() as s:
            s.trust_env = False
            if web:
                response = s.post(f"{self.issuer}/v1/token", data=data, auth=(self.web_id, self.web_secret),
                                  timeout=30)
            else:
                response = s.post(f"{self.issuer}/v1/token", data={**data, "client_id": self.spa_id}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def verify_id_token(self, id_token: str, client_id: str, nonce: str | None) -> dict[str, Any]:
        """PyJWT with the keys published at ``/v1/keys``: signature, ``iss``, ``aud``, ``exp``, and the nonce."""
        with requests.Session() as s:
            s.trust_env = False
            keys = s.get(f"{self.issuer}/v1/keys", timeout=30)
        assert keys.status_code == 200, keys.text
        jwks = jwt.PyJWKSet.from_dict(keys.json())
        header = jwt.get_unverified_header(id_token)
        assert header["alg"] == "RS256"
        claims = jwt.decode(id_token, jwks[header["kid"]].key, algorithms=["RS256"], audience=client_id,
                            issuer=self.issuer, leeway=5, options={"require": ["iss", "sub", "aud", "exp", "iat"]})
        assert claims["sub"] == self.user_id and claims["aud"] == client_id
        if nonce is not None:
            assert claims["nonce"] == nonce, claims
        return claims


@pytest.fixture(scope="module")
def world(stack: Any, http: requests.Session) -> Iterator[World]:
    app = ClientApp().start()
    admin = Admin(http, stack.base_url, stack.token)
    tag = uuid.uuid4().hex[:8]
    try:
        server = admin.server(f"browser-as-{tag}")
        admin.scope(server["id"], name=CONSENT_SCOPE, displayName=CONSENT_DISPLAY, description=CONSENT_DESCRIPTION,
                    consent="REQUIRED", metadataPublish="ALL_CLIENTS")
        login = f"browser.tester.{tag}@example.com"
        user = admin.user(login, PASSWORD)
        spa = admin.client(application_type="browser", token_endpoint_auth_method="none",
                           client_name=CLIENT_NAME_XSS, grant_types=["authorization_code"],
                           response_types=["code"], redirect_uris=[app.callback],
                           post_logout_redirect_uris=[app.signed_out])
        web = admin.client(application_type="web", token_endpoint_auth_method="client_secret_basic",
                           client_name=f"Browser web app {tag}", grant_types=["authorization_code", "refresh_token"],
                           response_types=["code"], redirect_uris=[app.callback],
                           post_logout_redirect_uris=[app.signed_out])
        other_login = f"browser.other.{tag}@example.com"
        other = admin.user(other_login, PASSWORD)
        assert web["client_secret"] and spa.get("client_secret") is None
        for client in (spa, web):
            for someone in (user, other):
                assert admin.assign(client["client_id"], someone["id"])["id"] == someone["id"]
        policy = admin.policy(server["id"], [spa["client_id"], web["client_id"]])
        admin.rule(server["id"], policy["id"], ["authorization_code"], ["EVERYONE"])
        yield World(base_url=stack.base_url, issuer=server["issuer"], server_id=server["id"], user_id=user["id"],
                    login=login, spa_id=spa["client_id"], web_id=web["client_id"], web_secret=web["client_secret"],
                    app=app, other_login=other_login)
    finally:
        try:
            admin.cleanup()
        finally:
            app.stop()


# -- page helpers -------------------------------------------------------------------------------------------------


def assert_page_headers(response: Response | None) -> None:
    """WEB-01/03 on a page as the browser received it."""
    assert response is not None
    headers = response.headers  # lower-cased names
    assert headers["x-frame-options"] == "DENY", headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"], headers
    assert headers["referrer-policy"] == "no-referrer", headers
    assert headers["content-type"] == "text/html; charset=utf-8", headers


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def is_sign_in(url: str, world: World) -> bool:
    return url.startswith(f"{world.issuer}/signin")


def is_consent(url: str, world: World) -> bool:
    return url.startswith(f"{world.issuer}/consent")


def is_callback(url: str, world: World) -> bool:
    return url.startswith(world.app.callback + "?")


def open_sign_in(tab: Tab, world: World, url: str) -> Response:
    """Navigate to an authorize URL and land on the sign-in page; returns the page's response."""
    response = tab.page.goto(url)
    assert response is not None and response.status == 200, (response and response.status, tab.page.url)
    assert is_sign_in(tab.page.url, world), tab.page.url
    redirect = response.request.redirected_from
    assert redirect is not None and redirect.url.startswith(f"{world.issuer}/v1/authorize?")
    assert tab.page.locator("h1").inner_text() == "Sign in"
    return response


def submit_sign_in(tab: Tab, username: str, password: str, until: Any) -> Response | None:
    page = tab.page
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation(url=until) as navigation:
        page.get_by_role("button", name="Sign in").click()
    return navigation.value


def press(tab: Tab, button: str, until: Any) -> Response | None:
    with tab.page.expect_navigation(url=until) as navigation:
        tab.page.get_by_role("button", name=button, exact=True).click()
    return navigation.value


def sign_in_to_callback(tab: Tab, world: World, url: str) -> dict[str, str]:
    open_sign_in(tab, world, url)
    submit_sign_in(tab, world.login, PASSWORD, lambda u: is_callback(u, world))
    return query_of(tab.page.url)


# -- 1 + 2: code + PKCE through sign-in and consent ---------------------------------------------------------------


def test_code_pkce_flow_through_sign_in_and_consent_pages(tab: Tab, world: World):
    page = tab.page
    verifier, challenge = pkce()
    state, nonce = "st-" + uuid.uuid4().hex, "n-" + uuid.uuid4().hex
    url = world.authorize_url(world.spa_id, pkce_challenge=challenge, state=state, nonce=nonce,
                              scope=f"openid profile {CONSENT_SCOPE}")

    # The sign-in page: the form, its CSRF token, the security headers.
    response = open_sign_in(tab, world, url)
    assert_page_headers(response)
    form = page.locator("form")
    assert form.count() == 1
    assert form.get_attribute("method") == "post" and form.get_attribute("action") == f"{world.issuer}/signin"
    assert page.locator("input[name=username]").get_attribute("type") == "text"
    assert page.locator("input[name=password]").get_attribute("type") == "password"
    csrf = page.locator("input[type=hidden][name=csrf_token]")
    assert csrf.count() == 1 and re.fullmatch(r"[A-Za-z0-9_-]{43}", csrf.get_attribute("value") or "")
    assert page.locator("input[type=hidden][name=request_id]").count() == 1
    names = page.eval_on_selector_all("form input", "els => els.map(e => e.name)")
    assert sorted(names) == ["csrf_token", "password", "request_id", "username"]
    assert page.locator("script").count() == 0  # the pages need no JavaScript

    # Sign in -> the consent page lists the scope's display name and description.
    consent = submit_sign_in(tab, world.login, PASSWORD, lambda u: is_consent(u, world))
    assert_page_headers(consent)
    assert page.locator("h1").inner_text() == "Allow access?"
    scopes = page.locator("ul.scopes li")
    assert scopes.count() == 1
    assert CONSENT_DISPLAY in scopes.inner_text() and CONSENT_DESCRIPTION in scopes.inner_text()
    assert page.locator("input[type=hidden][name=csrf_token]").count() == 1
    assert world.login in page.locator("main").inner_text()

    # Allow -> the browser lands on the client's callback with code, state and iss (RFC 9207).
    press(tab, "Allow", lambda u: is_callback(u, world))
    params = query_of(page.url)
    assert set(params) == {"code", "state", "iss"}, params
    assert params["state"] == state and params["iss"] == world.issuer
    landing = world.app.hits[-1]
    assert landing.method == "GET" and landing.path == "/callback?" + page.url.split("?", 1)[1]
    assert landing.referer is None  # Referrer-Policy: no-referrer (the code never leaks through Referer)

    # The code, exchanged by the app with the PKCE verifier -> tokens; the ID token verified with /v1/keys.
    tokens = world.token({"grant_type": "authorization_code", "code": params["code"],
                          "redirect_uri": world.app.callback, "code_verifier": verifier}, web=False)
    assert tokens["token_type"] == "Bearer" and tokens["scope"] == f"openid profile {CONSENT_SCOPE}"
    claims = world.verify_id_token(tokens["id_token"], world.spa_id, nonce)
    assert claims["amr"] == ["pwd"] and isinstance(claims["auth_time"], int)
    assert claims["at_hash"] == at_hash(tokens["access_token"])

    # Consent is remembered and the session lives: the next authorization goes straight back to the app.
    again_state = "again-" + uuid.uuid4().hex[:8]
    _verifier, challenge = pkce()
    seen = len(tab.requests)
    page.goto(world.authorize_url(world.spa_id, pkce_challenge=challenge, state=again_state,
                                  scope=f"openid {CONSENT_SCOPE}"))
    assert is_callback(page.url, world), page.url
    assert query_of(page.url)["state"] == again_state and "code" in query_of(page.url)
    assert not any("/signin" in u or "/consent" in u for u in tab.requests[seen:]), tab.requests[seen:]


# -- 3: a wrong password; Deny ------------------------------------------------------------------------------------


def test_failed_sign_in_shows_one_generic_error_and_stays_on_the_page(tab: Tab, world: World):
    page = tab.page
    _verifier, challenge = pkce()
    open_sign_in(tab, world, world.authorize_url(world.spa_id, pkce_challenge=challenge))

    messages = []
    for username, password in ((world.login, PASSWORD + "-wrong"), (f"nobody-{uuid.uuid4().hex[:6]}@example.com",
                                                                    PASSWORD)):
        response = submit_sign_in(tab, username, password, lambda u: is_sign_in(u, world))
        assert response is not None and response.status == 200
        assert_page_headers(response)
        assert is_sign_in(page.url, world) and page.locator("h1").inner_text() == "Sign in"
        alerts = page.locator("[role=alert]")
        assert alerts.count() == 1
        messages.append(alerts.inner_text())
        # The form is back (new attempt possible), the username kept, the password never echoed.
        assert page.input_value("input[name=username]") == username
        assert page.input_value("input[name=password]") == ""
        assert password not in response.text()
        assert tab.cookie("tm_session") is None
    # The same words whether the password or the username was wrong: nothing tells which part.
    assert messages == [SIGN_IN_FAILED, SIGN_IN_FAILED]
    text = messages[0].lower()
    assert "not found" not in text and "incorrect password" not in text and "unknown" not in text

    # The right password on the re-rendered form still works.
    submit_sign_in(tab, world.login, PASSWORD, lambda u: is_callback(u, world))
    assert "code" in query_of(page.url)


def test_deny_on_the_consent_page_returns_access_denied_with_state(tab: Tab, world: World):
    page = tab.page
    state = "deny-" + uuid.uuid4().hex[:8]
    # The web client (never given consent in this world: Deny remembers nothing).
    open_sign_in(tab, world, world.authorize_url(world.web_id, state=state, scope=f"openid {CONSENT_SCOPE}"))
    submit_sign_in(tab, world.login, PASSWORD, lambda u: is_consent(u, world))
    assert CONSENT_DISPLAY in page.locator("ul.scopes").inner_text()
    press(tab, "Don't allow", lambda u: is_callback(u, world))
    params = query_of(page.url)
    assert params["error"] == "access_denied" and params["state"] == state and params["iss"] == world.issuer
    assert "code" not in params

    # Nothing was remembered: the consent page is shown again (the session spares the sign-in page).
    page.goto(world.authorize_url(world.web_id, scope=f"openid {CONSENT_SCOPE}"))
    assert is_consent(page.url, world), page.url


# -- 4: XSS in reflected values -----------------------------------------------------------------------------------


def test_xss_payloads_in_state_login_hint_username_and_client_name_never_run(tab: Tab, world: World):
    page = tab.page
    hint = '"><img src=x onerror=alert(1)>'
    state = '<script>alert(2)</script>"><img src=x onerror=alert(3)>'
    _verifier, challenge = pkce()
    response = open_sign_in(tab, world, world.authorize_url(world.spa_id, pkce_challenge=challenge, state=state,
                                                            login_hint=hint))
    html = response.text()
    # login_hint is reflected in the username field's value, escaped; the value round-trips intact.
    assert 'value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"' in html
    assert hint not in html and "<img" not in html and "<script" not in html
    assert page.input_value("input[name=username]") == hint
    # The client's name (registered as an XSS payload) is shown as text.
    assert "Browser SPA &lt;img src=x onerror=alert(&#x27;client_name&#x27;)&gt;" in html
    assert CLIENT_NAME_XSS in page.locator("main").inner_text()
    # state is never part of the page (it is kept server-side with the request).
    assert "alert(2)" not in html and "alert(3)" not in html
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0

    # A failed sign-in reflects the submitted username, escaped too.
    username = "<script>alert(4)</script>"
    failed = submit_sign_in(tab, username, "not-the-password", lambda u: is_sign_in(u, world))
    assert failed is not None
    failed_html = failed.text()
    assert 'value="&lt;script&gt;alert(4)&lt;/script&gt;"' in failed_html and username not in failed_html
    assert page.input_value("input[name=username]") == username
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0

    # The real sign-in: state comes back to the app byte for byte.
    submit_sign_in(tab, world.login, PASSWORD, lambda u: is_callback(u, world))
    assert query_of(page.url)["state"] == state

    # response_mode=form_post reflects state into the one page that has a script (its auto-submit, allowed by
    # hash): escaped in the hidden field, and posted to the app intact.
    # (Chromium drops a document's body once the page navigates away: the route keeps a copy as it passes.)
    form_posts: list[tuple[int, dict[str, str], str]] = []

    def keep_a_copy(route: Any) -> None:
        response = route.fetch(max_redirects=0)
        form_posts.append((response.status, response.headers, response.text()))
        route.fulfill(response=response)

    page.route(lambda url: url.startswith(f"{world.issuer}/v1/authorize?"), keep_a_copy)
    _verifier, challenge = pkce()
    with page.expect_navigation(url=world.app.callback):
        page.goto(world.authorize_url(world.spa_id, pkce_challenge=challenge, state=state,
                                      response_mode="form_post"), wait_until="commit")
    page.unroute_all()
    [(status, headers, form_html)] = form_posts
    assert status == 200 and headers["x-frame-options"] == "DENY", headers
    assert "script-src 'sha256-" in headers["content-security-policy"], headers
    assert ('name="state" value="&lt;script&gt;alert(2)&lt;/script&gt;&quot;&gt;&lt;img src=x '
            'onerror=alert(3)&gt;"') in form_html
    assert "alert(2)</script>" not in form_html and "<img" not in form_html
    landing = world.app.hits[-1]
    assert landing.method == "POST" and landing.path == "/callback", landing
    assert landing.form["state"] == state and landing.form["code"] and landing.form["iss"] == world.issuer

    # Nothing ran, and the CSP had nothing to block either (nothing was injected in the first place).
    assert tab.dialogs == [] and tab.errors == []
    assert not [m for m in tab.console if "Content Security Policy" in m], tab.console


# -- 5: the sign-in session ---------------------------------------------------------------------------------------


def test_session_cookie_skips_sign_in_prompt_login_forces_it_and_logout_ends_it(tab: Tab, world: World):
    page = tab.page
    params = sign_in_to_callback(tab, world, world.authorize_url(world.web_id, nonce="n-session"))
    tokens = world.token({"grant_type": "authorization_code", "code": params["code"],
                          "redirect_uri": world.app.callback}, web=True)
    world.verify_id_token(tokens["id_token"], world.web_id, "n-session")

    session = tab.cookie("tm_session")
    assert session is not None, tab.context.cookies()
    assert session["httpOnly"] is True and session["sameSite"] == "Lax", session
    assert session["path"] == "/oauth2" and session["secure"] is False  # plain http on the local stack
    csrf = tab.cookie("tm_csrf")
    assert csrf is not None and csrf["httpOnly"] is True and csrf["sameSite"] == "Lax", csrf

    # A second authorization (the other client, same browser): no sign-in page.
    seen = len(tab.requests)
    _verifier, challenge = pkce()
    page.goto(world.authorize_url(world.spa_id, pkce_challenge=challenge, state="silent-ish"))
    assert is_callback(page.url, world) and query_of(page.url)["state"] == "silent-ish"
    assert not any("/signin" in u for u in tab.requests[seen:]), tab.requests[seen:]

    # prompt=login: the sign-in page again, and signing in starts a new session (a new cookie value).
    _verifier, challenge = pkce()
    open_sign_in(tab, world, world.authorize_url(world.spa_id, pkce_challenge=challenge, prompt="login"))
    submit_sign_in(tab, world.login, PASSWORD, lambda u: is_callback(u, world))
    renewed = tab.cookie("tm_session")
    assert renewed is not None and renewed["value"] != session["value"]

    # Logout (RP-initiated): back to the registered post-logout URI with state; the session is gone.
    logout = f"{world.issuer}/v1/logout?" + urlencode({"id_token_hint": tokens["id_token"],
                                                       "post_logout_redirect_uri": world.app.signed_out,
                                                       "state": "bye-1"})
    page.goto(logout)
    assert page.url == f"{world.app.signed_out}?state=bye-1", page.url
    assert tab.cookie("tm_session") is None, tab.context.cookies()

    # The next authorization shows the sign-in page; prompt=none is login_required.
    _verifier, challenge = pkce()
    open_sign_in(tab, world, world.authorize_url(world.spa_id, pkce_challenge=challenge))
    page.goto(world.authorize_url(world.spa_id, pkce_challenge=challenge, prompt="none", state="quiet"))
    params = query_of(page.url)
    assert params["error"] == "login_required" and params["state"] == "quiet" and params["iss"] == world.issuer


def test_idt09_logout_with_another_users_id_token_asks_before_ending_the_session(tab: Tab, world: World):
    """Logout CSRF (issue 13 item 4): a link carrying the attacker's own ID token must not sign the victim out; the
    person is asked, and the answer's redirect to the RP passes the page's CSP form-action in a real browser."""
    page = tab.page
    # The attacker's ID token, from their own sign-in (then this browser profile forgets them).
    open_sign_in(tab, world, world.authorize_url(world.web_id, nonce="n-attacker"))
    submit_sign_in(tab, world.other_login, PASSWORD, lambda u: is_callback(u, world))
    attackers = world.token({"grant_type": "authorization_code", "code": query_of(page.url)["code"],
                             "redirect_uri": world.app.callback}, web=True)["id_token"]
    tab.context.clear_cookies()
    sign_in_to_callback(tab, world, world.authorize_url(world.web_id, nonce="n-victim"))
    session = tab.cookie("tm_session")
    assert session is not None

    logout = f"{world.issuer}/v1/logout?" + urlencode({"id_token_hint": attackers,
                                                       "post_logout_redirect_uri": world.app.signed_out,
                                                       "state": "bye-2"})
    response = page.goto(logout)
    assert page.url == logout, page.url  # no redirect: the session is not ended on the attacker's say-so
    assert_page_headers(response)
    assert page.locator("h1").inner_text() == "Sign out?"
    assert tab.cookie("tm_session") == session

    press(tab, "Stay signed in", lambda u: u.startswith(world.app.signed_out))
    assert page.url == f"{world.app.signed_out}?state=bye-2", page.url
    assert tab.cookie("tm_session") == session

    page.goto(logout)
    press(tab, "Sign out", lambda u: u.startswith(world.app.signed_out))
    assert page.url == f"{world.app.signed_out}?state=bye-2", page.url
    assert tab.cookie("tm_session") is None, tab.context.cookies()
    assert not [m for m in tab.console if "Content Security Policy" in m], tab.console


# -- 6: clickjacking ----------------------------------------------------------------------------------------------


def test_sign_in_page_does_not_render_inside_a_frame(tab: Tab, world: World):
    page = tab.page
    _verifier, challenge = pkce()
    target = world.authorize_url(world.spa_id, pkce_challenge=challenge)
    # The framing page has the client app's origin: same site as the stack (127.0.0.1, another port), so the
    # browser sends the stack's SameSite=Lax cookies into the frame and the server does answer with the form.
    page.goto(world.app.origin + "/attacker")
    signin_responses: list[Response] = []
    page.on("response", lambda r: signin_responses.append(r) if is_sign_in(r.url, world) else None)
    with page.expect_response(lambda r: is_sign_in(r.url, world)):
        page.set_content(
            f'<h1>Win a prize</h1><iframe id="victim" name="victim" src="{target}" width="600" height="600">'
            f'</iframe><iframe id="control" name="control" src="{world.app.origin}/framed" width="200" '
            f'height="200"></iframe>', wait_until="load")

    # The server did answer the framed request with the form (200: a request not bound to this browser's
    # cookie would be a 400 error page), with headers that forbid framing it ...
    served = signin_responses[-1]
    assert served.status == 200 and served.frame.name == "victim"
    assert_page_headers(served)
    # ... and Chromium refused to display it (its error page replaced the document: ERR_BLOCKED_BY_RESPONSE).
    assert any("frame-ancestors 'none'" in m and "blocked" in m for m in tab.console), tab.console
    assert "ERR_BLOCKED_BY_RESPONSE" in served.text() and 'name="password"' not in served.text()

    # The control frame (no framing protection) renders: the checks below would see a rendered form.
    control = page.frame(name="control")
    assert control is not None and control.locator("h1").inner_text() == "Client app"

    victim = page.frame(name="victim")
    assert victim is not None
    assert victim.url.startswith("chrome-error://"), victim.url
    assert victim.locator("input[name=password]").count() == 0
    assert victim.locator("form").count() == 0
    assert "Sign in" not in victim.evaluate("() => document.body ? document.body.innerText : ''")


# -- CORS: a single-page app on another origin (security-checklist DISC-05) ---------------------------------------

SPA_FLOW_JS = """async ({issuer, clientId, redirectUri, code}) => {
  const verifier = sessionStorage.getItem('verifier');
  const form = new URLSearchParams({grant_type: 'authorization_code', code, redirect_uri: redirectUri,
                                    code_verifier: verifier, client_id: clientId});
  const token = await fetch(issuer + '/v1/token', {method: 'POST', body: form,
      headers: {'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'application/json'}});
  const tokens = await token.json();
  const discovery = await (await fetch(issuer + '/.well-known/openid-configuration')).json();
  const keys = await (await fetch(discovery.jwks_uri)).json();
  // A bearer token is not a CORS-safelisted header: this one is preflighted.
  const userinfo = await fetch(discovery.userinfo_endpoint, {headers: {Authorization: 'Bearer ' + tokens.access_token}});
  const revoke = await fetch(discovery.revocation_endpoint, {method: 'POST',
      body: new URLSearchParams({token: tokens.access_token, client_id: clientId})});
  return {tokenStatus: token.status, tokens, kids: keys.keys.map(k => k.kid), userinfoStatus: userinfo.status,
          userinfo: await userinfo.json(), requestId: token.headers.get('X-Okta-Request-Id'),
          revokeStatus: revoke.status};
}"""

PKCE_JS = """async () => {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const b64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
      .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const verifier = b64url(bytes);
  sessionStorage.setItem('verifier', verifier);
  return b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
}"""

FETCH_KEYS_JS = """async (url) => {
  try { const r = await fetch(url); return 'read ' + r.status; } catch (e) { return 'refused: ' + e.name; }
}"""


def test_disc05_a_spa_on_a_trusted_origin_does_code_and_pkce_with_fetch(tab: Tab, world: World, stack: Any,
                                                                        http: requests.Session):
    """The SPA's page lives on the client app's origin (another port: another origin). Before its origin is trusted,
    the browser withholds tokenmint's answers from it; once an admin adds it as a CORS trusted origin, the page's own
    JavaScript exchanges the code with its PKCE verifier, reads discovery, the keys and userinfo (preflighted: a bearer
    header) and revokes the token, all with fetch."""
    page = tab.page
    admin = Admin(http, stack.base_url, stack.token)
    page.goto(world.app.origin + "/spa")
    assert world.app.origin != stack.base_url

    # Not trusted yet: the browser refuses to hand the response to the page.
    assert page.evaluate(FETCH_KEYS_JS, f"{world.issuer}/v1/keys") == "refused: TypeError"
    assert any("CORS policy" in m for m in tab.console), tab.console
    tab.console.clear()

    try:
        admin.trusted_origin(world.app.origin, "CORS", "REDIRECT")
        assert page.evaluate(FETCH_KEYS_JS, f"{world.issuer}/v1/keys") == "read 200"

        challenge = page.evaluate(PKCE_JS)
        params = sign_in_to_callback(tab, world, world.authorize_url(world.spa_id, pkce_challenge=challenge))
        assert set(params) == {"code", "state", "iss"}, params

        result = page.evaluate(SPA_FLOW_JS, {"issuer": world.issuer, "clientId": world.spa_id,
                                             "redirectUri": world.app.callback, "code": params["code"]})
        assert result["tokenStatus"] == 200, result
        assert result["tokens"]["token_type"] == "Bearer" and result["tokens"]["scope"] == "openid profile"
        assert re.fullmatch(r"[0-9a-f]{32}", result["requestId"] or "")  # an exposed header
        claims = world.verify_id_token(result["tokens"]["id_token"], world.spa_id, None)
        assert jwt.get_unverified_header(result["tokens"]["id_token"])["kid"] in result["kids"]
        assert (result["userinfoStatus"], result["userinfo"]["sub"]) == (200, claims["sub"])
        assert result["revokeStatus"] == 200
        assert not [m for m in tab.console if m.startswith("error")], tab.console
    finally:
        admin.cleanup()
