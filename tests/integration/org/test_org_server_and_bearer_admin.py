"""The org authorization server (``/oauth2/v1/…``, issuer = the base URL) and bearer access tokens on the management
API (issue 16): a service app with ``private_key_jwt`` gets the ``okta.*`` scopes an admin granted it, and each
management route takes a token only with its scope (``read`` for GET, ``manage`` for writes). Every refusal is a
clear 401/403 in Okta's shape, never a 500, and changes nothing."""
from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.oauth.issuer import ORG_SERVER_ID
from tests.integration.api.apisupport import assert_error, nothing_changes

BASE = "https://tokenmint.test"
ORG_TOKEN = "/oauth2/v1/token"
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SERVERS = "/api/v1/authorizationServers"


@dataclass
class ServiceApp:
    app_id: str
    key: rsa.RSAPrivateKey


def service_app(api, *scopes: str, method: str = "private_key_jwt") -> ServiceApp:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    oauth = {"application_type": "service", "grant_types": ["client_credentials"]}
    if method == "private_key_jwt":
        oauth["jwks"] = {"keys": [{**public, "kid": "k1"}]}
    app = api.post("/api/v1/apps", {"name": "oidc_client", "signOnMode": "OPENID_CONNECT",
                                    "label": f"svc-{uuid.uuid4().hex[:8]}",
                                    "credentials": {"oauthClient": {"token_endpoint_auth_method": method}},
                                    "settings": {"oauthClient": oauth}})
    assert app.status_code == 200, app.data
    for scope in scopes:
        granted = api.post(f"/api/v1/apps/{app.data['id']}/grants", {"issuer": BASE, "scopeId": scope})
        assert granted.status_code == 201, granted.data
    return ServiceApp(app.data["id"], key)


def assertion(container, app: ServiceApp, audience: str = f"{BASE}{ORG_TOKEN}") -> str:
    now = int(container.clock.now().timestamp())
    return jwt.encode({"iss": app.app_id, "sub": app.app_id, "aud": audience, "iat": now, "exp": now + 60,
                       "jti": uuid.uuid4().hex}, app.key, algorithm="RS256", headers={"kid": "k1"})


def org_token(api, container, app: ServiceApp, scope: str | None, path: str = ORG_TOKEN, **form: str):
    body = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION,
            "client_assertion": assertion(container, app, f"{BASE}{path}"), **form}
    if scope is not None:
        body["scope"] = scope
    return api._client.http.post(path, headers=FORM, body=urlencode(body))


def access_token(api, container, app: ServiceApp, scope: str) -> str:
    response = org_token(api, container, app, scope)
    assert response.status_code == 200, response.body
    return response.json_body["access_token"]


def bearer(api, method: str, path: str, token: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = getattr(api._client.http, method.lower())(path, headers=headers,
                                                         body=json.dumps(body).encode() if body else b"")
    response.data = json.loads(response.body) if response.body else None
    return response


# -- the org authorization server --------------------------------------------------------------------------------


def test_a_service_app_gets_the_okta_scopes_it_was_granted(api, container):
    app = service_app(api, "okta.authorizationServers.read", "okta.users.read")
    response = org_token(api, container, app, "okta.authorizationServers.read okta.users.read")
    assert response.status_code == 200, response.body
    body = response.json_body
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 3600, "okta.authorizationServers.read "
                                                                                       "okta.users.read")
    keys = api._client.http.get("/oauth2/v1/keys").json_body
    header = jwt.get_unverified_header(body["access_token"])
    key = jwt.PyJWK.from_dict(next(k for k in keys["keys"] if k["kid"] == header["kid"])).key
    claims = jwt.decode(body["access_token"], key, algorithms=["RS256"], audience=BASE, issuer=BASE,
                        options={"verify_exp": False, "verify_iat": False})
    assert (claims["cid"], claims["sub"], claims["scp"]) == (app.app_id, app.app_id,
                                                             ["okta.authorizationServers.read", "okta.users.read"])


