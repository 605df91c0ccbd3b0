"""admin/client_metadata.py and admin/clients.py: the redirect-URI rules, public-key checks and secret handling, as pure functions."""
from __future__ import annotations

from dataclasses import replace

import hashlib
import re
from datetime import datetime, timezone

import pytest

from chalicelib.admin.client_metadata import key_problem, redirect_uri_problem, web_uri_problem
from chalicelib.admin.clients import ClientService, hash_secret, new_secret, secret_matches
from chalicelib.domain import ClientSecret, OAuthClient

from client_keys import b64, ec_jwk, rsa_jwk

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)

# -- redirect URIs ---------------------------------------------------------------------------------------------------

HTTPS_ONLY = "must use https (http is allowed only for the loopback hosts 127.0.0.1, [::1] and localhost)."
CUSTOM = "must use https: custom URI schemes are allowed only for native applications."

REDIRECTS = [
    # (uri, application type, problem or None)
    ("https://app.example/cb", "web", None),
    ("https://app.example:8443/cb?x=1", "browser", None),
    ("HTTPS://app.example/cb", "web", None),
    ("http://127.0.0.1/cb", "web", None),
    ("http://127.0.0.1:51004/cb", "native", None),
    ("http://[::1]/cb", "native", None),
    ("http://localhost:8080/cb", "browser", None),
    ("http://LOCALHOST/cb", "web", None),
    ("com.example.app:/callback", "native", None),
    ("com.example.app://callback", "native", None),
    ("http://app.example/cb", "web", HTTPS_ONLY),
    ("http://127.0.0.2/cb", "native", HTTPS_ONLY),
    ("http://localhost.evil.example/cb", "web", HTTPS_ONLY),
    ("http://127.0.0.1.evil.example/cb", "web", HTTPS_ONLY),
    ("https://app.example/cb#", "web", "must not contain a fragment."),
    ("https://app.example/cb#frag", "web", "must not contain a fragment."),
    ("/cb", "web", "must be an absolute URI."),
    ("app.example/cb", "web", "must be an absolute URI."),
    ("https:", "web", "must be an absolute URI."),
    ("https:app.example/cb", "web", "must be an absolute URI."),
    ("https:///cb", "web", "must be an absolute URI."),
    ("https://app.example:99999/cb", "web", "must be an absolute URI."),
    ("1https://app.example/cb", "web", "must be an absolute URI."),
    ("https://user:pw@app.example/cb", "web", "must not contain user information."),
    ("https://app.example/c b", "web", "must not contain spaces or control characters."),
    ("https://app.example/cb\n", "web", "must not contain spaces or control characters."),
    ("javascript:alert(1)", "native", "must not use the 'javascript' scheme."),
    ("data:text/html,hi", "native", "must not use the 'data' scheme."),
    ("VBScript:msgbox", "native", "must not use the 'vbscript' scheme."),
    ("file:///etc/passwd", "native", "must not use the 'file' scheme."),
    ("com.example.app:/callback", "web", CUSTOM),
    ("com.example.app:/callback", "browser", CUSTOM),
    ("myapp:/callback", "native", "must use a reverse-domain custom scheme, such as com.example.app:/callback."),
]


@pytest.mark.parametrize("uri, application_type, problem", REDIRECTS)
def test_redirect_uri_rules(uri, application_type, problem):
    assert redirect_uri_problem(uri, application_type) == problem


@pytest.mark.parametrize("uri, https_only, problem", [
    ("https://app.example", False, None),
    ("http://app.example/logo.png", False, None),
    ("https://app.example/jwks", True, None),
    ("http://app.example/jwks", True, "must be an https URI."),
    ("http://127.0.0.1/jwks", True, "must be an https URI."),
    ("javascript:alert(1)", False, "must be an http or https URI."),
    ("https://app.example/#top", False, "must not contain a fragment."),
    ("https://", False, "must be an absolute URI."),
    ("nope", False, "must be an absolute URI."),
])
def test_web_uri_rules(uri, https_only, problem):
    assert web_uri_problem(uri, https_only=https_only) == problem


# -- public keys -----------------------------------------------------------------------------------------------------


def test_valid_public_keys_pass():
    assert key_problem(rsa_jwk("r", bits=2048)) is None
    assert key_problem({**rsa_jwk("r"), "alg": "RS256", "use": "sig"}) is None
    for crv, alg in (("P-256", "ES256"), ("P-384", "ES384"), ("P-521", "ES512")):
        assert key_problem({**ec_jwk("e", crv), "alg": alg}) is None


