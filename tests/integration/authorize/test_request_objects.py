"""Signed request objects (RFC 9101) in-process, at ``/v1/authorize`` and inside pushed requests. Security cases
JAR-01..JAR-10 (docs/security-cases/par.md)."""
from __future__ import annotations

import jwt

from authorize_support import AUTHORIZE, ISSUER, WEB_CB, assert_error_page, callback, pkce_pair, redeem
from par_support import (authorize_with, client_assertion, finish, keyed_client, par, request_object, rsa_key)


def _authorize(browser, client: dict, token: str, **outer: str):
    return browser.get(AUTHORIZE, client_id=client["client_id"], request=token, **outer)


def test_jar11_rs256_at_authorize_the_objects_values_win(front, browser):
    key, jwk = rsa_key()
    client = keyed_client(front, jwk=jwk)
    verifier, challenge = pkce_pair()
    token = request_object(front, client["client_id"], key, kid=jwk["kid"], code_challenge=challenge,
                           code_challenge_method="S256", nonce="signed-nonce")
    # the outer state and scope are overridden by the object's; an outer-only parameter still counts (OIDC 6.1)
    params = finish(browser, _authorize(browser, client, token, state="outer-state", scope="openid email",
                                        response_type="code", redirect_uri=WEB_CB, login_hint="alice@example.com"))
    assert params["state"] == "signed-state" and params["iss"] == ISSUER
    response = redeem(front, client, params["code"], verifier=verifier)
    assert response.status_code == 200 and response.data["scope"] == "openid"
    assert jwt.decode(response.data["id_token"], options={"verify_signature": False})["nonce"] == "signed-nonce"


