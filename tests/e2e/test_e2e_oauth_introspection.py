"""Introspection (RFC 7662) and revocation (RFC 7009) over real HTTP: Authlib's session helpers for the happy path,
plain requests for the exact bodies and headers (security-checklist INT-01..04, REV-01..06, JAT-04..06)."""
from __future__ import annotations

import time
from typing import Iterator

import jwt
import pytest

from oauth_support import (
    ASSERTION_TYPE,
    READ,
    WRITE,
    World,
    assert_no_store,
    assert_oauth_error,
    assertion,
    new_rsa_key,
    world,
)

INACTIVE = {"active": False}


@pytest.fixture(scope="module")
def w(okta_client, http, stack) -> Iterator[World]:
    with world(okta_client, http, stack) as built:
        yield built


def _introspect(w: World, token: str, client=None, server=None, **extra):
    client = client or w.post
    server = server or w.server
    return w.http.post(server.introspect_url, auth=client.auth, data={"token": token, **extra})


def _assert_inactive(response) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == INACTIVE  # and no other member (INT-02)
    assert_no_store(response)


def _authlib(client, method: str, stack_recorder=None):
    from authlib.integrations.requests_client import OAuth2Session

    session = OAuth2Session(client.client_id, client.client_secret, token_endpoint_auth_method=method,
                            revocation_endpoint_auth_method=method)
    session.trust_env = False
    if stack_recorder is not None:
        session.hooks["response"].append(stack_recorder.requests_hook)
    return session


def test_active_token_introspected_with_authlib_then_revoked(w, recorder):
    issued = w.token(w.basic, scope=f"{READ} {WRITE}")
    claims = jwt.decode(issued["access_token"], options={"verify_signature": False})

    # A resource server (another client of this deployment) introspects the caller's token.
    resource_server = _authlib(w.post, "client_secret_post", recorder)
    response = resource_server.introspect_token(w.server.introspect_url, token=issued["access_token"],
                                                token_type_hint="access_token")
    assert response.status_code == 200, response.text
    assert_no_store(response)
    body = response.json()
    assert body["active"] is True
    assert body["scope"] == f"{READ} {WRITE}"
    assert body["client_id"] == body["sub"] == w.basic.client_id
    assert (body["exp"], body["iat"], body["jti"]) == (claims["exp"], claims["iat"], claims["jti"])
    assert body["iss"] == w.server.issuer and body["aud"] == w.server.audience
    assert body["token_type"] == "Bearer"
    assert body["exp"] > time.time()

    # The owner revokes it with Authlib; from then on it is inactive for everyone (REV-02, REV-06).
    owner = _authlib(w.basic, "client_secret_basic", recorder)
    revoked = owner.revoke_token(w.server.revoke_url, token=issued["access_token"], token_type_hint="access_token")
    assert revoked.status_code == 200, revoked.text
    assert revoked.content == b""
    assert_no_store(revoked)
    for caller in (w.post, w.basic):
        _assert_inactive(_introspect(w, issued["access_token"], client=caller))
    # Revoking again is still 200.
    again = w.http.post(w.server.revoke_url, auth=w.basic.auth, data={"token": issued["access_token"]})
    assert again.status_code == 200


@pytest.mark.parametrize("hint", [None, "refresh_token", "id_token", "something_else"])
def test_revocation_ignores_a_wrong_or_unknown_hint(w, hint):
    """REV-03: the server still finds and revokes the token."""
    token = w.token(w.basic)["access_token"]
    data = {"token": token} if hint is None else {"token": token, "token_type_hint": hint}
    assert w.http.post(w.server.revoke_url, auth=w.basic.auth, data=data).status_code == 200
    _assert_inactive(_introspect(w, token))


