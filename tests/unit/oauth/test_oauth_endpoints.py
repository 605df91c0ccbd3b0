"""The token, introspection, revocation and discovery endpoints driven directly with in-memory services
(chalicelib.oauth.endpoints; TOK-01..08, JAT-02/06, INT-01..04, REV-01..06, DISC-02/03)."""
from __future__ import annotations

import json

import re

import jwt
import pytest

from chalicelib.errors import NotFoundError
from chalicelib.keys import lifecycle
from chalicelib.keys.errors import KeyMaterialError
from chalicelib.keys.signer import SigningKeyCache
from chalicelib.oauth.context import NO_STORE, OAuthRequest
from chalicelib.oauth.endpoints import discovery, introspection, revocation, token
from chalicelib.oauth.errors import (
    InvalidClientError,
    InvalidRequestError,
    InvalidScopeError,
    TemporarilyUnavailableError,
    UnauthorizedClientError,
    UnsupportedGrantTypeError,
)
from chalicelib.oauth.grants.client_credentials import ClientCredentialsGrant
from chalicelib.oauth.server import OAuthServer
from tests.unit.oauth.oauthfakes import (
    BASE,
    assertion,
    assertion_params,
    basic,
    client_rsa_jwk,
    fake_client,
    rsa_key,
    scope,
    server_config,
    world,
)

GRANTS = {"client_credentials": ClientCredentialsGrant()}
CAPABILITIES = discovery.Capabilities(grant_types=tuple(GRANTS))
SVC = basic("svc", "svc-secret")
OTHER = basic("other", "other-secret")
INACTIVE = {"active": False}


@pytest.fixture
def w():
    return world()


def req(server: str, params: dict | None = None, authorization: str | None = None) -> OAuthRequest:
    return OAuthRequest(server_id=server, base_url=BASE, params=params or {}, authorization=authorization)


def issue(w, server: str = "aus_a", authorization: str | None = SVC, **params: str) -> dict:
    response = token.token(w.services, GRANTS, req(server, {"grant_type": "client_credentials", **params},
                                                   authorization))
    assert response.status == 200
    return response.body


def introspect(w, access_token: str, server: str = "aus_a", authorization: str | None = OTHER):
    return introspection.introspect(w.services, req(server, {"token": access_token}, authorization))


def revoke(w, access_token: str, server: str = "aus_a", authorization: str | None = SVC):
    return revocation.revoke(w.services, req(server, {"token": access_token}, authorization))


def decode(w, access_token: str, server: str = "aus_a") -> dict:
    config = w.config(server)
    iss = f"{BASE}/oauth2/{'default' if config.server.default else server}"
    return jwt.decode(access_token, jwt.PyJWK(lifecycle.published(config.keys)[0]).key, algorithms=["RS256"],
                      audience=config.server.audiences[0], issuer=iss, options={"verify_exp": False,
                                                                                "verify_iat": False})


# -- token endpoint -----------------------------------------------------------------------------------------------


def test_tok01_tok02_success_is_no_store_with_exact_members(w):
    response = token.token(w.services, GRANTS, req("aus_a", {"grant_type": "client_credentials",
                                                             "scope": "api:read"}, SVC))
    assert response.status == 200
    assert response.headers == {"Cache-Control": "no-store", "Pragma": "no-cache"}
    body = response.body
    assert set(body) == {"token_type", "expires_in", "access_token", "scope"}
    assert body["token_type"] == "Bearer"
    assert type(body["expires_in"]) is int and body["expires_in"] == 3600
    assert isinstance(body["access_token"], str) and body["access_token"]
    assert body["scope"] == "api:read"


def test_tok05_access_token_uses_only_allowed_characters(w):
    # RFC 6749 A.12: access-token = 1*VSCHAR
    assert re.fullmatch(r"[\x20-\x7e]+", issue(w)["access_token"])