def test_jar_rs256_inside_a_pushed_request_with_private_key_jwt(front, browser):
    key, jwk = rsa_key()
    client = keyed_client(front, method="private_key_jwt", jwk=jwk)
    token = request_object(front, client["client_id"], key, kid=jwk["kid"])
    assertion = client_assertion(front, client["client_id"], key, jwk["kid"], f"{ISSUER}/v1/par")
    response = par(front, client, {"client_id": client["client_id"], "request": token, "client_assertion": assertion,
                                   "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                   auth="absent")
    assert response.status_code == 201, response.data
    params = finish(browser, authorize_with(browser, client["client_id"], response.data["request_uri"]))
    assert params["code"] and params["state"] == "signed-state"


def test_jar03_hs256_with_the_client_secret_inside_a_pushed_request(front, browser):
    web = front.clients["web"]
    token = request_object(front, web["client_id"], web["client_secret"].encode(), alg="HS256")
    response = par(front, web, {"request": token})
    assert response.status_code == 201, response.data
    params = finish(browser, authorize_with(browser, web["client_id"], response.data["request_uri"]))
    assert params["code"] and params["state"] == "signed-state"
    # signed with another secret: refused
    forged = request_object(front, web["client_id"], b"another-secret-of-32-bytes-or-more!!", alg="HS256")
    refused = par(front, web, {"request": forged})
    assert refused.status_code == 400 and refused.data["error"] == "invalid_request_object"


def test_jar03_hs256_at_authorize_is_refused_saying_why(front, browser):
    web = front.clients["web"]
    token = request_object(front, web["client_id"], web["client_secret"].encode(), alg="HS256")
    params = callback(_authorize(browser, web, token, redirect_uri=WEB_CB))
    assert params["error"] == "invalid_request_object" and "pushed authorization request" in \
        params["error_description"]


def _refused_in_par(front, client: dict, token: str) -> dict:
    response = par(front, client, {"request": token})
    assert response.status_code == 400, response.data
    assert response.data["error"] == "invalid_request_object", response.data
    return response.data


def test_jar04_05_06_claims_are_checked(front):
    key, jwk = rsa_key()
    client = keyed_client(front, jwk=jwk)
    cid, kid = client["client_id"], jwk["kid"]
    now = int(front.clock.now().timestamp())
    cases = {
        "iss": request_object(front, cid, key, kid=kid, iss="0oaSOMEONEELSE000000"),  # JAR-04
        "aud": request_object(front, cid, key, kid=kid, aud="https://tokenmint.test/oauth2/other"),  # JAR-05
        "expired": request_object(front, cid, key, kid=kid, iat=now - 600, exp=now - 60),  # JAR-06
        "too far": request_object(front, cid, key, kid=kid, exp=now + 3601 + 60),  # JAR-06
        "no exp": request_object(front, cid, key, kid=kid, drop=("exp",)),
        "no jti": request_object(front, cid, key, kid=kid, drop=("jti",)),
        "future iat": request_object(front, cid, key, kid=kid, iat=now + 600),
        "client_id": request_object(front, cid, key, kid=kid, client_id="0oaSOMEONEELSE000000"),
        "nested": request_object(front, cid, key, kid=kid, request_uri="urn:x"),
        "typ": request_object(front, cid, key, kid=kid, headers={"typ": "at+jwt"}),  # JAR-09
    }
    descriptions = {name: _refused_in_par(front, client, token)["error_description"] for name, token in cases.items()}
    assert "'iss'" in descriptions["iss"] and "'aud'" in descriptions["aud"]
    assert "expired" in descriptions["expired"] and "one hour" in descriptions["too far"]
    assert "'exp'" in descriptions["no exp"] and "'jti'" in descriptions["no jti"]


def test_jar07_a_replayed_jti_is_refused(front):
    key, jwk = rsa_key()
    client = keyed_client(front, jwk=jwk)
    token = request_object(front, client["client_id"], key, kid=jwk["kid"])
    assert par(front, client, {"request": token}).status_code == 201
    assert "already been used" in _refused_in_par(front, client, token)["error_description"]


def test_jar01_unsigned_and_alg_none_are_refused(front, browser):
    key, jwk = rsa_key()
    client = keyed_client(front, jwk=jwk)
    unsigned = request_object(front, client["client_id"], None, alg="none")
    assert "signed" in _refused_in_par(front, client, unsigned)["error_description"]
    params = callback(_authorize(browser, client, unsigned, redirect_uri=WEB_CB))
    assert params["error"] == "invalid_request_object"
    garbage = _refused_in_par(front, client, "not-a-jwt")
    assert garbage["error"] == "invalid_request_object"


def test_jar02_only_the_clients_own_registered_keys_verify(front):
    key, jwk = rsa_key()
    client = keyed_client(front, jwk=jwk)
    stranger, _ = rsa_key()
    forged = request_object(front, client["client_id"], stranger, kid=jwk["kid"])
    assert "signature" in _refused_in_par(front, client, forged)["error_description"]
    keyless = front.clients["web"]  # a client with no JWKS
    token = request_object(front, keyless["client_id"], key, kid=jwk["kid"])
    assert "JWKS" in _refused_in_par(front, keyless, token)["error_description"]


def test_jar08_request_and_request_uri_together_are_refused(front, browser):
    key, jwk = rsa_key()
    client = keyed_client(front, jwk=jwk)
    token = request_object(front, client["client_id"], key, kid=jwk["kid"])
    response = authorize_with(browser, client["client_id"], "urn:ietf:params:oauth:request_uri:" + "A" * 43,
                              request=token)
    assert_error_page(response, 400, "invalid_request")
    assert "both a request object and a request uri" in response.text


def test_jar_redir03_a_bad_request_object_with_an_unregistered_redirect_uri_is_a_page(front, browser):
    key, jwk = rsa_key()
    client = keyed_client(front, jwk=jwk)
    token = request_object(front, client["client_id"], key, kid=jwk["kid"], aud="https://elsewhere")
    assert_error_page(_authorize(browser, client, token, redirect_uri="https://evil.example/cb"), 400)
    assert_error_page(_authorize(browser, client, token), 400)
