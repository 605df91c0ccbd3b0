"""CORS on the OAuth endpoints a browser app calls (security-checklist DISC-05; docs/ARCHITECTURE.md "CORS").

Only an ACTIVE trusted origin with the ``CORS`` scope gets ``Access-Control-Allow-Origin`` (its exact origin, never
``*``, never with credentials) on the token, introspection, revocation, keys and userinfo endpoints and the discovery
documents, on success and on error; every response of those endpoints varies on ``Origin``; preflights are answered
by the app; the authorization endpoint, logout and the management API never get CORS headers.
"""
from __future__ import annotations

import base64
from urllib.parse import urlencode

import pytest

from tests.integration.api.apisupport import nothing_changes

SPA = "https://spa.example.com"
ORIGINS = "/api/v1/trustedOrigins"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
AS = "/oauth2/default"


@pytest.fixture
def trusted(api) -> dict:
    made = api.post(ORIGINS, {"name": "spa", "origin": SPA, "scopes": [{"type": "CORS"}]})
    assert made.status_code == 200, made.data
    return made.data


@pytest.fixture
def service(container) -> tuple[str, str]:
    container.scopes.create("default", {"name": "cors:read", "consent": "IMPLICIT", "metadataPublish": "NO_CLIENTS"})
    client, secret = container.clients.create({"client_name": "cors", "application_type": "service"})
    return client.client_id, secret


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def send(client, method: str, path: str, origin: str | None = SPA, headers: dict | None = None, body: str = ""):
    sent = {**({"Origin": origin} if origin else {}), **(headers or {})}
    return client.http.request(method, path, headers=sent, body=body.encode())


def token(client, service, origin: str | None = SPA):
    return send(client, "POST", f"{AS}/v1/token", origin, {**FORM, **basic(*service)},
                urlencode({"grant_type": "client_credentials", "scope": "cors:read"}))


def browser_calls(client, service) -> dict[str, object]:
    """One call of each endpoint a browser app makes, from the SPA's origin; success and error answers."""
    issued = token(client, service)
    assert issued.status_code == 200, issued.body
    access = issued.json_body["access_token"]
    auth = {**FORM, **basic(*service)}
    return {
        "token": issued,
        "token error": send(client, "POST", f"{AS}/v1/token", headers=FORM, body="grant_type=client_credentials"),
        "introspect": send(client, "POST", f"{AS}/v1/introspect", headers=auth, body=urlencode({"token": access})),
        "revoke": send(client, "POST", f"{AS}/v1/revoke", headers=auth, body=urlencode({"token": access})),
        "keys": send(client, "GET", f"{AS}/v1/keys"),
        "userinfo": send(client, "GET", f"{AS}/v1/userinfo", headers={"Authorization": f"Bearer {access}"}),
        "userinfo without token": send(client, "GET", f"{AS}/v1/userinfo"),
        "openid-configuration": send(client, "GET", f"{AS}/.well-known/openid-configuration"),
        "oauth-authorization-server": send(client, "GET", f"{AS}/.well-known/oauth-authorization-server"),
        "unknown server": send(client, "GET", "/oauth2/ausNoSuchServer/v1/keys"),
    }


def test_disc05_every_browser_endpoint_answers_a_trusted_origin_with_exactly_it(client, trusted, service):
    for name, response in browser_calls(client, service).items():
        headers = response.headers
        assert headers.get("Access-Control-Allow-Origin") == SPA, name
        assert headers["Vary"] == "Origin", name
        assert "Access-Control-Allow-Credentials" not in headers, name
        assert "WWW-Authenticate" in headers["Access-Control-Expose-Headers"], name


@pytest.mark.parametrize("origin", ["https://evil.example.com", "http://spa.example.com", "https://spa.example.com:444",
                                    "null", None])
