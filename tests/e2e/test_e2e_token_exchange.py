"""Token exchange (RFC 8693) and Okta's associatedServers API over real HTTP: the trust made with the official SDK
and with plain HTTP, a person's token from server A exchanged at server B with Authlib's ``OAuth2Session``
(its generic ``fetch_token`` with the URN grant), and the refusal of an issuer B does not trust
(docs/security-cases/exchange.md TX-01, TX-02)."""
from __future__ import annotations

import base64
import json
import uuid

from authlib.integrations.requests_client import OAuth2Session
from okta import models

from e2e_support import call, enum_value, expect

# The spec operations this module exercises: test_e2e_openapi.py requires a validated SDK success for each.
OKTA_SPEC_OPERATIONS = {"listAssociatedServersByTrustedType", "createAssociatedServers", "deleteAssociatedServer"}

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
PASSWORD = "Tokenm1nt-Secret"


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _ok(response, status: int = 200):
    assert response.status_code == status, (response.request.method, response.url, response.text)
    return response.json() if response.content else None


def test_associated_servers_with_the_official_sdk(okta_client, new_server):
    a, b = new_server(), new_server()
    added = expect(200, okta_client.create_associated_servers(b.id, models.AssociatedServerMediated(trusted=[a.id])))
    assert [s.id for s in added] == [a.id] and added[0].issuer == a.issuer
    trusted = expect(200, okta_client.list_associated_servers_by_trusted_type(b.id, trusted=True))
    assert [s.id for s in trusted] == [a.id]
    untrusted = expect(200, okta_client.list_associated_servers_by_trusted_type(b.id, trusted=False))
    assert a.id not in [s.id for s in untrusted] and b.id not in [s.id for s in untrusted]
    assert enum_value(trusted[0].status) == "ACTIVE"
    expect(204, okta_client.delete_associated_server(b.id, a.id))
    assert expect(200, okta_client.list_associated_servers_by_trusted_type(b.id, trusted=True)) == []
    missing = call(okta_client.delete_associated_server(b.id, a.id))
    assert missing.status == 404


def test_associated_servers_with_plain_http(http, stack, admin_headers, new_server):
    a, b = new_server(), new_server()
    url = f"{stack.base_url}/api/v1/authorizationServers/{b.id}/associatedServers"
    body = _ok(http.post(url, headers=admin_headers, json={"trusted": [a.id]}))
    assert [s["id"] for s in body] == [a.id]
    assert body[0]["_links"]["self"]["href"] == f"{url}/{a.id}"
    assert [s["id"] for s in _ok(http.get(f"{url}?trusted=true", headers=admin_headers))] == [a.id]
    bad = http.post(url, headers=admin_headers, json={"trusted": ["ausNoSuchServer00001"]})
    assert bad.status_code == 400 and bad.json()["errorCode"] == "E0000001" and bad.json()["errorCauses"]
    assert http.get(url).status_code == 401  # no credentials
    _ok(http.delete(f"{url}/{a.id}", headers=admin_headers), 204)
    assert http.delete(f"{url}/{a.id}", headers=admin_headers).status_code == 404


