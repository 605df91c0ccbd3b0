"""The pure parts of the token-exchange grant (oauth/grants/token_exchange.py): which server an issuer names, the
``act`` claim, and the verifier telling an expired token apart (TX-02, TX-04, TX-12, TX-13)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.oauth.grants.token_exchange import actor_claim, base_of, issuing_server_id
from chalicelib.oauth.token_verifier import EXPIRED, INVALID, VALID, check_access_token

BASE = "https://id.example.com/stage"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_tx02_an_issuer_names_a_custom_server_of_this_deployment_or_nothing():
    assert issuing_server_id(f"{BASE}/oauth2/ausA", BASE) == "ausA"
    assert issuing_server_id(f"{BASE}/oauth2/default", BASE) == "default"
    for other in (BASE, f"{BASE}/oauth2/", f"{BASE}/oauth2/ausOrgAuthzServer001", f"{BASE}/oauth2/a/b",
                  "https://evil.example/oauth2/ausA", f"{BASE}x/oauth2/ausA", None, 7, ["x"]):
        assert issuing_server_id(other, BASE) is None, other
    assert base_of(f"{BASE}/oauth2/default") == BASE


def test_tx12_act_names_the_exchanging_client_or_the_actor_tokens_subject():
    assert actor_claim("0oaApp", None, None) == {"sub": "0oaApp"}
    assert actor_claim("0oaApp", {"sub": "alice@example.com", "cid": "0oaApp", "jti": "AT.x"}, None) == {
        "sub": "alice@example.com", "cid": "0oaApp"}


def test_tx13_prior_actors_nest_under_the_new_one():
    assert actor_claim("0oaTwo", None, {"sub": "0oaOne"}) == {"sub": "0oaTwo", "act": {"sub": "0oaOne"}}
    assert actor_claim("0oaTwo", None, "not an object") == {"sub": "0oaTwo"}


def _signed(exp_offset: timedelta, **extra):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True) | {"kid": "k1"}
    claims = {"iss": "https://i", "aud": "api://a", "iat": int(NOW.timestamp()), "jti": "AT.1", "cid": "0oa",
              "exp": int((NOW + exp_offset).timestamp()), **extra}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"}), [public]


def test_tx04_the_verifier_tells_expired_from_invalid():
    token, keys = _signed(timedelta(minutes=5))
    claims, reason = check_access_token(token, keys, "https://i", "api://a", NOW)
    assert reason == VALID and claims is not None and claims["jti"] == "AT.1"
    assert check_access_token(token, keys, "https://i", "api://a", NOW + timedelta(hours=1)) == (None, EXPIRED)
    assert check_access_token(token, keys, "https://other", "api://a", NOW) == (None, INVALID)
    id_token, id_keys = _signed(timedelta(minutes=5), jti="ID.1")
    assert check_access_token(id_token, id_keys, "https://i", "api://a", NOW + timedelta(hours=1)) == (None, INVALID)