@pytest.mark.parametrize("scope, error", [
    ("okta.users.manage", "invalid_scope"),  # not granted
    ("okta.everything", "invalid_scope"),
    (None, "invalid_scope"),  # Okta's org server has no default scope
])
def test_scopes_not_granted_are_refused(api, container, scope, error):
    app = service_app(api, "okta.users.read")
    response = org_token(api, container, app, scope)  # (the assertion is spent all the same: replay protection)
    assert (response.status_code, response.json_body["error"]) == (400, error)
    assert "access_token" not in response.json_body


def test_only_private_key_jwt_apps_get_org_tokens(api, container):
    app = api.post("/api/v1/apps", {"name": "oidc_client", "signOnMode": "OPENID_CONNECT", "label": "secret-svc",
                                    "settings": {"oauthClient": {"application_type": "service",
                                                                 "grant_types": ["client_credentials"]}}}).data
    api.post(f"/api/v1/apps/{app['id']}/grants", {"issuer": BASE, "scopeId": "okta.users.read"})
    secret = app["credentials"]["oauthClient"]["client_secret"]
    basic = base64.b64encode(f"{app['id']}:{secret}".encode()).decode()
    response = api._client.http.post(ORG_TOKEN, headers={**FORM, "Authorization": f"Basic {basic}"},
                                     body=urlencode({"grant_type": "client_credentials", "scope": "okta.users.read"}))
    assert (response.status_code, response.json_body["error"]) == (401, "invalid_client")
    assert "private_key_jwt" in response.json_body["error_description"]


def test_an_assertion_for_a_custom_server_is_not_one_for_the_org_server(api, container):
    app = service_app(api, "okta.users.read")
    body = {"grant_type": "client_credentials", "scope": "okta.users.read", "client_assertion_type": ASSERTION,
            "client_assertion": assertion(container, app, f"{BASE}/oauth2/default/v1/token")}
    response = api._client.http.post(ORG_TOKEN, headers=FORM, body=urlencode(body))
    assert (response.status_code, response.json_body["error"]) == (401, "invalid_client")


def test_discovery_and_keys_of_the_org_server(api):
    http = api._client.http
    for path in ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"):
        doc = http.get(path).json_body
        assert (doc["issuer"], doc["token_endpoint"], doc["jwks_uri"]) == (
            BASE, f"{BASE}/oauth2/v1/token", f"{BASE}/oauth2/v1/keys")
        assert "okta.users.read" in doc["scopes_supported"]
        assert doc["authorization_endpoint"] == f"{BASE}/oauth2/v1/authorize"  # people: code + PKCE
    assert len(http.get("/oauth2/v1/keys").json_body["keys"]) == 2  # ACTIVE and NEXT


def test_the_org_server_is_no_server_of_the_management_api_or_of_the_custom_paths(api):
    assert ORG_SERVER_ID not in [s["id"] for s in api.get(SERVERS).data]
    with nothing_changes():
        for method, path in (("GET", f"{SERVERS}/{ORG_SERVER_ID}"), ("PUT", f"{SERVERS}/{ORG_SERVER_ID}"),
                             ("DELETE", f"{SERVERS}/{ORG_SERVER_ID}"), ("GET", f"{SERVERS}/{ORG_SERVER_ID}/scopes"),
                             ("POST", f"{SERVERS}/{ORG_SERVER_ID}/credentials/lifecycle/keyRotate")):
            body = {"use": "sig"} if path.endswith("keyRotate") else {"name": "x", "audiences": ["a"]}
            assert api.call(method, path, body).status_code == 404, (method, path)
        http = api._client.http
        for path in (f"/oauth2/{ORG_SERVER_ID}/.well-known/openid-configuration",
                     f"/oauth2/{ORG_SERVER_ID}/v1/keys"):
            assert http.get(path).status_code == 404, path
        response = http.post(f"/oauth2/{ORG_SERVER_ID}/v1/token", headers=FORM,
                             body=b"grant_type=client_credentials")
        assert response.status_code == 404


