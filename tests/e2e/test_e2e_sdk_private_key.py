"""The official Okta SDK in ``authorizationMode: "PrivateKey"`` against the local stack (issue 16): no SSWS token
involved. The SDK signs a client assertion with the app's private key, gets an access token with the ``okta.*``
scopes the app was granted from the org authorization server (``/oauth2/v1/token``), and calls the management API
with it: it lists and creates authorization servers, and is refused what its scopes do not cover."""
from __future__ import annotations

import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from e2e_support import call, expect, expect_error, server_body

SCOPES = ["okta.authorizationServers.read", "okta.authorizationServers.manage"]


def make_service_app(http, stack, admin_headers, **oauth_settings):
    """A private_key_jwt service app granted the authorization-server scopes (set up with the admin token)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    apps = f"{stack.base_url}/api/v1/apps"
    made = http.post(apps, headers=admin_headers, json={
        "name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": f"sdk-private-key-{uuid.uuid4().hex[:8]}",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "private_key_jwt"}},
        "settings": {"oauthClient": {"application_type": "service", "grant_types": ["client_credentials"],
                                     "jwks": {"keys": [{**public, "kid": "sdk-key"}]}, **oauth_settings}}})
    assert made.status_code == 200, made.text
    app_id = made.json()["id"]
    for scope in SCOPES:
        granted = http.post(f"{apps}/{app_id}/grants", headers=admin_headers,
                            json={"issuer": stack.base_url, "scopeId": scope})
        assert granted.status_code == 201, granted.text
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return app_id, pem


def remove_app(http, stack, admin_headers, app_id: str) -> None:
    apps = f"{stack.base_url}/api/v1/apps"
    http.post(f"{apps}/{app_id}/lifecycle/deactivate", headers=admin_headers)
    http.delete(f"{apps}/{app_id}", headers=admin_headers)


@pytest.fixture
def service_app(http, stack, admin_headers):
    app_id, pem = make_service_app(http, stack, admin_headers)
    yield app_id, pem
    remove_app(http, stack, admin_headers, app_id)


@pytest.fixture
def dpop_service_app(http, stack, admin_headers):
    """The same, with Okta's "Require DPoP header in token requests" on: its tokens are bound to the SDK's key."""
    app_id, pem = make_service_app(http, stack, admin_headers, dpop_bound_access_tokens=True)
    yield app_id, pem
    remove_app(http, stack, admin_headers, app_id)


def sdk_client(stack, recorder, app, **config):
    from okta.client import Client

    app_id, pem = app
    return Client({"orgUrl": stack.base_url, "authorizationMode": "PrivateKey", "clientId": app_id,
                   "scopes": SCOPES, "privateKey": pem, "kid": "sdk-key", "httpClient": recorder.http_client_class(),
                   **config})


def manage_servers(client) -> None:
    """What the app's scopes allow (list, create, read, delete servers), and what they do not (the org's users)."""
    listed = expect(200, client.list_authorization_servers())
    assert "default" in [s.name for s in listed]
    created = expect(201, client.create_authorization_server(server_body()))
    try:
        assert expect(200, client.get_authorization_server(created.id)).id == created.id
    finally:
        call(client.deactivate_authorization_server(created.id))
        call(client.delete_authorization_server(created.id))
    expect_error(403, "E0000006", client.list_users())


def test_the_sdk_in_private_key_mode_lists_and_creates_authorization_servers(service_app, stack, recorder, okta_env):
    client = sdk_client(stack, recorder, service_app)
    assert client.get_config()["client"]["authorizationMode"] == "PrivateKey"
    manage_servers(client)


def test_the_sdk_with_dpop_manages_authorization_servers_with_bound_tokens(dpop_service_app, stack, recorder,
                                                                          okta_env):
    """``dpopEnabled``: the SDK gets a DPoP-bound token from the org server (after the server's nonce) and signs a
    proof for every management request (``Authorization: DPoP``, ``ath``, the request's URL)."""
    manage_servers(sdk_client(stack, recorder, dpop_service_app, dpopEnabled=True))
    sent = [dict(e.request_headers) for e in recorder.snapshot()
            if e.test == recorder.current_test and "/api/v1/authorizationServers" in e.url]
    assert sent and all(h.get("Authorization", "").startswith("DPoP ") and h.get("DPoP") for h in sent)
