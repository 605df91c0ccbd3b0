"""POST /api/v1/authorizationServers/{authServerId}/tokenPreview over HTTP (in-process on moto): the shapes of a
grant and of a denial, bad input (400 E0000001 naming the field, 404 E0000007, 400 E0000003), authentication, and
"nothing is signed, nothing is stored"."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import botocore.client
import pytest

from tests.integration.api.apisupport import assert_error, assert_not_found, nothing_changes
from tests.integration.preview.preview_api_support import (
    SERVERS,
    add_claim,
    add_policy,
    add_rule,
    add_scope,
    assign_everyone,
    new_server,
    new_user,
    preview,
    real_token,
    service_client,
    web_client,
)

# On DynamoDB (moto): counts the AWS calls a preview makes (reads only, no KMS or Secrets Manager).
pytestmark = pytest.mark.dynamodb

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
STEP_KEYS = ["subject", "outcome", "id", "name", "priority", "policyId", "message"]
CLAIM_KEYS = ["token", "id", "name", "claimType", "valueType", "included", "reason", "message"]


@contextmanager
def aws_calls() -> Iterator[list[tuple[str, str]]]:
    """Every AWS API call made in the block, as (service, operation): pynamodb and boto3 both end in botocore."""
    calls: list[tuple[str, str]] = []
    original = botocore.client.BaseClient._make_api_call

    def spy(self, operation_name, api_params):
        calls.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = spy
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original


@pytest.fixture
def setup(api):
    """A server with a scope, a policy and rule for client_credentials and user grants, a claim; a service client;
    a web client assigned to Everyone; a user."""
    sid = new_server(api)
    add_scope(api, sid, "api:read")
    pid = add_policy(api, sid, "All clients")
    rid = add_rule(api, sid, pid, "Everyone", grants=["client_credentials", "authorization_code", "implicit"],
                   minutes=30, refresh_minutes=1440, window_minutes=60)
    add_claim(api, sid, "tier", "'gold'", scopes=["api:read"])
    service_id, secret = service_client(api)
    web_id = web_client(api)
    assign_everyone(api, web_id)
    user = new_user(api, department="Sales")
    return {"sid": sid, "pid": pid, "rid": rid, "service": service_id, "secret": secret, "web": web_id,
            "user": user}


def test_granted_shape(api, setup):
    response = preview(api, setup["sid"], clientId=setup["service"], grantType="client_credentials",
                       scopes=["api:read"])
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    data = response.data
    assert list(data) == ["request", "accessToken", "idToken", "refreshToken", "policy", "rule", "scopes",
                          "consentScopes", "evaluation"]
    assert data["request"] == {"clientId": setup["service"], "grantType": "client_credentials", "userId": None,
                               "scopes": ["api:read"]}
    server = api.get(f"{SERVERS}/{setup['sid']}").data
    assert data["accessToken"]["header"] == {"kid": server["credentials"]["signing"]["kid"], "alg": "RS256"}
    payload = data["accessToken"]["payload"]
    assert list(payload) == ["ver", "jti", "iss", "aud", "sub", "iat", "exp", "cid", "scp", "tier"]
    assert payload["iss"] == f"https://tokenmint.test/oauth2/{setup['sid']}" and payload["tier"] == "gold"
    assert data["accessToken"]["lifetimeMinutes"] == 30
    assert data["idToken"] is None
    assert data["refreshToken"] == {"issued": False, "lifetimeMinutes": None, "windowMinutes": None,
                                    "reason": "grant_type_issues_no_refresh_token",
                                    "message": "the client_credentials grant never issues a refresh token"}
    assert data["policy"] == {"id": setup["pid"], "name": "All clients"}
    assert data["rule"] == {"id": setup["rid"], "name": "Everyone"}
    assert data["scopes"] == ["api:read"] and data["consentScopes"] == []
    evaluation = data["evaluation"]
    assert list(evaluation) == ["reason", "steps", "claims"] and evaluation["reason"] == "granted"
    assert all(list(s) == STEP_KEYS for s in evaluation["steps"])
    assert [s["outcome"] for s in evaluation["steps"]] == ["scopes_requested", "policy_applies", "rule_matched",
                                                           "granted"]
    assert evaluation["steps"][2]["policyId"] == setup["pid"] and evaluation["steps"][2]["priority"] == 1
    claims = evaluation["claims"]
    # 20 claims (sub, 18 profile claims, tier), once for each token.
    assert len(claims) == 40 and {c["token"] for c in claims} == {"accessToken", "idToken"}
    tier = next(c for c in claims if c["token"] == "accessToken" and c["name"] == "tier")
    assert tier == {"token": "accessToken", "id": tier["id"], "name": "tier", "claimType": "RESOURCE",
                    "valueType": "EXPRESSION", "included": True, "reason": "included", "message": "included",
                    "value": "gold"}
    assert all(list(c)[:8] == CLAIM_KEYS for c in claims)
    assert all(("value" in c) == c["included"] for c in claims)


def test_user_grant_shape_with_id_token_and_refresh_token(api, setup):
    assert api.put(f"/oauth2/v1/clients/{setup['web']}", {
        "client_name": "web-with-refresh", "application_type": "web",
        "grant_types": ["authorization_code", "implicit", "refresh_token"], "response_types": ["code", "token",
                                                                                                "id_token"],
        "redirect_uris": ["https://app.example/cb"]}).status_code == 200
    user = setup["user"]
    response = preview(api, setup["sid"], clientId=setup["web"], grantType="authorization_code",
                       userId=user["profile"]["login"], scopes=["openid", "email", "offline_access", "api:read"])
    assert response.status_code == 200, response.data
    data = response.data
    assert data["request"]["userId"] == user["id"]
    assert data["accessToken"]["payload"]["uid"] == user["id"]
    assert data["accessToken"]["payload"]["sub"] == user["profile"]["login"]
    id_token = data["idToken"]
    assert id_token["header"] == data["accessToken"]["header"] and id_token["lifetimeMinutes"] == 60
    assert id_token["payload"]["sub"] == user["id"] and id_token["payload"]["email"] == user["profile"]["email"]
    assert id_token["payload"]["aud"] == setup["web"] and id_token["payload"]["amr"] == ["pwd"]
    assert data["refreshToken"] == {"issued": True, "lifetimeMinutes": 1440, "windowMinutes": 60,
                                    "reason": "issued", "message": "issued: lifetime 1440 min, used at least every "
                                                                   "60 min"}


def test_implicit_shape(api, setup):
    response = preview(api, setup["sid"], clientId=setup["web"], grantType="implicit", userId=setup["user"]["id"],
                       scopes=["openid", "profile"], responseType="id_token")
    assert response.status_code == 200, response.data
    assert response.data["request"]["responseType"] == "id_token"
    assert response.data["accessToken"] is None
    assert response.data["idToken"]["payload"]["given_name"] == setup["user"]["profile"]["firstName"]


def test_denial_shape_and_status_are_the_token_endpoints(api, setup, container):
    add_scope(api, setup["sid"], "api:write")
    sid = setup["sid"]
    for scopes, status in ((["api:write"], 200), (["openid"], 400)):
        real = real_token(api, sid, setup["service"], setup["secret"], scopes)
        shown = preview(api, sid, clientId=setup["service"], grantType="client_credentials", scopes=scopes)
        assert shown.status_code == real.status_code == status, (shown.data, real.data)
    other_service, other_secret = service_client(api)
    assert api.put(f"{SERVERS}/{sid}/policies/{setup['pid']}", {
        "type": "OAUTH_AUTHORIZATION_POLICY", "name": "All clients", "description": "x", "status": "ACTIVE",
        "conditions": {"clients": {"include": [setup["service"]]}}}).status_code == 200
    shown = preview(api, sid, clientId=other_service, grantType="client_credentials", scopes=["api:read"])
    assert shown.status_code == 401
    assert shown.headers["Cache-Control"] == "no-store"
    assert list(shown.data) == ["error", "error_description", "request", "policy", "rule", "deniedScopes",
                                "consentScopes", "evaluation"]
    assert shown.data["error"] == "access_denied"
    assert shown.data["error_description"] == ("Policy evaluation failed for this request, please check the policy "
                                               "configurations.")
    assert shown.data["policy"] is None and shown.data["rule"] is None
    assert shown.data["evaluation"]["reason"] == "no_matching_policy"
    assert [s["outcome"] for s in shown.data["evaluation"]["steps"]] == [
        "scopes_requested", "client_not_included", "no_matching_policy"]
    assert {c["reason"] for c in shown.data["evaluation"]["claims"]} == {"request_denied"}
    # The token endpoint may use the configuration it cached before the policy change for up to
    # TOKENMINT_CACHE_SECONDS (30 s here); the preview always reads the current one. Past the bound, both agree.
    container.clock.advance(seconds=31)
    real = real_token(api, sid, other_service, other_secret, ["api:read"])
    assert (real.status_code, real.data["error"], real.data["error_description"]) == (
        401, shown.data["error"], shown.data["error_description"])


def test_scope_denial_names_the_rule_and_the_denied_scopes(api, setup):
    sid = setup["sid"]
    add_scope(api, sid, "api:write")
    pid = add_policy(api, sid, "Narrow", clients=[setup["service"]])
    api.post(f"{SERVERS}/{sid}/policies/{setup['pid']}/lifecycle/deactivate")
    rid = add_rule(api, sid, pid, "Read only", scopes=["api:read"])
    shown = preview(api, sid, clientId=setup["service"], grantType="client_credentials",
                    scopes=["api:read", "api:write"])
    assert shown.status_code == 400
    assert (shown.data["error"], shown.data["error_description"]) == (
        "access_denied", "Some of the requested scopes were denied by the policy. Denied scopes: [api:write].")
    assert shown.data["policy"] == {"id": pid, "name": "Narrow"} and shown.data["rule"] == {"id": rid,
                                                                                            "name": "Read only"}
    assert shown.data["deniedScopes"] == ["api:write"]
    assert [s["outcome"] for s in shown.data["evaluation"]["steps"]] == [
        "scopes_requested", "policy_inactive", "policy_applies", "scope_not_allowed", "no_rule_matched",
        "scope_denied"]


# -- bad input --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, causes", [
    ({}, ["clientId: The field cannot be left blank.", "grantType: The field cannot be left blank."]),
    ({"clientId": "0oaNobody00000000001", "grantType": "client_credentials"},
     ["clientId: '0oaNobody00000000001' is not an OAuth client."]),
    ({"clientId": "{service}", "grantType": "client_credentials", "scopes": ["api:read", "api:nope"]},
     ["scopes: 'api:nope' is not a scope of this authorization server."]),
    ({"clientId": "{service}", "grantType": "implicit"},
     ["grantType: The client is not registered for implicit (its grant types: client_credentials).",
      "userId: Required for the implicit grant type: the token is issued for a user."]),
    ({"clientId": "{web}", "grantType": "authorization_code"},
     ["userId: Required for the authorization_code grant type: the token is issued for a user."]),
    ({"clientId": "{web}", "grantType": "authorization_code", "userId": "00uNobody00000000001"},
     ["userId: '00uNobody00000000001' is not a user."]),
    ({"clientId": "{service}", "grantType": "client_credentials", "userId": "{user}"},
     ["userId: Must not be given for client_credentials: the client acts on its own behalf."]),
    ({"clientId": "{web}", "grantType": "refresh_token", "userId": "{user}"},
     ["grantType: refresh_token cannot be previewed: a refresh is decided by the rule of the original grant. "
      "Preview authorization_code or password: the response says whether a refresh token is issued."]),
])
def test_bad_input_is_e0000001_naming_the_field(api, setup, body, causes):
    filled = {k: v.format(service=setup["service"], web=setup["web"], user=setup["user"]["id"])
              if isinstance(v, str) else v for k, v in body.items()}
    response = preview(api, setup["sid"], **filled)
    assert_error(response, 400, "E0000001", "Api validation failed: tokenPreview", causes)


def test_unknown_server_is_404(api, setup):
    response = preview(api, "ausNoSuchServer00000", clientId=setup["service"], grantType="client_credentials")
    assert_not_found(response, "ausNoSuchServer00000", "AuthorizationServer")


def test_the_default_alias_works(api, setup):
    add_scope(api, "default", "api:default")
    response = preview(api, "default", clientId=setup["service"], grantType="client_credentials",
                       scopes=["api:default"])
    assert response.status_code == 200, response.data
    assert response.data["accessToken"]["payload"]["iss"] == "https://tokenmint.test/oauth2/default"


def test_malformed_json_and_non_object_bodies_are_e0000003(api, setup):
    path = f"{SERVERS}/{setup['sid']}/tokenPreview"
    assert_error(api.call("POST", path, raw="{not json", headers={"Content-Type": "application/json"}), 400,
                 "E0000003")
    assert_error(api.post(path, ["clientId"]), 400, "E0000003")


def test_admin_token_required_and_post_only(api, client, setup):
    path = f"{SERVERS}/{setup['sid']}/tokenPreview"
    response = client.http.post(path, headers={"Content-Type": "application/json"}, body=b"{}")
    assert response.status_code == 401
    assert_error(api.get(path), 405, "E0000022")


def test_inactive_server_is_previewed_as_refused(api, setup):
    """The token endpoint answers 404 for an INACTIVE server (as for an unknown one); the preview tells the admin
    why instead: the evaluator's server_inactive."""
    assert api.post(f"{SERVERS}/{setup['sid']}/lifecycle/deactivate").status_code == 204
    shown = preview(api, setup["sid"], clientId=setup["service"], grantType="client_credentials",
                    scopes=["api:read"])
    assert shown.status_code == 400
    assert shown.data["evaluation"]["reason"] == "server_inactive"
    assert (shown.data["error"], shown.data["error_description"]) == (
        "invalid_request", "The authorization server id is invalid.")