# -- the management API with bearer tokens -----------------------------------------------------------------------

# (method, path, body, family) of one route of each family.
ROUTES = [
    ("GET", SERVERS, None, "okta.authorizationServers"),
    ("POST", SERVERS, {"name": "by-bearer", "audiences": ["api://by-bearer"]}, "okta.authorizationServers"),
    ("GET", "/api/v1/users", None, "okta.users"),
    ("GET", "/api/v1/groups", None, "okta.groups"),
    ("GET", "/api/v1/apps", None, "okta.apps"),
    ("GET", "/oauth2/v1/clients", None, "okta.clients"),
    ("GET", "/api/v1/trustedOrigins", None, "okta.trustedOrigins"),
    ("GET", "/api/v1/api-tokens", None, "okta.apiTokens"),
]


@pytest.mark.parametrize("method, path, body, family", ROUTES, ids=[f"{m} {p}" for m, p, _b, _f in ROUTES])
def test_each_route_takes_a_bearer_token_only_with_its_scope(api, container, method, path, body, family):
    read, manage = f"{family}.read", f"{family}.manage"
    needed = read if method == "GET" else manage
    app = service_app(api, read, manage, "okta.logs.read")
    right = access_token(api, container, app, needed)
    ok = bearer(api, method, path, right, body)
    assert ok.status_code in (200, 201), ok.data
    if method == "GET":  # manage includes read, as in Okta
        assert bearer(api, method, path, access_token(api, container, app, manage)).status_code == 200
    else:  # read only: 403 with Okta's challenge, and nothing written
        read_only = access_token(api, container, app, read)
        with nothing_changes():
            refused = bearer(api, method, path, read_only, body)
        assert_error(refused, 403, "E0000006")
        challenge = refused.headers["WWW-Authenticate"]
        assert challenge.startswith("Bearer ") and 'error="insufficient_scope"' in challenge
        assert f'scope="{manage}"' in challenge
    other = access_token(api, container, app, "okta.logs.read")  # another family's scope
    assert_error(bearer(api, method, path, other, body), 403, "E0000006")


def test_tokens_the_management_api_refuses(api, container):
    app = service_app(api, "okta.authorizationServers.read")
    good = access_token(api, container, app, "okta.authorizationServers.read")
    assert bearer(api, "GET", SERVERS, good).status_code == 200
    header, payload, signature = good.split(".")
    forged_none = jwt.encode(jwt.decode(good, options={"verify_signature": False}), key=None, algorithm="none")
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    resigned = jwt.encode(jwt.decode(good, options={"verify_signature": False}), other_key, algorithm="RS256",
                          headers={"kid": jwt.get_unverified_header(good)["kid"]})
    hs_confused = jwt.encode(jwt.decode(good, options={"verify_signature": False}), "k" * 32, algorithm="HS256",
                             headers={"kid": jwt.get_unverified_header(good)["kid"]})
    for token in ("", "not-a-jwt", good + "x", f"{header}.{payload}.", forged_none, resigned, hs_confused,
                  "a" * 20_000, f"{header}.{payload}.{signature} extra"):
        response = bearer(api, "GET", SERVERS, token)
        assert_error(response, 401, "E0000011", "Invalid token provided", [])


def test_a_token_of_a_custom_server_is_not_a_management_token(api, container):
    container.scopes.create("default", {"name": "servers:read", "consent": "IMPLICIT",
                                        "metadataPublish": "NO_CLIENTS"})
    client, secret = container.clients.create({"client_name": "custom-as", "application_type": "service"})
    basic = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    issued = api._client.http.post("/oauth2/default/v1/token", headers={**FORM, "Authorization": f"Basic {basic}"},
                                   body=urlencode({"grant_type": "client_credentials", "scope": "servers:read"}))
    assert issued.status_code == 200, issued.body
    assert_error(bearer(api, "GET", SERVERS, issued.json_body["access_token"]), 401, "E0000011")


