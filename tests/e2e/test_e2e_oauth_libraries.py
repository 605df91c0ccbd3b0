"""client_credentials over real HTTP with client libraries nobody on the team wrote (issue 4; clients.md 1, 3, 6):
Authlib's and requests-oauthlib's OAuth2 sessions (client_secret_basic, client_secret_post, Authlib's
private_key_jwt), the official ``okta-jwt-verifier`` and PyJWT against ``/v1/keys``, and both discovery documents.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any, Iterator
from urllib.parse import parse_qs

import jwt
import pytest
import requests

from e2e_support import enum_value, expect
from oauth_support import (
    ADMIN,
    CLAIM,
    JWT_CHARS,
    READ,
    RULE_MINUTES,
    WRITE,
    World,
    assert_no_store,
    basic_header,
    openid_client_encode,
    percent_encode_all,
    world,
)


@pytest.fixture(scope="module")
def w(okta_client, http, stack) -> Iterator[World]:
    with world(okta_client, http, stack) as built:
        yield built


@pytest.fixture
def sent() -> list[requests.PreparedRequest]:
    """What the libraries actually put on the wire (hooked onto their sessions by ``hooked``)."""
    return []


@pytest.fixture
def hooked(recorder, sent):
    def hook(session: requests.Session) -> requests.Session:
        session.trust_env = False  # no proxy or netrc from the machine
        session.hooks["response"].append(recorder.requests_hook)
        session.hooks["response"].append(lambda response, *a, **k: sent.append(response.request))
        return session

    return hook


@pytest.fixture
def oauthlib_http(monkeypatch):
    """requests-oauthlib refuses http:// without this switch (clients.md 6.1)."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def _form(request: requests.PreparedRequest) -> dict[str, list[str]]:
    body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
    return parse_qs(body)


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _check_token_response(token: dict[str, Any], scopes: str) -> None:
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == RULE_MINUTES * 60
    assert token["scope"] == scopes
    assert "refresh_token" not in token and "id_token" not in token  # TOK-06
    assert JWT_CHARS.match(token["access_token"])


# --------------------------------------------------------------------------------------------------------------
# Authlib
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_authlib_client_credentials_with_a_secret(w, hooked, sent, method):
    from authlib.integrations.requests_client import OAuth2Session

    client = w.basic if method == "client_secret_basic" else w.post
    session = hooked(OAuth2Session(client.client_id, client.client_secret, scope=f"{READ} {WRITE}",
                                   token_endpoint_auth_method=method))
    token = session.fetch_token(w.server.token_url, grant_type="client_credentials")
    _check_token_response(token, f"{READ} {WRITE}")
    assert _claims(token["access_token"])["cid"] == client.client_id

    (request,) = sent
    form = _form(request)
    if method == "client_secret_basic":
        assert request.headers["Authorization"] == basic_header(client.client_id, client.client_secret)
        assert "client_secret" not in form
    else:
        assert "Authorization" not in request.headers
        assert form["client_id"] == [client.client_id] and form["client_secret"] == [client.client_secret]


def test_authlib_private_key_jwt(w, hooked, sent):
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.oauth2.rfc7523 import PrivateKeyJWT

    client = w.key_jwt
    session = hooked(OAuth2Session(client.client_id, client.private_pem.decode(), scope=READ,
                                   token_endpoint_auth_method=PrivateKeyJWT(w.server.token_url)))
    first = session.fetch_token(w.server.token_url, grant_type="client_credentials")
    second = session.fetch_token(w.server.token_url, grant_type="client_credentials")  # a fresh jti each time
    for token in (first, second):
        _check_token_response(token, READ)
        claims = _claims(token["access_token"])
        assert (claims["cid"], claims["sub"]) == (client.client_id, client.client_id)
    assertions = [_form(r)["client_assertion"][0] for r in sent]
    assert len({_claims(a)["jti"] for a in assertions}) == 2
    assert all(_claims(a)["aud"] == w.server.token_url for a in assertions)


