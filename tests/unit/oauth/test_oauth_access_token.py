"""Access-token claims in Okta's shape (chalicelib.oauth.access_token; okta-api.md 8.2; JAT-02, TOK-05, TOK-06)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from chalicelib.oauth.access_token import OWN_CLAIMS, access_token_claims, new_jti
from tests.unit.oauth.oauthfakes import NOW

ISS = "https://tokenmint.test/oauth2/aus_a"


def build(**overrides):
    args = dict(issuer=ISS, audience="api://aus_a", client_id="svc", scopes=("api:read", "api:write"), now=NOW,
                lifetime=timedelta(minutes=60), subject="svc", custom={})
    args.update(overrides)
    return access_token_claims(**args)


def test_okta_claim_order_without_user():
    assert list(build()) == ["ver", "jti", "iss", "aud", "sub", "iat", "exp", "cid", "scp"]


def test_okta_claim_order_with_user_auth_time_and_custom_claims():
    claims = build(user_id="00u1", auth_time=1234, custom={"zeta": 1, "alpha": "a"})
    assert list(claims) == ["ver", "jti", "iss", "aud", "sub", "iat", "exp", "cid", "uid", "scp", "auth_time",
                            "zeta", "alpha"]
    assert claims["uid"] == "00u1"
    assert claims["auth_time"] == 1234


def test_values():
    claims = build()
    assert claims["ver"] == 1
    assert claims["iss"] == ISS
    assert claims["aud"] == "api://aus_a"
    assert claims["sub"] == "svc"
    assert claims["cid"] == "svc"
    assert claims["scp"] == ["api:read", "api:write"]
    assert claims["iat"] == int(NOW.timestamp())


@pytest.mark.parametrize("lifetime", [timedelta(minutes=5), timedelta(minutes=60), timedelta(hours=24),
                                      timedelta(seconds=90)])
def test_exp_is_iat_plus_lifetime(lifetime):
    claims = build(lifetime=lifetime, now=NOW + timedelta(microseconds=700_000))
    assert claims["iat"] == int(NOW.timestamp())
    assert claims["exp"] - claims["iat"] == int(lifetime.total_seconds())


@pytest.mark.parametrize("user_id", [None, ""])
def test_uid_only_with_a_user(user_id):
    assert "uid" not in build(user_id=user_id)


def test_empty_scope_list_is_still_an_array():
    assert build(scopes=())["scp"] == []


@pytest.mark.parametrize("name", sorted(OWN_CLAIMS))
def test_custom_claims_never_override_own_claims(name):
    claims = build(custom={name: "evil", "dept": "eng"}, user_id="00u1", auth_time=5)
    own = build(user_id="00u1", auth_time=5, jti=claims["jti"])
    assert {k: v for k, v in claims.items() if k != "dept"} == own
    assert claims["dept"] == "eng"


def test_custom_claims_cannot_add_an_own_claim_that_was_absent():
    claims = build(custom={"uid": "00u-forged", "auth_time": 1})
    assert "uid" not in claims and "auth_time" not in claims


def test_jti_prefix_alphabet_and_uniqueness():
    jtis = {build()["jti"] for _ in range(500)} | {new_jti() for _ in range(500)}
    assert len(jtis) == 1000
    for jti in jtis:
        assert re.fullmatch(r"AT\.[A-Za-z0-9_-]{43}", jti)


def test_explicit_jti_is_used():
    assert build(jti="AT.fixed")["jti"] == "AT.fixed"