def test_expired_revoked_ungranted_and_deactivated(api, container):
    app = service_app(api, "okta.authorizationServers.read")
    token = access_token(api, container, app, "okta.authorizationServers.read")
    container.clock.advance(minutes=61)
    assert_error(bearer(api, "GET", SERVERS, token), 401, "E0000011")  # expired

    token = access_token(api, container, app, "okta.authorizationServers.read")
    revoked = api._client.http.post("/oauth2/v1/revoke", headers=FORM, body=urlencode({
        "token": token, "client_assertion_type": ASSERTION,
        "client_assertion": assertion(container, app, f"{BASE}/oauth2/v1/revoke")}))
    assert revoked.status_code == 200, revoked.body
    assert_error(bearer(api, "GET", SERVERS, token), 401, "E0000011")  # revoked

    token = access_token(api, container, app, "okta.authorizationServers.read")
    [grant] = api.get(f"/api/v1/apps/{app.app_id}/grants").data
    api.delete(f"/api/v1/apps/{app.app_id}/grants/{grant['id']}")
    assert_error(bearer(api, "GET", SERVERS, token), 403, "E0000006")  # the grant is gone: at once

    api.post(f"/api/v1/apps/{app.app_id}/grants", {"issuer": BASE, "scopeId": "okta.authorizationServers.read"})
    token = access_token(api, container, app, "okta.authorizationServers.read")
    api.post(f"/api/v1/apps/{app.app_id}/lifecycle/deactivate")
    assert_error(bearer(api, "GET", SERVERS, token), 401, "E0000011")  # the app is deactivated
    api.post(f"/api/v1/apps/{app.app_id}/lifecycle/activate")
    assert_error(bearer(api, "GET", SERVERS, token), 401, "E0000011")  # and stays dead for tokens from before


def test_every_management_route_belongs_to_a_scope_family():
    from app import app  # noqa: F401 - registers every route
    from chalicelib.api.management_scopes import family_of
    from chalicelib.api.routing import AdminRoutes

    unscoped = [p for p in AdminRoutes.registry if family_of(p) is None and "{proxy+}" not in p]
    assert unscoped == []


def test_an_unknown_path_is_404_to_an_accepted_bearer_token_and_401_to_others(api, container):
    """As the greedy /api/v1 route answers (api/unknown_paths.answer: the local server's answer, too)."""
    from chalicelib.api import unknown_paths

    app = service_app(api, "okta.logs.read")
    token = access_token(api, container, app, "okta.logs.read")
    assert unknown_paths.answer({"authorization": f"Bearer {token}"}).status_code == 404
    assert unknown_paths.answer({"authorization": f"Bearer {token}x"}).status_code == 401
    assert unknown_paths.answer({}).status_code == 401



def test_changes_made_with_a_bearer_token_name_the_app_that_made_them(api, container):
    app = service_app(api, "okta.trustedOrigins.manage", "okta.apps.manage")
    token = access_token(api, container, app, "okta.trustedOrigins.manage okta.apps.manage")
    made = bearer(api, "POST", "/api/v1/trustedOrigins", token,
                  {"name": "by-app", "origin": "https://by-app.example", "scopes": [{"type": "CORS"}]})
    assert made.status_code == 200, made.data
    assert made.data["createdBy"] == made.data["lastUpdatedBy"] == app.app_id
    other = service_app(api)
    grant = bearer(api, "POST", f"/api/v1/apps/{other.app_id}/grants", token,
                   {"issuer": BASE, "scopeId": "okta.users.read"})
    assert grant.status_code == 201, grant.data
    assert grant.data["createdBy"] == {"id": app.app_id, "type": "App"}