def test_authlib_with_the_token_endpoint_from_discovery(w, http, hooked):
    from authlib.integrations.requests_client import OAuth2Session

    metadata = http.get(w.server.metadata_url(openid=False)).json()
    session = hooked(OAuth2Session(w.basic.client_id, w.basic.client_secret, scope=READ))
    token = session.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    assert _claims(token["access_token"])["iss"] == metadata["issuer"]


# --------------------------------------------------------------------------------------------------------------
# requests-oauthlib
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("include_client_id", [False, True], ids=["basic", "post"])
def test_requests_oauthlib_backend_application(w, hooked, sent, oauthlib_http, include_client_id):
    from oauthlib.oauth2 import BackendApplicationClient
    from requests_oauthlib import OAuth2Session

    client = w.post if include_client_id else w.basic
    session = hooked(OAuth2Session(client=BackendApplicationClient(client_id=client.client_id)))
    token = session.fetch_token(w.server.token_url, client_id=client.client_id, client_secret=client.client_secret,
                                include_client_id=include_client_id, scope=[READ, WRITE])
    assert token["scope"] == [READ, WRITE]  # oauthlib parsed the space-separated string (clients.md row 15)
    _check_token_response({**token, "scope": " ".join(token["scope"])}, f"{READ} {WRITE}")
    assert token["expires_at"] == pytest.approx(time.time() + RULE_MINUTES * 60, abs=30)

    (request,) = sent
    form = _form(request)
    assert form["grant_type"] == ["client_credentials"]
    if include_client_id:
        assert "Authorization" not in request.headers and form["client_secret"] == [client.client_secret]
    else:
        assert request.headers["Authorization"] == basic_header(client.client_id, client.client_secret)
        assert "client_secret" not in form

    # The session attaches the token as a Bearer header to protected-resource calls.
    protected = session.get(w.server.keys_url)
    assert protected.status_code == 200
    assert protected.request.headers["Authorization"] == f"Bearer {token['access_token']}"


def test_requests_oauthlib_without_scope_gets_the_default_scopes(w, hooked, oauthlib_http):
    from oauthlib.oauth2 import BackendApplicationClient
    from requests_oauthlib import OAuth2Session

    session = hooked(OAuth2Session(client=BackendApplicationClient(client_id=w.basic.client_id)))
    token = session.fetch_token(w.server.token_url, client_id=w.basic.client_id,
                                client_secret=w.basic.client_secret)
    assert token["scope"] == [READ]
    claims = _claims(token["access_token"])
    assert claims["scp"] == [READ] and CLAIM not in claims


# --------------------------------------------------------------------------------------------------------------
# Plain HTTP: the Basic header spellings of RFC 6749 Appendix B, and the exact response
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encode", [percent_encode_all, openid_client_encode], ids=["every-char", "openid-client"])
def test_basic_credentials_form_urlencoded_before_base64(w, http, encode):
    """clients.md row 14 / CAUTH-01: id and secret form-urlencoded, then base64; raw also works (above)."""
    client = w.admin.service("client_secret_basic")
    # openid-client changes only - _ . ~ : make sure the secret has one (a new client is not cached yet, so a
    # new secret works at once).
    for _ in range(20):
        if encode(client.client_secret) != client.client_secret:
            break
        client.client_secret = w.admin.new_secret(client.client_id)
    header = basic_header(encode(client.client_id), encode(client.client_secret))
    assert header != basic_header(client.client_id, client.client_secret)
    # the default server's policy includes ALL_CLIENTS
    response = http.post(w.default.token_url, headers={"Authorization": header},
                         data={"grant_type": "client_credentials", "scope": w.default_scope})
    assert response.status_code == 200, response.text
    assert _claims(response.json()["access_token"])["cid"] == client.client_id
    # the encoded spelling is not a second secret: a wrong secret encoded the same way still fails
    wrong = basic_header(encode(client.client_id), encode(client.client_secret + "-"))
    response = http.post(w.default.token_url, headers={"Authorization": wrong},
                         data={"grant_type": "client_credentials", "scope": w.default_scope})
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_token_response_on_the_wire(w, http):
    response = http.post(w.server.token_url, auth=w.basic.auth, data={"grant_type": "client_credentials",
                                                                          "scope": f"{WRITE} {READ}"})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert_no_store(response)
    body = response.json()
    assert list(body) == ["token_type", "expires_in", "access_token", "scope"]
    assert isinstance(body["expires_in"], int)
    _check_token_response(body, f"{WRITE} {READ}")


