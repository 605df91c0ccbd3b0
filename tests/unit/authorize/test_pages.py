"""The hosted pages and browser responses (chalicelib.api.pages): security-checklist WEB-01 (anti-clickjacking),
WEB-03 (Referrer-Policy, no third-party resources), WEB-04 (cookie attributes), WEB-05 (every reflected value
escaped), ISS-04 (iss in form_post bodies), ISS-05 (no link on error pages)."""
from __future__ import annotations

import pytest

from chalicelib.api import pages
from chalicelib.oauth.authorize.browser import BrowserResponse, Cookie, FormPost, Page, Redirect

XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
BASE = "https://tokenmint.test"


def signin_values(**changes):
    values = {"action": f"{BASE}/oauth2/default/signin", "request_id": "r" * 43, "csrf_token": "c" * 43,
              "username": "", "client_name": "App", "error": None, "form_targets": ("https://app.example/cb",)}
    values.update(changes)
    return values


def assert_page_headers(headers):
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp and "base-uri 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("page", [
    Page("signin", signin_values()),
    Page("consent", {"action": "a", "request_id": "r", "csrf_token": "c", "client_name": "App", "user_login": "u",
                     "scopes": [{"name": "s", "display_name": "S", "description": "d"}]}),
    Page("error", {"error": "invalid_request", "description": "bad"}, 400),
    Page("signed_out", {}),
    Page("still_signed_in", {}),
    Page("logout_confirm", {"action": f"{BASE}/oauth2/default/v1/logout", "client_name": "App",
                            "fields": (("id_token_hint", "h"), ("csrf_token", "c")),
                            "form_targets": ("https://app.example/cb",)}),
])
def test_web01_web03_every_page_has_the_security_headers_and_no_third_party_resource(page):
    response = pages.respond(BrowserResponse(page), BASE)
    assert_page_headers(response.headers)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.status_code == page.status
    body = response.body
    assert "<script" not in body and "http://" not in body and "src=" not in body
    assert "https://" not in body.replace(BASE, "").replace("https://app.example/cb", "")


def test_web05_signin_page_escapes_everything_it_shows():
    body = pages.signin(signin_values(username=XSS, client_name=XSS, error=XSS))
    assert "<script>" not in body and "<img" not in body
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_web05_consent_page_escapes_scope_texts_and_names():
    body = pages.consent({"action": "a", "request_id": "r", "csrf_token": "c", "client_name": XSS, "user_login": XSS,
                          "scopes": [{"name": XSS, "display_name": XSS, "description": XSS}]})
    assert "<script>" not in body and "<img" not in body and body.count("&lt;script&gt;") == 5


def test_web05_logout_confirmation_escapes_its_fields_and_offers_both_choices():
    body = pages.logout_confirm({"action": "a", "client_name": XSS,
                                 "fields": (("id_token_hint", XSS), ("state", XSS), ("csrf_token", "c"))})
    assert "<script>" not in body and "<img" not in body and body.count("&lt;script&gt;") == 3
    assert 'name="confirm" value="logout"' in body and 'name="confirm" value="stay"' in body


def test_web05_iss05_error_page_escapes_and_links_nowhere():
    body = pages.error({"error": XSS, "description": f"see https://evil.example/{XSS}"})
    assert "<script>" not in body and "<a " not in body and "href" not in body


def test_iss04_form_post_page_carries_every_field_escaped_and_allows_only_its_target():
    answer = FormPost("https://app.example/cb", (("code", "abc"), ("state", XSS), ("iss", f"{BASE}/oauth2/default")))
    response = pages.respond(BrowserResponse(answer), BASE)
    body = response.body
    assert f'name="iss" value="{BASE}/oauth2/default"' in body and 'name="code" value="abc"' in body
    assert "<script>alert" not in body and "&quot;&gt;&lt;script&gt;" in body
    assert 'action="https://app.example/cb"' in body and body.count("<script>") == 1
    csp = response.headers["Content-Security-Policy"]
    assert "form-action 'self' https://app.example;" in csp
    assert f"script-src {pages.AUTO_SUBMIT_HASH}" in csp and "'unsafe-inline'" not in csp.split("script-src")[1]


def test_signin_and_consent_forms_may_lead_to_the_client_redirect_only():
    response = pages.respond(BrowserResponse(Page("signin", signin_values(
        form_targets=("http://127.0.0.1:53123/cb?x=1",)))), BASE)
    assert "form-action 'self' http://127.0.0.1:53123;" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("uri,source", [
    ("https://app.example/cb", "https://app.example"), ("https://app.example:8443/cb?x", "https://app.example:8443"),
    ("http://[::1]:5000/cb", "http://[::1]:5000"), ("com.example.app:/callback", "com.example.app:"),
    ("https://a;b.example/cb", None), ("https://a b/cb", None), ("relative/cb", None),
])
def test_csp_sources_from_redirect_uris(uri, source):
    assert pages.origin(uri) == source


def test_redirects_keep_the_referrer_policy_and_are_not_cached():
    response = pages.respond(BrowserResponse(Redirect("https://app.example/cb?code=x", 303)), BASE)
    assert response.status_code == 303 and response.headers["Location"] == "https://app.example/cb?code=x"
    assert_page_headers(response.headers)


def test_web04_cookie_attributes():
    answer = BrowserResponse(Page("signed_out", {}), [Cookie("tm_session", "v", 60), Cookie("tm_csrf", "", 0)])
    secure = pages.respond(answer, BASE).headers["Set-Cookie"]
    assert secure[0] == "tm_session=v; Path=/oauth2; HttpOnly; SameSite=Lax; Secure; Max-Age=60"
    assert secure[1].startswith("tm_csrf=; Path=/oauth2; HttpOnly; SameSite=Lax; Secure; Max-Age=0; Expires=")
    plain = pages.respond(answer, "http://127.0.0.1:8000").headers["Set-Cookie"]
    assert "Secure" not in plain[0]
    staged = pages.respond(answer, "https://abc.execute-api.us-east-1.amazonaws.com/api").headers["Set-Cookie"]
    assert "Path=/api/oauth2;" in staged[0]
