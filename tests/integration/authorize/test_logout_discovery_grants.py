"""``/v1/logout`` (okta-api.md 7.7; REDIR-08, IDT-09), discovery of the front channel (ISS-02, PKCE-10, DISC-03)
and the remembered-consent admin API (``/api/v1/users/{userId}/grants``)."""
from __future__ import annotations

import json

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from authorize_support import (AUTHORIZE, CONSENT_SCOPE, ISSUER, LOGGED_OUT, LOGOUT, Browser, assert_error_page,
                               assert_security_headers, authorize, callback, code_flow, jwt_claims, only_form, redeem)


def signed_in_id_token(front, browser) -> str:
    params = code_flow(browser, front.clients["web"])
    return redeem(front, front.clients["web"], params["code"]).data["id_token"]


def logged_out(front, browser) -> bool:
    return callback(authorize(browser, front.clients["web"], prompt="none")).get("error") == "login_required"


# -- logout -------------------------------------------------------------------------------------------------------


def test_logout_redirects_to_the_registered_uri_with_state_and_ends_the_session(front, browser):
    hint = signed_in_id_token(front, browser)
    assert not logged_out(front, browser)
    response = browser.get(LOGOUT, id_token_hint=hint, post_logout_redirect_uri=LOGGED_OUT, state="bye <1>")
    assert response.status_code == 302 and response.headers["Location"] == f"{LOGGED_OUT}?state=bye+%3C1%3E"
    assert_security_headers(response)
    expired = [h for h in browser.set_cookie_headers if h.startswith("tm_session=;")]
    assert expired and "Max-Age=0" in expired[-1] and "HttpOnly" in expired[-1]
    assert "tm_session" not in browser.cookies and logged_out(front, browser)


def test_logout_by_post_and_without_redirect_shows_a_signed_out_page(front, browser):
    hint = signed_in_id_token(front, browser)
    session = browser.cookies["tm_session"]
    response = browser.post(LOGOUT, {"id_token_hint": hint})
    assert response.status_code == 200 and "You are signed out" in response.text
    assert_security_headers(response)
    browser.cookies["tm_session"] = session  # a copy of the old cookie is worthless: the record is gone
    assert logged_out(front, browser)


def test_redir08_unregistered_post_logout_redirect_uri_is_an_error_page_and_keeps_the_session(front, browser):
    hint = signed_in_id_token(front, browser)
    for target in ("https://evil.example/", "https://app.example/cb", LOGGED_OUT + "/", LOGGED_OUT + "?x=1"):
        response = browser.get(LOGOUT, id_token_hint=hint, post_logout_redirect_uri=target)
        assert_error_page(response, 400, "invalid_request")
        assert "evil" not in response.text
    assert not logged_out(front, browser)


def test_idt09_expired_hint_is_accepted(front, browser):
    hint = signed_in_id_token(front, browser)
    front.clock.advance(hours=3)
    response = browser.get(LOGOUT, id_token_hint=hint, post_logout_redirect_uri=LOGGED_OUT)
    assert response.status_code == 302


def test_idt09_hint_signed_by_a_rotated_out_but_published_key_is_accepted(front, browser):
    hint = signed_in_id_token(front, browser)
    rotated = front.api.post(f"/api/v1/authorizationServers/{front.server_id}/credentials/lifecycle/keyRotate",
                             {"use": "sig"})
    assert rotated.status_code == 200, rotated.data
    assert jwt.get_unverified_header(hint)["kid"] != front.container.servers.load("default").server.signing_kid
    assert browser.get(LOGOUT, id_token_hint=hint, post_logout_redirect_uri=LOGGED_OUT).status_code == 302


def test_idt09_bad_hints_are_an_error_page(front, browser):
    params = code_flow(browser, front.clients["web"])
    tokens = redeem(front, front.clients["web"], params["code"]).data
    hint = tokens["id_token"]
    header, claims = jwt.get_unverified_header(hint), jwt_claims(hint)
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    unsigned = ".".join(hint.split(".")[:2]) + "."  # the signature dropped
    bad = {
        "garbage": "not-a-jwt",
        "access token": tokens["access_token"],
        "forged with our kid": jwt.encode(claims, forger, algorithm="RS256", headers={"kid": header["kid"]}),
        "unknown kid": jwt.encode(claims, forger, algorithm="RS256", headers={"kid": "nope"}),
        "no signature": unsigned,
        "alg none": jwt.encode(claims, None, algorithm="none", headers={"kid": header["kid"]}),
        "tampered": hint[:-4] + ("AAAA" if not hint.endswith("AAAA") else "BBBB"),
        "other issuer": jwt.encode({**claims, "iss": "https://evil.example"}, forger, algorithm="RS256",
                                   headers={"kid": header["kid"]}),
    }
    for name, value in bad.items():
        assert_error_page(browser.get(LOGOUT, id_token_hint=value, post_logout_redirect_uri=LOGGED_OUT), 400), name
    assert_error_page(browser.get(LOGOUT, post_logout_redirect_uri=LOGGED_OUT), 400)  # required
    assert not logged_out(front, browser)