# --------------------------------------------------------------------------------------------------------------
# Verifying the tokens
# --------------------------------------------------------------------------------------------------------------


def test_okta_jwt_verifier_refuses_http_issuers_without_the_patch(w):
    from okta_jwt_verifier import AccessTokenVerifier
    from okta_jwt_verifier.exceptions import JWTInvalidConfigException

    with pytest.raises(JWTInvalidConfigException):
        AccessTokenVerifier(issuer=w.server.issuer, audience=w.server.audience)


def test_okta_jwt_verifier_sync_and_async(w, okta_verifier_over_http):
    from okta_jwt_verifier import AccessTokenVerifier
    from okta_jwt_verifier.exceptions import JWTValidationException

    for client in (w.basic, w.post, w.key_jwt):
        access_token = w.token(client, scope=f"{READ} {WRITE}")["access_token"]
        AccessTokenVerifier(issuer=w.server.issuer, audience=w.server.audience, leeway=0).verify_sync(access_token)
        asyncio.run(AccessTokenVerifier(issuer=w.server.issuer, audience=w.server.audience).verify(access_token))
        # iat, sub and jti too, when asked for
        AccessTokenVerifier(issuer=w.server.issuer, audience=w.server.audience).verify_sync(
            access_token, claims_to_verify=("iss", "aud", "exp", "iat", "sub", "jti", "cid"))

    access_token = w.token(w.basic)["access_token"]
    with pytest.raises(JWTValidationException):
        AccessTokenVerifier(issuer=w.server.issuer, audience="api://someone-else").verify_sync(access_token)
    with pytest.raises(JWTValidationException):  # a token of this server is not one of the default server
        AccessTokenVerifier(issuer=w.default.issuer, audience=w.server.audience).verify_sync(access_token)
    with pytest.raises(JWTValidationException):  # tampered payload: the signature no longer matches
        head, payload, signature = access_token.split(".")
        forged = jwt.utils.base64url_encode(
            jwt.utils.base64url_decode(payload).replace(b'"ver":1', b'"ver":2')).decode()
        AccessTokenVerifier(issuer=w.server.issuer, audience=w.server.audience).verify_sync(
            f"{head}.{forged}.{signature}")


def test_okta_jwt_verifier_on_the_default_server(w, okta_verifier_over_http):
    from okta_jwt_verifier import AccessTokenVerifier

    access_token = w.token(w.basic, server=w.default, scope=w.default_scope)["access_token"]
    assert w.default.issuer.endswith("/oauth2/default") and w.default.audience == "api://default"
    AccessTokenVerifier(issuer=w.default.issuer, audience=w.default.audience, leeway=0).verify_sync(access_token)
    asyncio.run(AccessTokenVerifier(issuer=w.default.issuer, audience=w.default.audience).verify(access_token))


def _active_kid(okta_client, server_id: str) -> str:
    keys = expect(200, okta_client.list_authorization_server_keys(server_id))
    (active,) = [k.kid for k in keys if enum_value(k.status) == "ACTIVE"]
    return active


@pytest.mark.parametrize("scopes", [READ, f"{READ} {WRITE}"], ids=["without-claim-scope", "with-claim-scope"])
def test_pyjwt_verifies_against_the_keys_endpoint(w, okta_client, scopes):
    for client in (w.basic, w.key_jwt):
        before = int(time.time())
        access_token = w.token(client, scope=scopes)["access_token"]
        header = jwt.get_unverified_header(access_token)
        assert header["alg"] == "RS256"
        assert header["kid"] == _active_kid(okta_client, w.server.id)
        signing_key = jwt.PyJWKClient(w.server.keys_url).get_signing_key_from_jwt(access_token)
        claims = jwt.decode(access_token, signing_key.key, algorithms=["RS256"], audience=w.server.audience,
                            issuer=w.server.issuer, options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]})
        assert claims["ver"] == 1
        assert claims["jti"].startswith("AT.") and len(claims["jti"]) > 20
        assert claims["cid"] == client.client_id and claims["sub"] == client.client_id
        assert claims["scp"] == scopes.split(" ")
        assert before - 5 <= claims["iat"] <= time.time() + 5
        assert claims["exp"] - claims["iat"] == RULE_MINUTES * 60
        assert "uid" not in claims
        if WRITE in scopes:
            assert claims[CLAIM] == f"gold-{client.client_id}"
        else:
            assert CLAIM not in claims
        assert set(claims) <= {"ver", "jti", "iss", "aud", "sub", "iat", "exp", "cid", "scp", CLAIM}


