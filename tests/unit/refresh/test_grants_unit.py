"""The ``password`` and ``refresh_token`` grants through ``OAuthServer.token`` with in-memory services
(chalicelib/oauth/grants/password.py, refresh_token.py; security-checklist TOK-01/02/05/07, RT-01..04, RT-11..13)."""
from __future__ import annotations

import json

import re
from datetime import timedelta

import jwt
import pytest

from chalicelib.domain import DEPROVISIONED, INACTIVE, LOCKED_OUT, TokenActions
from chalicelib.keys import lifecycle
from chalicelib.oauth.errors import (
    AccessDeniedError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    UnauthorizedClientError,
)
from tests.unit.oauth.oauthfakes import BASE, NOW, basic
from tests.unit.refresh.refreshfakes import OTHER_NATIVE, PASSWORD, back_channel_server, backworld

ISSUER = f"{BASE}/oauth2/aus_a"
FULL = "openid profile email offline_access"
BAD_CREDENTIALS = "The credentials provided were invalid."


@pytest.fixture
def b():
    return backworld()


def verify(b, token: str, audience: str) -> dict:
    key = jwt.PyJWK(lifecycle.published(b.config().keys)[0]).key
    return jwt.decode(token, key, algorithms=["RS256"], audience=audience, issuer=ISSUER,
                      options={"verify_exp": False, "verify_iat": False})


# -- the back channel is advertised and registered -------------------------------------------------------------------


def test_grants_and_userinfo_are_advertised_when_the_back_channel_is_registered(b):
    assert {"client_credentials", "refresh_token", "password"} <= set(b.server.grants)
    assert b.server.capabilities.userinfo_endpoint
    oidc = json.loads(b.server.metadata(b.req({}), openid=True).body)
    assert oidc["userinfo_endpoint"] == f"{ISSUER}/v1/userinfo"
    assert {"refresh_token", "password"} <= set(oidc["grant_types_supported"])


def test_without_the_back_channel_registered_nothing_is_added():
    plain = backworld()
    server = back_channel_server(plain.w)
    assert "refresh_token" not in server.grants and "password" not in server.grants
    assert not server.capabilities.userinfo_endpoint


# -- password grant -----------------------------------------------------------------------------------------------


def test_password_grant_issues_access_id_and_refresh_tokens(b):
    response = b.token({"grant_type": "password", "username": "alice@example.com", "password": PASSWORD,
                        "scope": FULL})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"  # TOK-01
    body = response.body
    assert list(body) == ["token_type", "expires_in", "access_token", "scope", "refresh_token", "id_token"]
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == FULL
    assert re.fullmatch(r"oar[A-Za-z0-9]{17}\.[A-Za-z0-9_-]{43}", body["refresh_token"])  # TOK-05
    access = verify(b, body["access_token"], "api://aus_a")
    assert access["uid"] == b.alice.id and access["sub"] == "alice@example.com" and access["cid"] == "native"
    assert access["scp"] == FULL.split() and access["auth_time"] == int(NOW.timestamp())
    id_token = verify(b, body["id_token"], "native")
    assert id_token["sub"] == b.alice.id and id_token["aud"] == "native" and id_token["amr"] == ["pwd"]
    assert id_token["auth_time"] == int(NOW.timestamp()) and "at_hash" in id_token and "nonce" not in id_token
    assert b.w.holders.noted[-1] == ("aus_a", "native")


def test_rt12_no_refresh_token_without_offline_access(b):
    body = b.password("openid profile")
    assert "refresh_token" not in body and "id_token" in body
    assert b.store.records == {}


def test_no_refresh_token_for_a_client_without_the_refresh_token_grant(b):
    body = b.password(FULL, authorization=basic("norefresh", "norefresh-secret"))
    assert "refresh_token" not in body and body["scope"] == FULL


def test_no_id_token_without_openid(b):
    body = b.password("offline_access api:read")
    assert "id_token" not in body and "refresh_token" in body


def test_tok07_password_grant_only_for_clients_registered_for_it(b):
    with pytest.raises(UnauthorizedClientError):
        b.password(authorization=basic("nopassword", "nopassword-secret"))
    with pytest.raises(UnauthorizedClientError):
        b.password(authorization=basic("svc", "svc-secret"))
    assert b.users.sign_ins == []  # refused before any password is checked


def test_public_client_may_use_the_password_grant(b):
    body = b.password(authorization=None, client_id="pub")
    assert "refresh_token" in body


@pytest.mark.parametrize("login,password", [
    ("alice@example.com", "wrong"),
    ("nobody@example.com", PASSWORD),
    ("alice@example.com", ""),
])
def test_bad_credentials_are_one_invalid_grant(b, login, password):
    params = {"grant_type": "password", "username": login, "password": password, "scope": FULL}
    error = InvalidRequestError if not password else InvalidGrantError
    with pytest.raises(error) as caught:
        b.token(params)
    if error is InvalidGrantError:
        assert caught.value.body() == {"error": "invalid_grant", "error_description": BAD_CREDENTIALS}


