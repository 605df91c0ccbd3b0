"""Negative cases of the authorize endpoint and the hosted pages: a bad client or redirect URI is a page, never a
redirect (REDIR-01..06, ISS-05), everything after them is redirected with state and iss (REDIR-07, REDIR-11,
REDIR-18, ISS-01), PKCE downgrades at the authorize endpoint (PKCE-06..08), CSRF (WEB-04), XSS in reflected
parameters (WEB-05) and clickjacking headers (WEB-01, WEB-03)."""
from __future__ import annotations

import pytest

from authorize_support import (AUTHORIZE, ISSUER, PASSWORD, SPA_CB, WEB_CB, Browser, assert_error_page,
                               assert_security_headers, authorize, callback, code_flow, only_form, pkce_pair,
                               redeem, sign_in)

XSS = '"><script>alert(1)</script><svg onload=alert(2)>'


# -- client_id and redirect_uri: error pages ----------------------------------------------------------------------


@pytest.mark.parametrize("redirect_uri", [
    WEB_CB + "/", WEB_CB + "/extra", "https://APP.example/cb", "https://app.example/CB", WEB_CB + "?x=1",
    WEB_CB + "#f", "http://app.example/cb", "https://app.example:8443/cb", "https://app.example.evil/cb",
    "https://evil.example/cb", "https://app.example/q?a=1&b=2", "https://app.example/q", "javascript:alert(1)//",
])
def test_redir01_redir04_redirect_uri_variants_are_an_error_page(front, browser, redirect_uri):
    response = authorize(browser, front.clients["web"], redirect_uri=redirect_uri)
    assert_error_page(response, 400, "invalid_request")
    assert_security_headers(response)
    assert "Login redirect URI" in response.text
    assert "app.example" not in response.text and "evil" not in response.text  # ISS-05: no link, no echo


def test_redir04_registered_query_is_kept_and_the_answer_appended(front, browser):
    params = code_flow(browser, front.clients["web"], redirect_uri="https://app.example/q?a=1")
    assert params["a"] == "1" and params["code"] and params["iss"] == ISSUER


def test_redir02_loopback_any_port_but_not_localhost(front, browser):
    spa = front.clients["spa"]
    verifier, challenge = pkce_pair()
    chosen = "http://127.0.0.1:53123/cb"
    response = sign_in(browser, authorize(browser, spa, redirect_uri=chosen, challenge=challenge))
    assert response.headers["Location"].startswith(chosen + "?code=")
    code = callback(response)["code"]
    # the token request must carry the URI exactly as used (port included)
    assert redeem(front, spa, code, SPA_CB, verifier).data["error"] == "invalid_grant"
    _verifier2, challenge2 = pkce_pair()
    assert_error_page(authorize(browser, spa, redirect_uri="http://localhost:8081/cb", challenge=challenge2))
    assert callback(authorize(browser, spa, redirect_uri="http://localhost:8080/cb", challenge=challenge2))["code"]


def test_redir03_redir06_missing_or_unknown_client_and_missing_redirect_uri(front, browser):
    web = front.clients["web"]
    assert_error_page(browser.get(AUTHORIZE, redirect_uri=WEB_CB, response_type="code"), 400, "invalid_request")
    assert_error_page(browser.get(AUTHORIZE, client_id="0oaNOTACLIENT0000000", redirect_uri=WEB_CB,
                                  response_type="code"), 400, "invalid_client")
    assert_error_page(browser.get(AUTHORIZE, client_id=XSS, redirect_uri=WEB_CB), 400, "invalid_client")
    assert_error_page(browser.get(AUTHORIZE, client_id=web["client_id"], response_type="code", scope="openid"),
                      400, "invalid_request")
    response = browser.get(f"{AUTHORIZE}?client_id={web['client_id']}&client_id={web['client_id']}"
                           f"&redirect_uri={WEB_CB}&response_type=code")
    assert_error_page(response, 400, "invalid_request")
    response = browser.get(f"{AUTHORIZE}?client_id={web['client_id']}&redirect_uri={WEB_CB}"
                           f"&redirect_uri={WEB_CB}&response_type=code")
    assert_error_page(response, 400, "invalid_request")


def test_redir03_deactivated_client_is_an_error_page(front, browser):
    front.container.clients.set_status(front.clients["web"]["client_id"], "INACTIVE")
    assert_error_page(authorize(browser, front.clients["web"]), 400, "invalid_client")


