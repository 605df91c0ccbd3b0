"""The minimal RS256 signing path (chalicelib.keys.jws): header shape, key selection by kid, refusals."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from chalicelib.keys import jws
from chalicelib.keys.jwk import generate_private_key, private_key_to_der, public_jwk, thumbprint
from chalicelib.keys.signer import LoadedKey

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def rsa_pair():
    return [generate_private_key() for _ in range(2)]


def loaded(private_key) -> LoadedKey:
    return LoadedKey(kid=thumbprint(private_key), private_key=private_key, loaded_at=NOW)


def claims(**extra):
    base = {"iss": "https://tokenmint.test/oauth2/aus1", "aud": "api://default", "sub": "alice",
            "iat": int(NOW.timestamp()), "exp": int((NOW + timedelta(hours=1)).timestamp())}
    base.update(extra)
    return base


def segments(token: str) -> list[dict]:
    head, body, _sig = token.split(".")
    return [json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))) for part in (head, body)]


def jwks_of(*keys) -> dict:
    return {"keys": [public_jwk(k) for k in keys]}


# -- sign ---------------------------------------------------------------------------------------------------------


def test_sign_writes_okta_header_kid_and_rs256_only(rsa_pair):
    key = loaded(rsa_pair[0])
    token = jws.sign(claims(), key)
    header, payload = segments(token)
    assert header == {"kid": key.kid, "alg": "RS256"}
    assert payload == claims()


def test_signature_verifies_with_the_public_key_alone(rsa_pair):
    token = jws.sign(claims(), loaded(rsa_pair[0]))
    decoded = jwt.decode(token, rsa_pair[0].public_key(), algorithms=["RS256"], audience="api://default",
                         options={"verify_exp": False, "verify_iat": False})
    assert decoded["sub"] == "alice"


@pytest.mark.parametrize("material", ["pem", "der"])
def test_sign_refuses_serialized_key_material(rsa_pair, material):
    key = rsa_pair[0]
    raw = (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
           if material == "pem" else private_key_to_der(key))
    with pytest.raises(TypeError, match="RSAPrivateKey"):
        jws.sign(claims(), LoadedKey(kid=thumbprint(key), private_key=raw, loaded_at=NOW))  # type: ignore[arg-type]


def test_sign_refuses_a_bare_key_object(rsa_pair):
    with pytest.raises(TypeError, match="LoadedKey"):
        jws.sign(claims(), rsa_pair[0])  # type: ignore[arg-type]


def test_sign_does_not_mutate_the_claims(rsa_pair):
    original = claims()
    jws.sign(original, loaded(rsa_pair[0]))
    assert original == claims()


# -- verify: key selection ----------------------------------------------------------------------------------------


def test_verify_picks_the_key_by_kid_among_several(rsa_pair):
    first, second = rsa_pair
    token = jws.sign(claims(), loaded(second))
    assert jws.verify(token, jwks_of(first, second), now=NOW)["sub"] == "alice"
    assert jws.verify(token, jwks_of(second, first), now=NOW)["sub"] == "alice"


def test_unknown_kid_is_a_clear_error_naming_the_kid(rsa_pair):
    first, second = rsa_pair
    token = jws.sign(claims(), loaded(second))
    with pytest.raises(jws.UnknownKidError) as caught:
        jws.verify(token, jwks_of(first), now=NOW)
    assert caught.value.kid == thumbprint(second)
    assert thumbprint(second) in str(caught.value)
    assert isinstance(caught.value, jwt.InvalidTokenError)


def test_no_fallback_to_other_keys_when_the_kid_names_the_wrong_one(rsa_pair):
    first, second = rsa_pair
    # Signed by `first` but claims to be `second`: only `second` is tried, and it does not verify.
    forged = jwt.encode(claims(), first, algorithm="RS256", headers={"kid": thumbprint(second), "typ": None})
    with pytest.raises(jwt.InvalidSignatureError):
        jws.verify(forged, jwks_of(first, second), now=NOW)


def test_token_without_kid_is_refused(rsa_pair):
    token = jwt.encode(claims(), rsa_pair[0], algorithm="RS256")
    with pytest.raises(jws.MissingKidError):
        jws.verify(token, jwks_of(rsa_pair[0]), now=NOW)


def test_duplicate_kid_in_the_jwks_is_refused(rsa_pair):
    key = rsa_pair[0]
    token = jws.sign(claims(), loaded(key))
    with pytest.raises(jws.AmbiguousKidError):
        jws.verify(token, {"keys": [public_jwk(key), public_jwk(key)]}, now=NOW)


@pytest.mark.parametrize("broken", [
    {"d": "AQAB"},  # a private member published
    {"use": "enc"},
    {"alg": "RS512"},
    {"kty": "EC"},
])
def test_unusable_jwk_is_refused(rsa_pair, broken):
    key = rsa_pair[0]
    token = jws.sign(claims(), loaded(key))
    with pytest.raises(jws.UnusableKeyError):
        jws.verify(token, {"keys": [{**public_jwk(key), **broken}]}, now=NOW)


def test_jwk_whose_kid_is_not_its_thumbprint_is_refused(rsa_pair):
    first, second = rsa_pair
    token = jws.sign(claims(), loaded(first))
    mislabelled = {**public_jwk(second), "kid": thumbprint(first)}
    with pytest.raises(jws.UnusableKeyError):
        jws.verify(token, {"keys": [mislabelled]}, now=NOW)


@pytest.mark.parametrize("jwks", [{}, {"keys": "nope"}, []])
def test_malformed_jwks_is_refused(rsa_pair, jwks):
    token = jws.sign(claims(), loaded(rsa_pair[0]))
    with pytest.raises(jws.UnusableKeyError):
        jws.verify(token, jwks, now=NOW)  # type: ignore[arg-type]


# -- verify: algorithm and integrity -------------------------------------------------------------------------------


def test_alg_none_is_refused(rsa_pair):
    key = rsa_pair[0]
    token = jwt.encode(claims(), None, algorithm="none", headers={"kid": thumbprint(key)})
    with pytest.raises(jwt.InvalidAlgorithmError):
        jws.verify(token, jwks_of(key), now=NOW)


def test_hs256_is_refused_whatever_the_secret(rsa_pair):
    # The classic confusion attack signs HS256 with the public key as the HMAC secret; the header's alg alone
    # must already be refused.
    key = rsa_pair[0]
    token = jwt.encode(claims(), "s" * 32, algorithm="HS256", headers={"kid": thumbprint(key)})
    with pytest.raises(jwt.InvalidAlgorithmError):
        jws.verify(token, jwks_of(key), now=NOW)


def test_tampered_payload_fails_the_signature(rsa_pair):
    key = rsa_pair[0]
    head, _body, sig = jws.sign(claims(), loaded(key)).split(".")
    evil = base64.urlsafe_b64encode(json.dumps(claims(sub="mallory")).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        jws.verify(f"{head}.{evil}.{sig}", jwks_of(key), now=NOW)


def test_garbage_is_a_decode_error(rsa_pair):
    with pytest.raises(jwt.DecodeError):
        jws.verify("not-a-token", jwks_of(rsa_pair[0]), now=NOW)


# -- verify: claims ------------------------------------------------------------------------------------------------


def test_exp_is_required(rsa_pair):
    key = rsa_pair[0]
    payload = claims()
    del payload["exp"]
    with pytest.raises(jwt.MissingRequiredClaimError):
        jws.verify(jws.sign(payload, loaded(key)), jwks_of(key), now=NOW)


def test_times_are_checked_against_the_callers_clock(rsa_pair):
    key = rsa_pair[0]
    token = jws.sign(claims(), loaded(key))
    exp = NOW + timedelta(hours=1)
    assert jws.verify(token, jwks_of(key), now=exp - timedelta(seconds=1))["sub"] == "alice"
    with pytest.raises(jwt.ExpiredSignatureError):
        jws.verify(token, jwks_of(key), now=exp)
    assert jws.verify(token, jwks_of(key), now=exp, leeway=timedelta(seconds=30))["sub"] == "alice"
    with pytest.raises(jwt.ImmatureSignatureError):
        jws.verify(token, jwks_of(key), now=NOW - timedelta(seconds=1))


def test_nbf_in_the_future_is_refused(rsa_pair):
    key = rsa_pair[0]
    token = jws.sign(claims(nbf=int((NOW + timedelta(minutes=5)).timestamp())), loaded(key))
    with pytest.raises(jwt.ImmatureSignatureError):
        jws.verify(token, jwks_of(key), now=NOW)
    assert jws.verify(token, jwks_of(key), now=NOW + timedelta(minutes=5))["sub"] == "alice"


@pytest.mark.parametrize("exp", ["1767272400", True, None])
def test_exp_must_be_a_numeric_date(rsa_pair, exp):
    key = rsa_pair[0]
    token = jws.sign(claims(exp=exp), loaded(key))
    with pytest.raises(jwt.InvalidTokenError):
        jws.verify(token, jwks_of(key), now=NOW)


def test_audience_and_issuer_are_checked_when_given(rsa_pair):
    key = rsa_pair[0]
    token = jws.sign(claims(), loaded(key))
    keys = jwks_of(key)
    assert jws.verify(token, keys, audience="api://default", issuer="https://tokenmint.test/oauth2/aus1", now=NOW)
    assert jws.verify(token, keys, now=NOW)  # neither given: neither checked
    with pytest.raises(jwt.InvalidAudienceError):
        jws.verify(token, keys, audience="api://other", now=NOW)
    with pytest.raises(jwt.InvalidIssuerError):
        jws.verify(token, keys, issuer="https://tokenmint.test/oauth2/aus2", now=NOW)


def test_default_clock_is_the_system_clock(rsa_pair):
    key = rsa_pair[0]
    real_now = int(datetime.now(timezone.utc).timestamp())
    fresh = jws.sign(claims(iat=real_now, exp=real_now + 60), loaded(key))
    assert jws.verify(fresh, jwks_of(key))["sub"] == "alice"
    expired = jws.sign(claims(iat=real_now - 120, exp=real_now - 60), loaded(key))
    with pytest.raises(jwt.ExpiredSignatureError):
        jws.verify(expired, jwks_of(key))


def test_naive_now_and_negative_leeway_are_programming_errors(rsa_pair):
    key = rsa_pair[0]
    token = jws.sign(claims(), loaded(key))
    with pytest.raises(ValueError):
        jws.verify(token, jwks_of(key), now=NOW.replace(tzinfo=None))
    with pytest.raises(ValueError):
        jws.verify(token, jwks_of(key), now=NOW, leeway=timedelta(seconds=-1))


# -- the compact serialization is jwt.encode's, byte for byte ------------------------------------------------------


@pytest.mark.parametrize("extra", [
    {},
    {"scp": ["read", "write"], "cid": "0oa1", "ver": 1, "jti": "AT.x-y_z"},
    {"name": "Zoë Ångström", "groups": ["Ingénieurs", "日本"], "emoji": "\U0001F510"},  # ASCII escapes, surrogates
    {"nested": {"b": [1, 2.5, None, True], "a": {"deep": "</script>\"\\\n"}}, "n": -1, "big": 2 ** 70},
    {"exp": NOW + timedelta(hours=2), "nbf": NOW, "iat": NOW},  # datetimes in time claims become NumericDates
    {"aud": ["api://a", "api://b"], "sub": ""},
])
def test_sign_writes_exactly_the_token_jwt_encode_writes(rsa_pair, extra):
    key = loaded(rsa_pair[1])
    body = claims(**extra)
    expected = jwt.encode(body, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": None})
    assert jws.sign(body, key) == expected
    assert jws.verify(expected, jwks_of(rsa_pair[1]), now=NOW) == jwt.decode(
        expected, options={"verify_signature": False})


def test_floats_in_exponent_notation_are_the_same_numbers_as_jwt_encode_writes(rsa_pair):
    # orjson spells them 1e16 and 1e-7 where Python's repr writes 1e+16 and 1e-07: the only bytes that differ.
    key = loaded(rsa_pair[1])
    body = claims(big=1e16, tiny=1e-7, plain=2.5)
    token = jws.sign(body, key)
    expected = jwt.encode(body, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": None})
    assert token.split(".")[0] == expected.split(".")[0]
    assert jws.verify(token, jwks_of(rsa_pair[1]), now=NOW) == jwt.decode(expected, options={"verify_signature": False})


def test_sign_takes_any_mapping_and_refuses_what_jwt_encode_refuses(rsa_pair):
    from types import MappingProxyType

    key = loaded(rsa_pair[0])
    assert jws.sign(MappingProxyType(claims()), key) == jws.sign(claims(), key)
    with pytest.raises(TypeError, match="iss"):
        jws.sign(claims(iss=42), key)
    with pytest.raises(TypeError):
        jws.sign(claims(when=NOW), key)  # a datetime outside the time claims is not JSON, as for jwt.encode
    with pytest.raises(TypeError, match="mapping"):
        jws.sign([("sub", "alice")], key)  # type: ignore[arg-type]


def test_the_protected_header_is_made_once_per_key_and_is_not_compared(rsa_pair):
    key = loaded(rsa_pair[0])
    head = key.header
    assert json.loads(base64.urlsafe_b64decode(head + b"=" * (-len(head) % 4))) == {"alg": "RS256", "kid": key.kid}
    assert b"=" not in head
    assert "header" not in repr(key)
    assert key == LoadedKey(kid=key.kid, private_key=key.private_key, loaded_at=NOW)
    with pytest.raises(TypeError):
        LoadedKey(kid=key.kid, private_key=key.private_key, loaded_at=NOW, header=b"x")  # type: ignore[call-arg]