def _setup(http, stack, admin_headers, a, b) -> dict:
    """On A: a scope and a rule letting the password grant through; a person and a native app for them. On B: a
    scope and a rule letting token exchange through; a service app registered for token exchange."""
    base = stack.base_url
    servers = f"{base}/api/v1/authorizationServers"
    made: dict = {"clients": [], "users": []}
    for server, scope, grant in ((a, "orders:read", "password"), (b, "billing:read", TOKEN_EXCHANGE)):
        _ok(http.post(f"{servers}/{server.id}/scopes", headers=admin_headers, json={"name": scope}), 201)
        policy = _ok(http.post(f"{servers}/{server.id}/policies", headers=admin_headers, json={
            "type": "OAUTH_AUTHORIZATION_POLICY", "name": f"e2e-{grant[-8:]}", "description": "e2e",
            "conditions": {"clients": {"include": ["ALL_CLIENTS"]}}}), 201)
        _ok(http.post(f"{servers}/{server.id}/policies/{policy['id']}/rules", headers=admin_headers, json={
            "type": "RESOURCE_ACCESS", "name": "e2e rule",
            "conditions": {"grantTypes": {"include": [grant]}, "people": {"groups": {"include": ["EVERYONE"]}},
                           "scopes": {"include": [scope]}}}), 201)
    login = f"e2e-tx-{uuid.uuid4().hex[:8]}@example.com"
    user = _ok(http.post(f"{base}/api/v1/users?activate=true", headers=admin_headers, json={
        "profile": {"login": login, "email": login, "firstName": "Token", "lastName": "Exchange"},
        "credentials": {"password": {"value": PASSWORD}}}))
    made["users"].append(user["id"])
    mobile = _ok(http.post(f"{base}/oauth2/v1/clients", headers=admin_headers, json={
        "client_name": f"e2e-tx-mobile-{uuid.uuid4().hex[:6]}", "application_type": "native",
        "grant_types": ["authorization_code", "password"], "redirect_uris": ["com.example.app:/cb"],
        "token_endpoint_auth_method": "client_secret_basic"}), 201)
    made["clients"].append(mobile["client_id"])
    _ok(http.post(f"{base}/api/v1/apps/{mobile['client_id']}/users", headers=admin_headers, json={"id": user["id"]}))
    service = _ok(http.post(f"{base}/oauth2/v1/clients", headers=admin_headers, json={
        "client_name": f"e2e-tx-api1-{uuid.uuid4().hex[:6]}", "application_type": "service",
        "grant_types": ["client_credentials", TOKEN_EXCHANGE], "token_endpoint_auth_method": "client_secret_basic",
        "response_types": ["token"]}), 201)
    made["clients"].append(service["client_id"])
    made.update(login=login, user=user, mobile=mobile, service=service)
    return made


def _cleanup(http, stack, admin_headers, made: dict) -> None:
    for client_id in made["clients"]:
        http.delete(f"{stack.base_url}/oauth2/v1/clients/{client_id}", headers=admin_headers)
    for user_id in made["users"]:
        http.delete(f"{stack.base_url}/api/v1/users/{user_id}", headers=admin_headers)
        http.delete(f"{stack.base_url}/api/v1/users/{user_id}", headers=admin_headers)


def test_a_persons_token_from_a_is_exchanged_at_trusted_b_with_authlib(okta_client, http, stack, admin_headers,
                                                                        new_server, recorder):
    a, b = new_server(), new_server()
    made = _setup(http, stack, admin_headers, a, b)
    try:
        mobile, service = made["mobile"], made["service"]
        signed_in = _ok(http.post(f"{a.issuer}/v1/token", auth=(mobile["client_id"], mobile["client_secret"]), data={
            "grant_type": "password", "username": made["login"], "password": PASSWORD, "scope": "orders:read"}))
        subject = signed_in["access_token"]

        session = OAuth2Session(service["client_id"], service["client_secret"],
                                token_endpoint_auth_method="client_secret_basic")
        session.trust_env = False
        session.hooks["response"].append(recorder.requests_hook)
        params = {"grant_type": TOKEN_EXCHANGE, "subject_token": subject, "subject_token_type": ACCESS_TOKEN_TYPE,
                  "audience": b.audiences[0], "scope": "billing:read"}
        # Not trusted yet: Okta's 403 access_denied (associated_server_not_trusted).
        refused = http.post(f"{b.issuer}/v1/token", auth=(service["client_id"], service["client_secret"]),
                            data=params)
        assert refused.status_code == 403, refused.text
        assert refused.json() == {"error": "access_denied",
                                  "error_description": "The 'subject_token' issuer isn't a trusted authorization "
                                                       "server."}

        expect(200, okta_client.create_associated_servers(b.id, models.AssociatedServerMediated(trusted=[a.id])))
        token = session.fetch_token(f"{b.issuer}/v1/token", **params)
        assert token["issued_token_type"] == ACCESS_TOKEN_TYPE and token["token_type"] == "Bearer"
        assert token["scope"] == "billing:read" and "refresh_token" not in token
        issued, original = _claims(token["access_token"]), _claims(subject)
        assert issued["iss"] == b.issuer and issued["aud"] == b.audiences[0]
        assert (issued["sub"], issued["uid"]) == (made["login"], made["user"]["id"]) == (original["sub"],
                                                                                          original["uid"])
        assert issued["cid"] == service["client_id"] and issued["act"] == {"sub": service["client_id"]}
        introspected = _ok(http.post(f"{b.issuer}/v1/introspect", auth=(service["client_id"],
                                                                         service["client_secret"]),
                                     data={"token": token["access_token"]}))
        assert introspected["active"] is True and introspected["uid"] == made["user"]["id"]
        expect(204, okta_client.delete_associated_server(b.id, a.id))
    finally:
        _cleanup(http, stack, admin_headers, made)