def test_jat02_tok06_token_claims_for_client_credentials(w):
    body = issue(w, scope="api:read api:write")
    claims = decode(w, body["access_token"])
    header = jwt.get_unverified_header(body["access_token"])
    assert header == {"kid": w.config("aus_a").server.signing_kid, "alg": "RS256"}
    assert list(claims) == ["ver", "jti", "iss", "aud", "sub", "iat", "exp", "cid", "scp"]
    assert claims["iss"] == f"{BASE}/oauth2/aus_a"
    assert claims["aud"] == "api://aus_a"
    assert claims["sub"] == claims["cid"] == "svc"  # TOK-06: sub = the client
    assert claims["scp"] == ["api:read", "api:write"]
    assert claims["iat"] == int(w.clock.now().timestamp())
    assert claims["exp"] - claims["iat"] == body["expires_in"]
    assert claims["jti"].startswith("AT.")
    assert "uid" not in claims


def test_default_scopes_when_no_scope_is_requested(w):
    assert issue(w)["scope"] == "api:read"
    assert issue(w, scope="")["scope"] == "api:read"


def test_client_secret_post_and_note_of_the_holder(w):
    body = issue(w, authorization=None, client_id="post", client_secret="post-secret")
    assert decode(w, body["access_token"])["cid"] == "post"
    assert w.holders.noted == [("aus_a", "post")]


def test_each_token_has_its_own_jti_and_times_while_the_decision_is_reused(w):
    first = decode(w, issue(w, scope="api:read")["access_token"])
    w.clock.advance(seconds=10)
    second = decode(w, issue(w, scope="api:read")["access_token"])
    assert first["jti"] != second["jti"]
    assert second["iat"] == first["iat"] + 10 and second["exp"] == first["exp"] + 10
    assert {k: v for k, v in first.items() if k not in ("jti", "iat", "exp")} == \
        {k: v for k, v in second.items() if k not in ("jti", "iat", "exp")}


def test_a_policy_change_applies_once_the_configuration_cache_reloads(w):
    assert issue(w)["expires_in"] == 3600
    w.loader.configs["aus_a"] = server_config("aus_a", w.private_keys[w.config("aus_a").server.signing_kid],
                                              access_minutes=5)
    w.clock.advance(seconds=29)
    assert issue(w)["expires_in"] == 3600  # the documented staleness bound: the cache TTL (30 s here)
    w.clock.advance(seconds=2)
    body = issue(w)
    assert body["expires_in"] == 300
    claims = decode(w, body["access_token"])
    assert claims["exp"] - claims["iat"] == 300


def test_a_refused_request_is_refused_every_time_with_a_fresh_error(w):
    errors = []
    for _ in range(2):
        with pytest.raises(InvalidScopeError) as caught:
            issue(w, scope="api:unknown")
        errors.append(caught.value)
    assert errors[0] is not errors[1]
    assert errors[0].description == errors[1].description


def test_tok06_no_refresh_token_even_with_offline_access(w):
    with pytest.raises(InvalidScopeError):
        issue(w, scope="api:read offline_access")


@pytest.mark.parametrize("scopes", ["openid", "unknown:scope", 'api:"read"'])
def test_invalid_scopes(w, scopes):
    with pytest.raises(InvalidScopeError):
        issue(w, scope=scopes)


def test_tok06_client_credentials_only_for_confidential_clients(w):
    w.directory.update("spa", grant_types=("authorization_code", "client_credentials"))
    with pytest.raises(InvalidClientError):
        issue(w, authorization=None, client_id="spa")


def test_tok08_unsupported_grant_type_lists_valid_values(w):
    for grant in ("password", "refresh_token", "authorization_code", "urn:ietf:params:oauth:grant-type:jwt-bearer",
                  "CLIENT_CREDENTIALS"):
        with pytest.raises(UnsupportedGrantTypeError) as raised:
            token.token(w.services, GRANTS, req("aus_a", {"grant_type": grant}, SVC))
        assert raised.value.error == "unsupported_grant_type"
        assert "[client_credentials]" in raised.value.description


@pytest.mark.parametrize("params", [{}, {"grant_type": ""}, {"scope": "api:read"}])
def test_missing_grant_type_is_invalid_request_listing_valid_values(w, params):
    with pytest.raises(InvalidRequestError) as raised:
        token.token(w.services, GRANTS, req("aus_a", params, SVC))
    assert "grant_type" in raised.value.description
    assert "Valid values: [client_credentials]" in raised.value.description