def test_logout_without_a_session_just_redirects(front, browser, browser2):
    hint = signed_in_id_token(front, browser)
    response = browser2.get(LOGOUT, id_token_hint=hint, post_logout_redirect_uri=LOGGED_OUT, state="s")
    assert response.status_code == 302 and response.headers["Location"] == f"{LOGGED_OUT}?state=s"


# -- logout CSRF (issue 13 item 4): another user's ID token must not end this browser's session -----------------


def attackers_id_token(front, attacker_browser, username: str = "dave@example.com") -> str:
    """An ID token the attacker got for themself, from their own browser."""
    params = code_flow(attacker_browser, front.clients["web"], username=username)
    return redeem(front, front.clients["web"], params["code"]).data["id_token"]


def session_expired_by(browser, since: int) -> bool:
    return any(h.startswith("tm_session=;") for h in browser.set_cookie_headers[since:])


def test_idt09_logout_with_another_users_id_token_asks_and_keeps_the_session(front, browser, browser2):
    signed_in_id_token(front, browser)  # alice, the victim, is signed in
    hint = attackers_id_token(front, browser2)
    since = len(browser.set_cookie_headers)
    for response in (browser.get(LOGOUT, id_token_hint=hint, post_logout_redirect_uri=LOGGED_OUT, state="s"),
                     browser.post(LOGOUT, {"id_token_hint": hint, "post_logout_redirect_uri": LOGGED_OUT})):
        assert response.status_code == 200 and "<h1>Sign out?</h1>" in response.text
        assert "Location" not in response.headers
        assert_security_headers(response)
        # The form is answered by a redirect to the RP: CSP form-action allows it.
        assert "form-action 'self' https://app.example" in response.headers["Content-Security-Policy"]
    assert not session_expired_by(browser, since)
    assert not logged_out(front, browser)


def test_idt09_web04_a_forged_logout_confirmation_is_refused_and_keeps_the_session(front, browser, browser2):
    signed_in_id_token(front, browser)
    hint = attackers_id_token(front, browser2)
    # A genuine confirmation form for the very same hint, got by the attacker in a browser signed in to their second
    # account (carol): its token is bound to that browser's session cookie, not the victim's.
    second = Browser(front.client)
    attackers_id_token(front, second, username="carol@example.com")
    own_form = only_form(second.get(LOGOUT, id_token_hint=hint, post_logout_redirect_uri=LOGGED_OUT).text)
    assert own_form.action == LOGOUT and own_form.fields["csrf_token"]
    since = len(browser.set_cookie_headers)
    forged = {"id_token_hint": hint, "post_logout_redirect_uri": LOGGED_OUT, "confirm": "logout"}
    for token in ("", "x" * 43, own_form.fields["csrf_token"]):
        assert_error_page(browser.post(LOGOUT, {**forged, "csrf_token": token}), 403, "invalid_request")
    assert_error_page(browser.get(LOGOUT, **forged, csrf_token=own_form.fields["csrf_token"]), 403)
    assert not session_expired_by(browser, since)
    assert not logged_out(front, browser)


def test_idt09_the_person_who_confirms_is_signed_out(front, browser, browser2):
    signed_in_id_token(front, browser)
    hint = attackers_id_token(front, browser2)
    page = browser.get(LOGOUT, id_token_hint=hint, post_logout_redirect_uri=LOGGED_OUT, state="bye")
    response = browser.submit(page, confirm="logout")
    assert response.status_code == 303 and response.headers["Location"] == f"{LOGGED_OUT}?state=bye"
    assert "tm_session" not in browser.cookies and logged_out(front, browser)
    assert not logged_out(front, browser2)  # the hint's own user was never this browser's session


def test_idt09_the_person_who_stays_keeps_the_session(front, browser, browser2):
    signed_in_id_token(front, browser)
    hint = attackers_id_token(front, browser2)
    page = browser.get(LOGOUT, id_token_hint=hint, post_logout_redirect_uri=LOGGED_OUT, state="bye")
    response = browser.submit(page, confirm="stay")
    assert response.status_code == 303 and response.headers["Location"] == f"{LOGGED_OUT}?state=bye"
    page = browser.post(LOGOUT, {"id_token_hint": hint})
    response = browser.submit(page, confirm="stay")
    assert response.status_code == 200 and "You are still signed in" in response.text
    assert not logged_out(front, browser)


