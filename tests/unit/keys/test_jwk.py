"""RFC 7517/7518/7638 encoding of signing keys (chalicelib.keys.jwk)."""

from __future__ import annotations

import base64
import re

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.keys import jwk

B64URL_43 = re.compile(r"^[A-Za-z0-9_-]{43}$")

# RFC 7638 §3.1 worked example.
RFC7638_N = (
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3"
    "oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZH"
    "zu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU"
    "8awapJzKnqDKgw"
)
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


@pytest.fixture(scope="module")
def key():
    return jwk.generate_private_key()


def test_generated_key_is_rsa_2048_with_exponent_65537(key):
    assert key.key_size == 2048
    assert key.public_key().public_numbers().e == 65537


def test_thumbprint_matches_the_rfc_7638_example():
    public = jwk.public_key_from_jwk({"kty": "RSA", "n": RFC7638_N, "e": "AQAB"})
    assert jwk.thumbprint(public) == RFC7638_THUMBPRINT


def test_public_jwk_has_exactly_the_public_members_in_okta_order(key):
    published = jwk.public_jwk(key)
    assert list(published) == ["kty", "alg", "kid", "use", "e", "n"]
    assert published["kty"] == "RSA" and published["alg"] == "RS256" and published["use"] == "sig"
    assert published["e"] == "AQAB"
    assert not jwk.PRIVATE_MEMBERS.intersection(published)


def test_kid_is_the_43_char_thumbprint_of_the_public_key(key):
    published = jwk.public_jwk(key)
    assert B64URL_43.match(published["kid"])
    assert published["kid"] == jwk.thumbprint(key) == jwk.thumbprint(key.public_key())
    assert jwk.public_jwk(key.public_key()) == published


def test_modulus_is_unpadded_big_endian_base64url(key):
    n = jwk.public_jwk(key)["n"]
    assert "=" not in n
    raw = base64.urlsafe_b64decode(n + "=" * (-len(n) % 4))
    assert len(raw) == 256 and raw[0] != 0
    assert int.from_bytes(raw, "big") == key.public_key().public_numbers().n


def test_b64url_uint_uses_minimal_octets():
    assert jwk.b64url_uint(65537) == "AQAB"
    assert jwk.b64url_uint(0) == "AA"
    with pytest.raises(ValueError):
        jwk.b64url_uint(-1)


def test_der_round_trip_and_fits_a_direct_kms_encrypt(key):
    der = jwk.private_key_to_der(key)
    assert len(der) < 4096
    again = jwk.private_key_from_der(der)
    assert again.private_numbers() == key.private_numbers()


def test_der_parse_errors_do_not_echo_the_input():
    garbage = b"\x30\x82secret-looking-bytes"
    with pytest.raises(ValueError) as caught:
        jwk.private_key_from_der(garbage)
    assert "secret-looking" not in str(caught.value)


def test_der_of_a_non_rsa_key_is_refused():
    from cryptography.hazmat.primitives import serialization

    ec_der = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError):
        jwk.private_key_from_der(ec_der)


def test_public_key_from_jwk_verifies_a_token_signed_by_the_private_key(key):
    published = jwk.public_jwk(key)
    token = jwt.encode({"sub": "x"}, key, algorithm="RS256", headers={"kid": published["kid"]})
    verifier_key = jwk.public_key_from_jwk(published)
    assert jwt.decode(token, verifier_key, algorithms=["RS256"]) == {"sub": "x"}
    # And a third-party JWK parser (PyJWT's) reads our JWK the same way.
    assert jwt.decode(token, jwt.PyJWK(published).key, algorithms=["RS256"]) == {"sub": "x"}


@pytest.mark.parametrize(
    "change",
    [
        {"kty": "EC"},
        {"d": "AQAB"},
        {"kid": "not-the-thumbprint"},
        {"e": "AQAB="},
        {"n": "!!!"},
        {"n": None},
    ],
)
def test_public_key_from_jwk_refuses_bad_input(key, change):
    bad = {**jwk.public_jwk(key), **change}
    with pytest.raises(ValueError):
        jwk.public_key_from_jwk(bad)