def test_pyjwt_on_the_default_server(w):
    access_token = w.token(w.post, server=w.default, scope=w.default_scope)["access_token"]
    signing_key = jwt.PyJWKClient(w.default.keys_url).get_signing_key_from_jwt(access_token)
    claims = jwt.decode(access_token, signing_key.key, algorithms=["RS256"], audience="api://default",
                        issuer=w.default.issuer)
    assert (claims["cid"], claims["scp"]) == (w.post.client_id, [w.default_scope])
    # Two servers, two key sets: the fresh server's keys do not verify the default server's tokens.
    with pytest.raises(jwt.PyJWKClientError):
        jwt.PyJWKClient(w.server.keys_url).get_signing_key_from_jwt(access_token)


# --------------------------------------------------------------------------------------------------------------
# Discovery
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["fresh", "default"])
def test_discovery_documents(w, http, which):
    server = w.server if which == "fresh" else w.default
    documents = {}
    for openid in (True, False):
        response = http.get(server.metadata_url(openid))
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "application/json"
        documents[openid] = response.json()
    oidc, oauth = documents[True], documents[False]

    scope = READ if which == "fresh" else w.default_scope
    access_token = w.token(w.basic, server=server, scope=scope)["access_token"]
    assert oidc["issuer"] == oauth["issuer"] == server.issuer == _claims(access_token)["iss"]  # byte for byte
    assert not server.issuer.endswith("/")
    for document in (oidc, oauth):
        assert document["token_endpoint"] == server.token_url
        assert document["jwks_uri"] == server.keys_url
        assert document["introspection_endpoint"] == server.introspect_url
        assert document["revocation_endpoint"] == server.revoke_url
        assert {"client_secret_basic", "client_secret_post", "private_key_jwt"} <= set(
            document["token_endpoint_auth_methods_supported"])
        assert "none" not in document["token_endpoint_auth_signing_alg_values_supported"]
        assert all(value != [] for value in document.values()), "empty arrays must be left out (DISC-03)"
    # grant_types_supported differs by design: the OpenID document leaves out client_credentials (okta-api.md 7.10).
    shared = (set(oidc) & set(oauth)) - {"grant_types_supported"}
    assert {k: oidc[k] for k in shared} == {k: oauth[k] for k in shared}, "the two documents disagree"
    assert "client_credentials" in oauth["grant_types_supported"]
    assert oidc["id_token_signing_alg_values_supported"] == ["RS256"]

    # What the documents advertise works: the keys, and the token endpoint (Authlib above, requests here).
    keys = http.get(oidc["jwks_uri"])
    assert keys.status_code == 200 and keys.headers["Content-Type"] == "application/json"
    assert jwt.get_unverified_header(access_token)["kid"] in {k["kid"] for k in keys.json()["keys"]}
    again = http.post(oauth["token_endpoint"], auth=w.post.auth, data={"grant_type": "client_credentials",
                                                                         "scope": scope})
    assert again.status_code == 200, again.text

    if which == "fresh":
        for document in (oidc, oauth):
            assert READ in document["scopes_supported"] and ADMIN in document["scopes_supported"]  # ALL_CLIENTS
            assert WRITE not in document["scopes_supported"]  # NO_CLIENTS
    else:
        assert w.default_scope in oidc["scopes_supported"] and "openid" in oidc["scopes_supported"]
