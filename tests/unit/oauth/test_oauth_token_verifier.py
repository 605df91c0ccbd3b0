"""Validation of our own access tokens (chalicelib.oauth.token_verifier; RFC 9068 4, RFC 8725 2.1/3.1;
JAT-04, JAT-05, JAT-06): only RS256, the key named by kid and no other, iss/aud of this server, times against the
injected clock with a 30 s skew, ID tokens refused, and never an exception."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.keys import jws
from chalicelib.keys.jwk import public_jwk, thumbprint
from chalicelib.keys.signer import LoadedKey
from chalicelib.oauth.token_verifier import verify_access_token
from tests.unit.oauth.oauthfakes import BASE, NOW, rsa_key

ISS = f"{BASE}/oauth2/aus_a"
AUD = "api://aus_a"
T = int(NOW.timestamp())


def key_a():
    return rsa_key("server-a")


def key_b():
    return rsa_key("server-b")


def published(*keys) -> list[dict]:
    return [public_jwk(k) for k in (keys or (key_a(),))]


def claims(**changes) -> dict:
    base = {"ver": 1, "jti": "AT.abc", "iss": ISS, "aud": AUD, "sub": "svc", "iat": T, "exp": T + 3600,
            "cid": "svc", "scp": ["api:read"]}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def signed(body: dict, key=None, kid: str | None = None) -> str:
    key = key or key_a()
    return jws.sign(body, LoadedKey(kid=kid or thumbprint(key), private_key=key, loaded_at=NOW))


def verify(token: str, keys=None, issuer: str = ISS, audience: str = AUD, now=NOW):
    return verify_access_token(token, keys if keys is not None else published(), issuer, audience, now)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def forged(header: dict, body: dict, signature: bytes = b"") -> str:
    return ".".join([b64(json.dumps(header).encode()), b64(json.dumps(body).encode()), b64(signature)])


def hs256(secret: bytes, body: dict | None = None) -> str:
    head = ".".join([b64(json.dumps({"kid": thumbprint(key_a()), "alg": "HS256"}).encode()),
                     b64(json.dumps(body or claims()).encode())])
    return head + "." + b64(hmac.new(secret, head.encode(), hashlib.sha256).digest())


def test_valid_token_returns_its_claims():
    assert verify(signed(claims())) == claims()


def test_valid_token_signed_by_an_older_published_key():
    assert verify(signed(claims(), key_b()), published(key_a(), key_b()))["jti"] == "AT.abc"


def test_audience_may_be_one_of_a_list():
    assert verify(signed(claims(aud=["api://other", AUD])))


# -- JAT-04: algorithms -------------------------------------------------------------------------------------------


def _pem() -> bytes:
    return key_a().public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("make", [
    lambda: hs256(_pem()),  # key confusion: HMAC keyed with the published RSA key
    lambda: hs256(json.dumps(public_jwk(key_a())).encode()),
    lambda: hs256(public_jwk(key_a())["n"].encode()),
    lambda: forged({"kid": thumbprint(key_a()), "alg": "none"}, claims()),
    lambda: forged({"kid": thumbprint(key_a()), "alg": "None"}, claims()),
    lambda: forged({"alg": "none"}, claims()),
    lambda: jwt.encode(claims(), None, algorithm="none", headers={"kid": thumbprint(key_a())}),
    lambda: jwt.encode(claims(), key_a(), algorithm="RS512", headers={"kid": thumbprint(key_a())}),
    lambda: jwt.encode(claims(), key_a(), algorithm="PS256", headers={"kid": thumbprint(key_a())}),
])
def test_jat04_only_rs256_is_accepted(make):
    assert verify(make()) is None


# -- JAT-04: key selection by kid alone ---------------------------------------------------------------------------


def test_jat04_unknown_kid_is_refused():
    assert verify(signed(claims(), key_b())) is None


def test_jat04_no_try_every_key():
    # Signed by B but naming A: B is published too, yet only A (named by kid) is tried.
    token = signed(claims(), key_b(), kid=thumbprint(key_a()))
    assert verify(token, published(key_a(), key_b())) is None


def test_jat04_missing_kid_is_refused():
    token = jwt.encode(claims(), key_a(), algorithm="RS256", headers={"typ": None})
    assert verify(token) is None


def test_jat04_no_published_keys():
    assert verify(signed(claims()), []) is None


# -- JAT-04 / JAT-06: issuer and audience -------------------------------------------------------------------------


@pytest.mark.parametrize("changes", [
    {"iss": f"{BASE}/oauth2/aus_b"},
    {"iss": ISS + "/"},
    {"iss": ISS.upper()},
    {"aud": "api://aus_b"},
    {"aud": ["api://aus_b"]},
    {"aud": AUD + " "},
])
def test_jat06_token_of_another_issuer_or_audience_is_refused(changes):
    assert verify(signed(claims(**changes))) is None


def test_jat06_server_b_refuses_server_a_tokens_even_with_a_shared_key_set():
    token = signed(claims())
    assert verify(token, published(key_a(), key_b()), issuer=f"{BASE}/oauth2/aus_b", audience="api://aus_b") is None


# -- JAT-04: times ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("exp_offset, valid", [(-3600, False), (-31, False), (-30, False), (-29, True), (0, True),
                                               (1, True)])
def test_jat04_expiry_with_30_seconds_skew(exp_offset, valid):
    result = verify(signed(claims(iat=T - 7200, exp=T + exp_offset)))
    assert (result is not None) == valid


@pytest.mark.parametrize("nbf_offset, valid", [(3600, False), (31, False), (30, True), (8, True), (-10, True)])
def test_jat04_not_before_in_the_future(nbf_offset, valid):
    assert (verify(signed(claims(nbf=T + nbf_offset))) is not None) == valid


@pytest.mark.parametrize("changes", [{"exp": "tomorrow"}, {"exp": [T]}, {"nbf": "x"}, {"exp": float("inf")},
                                     {"nbf": float("nan")}, {"exp": True}])
def test_jat04_malformed_times_are_refused_not_raised(changes):
    assert verify(signed(claims(**changes))) is None


# -- JAT-02 / JAT-05: required claims, access tokens only ---------------------------------------------------------


@pytest.mark.parametrize("missing", ["iss", "aud", "exp", "iat", "jti", "cid"])
def test_missing_required_claim_is_refused(missing):
    assert verify(signed(claims(**{missing: None}))) is None


@pytest.mark.parametrize("jti", ["ID.abc", "abc", "at.abc", "RT.abc", ""])
def test_jat05_id_tokens_and_other_jtis_are_not_access_tokens(jti):
    assert verify(signed(claims(jti=jti))) is None


# -- never raises -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [
    "", "x", "a.b", "a.b.c", "....", "e30.e30.", "e30.e30.e30",
    b64(b'{"alg":"RS256","kid":1}') + ".e30.x",
    b64(b'{"alg":"RS256","kid":["a"]}') + ".e30.x",
    b64(b'["RS256"]') + ".e30.x",
    b64(b"\xff\xfe") + ".e30.x",
    "\u00e9\u00e9.\u00e9.\u00e9",
    "e30.\ud800.x",  # a lone surrogate (a header no UTF-8 can carry): PyJWT raised UnicodeEncodeError, a 500
    "A" * 16_385,
])
def test_garbage_is_none(token):
    assert verify(token) is None


def test_oversized_token_is_refused_before_parsing():
    token = signed(claims(pad="x" * 17_000))
    assert len(token) > 16_384
    assert verify(token) is None


@pytest.mark.parametrize("keys", [[{}], [{"kid": thumbprint(key_a())}], [{"kid": thumbprint(key_a()), "kty": "EC"}],
                                  [{"kid": thumbprint(key_a()), "kty": "RSA", "n": "AA", "e": "AQAB"}]])
def test_broken_published_keys_are_none_not_an_error(keys):
    assert verify(signed(claims()), keys) is None


@settings(max_examples=300, deadline=None)
@given(token=st.text(max_size=300))
def test_arbitrary_text_never_raises(token):
    assert verify(token) is None


@settings(max_examples=200, deadline=None)
@given(header=st.dictionaries(st.sampled_from(["alg", "kid", "typ", "crit", "b64"]),
                              st.one_of(st.just("RS256"), st.just(thumbprint(key_a())), st.integers(), st.text(),
                                        st.booleans(), st.none(), st.lists(st.text(max_size=3), max_size=2))),
       body=st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=5), st.none()),
                            max_size=6),
       signature=st.binary(max_size=300))
def test_arbitrary_structured_tokens_never_raise(header, body, signature):
    assert verify(forged(header, body, signature)) is None