@pytest.mark.parametrize("status", [LOCKED_OUT, DEPROVISIONED, "SUSPENDED", "STAGED"])
def test_locked_or_inactive_users_get_the_same_invalid_grant(b, status):
    b.users.set(b.alice.id, status=status)
    with pytest.raises(InvalidGrantError) as caught:
        b.password()
    assert caught.value.description == BAD_CREDENTIALS


@pytest.mark.parametrize("missing", ["username", "password"])
def test_username_and_password_are_required(b, missing):
    params = {"grant_type": "password", "username": "alice@example.com", "password": PASSWORD}
    del params[missing]
    with pytest.raises(InvalidRequestError) as caught:
        b.token(params)
    assert missing in caught.value.description


def test_oversized_credentials_are_refused_without_a_sign_in(b):
    with pytest.raises(InvalidGrantError):
        b.password(password="x" * 2000)
    assert b.users.sign_ins == []


def test_user_not_assigned_is_access_denied(b):
    b.assignments.assigned.discard(("native", b.alice.id))
    with pytest.raises(AccessDeniedError) as caught:
        b.password()
    assert caught.value.description == "User is not assigned to the client application."


def test_password_grant_follows_the_policy(b):
    b.set_rule(grant_types=("authorization_code",))
    with pytest.raises(AccessDeniedError) as caught:
        b.password()
    assert caught.value.status == 401


def test_password_grant_lifetimes_come_from_the_rule(b):
    b.set_rule(actions=TokenActions(access_token_lifetime_minutes=15, refresh_token_lifetime_minutes=600,
                                    refresh_token_window_minutes=120))
    body = b.password()
    assert body["expires_in"] == 900
    family = next(iter(b.store.records.values()))[0]
    assert (family["lifetimeMinutes"], family["windowMinutes"], family["grantType"]) == (600, 120, "password")
    assert family["expiresAt"] == int((NOW + timedelta(minutes=120)).timestamp())


def test_no_scope_means_the_default_scopes(b):
    body = b.password(scope=None)
    assert body["scope"] == "api:read" and "refresh_token" not in body


# -- refresh_token grant ------------------------------------------------------------------------------------------


def test_refresh_rotates_and_returns_new_tokens(b):
    first = b.password()
    b.clock.advance(minutes=10)
    response = b.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    second = response.body
    assert list(second) == ["token_type", "expires_in", "access_token", "scope", "refresh_token", "id_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"] and second["scope"] == FULL
    with pytest.raises(InvalidGrantError):
        b.refresh(first["refresh_token"])  # RT-04: reuse
    with pytest.raises(InvalidGrantError):
        b.refresh(second["refresh_token"])  # ... revoked the family
    for body in (first, second):
        jti = verify(b, body["access_token"], "api://aus_a")["jti"]
        assert b.w.revocations.is_access_token_revoked(jti, b.clock.now())


def test_rt13_id_token_from_refresh_keeps_subject_and_auth_time(b):
    first = b.password()
    original = verify(b, first["id_token"], "native")
    b.clock.advance(hours=2)
    refreshed = verify(b, b.refresh(first["refresh_token"])["id_token"], "native")
    for claim in ("iss", "sub", "aud", "auth_time", "amr", "idp"):
        assert refreshed[claim] == original[claim], claim
    assert refreshed["iat"] == original["iat"] + 7200 and "nonce" not in refreshed


def test_refresh_access_token_keeps_auth_time(b):
    first = b.password()
    b.clock.advance(hours=1)
    access = verify(b, b.refresh(first["refresh_token"])["access_token"], "api://aus_a")
    assert access["auth_time"] == int(NOW.timestamp()) and access["iat"] == int(NOW.timestamp()) + 3600


def test_rt02_narrower_scope_allowed_and_without_openid_no_id_token(b):
    first = b.password()
    body = b.refresh(first["refresh_token"], scope="profile offline_access")
    assert body["scope"] == "profile offline_access" and "id_token" not in body
    assert verify(b, body["access_token"], "api://aus_a")["scp"] == ["profile", "offline_access"]


def test_rt03_new_refresh_token_keeps_the_full_scope(b):
    first = b.password()
    narrowed = b.refresh(first["refresh_token"], scope="email")
    again = b.refresh(narrowed["refresh_token"])
    assert again["scope"] == FULL and "id_token" in again


@pytest.mark.parametrize("scope", ["openid profile email offline_access phone", "api:write", "openid bogus"])
def test_rt02_wider_scope_is_invalid_scope_and_keeps_the_token(b, scope):
    first = b.password()
    with pytest.raises(InvalidScopeError):
        b.refresh(first["refresh_token"], scope=scope)
    assert b.refresh(first["refresh_token"])["scope"] == FULL