def test_unauthorized_client_when_the_grant_is_not_registered(w):
    with pytest.raises(UnauthorizedClientError) as raised:
        issue(w, authorization=basic("nogrant", "nogrant-secret"))
    assert raised.value.error == "unauthorized_client"
    assert "[authorization_code]" in raised.value.description


@pytest.mark.parametrize("authorization", [None, basic("svc", "wrong"), basic("nobody", "x")])
def test_token_endpoint_refuses_unauthenticated_clients(w, authorization):
    with pytest.raises(InvalidClientError):
        issue(w, authorization=authorization, client_id="svc")


@pytest.mark.parametrize("server", ["aus_nope", "aus_off"])
def test_unknown_or_inactive_server_is_not_found(w, server):
    w.loader.configs["aus_off"] = server_config("aus_off", rsa_key("server-a"), status="INACTIVE")
    with pytest.raises(NotFoundError):
        issue(w, server=server)


def test_signing_key_unavailable_is_temporarily_unavailable(w):
    def load(_server, _kid):
        raise KeyMaterialError("kms down")

    w.services.signer = SigningKeyCache(load, w.clock.now)
    with pytest.raises(TemporarilyUnavailableError) as raised:
        issue(w)
    assert raised.value.status == 503


class PrefetchRecorder(SigningKeyCache):
    """The container's signer (loading ahead on another thread), recording what the token endpoint prefetched."""

    def __init__(self, w) -> None:
        super().__init__(lambda _server, kid: w.private_keys[kid], w.clock.now, background=True)
        self.prefetched: list[tuple[str, str]] = []
        self.threads: list = []

    def prefetch(self, auth_server_id: str, active_kid: str):
        self.prefetched.append((auth_server_id, active_kid))
        thread = super().prefetch(auth_server_id, active_kid)
        self.threads.append(thread)
        return thread


def test_a_cold_signer_loads_the_key_ahead_only_for_an_authenticated_client(w):
    w.services.signer = signer = PrefetchRecorder(w)
    kid = w.loader.configs["aus_a"].server.signing_kid
    with pytest.raises(InvalidClientError):
        issue(w, authorization=basic("svc", "wrong"))
    assert signer.prefetched == []  # no key is fetched for a caller that did not authenticate
    assert decode(w, issue(w)["access_token"])["cid"] == "svc"
    assert signer.prefetched == [("aus_a", kid)] and signer.threads[0] is not None
    issue(w)  # warm: the key is cached, nothing is started
    assert signer.threads[1] is None


def test_private_key_jwt_client_with_audience_of_this_server_only(w):
    key = rsa_key("endpoint-client")
    w.directory.add(fake_client("client1", token_endpoint_auth_method="private_key_jwt",
                                jwks={"keys": [client_rsa_jwk(key, "k1")]}))
    body = issue(w, authorization=None, **assertion_params(assertion(key, now=w.clock.now())))
    assert decode(w, body["access_token"])["sub"] == "client1"
    # An assertion made for server B's token endpoint is no good at server A.
    other = assertion(key, now=w.clock.now(), aud=f"{BASE}/oauth2/aus_b/v1/token")
    with pytest.raises(InvalidClientError):
        issue(w, authorization=None, **assertion_params(other))
    assert issue(w, server="aus_b", authorization=None, **assertion_params(other))


def test_default_server_issuer_is_the_alias(w):
    body = issue(w, server="default")
    claims = decode(w, body["access_token"], server="aus_default")
    assert claims["iss"] == f"{BASE}/oauth2/default"
    assert claims["aud"] == "api://default"
    # the same server under its id issues the same issuer
    assert decode(w, issue(w, server="aus_default")["access_token"], server="aus_default")["iss"] == claims["iss"]


# -- introspection ------------------------------------------------------------------------------------------------


def test_int03_int04_active_token_members(w):
    body = issue(w, scope="api:read api:write")
    claims = decode(w, body["access_token"])
    response = introspect(w, body["access_token"])
    assert response.status == 200
    assert response.headers == NO_STORE
    assert response.body == {
        "active": True, "scope": "api:read api:write", "username": "svc", "exp": claims["exp"],
        "iat": claims["iat"], "sub": "svc", "aud": "api://aus_a", "iss": f"{BASE}/oauth2/aus_a",
        "jti": claims["jti"], "token_type": "Bearer", "client_id": "svc",
    }


