"""``/v1/userinfo`` and the refresh-token side of introspection and revocation, with in-memory services
(chalicelib/oauth/endpoints/userinfo.py, introspection.py, revocation.py; security-checklist UI-01..04, JAT-04..06,
REV-01..06, RT-10, INT-02..04, H-06)."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest
from hypothesis import given, settings, strategies as st

from chalicelib.domain import DEPROVISIONED, INACTIVE
from chalicelib.oauth.context import OAuthRequest
from chalicelib.oauth.endpoints.userinfo import INSUFFICIENT_SCOPE, INVALID_TOKEN, bearer_token
from chalicelib.oauth.errors import InvalidRequestError
from tests.unit.oauth.oauthfakes import BASE, basic, rsa_key
from tests.unit.refresh.refreshfakes import NATIVE, OTHER_NATIVE, backworld

INACTIVE_BODY = {"active": False}


@pytest.fixture
def b():
    return backworld()


def userinfo(b, token: str | None, server_id: str = "aus_a", scheme: str = "Bearer", params=None):
    authorization = f"{scheme} {token}" if token is not None else None
    return b.server.userinfo(OAuthRequest(server_id=server_id, base_url=BASE, params=params or {},
                                          authorization=authorization))


def assert_challenge(response, status: int, header: str) -> None:
    assert response.status == status
    assert response.body == ""  # okta-api.md 7.6: no JSON body
    assert response.headers["WWW-Authenticate"] == header
    assert response.headers["Cache-Control"] == "no-store"


# -- userinfo ---------------------------------------------------------------------------------------------------------


def test_ui01_userinfo_returns_the_claims_of_the_scopes(b):
    tokens = b.password("openid profile email")
    response = userinfo(b, tokens["access_token"])
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.body == {
        "sub": b.alice.id, "name": "Alice Liddell", "family_name": "Liddell", "given_name": "Alice",
        "preferred_username": "alice@example.com", "updated_at": int(b.alice.last_updated.timestamp()),
        "email": "alice@example.com", "email_verified": True,
    }


def test_ui02_sub_is_the_id_tokens_sub(b):
    tokens = b.password("openid")
    id_sub = jwt.decode(tokens["id_token"], options={"verify_signature": False})["sub"]
    assert userinfo(b, tokens["access_token"]).body == {"sub": id_sub}


def test_ui01_form_body_token_and_scheme_case(b):
    access = b.password("openid email")["access_token"]
    assert userinfo(b, None, params={"access_token": access}).status == 200
    assert userinfo(b, access, scheme="bearer").status == 200
    # a header wins: a bad header is not rescued by a good body token
    response = b.server.userinfo(OAuthRequest(server_id="aus_a", base_url=BASE, params={"access_token": access},
                                              authorization="Basic abc"))
    assert_challenge(response, 401, INVALID_TOKEN)


@pytest.mark.parametrize("token", [None, "", "garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_ui03_missing_or_malformed_token_is_401(b, token):
    assert_challenge(userinfo(b, token), 401, INVALID_TOKEN)


def test_ui03_expired_token_is_401(b):
    access = b.password("openid")["access_token"]
    b.clock.advance(hours=2)
    assert_challenge(userinfo(b, access), 401, INVALID_TOKEN)


def test_ui03_rev06_revoked_token_is_401(b):
    access = b.password("openid")["access_token"]
    assert b.server.revoke(b.req({"token": access})).status == 200
    assert_challenge(userinfo(b, access), 401, INVALID_TOKEN)


def test_ui03_token_without_openid_is_403_insufficient_scope(b):
    access = b.password("profile offline_access")["access_token"]
    assert_challenge(userinfo(b, access), 403, INSUFFICIENT_SCOPE)


def test_client_credentials_token_has_no_user(b):
    access = b.token({"grant_type": "client_credentials", "scope": "api:read"}, basic("svc", "svc-secret")).body
    assert_challenge(userinfo(b, access["access_token"]), 403, INSUFFICIENT_SCOPE)


def test_ui04_jat06_token_of_another_server_is_refused(b):
    access = b.password("openid", server_id="aus_b")["access_token"]
    assert userinfo(b, access, server_id="aus_b").status == 200
    assert_challenge(userinfo(b, access, server_id="aus_a"), 401, INVALID_TOKEN)


def test_jat05_id_token_is_not_an_access_token(b):
    tokens = b.password("openid")
    assert_challenge(userinfo(b, tokens["id_token"]), 401, INVALID_TOKEN)


def test_jat04_forged_tokens_are_refused(b):
    claims = jwt.decode(b.password("openid")["access_token"], options={"verify_signature": False})
    stranger = jwt.encode(claims, rsa_key("stranger"), algorithm="RS256",
                          headers={"kid": b.config().server.signing_kid})
    assert_challenge(userinfo(b, stranger), 401, INVALID_TOKEN)
    hs = jwt.encode(claims, "secret-secret-secret-secret-32b!", algorithm="HS256",
                    headers={"kid": b.config().server.signing_kid})
    assert_challenge(userinfo(b, hs), 401, INVALID_TOKEN)


def test_deactivated_user_or_deleted_client_gets_401(b):
    access = b.password("openid")["access_token"]
    b.users.set(b.alice.id, status=DEPROVISIONED)
    assert_challenge(userinfo(b, access), 401, INVALID_TOKEN)
    b.users.set(b.alice.id, status="ACTIVE")
    assert userinfo(b, access).status == 200
    b.w.directory.update("native", status=INACTIVE)
    assert_challenge(userinfo(b, access), 401, INVALID_TOKEN)
    del b.w.directory.clients["native"]
    assert_challenge(userinfo(b, access), 401, INVALID_TOKEN)


def test_userinfo_of_unknown_server_is_not_found(b):
    from chalicelib.errors import NotFoundError

    with pytest.raises(NotFoundError):
        userinfo(b, "x", server_id="aus_nope")


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=80)))
def test_h06_bearer_parser_never_fails_and_only_takes_bearer(header):
    value = bearer_token(header, {})
    if value is not None:
        assert header is not None and header.strip().lower().startswith("bearer ")
        assert value and " " not in value


# -- introspection of refresh tokens --------------------------------------------------------------------------------


def test_int03_owner_introspects_its_refresh_token(b):
    tokens = b.password()
    response = b.server.introspect(b.req({"token": tokens["refresh_token"], "token_type_hint": "refresh_token"}))
    assert response.headers["Cache-Control"] == "no-store"
    body = response.body
    family = next(iter(b.store.records.values()))[0]
    assert body == {
        "active": True, "token_type": "Bearer", "scope": "openid profile email offline_access",
        "client_id": "native", "username": "alice@example.com", "exp": family["expiresAt"], "iat": family["created"],
        "sub": "alice@example.com", "iss": f"{BASE}/oauth2/aus_a", "uid": b.alice.id,
    }


@pytest.mark.parametrize("hint", [None, "access_token", "refresh_token", "bogus"])
def test_int03_rev03_hints_do_not_matter(b, hint):
    tokens = b.password()
    params = {"token": tokens["refresh_token"]}
    if hint:
        params["token_type_hint"] = hint
    assert b.server.introspect(b.req(params)).body["active"] is True


def test_int02_other_clients_rotated_and_revoked_tokens_are_inactive(b):
    tokens = b.password()
    assert b.server.introspect(b.req({"token": tokens["refresh_token"]}, OTHER_NATIVE)).body == INACTIVE_BODY
    assert b.server.introspect(b.req({"token": tokens["refresh_token"]}, basic("svc", "svc-secret"))).body \
        == INACTIVE_BODY
    new = b.refresh(tokens["refresh_token"])["refresh_token"]
    assert b.server.introspect(b.req({"token": tokens["refresh_token"]})).body == INACTIVE_BODY  # rotated
    assert b.server.introspect(b.req({"token": new})).body["active"] is True
    # introspecting the rotated token was not a use: the family is intact
    assert b.refresh(new)["refresh_token"]


def test_int02_expired_and_dead_user_refresh_tokens_are_inactive(b):
    tokens = b.password()
    b.users.set(b.alice.id, status_changed=b.clock.now() + timedelta(seconds=1))
    b.clock.advance(seconds=2)
    assert b.server.introspect(b.req({"token": tokens["refresh_token"]})).body == INACTIVE_BODY
    fresh = b.password()
    b.clock.advance(days=8)  # the default window is 7 days
    assert b.server.introspect(b.req({"token": fresh["refresh_token"]})).body == INACTIVE_BODY


def test_refresh_token_of_another_server_is_inactive(b):
    tokens = b.password()
    assert b.server.introspect(b.req({"token": tokens["refresh_token"]}, server_id="aus_b")).body == INACTIVE_BODY


# -- revocation of refresh tokens ----------------------------------------------------------------------------------


def test_rev02_rt10_revoking_a_refresh_token_revokes_the_family_and_its_access_tokens(b):
    tokens = b.password()
    refreshed = b.refresh(tokens["refresh_token"])
    response = b.server.revoke(b.req({"token": refreshed["refresh_token"], "token_type_hint": "refresh_token"}))
    assert response.status == 200 and response.body == ""
    with pytest.raises(Exception):
        b.refresh(refreshed["refresh_token"])
    for access in (tokens["access_token"], refreshed["access_token"]):
        assert b.server.introspect(b.req({"token": access})).body == INACTIVE_BODY
        assert userinfo(b, access).status == 401


def test_revoking_a_rotated_refresh_token_revokes_the_family_too(b):
    tokens = b.password()
    refreshed = b.refresh(tokens["refresh_token"])
    assert b.server.revoke(b.req({"token": tokens["refresh_token"]})).status == 200
    assert b.server.introspect(b.req({"token": refreshed["refresh_token"]})).body == INACTIVE_BODY


def test_rev04_another_clients_refresh_token_is_not_revoked(b):
    tokens = b.password()
    with pytest.raises(InvalidRequestError):
        b.server.revoke(b.req({"token": tokens["refresh_token"]}, OTHER_NATIVE))
    assert b.refresh(tokens["refresh_token"])["refresh_token"]


def test_rev02_unknown_refresh_token_is_200(b):
    assert b.server.revoke(b.req({"token": "A" * 43})).status == 200


def test_rev05_revoking_the_access_token_leaves_the_refresh_token_working(b):
    """Pinned: revoking an access token does not revoke its grant (node-oidc's default)."""
    tokens = b.password()
    assert b.server.revoke(b.req({"token": tokens["access_token"]})).status == 200
    assert userinfo(b, tokens["access_token"]).status == 401
    refreshed = b.refresh(tokens["refresh_token"])
    assert userinfo(b, refreshed["access_token"]).status == 200


def test_basic_helper_is_what_the_world_uses():
    assert NATIVE == "Basic " + base64.b64encode(b"native:native-secret").decode()
    assert json.dumps(INACTIVE_BODY) == '{"active": false}'
