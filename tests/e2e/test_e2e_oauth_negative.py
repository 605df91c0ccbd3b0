"""Negative cases of the token endpoint over real HTTP: client authentication (security-checklist 4, CAUTH-02..09),
token-endpoint requests and errors (5, TOK-01..08; okta-api.md 7.9 texts), and changes made through the admin API
taking effect within the cache bound (a deactivated policy or server, a deleted client, a new secret).

Every error must be RFC 6749 5.2 JSON ``{error, error_description}`` with only the allowed characters and
``Cache-Control: no-store`` (``oauth_support.assert_oauth_error``).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any, Iterator

import pytest
from cryptography.hazmat.primitives import serialization

from e2e_support import expect, policy_body, rule_body, scope_body
from oauth_support import (
    ADMIN,
    ASSERTION_TYPE,
    CONSENTED,
    READ,
    World,
    assert_no_store,
    assert_oauth_error,
    assertion,
    assertion_claims,
    create_server,
    drop_server,
    new_rsa_key,
    unsigned,
    world,
)

CC = {"grant_type": "client_credentials"}
POLICY_FAILED = "Policy evaluation failed for this request, please check the policy configurations."


@pytest.fixture(scope="module")
def w(okta_client, http, stack) -> Iterator[World]:
    with world(okta_client, http, stack) as built:
        yield built


def _post(w: World, data: Any = None, server=None, **kwargs):
    return w.http.post((server or w.server).token_url, data=data, **kwargs)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --------------------------------------------------------------------------------------------------------------
# Client authentication (security-checklist 4)
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [
    "Basic !!!not-base64!!!",
    "Basic " + _b64(b"no-colon-here"),
    "Basic " + _b64(b":secret-without-id"),
    "Basic " + _b64(b"\xff\xfe:\xff"),  # not UTF-8
    "Basic",
    "Basic    ",
    "Bearer " + _b64(b"0oa00000000000000000:secret"),
    "Digest username=x",
    "basicx " + _b64(b"a:b"),
], ids=["not-base64", "no-colon", "empty-id", "not-utf8", "scheme-only", "scheme-and-spaces", "bearer-scheme",
        "digest-scheme", "glued-scheme"])
def test_malformed_basic_header_is_401_with_challenge(w, header):
    """CAUTH-02."""
    response = _post(w, {**CC, "scope": READ}, headers={"Authorization": header})
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_wrong_secret_via_basic_is_401_with_challenge(w):
    """CAUTH-03."""
    for auth in ((w.basic.client_id, "wrong-secret"), (w.basic.client_id, w.post.client_secret),
                 (w.basic.client_id, ""), ("0oaNoSuchClient000000", "whatever"), (w.key_jwt.client_id, "x"),
                 (w.public.client_id, "")):
        response = _post(w, {**CC, "scope": READ}, auth=auth)
        body = assert_oauth_error(response, 401, "invalid_client")
        assert response.headers["WWW-Authenticate"].startswith("Basic"), auth
        assert w.basic.client_secret not in body["error_description"]


def test_wrong_secret_via_post_is_401(w):
    for client_id, secret in ((w.post.client_id, "wrong-secret"), (w.post.client_id, ""),
                              (w.post.client_id, w.basic.client_secret), ("0oaNoSuchClient000000", "x")):
        response = _post(w, {**CC, "scope": READ, "client_id": client_id, "client_secret": secret})
        assert_oauth_error(response, 401, "invalid_client")


def test_two_authentication_methods_at_once_are_refused(w):
    """CAUTH-04: Basic + client_secret, Basic + assertion, secret + assertion."""
    key_assertion = assertion(w.key_jwt, w.server.token_url)
    cases = [
        ({"client_secret": w.basic.client_secret}, w.basic.auth),
        ({"client_id": w.basic.client_id, "client_secret": w.basic.client_secret}, w.basic.auth),
        ({"client_assertion_type": ASSERTION_TYPE, "client_assertion": key_assertion}, w.basic.auth),
        ({"client_id": w.post.client_id, "client_secret": w.post.client_secret,
          "client_assertion_type": ASSERTION_TYPE, "client_assertion": key_assertion}, None),
    ]
    for extra, auth in cases:
        assert_oauth_error(_post(w, {**CC, "scope": READ, **extra}, auth=auth), 400, "invalid_request")


def test_body_client_id_differing_from_the_basic_user_is_refused(w):
    """CAUTH-05."""
    for other in (w.post.client_id, "0oaNoSuchClient000000"):
        response = _post(w, {**CC, "scope": READ, "client_id": other}, auth=w.basic.auth)
        assert_oauth_error(response, 401, "invalid_client")
    # the same id in both places is fine
    assert _post(w, {**CC, "scope": READ, "client_id": w.basic.client_id}, auth=w.basic.auth).status_code == 200


def test_secret_in_the_query_string_is_not_accepted(w):
    """CAUTH-06."""
    for client in (w.post, w.basic):
        response = w.http.post(w.server.token_url, params={"client_id": client.client_id,
                                                           "client_secret": client.client_secret},
                               data={**CC, "scope": READ})
        assert_oauth_error(response, 401, "invalid_client")
        # nor when only the secret is in the query
        response = w.http.post(w.server.token_url, params={"client_secret": client.client_secret},
                               data={**CC, "scope": READ, "client_id": client.client_id})
        assert_oauth_error(response, 401, "invalid_client")


def test_confidential_client_without_credentials_is_401(w):
    """CAUTH-08."""
    for client in (w.basic, w.post, w.key_jwt):
        assert_oauth_error(_post(w, {**CC, "scope": READ, "client_id": client.client_id}), 401, "invalid_client")
    assert_oauth_error(_post(w, {**CC, "scope": READ}), 401, "invalid_client")
    # an Authorization header with nothing in it is no credential either
    response = _post(w, {**CC, "scope": READ, "client_id": w.basic.client_id}, headers={"Authorization": ""})
    assert_oauth_error(response, 401, "invalid_client")


def test_public_client_cannot_use_client_credentials(w):
    """TOK-06: only confidential clients."""
    response = _post(w, {**CC, "scope": READ, "client_id": w.public.client_id})
    assert_oauth_error(response, 401, "invalid_client")


def _hs256(claims: dict[str, Any], secret: bytes, kid: str | None) -> str:
    """HS256 by hand: PyJWT refuses a PEM as an HMAC secret, an attacker does not (key confusion)."""
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': kid}).encode())}." \
                    f"{b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def _bad_assertions(w: World) -> dict[str, str]:
    client, url, now = w.key_jwt, w.server.token_url, int(time.time())
    public_pem = client.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {
        "missing iss": assertion(client, url, iss=None),
        "missing sub": assertion(client, url, sub=None),
        "missing aud": assertion(client, url, aud=None),
        "missing exp": assertion(client, url, exp=None),
        "missing jti": assertion(client, url, jti=None),
        "iss another client": assertion(client, url, iss=w.basic.client_id),
        "sub another client": assertion(client, url, sub=w.basic.client_id),
        "iss and sub a secret client": assertion(client, url, iss=w.basic.client_id, sub=w.basic.client_id),
        "expired 5 minutes ago": assertion(client, url, iat=now - 360, exp=now - 300),
        "iat 2 minutes ahead": assertion(client, url, iat=now + 120, exp=now + 180),
        "nbf 2 minutes ahead": assertion(client, url, nbf=now + 120, exp=now + 180),
        "lives two hours": assertion(client, url, exp=now + 7200),
        "wrong aud": assertion(client, "https://elsewhere.example/oauth2/v1/token"),
        "aud of the default server": assertion(client, w.default.token_url),
        "aud of the introspection endpoint": assertion(client, w.server.introspect_url),
        "signed by another key": assertion(client, url, key=new_rsa_key()),
        "unknown kid": assertion(client, url, headers={"kid": "not-registered"}),
        "alg none": unsigned(assertion_claims(client.client_id, url), {"kid": client.kid}),
        "HS256 with a shared secret": _hs256(assertion_claims(client.client_id, url), b"s" * 64, client.kid),
        "HS256 with the public key as secret": _hs256(assertion_claims(client.client_id, url), public_pem,
                                                      client.kid),
        "RS384 with a key registered for RS256": assertion(client, url, alg="RS384"),
        "not a JWT": "certainly-not-a-jwt",
    }


def test_bad_client_assertions_are_401_invalid_client(w):
    """CAUTH-09."""
    failures = []
    for what, bad in _bad_assertions(w).items():
        response = _post(w, {**CC, "scope": READ, "client_assertion_type": ASSERTION_TYPE,
                             "client_assertion": bad})
        try:
            assert_oauth_error(response, 401, "invalid_client")
        except AssertionError as exc:
            failures.append(f"{what}: {exc}")
    assert not failures, "\n".join(failures)


def test_wrong_assertion_type_is_refused(w):
    good = assertion(w.key_jwt, w.server.token_url)
    for assertion_type in ("urn:ietf:params:oauth:client-assertion-type:saml2-bearer", ""):
        response = _post(w, {**CC, "scope": READ, "client_assertion_type": assertion_type,
                             "client_assertion": good})
        assert_oauth_error(response, 400, "invalid_request")
    assert_oauth_error(_post(w, {**CC, "scope": READ, "client_assertion": good}),
                       400, "invalid_request")


def test_assertion_jti_is_single_use(w):
    once = assertion(w.key_jwt, w.server.token_url)
    data = {**CC, "scope": READ, "client_assertion_type": ASSERTION_TYPE, "client_assertion": once}
    assert _post(w, data).status_code == 200
    assert_oauth_error(_post(w, data), 401, "invalid_client")
    # also when replayed at another endpoint that accepts the issuer as audience
    to_issuer = assertion(w.key_jwt, w.server.issuer)
    data = {**CC, "scope": READ, "client_assertion_type": ASSERTION_TYPE, "client_assertion": to_issuer}
    assert _post(w, data).status_code == 200
    introspect = w.http.post(w.server.introspect_url, data={"token": "x", "client_assertion_type": ASSERTION_TYPE,
                                                            "client_assertion": to_issuer})
    assert_oauth_error(introspect, 401, "invalid_client")


def test_acceptable_assertion_variants(w):
    """CAUTH-09: aud = the issuer or a list holding the token endpoint; 8 s of clock skew on iat/nbf."""
    client, url, now = w.key_jwt, w.server.token_url, int(time.time())
    for what, good in {
        "aud issuer": assertion(client, w.server.issuer),
        "aud list": assertion(client, [url, "https://another.example"]),
        "iat 8 s ahead": assertion(client, url, iat=now + 8),
        "nbf 8 s ahead": assertion(client, url, nbf=now + 8),
        "no kid": assertion(client, url, headers={"kid": None}),
        "client_id in the body too": None,
    }.items():
        data = {**CC, "scope": READ, "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": good or assertion(client, url)}
        if good is None:
            data["client_id"] = client.client_id
        response = _post(w, data)
        assert response.status_code == 200, f"{what}: {response.text}"


# --------------------------------------------------------------------------------------------------------------
# Token endpoint requests (security-checklist 5)
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_token_endpoint_is_post_only(w, method):
    """TOK-04."""
    response = w.http.request(method, w.server.token_url, auth=w.basic.auth,
                              params={**CC, "scope": READ} if method == "GET" else None)
    assert_oauth_error(response, 405, "invalid_request")
    assert response.headers["Allow"] == "POST"


@pytest.mark.parametrize("content_type,body", [
    ("application/json", json.dumps({**CC, "scope": READ})),
    ("text/plain", "grant_type=client_credentials&scope=" + READ),
    ("application/xml", "<grant_type>client_credentials</grant_type>"),
    ("image/png", "\x89PNG"),
    (None, "grant_type=client_credentials&scope=" + READ),
], ids=["json", "text-plain", "xml", "image", "no-content-type"])
def test_token_request_must_be_a_form(w, content_type, body):
    """TOK-04."""
    headers = {"Content-Type": content_type} if content_type else {}
    response = w.http.post(w.server.token_url, auth=w.basic.auth, headers=headers, data=body.encode())
    assert_oauth_error(response, 400, "invalid_request")


def test_form_with_charset_is_accepted(w):
    response = w.http.post(w.server.token_url, auth=w.basic.auth, data=f"grant_type=client_credentials&scope={READ}",
                           headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("body", [
    "grant_type=client_credentials&grant_type=client_credentials&scope=" + READ,
    "grant_type=client_credentials&scope=" + READ + "&scope=" + READ,
    "grant_type=client_credentials&scope=" + READ + "&client_id={cid}&client_id={cid}",
], ids=["grant_type", "scope", "client_id"])
def test_duplicate_parameters_are_invalid_request(w, body):
    response = w.http.post(w.server.token_url, auth=w.basic.auth, data=body.format(cid=w.basic.client_id),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_oauth_error(response, 400, "invalid_request")


def test_missing_grant_type_names_the_valid_values(w):
    for data in ({"scope": READ}, {"scope": READ, "grant_type": ""}):
        assert_oauth_error(_post(w, data, auth=w.basic.auth), 400, "invalid_request",
                           lambda text: "grant_type" in text and "client_credentials" in text)


@pytest.mark.parametrize("grant_type", ["urn:example:e2e-unknown", "client-credentials", "CLIENT_CREDENTIALS"])
def test_unknown_grant_type_is_unsupported(w, grant_type):
    """TOK-08."""
    assert_oauth_error(_post(w, {"grant_type": grant_type, "scope": READ}, auth=w.basic.auth), 400,
                       "unsupported_grant_type")


def test_grant_not_registered_for_the_client_is_unauthorized_client(w):
    response = _post(w, {**CC, "scope": READ}, auth=w.code_only.auth)
    assert_oauth_error(response, 400, "unauthorized_client", lambda text: "authorization_code" in text)


@pytest.mark.parametrize("scope", ["openid", f"openid {READ}", "profile", "offline_access"])
def test_openid_scopes_with_client_credentials_are_invalid_scope(w, scope):
    assert_oauth_error(_post(w, {**CC, "scope": scope}, auth=w.basic.auth), 400, "invalid_scope",
                       "Cannot request 'openid' scopes using client credentials.")


@pytest.mark.parametrize("scope", ["e2e:unknown", f"{READ} e2e:unknown", "E2E:READ"])
def test_unknown_scope_is_invalid_scope(w, scope):
    assert_oauth_error(_post(w, {**CC, "scope": scope}, auth=w.basic.auth), 400, "invalid_scope",
                       "One or more scopes are not configured for the authorization server resource.")


def test_malformed_scope_is_invalid_scope(w):
    for scope in ('e2e:"quoted"', "e2e:back\\slash", "e2e:\u00e9"):
        assert_oauth_error(_post(w, {**CC, "scope": scope}, auth=w.basic.auth), 400, "invalid_scope")


def test_scopes_outside_the_rule_are_denied(w):
    assert_oauth_error(_post(w, {**CC, "scope": ADMIN}, auth=w.basic.auth), 400, "access_denied",
                       "Policy evaluation succeeded, but all the requested scopes were rejected.")
    assert_oauth_error(_post(w, {**CC, "scope": f"{READ} {ADMIN}"}, auth=w.basic.auth), 400, "access_denied",
                       f"Some of the requested scopes were denied by the policy. Denied scopes: [{ADMIN}].")


def test_consent_required_scope_cannot_be_granted_to_client_credentials(w):
    assert_oauth_error(_post(w, {**CC, "scope": CONSENTED}, auth=w.basic.auth), 400, "consent_required",
                       "The following scopes require user consent and cannot be granted for the client "
                       f"credentials grant type: [{CONSENTED}].")


def test_client_outside_every_policy_is_access_denied(w):
    assert_oauth_error(_post(w, {**CC, "scope": READ}, auth=w.outsider.auth), 401, "access_denied", POLICY_FAILED)
    # the same client is fine on the default server (its policy includes ALL_CLIENTS)
    assert _post(w, {**CC, "scope": w.default_scope}, server=w.default, auth=w.outsider.auth).status_code == 200


def _assert_okta_404(response, server_id: str) -> None:
    assert response.status_code == 404, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["errorCode"] == "E0000007"
    assert body["errorSummary"] == f"Not found: Resource not found: {server_id} (AuthorizationServer)"
    assert "no-store" in response.headers.get("Cache-Control", ""), response.headers  # a 404 is cacheable


def _every_endpoint(w: World, issuer: str) -> list:
    return [
        w.http.post(f"{issuer}/v1/token", auth=w.basic.auth, data={**CC, "scope": READ}),
        w.http.post(f"{issuer}/v1/introspect", auth=w.basic.auth, data={"token": "x"}),
        w.http.post(f"{issuer}/v1/revoke", auth=w.basic.auth, data={"token": "x"}),
        w.http.get(f"{issuer}/.well-known/openid-configuration"),
        w.http.get(f"{issuer}/.well-known/oauth-authorization-server"),
    ]


def test_unknown_server_is_404(w, stack):
    for server_id in ("ausNoSuchServer000000", "no-such-alias"):
        for response in _every_endpoint(w, f"{stack.base_url}/oauth2/{server_id}"):
            _assert_okta_404(response, server_id)


# --------------------------------------------------------------------------------------------------------------
# Admin changes take effect within the cache bound
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def small_server(okta_client, stack):
    """A fresh server with one scope and an ALL_CLIENTS policy; the test may deactivate it or its policy."""
    server = create_server(okta_client, stack.base_url)
    try:
        expect(201, okta_client.create_o_auth2_scope(server.id, scope_body(READ)))
        policy = expect(201, okta_client.create_authorization_server_policy(server.id, policy_body()))
        expect(201, okta_client.create_authorization_server_policy_rule(server.id, policy.id, rule_body(
            scopes=[READ])))
        yield server, policy.id
    finally:
        drop_server(okta_client, server.id)


# The local stack is one process with the default cache period (30 s): every change below must count on the very
# next request (issue 12; docs/ARCHITECTURE.md "Staleness bound").


def test_deactivated_policy_stops_working_at_once(w, okta_client, small_server):
    server, policy_id = small_server
    request = lambda: _post(w, {**CC, "scope": READ}, server=server, auth=w.basic.auth)  # noqa: E731
    assert request().status_code == 200  # now cached
    expect(204, okta_client.deactivate_authorization_server_policy(server.id, policy_id))
    assert_oauth_error(request(), 401, "access_denied", POLICY_FAILED)

    expect(204, okta_client.activate_authorization_server_policy(server.id, policy_id))
    response = request()
    assert response.status_code == 200, response.text


def test_inactive_server_answers_like_an_unknown_one(w, okta_client, small_server):
    server, _policy_id = small_server
    assert _post(w, {**CC, "scope": READ}, server=server, auth=w.basic.auth).status_code == 200
    expect(204, okta_client.deactivate_authorization_server(server.id))
    assert _post(w, {**CC, "scope": READ}, server=server, auth=w.basic.auth).status_code == 404
    for response in _every_endpoint(w, server.issuer):
        _assert_okta_404(response, server.id)

    never_used = create_server(okta_client, w.stack.base_url)  # nothing cached: 404 at once
    try:
        expect(204, okta_client.deactivate_authorization_server(never_used.id))
        for response in _every_endpoint(w, never_used.issuer):
            _assert_okta_404(response, never_used.id)
    finally:
        drop_server(okta_client, never_used.id)

    expect(204, okta_client.activate_authorization_server(server.id))
    response = _post(w, {**CC, "scope": READ}, server=server, auth=w.basic.auth)
    assert response.status_code == 200, response.text


def test_deleted_client_is_invalid_client_at_once(w):
    doomed = w.admin.service("client_secret_basic")
    doomed_key = w.admin.private_key_jwt()
    basic = lambda: _post(w, {**CC, "scope": w.default_scope}, server=w.default, auth=doomed.auth)  # noqa: E731

    def by_key():
        return _post(w, {**CC, "scope": w.default_scope, "client_assertion_type": ASSERTION_TYPE,
                         "client_assertion": assertion(doomed_key, w.default.token_url)}, server=w.default)

    assert basic().status_code == 200 and by_key().status_code == 200  # now cached
    token = basic().json()["access_token"]
    w.admin.delete(doomed.client_id)
    w.admin.delete(doomed_key.client_id)
    for attempt in (basic, by_key):
        assert_oauth_error(attempt(), 401, "invalid_client")
    # A deleted client cannot introspect or revoke either.
    for url in (w.default.introspect_url, w.default.revoke_url):
        assert_oauth_error(w.http.post(url, auth=doomed.auth, data={"token": token}), 401, "invalid_client")


def test_new_secret_replaces_the_old_one_at_once(w):
    client = w.admin.service("client_secret_post")
    old = client.client_secret

    def with_secret(secret: str):
        return _post(w, {**CC, "scope": w.default_scope, "client_id": client.client_id, "client_secret": secret},
                     server=w.default)

    assert with_secret(old).status_code == 200  # now cached
    new = w.admin.new_secret(client.client_id)
    assert new != old
    response = with_secret(new)
    assert response.status_code == 200, response.text
    response = with_secret(old)
    assert_oauth_error(response, 401, "invalid_client")
    assert_no_store(response)
