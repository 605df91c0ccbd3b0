"""Token exchange (RFC 8693, Okta's on-behalf-of) in-process: the happy paths across trusted servers and at one
server, and every refusal (docs/security-cases/exchange.md TX-01..TX-14)."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt

from chalicelib.oauth.grants.token_exchange import (INVALID_AUDIENCE, INVALID_SUBJECT, INVALID_SUBJECT_TYPE,
                                                    NOT_TRUSTED, ONLY_SERVICE, OPENID_NOT_ALLOWED, SUBJECT_ENDED)
from tests.integration.api.apisupport import SERVERS
from tests.integration.exchange.exchange_support import ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE, claims


def error(response, status: int, code: str, description: str | None = None) -> None:
    assert response.status_code == status, response.data
    assert response.data["error"] == code, response.data
    if description is not None:
        assert response.data["error_description"] == description, response.data
    assert response.headers["Cache-Control"] == "no-store"


def test_tx01_a_user_token_of_a_trusted_server_is_exchanged_for_one_of_this_server(tx):
    """TX-01: the exchanged token keeps the user (sub, uid), names the exchanging app (cid) and the actor (act)."""
    assert tx.trust(tx.b, tx.a).status_code == 200
    subject = tx.user_token()
    response = tx.exchange(subject)
    assert response.status_code == 200, response.data
    body = response.data
    assert list(body) == ["token_type", "expires_in", "access_token", "scope", "issued_token_type"]
    assert (body["token_type"], body["expires_in"], body["scope"], body["issued_token_type"]) == (
        "Bearer", 3600, "b:read", ACCESS_TOKEN_TYPE)
    assert "refresh_token" not in body and "id_token" not in body
    issued, original = claims(body["access_token"]), claims(subject)
    assert issued["iss"] == f"https://tokenmint.test/oauth2/{tx.b}" and issued["aud"] == tx.b_audience
    assert (issued["sub"], issued["uid"]) == (original["sub"], tx.alice.id) == (tx.alice.login, tx.alice.id)
    assert issued["cid"] == tx.api1.client_id != original["cid"]
    assert issued["act"] == {"sub": tx.api1.client_id}
    assert issued["scp"] == ["b:read"] and issued["jti"] != original["jti"]
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256"
    keys = tx.world._oauth("GET", f"/oauth2/{tx.b}/v1/keys", {}).data["keys"]
    key = jwt.PyJWK.from_dict(next(k for k in keys if k["kid"] == header["kid"])).key
    jwt.decode(body["access_token"], key, algorithms=["RS256"], audience=tx.b_audience,
               options={"verify_iat": False, "verify_exp": False})
    # The token is B's own: B's introspection vouches for it.
    assert tx.world.introspect(tx.api1, body["access_token"], server=tx.b).data["active"] is True


def test_tx01_exchange_at_the_issuing_server_itself_needs_no_trust(tx):
    response = tx.exchange(tx.user_token(), server="default")
    assert response.status_code == 200, response.data
    issued = claims(response.data["access_token"])
    assert issued["iss"] == "https://tokenmint.test/oauth2/default" and issued["scp"] == ["a:read"]
    assert issued["uid"] == tx.alice.id and issued["act"] == {"sub": tx.api1.client_id}


def test_tx02_a_token_of_a_server_not_trusted_is_refused_with_oktas_403(tx):
    error(tx.exchange(tx.user_token()), 403, "access_denied", NOT_TRUSTED)
    # Trust is one-way: A trusting B does not make B accept A's tokens.
    assert tx.trust(tx.a, tx.b).status_code == 200
    error(tx.exchange(tx.user_token()), 403, "access_denied", NOT_TRUSTED)
    # And removing the trust refuses again at once (the change reaches the token path's cache).
    assert tx.trust(tx.b, tx.a).status_code == 200
    assert tx.exchange(tx.user_token()).status_code == 200
    assert tx.api.delete(f"{SERVERS}/{tx.b}/associatedServers/{tx.a}").status_code == 204
    error(tx.exchange(tx.user_token()), 403, "access_denied", NOT_TRUSTED)


def test_tx02_an_issuer_outside_this_deployment_or_the_org_server_is_not_trusted(tx):
    assert tx.trust(tx.b, tx.a).status_code == 200
    for iss in ("https://evil.example/oauth2/default", "https://tokenmint.test", "https://tokenmint.test/oauth2/"
                "ausOrgAuthzServer001", "https://tokenmint.test/oauth2/ausNoSuchServer00001"):
        forged = jwt.encode({"iss": iss, "uid": tx.alice.id}, "k" * 32, algorithm="HS256")
        error(tx.exchange(forged), 403, "access_denied", NOT_TRUSTED)


def test_tx02_a_trusted_server_that_is_deactivated_is_trusted_no_more(tx):
    assert tx.trust(tx.b, tx.a).status_code == 200
    subject = tx.user_token()
    other = tx.api.post(SERVERS, {"name": "C", "audiences": ["api://c"]}).data["id"]
    assert tx.trust(tx.b, other).status_code == 200
    assert tx.api.post(f"{SERVERS}/{other}/lifecycle/deactivate").status_code == 204
    forged = jwt.encode({"iss": f"https://tokenmint.test/oauth2/{other}"}, "k" * 32, algorithm="HS256")
    error(tx.exchange(forged), 403, "access_denied", NOT_TRUSTED)
    assert tx.exchange(subject).status_code == 200


def _tampered(token: str, **changes) -> str:
    head, payload, signature = token.split(".")
    body = claims(token) | changes
    encoded = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    return ".".join((head, encoded, signature))


def test_tx03_tampered_forged_and_malformed_subject_tokens_are_invalid_requests(tx):
    assert tx.trust(tx.b, tx.a).status_code == 200
    subject = tx.user_token()
    original = claims(subject)
    bob = tx.world.user("bob")
    iss = original["iss"]
    forgeries = {
        "tampered payload": _tampered(subject, uid=bob.id),
        "alg none": jwt.encode(original, None, algorithm="none"),
        "HS256 with the public key's kid": jwt.encode(original, "x" * 32, algorithm="HS256",
                                                      headers={"kid": jwt.get_unverified_header(subject)["kid"]}),
        "garbage": "not-a-jwt",
        "signature cut": subject.rsplit(".", 1)[0] + ".",
    }
    for forged in forgeries.values():
        error(tx.exchange(forged), 400, "invalid_request", INVALID_SUBJECT)
    # Signed by another server's key though naming A as issuer: still A's keys that decide.
    b_token = tx.exchange(subject).data["access_token"]
    relabelled = _tampered(b_token, iss=iss)
    error(tx.exchange(relabelled), 400, "invalid_request", INVALID_SUBJECT)


def test_tx03_an_id_token_or_a_client_credentials_token_is_not_a_user_access_token(tx):
    response = tx.world.password(tx.mobile, tx.alice, "openid a:read", server="default")
    error(tx.exchange(response.data["id_token"], server="default"), 400, "invalid_request", INVALID_SUBJECT)
    service = tx.world.token(tx.api1, "default", grant_type="client_credentials", scope="a:write")
    # The default rule of the default server lets client_credentials through; a token without a user is refused.
    assert service.status_code == 200, service.data
    error(tx.exchange(service.data["access_token"], server="default"), 400, "invalid_request", INVALID_SUBJECT)


def test_tx04_an_expired_subject_token_is_refused(tx, container):
    subject = tx.user_token()
    container.clock.advance(minutes=61)
    error(tx.exchange(subject, server="default"), 400, "invalid_grant", SUBJECT_ENDED)


def test_tx04_a_revoked_subject_token_is_refused(tx):
    subject = tx.user_token()
    assert tx.world.revoke(tx.mobile, subject).status_code == 200
    error(tx.exchange(subject, server="default"), 400, "invalid_grant", SUBJECT_ENDED)


def test_tx05_the_user_must_still_be_active(tx):
    subject = tx.user_token()
    tx.world.advance(seconds=2)  # a change counts against tokens issued before its second (oauth/vouching.py)
    tx.world.lifecycle(tx.alice, "suspend")
    error(tx.exchange(subject, server="default"), 400, "invalid_grant", SUBJECT_ENDED)
    tx.world.lifecycle(tx.alice, "unsuspend")  # a token outlives no suspension (oauth/vouching.py)
    error(tx.exchange(subject, server="default"), 400, "invalid_grant", SUBJECT_ENDED)
    fresh = tx.user_token()
    tx.world.advance(seconds=2)
    tx.world.lifecycle(tx.alice, "deactivate")
    error(tx.exchange(fresh, server="default"), 400, "invalid_grant", SUBJECT_ENDED)


def test_tx06_only_the_access_token_type_is_accepted(tx):
    subject = tx.user_token()
    for token_type in ("urn:ietf:params:oauth:token-type:id_token", "urn:ietf:params:oauth:token-type:jwt",
                       "urn:ietf:params:oauth:token-type:refresh_token", "access_token"):
        error(tx.exchange(subject, server="default", subject_token_type=token_type), 400, "invalid_request",
              INVALID_SUBJECT_TYPE)
    error(tx.exchange(subject, server="default", subject_token_type=None), 400, "invalid_request",
          "The required parameter 'subject_token_type' is missing.")
    error(tx.exchange(None, server="default"), 400, "invalid_request",  # type: ignore[arg-type]
          "The required parameter 'subject_token' is missing.")
    error(tx.exchange(subject, server="default", requested_token_type="urn:ietf:params:oauth:token-type:id_token"),
          400, "invalid_request", "'requested_token_type' is invalid or not supported.")
    assert tx.exchange(subject, server="default", requested_token_type=ACCESS_TOKEN_TYPE).status_code == 200


def test_tx07_the_audience_must_be_this_servers(tx):
    assert tx.trust(tx.b, tx.a).status_code == 200
    subject = tx.user_token()
    for audience in ("api://default", "api://other", None, ""):
        error(tx.exchange(subject, audience=audience), 400, "invalid_target", INVALID_AUDIENCE)
    error(tx.exchange(subject, resource="https://api.example.com"), 400, "invalid_target",
          "'resource' is invalid or not supported.")


def test_tx08_a_client_without_the_grant_type_is_unauthorized(tx):
    plain = tx.service_app(grants=("client_credentials",))
    response = tx.exchange(tx.user_token(), server="default", app=plain)
    error(response, 400, "unauthorized_client")
    assert TOKEN_EXCHANGE not in response.data["error_description"]


def test_tx08_only_service_apps_exchange(tx):
    web = tx.world.client(grants=("authorization_code", TOKEN_EXCHANGE), application_type="web")
    error(tx.exchange(tx.user_token(), server="default", app=web), 400, "invalid_request", ONLY_SERVICE)


def test_tx08_public_clients_cannot_exchange(tx):
    response = tx.world.token(tx.mobile, "default", grant_type=TOKEN_EXCHANGE, subject_token=tx.user_token(),
                              subject_token_type=ACCESS_TOKEN_TYPE, audience="api://default")
    assert response.status_code in (400, 401), response.data
    assert response.data["error"] in ("unauthorized_client", "invalid_client")


def test_tx09_a_rule_that_does_not_list_the_grant_type_refuses(tx):
    rule_path = f"{SERVERS}/{tx.a}/policies/{tx.policies[tx.a]}/rules/{tx.rules[tx.a]}"
    rule = tx.api.get(rule_path).data
    rule["conditions"]["grantTypes"]["include"] = ["client_credentials"]
    assert tx.api.put(rule_path, rule).status_code == 200
    response = tx.exchange(tx.user_token(), server="default")
    error(response, 401, "access_denied",
          "Policy evaluation failed for this request, please check the policy configurations.")


def test_tx10_scopes_beyond_the_rule_are_refused_and_defaults_narrowed(tx):
    subject = tx.user_token()
    error(tx.exchange(subject, server="default", scope="a:read a:write"), 400, "access_denied",
          "Some of the requested scopes were denied by the policy. Denied scopes: [a:write].")
    error(tx.exchange(subject, server="default", scope="a:write"), 400, "access_denied",
          "Policy evaluation succeeded, but all the requested scopes were rejected.")
    # No scope: the server's default scopes, narrowed to what the rule allows.
    for name in ("a:read", "a:write"):
        scope = next(s for s in tx.api.get(f"{SERVERS}/{tx.a}/scopes").data if s["name"] == name)
        assert tx.api.put(f"{SERVERS}/{tx.a}/scopes/{scope['id']}", {**scope, "default": True}).status_code == 200
    response = tx.exchange(subject, server="default", scope=None)
    assert response.status_code == 200, response.data
    assert response.data["scope"] == "a:read"


def test_tx11_no_openid_or_offline_access_for_a_service_app(tx):
    subject = tx.user_token()
    for scope in ("openid", "a:read offline_access", "a:read profile"):
        error(tx.exchange(subject, server="default", scope=scope), 400, "invalid_scope", OPENID_NOT_ALLOWED)


def test_tx12_an_actor_token_must_be_the_exchanging_apps_own(tx):
    subject = tx.user_token()
    # The app's own user-less token is no actor token (it has no user to stand for), but a token the app got
    # from an earlier exchange is: the actor is that token's subject, on behalf of the app.
    first = tx.exchange(subject, server="default").data["access_token"]
    response = tx.exchange(subject, server="default", actor_token=first, actor_token_type=ACCESS_TOKEN_TYPE)
    assert response.status_code == 200, response.data
    assert claims(response.data["access_token"])["act"] == {"sub": tx.alice.login, "cid": tx.api1.client_id}
    # Another client's token as the actor is refused.
    error(tx.exchange(subject, server="default", actor_token=subject, actor_token_type=ACCESS_TOKEN_TYPE),
          400, "invalid_request", "'actor_token' is invalid.")
    error(tx.exchange(subject, server="default", actor_token=first), 400, "invalid_request",
          "The required parameter 'actor_token_type' is missing.")
    error(tx.exchange(subject, server="default", actor_token_type=ACCESS_TOKEN_TYPE), 400, "invalid_request",
          "The required parameter 'actor_token' is missing.")
    error(tx.exchange(subject, server="default", actor_token=first,
                      actor_token_type="urn:ietf:params:oauth:token-type:jwt"),
          400, "invalid_request", "'actor_token_type' is invalid or not supported.")
    error(tx.exchange(subject, server="default", actor_token="garbage", actor_token_type=ACCESS_TOKEN_TYPE),
          400, "invalid_request", "'actor_token' is invalid.")


def test_tx13_a_chain_of_exchanges_nests_the_prior_actors(tx):
    assert tx.trust(tx.b, tx.a).status_code == 200
    second_app = tx.service_app()
    first = tx.exchange(tx.user_token(), server="default").data["access_token"]
    response = tx.exchange(first, app=second_app)
    assert response.status_code == 200, response.data
    assert claims(response.data["access_token"])["act"] == {"sub": second_app.client_id,
                                                           "act": {"sub": tx.api1.client_id}}


def test_tx14_the_subject_tokens_client_deactivated_ends_it(tx):
    subject = tx.user_token()
    tx.world.advance(seconds=2)
    assert tx.api.post(f"/api/v1/apps/{tx.mobile.client_id}/lifecycle/deactivate").status_code == 200
    error(tx.exchange(subject, server="default"), 400, "invalid_grant", SUBJECT_ENDED)


def test_discovery_offers_the_grant_type(tx):
    for document in ("oauth-authorization-server", "openid-configuration"):
        doc = tx.world._oauth("GET", f"/oauth2/{tx.b}/.well-known/{document}", {}).data
        assert TOKEN_EXCHANGE in doc["grant_types_supported"]


def test_the_exchange_is_logged_per_token_and_refusals_as_failures(tx):
    from tests.integration.logs.test_system_log_api import events

    assert tx.trust(tx.b, tx.a).status_code == 200
    subject = tx.user_token()
    body = tx.exchange(subject).data
    minted = events(tx.api, filter='eventType eq "app.oauth2.as.token.grant.access_token" and '
                                   f'debugContext.debugData.grantType eq "{TOKEN_EXCHANGE}"')
    assert len(minted) == 1
    debug = minted[0]["debugContext"]["debugData"]
    assert debug["subjectTokenJti"] == claims(subject)["jti"]
    assert debug["subjectTokenIssuer"] == claims(subject)["iss"]
    assert minted[0]["target"][0]["id"] == claims(body["access_token"])["jti"]
    assert minted[0]["actor"]["id"] == tx.api1.client_id
    assert subject not in json.dumps(minted) and body["access_token"] not in json.dumps(minted)
    assert tx.exchange(subject, audience="api://nope").status_code == 400
    failed = events(tx.api, filter='eventType eq "app.oauth2.as.token.grant" and outcome.result eq "FAILURE"')
    assert [e["debugContext"]["debugData"]["error"] for e in failed] == ["invalid_target"]
    assert subject not in json.dumps(failed)


def test_the_exchanged_token_lives_as_the_rule_says(tx, container):
    rule_path = f"{SERVERS}/{tx.a}/policies/{tx.policies[tx.a]}/rules/{tx.rules[tx.a]}"
    rule = tx.api.get(rule_path).data
    rule["actions"]["token"]["accessTokenLifetimeMinutes"] = 5
    assert tx.api.put(rule_path, rule).status_code == 200
    response = tx.exchange(tx.user_token(), server="default")
    issued = claims(response.data["access_token"])
    assert response.data["expires_in"] == 300 and issued["exp"] - issued["iat"] == 300
    assert timedelta(seconds=issued["exp"] - issued["iat"]) == timedelta(minutes=5)