def test_int01_introspection_requires_client_authentication(w):
    access = issue(w)["access_token"]
    with pytest.raises(InvalidClientError):
        introspect(w, access, authorization=None)
    with pytest.raises(InvalidClientError):
        introspect(w, access, authorization=basic("other", "wrong"))
    with pytest.raises(InvalidClientError):
        introspection.introspect(w.services, req("aus_a", {"token": access, "client_id": "svc"}))


def _token_of(w, client_id: str) -> str:
    from chalicelib.keys import jws

    claims = decode(w, issue(w)["access_token"])
    claims["cid"] = claims["sub"] = client_id
    return jws.sign(claims, w.services.signer.get("aus_a", w.config("aus_a").server.signing_kid))


def test_int02_public_client_learns_only_about_its_own_tokens(w):
    """A public client authenticates with a client_id alone, which is no secret: another client's token is
    "not allowed for this caller" (INT-02)."""
    others = introspection.introspect(w.services, req("aus_a", {"token": issue(w)["access_token"],
                                                                "client_id": "spa"}))
    assert (others.status, others.body) == (200, INACTIVE)
    own = introspection.introspect(w.services, req("aus_a", {"token": _token_of(w, "spa"), "client_id": "spa"}))
    assert own.body["active"] is True and own.body["client_id"] == "spa"


@pytest.mark.parametrize("params", [{}, {"token": ""}])
def test_introspection_token_parameter_is_required(w, params):
    with pytest.raises(InvalidRequestError):
        introspection.introspect(w.services, req("aus_a", params, OTHER))


def test_jat06_token_of_server_a_is_inactive_at_server_b(w):
    access = issue(w, server="aus_a")["access_token"]
    assert introspect(w, access, server="aus_b").body == INACTIVE
    assert introspect(w, access, server="default").body == INACTIVE
    assert introspect(w, access, server="aus_a").body["active"] is True


def _id_token_like(w) -> str:
    from chalicelib.keys import jws

    claims = decode(w, issue(w)["access_token"])
    claims["jti"] = "ID." + claims["jti"][3:]
    return jws.sign(claims, w.services.signer.get("aus_a", w.config("aus_a").server.signing_kid))


def _tampered(token: str) -> str:
    """The token with the start of its signature changed (always different from the original)."""
    header, payload, signature = token.split(".")
    return f"{header}.{payload}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


@pytest.mark.parametrize("make", [
    pytest.param(lambda w: "garbage", id="garbage"),
    pytest.param(lambda w: "a.b.c", id="three-dots"),
    pytest.param(lambda w: "x" * 20_000, id="oversized"),
    pytest.param(lambda w: issue(w, server="aus_b")["access_token"], id="other-server"),
    pytest.param(lambda w: _tampered(issue(w)["access_token"]), id="bad-signature"),
    pytest.param(_id_token_like, id="id-token"),
])
def test_int02_inactive_tokens_answer_exactly_active_false(w, make):
    response = introspect(w, make(w))
    assert (response.status, response.body, response.headers) == (200, INACTIVE, NO_STORE)


def test_int02_expired_token_is_inactive_after_the_skew(w):
    body = issue(w)
    w.clock.advance(seconds=body["expires_in"] + 29)
    assert introspect(w, body["access_token"]).body["active"] is True
    w.clock.advance(seconds=1)
    assert introspect(w, body["access_token"]).body == INACTIVE


def test_int02_rev06_revoked_token_is_inactive(w):
    access = issue(w)["access_token"]
    assert revoke(w, access).status == 200
    response = introspect(w, access)
    assert (response.status, response.body) == (200, INACTIVE)


def test_inactive_answer_is_a_fresh_dict_each_time(w):
    first = introspect(w, "garbage").body
    first["leak"] = True
    assert introspect(w, "garbage").body == INACTIVE
    assert introspection.INACTIVE == INACTIVE


# -- revocation ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "x" * 20_000, "AT.not-a-jwt"])
def test_rev02_unknown_token_is_200_and_nothing_is_recorded(w, garbage):
    response = revoke(w, garbage)
    assert (response.status, response.body, response.headers) == (200, "", NO_STORE)
    assert w.revocations.revoked == {}