# -- everything else: redirected with state and iss ---------------------------------------------------------------


@pytest.mark.parametrize("extra,error", [
    ({"response_type": "token", "nonce": "n"}, "unauthorized_client"),
    ({"response_type": "code device"}, "unsupported_response_type"),
    ({"response_type": ""}, "invalid_request"),
    ({"response_mode": "okta_post_message"}, "unsupported_response_mode"),
    # REDIR-18: processed, never ignored (docs/security-cases/par.md JAR-01; a request_uri that is not ours is an
    # error page: tests/integration/par)
    ({"request": "eyJhbGciOiJub25lIn0.e30."}, "invalid_request_object"),
    ({"prompt": "none login"}, "invalid_request"),
    ({"prompt": "select_account"}, "invalid_request"),
    ({"max_age": "9007199254740991"}, "invalid_request"),
    ({"scope": "openid nope"}, "invalid_scope"),
    ({"scope": "profile"}, "invalid_scope"),
    ({"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "plain"},
     "invalid_request"),
])
def test_redir07_iss01_errors_after_the_redirect_uri_are_redirected(front, browser, extra, error):
    params = callback(authorize(browser, front.clients["web"], **extra))
    assert params["error"] == error and params["state"] == "st-1" and params["iss"] == ISSUER
    assert params["error_description"]


def test_redir11_repeated_parameter_is_invalid_request(front, browser):
    web = front.clients["web"]
    response = browser.get(f"{AUTHORIZE}?client_id={web['client_id']}&redirect_uri={WEB_CB}&response_type=code"
                           f"&scope=openid&scope=profile&state=dup")
    params = callback(response)
    assert params["error"] == "invalid_request" and params["state"] == "dup"
    assert params["error_description"] == "The request contained multiple parameters with the same name."


def test_pkce07_plain_and_absent_method_refused(front, browser):
    _v, challenge = pkce_pair()
    spa = front.clients["spa"]
    for extra in ({"code_challenge_method": "plain"}, {}, {"code_challenge_method": "S384"}):
        params = callback(authorize(browser, spa, code_challenge=challenge, **extra))
        assert params["error"] == "invalid_request"
    assert callback(authorize(browser, spa, code_challenge=challenge[:20], code_challenge_method="S256"))[
        "error"] == "invalid_request"  # PKCE-06


def test_pkce08_public_client_without_challenge(front, browser):
    params = callback(authorize(browser, front.clients["spa"]))
    assert params == {"error": "invalid_request",
                      "error_description": "PKCE code challenge is required by the application.",
                      "state": "st-1", "iss": ISSUER}


def test_nonce_required_for_front_channel_tokens(front, browser):
    params = callback(authorize(browser, front.clients["hybrid"], response_type="id_token"))
    assert params["error"] == "invalid_request" and "'nonce' parameter is required" in params["error_description"]


# -- CSRF ---------------------------------------------------------------------------------------------------------


def _signin_page(front, browser):
    page = browser.follow(authorize(browser, front.clients["web"]))
    assert page.status_code == 200
    return page, only_form(page.text)


@pytest.mark.parametrize("tamper", ["missing", "wrong", "other-request"])
def test_web04_sign_in_csrf_token_missing_or_wrong_is_refused(front, browser, tamper):
    page, form = _signin_page(front, browser)
    data = {**form.fields, "username": "alice@example.com", "password": PASSWORD}
    if tamper == "missing":
        del data["csrf_token"]
    elif tamper == "wrong":
        token = data["csrf_token"]
        data["csrf_token"] = token[:10] + ("x" if token[10] != "x" else "y") + token[11:]  # never the real one
    else:
        _other_page, other = _signin_page(front, browser)
        data["csrf_token"] = other.fields["csrf_token"]
    response = browser.post(form.action, data)
    assert_error_page(response, 403, "invalid_request")
    assert "tm_session" not in browser.cookies


def test_web04_a_form_posted_from_another_browser_is_refused(front, browser, browser2):
    """Login CSRF: an attacker's own sign-in form (request id and token) posted by the victim's browser."""
    _page, form = _signin_page(front, browser)
    browser2.cookies["tm_csrf"] = "x" * 43
    response = browser2.post(form.action, {**form.fields, "username": "alice@example.com", "password": PASSWORD})
    assert_error_page(response, 403)
    response = Browser(front.client).post(form.action, {**form.fields, "username": "alice@example.com",
                                                        "password": PASSWORD})  # no cookie: a cross-site post
    assert_error_page(response, 403)
    assert_error_page(browser2.get(form.action, request_id=form.fields["request_id"]), 400)


def test_web04_consent_csrf(front, browser):
    page = browser.follow(sign_in(browser, authorize(browser, front.clients["web"], scope="openid consent:read")))
    form = only_form(page.text)
    response = browser.post(form.action, {"request_id": form.fields["request_id"], "decision": "allow"})
    assert_error_page(response, 403)
    response = browser.post(form.action, {**form.fields, "csrf_token": "A" * 43, "decision": "allow"})
    assert_error_page(response, 403)
    assert front.api.get(f"/api/v1/users/{front.users['alice']['id']}/grants").data == []


def test_expired_or_answered_sign_in_request_is_an_error_page(front, browser):
    page, form = _signin_page(front, browser)
    front.clock.advance(minutes=11)
    response = browser.post(form.action, {**form.fields, "username": "alice@example.com", "password": PASSWORD})
    assert_error_page(response, 400)
    page, form = _signin_page(front, browser)
    answered = browser.post(form.action, {**form.fields, "username": "alice@example.com", "password": PASSWORD})
    assert answered.status_code == 303
    again = browser.post(form.action, {**form.fields, "username": "alice@example.com", "password": PASSWORD})
    assert_error_page(again, 400)
    assert_error_page(browser.get(form.action, request_id="nope"), 400)


# -- XSS and clickjacking -----------------------------------------------------------------------------------------


def test_web05_login_hint_is_escaped_on_the_sign_in_page(front, browser):
    page = browser.follow(authorize(browser, front.clients["web"], login_hint=XSS))
    assert page.status_code == 200
    assert "<script>" not in page.text and "<svg" not in page.text
    assert only_form(page.text).fields["username"] == XSS  # the value survives, as text


def test_web05_client_name_is_escaped(front, browser):
    page = browser.follow(authorize(browser, front.clients["web"]))
    assert "Web &lt;App&gt; &amp; &quot;Co&quot;" in page.text and "<App>" not in page.text


def test_web05_state_is_escaped_in_form_post_and_encoded_in_redirects(front, browser):
    code_flow(browser, front.clients["web"])
    page = authorize(browser, front.clients["web"], state=XSS, response_mode="form_post")
    assert "<script>alert" not in page.text and only_form(page.text).fields["state"] == XSS
    redirect = authorize(browser, front.clients["web"], state=XSS)
    assert "<" not in redirect.headers["Location"] and callback(redirect)["state"] == XSS


def test_web05_error_text_on_pages_is_escaped(front, browser):
    response = browser.get(AUTHORIZE, client_id=front.clients["web"]["client_id"], redirect_uri=XSS)
    assert_error_page(response)
    assert "<script>" not in response.text and "<svg" not in response.text


def test_web01_web03_every_page_and_redirect_has_anti_clickjacking_headers(front, browser):
    web = front.clients["web"]
    first = authorize(browser, web, scope="openid consent:read")
    assert_security_headers(first)
    page = browser.follow(first)
    assert_security_headers(page)
    assert "form-action 'self' https://app.example" in page.headers["Content-Security-Policy"]
    consent_page = browser.follow(browser.submit(page, username="alice@example.com", password=PASSWORD))
    assert_security_headers(consent_page)
    assert_security_headers(browser.get(AUTHORIZE, client_id="nope"))
    assert "<script" not in page.text and "<script" not in consent_page.text  # no JavaScript needed


def test_redirect_uri_removed_while_signing_in_is_never_used(front, browser):
    web = front.clients["web"]
    page = browser.follow(authorize(browser, web))
    body = {k: web[k] for k in ("client_name", "application_type", "grant_types", "response_types",
                                "post_logout_redirect_uris", "token_endpoint_auth_method")}
    changed = front.api.put(f"/oauth2/v1/clients/{web['client_id']}",
                            {**body, "redirect_uris": ["https://app.example/q?a=1"]})
    assert changed.status_code == 200, changed.data
    response = browser.submit(page, username="alice@example.com", password=PASSWORD)
    assert_error_page(response, 400, "invalid_request")