def test_idt09_a_hint_of_the_sessions_own_user_signs_out_at_once(front, browser):
    """The ordinary RP-initiated logout needs no confirmation (and a second browser of the same user is another
    session, untouched)."""
    hint = signed_in_id_token(front, browser)
    other = Browser(front.client)
    signed_in_id_token(front, other)
    response = browser.get(LOGOUT, id_token_hint=hint, post_logout_redirect_uri=LOGGED_OUT)
    assert response.status_code == 302 and logged_out(front, browser)
    assert not logged_out(front, other)


# -- discovery ----------------------------------------------------------------------------------------------------


def test_iss02_pkce10_discovery_advertises_the_front_channel(front):
    for name in ("openid-configuration", "oauth-authorization-server"):
        doc = json.loads(front.client.http.get(f"/oauth2/default/.well-known/{name}").body)
        assert doc["authorization_endpoint"] == AUTHORIZE and doc["end_session_endpoint"] == LOGOUT
        assert doc["authorization_response_iss_parameter_supported"] is True
        assert doc["code_challenge_methods_supported"] == ["S256"]
        assert doc["response_modes_supported"] == ["query", "fragment", "form_post"]
        assert "code" in doc["response_types_supported"] and "code id_token token" in doc["response_types_supported"]
        assert "token" in doc["response_types_supported"]  # both documents agree (DISC-01)
        assert doc["grant_types_supported"][:2] == ["authorization_code", "implicit"]
        assert doc["issuer"] == ISSUER
    oidc = json.loads(front.client.http.get("/oauth2/default/.well-known/openid-configuration").body)
    assert {"auth_time", "nonce", "at_hash", "c_hash", "amr"} <= set(oidc["claims_supported"])


# -- remembered consent (admin API) -------------------------------------------------------------------------------


def test_user_grants_api_lists_gets_and_revokes(front, browser):
    alice, web = front.users["alice"], front.clients["web"]
    code_flow(browser, web, scope=f"openid {CONSENT_SCOPE} flex:read", prompt="consent")
    listed = front.api.get(f"/api/v1/users/{alice['id']}/grants")
    assert listed.status_code == 200
    grants = listed.data
    assert sorted(g["_embedded"]["scope"]["name"] for g in grants) == sorted([CONSENT_SCOPE, "flex:read"])
    first = grants[0]
    assert first["id"].startswith("oag") and first["status"] == "ACTIVE" and first["source"] == "END_USER"
    assert first["clientId"] == web["client_id"] and first["userId"] == alice["id"] and first["issuer"] == ISSUER
    assert first["_links"]["self"]["href"].endswith(f"/api/v1/users/{alice['id']}/grants/{first['id']}")
    by_login = front.api.get("/api/v1/users/alice@example.com/grants").data
    assert [g["id"] for g in by_login] == [g["id"] for g in grants]
    assert front.api.get(f"/api/v1/users/{alice['id']}/grants/{first['id']}").data["id"] == first["id"]
    assert front.api.get(f"/api/v1/users/{alice['id']}/clients/{web['client_id']}/grants").data == grants
    assert front.api.get(f"/api/v1/users/{alice['id']}/clients/{front.clients['spa']['client_id']}/grants"
                         ).data == []
    assert front.api.delete(f"/api/v1/users/{alice['id']}/grants/{first['id']}").status_code == 204
    assert front.api.get(f"/api/v1/users/{alice['id']}/grants/{first['id']}").status_code == 404
    assert front.api.delete(f"/api/v1/users/{alice['id']}/grants/{first['id']}").status_code == 404
    assert front.api.delete(f"/api/v1/users/{alice['id']}/grants").status_code == 204
    assert front.api.get(f"/api/v1/users/{alice['id']}/grants").data == []


def test_user_grants_api_needs_an_admin_token_and_a_user(front):
    alice = front.users["alice"]
    response = front.client.http.get(f"/api/v1/users/{alice['id']}/grants")
    assert response.status_code == 401
    missing = front.api.get("/api/v1/users/00u00000000000000000/grants")
    assert missing.status_code == 404 and missing.data["errorCode"] == "E0000007"
    assert front.api.call("PUT", f"/api/v1/users/{alice['id']}/grants").status_code == 405
