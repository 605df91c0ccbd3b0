"""The authorization code flow through the hosted pages, in-process on moto: sign-in, session, prompt, max_age,
assignment, consent, response modes and what the tokens carry. Checklist ids: REDIR-07, REDIR-10, REDIR-12..16,
IDT-01..05, IDT-07, IDT-08, ISS-01, ISS-03, ISS-04, POL-03, CODE-07, WEB-02, WEB-04, okta-api.md 4.5 and 8.3."""
from __future__ import annotations

import json

import jwt

from authorize_support import (AUTHORIZE, CONSENT_SCOPE, FLEX_SCOPE, ISSUER, PASSWORD, SPA_CB, WEB_CB,
                               assert_error_page, assert_security_headers, authorize, callback, code_flow,
                               jwt_claims, only_form, pkce_pair, redeem, sign_in, through)


def keys(front) -> jwt.PyJWKSet:
    return jwt.PyJWKSet.from_dict(json.loads(front.client.http.get("/oauth2/default/v1/keys").body))


def verified(front, token: str, audience: str) -> dict:
    """Signature, alg, iss and aud checked (times are the fixed test clock's)."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = keys(front)[kid]
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=audience, issuer=ISSUER,
                      options={"verify_exp": False, "verify_iat": False, "verify_nbf": False})


def spa_code(front, browser, **kwargs):
    verifier, challenge = pkce_pair()
    result = code_flow(browser, front.clients["spa"], challenge=challenge, **kwargs)
    return result, verifier


# -- the happy path -----------------------------------------------------------------------------------------------


def test_spa_code_flow_with_pkce_gives_okta_shaped_tokens(front, browser):
    spa, alice = front.clients["spa"], front.users["alice"]
    params, verifier = spa_code(front, browser, scope="openid profile email", nonce="n-123")
    assert set(params) == {"code", "state", "iss"} and params["state"] == "st-1" and params["iss"] == ISSUER
    response = redeem(front, spa, params["code"], SPA_CB, verifier)
    assert response.status_code == 200, response.data
    assert response.headers["Cache-Control"] == "no-store"
    body = response.data
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == "openid profile email" and "refresh_token" not in body
    access = verified(front, body["access_token"], "api://default")
    assert access["uid"] == alice["id"] and access["sub"] == "alice@example.com" and access["cid"] == spa["client_id"]
    assert access["scp"] == ["openid", "profile", "email"]
    assert access["auth_time"] == int(front.clock.now().timestamp())
    idt = verified(front, body["id_token"], spa["client_id"])  # IDT-01, IDT-05
    assert idt["sub"] == alice["id"] and idt["aud"] == spa["client_id"] and idt["nonce"] == "n-123"  # IDT-03
    assert idt["amr"] == ["pwd"] and idt["auth_time"] == access["auth_time"] and idt["exp"] - idt["iat"] == 3600
    assert idt["at_hash"] and idt["jti"].startswith("ID.") and idt["ver"] == 1
    # okta-api.md 8.3: with an access token only alwaysIncludeInToken claims (name, preferred_username, email)
    assert idt["email"] == "alice@example.com" and idt["preferred_username"] == "alice@example.com"
    assert "given_name" not in idt and "family_name" not in idt


def test_idt03_code_flow_without_nonce_has_no_nonce(front, browser):
    params, verifier = spa_code(front, browser)
    body = redeem(front, front.clients["spa"], params["code"], SPA_CB, verifier).data
    assert "nonce" not in jwt_claims(body["id_token"])


def test_code07_no_openid_no_id_token(front, browser):
    params = code_flow(browser, front.clients["web"], scope="offline_access")
    body = redeem(front, front.clients["web"], params["code"]).data
    assert "id_token" not in body and body["scope"] == "offline_access"


def test_refresh_token_with_offline_access_for_a_client_allowed_the_grant(front, browser, browser2):
    params = code_flow(browser, front.clients["web"], scope="openid offline_access")
    body = redeem(front, front.clients["web"], params["code"]).data
    assert isinstance(body.get("refresh_token"), str) and body["id_token"]
    spa_params, verifier = spa_code(front, browser2, scope="openid offline_access")
    assert "refresh_token" not in redeem(front, front.clients["spa"], spa_params["code"], SPA_CB, verifier).data


def test_redir13_post_to_the_authorize_endpoint_works_like_get(front, browser):
    web = front.clients["web"]
    first = browser.post(AUTHORIZE, {"client_id": web["client_id"], "redirect_uri": WEB_CB, "response_type": "code",
                                     "scope": "openid", "state": "posted"})
    assert first.status_code == 303  # answered to a POST
    params = callback(through(browser, sign_in(browser, first)))
    assert params["state"] == "posted" and redeem(front, web, params["code"]).status_code == 200


def test_redir10_unknown_parameters_are_ignored_and_redir16_no_state_no_state(front, browser):
    params = code_flow(browser, front.clients["web"], state=None, extra="foobar", display="page", ui_locales="de")
    assert "state" not in params and params["iss"] == ISSUER and params["code"]


def test_redir15_long_state_is_echoed_exactly(front, browser):
    state = "S" * 384
    assert code_flow(browser, front.clients["web"], state=state)["state"] == state


def test_redir14_scope_order_does_not_matter(front, browser):
    params = code_flow(browser, front.clients["web"], scope="email openid")
    assert redeem(front, front.clients["web"], params["code"]).data["scope"] == "email openid"


# -- sessions and prompt ------------------------------------------------------------------------------------------


def test_idt08_a_session_skips_the_sign_in_page_and_keeps_sub(front, browser):
    web = front.clients["web"]
    first = code_flow(browser, web)
    again = authorize(browser, web, state="second")
    assert again.status_code == 302  # straight back: no page
    second = callback(again)
    assert second["state"] == "second" and second["code"] != first["code"]
    sub1 = jwt_claims(redeem(front, web, first["code"]).data["id_token"])["sub"]
    sub2 = jwt_claims(redeem(front, web, second["code"]).data["id_token"])["sub"]
    assert sub1 == sub2 == front.users["alice"]["id"]


def test_idt08_prompt_none_without_session_is_login_required_with_state_and_iss(front, browser):
    params = callback(authorize(browser, front.clients["web"], prompt="none", state="quiet"))
    assert params == {"error": "login_required",
                      "error_description": "The client specified not to prompt, but the user is not logged in.",
                      "state": "quiet", "iss": ISSUER}


def test_idt08_prompt_none_with_session_gives_a_code(front, browser):
    code_flow(browser, front.clients["web"])
    assert "code" in callback(authorize(browser, front.clients["web"], prompt="none"))


def test_idt08_prompt_login_forces_a_new_sign_in_and_auth_time(front, browser):
    web = front.clients["web"]
    first = code_flow(browser, web)
    t1 = jwt_claims(redeem(front, web, first["code"]).data["id_token"])["auth_time"]
    front.clock.advance(minutes=10)
    forced = authorize(browser, web, prompt="login")
    assert forced.status_code == 302 and "/signin?" in forced.headers["Location"]
    second = callback(through(browser, sign_in(browser, forced)))
    t2 = jwt_claims(redeem(front, web, second["code"]).data["id_token"])["auth_time"]
    assert t2 == t1 + 600


def test_idt07_max_age(front, browser):
    web = front.clients["web"]
    code_flow(browser, web)
    front.clock.advance(seconds=120)
    assert "code" in callback(authorize(browser, web, max_age="300"))  # recent enough
    stale = authorize(browser, web, max_age="60")
    assert "/signin?" in stale.headers["Location"]  # too old: sign in again
    assert callback(authorize(browser, web, max_age="60", prompt="none"))["error"] == "login_required"
    assert "/signin?" in authorize(browser, web, max_age="0").headers["Location"]
    params = callback(through(browser, sign_in(browser, authorize(browser, web, max_age="0"))))
    assert jwt_claims(redeem(front, web, params["code"]).data["id_token"])["auth_time"] == \
        int(front.clock.now().timestamp())
    assert callback(authorize(browser, web, max_age="-1"))["error"] == "invalid_request"


def test_web04_session_cookie_attributes_and_web02_303_after_credentials(front, browser):
    response = sign_in(browser, authorize(browser, front.clients["web"]))
    assert response.status_code == 303
    session = [h for h in browser.set_cookie_headers if h.startswith("tm_session=")]
    assert session and all(a in session[0] for a in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/oauth2"))
    csrf = [h for h in browser.set_cookie_headers if h.startswith("tm_csrf=")]
    assert csrf and "HttpOnly" in csrf[0] and "SameSite=Lax" in csrf[0]


# -- sign-in failures ---------------------------------------------------------------------------------------------


def test_failed_sign_in_shows_one_generic_message(front, browser):
    page = browser.follow(authorize(browser, front.clients["web"], login_hint="alice@example.com"))
    assert 'value="alice@example.com"' in page.text  # login_hint prefills
    texts = []
    for username, password in (("alice@example.com", "Wrong-passw0rd"), ("nobody@example.com", PASSWORD),
                               ("not-a-login", "x"), ("", "")):
        response = browser.submit(page, username=username, password=password)
        assert response.status_code == 200 and "Location" not in response.headers
        assert_security_headers(response)
        texts.append(response.text.split('role="alert">')[1].split("<")[0])
        page = response
    assert len(set(texts)) == 1 and "password" in texts[0].lower()
    assert "tm_session" not in browser.cookies


def test_lockout_is_the_directorys_and_the_page_says_nothing_more(front, browser):
    page = browser.follow(authorize(browser, front.clients["web"]))
    for _ in range(10):
        page = browser.submit(page, username="dave@example.com", password="Wrong-passw0rd")
    locked = browser.submit(page, username="dave@example.com", password=PASSWORD)
    assert locked.status_code == 200 and "Unable to sign in" in locked.text
    user = front.api.get(f"/api/v1/users/{front.users['dave']['id']}").data
    assert user["status"] == "LOCKED_OUT"


# -- policy and assignment ----------------------------------------------------------------------------------------


def test_user_not_assigned_is_access_denied(front, browser):
    params = callback(through(browser, sign_in(browser, authorize(browser, front.clients["web"]),
                                               "bob@example.com")))
    assert params["error"] == "access_denied" and params["iss"] == ISSUER and params["state"] == "st-1"
    assert params["error_description"] == "User is not assigned to the client application."


def test_user_assigned_through_a_group_signs_in(front, browser):
    params = code_flow(browser, front.clients["web"], "carol@example.com")
    idt = jwt_claims(redeem(front, front.clients["web"], params["code"]).data["id_token"])
    assert idt["sub"] == front.users["carol"]["id"]


def test_pol03_no_matching_rule_is_redirected_as_policy_evaluation_failed(front, browser):
    config = front.container.servers.load("default")
    rule = next(r for r in config.rules if r.is_default)
    path = f"/api/v1/authorizationServers/{front.server_id}/policies/{rule.policy_id}/rules/{rule.id}"
    body = front.api.get(path).data
    body["conditions"]["grantTypes"]["include"] = ["client_credentials"]
    assert front.api.put(path, body).status_code == 200, front.api.put(path, body).data
    params = code_flow(browser, front.clients["web"])
    assert params["error"] == "access_denied" and params["error_description"].startswith("Policy evaluation failed")


def test_redir07_unknown_scope_is_redirected_before_any_sign_in(front, browser):
    params = callback(authorize(browser, front.clients["web"], scope="openid nope:unknown"))
    assert params["error"] == "invalid_scope" and params["state"] == "st-1" and params["iss"] == ISSUER
    assert "tm_session" not in browser.cookies


def test_redir12_empty_scope_means_the_default_scopes(front, browser):
    empty = callback(authorize(browser, front.clients["web"], scope=""))
    absent = callback(authorize(browser, front.clients["web"], scope=None))
    assert empty["error"] == absent["error"] == "invalid_scope"
    assert empty["error_description"] == absent["error_description"]


def test_user_deactivated_after_sign_in_must_sign_in_again(front, browser):
    code_flow(browser, front.clients["web"], "carol@example.com")
    front.api.post(f"/api/v1/users/{front.users['carol']['id']}/lifecycle/deactivate")
    assert callback(authorize(browser, front.clients["web"], prompt="none"))["error"] == "login_required"
    assert "/signin?" in authorize(browser, front.clients["web"]).headers["Location"]


# -- consent ------------------------------------------------------------------------------------------------------


def test_consent_page_lists_scopes_and_allow_is_remembered(front, browser):
    web = front.clients["web"]
    page = browser.follow(sign_in(browser, authorize(browser, web, scope=f"openid {CONSENT_SCOPE}")))
    assert page.status_code == 200 and "Allow access?" in page.text
    assert_security_headers(page)
    assert "Read your &lt;b&gt;data" in page.text and "Lets the app read your data &amp; more." in page.text
    assert "Web &lt;App&gt; &amp; &quot;Co&quot;" in page.text and "alice@example.com" in page.text
    assert "form-action 'self' https://app.example" in page.headers["Content-Security-Policy"]
    assert sorted(b for _, b in only_form(page.text).buttons) == ["allow", "deny"]
    params = callback(browser.follow(browser.submit(page, button="allow")))
    assert redeem(front, web, params["code"]).data["scope"] == f"openid {CONSENT_SCOPE}"
    # remembered: no page the second time
    assert "code" in callback(authorize(browser, web, scope=f"openid {CONSENT_SCOPE}"))
    grants = front.api.get(f"/api/v1/users/{front.users['alice']['id']}/grants").data
    assert [g["_embedded"]["scope"]["name"] for g in grants] == [CONSENT_SCOPE]


def test_consent_deny_is_access_denied(front, browser):
    response = through(browser, sign_in(browser, authorize(browser, front.clients["web"],
                                                           scope=f"openid {CONSENT_SCOPE}")), consent="deny")
    params = callback(response)
    assert params["error"] == "access_denied" and params["iss"] == ISSUER and params["state"] == "st-1"
    assert front.api.get(f"/api/v1/users/{front.users['alice']['id']}/grants").data == []


def test_prompt_none_when_consent_is_needed_is_consent_required(front, browser):
    code_flow(browser, front.clients["web"])
    params = callback(authorize(browser, front.clients["web"], scope=f"openid {CONSENT_SCOPE}", prompt="none"))
    assert params["error"] == "consent_required" and CONSENT_SCOPE in params["error_description"]


def test_flexible_scope_asks_only_with_prompt_consent(front, browser):
    web = front.clients["web"]
    code_flow(browser, web, scope=f"openid {FLEX_SCOPE}")
    assert "code" in callback(authorize(browser, web, scope=f"openid {FLEX_SCOPE}"))
    page = browser.follow(authorize(browser, web, scope=f"openid {FLEX_SCOPE}", prompt="consent"))
    assert "Allow access?" in page.text and "Flexible reading" in page.text


def test_consent_revoked_by_the_admin_api_asks_again(front, browser):
    web = front.clients["web"]
    code_flow(browser, web, scope=f"openid {CONSENT_SCOPE}")
    assert "code" in callback(authorize(browser, web, scope=f"openid {CONSENT_SCOPE}"))
    assert front.api.delete(f"/api/v1/users/{front.users['alice']['id']}/clients/{web['client_id']}/grants"
                            ).status_code == 204
    page = browser.follow(authorize(browser, web, scope=f"openid {CONSENT_SCOPE}"))
    assert "Allow access?" in page.text


def test_consent_of_one_client_does_not_cover_another(front, browser):
    code_flow(browser, front.clients["web"], scope=f"openid {CONSENT_SCOPE}")
    page = browser.follow(authorize(browser, front.clients["other"], scope=f"openid {CONSENT_SCOPE}"))
    assert "Allow access?" in page.text


# -- response types and modes -------------------------------------------------------------------------------------


def test_iss04_form_post_answer(front, browser):
    code_flow(browser, front.clients["web"])
    response = authorize(browser, front.clients["web"], response_mode="form_post", state="<b>s</b>")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert_security_headers(response)
    assert "form-action 'self' https://app.example;" in response.headers["Content-Security-Policy"]
    form = only_form(response.text)
    assert form.action == WEB_CB and form.method == "post"
    assert set(form.fields) == {"code", "state", "iss"} and form.fields["state"] == "<b>s</b>"
    assert form.fields["iss"] == ISSUER and "<b>s</b>" not in response.text


def test_implicit_id_token_token_in_the_fragment(front, browser):
    hybrid = front.clients["hybrid"]
    params = callback(through(browser, sign_in(browser, authorize(
        browser, hybrid, response_type="id_token token", scope="openid profile email", nonce="n-i"))))
    assert set(params) == {"access_token", "token_type", "expires_in", "scope", "id_token", "state", "iss"}
    assert params["token_type"] == "Bearer" and params["expires_in"] == "3600"
    idt = verified(front, params["id_token"], hybrid["client_id"])
    assert idt["nonce"] == "n-i" and idt["at_hash"] and "c_hash" not in idt
    assert "given_name" not in idt  # an access token came with it: alwaysIncludeInToken claims only
    verified(front, params["access_token"], "api://default")


def test_implicit_id_token_alone_carries_every_scope_claim(front, browser):
    params = callback(through(browser, sign_in(browser, authorize(
        browser, front.clients["hybrid"], response_type="id_token", scope="openid profile email", nonce="n"))))
    idt = jwt_claims(params["id_token"])
    assert idt["given_name"] == "Alice" and idt["family_name"] == "Tester" and idt["email_verified"] is True
    assert "at_hash" not in idt and set(params) == {"id_token", "state", "iss"}


def test_hybrid_code_id_token_has_c_hash_and_a_redeemable_code(front, browser):
    hybrid = front.clients["hybrid"]
    response = through(browser, sign_in(browser, authorize(browser, hybrid, response_type="code id_token",
                                                           nonce="n-h")))
    assert "#" in response.headers["Location"]  # default mode for tokens: fragment
    params = callback(response)
    assert jwt_claims(params["id_token"])["c_hash"]
    assert redeem(front, hybrid, params["code"]).status_code == 200


def test_query_mode_with_tokens_is_refused_in_the_fragment(front, browser):
    response = authorize(browser, front.clients["hybrid"], response_type="code token", nonce="n",
                         response_mode="query")
    assert "#" in response.headers["Location"]
    assert callback(response)["error"] == "unsupported_response_mode"


def test_iss03_each_server_answers_with_its_own_issuer(front, browser):
    api = front.api
    other = api.post("/api/v1/authorizationServers", {"name": "second", "audiences": ["api://second"]}).data
    policy = api.post(f"/api/v1/authorizationServers/{other['id']}/policies", {
        "type": "OAUTH_AUTHORIZATION_POLICY", "name": "p", "description": "p",
        "conditions": {"clients": {"include": ["ALL_CLIENTS"]}}}).data
    api.post(f"/api/v1/authorizationServers/{other['id']}/policies/{policy['id']}/rules", {
        "type": "RESOURCE_ACCESS", "name": "r", "conditions": {
            "grantTypes": {"include": ["authorization_code"]}, "people": {"groups": {"include": ["EVERYONE"]}},
            "scopes": {"include": ["*"]}}})
    web = front.clients["web"]
    code_flow(browser, web)
    second = browser.get(f"https://tokenmint.test/oauth2/{other['id']}/v1/authorize", client_id=web["client_id"],
                         redirect_uri=WEB_CB, response_type="code", scope="openid", state="x")
    params = callback(second)
    assert params["iss"] == other["issuer"] != ISSUER
    # a code of one server is not redeemable at another
    assert redeem(front, web, params["code"]).data["error"] == "invalid_grant"


def test_unknown_or_inactive_server_is_a_404_page(front, browser):
    response = browser.get("https://tokenmint.test/oauth2/ausNOPE/v1/authorize", client_id="x")
    assert_error_page(response, 404)