def test_rev02_rev06_revoked_token_is_recorded_until_it_expires(w):
    body = issue(w)
    claims = decode(w, body["access_token"])
    assert revoke(w, body["access_token"]).status == 200
    client_id, expires = w.revocations.revoked[claims["jti"]]
    assert client_id == "svc"
    assert int(expires.timestamp()) == claims["exp"]
    assert introspect(w, body["access_token"]).body == INACTIVE
    # revoking again is still 200
    assert revoke(w, body["access_token"]).status == 200


def test_rev04_token_of_another_client_is_not_revoked(w):
    access = issue(w)["access_token"]
    with pytest.raises(InvalidRequestError) as raised:
        revoke(w, access, authorization=OTHER)
    assert raised.value.status == 400
    assert w.revocations.revoked == {}
    assert introspect(w, access).body["active"] is True


def test_rev04_public_client_cannot_revoke_a_confidential_clients_token(w):
    access = issue(w)["access_token"]
    with pytest.raises(InvalidRequestError):
        revocation.revoke(w.services, req("aus_a", {"token": access, "client_id": "spa"}))
    assert introspect(w, access).body["active"] is True


def test_token_of_server_a_revoked_at_server_b_is_a_no_op(w):
    access = issue(w)["access_token"]
    assert revoke(w, access, server="aus_b").status == 200
    assert w.revocations.revoked == {}
    assert introspect(w, access).body["active"] is True


def test_rev01_revocation_requires_client_authentication_and_a_token(w):
    access = issue(w)["access_token"]
    with pytest.raises(InvalidClientError):
        revoke(w, access, authorization=None)
    with pytest.raises(InvalidClientError):
        revoke(w, access, authorization=basic("svc", "wrong"))
    with pytest.raises(InvalidRequestError):
        revocation.revoke(w.services, req("aus_a", {}, SVC))
    assert introspect(w, access).body["active"] is True


def test_revoking_an_expired_token_is_200_and_records_nothing(w):
    body = issue(w)
    w.clock.advance(seconds=body["expires_in"] + 60)
    assert revoke(w, body["access_token"]).status == 200
    assert w.revocations.revoked == {}


# -- discovery ----------------------------------------------------------------------------------------------------


def documents(w, server: str = "aus_a", capabilities=CAPABILITIES):
    oauth = discovery.discovery(w.services, capabilities, req(server), openid=False)
    oidc = discovery.discovery(w.services, capabilities, req(server), openid=True)
    assert oauth.status == oidc.status == 200
    assert oauth.headers == oidc.headers == {"Cache-Control": "max-age=300"}
    return oauth.body, oidc.body


def _no_empty_arrays(doc: dict) -> None:
    for name, value in doc.items():
        assert value not in ([], "", None), name


@pytest.mark.parametrize("server, path", [("aus_a", "aus_a"), ("default", "default"), ("aus_default", "default")])
def test_disc02_issuer_is_byte_equal_to_the_token_issuer(w, server, path):
    oauth, oidc = documents(w, server)
    expected = f"{BASE}/oauth2/{path}"
    assert oauth["issuer"] == oidc["issuer"] == expected
    assert decode(w, issue(w, server=server)["access_token"], server=w.loader.resolve(server))["iss"] == expected
    for doc in (oauth, oidc):
        for name, value in doc.items():
            if name.endswith("_endpoint") or name == "jwks_uri":
                assert value.startswith("https://") and "?" not in value and "#" not in value
                if name != "registration_endpoint":
                    assert value.startswith(expected + "/v1/"), name