def test_disc05_any_other_origin_gets_no_cors_header(client, trusted, service, origin):
    issued = token(client, service, origin)
    assert issued.status_code == 200
    for response in (issued, send(client, "GET", f"{AS}/v1/keys", origin),
                     send(client, "GET", f"{AS}/.well-known/openid-configuration", origin)):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert response.headers["Vary"] == "Origin"


def test_disc05_an_inactive_or_redirect_only_origin_gets_no_cors_header_from_the_next_request(api, client, trusted,
                                                                                              service):
    assert token(client, service).headers["Access-Control-Allow-Origin"] == SPA
    api.post(f"{ORIGINS}/{trusted['id']}/lifecycle/deactivate")
    assert "Access-Control-Allow-Origin" not in token(client, service).headers
    api.post(f"{ORIGINS}/{trusted['id']}/lifecycle/activate")
    assert token(client, service).headers["Access-Control-Allow-Origin"] == SPA
    api.put(f"{ORIGINS}/{trusted['id']}", {"name": "spa", "origin": SPA, "scopes": [{"type": "REDIRECT"}]})
    assert "Access-Control-Allow-Origin" not in token(client, service).headers
    api.delete(f"{ORIGINS}/{trusted['id']}")
    assert "Access-Control-Allow-Origin" not in token(client, service).headers


@pytest.mark.parametrize("path, method", [("/v1/token", "POST"), ("/v1/introspect", "POST"), ("/v1/revoke", "POST"),
                                          ("/v1/keys", "GET"), ("/v1/userinfo", "GET"), ("/v1/userinfo", "POST"),
                                          ("/.well-known/openid-configuration", "GET"),
                                          ("/.well-known/oauth-authorization-server", "GET")])
def test_disc05_preflight_from_a_trusted_origin_is_204(client, trusted, path, method):
    """okta-api.md 7.1: ``OPTIONS /v1/token`` is 204 with the origin, ``POST``, max-age 3600 and Vary: Origin."""
    with nothing_changes():
        response = send(client, "OPTIONS", AS + path, headers={
            "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "authorization,content-type"})
    assert response.status_code == 204
    assert response.body == b""
    headers = response.headers
    assert headers["Access-Control-Allow-Origin"] == SPA
    assert method in headers["Access-Control-Allow-Methods"].split(", ")
    assert "PUT" not in headers["Access-Control-Allow-Methods"]  # only what the endpoint serves
    assert {"authorization", "content-type"} <= set(headers["Access-Control-Allow-Headers"].split(", "))
    assert (headers["Access-Control-Max-Age"], headers["Vary"]) == ("3600", "Origin")


@pytest.mark.parametrize("origin, method, asked", [
    ("https://evil.example.com", "POST", "content-type"), (SPA, "PUT", ""), (SPA, "POST", "cookie"),
])
def test_disc05_a_preflight_that_is_not_allowed_is_403_without_cors_headers(client, trusted, origin, method, asked):
    response = send(client, "OPTIONS", f"{AS}/v1/token", origin, {"Access-Control-Request-Method": method,
                                                                  "Access-Control-Request-Headers": asked})
    assert response.status_code == 403
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize("path", ["/oauth2/{authServerId}/v1/authorize", "/oauth2/{authServerId}/v1/logout",
                                  "/api/v1/authorizationServers"])
def test_disc05_never_on_the_authorization_endpoint_logout_or_the_management_api(container, admin_token, trusted,
                                                                                 path):
    """Through the Lambda handler itself (Chalice's test client answers OPTIONS on its own)."""
    from app import app
    from bench.apigw import LambdaContext, gateway_headers, proxy_event

    for method, extra in (("GET", {"Authorization": f"SSWS {admin_token}"}),
                          ("OPTIONS", {"Access-Control-Request-Method": "GET"})):
        event = proxy_event(method, path, "default", gateway_headers({"Origin": SPA, **extra}), None)
        response = app(event, LambdaContext())
        assert not [h for h in response["headers"] if h.lower().startswith("access-control-")], (method, path)
        assert response["statusCode"] in ({200, 400} if method == "GET" else {401, 405}), (method, path, response)
