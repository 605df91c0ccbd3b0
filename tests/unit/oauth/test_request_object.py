"""Signed request objects (chalicelib.oauth.request_object; RFC 9101; JAR-01..JAR-10 in docs/security-cases/par.md).

Pure: a fixed clock, a client with a registered EC key, an in-memory jti ledger (the ``ClientKeys`` the authenticator
provides in the app).
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, Mapping

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.clock import FixedClock
from chalicelib.domain import OAuthClient
from chalicelib.oauth.errors import InvalidRequestError, InvalidRequestObjectError
from chalicelib.oauth.request_object import RequestObjects
from tests.unit.oauth.oauthfakes import NOW, client_ec_jwk, fake_client

ISS = "https://as.example/oauth2/default"
KEY = ec.generate_private_key(ec.SECP256R1())
CLIENT = fake_client("0oaJAR", jwks={"keys": [client_ec_jwk(KEY, "k1")]})


class Keys:
    def __init__(self) -> None:
        self.used: dict[tuple[str, str], datetime] = {}

    def client_jwks(self, client: OAuthClient, kid: str | None) -> Mapping[str, Any]:
        return client.verification_jwks or {}

    def use_jti(self, client_id: str, jti: str, expires_at: datetime) -> bool:
        if (client_id, jti) in self.used:
            return False
        self.used[(client_id, jti)] = expires_at
        return True


def objects() -> tuple[RequestObjects, Keys, FixedClock]:
    keys, clock = Keys(), FixedClock(NOW)
    return RequestObjects(keys, clock.now), keys, clock


def sign(key: Any = KEY, alg: str = "ES256", headers: dict[str, Any] | None = None, **claims: Any) -> str:
    now = int(NOW.timestamp())
    body = {"iss": CLIENT.client_id, "aud": ISS, "iat": now, "exp": now + 60, "jti": secrets.token_hex(8),
            "response_type": "code", "state": "inner", "max_age": 30, **claims}
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm=alg,
                      headers={"kid": "k1", **(headers or {})})


def resolve(token: str, ro: RequestObjects | None = None, secret: str | None = None,
            **outer: str) -> dict[str, tuple[str, ...]]:
    params = {"client_id": (CLIENT.client_id,), "request": (token,), **{k: (v,) for k, v in outer.items()}}
    return (ro or objects()[0]).resolve(params, CLIENT, ISS, secret)


def test_values_inside_win_numbers_become_strings_and_jwt_claims_are_dropped():
    merged = resolve(sign(), state="outer", scope="openid")
    assert merged["state"] == ("inner",) and merged["scope"] == ("openid",) and merged["max_age"] == ("30",)
    assert "request" not in merged and not {"iss", "aud", "exp", "iat", "jti"} & set(merged)


def test_without_a_request_object_nothing_changes():
    ro, _, _ = objects()
    params = {"client_id": ("x",), "state": ("s",)}
    assert ro.resolve(params, CLIENT, ISS) == params


@pytest.mark.parametrize("claims,words", [
    ({"iss": "0oaOTHER"}, "'iss'"),
    ({"aud": "https://elsewhere"}, "'aud'"),
    ({"aud": ["https://elsewhere", "https://x"]}, "'aud'"),
    ({"exp": None}, "'exp'"),
    ({"iat": None}, "'iat'"),
    ({"jti": None}, "'jti'"),
    ({"exp": int(NOW.timestamp()) - 31}, "expired"),
    ({"exp": int(NOW.timestamp()) + 3601}, "one hour"),
    ({"iat": int(NOW.timestamp()) + 31}, "not yet valid"),
    ({"nbf": int(NOW.timestamp()) + 31}, "not yet valid"),
    ({"client_id": "0oaOTHER"}, "client_id"),
    ({"request_uri": "urn:x"}, "must not contain"),
    ({"claims": {"id_token": {}}}, "string or a number"),
    ({"jti": 5}, "'jti'"),
    ({"jti": "j\ud800"}, "'jti'"),  # a lone surrogate: no text UTF-8 can carry (chalicelib/surrogates.py)
    ({"state": "s\udfff"}, "'state' is not valid text"),
    ({"x\ud800": "1"}, "malformed"),
])
def test_jar04_05_06_claims(claims, words):
    with pytest.raises(InvalidRequestObjectError) as raised:
        resolve(sign(**claims))
    assert words in raised.value.description


def test_a_request_object_that_is_not_ascii_is_no_jwt():
    # A lone surrogate (an event's query no UTF-8 can carry) made PyJWT raise UnicodeEncodeError: a 500.
    for token in ("e30.\ud800.x", "e30.\u00e9.x"):
        with pytest.raises(InvalidRequestObjectError, match="not a valid JWT"):
            resolve(token)


def test_jar05_an_audience_list_holding_the_issuer_is_accepted():
    assert resolve(sign(aud=[ISS, "https://other"]))["state"] == ("inner",)


def test_jar06_an_hour_ahead_is_the_limit():
    assert resolve(sign(exp=int(NOW.timestamp()) + 3600))["state"] == ("inner",)


def test_jar07_a_jti_is_used_once():
    ro, keys, _ = objects()
    token = sign()
    resolve(token, ro)
    with pytest.raises(InvalidRequestObjectError, match="already been used"):
        resolve(token, ro)
    assert list(keys.used.values())[0] == NOW + timedelta(seconds=60)


def test_jar01_none_and_unknown_algorithms_are_refused():
    unsigned = jwt.encode({"iss": CLIENT.client_id}, None, algorithm="none")
    with pytest.raises(InvalidRequestObjectError, match="must be signed"):
        resolve(unsigned)
    with pytest.raises(InvalidRequestObjectError, match="not a valid JWT"):
        resolve("a.b")


def test_jar02_a_key_that_is_not_the_clients_does_not_verify():
    with pytest.raises(InvalidRequestObjectError, match="signature"):
        resolve(sign(key=ec.generate_private_key(ec.SECP256R1())))
    with pytest.raises(InvalidRequestObjectError, match="signature"):
        resolve(sign(headers={"kid": "unknown"}))


def test_jar03_hmac_needs_the_secret_of_this_request():
    token = sign(key=b"s" * 43, alg="HS256")
    with pytest.raises(InvalidRequestObjectError, match="pushed authorization request"):
        resolve(token)
    assert resolve(token, secret="s" * 43)["state"] == ("inner",)
    with pytest.raises(InvalidRequestObjectError, match="signature"):
        resolve(sign(key=b"s" * 43, alg="HS256"), secret="t" * 43)


def test_jar09_a_jwt_typed_for_something_else_is_refused():
    with pytest.raises(InvalidRequestObjectError, match="typ"):
        resolve(sign(headers={"typ": "dpop+jwt"}))
    assert resolve(sign(headers={"typ": "oauth-authz-req+jwt"}))["state"] == ("inner",)


def test_jar08_request_with_request_uri_and_repeated_request_are_invalid_request():
    ro, _, _ = objects()
    with pytest.raises(InvalidRequestError, match="both"):
        ro.resolve({"request": (sign(),), "request_uri": ("urn:x",)}, CLIENT, ISS)
    with pytest.raises(InvalidRequestError, match="multiple"):
        ro.resolve({"request": (sign(), sign())}, CLIENT, ISS)


def test_jar_a_client_without_keys_is_told_so():
    keyless = fake_client("0oaNOKEYS")
    ro, _, _ = objects()
    with pytest.raises(InvalidRequestObjectError, match="JWKS"):
        ro.resolve({"request": (sign(iss="0oaNOKEYS"),)}, keyless, ISS)