def test_rt01_refresh_by_another_client_is_invalid_grant(b):
    first = b.password()
    with pytest.raises(InvalidGrantError):
        b.refresh(first["refresh_token"], authorization=OTHER_NATIVE)
    assert b.refresh(first["refresh_token"])  # untouched


def test_refresh_at_another_server_is_invalid_grant(b):
    b.assignments.assigned.add(("native", b.alice.id))
    first = b.password()
    with pytest.raises(InvalidGrantError):
        b.refresh(first["refresh_token"], server_id="aus_b")
    assert b.refresh(first["refresh_token"])


def test_refresh_token_parameter_is_required(b):
    with pytest.raises(InvalidRequestError):
        b.token({"grant_type": "refresh_token"})


def test_client_must_be_registered_for_the_refresh_token_grant(b):
    body = b.password(authorization=basic("norefresh", "norefresh-secret"))
    assert "refresh_token" not in body
    first = b.password()
    with pytest.raises(UnauthorizedClientError):
        b.refresh(first["refresh_token"], authorization=basic("norefresh", "norefresh-secret"))


def test_public_client_refreshes_with_rotation(b):
    first = b.password(authorization=None, client_id="pub")
    second = b.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": "pub"},
                     authorization=None).body
    assert second["refresh_token"] != first["refresh_token"]
    with pytest.raises(InvalidGrantError):
        b.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": "pub"},
                authorization=None)


def test_inactive_client_cannot_refresh(b):
    first = b.password()
    b.w.directory.update("native", status=INACTIVE)
    with pytest.raises(Exception) as caught:
        b.refresh(first["refresh_token"])
    assert getattr(caught.value, "error", None) == "invalid_client"


def test_rt11_idle_window_through_the_grant(b):
    b.set_rule(actions=TokenActions(refresh_token_window_minutes=30))
    first = b.password()
    b.clock.advance(minutes=31)
    with pytest.raises(InvalidGrantError):
        b.refresh(first["refresh_token"])


def test_rt14_deactivated_user_cannot_refresh_even_when_reactivated(b):
    first = b.password()
    b.clock.advance(minutes=1)
    b.users.set(b.alice.id, status=DEPROVISIONED, status_changed=b.clock.now())
    b.clock.advance(minutes=1)
    b.users.set(b.alice.id, status="ACTIVE", status_changed=b.clock.now())
    with pytest.raises(InvalidGrantError):
        b.refresh(first["refresh_token"])
    assert b.store.records == {}
    assert "refresh_token" in b.password()  # signing in again starts a new family


def test_unassigned_user_cannot_refresh(b):
    first = b.password()
    b.assignments.assigned.discard(("native", b.alice.id))
    with pytest.raises(InvalidGrantError):
        b.refresh(first["refresh_token"])
    assert b.store.records == {}


def test_policy_is_evaluated_again_with_the_original_grant_type(b):
    """Rules have no refresh_token grant type: the family's grant type (password) must still match."""
    first = b.password()
    b.set_rule(grant_types=("authorization_code",))  # password no longer allowed
    with pytest.raises(AccessDeniedError) as caught:
        b.refresh(first["refresh_token"])
    assert caught.value.status == 401
    assert b.store.records  # a policy denial does not revoke: fixing the policy brings the family back
    b.set_rule(grant_types=("password",))
    assert b.refresh(first["refresh_token"])["scope"] == FULL


def test_policy_scope_changes_apply_on_refresh(b):
    first = b.password("openid offline_access api:read")
    b.set_rule(scopes=("openid", "offline_access"))
    with pytest.raises(AccessDeniedError) as caught:
        b.refresh(first["refresh_token"])
    assert "api:read" in caught.value.description
    assert b.refresh(first["refresh_token"], scope="openid offline_access")["scope"] == "openid offline_access"


def test_access_token_lifetime_comes_from_the_rule_matched_now(b):
    first = b.password()
    b.set_rule(actions=TokenActions(access_token_lifetime_minutes=5, refresh_token_window_minutes=10))
    body = b.refresh(first["refresh_token"])
    assert body["expires_in"] == 300
    family = next(iter(b.store.records.values()))[0]
    assert family["windowMinutes"] == 10080  # the family keeps the lifetimes it was issued with


def test_failed_signing_leaves_the_presented_token_usable(b, monkeypatch):
    first = b.password()
    from chalicelib.oauth import minting
    from chalicelib.oauth.errors import TemporarilyUnavailableError

    def broken(*_a, **_k):
        raise TemporarilyUnavailableError("The authorization server is temporarily unavailable.")

    monkeypatch.setattr(minting, "sign", broken)
    with pytest.raises(TemporarilyUnavailableError):
        b.refresh(first["refresh_token"])
    monkeypatch.undo()
    assert b.refresh(first["refresh_token"])["refresh_token"]