@pytest.mark.parametrize("mutate, problem", [
    (lambda k: "nope", "Must be an object."),
    (lambda k: {**k, "d": "AQAB"}, "Must be a public key: private key members are not accepted (d)."),
    (lambda k: {**k, "kty": "oct"}, "'kty' must be RSA or EC."),
    (lambda k: {**k, "kty": ["RSA"]}, "'kty' must be RSA or EC."),
    (lambda k: {**k, "kid": 5}, "'kid' must be a non-empty string of at most 255 characters."),
    (lambda k: {**k, "kid": ""}, "'kid' must be a non-empty string of at most 255 characters."),
    (lambda k: {**k, "use": "enc"}, "'use' must be sig."),
    (lambda k: {**k, "alg": "HS256"}, "'alg' of an RSA key must be one of: RS256, RS384, RS512."),
    (lambda k: {**k, "alg": "none"}, "'alg' of an RSA key must be one of: RS256, RS384, RS512."),
    (lambda k: {**k, "n": "not base64!"}, "'n' and 'e' must be base64url-encoded integers."),
    (lambda k: {**k, "n": "AQAB="}, "'n' and 'e' must be base64url-encoded integers."),
    (lambda k: {key: v for key, v in k.items() if key != "e"}, "'n' and 'e' must be base64url-encoded integers."),
    (lambda k: {**k, "n": b64(2 ** 1023 + 1)}, "RSA keys must be between 2048 and 8192 bits long."),
    (lambda k: {**k, "e": b64(2)}, "Is not a valid RSA public key."),
])
def test_bad_rsa_keys(mutate, problem):
    assert key_problem(mutate(rsa_jwk("r"))) == problem


@pytest.mark.parametrize("mutate, problem", [
    (lambda k: {**k, "crv": "P-192"}, "'crv' must be one of: P-256, P-384, P-521."),
    (lambda k: {**k, "crv": ["P-256"]}, "'crv' must be one of: P-256, P-384, P-521."),
    (lambda k: {**k, "alg": "ES384"}, "'alg' of a P-256 key must be ES256."),
    (lambda k: {**k, "x": 1}, "'x' and 'y' must be base64url-encoded coordinates."),
    (lambda k: {**k, "y": b64(12345)}, "Is not a point on the curve."),
])
def test_bad_ec_keys(mutate, problem):
    assert key_problem(mutate(ec_jwk("e"))) == problem


# -- secrets ---------------------------------------------------------------------------------------------------------


def client(secret_hash: str | None, method: str = "client_secret_basic", status: str = "ACTIVE") -> OAuthClient:
    return OAuthClient(client_id="0oa" + "a" * 17, client_name="c", application_type="service",
                       token_endpoint_auth_method=method, grant_types=("client_credentials",), response_types=(),
                       redirect_uris=(), post_logout_redirect_uris=(), client_uri=None, logo_uri=None, jwks=None,
                       jwks_uri=None, status=status, created=T0, last_updated=T0,
                       secrets=(ClientSecret("ocs1", secret_hash, "ACTIVE", T0, T0),) if secret_hash else ())


def test_secrets_are_256_bit_url_safe_and_distinct():
    made = {new_secret() for _ in range(200)}
    assert len(made) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", s) for s in made)


def test_the_stored_hash_is_sha256_hex():
    assert hash_secret("abc") == hashlib.sha256(b"abc").hexdigest()


def test_secret_matches_only_the_right_secret():
    secret = new_secret()
    c = client(hash_secret(secret))
    assert secret_matches(c, secret) is True
    for wrong in ("", secret[:-1], secret + "x", secret.upper(), hash_secret(secret), None, 42, b"bytes", "\ud800"):
        assert secret_matches(c, wrong) is False


def test_a_client_without_a_secret_matches_nothing():
    assert secret_matches(client(None, method="none"), "") is False
    assert secret_matches(client(None, method="private_key_jwt"), "anything") is False


def test_secret_comparison_is_constant_time(monkeypatch):
    import chalicelib.admin.clients as clients

    seen = []
    real = clients.hmac.compare_digest
    monkeypatch.setattr(clients.hmac, "compare_digest", lambda a, b: seen.append((a, b)) or real(a, b))
    secret = new_secret()
    assert secret_matches(client(hash_secret(secret)), secret)
    assert not secret_matches(client(None, method="none"), secret)
    # Two comparisons per check (the two secret slots), with hmac.compare_digest, even when the client has none.
    assert len(seen) == 4


def test_either_of_two_active_secrets_matches_and_an_inactive_one_never():
    old, new = new_secret(), new_secret()
    both = replace(client(hash_secret(old)), secrets=(ClientSecret("ocs1", hash_secret(old), "ACTIVE", T0, T0),
                                                       ClientSecret("ocs2", hash_secret(new), "ACTIVE", T0, T0)))
    assert secret_matches(both, old) and secret_matches(both, new)
    rotated = replace(both, secrets=(replace(both.secrets[0], status="INACTIVE"), both.secrets[1]))
    assert not secret_matches(rotated, old) and secret_matches(rotated, new)
    assert not secret_matches(rotated, "x" * 43)


def test_service_verify_secret_also_requires_an_active_secret_client():
    service = ClientService(repo=None, clock=None)  # type: ignore[arg-type]
    secret = new_secret()
    assert service.verify_secret(client(hash_secret(secret)), secret) is True
    assert service.verify_secret(client(hash_secret(secret), status="INACTIVE"), secret) is False
    assert service.verify_secret(client(hash_secret(secret), method="private_key_jwt"), secret) is False
    assert service.verify_secret(client(hash_secret(secret)), "wrong") is False


@pytest.mark.parametrize("client_id", ["", "0oa", "0oa" + "a" * 16, "0oa" + "a" * 18, "00u" + "a" * 17,
                                       "0oa" + "a" * 16 + "-", "../etc", None, 7])
def test_get_for_token_answers_none_for_ids_that_cannot_exist_without_reading(client_id):
    class NoReads:
        def get(self, *_a, **_k):
            raise AssertionError("no read expected")

    assert ClientService(NoReads(), clock=None).get_for_token(client_id) is None  # type: ignore[arg-type]