def test_disc03_members_and_types(w):
    oauth, oidc = documents(w)
    for doc in (oauth, oidc):
        _no_empty_arrays(doc)
        for name in ("issuer", "token_endpoint", "jwks_uri", "introspection_endpoint", "revocation_endpoint"):
            assert isinstance(doc[name], str)
        assert doc["token_endpoint"] == f"{BASE}/oauth2/aus_a/v1/token"
        assert doc["jwks_uri"] == f"{BASE}/oauth2/aus_a/v1/keys"
        assert doc["subject_types_supported"] == ["public"]
        assert "none" not in doc["token_endpoint_auth_signing_alg_values_supported"]
        assert doc["token_endpoint_auth_methods_supported"] == doc["introspection_endpoint_auth_methods_supported"] \
            == doc["revocation_endpoint_auth_methods_supported"]
        # nothing advertised that this deployment does not implement
        for absent in ("authorization_endpoint", "userinfo_endpoint", "end_session_endpoint",
                       "response_types_supported", "code_challenge_methods_supported"):
            assert absent not in doc
    assert oidc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "id_token_signing_alg_values_supported" not in oauth


def test_disc03_only_published_scopes(w):
    oauth, oidc = documents(w)
    assert oauth["scopes_supported"] == oidc["scopes_supported"] == [
        "api:read", "api:write", "openid", "profile", "email", "address", "phone", "offline_access", "device_sso"]
    assert "api:hidden" not in oauth["scopes_supported"]


def test_disc03_no_published_scope_means_no_scopes_member(w):
    config = w.config("aus_a")
    config.scopes[:] = [scope("api:hidden", publish="NO_CLIENTS")]
    oauth, oidc = documents(w)
    assert "scopes_supported" not in oauth and "scopes_supported" not in oidc
    _no_empty_arrays(oauth)
    _no_empty_arrays(oidc)


def test_disc03_openid_document_omits_client_credentials(w):
    oauth, oidc = documents(w)
    assert oauth["grant_types_supported"] == ["client_credentials"]
    assert "grant_types_supported" not in oidc  # nothing left, so no empty array


def test_disc01_both_documents_agree_on_shared_members(w):
    oauth, oidc = documents(w)
    shared = set(oauth) & set(oidc)
    assert {"issuer", "token_endpoint", "jwks_uri", "scopes_supported"} <= shared
    assert {name: oauth[name] for name in shared} == {name: oidc[name] for name in shared}


def test_disc03_with_a_user_facing_deployment(w):
    capabilities = discovery.Capabilities(grant_types=("authorization_code", "client_credentials"),
                                          response_types=("code",), authorization_endpoint=True,
                                          userinfo_endpoint=True, end_session_endpoint=True)
    oauth, oidc = documents(w, capabilities=capabilities)
    assert oauth["grant_types_supported"] == ["authorization_code", "client_credentials"]
    assert oidc["grant_types_supported"] == ["authorization_code"]
    assert oidc["userinfo_endpoint"] == f"{BASE}/oauth2/aus_a/v1/userinfo"
    assert "userinfo_endpoint" not in oauth
    for doc in (oauth, oidc):
        assert doc["response_types_supported"] == ["code"]
        assert doc["code_challenge_methods_supported"] == ["S256"]
        assert doc["authorization_endpoint"] == f"{BASE}/oauth2/aus_a/v1/authorize"
    shared = (set(oauth) & set(oidc)) - {"grant_types_supported"}
    assert {name: oauth[name] for name in shared} == {name: oidc[name] for name in shared}


def test_discovery_of_unknown_server_is_not_found(w):
    with pytest.raises(NotFoundError):
        documents(w, "aus_nope")


# -- the OAuthServer facade ---------------------------------------------------------------------------------------


def test_oauth_server_wires_the_same_endpoints(w):
    server = OAuthServer(w.services)
    server.register_grant(ClientCredentialsGrant())
    assert set(server.grants) == {"client_credentials"}
    response = server.token(req("aus_a", {"grant_type": "client_credentials"}, SVC))
    access = response.body["access_token"]
    assert server.introspect(req("aus_a", {"token": access}, OTHER)).body["active"] is True
    assert server.revoke(req("aus_a", {"token": access}, SVC)).status == 200
    assert server.introspect(req("aus_a", {"token": access}, OTHER)).body == INACTIVE
    assert json.loads(server.metadata(req("aus_a"), openid=False).body)["grant_types_supported"] == ["client_credentials"]
    assert w.loader.loads == ["aus_a"]  # one configuration read for all of it (TTL cache)
    w.clock.advance(minutes=1)
    server.metadata(req("aus_a"), openid=True)
    assert w.loader.loads == ["aus_a", "aus_a"]