def test_introspection_with_each_client_authentication_method(w):
    token = w.token(w.basic)["access_token"]
    by_post = w.http.post(w.server.introspect_url, data={"token": token, "client_id": w.post.client_id,
                                                         "client_secret": w.post.client_secret})
    by_basic = w.http.post(w.server.introspect_url, auth=w.basic.auth, data={"token": token})
    by_assertion = w.http.post(w.server.introspect_url, data={
        "token": token, "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion(w.key_jwt, w.server.introspect_url)})
    for response in (by_post, by_basic, by_assertion):
        assert response.status_code == 200, response.text
        assert response.json()["active"] is True and response.json()["client_id"] == w.basic.client_id
        assert_no_store(response)


def _forged(w: World, token: str, **changes) -> str:
    """The token's header and claims (with ``changes``), signed with a key that is not the server's."""
    header = jwt.get_unverified_header(token)
    claims = {**jwt.decode(token, options={"verify_signature": False}), **changes}
    return jwt.encode(claims, new_rsa_key(), algorithm="RS256", headers={"kid": header["kid"]})


def test_anything_but_an_active_token_of_this_server_is_exactly_inactive(w):
    token = w.token(w.basic)["access_token"]
    from_default = w.token(w.basic, server=w.default, scope=w.default_scope)["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    head, payload, _signature = token.split(".")
    candidates = {
        "garbage": "not-a-token",
        "three dots of nothing": "..",
        "alg none": jwt.utils.base64url_encode(b'{"alg":"none","kid":"x"}').decode() + "." + payload + ".",
        "tampered signature": f"{head}.{payload}.{jwt.utils.base64url_encode(b'0' * 256).decode()}",
        "forged with another key": _forged(w, token),
        "expired (forged)": _forged(w, token, exp=int(time.time()) - 600, iat=int(time.time()) - 1200),
        "HS256 (alg confusion)": jwt.encode(claims, "x" * 64, algorithm="HS256",
                                                              headers={"kid": jwt.get_unverified_header(token)["kid"]}),
        "another server's token": from_default,
        "an ID-token-shaped jti": _forged(w, token, jti="ID." + claims["jti"][3:]),
        "too long": "a" * 20_000,
    }
    for what, candidate in candidates.items():
        response = _introspect(w, candidate)
        assert response.status_code == 200 and response.json() == INACTIVE, f"{what}: {response.text}"
        assert_no_store(response)
    # and the real one is active, here and only here (JAT-06)
    assert _introspect(w, token).json()["active"] is True
    _assert_inactive(_introspect(w, token, server=w.default))
    assert _introspect(w, from_default, server=w.default).json()["active"] is True


def test_introspection_errors(w):
    token = w.token(w.basic)["access_token"]
    url = w.server.introspect_url
    assert_oauth_error(w.http.post(url, auth=w.post.auth, data={}), 400, "invalid_request")
    assert_oauth_error(w.http.post(url, auth=w.post.auth, data={"token": ""}), 400, "invalid_request")
    # INT-01: no client authentication, wrong secret, unknown client -> 401
    assert_oauth_error(w.http.post(url, data={"token": token}), 401, "invalid_client")
    assert_oauth_error(w.http.post(url, auth=(w.post.client_id, "wrong"), data={"token": token}), 401,
                       "invalid_client")
    assert_oauth_error(w.http.post(url, auth=("0oaNoSuchClient000000", "x"), data={"token": token}), 401,
                       "invalid_client")
    assert_oauth_error(w.http.post(url, data={"token": token, "client_id": w.post.client_id}), 401,
                       "invalid_client")
    # not a form, or not POST
    assert_oauth_error(w.http.post(url, auth=w.post.auth, json={"token": token}), 400, "invalid_request")
    response = w.http.get(url, auth=w.post.auth, params={"token": token})
    assert_oauth_error(response, 405, "invalid_request")
    assert response.headers["Allow"] == "POST"


def test_revocation_errors_and_unknown_tokens(w):
    url = w.server.revoke_url
    for token in ("not-a-token", _forged(w, w.token(w.basic)["access_token"])):
        response = w.http.post(url, auth=w.basic.auth, data={"token": token})
        assert response.status_code == 200 and response.content == b"", response.text  # REV-02
        assert_no_store(response)
    assert_oauth_error(w.http.post(url, auth=w.basic.auth, data={}), 400, "invalid_request")
    token = w.token(w.basic)["access_token"]
    assert_oauth_error(w.http.post(url, data={"token": token}), 401, "invalid_client")
    assert_oauth_error(w.http.post(url, auth=(w.basic.client_id, "wrong"), data={"token": token}), 401,
                       "invalid_client")
    response = w.http.get(url, auth=w.basic.auth)
    assert_oauth_error(response, 405, "invalid_request")
    assert _introspect(w, token).json()["active"] is True  # none of the failed calls revoked it


def test_revoking_another_clients_token_does_not_revoke_it(w):
    """REV-04: the token of ``basic`` presented by ``post`` is not revoked and still works afterwards."""
    token = w.token(w.basic)["access_token"]
    response = w.http.post(w.server.revoke_url, auth=w.post.auth, data={"token": token})
    # The caller is told (Keycloak and node-oidc for confidential clients do the same), and nothing is revoked.
    assert_oauth_error(response, 400, "invalid_request")
    assert _introspect(w, token).json()["active"] is True


def test_revocation_is_per_server(w):
    """A token of the default server revoked at the fresh server is unknown there: 200, and still active."""
    token = w.token(w.basic, server=w.default, scope=w.default_scope)["access_token"]
    assert w.http.post(w.server.revoke_url, auth=w.basic.auth, data={"token": token}).status_code == 200
    assert _introspect(w, token, server=w.default).json()["active"] is True
    assert w.http.post(w.default.revoke_url, auth=w.basic.auth, data={"token": token}).status_code == 200
    _assert_inactive(_introspect(w, token, server=w.default))


def test_public_client_learns_nothing_about_other_clients_tokens(w):
    """A public client presents only its client_id, which is no secret (it ships in every browser app): it is not
    allowed to see other clients' tokens (INT-01/INT-02), so anyone holding that id learns nothing."""
    token = w.token(w.basic, scope=f"{READ} {WRITE}")["access_token"]
    _assert_inactive(w.http.post(w.server.introspect_url, data={"token": token, "client_id": w.public.client_id}))
    assert _introspect(w, token, client=w.post).json()["active"] is True  # an authenticated client still can
    # ...and it cannot revoke them
    response = w.http.post(w.server.revoke_url, data={"token": token, "client_id": w.public.client_id})
    assert_oauth_error(response, 400, "invalid_request")
    assert _introspect(w, token).json()["active"] is True
