"""The pure parts of DPoP (chalicelib/oauth/dpop.py; docs/security-cases/dpop.md): thumbprints, htu normalisation,
the proof checks and stateless nonces."""
from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from jwcrypto import jwk as jwcrypto_jwk

from chalicelib.oauth import dpop
from chalicelib.oauth.errors import InvalidDpopProofError, UseDpopNonceError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration" / "dpop"))
from dpop_support import Holder, hs256_proof, none_proof  # noqa: E402

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
URL = "https://as.example/oauth2/default/v1/token"
STAMP = int(NOW.timestamp())

# RFC 7638 3.1: the example RSA key and its thumbprint.
RFC7638_KEY = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknj"
         "hMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6"
         "qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8"
         "awapJzKnqDKgw",
    "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"}


def test_thumbprint_of_the_rfc7638_example():
    assert dpop.jwk_thumbprint(RFC7638_KEY) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


@pytest.mark.parametrize("holder", [Holder.ec(), Holder.rsa()], ids=["EC", "RSA"])
def test_thumbprint_agrees_with_jwcrypto(holder):
    key = jwcrypto_jwk.JWK(**holder.public_jwk())
    assert dpop.jwk_thumbprint(holder.public_jwk()) == key.thumbprint() == holder.jkt()


@pytest.mark.parametrize("a, b", [
    ("https://AS.example:443/oauth2/default/v1/token", URL),
    (URL + "?q=1#frag", URL),
    ("https://as.example/oauth2/%64efault/v1/token", URL),
    ("https://as.example/oauth2/default/v1/x/../token", URL),
    ("http://as.example:80", "http://as.example/"),
])
def test_dpop08_htu_normalisation_equal(a, b):
    assert dpop.normalize_uri(a) == dpop.normalize_uri(b) is not None


@pytest.mark.parametrize("a, b", [
    ("http://as.example/oauth2/default/v1/token", URL),
    ("https://as.example:8443/oauth2/default/v1/token", URL),
    ("https://as.example/oauth2/Default/v1/token", URL),
])
def test_dpop08_htu_normalisation_different(a, b):
    assert dpop.normalize_uri(a) != dpop.normalize_uri(b)


@pytest.mark.parametrize("uri", ["ftp://as.example/x", "/relative", "https://user@as.example/", "https://[::1"])
def test_only_absolute_http_uris_normalise(uri):
    assert dpop.normalize_uri(uri) is None


def check(proof: str | list[str], **kwargs):
    values = [proof] if isinstance(proof, str) else proof
    return dpop.check_proof(values, method=kwargs.pop("method", "POST"), uri=kwargs.pop("uri", URL), now=NOW,
                            **kwargs)


def test_a_good_proof_gives_the_thumbprint_jti_and_nonce():
    holder = Holder.ec()
    proof = check(holder.proof("POST", URL, STAMP, nonce="n1", jti="j1"))
    assert (proof.jkt, proof.jti, proof.iat, proof.nonce) == (holder.jkt(), "j1", STAMP, "n1")


def refused(description: str, proof, **kwargs) -> None:
    with pytest.raises(InvalidDpopProofError) as caught:
        check(proof, **kwargs)
    assert caught.value.description == description


def test_dpop01_and_02_missing_and_multiple():
    holder = Holder.ec()
    refused(dpop.MISSING, [])
    refused(dpop.MULTIPLE, [holder.proof("POST", URL, STAMP), holder.proof("POST", URL, STAMP)])
    assert dpop.header_values(["a.b.c, d.e.f"]) == ("a.b.c", "d.e.f")
    assert dpop.header_values(["a.b.c", "d.e.f"]) == ("a.b.c", "d.e.f")


def test_dpop03_algorithms():
    holder = Holder.ec()
    refused(dpop.BAD_ALG, none_proof(holder, "POST", URL, STAMP))
    refused(dpop.BAD_ALG, hs256_proof("POST", URL, STAMP))
    ps = Holder.rsa("PS256")
    assert check(ps.proof("POST", URL, STAMP)).jkt == ps.jkt()


def test_dpop03_the_curve_must_fit_the_algorithm():
    holder = Holder.ec()
    jwk = {**holder.public_jwk(), "crv": "P-384"}
    refused(dpop.BAD_JWK, holder.proof("POST", URL, STAMP, jwk=jwk))


def test_dpop04_typ_and_malformed():
    holder = Holder.ec()
    refused(dpop.BAD_TYPE, holder.proof("POST", URL, STAMP, typ="jwt"))
    refused(dpop.MALFORMED, "not-a-jwt")
    refused(dpop.MALFORMED, "a.b.c")
    refused(dpop.MALFORMED, "e30.\ud800.x")  # not ASCII, so no compact JWS (PyJWT raised UnicodeEncodeError)


def test_dpop05_private_or_symmetric_keys():
    holder = Holder.ec()
    refused(dpop.BAD_JWK, holder.proof("POST", URL, STAMP, jwk=holder.private_jwk()))
    refused(dpop.BAD_JWK, holder.proof("POST", URL, STAMP, jwk={"kty": "oct", "k": "c2VjcmV0"}))