def test_inactive_client_is_refused_like_client_authentication(api, setup, container):
    container.clients.set_status(setup["service"], "INACTIVE")
    shown = preview(api, setup["sid"], clientId=setup["service"], grantType="client_credentials")
    assert shown.status_code == 401 and shown.data["error"] == "invalid_client"
    assert shown.data["evaluation"]["reason"] == "client_inactive"


# -- never a usable token, nothing stored -----------------------------------------------------------------------------


def test_nothing_is_written_signed_or_decrypted(api, setup):
    user = setup["user"]
    bodies = [
        {"clientId": setup["service"], "grantType": "client_credentials", "scopes": ["api:read"]},
        {"clientId": setup["service"], "grantType": "client_credentials", "scopes": ["openid"]},
        {"clientId": setup["web"], "grantType": "authorization_code", "userId": user["id"],
         "scopes": ["openid", "profile", "api:read"]},
        {"clientId": setup["web"], "grantType": "implicit", "userId": user["id"], "scopes": ["openid"]},
        {"clientId": "0oaNobody00000000001", "grantType": "password"},
    ]
    with nothing_changes(), aws_calls() as calls:
        for body in bodies:
            assert preview(api, setup["sid"], **body).status_code in (200, 400)
    operations = {operation for _service, operation in calls}
    assert calls and not operations & WRITES, operations
    assert {service for service, _ in calls} == {"dynamodb"}  # no KMS, no Secrets Manager: no private key
    # The admin token's own check is a GetItem; the preview reads with Query, GetItem and BatchGetItem only.
    assert operations <= {"GetItem", "Query", "BatchGetItem"}, operations


def test_consent_page_scopes_and_stored_consent(api, setup, container):
    sid, user = setup["sid"], setup["user"]
    add_scope(api, sid, "api:consent", consent="REQUIRED")
    body = {"clientId": setup["web"], "grantType": "authorization_code", "userId": user["id"],
            "scopes": ["openid", "api:consent"]}
    first = preview(api, sid, **body)
    assert first.status_code == 200 and first.data["consentScopes"] == ["api:consent"]
    assert [s["outcome"] for s in first.data["evaluation"]["steps"]][-2:] == ["consent_assumed", "granted"]
    # Once the user has consented (the consent page stores it), the page would not be shown again.
    container.oauth.front.consents.remember(user["id"], sid, setup["web"], [("api:consent", None)], "iss")
    again = preview(api, sid, **body)
    assert again.status_code == 200 and again.data["consentScopes"] == []
    assert "consent_assumed" not in [s["outcome"] for s in again.data["evaluation"]["steps"]]
    assert again.data["scopes"] == first.data["scopes"] == ["openid", "api:consent"]
