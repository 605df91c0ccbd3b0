"""Client authentication (chalicelib.oauth.client_auth; RFC 6749 2.3, RFC 7523 3, OIDC Core 9; CAUTH-01..09).

All pure: an in-memory client directory, an in-memory assertion ledger, a fixed clock and a fake JWKS fetcher.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from urllib.parse import quote, quote_plus

import jwt
import pytest

from chalicelib.clock import FixedClock
from chalicelib.oauth.client_auth import ASSERTION_TYPE, BASIC_CHALLENGE, ClientAuthenticator
from chalicelib.oauth.errors import InvalidClientError, InvalidRequestError
from chalicelib.oauth.remote_jwks import RemoteJwks
from tests.unit.oauth.oauthfakes import (
    BASE,
    NOW,
    FakeDirectory,
    FakeFetcher,
    FakeLedger,
    assertion,
    assertion_params,
    basic,
    client_ec_jwk,
    client_rsa_jwk,
    ec_key,
    fake_client,
    rsa_key,
)

ISSUER = f"{BASE}/oauth2/aus_a"
TOKEN_ENDPOINT = f"{ISSUER}/v1/token"
AUDIENCES = [TOKEN_ENDPOINT, ISSUER]
JWKS_URI = "https://client.example/jwks.json"
WEIRD_SECRET = "a%b+c:d~e f%20"


class Harness:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.rsa = rsa_key("client-rsa")
        self.ec = ec_key("client-ec")
        self.stranger = rsa_key("stranger")
        self.fetcher = FakeFetcher({JWKS_URI: {"keys": [client_rsa_jwk(rsa_key("uri-k1"), "u1")]}})
        jwks = {"keys": [client_rsa_jwk(self.rsa, "k1"), client_ec_jwk(self.ec, "e1")]}
        self.directory = FakeDirectory(
            fake_client("svc", secret="s3cret"),
            fake_client("post", token_endpoint_auth_method="client_secret_post", secret="p0st"),
            fake_client("weird", secret=WEIRD_SECRET),
            fake_client("id:with space~%", secret="sécret:+"),
            fake_client("off", secret="s3cret", status="INACTIVE"),
            # A stale secret on a private_key_jwt / none client must never authenticate it (CAUTH-07).
            fake_client("client1", token_endpoint_auth_method="private_key_jwt", jwks=jwks, secret="stale"),
            fake_client("client2", token_endpoint_auth_method="private_key_jwt",
                        jwks={"keys": [client_rsa_jwk(self.stranger, "k1")]}),
            fake_client("uri", token_endpoint_auth_method="private_key_jwt", jwks_uri=JWKS_URI),
            fake_client("pkj-off", token_endpoint_auth_method="private_key_jwt", jwks=jwks, status="INACTIVE"),
            fake_client("spa", token_endpoint_auth_method="none", secret="stale"),
            fake_client("spa-off", token_endpoint_auth_method="none", status="INACTIVE"),
        )
        self.ledger = FakeLedger()
        self.auth = ClientAuthenticator(self.directory, self.ledger, self.clock.now,
                                        RemoteJwks(self.clock.now, self.fetcher))

    def run(self, params=None, authorization=None, allow_public=False, audiences=AUDIENCES):
        return self.auth.authenticate(params or {}, authorization, audiences, allow_public)

    def refused(self, params=None, authorization=None, allow_public=False, audiences=AUDIENCES) -> InvalidClientError:
        with pytest.raises(InvalidClientError) as raised:
            self.run(params, authorization, allow_public, audiences)
        assert raised.value.error == "invalid_client"
        assert raised.value.status == 401
        return raised.value

    def pkj(self, token: str, **extra: str):
        return self.run(assertion_params(token, **extra))


@pytest.fixture
def h() -> Harness:
    return Harness()


def b64(text: bytes) -> str:
    return base64.b64encode(text).decode("ascii")


# -- CAUTH-01: client_secret_basic, raw and form-urlencoded --------------------------------------------------------


@pytest.mark.parametrize("client_id, secret", [
    ("svc", "s3cret"),
    ("weird", WEIRD_SECRET),  # sent raw: the secret's own ':' is kept (split at the first ':')
    ("weird", quote_plus(WEIRD_SECRET)),  # Appendix B form-encoding before base64
    ("weird", quote(WEIRD_SECRET, safe="")),  # %20 rather than + for the space
    (quote_plus("id:with space~%"), quote_plus("sécret:+")),
])
def test_cauth01_basic_raw_or_form_urlencoded(h, client_id, secret):
    result = h.run(authorization=basic(client_id, secret))
    assert result.method == "client_secret_basic"
    assert result.client.client_id in ("svc", "weird", "id:with space~%")


def test_cauth01_basic_scheme_is_case_insensitive_and_body_client_id_may_repeat_the_user(h):
    header = "bAsIc " + b64(b"svc:s3cret")
    assert h.run({"client_id": "svc"}, header).client.client_id == "svc"


def test_cauth01_encoded_form_of_a_different_secret_does_not_match(h):
    # "a+b" form-decodes to "a b": neither equals the stored secret "s3cret".
    h.refused(authorization=basic("svc", "s3cret+"))


# -- CAUTH-02: malformed Basic headers -----------------------------------------------------------------------------


@pytest.mark.parametrize("header", [
    "Basic !!!not-base64!!!",
    "Basic " + b64(b"svc:s3cret")[:-2],  # truncated padding
    "Basic " + b64(b"no-colon-here"),
    "Basic " + b64(b":s3cret"),  # empty client id
    "Basic " + b64(b"\xff\xfe:\xff"),  # not UTF-8
    "Basic ",
    "Basic",
    "   ",
    "Bearer " + b64(b"svc:s3cret"),
    "Digest username=svc",
    "svc:s3cret",
])
def test_cauth02_malformed_basic_is_invalid_client_with_challenge(h, header):
    error = h.refused(authorization=header)
    assert error.www_authenticate == BASIC_CHALLENGE
    assert h.directory.secret_checks == 0


# -- CAUTH-03: wrong secret ----------------------------------------------------------------------------------------


def test_cauth03_wrong_secret_via_basic_is_401_with_challenge(h):
    error = h.refused(authorization=basic("svc", "wrong"))
    assert error.www_authenticate == BASIC_CHALLENGE


def test_cauth03_wrong_secret_via_post_is_401_invalid_client(h):
    error = h.refused({"client_id": "post", "client_secret": "wrong"})
    assert error.www_authenticate is None
    assert "invalid" in error.description


@pytest.mark.parametrize("params", [{"client_id": "post", "client_secret": ""}, {"client_secret": "p0st"},
                                    {"client_id": "", "client_secret": "p0st"}])
def test_cauth03_post_with_empty_secret_or_without_client_id_is_refused(h, params):
    h.refused(params)


def test_cauth03_unknown_client_via_basic_looks_like_a_wrong_secret(h):
    unknown = h.refused(authorization=basic("nobody", "s3cret"))
    wrong = h.refused(authorization=basic("svc", "nope"))
    assert unknown.description == wrong.description
    assert unknown.www_authenticate == wrong.www_authenticate == BASIC_CHALLENGE


# -- CAUTH-04: one method per request ------------------------------------------------------------------------------


@pytest.mark.parametrize("params, header", [
    ({"client_id": "svc", "client_secret": "s3cret"}, "basic"),
    ({"client_assertion_type": ASSERTION_TYPE, "client_assertion": "x.y.z"}, "basic"),
    ({"client_assertion_type": ASSERTION_TYPE}, "basic"),
    ({"client_id": "client1", "client_secret": "stale", "client_assertion_type": ASSERTION_TYPE,
      "client_assertion": "x.y.z"}, None),
    ({"client_id": "post", "client_secret": "p0st", "client_assertion": "x.y.z"}, None),
])
def test_cauth04_two_methods_is_invalid_request(h, params, header):
    with pytest.raises(InvalidRequestError, match="more than one"):
        h.run(params, basic("svc", "s3cret") if header else None)


# -- CAUTH-05: body client_id must be the Basic user ---------------------------------------------------------------


@pytest.mark.parametrize("body_id", ["post", "nobody", "SVC", "svc "])
def test_cauth05_body_client_id_differs_from_basic_user(h, body_id):
    error = h.refused({"client_id": body_id}, basic("svc", "s3cret"))
    assert "does not match" in error.description
    assert error.www_authenticate == BASIC_CHALLENGE


def test_cauth05_body_client_id_matching_the_decoded_basic_user_is_fine(h):
    header = basic(quote_plus("id:with space~%"), quote_plus("sécret:+"))
    assert h.run({"client_id": "id:with space~%"}, header).client.client_id == "id:with space~%"


# -- CAUTH-07: basic and post are interchangeable for secret clients only -------------------------------------------


def test_cauth07_basic_client_may_use_post_and_post_client_may_use_basic(h):
    assert h.run({"client_id": "svc", "client_secret": "s3cret"}).method == "client_secret_post"
    assert h.run(authorization=basic("post", "p0st")).method == "client_secret_basic"


@pytest.mark.parametrize("client_id", ["client1", "spa"])
def test_cauth07_secret_methods_never_authenticate_private_key_jwt_or_public_clients(h, client_id):
    h.refused({"client_id": client_id, "client_secret": "stale"})
    h.refused(authorization=basic(client_id, "stale"))
    h.refused({"client_id": client_id, "client_secret": "stale"}, allow_public=True)


# -- CAUTH-08: credentials required; inactive/unknown clients; public clients ---------------------------------------


@pytest.mark.parametrize("client_id", ["svc", "post", "client1", "uri"])
def test_cauth08_confidential_client_without_credentials(h, client_id):
    error = h.refused({"client_id": client_id}, allow_public=True)
    assert error.description == "No client credentials found."


@pytest.mark.parametrize("params", [{}, {"client_id": ""}, {"grant_type": "client_credentials"}])
def test_cauth08_no_client_at_all(h, params):
    h.refused(params, allow_public=True)


@pytest.mark.parametrize("call", [
    lambda h: h.run(authorization=basic("off", "s3cret")),
    lambda h: h.run({"client_id": "off", "client_secret": "s3cret"}),
    lambda h: h.run({"client_id": "spa-off"}, allow_public=True),
    lambda h: h.run({"client_id": "nobody"}, allow_public=True),
    lambda h: h.run({"client_id": "nobody", "client_secret": "s3cret"}),
])
def test_cauth08_inactive_or_unknown_client_is_refused(h, call):
    with pytest.raises(InvalidClientError):
        call(h)


def test_cauth08_public_client_only_where_public_clients_are_allowed(h):
    assert h.run({"client_id": "spa"}, allow_public=True).method == "none"
    error = h.refused({"client_id": "spa"}, allow_public=False)
    assert error.www_authenticate is None


# -- CAUTH-09: private_key_jwt -------------------------------------------------------------------------------------


def test_cauth09_valid_rs256_assertion(h):
    result = h.pkj(assertion(h.rsa, "RS256", "k1"))
    assert (result.client.client_id, result.method) == ("client1", "private_key_jwt")


@pytest.mark.parametrize("alg", ["RS384", "RS512"])
def test_cauth09_other_rsa_algorithms(h, alg):
    assert h.pkj(assertion(h.rsa, alg, "k1")).method == "private_key_jwt"


def test_cauth09_valid_es256_assertion(h):
    assert h.pkj(assertion(h.ec, "ES256", "e1")).client.client_id == "client1"


def test_cauth09_without_kid_the_only_key_of_the_family_is_used(h):
    assert h.pkj(assertion(h.rsa, "RS256", kid=None)).method == "private_key_jwt"
    assert h.pkj(assertion(h.ec, "ES256", kid=None)).method == "private_key_jwt"


def test_cauth09_body_client_id_may_repeat_the_subject(h):
    assert h.pkj(assertion(h.rsa), client_id="client1").client.client_id == "client1"


@pytest.mark.parametrize("claim", ["iss", "sub", "aud", "exp", "jti"])
def test_cauth09_missing_required_claim(h, claim):
    h.refused(assertion_params(assertion(h.rsa, omit=(claim,))))
    assert h.ledger.used == {}


@pytest.mark.parametrize("claims, extra", [
    ({"iss": "client2"}, {}),  # iss != sub
    ({"iss": "someone", "sub": "someone"}, {}),  # not a client
    ({"iss": "client2", "sub": "client2"}, {}),  # a client, but signed with client1's key
    ({}, {"client_id": "client2"}),  # sub != the client_id of the body
    ({"iss": "svc", "sub": "svc"}, {}),  # a secret client cannot use private_key_jwt
    ({"iss": "pkj-off", "sub": "pkj-off"}, {}),  # inactive
])
def test_cauth09_issuer_subject_client_mismatch(h, claims, extra):
    h.refused(assertion_params(assertion(h.rsa, **claims), **extra))


def test_cauth09_non_string_issuer_and_subject(h):
    claims = {**_claims(), "iss": 42, "sub": 42}
    token = jwt.PyJWS().encode(json.dumps(claims).encode(), h.rsa, "RS256", {"kid": "k1"})
    h.refused(assertion_params(token))


@pytest.mark.parametrize("offset, accepted", [
    (timedelta(minutes=-5), False),
    (timedelta(seconds=-31), False),
    (timedelta(seconds=-30), False),  # the 30 s skew boundary: exp + skew <= now is expired
    (timedelta(seconds=-29), True),
    (timedelta(seconds=1), True),
    (timedelta(hours=1), True),
    (timedelta(hours=1, seconds=1), False),  # lives more than an hour
    (timedelta(days=365), False),
])
def test_cauth09_expiry_with_skew_and_maximum_lifetime(h, offset, accepted):
    token = assertion(h.rsa, exp=int((NOW + offset).timestamp()), iat=int((NOW - timedelta(minutes=1)).timestamp()))
    if accepted:
        assert h.pkj(token).method == "private_key_jwt"
    else:
        h.refused(assertion_params(token))


@pytest.mark.parametrize("claim", ["nbf", "iat"])
@pytest.mark.parametrize("seconds, accepted", [(60, False), (31, False), (30, True), (8, True), (-60, True)])
def test_cauth09_not_yet_valid_beyond_the_skew(h, claim, seconds, accepted):
    token = assertion(h.rsa, **{claim: int((NOW + timedelta(seconds=seconds)).timestamp())})
    if accepted:
        assert h.pkj(token).method == "private_key_jwt"
    else:
        assert "not yet valid" in h.refused(assertion_params(token)).description


@pytest.mark.parametrize("claims", [{"exp": "soon"}, {"nbf": "later"}, {"iat": [1]}, {"exp": 1e300}])
def test_cauth09_non_numeric_times_are_refused(h, claims):
    h.refused(assertion_params(assertion(h.rsa, **claims)))


@pytest.mark.parametrize("aud, accepted", [
    (TOKEN_ENDPOINT, True),
    (ISSUER, True),
    ([TOKEN_ENDPOINT], True),
    (["https://rp.example/api", ISSUER], True),
    ("https://evil.example/token", False),
    (ISSUER + "/", False),
    (f"{BASE}/oauth2/aus_b/v1/token", False),  # another server's token endpoint
    (f"{ISSUER}/v1/introspect", False),  # another endpoint of this server
    ([], False),
    (["https://evil.example"], False),
])
def test_cauth09_audience(h, aud, accepted):
    token = assertion(h.rsa, aud=aud)
    if accepted:
        assert h.pkj(token).method == "private_key_jwt"
    else:
        h.refused(assertion_params(token))
        assert h.ledger.used == {}


def test_cauth09_reused_jti_is_refused(h):
    token = assertion(h.rsa, jti="once")
    h.pkj(token)
    assert "already been used" in h.refused(assertion_params(token)).description
    # a new assertion with the same jti is a replay too
    h.refused(assertion_params(assertion(h.rsa, jti="once", exp=int((NOW + timedelta(minutes=9)).timestamp()))))


def test_cauth09_a_jti_no_utf8_can_carry_is_refused_before_the_ledger(h):
    # A lone surrogate (chalicelib/surrogates.py) could not key the ledger's item: invalid_client, nothing recorded.
    assert "'jti'" in h.refused(assertion_params(assertion(h.rsa, jti="j\ud800"))).description
    assert h.ledger.used == {}


def test_cauth09_jti_is_scoped_to_the_client(h):
    h.directory.update("client2", jwks=h.directory.clients["client1"].jwks)
    h.pkj(assertion(h.rsa, jti="shared"))
    assert h.pkj(assertion(h.rsa, jti="shared", iss="client2", sub="client2")).client.client_id == "client2"


def _unsigned(header: dict, claims: dict, signature: bytes = b"") -> str:
    def enc(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    return ".".join([enc(json.dumps(header).encode()), enc(json.dumps(claims).encode()), enc(signature)])


def _claims() -> dict:
    return {"iss": "client1", "sub": "client1", "aud": TOKEN_ENDPOINT, "exp": int(NOW.timestamp()) + 300,
            "iat": int(NOW.timestamp()), "jti": "forged"}


def _hs256(secret: bytes, kid: str = "k1") -> str:
    head = _unsigned({"alg": "HS256", "kid": kid}, _claims()).rsplit(".", 1)[0]
    signature = hmac.new(secret, head.encode("ascii"), hashlib.sha256).digest()
    return head + "." + base64.urlsafe_b64encode(signature).decode().rstrip("=")


@pytest.mark.parametrize("make", [
    lambda h: _unsigned({"alg": "none", "kid": "k1"}, _claims()),
    lambda h: _unsigned({"alg": "none"}, _claims()),
    lambda h: jwt.encode(_claims(), None, algorithm="none"),
    lambda h: _hs256(b"s3cret"),
    # key confusion: HMAC keyed with the client's public key material
    lambda h: _hs256(json.dumps(h.directory.clients["client1"].jwks["keys"][0]).encode()),
    lambda h: _hs256(h.directory.clients["client1"].jwks["keys"][0]["n"].encode()),
    lambda h: _unsigned({"alg": "PS256", "kid": "k1"}, _claims(), b"x" * 256),
    lambda h: _unsigned({"alg": "EdDSA", "kid": "k1"}, _claims(), b"x" * 64),
])
def test_cauth09_alg_none_and_symmetric_algorithms_are_refused(h, make):
    h.refused(assertion_params(make(h)))
    assert h.ledger.used == {}


@pytest.mark.parametrize("make", [
    lambda h: assertion(h.rsa, kid="k-unknown"),
    lambda h: assertion(h.stranger, kid="k1"),  # right kid, wrong key
    lambda h: assertion(h.ec, "ES256", kid="k1"),  # ES256 naming an RSA key
    lambda h: assertion(h.rsa, "RS256", kid="e1"),  # RS256 naming an EC key
    lambda h: assertion(h.rsa) + "x",
    lambda h: "not-a-jwt",
    lambda h: "a.b.c",
    lambda h: _unsigned({"alg": "RS256", "kid": "k1"}, _claims(), b"\x00" * 256),
])
def test_cauth09_bad_key_or_signature(h, make):
    h.refused(assertion_params(make(h)))


@pytest.mark.parametrize("params", [
    {"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:saml2-bearer", "client_assertion": "x"},
    {"client_assertion_type": ASSERTION_TYPE},
    {"client_assertion_type": ASSERTION_TYPE, "client_assertion": ""},
    {"client_assertion": "x.y.z"},
])
def test_cauth09_assertion_parameters_malformed(h, params):
    with pytest.raises(InvalidRequestError):
        h.run(params)


def test_cauth09_assertion_for_a_client_without_keys_is_refused(h):
    h.directory.add(fake_client("bare", token_endpoint_auth_method="private_key_jwt"))
    h.refused(assertion_params(assertion(h.rsa, iss="bare", sub="bare")))


def test_cauth09_junk_in_a_registered_key_set_is_refused_not_an_error(h):
    h.directory.update("client1", jwks={"keys": ["junk", 42, None, {"kty": "RSA", "kid": "k1"}]})
    h.refused(assertion_params(assertion(h.rsa)))


# -- CAUTH-09 with a jwks_uri: RemoteJwks behind the authenticator ------------------------------------------------


def uri_assertion(name: str, kid: str, clock: FixedClock, **claims) -> str:
    return assertion(rsa_key(name), kid=kid, iss="uri", sub="uri", now=clock.now(), **claims)


def test_cauth09_jwks_uri_fetched_once_then_cached(h):
    assert h.pkj(uri_assertion("uri-k1", "u1", h.clock)).client.client_id == "uri"
    h.clock.advance(seconds=10)
    assert h.pkj(uri_assertion("uri-k1", "u1", h.clock)).client.client_id == "uri"
    assert h.fetcher.calls == [JWKS_URI]


def test_cauth09_jwks_uri_unknown_kid_refetches_once_per_interval(h):
    h.pkj(uri_assertion("uri-k1", "u1", h.clock))
    # The client rotates to a new key: an unknown kid within the refetch interval does not refetch...
    h.fetcher.documents[JWKS_URI] = {"keys": [client_rsa_jwk(rsa_key("uri-k2"), "u2")]}
    h.clock.advance(seconds=30)
    h.refused(assertion_params(uri_assertion("uri-k2", "u2", h.clock)))
    h.refused(assertion_params(uri_assertion("uri-k2", "u2", h.clock)))
    assert len(h.fetcher.calls) == 1
    # ...after it, one refetch picks the new key up,
    h.clock.advance(seconds=31)
    assert h.pkj(uri_assertion("uri-k2", "u2", h.clock)).client.client_id == "uri"
    assert len(h.fetcher.calls) == 2
    # and a stream of unknown kids right after does not turn into a stream of fetches.
    for kid in ("x1", "x2", "x3"):
        h.refused(assertion_params(uri_assertion("uri-k2", kid, h.clock)))
    assert len(h.fetcher.calls) == 2
    # the old key is gone from the set
    h.clock.advance(seconds=61)
    h.refused(assertion_params(uri_assertion("uri-k1", "u1", h.clock)))


def test_cauth09_jwks_uri_fetch_failure_means_no_keys(h):
    h.fetcher.error = OSError("connection refused")
    h.refused(assertion_params(uri_assertion("uri-k1", "u1", h.clock)))
    assert h.ledger.used == {}


def test_cauth09_jwks_uri_serving_junk_is_refused_not_an_error(h):
    h.fetcher.documents[JWKS_URI] = {"keys": ["junk", 7, {"kid": "u1"}]}
    h.refused(assertion_params(uri_assertion("uri-k1", "u1", h.clock)))
    h.clock.advance(minutes=2)
    h.refused(assertion_params(uri_assertion("uri-k1", "u9", h.clock)))


@pytest.mark.parametrize("registered_alg, alg, accepted", [
    ("RS256", "RS256", True),
    ("RS256", "RS512", False),  # CAUTH-09: an algorithm not registered for the key
    ("RS512", "RS256", False),
    ("ES256", "ES256", True),
    ("RS256", "ES256", False),
])
def test_cauth09_key_registered_with_an_alg_signs_only_with_it(h, registered_alg, alg, accepted):
    rsa_jwk = {**client_rsa_jwk(h.rsa, "k1"), "alg": registered_alg if registered_alg.startswith("RS") else "RS256"}
    ec_jwk = {**client_ec_jwk(h.ec, "k1"), "alg": registered_alg if registered_alg.startswith("ES") else "ES256"}
    h.directory.update("client1", jwks={"keys": [rsa_jwk if registered_alg.startswith("RS") else ec_jwk]})
    token = assertion(h.rsa if alg.startswith("RS") else h.ec, alg, "k1")
    if accepted:
        assert h.pkj(token).method == "private_key_jwt"
    else:
        h.refused(assertion_params(token))


def test_cauth09_es256_with_a_p384_key_is_refused(h):
    p384 = ec_key("client-ec-384", "P-384")
    h.directory.update("client1", jwks={"keys": [client_ec_jwk(p384, "k1")]})
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    head = _unsigned({"alg": "ES256", "kid": "k1"}, _claims()).rsplit(".", 1)[0]
    r, s = decode_dss_signature(p384.sign(head.encode(), ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(48, "big") + s.to_bytes(48, "big")
    h.refused(assertion_params(head + "." + base64.urlsafe_b64encode(signature).decode().rstrip("=")))
    assert h.pkj(assertion(p384, "ES384", "k1")).method == "private_key_jwt"