def test_dpop06_signature():
    holder, other = Holder.ec(), Holder.ec()
    refused(dpop.BAD_SIGNATURE, other.proof("POST", URL, STAMP, jwk=holder.public_jwk()))


def test_dpop07_htm_and_dpop08_htu():
    holder = Holder.ec()
    refused(dpop.BAD_HTM, holder.proof("post", URL, STAMP))
    refused(dpop.BAD_HTU, holder.proof("POST", URL.replace("token", "introspect"), STAMP))


def test_dpop09_iat_window():
    holder = Holder.ec()
    assert check(holder.proof("POST", URL, STAMP - 300))
    assert check(holder.proof("POST", URL, STAMP + 30))
    refused(dpop.TOO_OLD, holder.proof("POST", URL, STAMP - 301))
    refused(dpop.IN_FUTURE, holder.proof("POST", URL, STAMP + 31))
    refused("The DPoP proof JWT is missing the 'iat' claim.",
            holder.proof("POST", URL, STAMP, extra={"iat": "now"}))


def test_missing_claims():
    holder = Holder.ec()
    proof = holder.proof("POST", URL, STAMP)
    import jwt as pyjwt
    claims = pyjwt.decode(proof, options={"verify_signature": False})
    for claim in ("jti", "htm", "htu", "iat"):
        rest = {k: v for k, v in claims.items() if k != claim}
        token = pyjwt.encode(rest, holder.private, algorithm="ES256",
                             headers={"typ": "dpop+jwt", "jwk": holder.public_jwk()})
        refused(f"The DPoP proof JWT is missing the '{claim}' claim.", token)


def test_a_jti_or_ath_no_utf8_can_carry_is_refused():
    # A lone surrogate (chalicelib/surrogates.py): the jti could not key the ledger, the ath could not be compared.
    holder = Holder.ec()
    refused("The DPoP proof JWT is missing the 'jti' claim.", holder.proof("POST", URL, STAMP, jti="j\ud800"))
    refused(dpop.BAD_ATH, holder.proof("GET", URL, STAMP, extra={"ath": "\udfff"}), method="GET",
            access_token="tok")


def test_dpop11_ath():
    holder = Holder.ec()
    assert check(holder.proof("GET", URL, STAMP, access_token="tok"), method="GET", access_token="tok")
    refused(dpop.BAD_ATH, holder.proof("GET", URL, STAMP, access_token="other"), method="GET", access_token="tok")
    refused(dpop.BAD_ATH, holder.proof("GET", URL, STAMP), method="GET", access_token="tok")


def test_dpop10_nonces_rotate_daily_and_stay_valid_three_days():
    nonces = dpop.Nonces(lambda server_id: b"k" * 32)
    nonce = nonces.current("aus1", NOW)
    assert nonces.valid("aus1", nonce, NOW)
    assert not nonces.valid("aus2", nonce, NOW)  # another server's
    assert nonces.current("aus1", NOW + timedelta(days=1)) != nonce
    assert nonces.valid("aus1", nonce, NOW + timedelta(days=3))
    assert not nonces.valid("aus1", nonce, NOW + timedelta(days=4, hours=1))
    assert not nonces.valid("aus1", nonces.current("aus1", NOW + timedelta(days=1)), NOW)  # from the future
    other_key = dpop.Nonces(lambda server_id: b"x" * 32)
    assert not other_key.valid("aus1", nonce, NOW)
    for junk in (None, "", "zz.abc", "1" * 80, nonce + "x"):
        assert not nonces.valid("aus1", junk, NOW)


class Ledger:
    def __init__(self) -> None:
        self.used: set[tuple[str, str]] = set()

    def use_assertion(self, client_id: str, jti: str, expires_at: datetime, now: datetime) -> bool:
        assert expires_at > now
        if (client_id, jti) in self.used:
            return False
        self.used.add((client_id, jti))
        return True


def test_dpop10_and_12_verify_demands_the_nonce_then_spends_the_jti():
    ledger = Ledger()
    checker = dpop.Dpop(ledger, dpop.Nonces(lambda server_id: b"k" * 32), lambda: NOW)
    holder = Holder.ec()
    with pytest.raises(UseDpopNonceError) as caught:
        checker.verify([holder.proof("POST", URL, STAMP)], method="POST", uri=URL, server_id="aus1",
                       require_nonce=True)
    nonce = caught.value.nonce
    assert caught.value.headers == {"DPoP-Nonce": nonce}
    assert not ledger.used  # a refused proof spends nothing
    proof = holder.proof("POST", URL, STAMP, nonce=nonce)
    assert checker.verify([proof], method="POST", uri=URL, server_id="aus1", require_nonce=True).jkt == holder.jkt()
    with pytest.raises(InvalidDpopProofError, match="already been used"):
        checker.verify([proof], method="POST", uri=URL, server_id="aus1", require_nonce=True)


def test_the_nonce_key_depends_on_the_signing_key():
    assert dpop.derive_nonce_key("kid1", 12345) != dpop.derive_nonce_key("kid1", 12346)
    assert dpop.derive_nonce_key("kid1", 12345) != dpop.derive_nonce_key("kid2", 12345)
    assert len(dpop.derive_nonce_key("kid1", 12345)) == 32
